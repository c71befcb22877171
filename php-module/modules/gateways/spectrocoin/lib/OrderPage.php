<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * One order on the addon's admin page (&order=<orderId>): its invoice, amounts, every SpectroCoin id,
 * status, credit, review reason and reviews, the reconciliation report, and the history of callbacks
 * received (Events). Every value escaped.
 */
final class OrderPage
{
    /** The order page's link for an orderId, from the addon page's link. */
    public static function link(string $moduleLink, string $orderId): string
    {
        return $moduleLink . '&order=' . rawurlencode($orderId);
    }

    /** @return list<object> the reviews of this order, newest first */
    public static function reviews(string $orderId): array
    {
        if (!Reviews::installed()) {
            return [];
        }
        return Capsule::table(Reviews::TABLE . ' as v')
            ->leftJoin(OrderStore::ORDERS . ' as o', 'o.order_id', '=', 'v.order_id')
            ->where('v.order_id', $orderId)->orderByDesc('v.id')->limit(100)->select('v.*', 'o.invoice_id')->get()->all();
    }

    public static function report(string $orderId): ?object
    {
        if (!Capsule::schema()->hasTable(Reconciler::REPORTS)) {
            return null;
        }
        return Capsule::table(Reconciler::REPORTS)->where('order_id', $orderId)->first();
    }

    /**
     * @param list<array> $items this order's Attention items
     * @param callable|null $actions an item's action forms (Mark reviewed), as on the list
     * @param string $recheck the "Re-check now" form ('' when it cannot work)
     */
    public static function render(object $o, OrderStore $store, array $items, ?callable $actions, string $recheck, string $backLink): string
    {
        $e = [Html::class, 'e'];
        $invoice = $store->invoice((int) $o->invoice_id);
        $cell = static function (string $label, string $id, $value) use ($e): string {
            $value = $value === null || $value === '' ? '—' : $e($value);
            return '<tr><th>' . $e($label) . '</th><td id="spectrocoin-order-' . $id . '">' . $value . '</td></tr>';
        };
        $invoiceCell = '<a id="spectrocoin-order-invoice" href="invoices.php?action=edit&amp;id=' . (int) $o->invoice_id . '">Invoice #'
            . (int) $o->invoice_id . '</a> ' . ($invoice === null ? '(deleted)'
                : '(' . $e($invoice->status) . ', total ' . $e($invoice->total) . ', balance ' . $e($store->balance((int) $o->invoice_id)) . ')');
        $html = '<p><a id="spectrocoin-back-to-list" href="' . $e($backLink) . '">&larr; All SpectroCoin orders</a></p>'
            . '<h2>Order ' . $e($o->order_id) . '</h2>'
            . '<table class="table" id="spectrocoin-order"><tr><th>Invoice</th><td>' . $invoiceCell . '</td></tr>'
            . $cell('Amount credited to the invoice', 'amount', $o->invoice_amount . ' ' . $o->invoice_currency)
            . $cell('Amount requested from SpectroCoin', 'receive', $o->receive_amount . ' ' . $o->receive_currency)
            . $cell('Amount to pay (customer)', 'pay', $o->pay_amount === null ? null : $o->pay_amount . ' ' . $o->pay_currency)
            . $cell('Order id (ours at SpectroCoin)', 'order-id', $o->order_id)
            . $cell('SpectroCoin order request id', 'order-request-id', $o->order_request_id ?? null)
            . $cell('SpectroCoin pre-order id', 'pre-order-id', $o->pre_order_id ?? null)
            . $cell('SpectroCoin order number', 'order-number', $o->order_number ?? null)
            . $cell('SpectroCoin order UUID', 'order-uuid', $o->order_uuid ?? null)
            . $cell('Status', 'status', $o->status)
            . $cell('Credited', 'credited', (bool) $o->credited ? 'yes, transaction ' . $o->transid : 'no' . ($o->transid ? ' (payment id ' . $o->transid . ')' : ''))
            . ((string) ($o->claim_state ?? '') !== '' ? $cell('Being applied', 'claim', $o->claim_transid . ' by ' . $o->claimed_by . ' since ' . $o->claimed_at . ' UTC') : '')
            . $cell('Review reason', 'review-reason', $o->review_reason)
            . ((string) ($o->create_error ?? '') !== '' ? $cell('Creation error', 'create-error', $o->create_error) : '')
            . $cell('Created under', 'origin', isset($o->api) ? $o->api . ' API, project ' . $o->project_id . ((string) ($o->merchant_id ?? '') !== '' ? ', merchant ' . $o->merchant_id : '') : null)
            . $cell('Created / updated', 'dates', $o->created_at . ' / ' . $o->updated_at . ' UTC');
        $report = self::report((string) $o->order_id);
        if ($report !== null) {
            $html .= $cell('Reconciliation', 'reconciliation', 'last checked ' . $report->checked_at . ' UTC'
                . ($report->report !== null ? '; ' . $report->report . ' (noticed ' . $report->reported_at . ' UTC)' : ''));
        }
        $html .= '</table>';

        $html .= '<h3>Needs you</h3>';
        if ($items === []) {
            $html .= '<p id="spectrocoin-order-attention-none">Nothing about this order waits for you.</p>';
        } else {
            $rows = '';
            foreach ($items as $item) {
                $rows .= '<tr data-kind="' . $e($item['kind']) . '"><td>' . $e($item['kind']) . '</td><td>' . $e($item['reason']) . '</td>'
                    . ($actions === null ? '' : '<td class="spectrocoin-actions">' . $actions($item) . '</td>') . '</tr>';
            }
            $html .= '<table class="table" id="spectrocoin-order-attention">' . $rows . '</table>';
        }
        $html .= $recheck;
        $html .= '<h3>Callbacks received</h3>' . Events::render(Events::forOrder((string) $o->order_id));
        $html .= '<h3>Reviews</h3>' . Reviews::render(self::reviews((string) $o->order_id));
        return $html;
    }
}
