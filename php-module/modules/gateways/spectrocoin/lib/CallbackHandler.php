<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * SpectroCoin's callbacks (legacy signed form, or current-API JSON): authenticate (extension), find
 * our order by the authenticated orderId, ask the extension what to do (spectrocoin_decide), and do
 * it in three idempotent steps, so that a crash anywhere ends in one payment row and one run of
 * WHMCS's side effects (e-mail, hooks, provisioning — none of which a rollback can undo):
 * 1. claim: decide in a short transaction holding the invoice and the order row (SELECT … FOR
 *    UPDATE, in that order everywhere) and record on the row the transaction id about to be written
 *    (claim_state "applying", when, by whom);
 * 2. apply: addInvoicePayment outside any transaction or lock of ours;
 * 3. confirm: the row is marked credited.
 * A delivery that finds an unconfirmed claim confirms it when tblaccounts has its transaction id,
 * answers 503 while it is fresh, and takes it over once stale (CLAIM_STALE_SECONDS).
 *
 * Answers: 200 "*ok*" when handled or a duplicate; 400 when forged, foreign, malformed or unknown
 * (nothing changes); 503 when something temporary failed, so SpectroCoin retries.
 */
final class CallbackHandler
{
    const OK = '*ok*';

    /** Gateway-log result per decided action. */
    const RESULTS = [
        'credit' => 'Successful',
        'already_credited' => 'Duplicate',
        'hold' => 'Held for Review',
        'pending' => 'Pending',
        'close' => 'Closed',
        'record' => 'Recorded',
        'test' => 'Test (not applied)',
        'review' => 'Needs Review',
        'refund' => 'Refund Notice',
        'record_refund' => 'Refund Recorded',
        'ignore' => 'Ignored (stale)',
    ];

    /** @var Settings */
    private $settings;
    /** @var OrderStore */
    private $store;

    /** Where the delivery came from: SpectroCoin's POST, or reconciliation's re-check (recheck()). */
    const ORIGIN_CALLBACK = 'callback';
    const ORIGIN_RECONCILIATION = 'reconciliation';

    /** Gateway-log result of a payment applied by a re-check: the merchant learns callbacks are not arriving. */
    const RECOVERED = 'Recovered by reconciliation';

    /** @var string */
    private $origin = self::ORIGIN_CALLBACK;

    /** @var string the history's source of a re-check (Events::SOURCE_CRON or SOURCE_RECHECK) */
    private $recheckSource = Events::SOURCE_CRON;
    /** @var string the delivery's content type, for the history's source */
    private $contentType = '';

    public function __construct(Settings $settings, OrderStore $store)
    {
        $this->settings = $settings;
        $this->store = $store;
    }

    /**
     * Reconciliation: the order's current state, fetched from SpectroCoin's current API by its order
     * UUID, goes through exactly the path of a JSON callback naming it (the extension re-fetches the
     * order and authenticates it as for {id, merchantApiId}; then the same decision and claim → apply
     * → confirm), so a payment is applied once whoever arrives first, callback or cron. Quiet in the
     * gateway log unless something changed; a payment applied this way is logged RECOVERED.
     */
    public function recheck(string $orderUuid, string $source = Events::SOURCE_CRON): Response
    {
        $body = json_encode(['id' => $orderUuid, 'merchantApiId' => $this->settings->merchant()['projectId']]);
        $this->origin = self::ORIGIN_RECONCILIATION;
        $this->recheckSource = $source;
        try {
            return $this->handle('POST', (string) $body, 'application/json');
        } finally {
            $this->origin = self::ORIGIN_CALLBACK;
        }
    }

    public function handle(string $method, string $rawBody, string $contentType = 'application/x-www-form-urlencoded'): Response
    {
        if ($method !== 'POST') {
            // Logged like any refused callback (bounded: the method and the body's size only), so an
            // admin debugging "callbacks never arrive" sees a proxy or redirect turning POST into GET.
            $this->log(['error' => 'HTTP method ' . substr(preg_replace('/[^A-Z]/', '', strtoupper($method)), 0, 16)
                . ' not allowed (SpectroCoin POSTs callbacks)', 'bodyBytes' => (string) strlen($rawBody)], 'Rejected');
            return Response::text(405, 'Method Not Allowed', ['Allow' => 'POST']);
        }
        $this->contentType = $contentType;
        $problem = Extension::problem();
        if ($problem !== null) {
            $this->log(['error' => $problem], 'Extension Unavailable');
            $this->unverifiedEvent(self::peek($rawBody), 'Retry Later', 'extension unavailable: ' . $problem, 503);
            return Response::text(503, 'Service Unavailable');
        }

        try {
            // Both SpectroCoin formats: legacy signed form bodies, and current-API JSON {id, merchantApiId}
            // (authenticated by re-fetching the order), chosen by the content type.
            // One pass: the verified callback stays in the extension, with the proof of its ids.
            $verified = \spectrocoin_authenticate_callback($rawBody, $contentType, $this->settings->merchant());
            $callback = $verified->toArray();
        } catch (\SpectroCoin\SignatureException $e) {
            return $this->reject('bad signature: ' . $e->getMessage(), $rawBody);
        } catch (\SpectroCoin\ForeignCallbackException $e) {
            // Another merchant or project than the configured one: perhaps an order of ours from earlier settings.
            return $this->earlierSettings($rawBody, $contentType) ?? $this->earlierProjectJson($rawBody, $e->getMessage())
                ?? $this->reject($e->getMessage(), $rawBody);
        } catch (\SpectroCoin\CallbackException $e) {
            return $this->reject($e->getMessage(), $rawBody);
        } catch (\SpectroCoin\NetworkException $e) {
            // SpectroCoin unreachable or busy (its key, or the re-fetch of a JSON callback's order).
            $peeked = self::peek($rawBody);
            $this->log(['error' => $e->getMessage() . '; SpectroCoin retries the callback'] + ExchangeFailure::facts($e)
                + $peeked, 'Retry Later');
            $this->unverifiedEvent($peeked, 'Retry Later', $e->getMessage(), 503);
            return Response::text(503, 'Service Unavailable');
        } catch (\Throwable $e) {
            // ConfigException (our settings are broken) or anything unexpected: let SpectroCoin retry after a fix.
            $peeked = self::peek($rawBody);
            $this->log(['error' => get_class($e) . ': ' . $e->getMessage()] + $peeked, 'Retry Later');
            $this->unverifiedEvent($peeked, 'Retry Later', get_class($e) . ': ' . $e->getMessage(), 503);
            return Response::text(503, 'Service Unavailable');
        }

        $orderId = $verified->orderId();
        $schemaProblem = OrderStore::schemaProblem();
        if ($schemaProblem !== null) {
            $this->log(self::summary($callback) + ['error' => 'database: ' . $schemaProblem], 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        }
        try {
            $found = $orderId === '' ? null : $this->store->findByOrderId($orderId);
        } catch (\Throwable $e) {
            $this->log(self::summary($callback) + ['error' => 'database: ' . $e->getMessage()], 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        }
        if ($found === null) {
            return $this->reject('orderId ' . $orderId . ' was not issued by this WHMCS', $rawBody, $callback);
        }
        $context = self::summary($callback) + ['invoiceid' => $found->invoice_id];
        $deadline = microtime(true) + self::CLAIM_WAIT_SECONDS;
        try {
            while (true) {
                // Step 1, claim: decide under the invoice and order locks, record what is about to be
                // written, commit. Short: nothing of WHMCS runs inside.
                $outcome = Capsule::connection()->transaction(function () use ($verified, $found) {
                    return $this->decideAndClaim($verified, (int) $found->invoice_id, (string) $found->order_id);
                }, 3);
                if (!$outcome['busy'] || microtime(true) >= $deadline) {
                    break;
                }
                // Another delivery of this payment is applying it right now: its confirmation usually
                // follows within milliseconds, so wait a little (holding no lock) before answering 503.
                usleep(50000);
            }
        } catch (\SpectroCoin\CallbackException $e) {
            return $this->reject($e->getMessage(), $rawBody, $context);
        } catch (\Throwable $e) {
            $this->log($context + ['error' => get_class($e) . ': ' . $e->getMessage()], 'Retry Later');
            $this->event($found, $callback, 'Retry Later', 'database: ' . $e->getMessage(), 503);
            return Response::text(503, 'Service Unavailable');
        }
        $reconciling = $this->origin === self::ORIGIN_RECONCILIATION;
        if ($outcome['busy']) {
            if (!$reconciling) { // a re-check leaves a payment being applied to its delivery; the next run looks again
                $this->log($context + ['transId' => $outcome['transId'], 'message' => $outcome['message']], 'Retry Later');
            }
            $this->event($found, $callback, 'Retry Later', $outcome['message'], 503);
            return Response::text(503, 'Service Unavailable');
        }
        if ($outcome['claimed']) {
            // Steps 2 and 3, outside any transaction of ours: WHMCS applies the payment (e-mail, hooks,
            // provisioning), then the claim is confirmed.
            $outcome = $this->applyClaim($outcome, (int) $found->invoice_id);
        }
        if (!empty($outcome['refundClaimed'])) {
            // The same two steps for a refund made at SpectroCoin: WHMCS records it, then it is confirmed.
            $outcome = $this->recordRefund($outcome, (int) $found->invoice_id);
        }

        $result = $outcome['result'];
        if ($reconciling && $outcome['applied']) {
            $result = self::RECOVERED;
            $context['source'] = 'reconciliation (WHMCS cron): no callback brought this state; check that SpectroCoin can reach '
                . $this->settings->callbackUrl();
        }
        // A re-check that changed nothing (still pending, already credited by its callback) is not news:
        // every cron run would repeat it.
        $unchanged = $reconciling && !$outcome['applied'] && $outcome['warning'] === null && !$outcome['retry']
            && (string) ($this->store->findByOrderId((string) $found->order_id)->status ?? '') === (string) $found->status;
        if (!$unchanged) {
            $this->log($context + [
                'action' => $outcome['action'],
                'transId' => $outcome['transId'],
                'invoiceStatus' => $outcome['invoiceBefore'] . ' -> ' . $outcome['invoiceAfter'],
                'message' => $outcome['message'],
            ] + ($outcome['warning'] !== null ? ['warning' => $outcome['warning']] : []), $result);
        }
        if ($outcome['applied']) {
            \logActivity(sprintf(
                'SpectroCoin payment applied to Invoice ID: %d - %s %s (order %s, SpectroCoin order %s, Trans ID %s)%s',
                $found->invoice_id, $outcome['amount'], $outcome['currency'], $found->order_id,
                $callback['orderRequestId'] ?? '', $outcome['transId'], $reconciling ? ' - ' . self::RECOVERED : ''
            ), (int) $outcome['userid']);
        }
        if ($outcome['warning'] !== null) {
            \logActivity('SpectroCoin: ' . $outcome['warning'] . ' (Invoice ID: ' . $found->invoice_id . ')', (int) $outcome['userid']);
        }
        $this->event($found, $callback, $outcome['applied'] ? ($reconciling ? self::RECOVERED : 'Credited') : $result,
            ($outcome['applied'] ? 'Trans ID ' . $outcome['transId'] . ': ' : '') . ($outcome['warning'] ?? $outcome['message']),
            $outcome['retry'] ? 503 : 200);
        if ($outcome['retry']) {
            return Response::text(503, 'Service Unavailable');
        }
        return Response::text(200, self::OK);
    }

    /** The history's source of this delivery. */
    private function eventSource(): string
    {
        if ($this->origin === self::ORIGIN_RECONCILIATION) {
            return $this->recheckSource;
        }
        return stripos($this->contentType, 'json') !== false ? Events::SOURCE_CURRENT : Events::SOURCE_LEGACY;
    }

    /** One authenticated event in the order's history (Events::record never throws). */
    private function event(?object $row, ?array $callback, string $result, string $detail, int $http): void
    {
        if ($row !== null) {
            Events::record((string) $row->order_id, $this->eventSource(), true,
                (string) ($callback['statusName'] ?? $callback['status'] ?? ''), $result, $detail, $http);
        }
    }

    /**
     * An event for a body that could not be authenticated, recorded under the order it names (if it
     * names one of ours: a JSON body by its SpectroCoin id, a form body by its orderId, as peek()
     * read them for the log) as not authenticated; its status is not believed (''). A re-check's
     * body is our own (the order's UUID from its row), so it counts as authenticated.
     */
    private function unverifiedEvent(array $peeked, string $result, string $detail, int $http): void
    {
        try {
            $row = isset($peeked['id']) ? $this->store->findBySpectroCoinId($peeked['id'])
                : (isset($peeked['orderId']) && $peeked['orderId'] !== '' ? $this->store->findByOrderId($peeked['orderId']) : null);
        } catch (\Throwable $e) {
            return; // no database: the gateway log has it
        }
        if ($row !== null) {
            Events::record((string) $row->order_id, $this->eventSource(), $this->origin === self::ORIGIN_RECONCILIATION, '', $result, $detail, $http);
        }
    }

    /**
     * A callback while the gateway is deactivated: WHMCS has removed its settings (getGatewayVariables
     * throws), so nothing is decided or credited; the answer is 503 and SpectroCoin retries until the
     * admin activates it again. Genuineness without the settings: a signed legacy callback is checked
     * with SpectroCoin's public key and the merchant and project ids its order row recorded at creation
     * (schema 3), exactly as for an order of earlier settings. A JSON callback cannot be checked (the
     * re-fetch needs the API credentials, which are gone): it is named "unverified", and only when its
     * SpectroCoin order id is one a row recorded. Either goes to the activity log (logActivity needs
     * no gateway) with invoice, order and status.
     */
    public static function whileInactive(string $method, string $rawBody, string $contentType, OrderStore $store): Response
    {
        $unavailable = Response::text(503, 'Gateway not active');
        if ($method !== 'POST' || Extension::problem() !== null || OrderStore::schemaProblem() !== null) {
            return $unavailable;
        }
        try {
            $line = self::inactiveLine($rawBody, $contentType, $store);
            if ($line !== null) {
                \logActivity('SpectroCoin callback while the SpectroCoin gateway is deactivated: ' . $line[0]
                    . ' Answered 503, so SpectroCoin retries it: activate the gateway to process it.', $line[1]);
            }
        } catch (\Throwable $e) {
            error_log('spectrocoin callback while deactivated: ' . $e->getMessage());
        }
        return $unavailable;
    }

    /** @return array{0: string, 1: int}|null the activity-log text and the invoice's client */
    private static function inactiveLine(string $rawBody, string $contentType, OrderStore $store): ?array
    {
        $json = json_decode($rawBody, true);
        if (is_array($json) && stripos($contentType, 'json') !== false) {
            $id = is_string($json['id'] ?? null) ? $json['id'] : '';
            $row = $id === '' ? null : $store->findBySpectroCoinId($id);
            if ($row === null) {
                return null;
            }
            return [sprintf('Invoice ID: %d, order %s, SpectroCoin order %s, status unknown (a JSON callback, unverified: the API '
                . 'credentials are not available while the gateway is deactivated).', $row->invoice_id, $row->order_id, $id),
                self::clientOf($store, (int) $row->invoice_id)];
        }
        $fields = [];
        parse_str(substr($rawBody, 0, 65536), $fields);
        $orderId = is_string($fields['orderId'] ?? null) ? $fields['orderId'] : '';
        $row = $orderId === '' ? null : $store->findByOrderId($orderId);
        if ($row === null || !isset($row->merchant_id, $row->project_id)) {
            return null;
        }
        $then = ['merchantId' => (string) $row->merchant_id, 'projectId' => (string) $row->project_id, 'privateKey' => '',
            'clientId' => '', 'clientSecret' => '', 'legacyMerchantId' => (string) ($row->legacy_merchant_id ?? ''), 'legacyProjectId' => (string) ($row->legacy_project_id ?? '')];
        try {
            $verified = \spectrocoin_authenticate_callback($rawBody, $contentType, $then);
        } catch (\Throwable $e) {
            return null; // forged, foreign, or SpectroCoin's key unreachable: nothing to tell
        }
        $c = $verified->toArray();
        if ($verified->orderId() !== (string) $row->order_id || empty($c['idsVerified'])) {
            return null; // unsigned UUID ids prove nothing (see earlierSettings)
        }
        return [sprintf('Invoice ID: %d, order %s, SpectroCoin order %s, status %s, %s %s.', $row->invoice_id, $row->order_id,
            (string) ($c['orderRequestId'] ?? ''), (string) ($c['statusName'] ?? $c['status'] ?? ''),
            (string) ($c['receiveAmount'] ?? ''), (string) ($c['receiveCurrency'] ?? '')), self::clientOf($store, (int) $row->invoice_id)];
    }

    private static function clientOf(OrderStore $store, int $invoiceId): int
    {
        return (int) ($store->invoice($invoiceId)->userid ?? 0);
    }

    /**
     * A signed legacy callback refused as "another merchant or project" may be genuine for one of our
     * orders created under earlier settings (the admin moved from a test project to the live one).
     * SpectroCoin signs every merchant's callbacks with its one key, so the proof is: the same
     * signature check with the ids the row recorded at creation, and the orderId one of our rows.
     * Such a callback is answered *ok* (SpectroCoin stops retrying), recorded on the row and put up
     * for review — never credited: the money is in a project this WHMCS no longer uses.
     * JSON callbacks cannot be proven this way (the re-fetch needs that project's API credentials,
     * which are no longer configured): they stay refused, with the row named in the log.
     * Null when this is not such a callback (a JSON one included: see earlierProjectJson).
     */
    private function earlierSettings(string $rawBody, string $contentType): ?Response
    {
        if (OrderStore::schemaProblem() !== null) {
            return null;
        }
        $fields = [];
        parse_str(substr($rawBody, 0, 65536), $fields);
        $orderId = is_string($fields['orderId'] ?? null) ? $fields['orderId'] : '';
        try {
            $row = $orderId === '' ? null : $this->store->findByOrderId($orderId);
        } catch (\Throwable $e) {
            return null;
        }
        if ($row === null || !isset($row->merchant_id, $row->project_id) || OrderStore::createdUnder($row, $this->settings)) {
            return null;
        }
        $then = ['merchantId' => (string) $row->merchant_id, 'projectId' => (string) $row->project_id,
            'privateKey' => $this->settings->merchant()['privateKey'], 'clientId' => '', 'clientSecret' => '',
            'legacyMerchantId' => (string) ($row->legacy_merchant_id ?? ''), 'legacyProjectId' => (string) ($row->legacy_project_id ?? '')];
        try {
            $verified = \spectrocoin_authenticate_callback($rawBody, $contentType, $then);
            $callback = $verified->toArray();
        } catch (\Throwable $e) {
            return null;
        }
        // Only what SpectroCoin signed counts: with UUID ids (unsigned) another merchant's genuine
        // callback could carry our old UUIDs.
        if ($verified->orderId() !== (string) $row->order_id || empty($callback['idsVerified'])) {
            return null;
        }
        $status = (string) ($callback['statusName'] ?? $callback['status'] ?? '');
        $moneyReceived = !empty($callback['moneyReceived']);
        $was = 'project ' . $row->project_id . ' (merchant ' . $row->merchant_id . ')';
        $now = $this->settings->orderOrigin();
        $context = self::summary($callback) + ['invoiceid' => $row->invoice_id];
        try {
            $changes = Capsule::connection()->transaction(function () use ($row, $status, $moneyReceived, $was, $now, $verified) {
                $locked = $this->store->lockOrder((string) $row->order_id);
                if ($locked === null || (bool) $locked->credited) {
                    return null; // already in WHMCS: nothing to review
                }
                $changes = ['status' => $status];
                if ($status === 'PAID') {
                    // The payment the admin may apply by hand, under the id the core names for it.
                    $changes['transid'] = $verified->transactionId(OrderStore::decisionInput($locked));
                }
                if ($moneyReceived) {
                    $changes['review_reason'] = 'SpectroCoin reports this order ' . $status . ' in ' . $was . ', which is no longer '
                        . 'configured (now project ' . $now[1] . ', merchant ' . $now[0] . '), so it was not credited. Check the order in '
                        . 'that SpectroCoin project; if the money is yours, apply it to invoice #' . $row->invoice_id
                        . ' by hand, otherwise refund it there.';
                }
                $this->store->update((int) $locked->id, $changes);
                return $changes;
            }, 3);
        } catch (\Throwable $e) {
            $this->log($context + ['error' => 'database: ' . $e->getMessage()], 'Retry Later');
            $this->event($row, $callback, 'Retry Later', 'database: ' . $e->getMessage(), 503);
            return Response::text(503, 'Service Unavailable');
        }
        $this->log($context + ['message' => 'genuine callback for an order created under earlier settings (' . $was
            . '); recorded, not credited'], isset($changes['review_reason']) ? 'Earlier Settings (Review)' : 'Earlier Settings');
        $this->event($row, $callback, isset($changes['review_reason']) ? 'Earlier Settings (Review)' : 'Earlier Settings',
            $changes['review_reason'] ?? 'genuine callback for an order created under earlier settings (' . $was . '); recorded, not credited', 200);
        return Response::text(200, self::OK);
    }

    /**
     * A JSON callback naming a project one of our orders was created under but which is no longer
     * configured: it cannot be verified (the re-fetch needs that project's API credentials), so it
     * changes nothing and is refused, but not silently: the log names the order and says why.
     */
    private function earlierProjectJson(string $rawBody, string $reason): ?Response
    {
        if (OrderStore::schemaProblem() !== null) {
            return null;
        }
        $json = json_decode($rawBody, true);
        $project = is_array($json) && is_string($json['merchantApiId'] ?? null) ? $json['merchantApiId'] : '';
        $id = is_array($json) && is_string($json['id'] ?? null) ? $json['id'] : '';
        try {
            $row = $id === '' ? null : $this->store->findBySpectroCoinId($id);
            $row = $row ?? ($project === '' ? null : $this->store->latestOfProject($project));
        } catch (\Throwable $e) {
            return null;
        }
        if ($row === null || (string) ($row->project_id ?? '') !== $project) {
            return null;
        }
        $this->log(['error' => $reason, 'invoiceid' => (string) $row->invoice_id, 'orderId' => (string) $row->order_id,
            'id' => $id, 'merchantApiId' => $project,
            'message' => 'a JSON callback for project ' . $project . ', which order ' . $row->order_id . ' (invoice #' . $row->invoice_id
                . ') was created under and which is no longer configured; without that project\'s API credentials it cannot be '
                . 'verified, so nothing was changed: check SpectroCoin order ' . $id . ' in that project'], 'Earlier Settings (Unverified)');
        Events::record((string) $row->order_id, $this->eventSource(), false, '', 'Earlier Settings (Unverified)', $reason, 400);
        return Response::text(400, 'Bad Request');
    }

    /**
     * Runs inside the claim transaction. Throws CallbackException when the callback does not match
     * the order. A claim left unconfirmed by an earlier delivery is completed here when WHMCS has
     * its payment row, waited for while fresh, and taken over once stale.
     */
    private function decideAndClaim(\SpectroCoin\Callback $verified, int $invoiceId, string $orderId): array
    {
        $invoice = $this->store->lockInvoice($invoiceId);
        $row = $this->store->lockOrder($orderId);
        if ($row === null) {
            throw new \RuntimeException('order row ' . $orderId . ' vanished');
        }
        $invoiceStatus = $invoice === null ? 'Deleted' : (string) $invoice->status;
        $claimOpen = (string) ($row->claim_state ?? '') === self::CLAIM_APPLYING;
        $changes = [];
        if ($claimOpen && $this->store->transactionExists((string) $row->claim_transid)) {
            // The earlier delivery's payment is in WHMCS (it died, or failed after the row): confirm it.
            $changes += self::confirmation((string) $row->claim_transid);
            $unfinished = $this->unfinished($invoiceId, $invoiceStatus, (string) $row->claim_transid);
            $changes['review_reason'] = $unfinished; // null clears an earlier review item: the payment is in WHMCS
            $row->credited = 1;
            $claimOpen = false;
        }
        // A refund claim of an earlier delivery whose refund row is in WHMCS: confirm it (as for payments).
        $refundOpen = (string) ($row->refund_state ?? '') === OrderStore::REFUND_APPLYING;
        if ($refundOpen && $this->store->transactionExists((string) $row->refund_transid)) {
            $changes['refund_state'] = OrderStore::REFUND_RECORDED;
            $changes['review_reason'] = $this->refundUnfinished($invoiceId, $invoiceStatus, (string) $row->refund_transid);
            $row->refund_state = OrderStore::REFUND_RECORDED;
            $refundOpen = false;
        }
        // A fetched order names its pre-order: kept for a legacy-created row, so later callbacks bind by it too.
        $preOrderId = (string) ($verified->toArray()['merchantPreOrderId'] ?? '');
        if ($preOrderId !== '' && (string) ($row->pre_order_id ?? '') === '') {
            $changes['pre_order_id'] = $preOrderId;
        }
        $order = OrderStore::decisionInput($row);

        // The core names the transaction id first, so the ledger is checked under our locks and the
        // decision is made once, with the real answer. The decision names every effect.
        $transId = $verified->transactionId($order);
        $d = $verified->decide($order, [
            'status' => $invoiceStatus,
            'transactionExists' => $this->store->transactionExists($transId),
            // Only a REFUNDED callback's decision reads it: other callbacks pay no extra queries.
            'paymentRefunded' => !empty($verified->toArray()['refunded']) && $this->store->paymentRefunded($invoiceId, $transId),
        ], $this->settings->markPending(), $this->settings->recordRefunds());
        $transId = (string) $d['transId'];
        $action = (string) $d['action'];
        $apply = $d['apply'];
        $refund = $d['refund'] ?? null;

        // Refund news while a payment of this order, or this refund, is being written by another
        // delivery: wait for it (SpectroCoin retries), so a refund is judged against what WHMCS holds.
        $paymentBusy = $claimOpen && !self::claimIsStale($row) && in_array($action, ['refund', 'record_refund'], true);
        $refundBusy = $refund !== null && $refundOpen && !self::refundClaimIsStale($row);
        if ($paymentBusy || $refundBusy) {
            return self::outcome($action, $transId, ($refundBusy ? 'refund ' . $row->refund_transid . ' is being recorded by another delivery ('
                . $row->refund_claimed_by . ' since ' . $row->refund_claimed_at : 'payment ' . $transId . ' is being applied by another delivery ('
                . $row->claimed_by . ' since ' . $row->claimed_at) . ' UTC); SpectroCoin retries', $row, $invoice, $invoiceStatus)
                + ['busy' => true];
        }

        if ($apply !== null && $claimOpen && !self::claimIsStale($row)) {
            return self::outcome($action, $transId, 'payment ' . $transId . ' is being applied by another delivery ('
                . $row->claimed_by . ' since ' . $row->claimed_at . ' UTC); SpectroCoin retries', $row, $invoice, $invoiceStatus)
                + ['busy' => true];
        }
        $message = (string) $d['message'];
        $changes += self::rowChanges($d['row']) + self::receivedNote($verified->toArray());
        if ($apply !== null) {
            if ($claimOpen) {
                $message .= ' (took over the stale claim of ' . $row->claimed_by . ' from ' . $row->claimed_at . ' UTC: no payment row was written)';
            }
            $changes = [
                'claim_transid' => (string) $apply['transId'],
                'claim_state' => self::CLAIM_APPLYING,
                'claimed_at' => OrderStore::now(),
                'claimed_by' => self::worker(),
            ] + $changes;
        }
        if ($refund !== null) {
            if ($refundOpen) {
                $message .= ' (took over the stale refund claim of ' . $row->refund_claimed_by . ' from ' . $row->refund_claimed_at
                    . ' UTC: no refund row was written)';
            }
            $changes = [
                'refund_transid' => (string) $refund['transId'],
                'refund_state' => OrderStore::REFUND_APPLYING,
                'refund_claimed_at' => OrderStore::now(),
                'refund_claimed_by' => self::worker(),
            ] + $changes;
        }
        $invoiceAfter = $invoiceStatus;
        if ($invoice !== null && $d['invoice'] !== null) {
            $this->store->setInvoiceStatus($invoiceId, (string) $d['invoice']['to']);
            $invoiceAfter = (string) $d['invoice']['to'];
        }
        $this->store->update((int) $row->id, $changes);

        return ['busy' => false, 'claimed' => $apply !== null, 'refundClaimed' => $refund !== null, 'refund' => $refund,
                'invoiceAfter' => $invoiceAfter, 'rowId' => (int) $row->id,
                'pendingSet' => (bool) $row->pending_set,
                'message' => $message] + ($apply !== null ? ['amount' => (string) $apply['amount'], 'currency' => (string) $apply['currency']] : [])
            + self::outcome($action, $transId, $message, $row, $invoice, $invoiceStatus);
    }

    /**
     * What the callback reports received (receivedAmount, with the status it came with), for the
     * admin invoice box only: its meaning is unsettled (../shared/docs/spectrocoin-api.md), so
     * nothing is decided on it and the decision's input never includes it.
     *
     * @return array<string, string>
     */
    private static function receivedNote(array $callback): array
    {
        $received = $callback['receivedAmount'] ?? null;
        if (!is_scalar($received) || (string) $received === '') {
            return [];
        }
        return ['received_amount' => substr((string) $received, 0, 32), 'received_status' => substr((string) ($callback['statusName'] ?? ''), 0, 40)];
    }

    /** The decision's row fields as columns (null: leave as is). */
    private static function rowChanges(array $row): array
    {
        $changes = ['status' => (string) $row['status']];
        foreach (['transId' => 'transid', 'reviewReason' => 'review_reason', 'orderRequestId' => 'order_request_id',
                     'orderNumber' => 'order_number', 'orderUuid' => 'order_uuid',
                     'payAmount' => 'pay_amount', 'payCurrency' => 'pay_currency'] as $key => $column) {
            if ($row[$key] !== null) {
                $changes[$column] = (string) $row[$key];
            }
        }
        if ($row['pendingSet'] !== null) {
            $changes['pending_set'] = $row['pendingSet'] ? 1 : 0;
        }
        if ($row['credited']) {
            $changes += self::confirmation((string) $row['transId']);
        }
        return $changes;
    }

    /**
     * Step 2 and 3 of a credit: addInvoicePayment outside our transactions, then the confirmation.
     * WHMCS's payment row decides: there ⇒ the payment stands whatever WHMCS threw after writing it
     * (a hook); not there and WHMCS said false ⇒ held for review; not there after an error ⇒ the claim
     * is released and SpectroCoin retries.
     */
    private function applyClaim(array $outcome, int $invoiceId): array
    {
        $transId = $outcome['transId'];
        $failure = null;
        $applied = null;
        try {
            $applied = (bool) \addInvoicePayment($invoiceId, $transId, $outcome['amount'], 0, Settings::GATEWAY);
        } catch (\Throwable $e) {
            $failure = get_class($e) . ': ' . $e->getMessage();
        }
        try {
            $written = $this->store->transactionExists($transId);
            if ($written) {
                $outcome['invoiceAfter'] = (string) ($this->store->invoice($invoiceId)->status ?? $outcome['invoiceAfter']);
                $unfinished = $failure === null ? null : $this->unfinished($invoiceId, $outcome['invoiceAfter'], $transId);
                $remaining = $unfinished === null ? $this->balanceRemains($outcome, $invoiceId) : null;
                // The row describes the present: a payment now in WHMCS clears any earlier review item
                // (e.g. held while the invoice was Cancelled), unless WHMCS left something to finish.
                $this->store->confirmClaim($outcome['rowId'], $transId, self::confirmation($transId)
                    + ['review_reason' => $unfinished ?? $remaining] + ($remaining !== null ? ['pending_set' => 0] : []));
                // (pending_set: the invoice is not Payment Pending through this order any more either way.)
                if ($remaining !== null) {
                    $outcome['invoiceAfter'] = (string) ($this->store->invoice($invoiceId)->status ?? $outcome['invoiceAfter']);
                    $outcome['warning'] = $remaining;
                }
                $outcome['applied'] = true;
                if ($failure !== null) {
                    $outcome['warning'] = 'payment ' . $transId . ' was applied, but WHMCS failed after writing it '
                        . '(a hook or its automation; check the e-mail and provisioning of invoice #' . $invoiceId . '): ' . $failure;
                }
                return $outcome;
            }
            if ($failure === null && $applied === false) {
                // Money is never dropped: WHMCS refused (e.g. invoice Cancelled), so the admin must act.
                $reason = 'Paid at SpectroCoin, but WHMCS did not accept the payment for invoice #'
                    . $invoiceId . ' (status ' . $outcome['invoiceBefore'] . '). Apply it manually or refund it in SpectroCoin.';
                $this->store->releaseClaim($outcome['rowId'], $transId, ['review_reason' => $reason, 'transid' => $transId]);
                return ['result' => 'Paid, Not Applied (Review)', 'message' => $reason] + $outcome;
            }
            // WHMCS failed before writing anything: nothing happened, so the next delivery may apply it.
            $this->store->releaseClaim($outcome['rowId'], $transId, []);
        } catch (\Throwable $e) {
            // The database is gone: the claim stays, and the next delivery completes it (confirms the
            // payment row if WHMCS wrote it, or takes the claim over once it is stale).
            $failure = ($failure !== null ? $failure . '; then ' : '') . 'database: ' . get_class($e) . ': ' . $e->getMessage();
        }
        return ['result' => 'Retry Later', 'retry' => true, 'message' => 'payment ' . $transId . ' not confirmed: '
            . ($failure ?? 'WHMCS wrote no payment row') . '; SpectroCoin retries'] + $outcome;
    }

    /**
     * A refund made at SpectroCoin, recorded in WHMCS outside our transactions as WHMCS's own "Manual
     * Refund Processed Externally" records it: refundInvoicePayment without the gateway (a refund row
     * linked to the payment by refundid; Refunded once everything paid is refunded; the refund e-mail
     * and hooks), then the claim is confirmed. WHMCS's refund row decides, as for payments: there ⇒
     * recorded; not there and WHMCS answered ⇒ the claim is released and the admin told; not there
     * after an error ⇒ released, and SpectroCoin retries.
     */
    private function recordRefund(array $outcome, int $invoiceId): array
    {
        $refund = $outcome['refund'];
        $refundTransId = (string) $refund['transId'];
        $what = 'the refund of payment ' . $refund['originalTransId'] . ' (' . $refund['amount'] . ' ' . $refund['currency'] . ')';
        $failure = null;
        $answer = null;
        try {
            if (!function_exists('refundInvoicePayment')) {
                require_once ROOTDIR . '/includes/invoicefunctions.php';
            }
            $payment = $this->store->payment($invoiceId, (string) $refund['originalTransId']);
            $answer = $payment === null ? 'no payment ' . $refund['originalTransId'] . ' on the invoice'
                : (string) \refundInvoicePayment((int) $payment->id, (string) $refund['amount'], false, false, true, $refundTransId);
        } catch (\Throwable $e) {
            $failure = get_class($e) . ': ' . $e->getMessage();
        }
        try {
            if ($this->store->transactionExists($refundTransId)) {
                // The row describes the present: the refund is in WHMCS, nothing is left to review
                // unless WHMCS stopped before finishing it.
                $outcome['invoiceAfter'] = (string) ($this->store->invoice($invoiceId)->status ?? $outcome['invoiceAfter']);
                $unfinished = $failure === null ? null : $this->refundUnfinished($invoiceId, $outcome['invoiceAfter'], $refundTransId);
                $this->store->confirmRefund($outcome['rowId'], $refundTransId, ['review_reason' => $unfinished]);
                $outcome['refunded'] = true;
                \logActivity('SpectroCoin refund recorded on Invoice ID: ' . $invoiceId . ' - ' . $refund['amount'] . ' '
                    . $refund['currency'] . ' (refund of Trans ID ' . $refund['originalTransId'] . ', refund Trans ID ' . $refundTransId
                    . '; made in SpectroCoin)', (int) $outcome['userid']);
                if ($failure !== null) {
                    $outcome['warning'] = $what . ' was recorded, but WHMCS failed after writing it (a hook; check invoice #'
                        . $invoiceId . '): ' . $failure;
                }
                return $outcome;
            }
            if ($failure === null) {
                $reason = 'Refunded at SpectroCoin, but WHMCS did not record ' . $what . ' on invoice #' . $invoiceId
                    . ' (it answered: ' . $answer . '); record the refund by hand.';
                $this->store->releaseRefund($outcome['rowId'], $refundTransId, ['review_reason' => $reason]);
                return ['result' => 'Refund Not Recorded (Review)', 'message' => $reason] + $outcome;
            }
            $this->store->releaseRefund($outcome['rowId'], $refundTransId, []);
        } catch (\Throwable $e) {
            // The database is gone: the claim stays; the next delivery confirms it or takes it over once stale.
            $failure = ($failure !== null ? $failure . '; then ' : '') . 'database: ' . get_class($e) . ': ' . $e->getMessage();
        }
        return ['result' => 'Retry Later', 'retry' => true, 'message' => $what . ' not recorded: ' . ($failure ?? 'WHMCS wrote no refund row')
            . '; SpectroCoin retries'] + $outcome;
    }

    /**
     * Like unfinished() for payments: refundInvoicePayment writes its refund row before it marks the
     * invoice Refunded, so a worker that died in between leaves a fully refunded invoice still Paid,
     * without WHMCS's refund e-mail and InvoiceRefunded. The admin is told; the refund is never
     * recorded twice.
     */
    private function refundUnfinished(int $invoiceId, string $invoiceStatus, string $refundTransId): ?string
    {
        if ($invoiceStatus === 'Refunded' || !$this->store->refundedInFull($invoiceId)) {
            return null;
        }
        return 'Refund ' . $refundTransId . ' is recorded in WHMCS, but WHMCS stopped before finishing it: invoice #' . $invoiceId
            . ' is fully refunded yet still ' . $invoiceStatus . ', so its refund e-mail and InvoiceRefunded automation did not run. '
            . 'Mark the invoice Refunded in WHMCS (do not record the refund again).';
    }

    /**
     * After crediting the order's amount: when the invoice grew after the order was created (total
     * raised, a payment reversed) a balance remains, and an invoice we moved to Payment Pending would
     * stay there with nothing left to complete it. It goes back to Unpaid (so the customer can pay the
     * rest with Pay Now) and the admin is told. Null when nothing remains.
     */
    private function balanceRemains(array $outcome, int $invoiceId): ?string
    {
        $balance = $this->store->balance($invoiceId);
        if (Decimal::compare($balance, '0') <= 0 || !in_array($outcome['invoiceAfter'], ['Unpaid', 'Payment Pending'], true)) {
            return null;
        }
        $note = 'Credited ' . $outcome['amount'] . ' ' . $outcome['currency'] . ' (the amount this order was created for); the invoice '
            . 'changed after the order (total raised or a payment reversed), so ' . $balance . ' ' . $outcome['currency'] . ' remain';
        if ($outcome['invoiceAfter'] === 'Payment Pending' && !empty($outcome['pendingSet'])) {
            $this->store->setInvoiceStatus($invoiceId, 'Unpaid');
            return $note . ': invoice #' . $invoiceId . ' is back to Unpaid for the customer to pay the rest.';
        }
        return $note . ' on invoice #' . $invoiceId . ', which is ' . $outcome['invoiceAfter'] . '.';
    }

    /**
     * WHMCS's addInvoicePayment is not atomic: a worker that dies (or a statement that fails) between
     * its payment row and its marking the invoice Paid leaves a settled invoice still open, and its
     * e-mail and InvoicePaid automation never run. No documented call finishes that without a second
     * payment row, so the admin is told; the payment itself is never applied twice.
     */
    private function unfinished(int $invoiceId, string $invoiceStatus, string $transId): ?string
    {
        if (!in_array($invoiceStatus, ['Unpaid', 'Payment Pending'], true) || Decimal::compare($this->store->balance($invoiceId), '0') > 0) {
            return null;
        }
        return 'Payment ' . $transId . ' is recorded in WHMCS, but WHMCS stopped before finishing it: invoice #' . $invoiceId
            . ' is settled yet still ' . $invoiceStatus . ', so its payment e-mail and InvoicePaid automation did not run. '
            . 'Mark the invoice Paid in WHMCS (do not add the payment again).';
    }

    private static function outcome(string $action, string $transId, string $message, object $row, ?object $invoice, string $invoiceStatus): array
    {
        return [
            'action' => $action,
            'transId' => $transId,
            'message' => $message,
            'result' => self::RESULTS[$action] ?? $action,
            'applied' => false,
            'retry' => false,
            'warning' => null,
            'amount' => (string) $row->invoice_amount,
            'currency' => (string) $row->invoice_currency,
            'userid' => $invoice->userid ?? 0,
            'invoiceBefore' => $invoiceStatus,
            'invoiceAfter' => $invoiceStatus,
        ];
    }

    /** Row fields of a payment that is in WHMCS. */
    private static function confirmation(string $transId): array
    {
        return ['credited' => 1, 'transid' => $transId, 'claim_state' => null];
    }

    /**
     * A claim older than this is taken over when WHMCS has no payment row for it: its worker died
     * between the claim and addInvoicePayment's first write. Far longer than any request runs
     * (web servers end PHP requests after 30–300 s), so a live worker is never raced.
     */
    const CLAIM_STALE_SECONDS = 600;

    /** How long a duplicate waits for a fresh claim's confirmation before answering 503. */
    const CLAIM_WAIT_SECONDS = 1.5;

    const CLAIM_APPLYING = 'applying';

    private static function claimIsStale(object $row): bool
    {
        return self::isStale((string) $row->claimed_at);
    }

    private static function refundClaimIsStale(object $row): bool
    {
        return self::isStale((string) ($row->refund_claimed_at ?? ''));
    }

    /** Whether a claim taken at $claimedAt (UTC) is older than a delivery can take. */
    private static function isStale(string $claimedAt): bool
    {
        $at = strtotime($claimedAt . ' UTC');
        return $at === false || $at < time() - self::CLAIM_STALE_SECONDS;
    }

    /** Who holds a claim: host, process and this request. */
    private static function worker(): string
    {
        static $id = null;
        if ($id === null) {
            $id = substr((string) gethostname(), 0, 48) . ':' . getmypid() . ':' . bin2hex(random_bytes(4));
        }
        return $id;
    }

    private function reject(string $reason, string $rawBody, ?array $callback = null): Response
    {
        $data = ['error' => $reason] + ($callback !== null ? self::summary($callback) : self::peek($rawBody));
        $this->log($data, 'Rejected');
        // The history: under the authenticated orderId when there is one (a callback not matching its
        // order), else under the order the body claims to be for, as not authenticated.
        $orderId = $callback !== null && is_string($callback['orderId'] ?? null) ? $callback['orderId'] : '';
        if ($orderId !== '') {
            try {
                $row = $this->store->findByOrderId($orderId);
            } catch (\Throwable $e) {
                $row = null;
            }
            $this->event($row, $callback, 'Rejected', $reason, 400);
        } else {
            $this->unverifiedEvent($data, 'Rejected', $reason, 400);
        }
        return Response::text(400, 'Bad Request');
    }

    /** The fields every callback log line carries. */
    private static function summary(array $c): array
    {
        $out = [];
        foreach (['invoiceid', 'orderId', 'orderRequestId', 'status', 'statusName', 'payAmount', 'payCurrency',
                     'receiveAmount', 'receiveCurrency', 'receivedAmount', 'merchantId', 'apiId', 'userId', 'merchantApiId', 'format'] as $k) {
            if (array_key_exists($k, $c) && is_scalar($c[$k])) {
                $out[$k] = (string) $c[$k];
            }
        }
        return $out;
    }

    /** Unverified fields of a rejected body, for the log only (never acted upon). */
    private static function peek(string $rawBody): array
    {
        $fields = [];
        parse_str(substr($rawBody, 0, 8192), $fields);
        $json = json_decode($rawBody, true);
        $out = ['unverified' => 'yes'] + self::summary(is_array($json) ? $json : (is_array($fields) ? $fields : []));
        if (is_array($json)) {
            foreach (['id', 'merchantApiId'] as $k) {
                if (isset($json[$k]) && is_scalar($json[$k])) {
                    $out[$k] = (string) $json[$k];
                }
            }
        }
        if (count($out) === 1) {
            $out['body'] = mb_substr($rawBody, 0, 500);
        }
        return $out;
    }

    /**
     * Log values as valid UTF-8 without NUL bytes: rejected bodies can hold any bytes, and the
     * gateway log's utf8mb4 column would refuse the whole line (leaving the admin no trace).
     */
    private static function printable(array $data): array
    {
        foreach ($data as $k => $v) {
            if (is_string($v) && (!mb_check_encoding($v, 'UTF-8') || strpos($v, "\0") !== false)) {
                $data[$k] = str_replace("\0", '\\0', mb_scrub($v, 'UTF-8')) . ' (non-text bytes replaced)';
            }
        }
        return $data;
    }

    private function log(array $data, string $result): void
    {
        try {
            \logTransaction(Settings::GATEWAY, self::printable(PayNow::present($data)), $result);
        } catch (\Throwable $e) {
            error_log('spectrocoin callback: could not write the gateway log: ' . $e->getMessage());
        }
    }
}
