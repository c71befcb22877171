<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * SpectroCoin's callbacks (legacy signed form, or current-API JSON): authenticate (extension), find
 * our order by the authenticated orderId, ask the extension what to do (spectrocoin_decide), and do
 * it inside one transaction holding the invoice and the order row (SELECT … FOR UPDATE, in that
 * order everywhere).
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
        'ignore' => 'Ignored (stale)',
    ];

    /** @var Settings */
    private $settings;
    /** @var OrderStore */
    private $store;

    public function __construct(Settings $settings, OrderStore $store)
    {
        $this->settings = $settings;
        $this->store = $store;
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
        $problem = Extension::problem();
        if ($problem !== null) {
            $this->log(['error' => $problem], 'Extension Unavailable');
            return Response::text(503, 'Service Unavailable');
        }

        try {
            // Both SpectroCoin formats: legacy signed form bodies, and current-API JSON {id, merchantApiId}
            // (authenticated by re-fetching the order), chosen by the content type.
            $callback = \spectrocoin_handle_callback($rawBody, $contentType, $this->settings->merchant());
        } catch (\SpectroCoin\SignatureException $e) {
            return $this->reject('bad signature: ' . $e->getMessage(), $rawBody);
        } catch (\SpectroCoin\CallbackException $e) {
            return $this->reject($e->getMessage(), $rawBody);
        } catch (\SpectroCoin\NetworkException $e) {
            // SpectroCoin unreachable or busy (its key, or the re-fetch of a JSON callback's order).
            $this->log(['error' => 'SpectroCoin unavailable: ' . $e->getMessage()] + self::peek($rawBody), 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        } catch (\Throwable $e) {
            // ConfigException (our settings are broken) or anything unexpected: let SpectroCoin retry after a fix.
            $this->log(['error' => get_class($e) . ': ' . $e->getMessage()] + self::peek($rawBody), 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        }

        $orderId = (string) ($callback['orderId'] ?? '');
        try {
            OrderStore::ensureSchema();
            $found = $orderId === '' ? null : $this->store->findByOrderId($orderId);
        } catch (\Throwable $e) {
            $this->log(self::summary($callback) + ['error' => 'database: ' . $e->getMessage()], 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        }
        if ($found === null) {
            return $this->reject('orderId ' . $orderId . ' was not issued by this WHMCS', $rawBody, $callback);
        }
        try {
            $outcome = Capsule::connection()->transaction(function () use ($callback, $found) {
                return $this->apply($callback, (int) $found->invoice_id, (string) $found->order_id);
            }, 3);
        } catch (\SpectroCoin\CallbackException $e) {
            return $this->reject($e->getMessage(), $rawBody, $callback + ['invoiceid' => $found->invoice_id]);
        } catch (\Throwable $e) {
            $this->log(self::summary($callback) + ['invoiceid' => $found->invoice_id, 'error' => get_class($e) . ': ' . $e->getMessage()], 'Retry Later');
            return Response::text(503, 'Service Unavailable');
        }

        $this->log(self::summary($callback) + [
            'invoiceid' => $found->invoice_id,
            'action' => $outcome['action'],
            'transId' => $outcome['transId'],
            'invoiceStatus' => $outcome['invoiceBefore'] . ' -> ' . $outcome['invoiceAfter'],
            'message' => $outcome['message'],
        ], $outcome['result']);
        if ($outcome['applied']) {
            \logActivity(sprintf(
                'SpectroCoin payment applied to Invoice ID: %d - %s %s (order %s, SpectroCoin order %s, Trans ID %s)',
                $found->invoice_id, $outcome['amount'], $outcome['currency'], $found->order_id,
                $callback['orderRequestId'] ?? '', $outcome['transId']
            ), (int) $outcome['userid']);
        }
        return Response::text(200, self::OK);
    }

    /** Runs inside the transaction. Throws CallbackException when the callback does not match the order. */
    private function apply(array $callback, int $invoiceId, string $orderId): array
    {
        $invoice = $this->store->lockInvoice($invoiceId);
        $row = $this->store->lockOrder($orderId);
        if ($row === null) {
            throw new \RuntimeException('order row ' . $orderId . ' vanished');
        }
        $invoiceStatus = $invoice === null ? 'Deleted' : (string) $invoice->status;
        $order = OrderStore::decisionInput($row);
        $markPending = $this->settings->markPending();

        // The core names the transaction id first, so the ledger is checked under our locks and the
        // decision is made once, with the real answer.
        $transId = \spectrocoin_transaction_id($callback, $order);
        $decision = \spectrocoin_decide($callback, $order, [
            'status' => $invoiceStatus,
            'transactionExists' => $transId !== '' && $this->store->transactionExists($transId),
        ], $markPending);
        $transId = (string) ($decision['transId'] ?? $transId);
        $action = (string) $decision['action'];

        $changes = ['status' => (string) $decision['orderStatus']];
        if ($row->order_request_id === null && isset($callback['orderRequestId']) && $callback['orderRequestId'] !== '') {
            $changes['order_request_id'] = (string) $callback['orderRequestId'];
        }
        if ($row->pay_amount === null && isset($callback['payAmount'])) {
            // Pre-orders: the payer chose the coin on SpectroCoin's page; the signed callback says which.
            $changes['pay_amount'] = (string) $callback['payAmount'];
            $changes['pay_currency'] = (string) ($callback['payCurrency'] ?? $row->pay_currency);
        }
        $applied = false;
        $result = self::RESULTS[$action] ?? $action;
        $invoiceAfter = $invoiceStatus;

        if (!empty($decision['credit'])) {
            $changes['transid'] = $transId;
            $applied = (bool) \addInvoicePayment($invoiceId, $transId, (string) $row->invoice_amount, 0, Settings::GATEWAY);
            if ($applied) {
                $changes['credited'] = 1;
                $invoiceAfter = (string) ($this->store->invoice($invoiceId)->status ?? $invoiceStatus);
            } else {
                // Money is never dropped: WHMCS refused (e.g. invoice Cancelled), so the admin must act.
                $changes['review_reason'] = 'Paid at SpectroCoin, but WHMCS did not accept the payment for invoice #'
                    . $invoiceId . ' (status ' . $invoiceStatus . '). Apply it manually or refund it in SpectroCoin.';
                $result = 'Paid, Not Applied (Review)';
            }
        } elseif ($action === 'already_credited') {
            $changes['credited'] = 1;
            $changes['transid'] = $transId;
        }
        if (!empty($decision['review']) && !isset($changes['review_reason'])) {
            $changes['review_reason'] = (string) $decision['message'];
            if ($action === 'hold' && $transId !== '') {
                $changes['transid'] = $transId;
            }
        }

        // Paid is only ever reached through addInvoicePayment; other transitions are set as decided.
        $target = $decision['invoiceStatus'] ?? null;
        if ($invoice !== null && is_string($target) && $target !== '' && $target !== 'Paid' && $target !== $invoiceStatus) {
            $this->store->setInvoiceStatus($invoiceId, $target);
            $invoiceAfter = $target;
        }
        // The core says when our "we set Payment Pending" flag changes (null: unchanged).
        if (isset($decision['pendingSet']) && is_bool($decision['pendingSet'])) {
            $changes['pending_set'] = $decision['pendingSet'] ? 1 : 0;
        }
        $this->store->update((int) $row->id, $changes);

        return [
            'action' => $action,
            'transId' => $transId,
            'message' => (string) ($decision['message'] ?? ''),
            'result' => $result,
            'applied' => $applied,
            'amount' => (string) $row->invoice_amount,
            'currency' => (string) $row->invoice_currency,
            'userid' => $invoice->userid ?? 0,
            'invoiceBefore' => $invoiceStatus,
            'invoiceAfter' => $invoiceAfter,
        ];
    }

    private function reject(string $reason, string $rawBody, ?array $callback = null): Response
    {
        $data = ['error' => $reason] + ($callback !== null ? self::summary($callback) : self::peek($rawBody));
        $this->log($data, 'Rejected');
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
            \logTransaction(Settings::GATEWAY, self::printable($data), $result);
        } catch (\Throwable $e) {
            error_log('spectrocoin callback: could not write the gateway log: ' . $e->getMessage());
        }
    }
}
