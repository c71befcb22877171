<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The history of what SpectroCoin told us about each of our orders (the addon's order page): one
 * row per callback received for one of our orders and per reconciliation re-check (cron, "Re-check
 * now"), with when (UTC), from where, the SpectroCoin status and what came of it. Never a secret
 * nor the raw body: only the status, our result and its words.
 *
 * Written where CallbackHandler knows the outcome, outside every transaction of ours (after the
 * claim committed, after addInvoicePayment), in autocommit: a failed payment application cannot
 * roll the row back, and a failed insert (logged, then ignored) cannot break a callback or make a
 * rollback impossible. Inside a transaction nothing is written (logged instead).
 *
 * Bounded per order: identical consecutive events (a cron re-check finding the same PENDING every
 * run, a duplicate resent by SpectroCoin) add to the newest row's count instead of a row; at most
 * KEEP_VERIFIED authenticated rows and KEEP_UNVERIFIED unauthenticated ones (a forged callback
 * naming one of our orderIds) are kept per order, the oldest dropped, so forgeries cannot push
 * genuine history out. A body that names none of our orders (forged, foreign, unknown orderId) has
 * no order to be recorded under: the gateway log keeps it.
 */
final class Events
{
    const TABLE = 'mod_spectrocoin_events';

    const KEEP_VERIFIED = 50;
    const KEEP_UNVERIFIED = 10;

    /** Where an event came from. */
    const SOURCE_LEGACY = 'legacy callback';
    const SOURCE_CURRENT = 'current callback';
    const SOURCE_CRON = 'cron re-check';
    const SOURCE_RECHECK = 're-check now';

    const DETAIL_MAX = 1000;

    /** Schema step 4 (OrderStore::migrate). */
    public static function create(): void
    {
        if (!Capsule::schema()->hasTable(self::TABLE)) {
            Capsule::schema()->create(self::TABLE, function ($t) {
                $t->bigIncrements('id');
                $t->string('order_id', 64);
                $t->dateTime('received_at');             // UTC, first time
                $t->dateTime('last_at');                 // UTC, latest identical repeat
                $t->unsignedInteger('repeats')->default(0); // identical events after the first
                $t->string('source', 24);
                $t->boolean('verified');                  // authenticated (or our own re-check)
                $t->string('status', 40)->default('');    // SpectroCoin's status as received ('' unknown)
                $t->string('result', 64);                 // what came of it (gateway-log words)
                $t->text('detail')->nullable();           // reason, transaction id, message
                $t->unsignedSmallInteger('http');         // what we answered
                $t->index(['order_id', 'id']);
            });
        }
    }

    /**
     * Records one event; never throws, never inside a transaction.
     */
    public static function record(string $orderId, string $source, bool $verified, string $status, string $result, string $detail, int $http): void
    {
        if ($orderId === '') {
            return;
        }
        try {
            $db = Capsule::connection();
            if ($db->transactionLevel() > 0) {
                error_log('spectrocoin: callback history not written inside a transaction (order ' . $orderId . ')');
                return;
            }
            $now = gmdate('Y-m-d H:i:s');
            $row = [
                'source' => self::text($source, 24),
                'verified' => $verified ? 1 : 0,
                'status' => self::text($status, 40),
                'result' => self::text($result, 64),
                'detail' => self::text($detail, self::DETAIL_MAX),
                'http' => max(0, min(999, $http)),
            ];
            $latest = $db->table(self::TABLE)->where('order_id', $orderId)->orderByDesc('id')->first();
            if ($latest !== null && self::same($latest, $row)) {
                $db->table(self::TABLE)->where('id', $latest->id)->update(['repeats' => $db->raw('repeats + 1'), 'last_at' => $now]);
                return;
            }
            $db->table(self::TABLE)->insert(['order_id' => $orderId, 'received_at' => $now, 'last_at' => $now, 'repeats' => 0] + $row);
            $keep = $verified ? self::KEEP_VERIFIED : self::KEEP_UNVERIFIED;
            $oldest = $db->table(self::TABLE)->where('order_id', $orderId)->where('verified', $row['verified'])
                ->orderByDesc('id')->offset($keep)->limit(1)->value('id');
            if ($oldest !== null) {
                $db->table(self::TABLE)->where('order_id', $orderId)->where('verified', $row['verified'])->where('id', '<=', $oldest)->delete();
            }
        } catch (\Throwable $e) {
            error_log('spectrocoin: could not record the callback history of order ' . $orderId . ': ' . $e->getMessage());
        }
    }

    private static function same(object $latest, array $row): bool
    {
        foreach ($row as $k => $v) {
            if ((string) $latest->$k !== (string) $v) {
                return false;
            }
        }
        return true;
    }

    /** Valid UTF-8 without NUL, at most $max characters (strict mode is off: the database would cut silently). */
    private static function text(string $value, int $max): string
    {
        $value = str_replace("\0", '', mb_scrub($value, 'UTF-8'));
        return mb_strlen($value, 'UTF-8') > $max ? mb_substr($value, 0, $max - 1, 'UTF-8') . '…' : $value;
    }

    /** @return list<object> the order's history, newest first */
    public static function forOrder(string $orderId, int $limit = 100): array
    {
        if (!Capsule::schema()->hasTable(self::TABLE)) {
            return [];
        }
        return Capsule::table(self::TABLE)->where('order_id', $orderId)->orderByDesc('id')->limit($limit)->get()->all();
    }

    /** The history as an admin-page table; every value escaped. */
    public static function render(array $events): string
    {
        if ($events === []) {
            return '<p id="spectrocoin-history-none">No callback or re-check has been received for this order yet.</p>';
        }
        $rows = '';
        foreach ($events as $ev) {
            $when = Html::e($ev->received_at) . ' UTC';
            if ((int) $ev->repeats > 0) {
                $when .= ' <span class="spectrocoin-repeats">(and ' . (int) $ev->repeats . ' more time' . ((int) $ev->repeats === 1 ? '' : 's')
                    . ' until ' . Html::e($ev->last_at) . ' UTC)</span>';
            }
            $rows .= '<tr data-result="' . Html::e($ev->result) . '" data-source="' . Html::e($ev->source) . '">'
                . '<td>' . $when . '</td>'
                . '<td>' . Html::e($ev->source) . ((bool) $ev->verified ? '' : ' <em>(not authenticated)</em>') . '</td>'
                . '<td>' . Html::e($ev->status === '' ? '?' : $ev->status) . '</td>'
                . '<td>' . Html::e($ev->result) . '</td>'
                . '<td>' . (int) $ev->http . '</td>'
                . '<td>' . Html::e($ev->detail) . '</td></tr>';
        }
        return '<table class="table" id="spectrocoin-history"><tr><th>Received</th><th>From</th><th>SpectroCoin status</th>'
            . '<th>Result</th><th>Answer</th><th>Details</th></tr>' . $rows . '</table>';
    }
}
