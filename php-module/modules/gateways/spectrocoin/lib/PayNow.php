<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The Pay Now endpoint: from the invoice page's POST to SpectroCoin's hosted checkout.
 *
 * Amount and currency are derived here from the invoice balance (never from the browser); a stored
 * order the core calls reusable (spectrocoin_order_reusable) is reused; a new order's row is
 * committed before SpectroCoin is called, so its callbacks always find it.
 */
final class PayNow
{
    /** @var Settings */
    private $settings;
    /** @var OrderStore */
    private $store;
    /** @var Lang the customer's language, known once we know who presses */
    private $lang;

    public function __construct(Settings $settings, OrderStore $store)
    {
        $this->settings = $settings;
        $this->store = $store;
        $this->lang = Lang::of(Lang::FALLBACK);
    }

    /**
     * Who presses Pay Now: the client account being managed and whether an admin is logged in.
     * WHMCS 8 separates users from clients and documents WHMCS\Authentication\CurrentUser for
     * this; the pre-8 session keys (`uid`, `adminid`) are read only where that class is missing.
     *
     * @return array{client: int, admin: bool}
     */
    public static function viewer(array $session): array
    {
        if (class_exists('WHMCS\\Authentication\\CurrentUser')) {
            $current = new \WHMCS\Authentication\CurrentUser();
            $client = $current->client();
            return ['client' => $client !== null ? (int) $client->id : 0, 'admin' => $current->isAuthenticatedAdmin()];
        }
        return ['client' => (int) ($session['uid'] ?? 0), 'admin' => !empty($session['adminid'])];
    }

    /**
     * @param array $session the PHP session, for WHMCS versions without CurrentUser
     * @param array{origin?: string, secFetchSite?: string} $request where the browser says the POST came from
     */
    public function handle(string $method, array $post, array $session, array $request = []): Response
    {
        $who = self::viewer($session);
        $this->lang = Lang::forClient($who['client']);
        $invoiceId = (int) ($post['invoiceid'] ?? 0);
        if ($method !== 'POST') {
            // Someone opened the Pay Now address itself (a bookmark, a copied link): 405 for HTTP, words for people.
            return CustomerPage::response(405, $this->lang, 'title.open_from_invoice', 'msg.open_from_invoice',
                $invoiceId > 0 ? ['invoice' => (string) $invoiceId, 'invoiceId' => $invoiceId] : [], $this->settings,
                'info', ['Allow' => 'POST']);
        }
        $token = is_string($post['token'] ?? null) ? $post['token'] : '';
        // Until the form is proven, the reference is the invoice id as posted, nothing read from the invoice.
        $posted = $invoiceId > 0 ? ['invoice' => (string) $invoiceId, 'invoiceId' => $invoiceId] : [];
        // A form posted from another site (browsers send Origin and Sec-Fetch-Site on POSTs) starts nothing.
        if (!$this->sameSite($request)) {
            return $this->refuse(403, 'msg.other_site', $posted,
                'Pay Now posted from another site (Origin ' . substr((string) ($request['origin'] ?? ''), 0, 100) . ')');
        }
        $invoice = $invoiceId > 0 ? $this->store->invoice($invoiceId) : null;
        // Only who WHMCS shows the invoice to: its owner's session or an admin. WHMCS documents no
        // guest access to invoices for gateways, so a visitor without a session is refused.
        if ($invoice !== null && $who['client'] > 0 && !$who['admin'] && $who['client'] !== (int) $invoice->userid) {
            return $this->refuse(403, 'msg.other_account', $posted);
        }
        $viewer = $invoice === null ? null : PayNowToken::viewerFor($who, (int) $invoice->userid);
        if ($viewer === null || !PayNowToken::fromStore($this->store)->verify($invoiceId, $viewer, $token)) {
            return $this->refuse(403, 'msg.link_expired', $posted);
        }
        if ($who['client'] === 0) {
            // An admin viewing the invoice: the page speaks the invoice owner's language.
            $this->lang = Lang::forClient((int) $invoice->userid);
        }
        $ref = ['invoice' => self::invoiceNumber($invoice), 'invoiceId' => $invoiceId];
        $problem = $this->payable($invoice);
        if ($problem !== null) {
            return $this->stale($problem, $ref + ['order' => $this->newestOrderId($invoiceId)]);
        }

        $balance = $this->store->balance($invoiceId);
        $currency = $this->store->invoiceCurrency((int) $invoice->userid);
        if ($currency === null) {
            return $this->refuse(503, 'msg.cannot_pay_now', $ref, 'no currency for client ' . $invoice->userid);
        }
        [$receiveAmount, $receiveCurrency] = $this->receiveAmount($balance, $currency);
        if ($receiveAmount === null) {
            return $this->refuse(503, 'msg.cannot_pay_now', $ref, 'convertto currency ' . $this->settings->convertTo() . ' not found');
        }

        // At most two orders per press: a second only when SpectroCoin said the first orderId is taken.
        for ($attempt = 1; ; $attempt++) {
            try {
                $row = Capsule::connection()->transaction(function () use ($invoiceId, $balance, $currency, $receiveAmount, $receiveCurrency) {
                    $locked = $this->store->lockInvoice($invoiceId);
                    if ($locked === null || $this->payable($locked) !== null || $this->store->balance($invoiceId) !== $balance) {
                        return null;
                    }
                    $open = $this->reusable($invoiceId, $balance, $receiveAmount, $receiveCurrency);
                    if ($open !== null) {
                        return $open;
                    }
                    $orderId = self::orderId($invoiceId, $this->store->countForInvoice($invoiceId) + 1, $this->store->orderTag());
                    $id = $this->store->insert([
                        'invoice_id' => $invoiceId,
                        'order_id' => $orderId,
                        'merchant_id' => $this->settings->orderOrigin()[0],
                        'project_id' => $this->settings->orderOrigin()[1],
                        'api' => $this->settings->orderOrigin()[2],
                        'legacy_merchant_id' => $this->settings->legacyIds()[0] !== '' ? $this->settings->legacyIds()[0] : null,
                        'legacy_project_id' => $this->settings->legacyIds()[1] !== '' ? $this->settings->legacyIds()[1] : null,
                        'receive_amount' => $receiveAmount,
                        'receive_currency' => $receiveCurrency,
                        'invoice_amount' => $balance,
                        'invoice_currency' => (string) $currency->code,
                        'pay_currency' => $this->settings->payCurrency(),
                        'status' => OrderStore::STATUS_CREATED,
                    ]);
                    return $this->store->findByOrderId($orderId) ?: (object) ['id' => $id, 'order_id' => $orderId];
                }, 3);
            } catch (\Throwable $e) {
                $this->log(['invoiceid' => $invoiceId, 'error' => 'database: ' . $e->getMessage()], 'Pay Now Error');
                return $this->refuse(503, 'msg.try_again_minute', $ref);
            }
            if ($row === null) {
                return $this->refuse(409, 'msg.invoice_changed', $ref);
            }
            if (!empty($row->redirect_url)) {
                $this->log(['invoiceid' => $invoiceId, 'orderId' => $row->order_id, 'orderRequestId' => $row->order_request_id,
                    'preOrderId' => $row->pre_order_id ?? null,
                    'receiveAmount' => $row->receive_amount, 'receiveCurrency' => $row->receive_currency], 'Order Reused');
                return Response::redirect((string) $row->redirect_url);
            }
            $response = $this->create($invoice, $row, $ref, $attempt === 1);
            if ($response !== null) {
                return $response;
            }
        }
    }

    /**
     * Our merchant orderId: invoice id, the invoice's order count, this installation's tag
     * (OrderStore::orderTag). At most 10 + 1 + 10 + 1 + 8 characters: within the legacy API's 64
     * (our signing rule) and the current API's 128; only digits, '-' and hex, so nothing to encode.
     * The invoice id stays the first part, readable in SpectroCoin's dashboard.
     */
    public static function orderId(int $invoiceId, int $n, string $tag): string
    {
        return $invoiceId . '-' . $n . '-' . $tag;
    }

    /** False when the browser says the POST came from another origin than this WHMCS. */
    private function sameSite(array $request): bool
    {
        if (strtolower((string) ($request['secFetchSite'] ?? '')) === 'cross-site') {
            return false;
        }
        $origin = strtolower(rtrim((string) ($request['origin'] ?? ''), '/'));
        if ($origin === '') {
            return true; // older browsers and same-origin navigations may send none
        }
        $ours = parse_url($this->settings->systemUrl());
        if (!is_array($ours) || !isset($ours['scheme'], $ours['host'])) {
            return true;
        }
        $mine = strtolower($ours['scheme'] . '://' . $ours['host'] . (isset($ours['port']) ? ':' . $ours['port'] : ''));
        return $origin === $mine;
    }

    /**
     * Why this invoice cannot be paid through this gateway now (the message's key), or null. Each
     * WHMCS status gets words a customer understands, never the status itself.
     */
    private function payable(object $invoice): ?string
    {
        if ((string) $invoice->paymentmethod !== Settings::GATEWAY) {
            return 'msg.other_gateway';
        }
        $status = (string) $invoice->status;
        if ($status !== 'Unpaid') {
            $byStatus = ['Payment Pending' => 'msg.being_confirmed', 'Paid' => 'msg.already_paid', 'Cancelled' => 'msg.cancelled'];
            return $byStatus[$status] ?? 'msg.not_awaiting';
        }
        if (Decimal::compare($this->store->balance((int) $invoice->id), '0') <= 0) {
            return 'msg.nothing_left';
        }
        return null;
    }

    /** A press on an invoice that is no longer payable here: 409, with words for its state. */
    private function stale(string $messageKey, array $ref): Response
    {
        $titles = ['msg.being_confirmed' => 'title.being_confirmed', 'msg.already_paid' => 'title.already_paid'];
        $kind = isset($titles[$messageKey]) ? 'info' : 'error';
        return CustomerPage::response(409, $this->lang, $titles[$messageKey] ?? 'title.not_started', $messageKey, $ref, $this->settings, $kind);
    }

    /** Our newest order id for the invoice (the reference support needs), or null. */
    private function newestOrderId(int $invoiceId): ?string
    {
        try {
            $rows = $this->store->forInvoice($invoiceId);
        } catch (\Throwable $e) {
            return null;
        }
        return $rows === [] ? null : (string) $rows[0]->order_id;
    }

    /** The invoice number WHMCS shows the customer: invoicenum when set, else the id. */
    private static function invoiceNumber(object $invoice): string
    {
        return trim((string) ($invoice->invoicenum ?? '')) !== '' ? (string) $invoice->invoicenum : (string) $invoice->id;
    }

    /** @return array{0: ?string, 1: string} amount and currency to ask SpectroCoin for */
    private function receiveAmount(string $balance, object $currency): array
    {
        $to = $this->settings->convertTo();
        if ($to <= 0 || $to === (int) $currency->id) {
            return [$balance, (string) $currency->code];
        }
        $target = $this->store->currency($to);
        if ($target === null) {
            return [null, ''];
        }
        $converted = Decimal::round2(\convertCurrency($balance, (int) $currency->id, $to));
        return $converted === null ? [null, ''] : [$converted, (string) $target->code];
    }

    /**
     * The newest stored order of this invoice that the core says to send the customer back to
     * (spectrocoin_order_reusable: open with time left, or a payment already in flight), or null.
     */
    private function reusable(int $invoiceId, string $balance, string $receiveAmount, string $receiveCurrency): ?object
    {
        foreach ($this->store->forInvoice($invoiceId) as $row) {
            // An order of other settings (another project, merchant or API) is never the one to pay now:
            // its callbacks would not be ours any more.
            if (!OrderStore::createdUnder($row, $this->settings)) {
                continue;
            }
            if (\spectrocoin_order_reusable(OrderStore::reuseInput($row), $receiveAmount, $receiveCurrency, $balance)) {
                return $row;
            }
        }
        return null;
    }

    /**
     * Creates the row's order at SpectroCoin and sends the customer there. Null when SpectroCoin said
     * the orderId is taken and $mayRetry: the tag has then been rotated and the caller tries once more
     * with a new row (the refused row stays, marked refused, so nothing of it is ever credited).
     */
    private function create(object $invoice, object $row, array $ref, bool $mayRetry): ?Response
    {
        $invoiceId = (int) $invoice->id;
        $order = [
            'orderId' => (string) $row->order_id,
            'payCurrency' => $this->settings->payCurrency(),
            'receiveCurrency' => (string) $row->receive_currency,
            'receiveAmount' => (string) $row->receive_amount,
            'description' => $this->description($invoice),
            'culture' => $this->culture((int) $invoice->userid),
            'callbackUrl' => $this->settings->callbackUrl(),
            'successUrl' => $this->settings->successUrl($invoiceId),
            'failureUrl' => $this->settings->failureUrl($invoiceId),
        ];
        $logBase = ['invoiceid' => $invoiceId, 'orderId' => $order['orderId'],
            'receiveAmount' => $order['receiveAmount'], 'receiveCurrency' => $order['receiveCurrency'],
            'payCurrency' => $order['payCurrency']];
        try {
            $answer = \spectrocoin_create_order($this->settings->merchant(), $order);
        } catch (\SpectroCoin\ApiException $e) {
            if ($e->isOrderIdTaken()) {
                // Another installation (a reinstall, a clone, a second WHMCS on this SpectroCoin project)
                // used this orderId: our tag is not ours alone any more. Never reuse it.
                $tag = substr((string) $row->order_id, strrpos((string) $row->order_id, '-') + 1);
                $newTag = $this->store->rotateOrderTag($tag);
                $reason = 'SpectroCoin says orderId ' . $row->order_id . ' is already used in this project (another WHMCS, or an '
                    . 'earlier installation of this module, on the same SpectroCoin project); new orderIds use tag ' . $newTag
                    . ': ' . $e->getMessage();
                if ($mayRetry) {
                    $this->markRefused($row, $logBase + ExchangeFailure::facts($e), $reason);
                    return null;
                }
                return $this->createFailed($row, $logBase + ExchangeFailure::facts($e), $reason, 502, $ref, true);
            }
            return $this->createFailed($row, $logBase + ExchangeFailure::facts($e), 'Not created: ' . $e->getMessage(), 502, $ref,
                true, self::result($e));
        } catch (\SpectroCoin\NetworkException $e) {
            // The extension says how it failed: an HTTP 503 is an answer, not "could not be reached"; no
            // answer at all means the order may exist at SpectroCoin.
            $reason = ExchangeFailure::kind($e) === ExchangeFailure::NO_ANSWER
                ? 'Perhaps created: ' . $e->getMessage() . ' — the order may exist at SpectroCoin.'
                : 'Not created: ' . $e->getMessage();
            return $this->createFailed($row, $logBase + ExchangeFailure::facts($e), $reason, 502, $ref, false, self::result($e));
        } catch (\SpectroCoin\ConfigException $e) {
            return $this->createFailed($row, $logBase, 'Not sent, the module\'s configuration is unusable: ' . $e->getMessage(), 503, $ref,
                true, 'Order Not Sent');
        } catch (\Throwable $e) {
            return $this->createFailed($row, $logBase, get_class($e) . ': ' . $e->getMessage(), 503, $ref, false, 'Order Failed');
        }
        // The extension returns only an http(s) redirectUrl with a host; anything else was a
        // NetworkException above ("no usable redirectUrl").
        $redirect = (string) $answer['redirectUrl'];
        try {
            $this->store->update((int) $row->id, [
                'order_request_id' => isset($answer['orderRequestId']) ? (string) $answer['orderRequestId'] : null,
                'pre_order_id' => isset($answer['preOrderId']) ? (string) $answer['preOrderId'] : null,
                'pay_amount' => isset($answer['payAmount']) ? (string) $answer['payAmount'] : null,
                'pay_currency' => isset($answer['payCurrency']) ? (string) $answer['payCurrency'] : $order['payCurrency'],
                'redirect_url' => $redirect,
                'api' => (string) ($answer['api'] ?? $this->settings->apiGeneration()),
                'valid_until' => isset($answer['validUntil']) ? (int) $answer['validUntil'] : null,
            ]);
        } catch (\Throwable $e) {
            // Without the redirect stored the order cannot be reused, but callbacks still find the row.
            $this->log($logBase + ['error' => 'database: ' . $e->getMessage()], 'Pay Now Error');
        }
        $this->log($logBase + [
            'orderRequestId' => $answer['orderRequestId'] ?? '',
            'payAmount' => $answer['payAmount'] ?? '',
            'validUntil' => isset($answer['validUntil']) ? gmdate('Y-m-d H:i:s', intdiv((int) $answer['validUntil'], 1000)) . ' UTC' : '',
            'preOrder' => !empty($answer['preOrder']) ? 'yes' : 'no',
            'api' => (string) ($answer['api'] ?? 'legacy'),
            'preOrderId' => (string) ($answer['preOrderId'] ?? ''),
        ], 'Order Created');
        return Response::redirect($redirect);
    }

    /**
     * $refused: SpectroCoin answered with an error (or the order never left us), so no order of ours
     * carries this orderId there. A timeout is not a refusal: the order may exist and be paid.
     */
    private function createFailed(object $row, array $logBase, string $reason, int $status, array $ref, bool $refused = false,
        string $result = 'Order Refused'): Response
    {
        $this->markRefused($row, $logBase, $reason, $refused, $result);
        return CustomerPage::response($status, $this->lang, 'title.not_started', 'msg.spectrocoin_failed',
            $ref + ['order' => (string) $row->order_id], $this->settings);
    }

    /** The gateway-log result of a failed create: refused, failed (an error answer, unreachable), or unconfirmed (no answer). */
    private static function result(\SpectroCoin\Exception $e): string
    {
        $kind = ExchangeFailure::kind($e);
        return $kind === ExchangeFailure::REFUSED ? 'Order Refused'
            : ($kind === ExchangeFailure::NO_ANSWER ? 'Order Unconfirmed (No Answer)' : 'Order Failed');
    }

    private function markRefused(object $row, array $logBase, string $reason, bool $refused = true, string $result = 'Order Refused'): void
    {
        try {
            $this->store->update((int) $row->id, ['create_error' => mb_substr($reason, 0, 2000), 'create_refused' => $refused ? 1 : 0]);
        } catch (\Throwable $e) {
            $reason .= ' (and the order row could not be updated: ' . $e->getMessage() . ')';
        }
        $this->log($logBase + ['error' => $reason], $result);
    }

    private function refuse(int $status, string $messageKey, array $ref, ?string $logDetail = null): Response
    {
        if ($logDetail !== null) {
            $this->log(['error' => $logDetail], 'Pay Now Error');
        }
        return CustomerPage::response($status, $this->lang, 'title.not_started', $messageKey, $ref, $this->settings);
    }

    private function description(object $invoice): string
    {
        $number = self::invoiceNumber($invoice);
        $company = $this->settings->companyName();
        return ($company !== '' ? $company . ' ' : '') . 'Invoice #' . $number;
    }

    /** SpectroCoin's checkout languages: en, lt, ru. */
    private function culture(int $userId): string
    {
        try {
            $language = strtolower((string) Capsule::table('tblclients')->where('id', $userId)->value('language'));
        } catch (\Throwable $e) {
            $language = '';
        }
        $map = ['lithuanian' => 'lt', 'russian' => 'ru'];
        return $map[$language] ?? 'en';
    }

    private function log(array $data, string $result): void
    {
        if (function_exists('logTransaction')) {
            \logTransaction(Settings::GATEWAY, self::present($data), $result);
        }
    }

    /** Log data without empty keys: a value not known is left out, never logged as "". */
    public static function present(array $data): array
    {
        return array_filter($data, static fn ($v) => $v !== null && $v !== '' && $v !== []);
    }
}
