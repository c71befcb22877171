<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The optional admin e-mail of the addon (setting "E-mail the admins", off by default): after each
 * cron run, what newly needs the merchant (Attention::items) in one message through WHMCS's own
 * admin notification, the documented internal API call SendAdminEmail (a custom subject and HTML
 * message, type "system": WHMCS sends it to the admins who receive system e-mails).
 *
 * At most once per order and reason: each listed item's key (Reviews::key: kind, order, reason) is
 * claimed in NOTICES before the message goes out (the first of two concurrent cron runs wins); a
 * refused message gives its claims back, so the next run tries again. An item whose reason changes
 * is a new item and is mailed again; one marked reviewed is not listed, so not mailed.
 */
final class AdminMail
{
    const TABLE = 'mod_spectrocoin_notices';

    /** Items named in one message; the rest are counted. */
    const LIST_MAX = 50;

    /** Schema step 4 (OrderStore::migrate). */
    public static function create(): void
    {
        if (!Capsule::schema()->hasTable(self::TABLE)) {
            Capsule::schema()->create(self::TABLE, function ($t) {
                $t->char('item_key', 64)->primary(); // Reviews::key of the item e-mailed about
                $t->string('order_id', 64)->index();
                $t->string('kind', 64);
                $t->dateTime('sent_at');             // UTC
            });
        }
    }

    /**
     * E-mails the admins about the items not e-mailed before.
     *
     * @param list<array> $items Attention::items() as listed now
     * @return array{sent: int, error: ?string} items in the message sent (0: nothing new), or why none went
     */
    public static function notifyNew(array $items): array
    {
        $new = [];
        $now = gmdate('Y-m-d H:i:s');
        // Those mailed before, in one query; then a claim per item still to mail.
        $sent = [];
        foreach (array_chunk(array_column($items, 'key'), 500) as $chunk) {
            foreach (Capsule::table(self::TABLE)->whereIn('item_key', $chunk)->pluck('item_key') as $k) {
                $sent[(string) $k] = true;
            }
        }
        $items = array_filter($items, static fn (array $i): bool => !isset($sent[$i['key']]));
        foreach ($items as $item) {
            $claimed = Capsule::table(self::TABLE)->insertOrIgnore([
                'item_key' => $item['key'],
                'order_id' => (string) $item['order']->order_id,
                'kind' => substr((string) $item['kind'], 0, 64),
                'sent_at' => $now,
            ]);
            if ((int) $claimed === 1) {
                $new[] = $item;
            }
        }
        if ($new === []) {
            return ['sent' => 0, 'error' => null];
        }
        $n = count($new);
        $result = \localAPI('SendAdminEmail', [
            'customsubject' => 'SpectroCoin: ' . $n . ($n === 1 ? ' payment needs' : ' payments need') . ' you',
            'custommessage' => self::message($new),
            'type' => 'system',
        ]);
        if (!is_array($result) || ($result['result'] ?? '') !== 'success') {
            Capsule::table(self::TABLE)->whereIn('item_key', array_column($new, 'key'))->where('sent_at', $now)->delete();
            $why = is_array($result) ? (string) ($result['message'] ?? 'result ' . ($result['result'] ?? '?')) : 'no answer';
            return ['sent' => 0, 'error' => 'WHMCS did not send the admin e-mail (SendAdminEmail: ' . $why . ')'];
        }
        return ['sent' => $n, 'error' => null];
    }

    /** The HTML message; every value escaped. */
    public static function message(array $items): string
    {
        $lines = '';
        $store = new OrderStore();
        foreach (array_slice($items, 0, self::LIST_MAX) as $item) {
            $o = $item['order'];
            [$status, $reason] = Attention::inWords($item, $store);
            $lines .= '<li>' . Html::e($item['kind']) . ': invoice #' . (int) $o->invoice_id . ' (' . Html::e($item['invoiceStatus']) . '), order '
                . Html::e($o->order_id) . ', ' . Html::e($status) . ' — ' . Html::e($reason) . '</li>';
        }
        $more = count($items) - self::LIST_MAX;
        return '<p>' . count($items) . ' SpectroCoin item' . (count($items) === 1 ? ' needs' : 's need') . ' you:</p><ul>' . $lines . '</ul>'
            . ($more > 0 ? '<p>and ' . $more . ' more.</p>' : '')
            . '<p>Open Addons &rarr; SpectroCoin Operations in the WHMCS admin area to see each order and mark it reviewed. '
            . 'You are e-mailed once per order and reason.</p>';
    }
}
