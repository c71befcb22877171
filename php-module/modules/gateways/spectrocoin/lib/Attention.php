<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * What needs the merchant, across all invoices (the addon's admin page): payments SpectroCoin took
 * that WHMCS did not, review items (late, partial, over-payments, earlier settings), invoices left in
 * Payment Pending after their order's validity ended, and orders that never got a callback
 * (Reconciler::NO_CALLBACK) or whose re-check SpectroCoin refused (Reconciler::REFUSED), less what
 * an admin marked reviewed (Reviews).
 */
final class Attention
{
    const PAID_NOT_APPLIED = 'Paid, not applied';
    const REVIEW = 'Needs review';
    const STUCK_PENDING = 'Stuck in Payment Pending';
    const NO_CALLBACK = 'No callback received';
    const RECHECK_REFUSED = 'Re-check refused';

    /**
     * @return list<array{kind: string, reason: string, order: object, invoiceStatus: string, key: string}> most urgent first,
     *     at most $limit, without those an admin marked reviewed (key: Reviews::key of the listing)
     */
    public static function items(OrderStore $store, int $limit = 200): array
    {
        $nowMs = (int) floor(microtime(true) * 1000);
        $items = [];
        $rows = Capsule::table(OrderStore::ORDERS . ' as o')
            ->leftJoin('tblinvoices as i', 'i.id', '=', 'o.invoice_id')
            ->where('o.credited', 0)
            ->where(function ($q) use ($nowMs) {
                $q->where(function ($q) {
                    $q->whereNotNull('o.review_reason')->where('o.review_reason', '<>', '');
                })->orWhere(function ($q) use ($nowMs) {
                    $q->where('o.pending_set', 1)->where('i.status', 'Payment Pending')->where('o.valid_until', '<', $nowMs);
                });
            })
            ->orderBy('o.id')
            ->limit($limit)
            ->select('o.*', 'i.status as invoice_status')
            ->get();
        foreach ($rows as $o) {
            $invoiceStatus = (string) ($o->invoice_status ?? 'Deleted');
            if ($o->review_reason !== null && $o->review_reason !== '') {
                $paid = !empty($o->transid);
                if ($paid && $store->transactionExists((string) $o->transid)) {
                    continue; // applied by hand since: nothing left to do (as on the invoice box)
                }
                $items[] = ['kind' => $paid ? self::PAID_NOT_APPLIED : self::REVIEW, 'reason' => (string) $o->review_reason,
                    'order' => $o, 'invoiceStatus' => $invoiceStatus];
            } else {
                $items[] = ['kind' => self::STUCK_PENDING, 'invoiceStatus' => $invoiceStatus, 'order' => $o,
                    'reason' => 'The invoice is Payment Pending through this order, whose validity ended with no final state from SpectroCoin.'];
            }
        }
        if (Capsule::schema()->hasTable(Reconciler::REPORTS)) {
            $reported = Capsule::table(Reconciler::REPORTS . ' as r')
                ->join(OrderStore::ORDERS . ' as o', 'o.order_id', '=', 'r.order_id')
                ->leftJoin('tblinvoices as i', 'i.id', '=', 'o.invoice_id')
                ->whereNotNull('r.report')
                ->where('o.credited', 0)
                ->where(function ($q) {
                    $q->where('o.status', OrderStore::STATUS_CREATED)->orWhere('r.refused', 1);
                })
                ->orderBy('o.id')
                ->limit($limit)
                ->select('o.*', 'i.status as invoice_status', 'r.report', 'r.reported_at', 'r.refused')
                ->get();
            foreach ($reported as $o) {
                $items[] = ['kind' => $o->refused ? self::RECHECK_REFUSED : self::NO_CALLBACK, 'reason' => $o->report . ' (noticed ' . $o->reported_at . ' UTC)', 'basis' => (string) $o->report,
                    'order' => $o, 'invoiceStatus' => (string) ($o->invoice_status ?? 'Deleted')];
            }
        }
        foreach ($items as &$item) {
            $item['key'] = Reviews::key($item['kind'], (string) $item['order']->order_id, $item['basis'] ?? $item['reason']);
            unset($item['basis']);
        }
        unset($item);
        // Marked reviewed by an admin (Reviews): listed again only when the reason changes.
        $reviewed = Reviews::reviewedKeys(array_column($items, 'key'));
        $items = array_values(array_filter($items, static fn (array $i): bool => !isset($reviewed[$i['key']])));
        $rank = array_flip([self::PAID_NOT_APPLIED, self::REVIEW, self::STUCK_PENDING, self::RECHECK_REFUSED, self::NO_CALLBACK]);
        usort($items, static function ($a, $b) use ($rank) {
            return [$rank[$a['kind']], (int) $a['order']->id] <=> [$rank[$b['kind']], (int) $b['order']->id];
        });
        return array_slice($items, 0, $limit);
    }

    /**
     * An item's order status and its reason in the words of the admin invoice box (AdminStatus).
     *
     * @return array{0: string, 1: string}
     */
    public static function inWords(array $item, OrderStore $store): array
    {
        $o = $item['order'];
        $received = AdminStatus::received($store, $o);
        $reason = in_array($item['kind'], [self::REVIEW, self::PAID_NOT_APPLIED], true) ? AdminStatus::reason($o, $received) : (string) $item['reason'];
        return [AdminStatus::statusText($o, $received), $reason];
    }

    /**
     * The list as an admin-page table; every value escaped. $actions, when given, returns the HTML of
     * an item's action forms (the addon page's "Mark reviewed", "Re-check now"); $link, when given (the
     * addon page's), links each order to its page (OrderPage).
     */
    public static function render(array $items, ?callable $actions = null, ?string $link = null): string
    {
        if ($items === []) {
            return '<p id="spectrocoin-attention-none">Nothing needs you: no SpectroCoin order is waiting for a decision.</p>';
        }
        $rows = '';
        $store = new OrderStore();
        foreach ($items as $item) {
            $o = $item['order'];
            [$statusText, $reasonText] = self::inWords($item, $store);
            $ids = array_filter([$o->order_request_id ?? null, $o->order_uuid ?? null, $o->order_number ?? null, $o->pre_order_id ?? null]);
            $rows .= '<tr data-order="' . Html::e($o->order_id) . '" data-kind="' . Html::e($item['kind']) . '">'
                . '<td>' . Html::e($item['kind']) . '</td>'
                . '<td><a href="invoices.php?action=edit&amp;id=' . (int) $o->invoice_id . '">#' . (int) $o->invoice_id . '</a> ('
                . Html::e($item['invoiceStatus']) . ')</td>'
                . '<td>' . ($link === null ? Html::e($o->order_id)
                    : '<a class="spectrocoin-order-link" href="' . Html::e(OrderPage::link($link, (string) $o->order_id)) . '">' . Html::e($o->order_id) . '</a>') . '</td>'
                . '<td>' . Html::e(implode(', ', array_unique($ids))) . '</td>'
                . '<td class="spectrocoin-status">' . Html::e($statusText) . '</td>'
                . '<td>' . Html::e($o->invoice_amount . ' ' . $o->invoice_currency) . ' / ' . Html::e($o->receive_amount . ' ' . $o->receive_currency) . '</td>'
                . '<td>' . Html::e($reasonText) . '</td>'
                . ($actions === null ? '' : '<td class="spectrocoin-actions">' . $actions($item) . '</td>') . '</tr>';
        }
        return '<table class="table" id="spectrocoin-attention"><tr><th>What</th><th>Invoice</th><th>Order</th><th>SpectroCoin ids</th>'
            . '<th>Status</th><th>Amount (invoice / requested)</th><th>Details</th>' . ($actions === null ? '' : '<th>Actions</th>')
            . '</tr>' . $rows . '</table>';
    }
}
