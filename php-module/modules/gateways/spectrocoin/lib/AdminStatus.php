<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/** The message box on the admin invoice page: this invoice's SpectroCoin orders, and what needs a human. */
final class AdminStatus
{
    /** @return array{type: string, title: string, msg: string}|null */
    public static function forInvoice(int $invoiceId, OrderStore $store): ?array
    {
        $problem = Extension::problem();
        try {
            $schemaProblem = OrderStore::schemaProblem();
            if ($schemaProblem !== null) {
                return ['type' => 'error', 'title' => 'SpectroCoin', 'msg' => Html::e('Orders unavailable: ' . $schemaProblem . '.')];
            }
            $orders = $store->forInvoice($invoiceId);
        } catch (\Throwable $e) {
            return ['type' => 'error', 'title' => 'SpectroCoin', 'msg' => Html::e('Orders unavailable: ' . $e->getMessage())];
        }
        if ($orders === [] && $problem === null) {
            return null;
        }
        // The box describes the present: a held payment that is in WHMCS by now (the admin applied it by
        // hand with its transaction id) is no longer for review, and no advice to apply or refund it is shown.
        $resolved = array_values(array_filter($orders, function ($o) use ($store) {
            return $o->review_reason !== null && $o->review_reason !== '' && !$o->credited && !empty($o->transid)
                && self::inLedger($store, (string) $o->transid);
        }));
        $review = array_values(array_filter($orders, function ($o) use ($resolved) {
            return $o->review_reason !== null && $o->review_reason !== '' && !in_array($o, $resolved, true);
        }));
        $lines = [];
        if ($problem !== null) {
            $lines[] = '<strong>Extension unavailable:</strong> ' . Html::e($problem)
                . ' Customers cannot pay and callbacks are answered 503 (SpectroCoin retries).';
        }
        foreach ($review as $o) {
            $lines[] = '<strong>Needs review</strong> – order ' . Html::e($o->order_id) . ': ' . Html::e($o->review_reason);
        }
        foreach ($resolved as $o) {
            $lines[] = 'Order ' . Html::e($o->order_id) . ': payment ' . Html::e($o->transid)
                . ' is recorded in WHMCS (applied by hand); nothing left to do.';
        }
        if ($orders !== []) {
            $rows = '';
            foreach ($orders as $o) {
                $rows .= '<tr><td>' . Html::e($o->order_id) . '</td><td>' . Html::e($o->order_request_id ?? '–') . '</td><td>'
                    . Html::e($o->status) . ($o->create_error !== null ? ' (not created)' : '') . '</td><td>'
                    . Html::e($o->receive_amount . ' ' . $o->receive_currency) . '</td><td>'
                    . Html::e(($o->pay_amount ?? '?') . ' ' . ($o->pay_currency ?? '')) . '</td><td>'
                    . Html::e($o->invoice_amount . ' ' . $o->invoice_currency) . '</td><td>'
                    . ($o->credited ? 'yes' . ($o->transid ? ' (' . Html::e($o->transid) . ')' : '') : 'no') . '</td><td>'
                    . Html::e($o->created_at) . '</td><td>'
                    . Html::e(isset($o->project_id) ? $o->project_id . ' (' . $o->api . ')' : '?') . '</td></tr>';
            }
            $lines[] = '<table class="table table-condensed"><tr><th>Order</th><th>SpectroCoin id</th><th>Status</th>'
                . '<th>Requested</th><th>To pay</th><th>Invoice amount</th><th>Credited</th><th>Created</th><th>Project (API)</th></tr>'
                . $rows . '</table>';
        }
        $type = ($problem !== null || $review !== []) ? 'error' : 'info';
        $title = $review !== [] ? 'SpectroCoin: ' . count($review) . ' order(s) need review' : 'SpectroCoin orders';
        return ['type' => $type, 'title' => $title, 'msg' => implode('<br>', $lines)];
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
