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
        $review = array_values(array_filter($orders, function ($o) {
            return $o->review_reason !== null && $o->review_reason !== '';
        }));
        $lines = [];
        if ($problem !== null) {
            $lines[] = '<strong>Extension unavailable:</strong> ' . Html::e($problem)
                . ' Customers cannot pay and callbacks are answered 503 (SpectroCoin retries).';
        }
        foreach ($review as $o) {
            $lines[] = '<strong>Needs review</strong> – order ' . Html::e($o->order_id) . ': ' . Html::e($o->review_reason);
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
}
