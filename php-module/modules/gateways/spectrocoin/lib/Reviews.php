<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * "Mark reviewed" on the addon's admin page: the admin's note on one item that needed them (an
 * order and the reason it was listed). The item leaves the "Needs you" list; the note is kept and
 * shown. A new reason for the same order (a later callback, another report) lists it again, so a
 * review never hides something the admin has not seen.
 *
 * The merchant's own notes: created at admin time (the addon's activation or its page), never
 * dropped by deactivation.
 */
final class Reviews
{
    const TABLE = 'mod_spectrocoin_reviews';

    const NOTE_MAX = 2000;

    public static function install(): void
    {
        if (!Capsule::schema()->hasTable(self::TABLE)) {
            Capsule::schema()->create(self::TABLE, function ($t) {
                $t->increments('id');
                $t->string('order_id', 64)->index();
                $t->string('kind', 64);
                // sha256 of kind + reason: which listing this review answers.
                $t->char('item_key', 64)->index();
                $t->text('reason');
                $t->text('note');
                $t->unsignedInteger('admin_id');
                $t->string('admin_name', 255);
                $t->dateTime('reviewed_at');
            });
        }
    }

    public static function installed(): bool
    {
        return Capsule::schema()->hasTable(self::TABLE);
    }

    /** The key of one listing: the same order, kind and reason text. */
    public static function key(string $kind, string $orderId, string $reason): string
    {
        return hash('sha256', $kind . "\n" . $orderId . "\n" . $reason);
    }

    /** @return array<string, true> item keys already reviewed, among $keys */
    public static function reviewedKeys(array $keys): array
    {
        if ($keys === [] || !self::installed()) {
            return [];
        }
        $found = [];
        foreach (array_chunk(array_values($keys), 500) as $chunk) {
            foreach (Capsule::table(self::TABLE)->whereIn('item_key', $chunk)->pluck('item_key') as $k) {
                $found[(string) $k] = true;
            }
        }
        return $found;
    }

    /**
     * Records the admin's review of the item currently listed for $orderId with $key. Refused (with
     * the reason) when no such item is listed any more: nothing to review, or it changed meanwhile.
     *
     * @param list<array> $items Attention::items() as listed now
     */
    public static function record(array $items, string $orderId, string $key, string $note, int $adminId): ?string
    {
        $note = trim($note);
        if ($note === '') {
            return 'Write a note first: what you checked or did (it is kept with the order).';
        }
        if (strlen($note) > self::NOTE_MAX) {
            return 'The note is longer than ' . self::NOTE_MAX . ' bytes; shorten it.';
        }
        if (!mb_check_encoding($note, 'UTF-8')) {
            return 'The note is not valid UTF-8 text.';
        }
        foreach ($items as $item) {
            if ((string) $item['order']->order_id === $orderId && $item['key'] === $key) {
                $admin = Capsule::table('tbladmins')->where('id', $adminId)->first();
                $name = $admin === null ? 'admin #' . $adminId
                    : trim(($admin->firstname ?? '') . ' ' . ($admin->lastname ?? '')) . ' (' . ($admin->username ?? '') . ')';
                Capsule::table(self::TABLE)->insert([
                    'order_id' => $orderId,
                    'kind' => $item['kind'],
                    'item_key' => $key,
                    'reason' => $item['reason'],
                    'note' => $note,
                    'admin_id' => $adminId,
                    'admin_name' => $name,
                    'reviewed_at' => OrderStore::now(),
                ]);
                return null;
            }
        }
        return 'That item is no longer listed (it was resolved or changed since the page was shown); nothing was recorded.';
    }

    /** @return list<object> the latest reviews, newest first */
    public static function latest(int $limit = 50): array
    {
        if (!self::installed()) {
            return [];
        }
        return Capsule::table(self::TABLE . ' as v')
            ->leftJoin(OrderStore::ORDERS . ' as o', 'o.order_id', '=', 'v.order_id')
            ->orderByDesc('v.id')
            ->limit($limit)
            ->select('v.*', 'o.invoice_id')
            ->get()
            ->all();
    }

    public static function render(array $reviews): string
    {
        if ($reviews === []) {
            return '<p id="spectrocoin-reviews-none">No item has been marked reviewed yet.</p>';
        }
        $rows = '';
        foreach ($reviews as $v) {
            $rows .= '<tr data-order="' . Html::e($v->order_id) . '">'
                . '<td>' . Html::e($v->reviewed_at) . ' UTC</td>'
                . '<td>' . Html::e($v->admin_name) . '</td>'
                . '<td>' . ($v->invoice_id === null ? '' : '<a href="invoices.php?action=edit&amp;id=' . (int) $v->invoice_id . '">#'
                    . (int) $v->invoice_id . '</a>') . '</td>'
                . '<td>' . Html::e($v->order_id) . '</td>'
                . '<td>' . Html::e($v->kind) . ': ' . Html::e($v->reason) . '</td>'
                . '<td class="spectrocoin-review-note">' . nl2br(Html::e($v->note)) . '</td></tr>';
        }
        return '<table class="table" id="spectrocoin-reviews"><tr><th>When</th><th>Who</th><th>Invoice</th><th>Order</th>'
            . '<th>What was listed</th><th>Note</th></tr>' . $rows . '</table>';
    }
}
