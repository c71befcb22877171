<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * The message box on the admin invoice page: this invoice's SpectroCoin orders in plain words, and
 * what needs a human. A paid order WHMCS did not take shows the transaction id and amount to enter
 * in WHMCS's Add Payment form; a failed creation shows why; times are UTC (OrderStore::now()).
 */
final class AdminStatus
{
    /** SpectroCoin's statuses (and ours, CREATED) as the admin reads them. */
    const STATUS_WORDS = [
        OrderStore::STATUS_CREATED => 'waiting for payment (no news from SpectroCoin yet)',
        'NEW' => 'waiting for payment',
        'PENDING' => 'payment being confirmed',
        'PAID' => 'paid',
        'FAILED' => 'failed at SpectroCoin (nothing paid)',
        'EXPIRED' => 'expired unpaid',
        'TEST' => 'test payment (never credited)',
        'LATE_CRYPTO_PAYMENT' => 'paid after the order expired',
        'PARTIAL_PAYMENT' => 'partly paid',
        'UNDERPAID' => 'underpaid',
        'CANCELLED' => 'cancelled at SpectroCoin',
        'INVALID_PAYMENT' => 'invalid payment',
        'TEST_PAID' => 'test payment (never credited)',
        'TEST_EXPIRED' => 'test order expired',
        'PROCESSING_REFUND' => 'refund in progress at SpectroCoin',
        'REFUNDED' => 'refunded at SpectroCoin',
        'REJECTED_REFUND' => 'refund rejected by SpectroCoin',
        'PENDING_LATE_CRYPTO_PAYMENT' => 'late payment being confirmed',
        'REJECTED' => 'rejected by SpectroCoin',
    ];

    /** Statuses whose callback amounts (what SpectroCoin reports received) the box quotes. */
    const PART_STATUSES = ['PARTIAL_PAYMENT', 'UNDERPAID', 'LATE_CRYPTO_PAYMENT', 'PENDING_LATE_CRYPTO_PAYMENT', 'INVALID_PAYMENT'];

    /** @return array{type: string, title: string, msg: string}|null */
    public static function forInvoice(int $invoiceId, OrderStore $store): ?array
    {
        $problem = Extension::problem();
        try {
            $schemaProblem = OrderStore::schemaProblem();
            if ($schemaProblem !== null) {
                return ['type' => 'error', 'title' => 'SpectroCoin: orders unavailable', 'msg' => Html::e('Orders unavailable: ' . $schemaProblem . '.')];
            }
            $orders = $store->forInvoice($invoiceId);
        } catch (\Throwable $e) {
            return ['type' => 'error', 'title' => 'SpectroCoin: orders unavailable', 'msg' => Html::e('Orders unavailable: ' . $e->getMessage())];
        }
        if ($orders === [] && $problem === null) {
            return null;
        }
        $lines = [];
        if ($problem !== null) {
            $lines[] = '<strong>Extension unavailable:</strong> ' . Html::e($problem)
                . ' Customers cannot pay and callbacks are answered 503 (SpectroCoin retries).';
        }
        $review = 0;
        $reviewed = self::reviewedKeys($orders);
        foreach ($orders as $o) {
            if (!self::hasReview($o)) {
                continue;
            }
            $transId = self::paidTransId($o);
            // The box describes the present: a held payment that is in WHMCS by now (the admin applied it by
            // hand with its transaction id) is no longer for review, and no advice to apply or refund it is shown.
            if ($transId !== null && self::inLedger($store, $transId)) {
                $lines[] = 'Order ' . Html::e($o->order_id) . ': payment ' . Html::e($transId)
                    . ' is recorded in WHMCS (applied by hand); nothing left to do.';
                continue;
            }
            $text = Html::e(self::reason($o, self::received($store, $o)));
            if ($transId !== null) {
                $text .= '<br>To apply it by hand: <em>Add Payment</em> on this invoice with Payment Method SpectroCoin, '
                    . 'Transaction ID <code class="spectrocoin-copy spectrocoin-transid" style="user-select:all">' . Html::e($transId)
                    . '</code> and Amount <code class="spectrocoin-copy spectrocoin-amount" style="user-select:all">'
                    . Html::e($o->invoice_amount) . '</code> ' . Html::e($o->invoice_currency)
                    . ' (the amount this order was created for). Or refund it in SpectroCoin.';
            }
            if (isset($reviewed[self::reviewKey($o)])) {
                $lines[] = 'Order ' . Html::e($o->order_id) . ' (marked reviewed in Addons → SpectroCoin Operations): ' . $text;
                continue;
            }
            $review++;
            $lines[] = '<strong>Needs review</strong> – order ' . Html::e($o->order_id) . ': ' . $text;
        }
        if ($orders !== []) {
            $rows = '';
            foreach ($orders as $o) {
                $received = self::received($store, $o);
                $rows .= '<tr data-order="' . Html::e($o->order_id) . '"><td>' . Html::e($o->order_id) . '</td><td>'
                    . Html::e(self::spectroCoinId($o)) . '</td><td class="spectrocoin-status">'
                    . Html::e(self::statusText($o, $received)) . '</td><td>'
                    . Html::e(self::amount($o)) . '</td><td>'
                    . Html::e(self::toPay($o)) . '</td><td class="spectrocoin-received">'
                    . Html::e(self::receivedText($o, $received)) . '</td><td>'
                    . Html::e($o->created_at . ' UTC') . '</td><td>'
                    . Html::e(isset($o->project_id) ? $o->project_id . ' (' . $o->api . ')' : 'not recorded') . '</td></tr>';
            }
            $lines[] = '<table class="table table-condensed" id="spectrocoin-orders"><tr><th>Order</th><th>SpectroCoin id</th><th>Status</th>'
                . '<th>Amount</th><th>To pay</th><th>Received</th><th>Created</th><th>Project (API)</th></tr>'
                . $rows . '</table>';
        }
        $title = [];
        if ($problem !== null) {
            $title[] = 'extension unavailable, customers cannot pay';
        }
        if ($review > 0) {
            $title[] = $review . ($review === 1 ? ' order needs review' : ' orders need review');
        }
        if ($title === []) {
            $title[] = count($orders) . (count($orders) === 1 ? ' order' : ' orders') . ', nothing to review';
        }
        return ['type' => ($problem !== null || $review > 0) ? 'error' : 'info', 'title' => Html::e('SpectroCoin: ' . implode('; ', $title)),
            'msg' => implode('<br>', $lines)];
    }

    private static function hasReview(object $o): bool
    {
        return $o->review_reason !== null && (string) $o->review_reason !== '';
    }

    /**
     * The transaction id of a payment SpectroCoin took that WHMCS does not have, as the callback
     * recorded it (held, refused by WHMCS, or paid under earlier settings). Null when the order is
     * not a payment to apply (partial, late, refund news).
     */
    public static function paidTransId(object $o): ?string
    {
        if ((bool) $o->credited || !self::hasReview($o) || empty($o->transid)) {
            return null;
        }
        return (string) $o->transid;
    }

    /** The status in words; a failed creation says why, a partial payment what SpectroCoin reported. */
    public static function statusText(object $o, ?array $received): string
    {
        $status = (string) $o->status;
        if ($status === OrderStore::STATUS_CREATED && $o->create_error !== null && (string) $o->create_error !== '') {
            $error = self::plain((string) $o->create_error);
            // Pay Now's reasons say themselves whether the order exists ("Not created: …", "Perhaps created: …").
            if (preg_match('/^(Not created|Perhaps created): /', $error) === 1) {
                return lcfirst($error);
            }
            return ((bool) $o->create_refused ? 'not created: ' : 'perhaps not created: ') . $error;
        }
        $words = self::words($status);
        if ($status === 'PAID') {
            return (bool) $o->credited ? 'paid and credited' : 'paid at SpectroCoin, not credited in WHMCS';
        }
        if ($received !== null && in_array($status, self::PART_STATUSES, true)) {
            $words .= ': SpectroCoin reports ' . $received['receivedAmount'] . ' received'
                . ($o->pay_amount !== null && (string) $o->pay_amount !== '' ? ' of ' . $o->pay_amount . ' ' . $o->pay_currency . ' to pay' : '');
        }
        if ((string) ($o->claim_state ?? '') === 'applying') {
            $words .= ' (the payment is being applied)';
        }
        return $words;
    }

    /**
     * The review reason in plain words. The core writes its reasons for people; the box only puts
     * status names into words and, for a reason about the order's own status, leads with that
     * status in words and what SpectroCoin reported received (which the core does not keep).
     */
    public static function reason(object $o, ?array $received): string
    {
        $reason = (string) $o->review_reason;
        $status = (string) $o->status;
        if ($status !== '' && strpos($reason, $status . ':') === 0) {
            // "PARTIAL_PAYMENT: nothing was credited; …" → "Partly paid: SpectroCoin reports … received …; nothing was credited; …"
            return ucfirst(self::statusText($o, $received)) . self::plain(substr($reason, strlen($status)));
        }
        return self::plain($reason);
    }

    /** A text with any SpectroCoin status name in it put into words. */
    public static function plain(string $text): string
    {
        return preg_replace_callback('/\b[A-Z]+(?:_[A-Z]+)*\b/', function ($m) {
            return isset(self::STATUS_WORDS[$m[0]]) && $m[0] !== OrderStore::STATUS_CREATED ? '"' . self::words($m[0]) . '"' : $m[0];
        }, $text);
    }

    private static function words(string $status): string
    {
        return self::STATUS_WORDS[$status] ?? strtolower(str_replace('_', ' ', $status));
    }

    /** What the invoice is credited (in its currency) and, if different, what SpectroCoin was asked for. */
    private static function amount(object $o): string
    {
        $amount = $o->invoice_amount . ' ' . $o->invoice_currency;
        if ((string) $o->receive_currency !== (string) $o->invoice_currency) {
            $amount .= ' (asked SpectroCoin for ' . $o->receive_amount . ' ' . $o->receive_currency . ')';
        }
        return $amount;
    }

    private static function toPay(object $o): string
    {
        if ($o->pay_amount !== null && (string) $o->pay_amount !== '') {
            return $o->pay_amount . ' ' . $o->pay_currency;
        }
        if ($o->create_error !== null && (string) $o->create_error !== '') {
            return '–';
        }
        return 'not known yet (chosen on SpectroCoin\'s page)';
    }

    /**
     * The Received column: what WHMCS was credited (reliable: the payment row's amount), else what
     * SpectroCoin's latest callback reported (receivedAmount, whose currency SpectroCoin does not
     * document), labelled as such.
     */
    private static function receivedText(object $o, ?array $received): string
    {
        if ((bool) $o->credited) {
            $text = $o->invoice_amount . ' ' . $o->invoice_currency . ' credited' . (!empty($o->transid) ? ', transaction ' . $o->transid : '');
            if ((string) ($o->refund_state ?? '') === OrderStore::REFUND_RECORDED && !empty($o->refund_transid)) {
                $text .= '; refunded in WHMCS, transaction ' . $o->refund_transid;
            } elseif ((string) ($o->refund_state ?? '') === OrderStore::REFUND_APPLYING) {
                $text .= '; its refund is being recorded';
            }
            return $text;
        }
        if ((string) $o->status === 'PAID') {
            // PAID: SpectroCoin took the whole amount the order asked for.
            return $o->receive_amount . ' ' . $o->receive_currency . ' paid at SpectroCoin; nothing credited in WHMCS';
        }
        if ($received !== null && preg_match('/[1-9]/', $received['receivedAmount']) === 1) {
            return $received['receivedAmount'] . ' as SpectroCoin\'s callback reports it (receivedAmount); nothing credited';
        }
        return 'nothing';
    }

    /** What SpectroCoin's latest callback for the order reported received, when it was for its current status. */
    public static function received(OrderStore $store, object $o): ?array
    {
        $amount = $o->received_amount ?? null;
        if (!is_string($amount) || $amount === '' || (string) ($o->received_status ?? '') !== (string) $o->status) {
            return null;
        }
        return ['receivedAmount' => $amount, 'status' => (string) $o->received_status];
    }

    private static function spectroCoinId(object $o): string
    {
        foreach (['order_request_id', 'order_uuid', 'order_number'] as $column) {
            if (isset($o->{$column}) && (string) $o->{$column} !== '') {
                return (string) $o->{$column};
            }
        }
        return isset($o->pre_order_id) && (string) $o->pre_order_id !== '' ? 'pre-order ' . $o->pre_order_id : '–';
    }

    /** The key Attention lists this order's review under (Addons → SpectroCoin Operations can mark it reviewed). */
    private static function reviewKey(object $o): string
    {
        return Reviews::key(!empty($o->transid) ? Attention::PAID_NOT_APPLIED : Attention::REVIEW, (string) $o->order_id, (string) $o->review_reason);
    }

    /** @return array<string, true> */
    private static function reviewedKeys(array $orders): array
    {
        try {
            $keys = [];
            foreach ($orders as $o) {
                if (self::hasReview($o)) {
                    $keys[] = self::reviewKey($o);
                }
            }
            return Reviews::reviewedKeys($keys);
        } catch (\Throwable $e) {
            return [];
        }
    }

    private static function inLedger(OrderStore $store, string $transId): bool
    {
        try {
            return $store->transactionExists($transId);
        } catch (\Throwable $e) {
            return false;
        }
    }
}
