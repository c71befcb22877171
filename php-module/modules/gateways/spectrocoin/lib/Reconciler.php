<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * Finds what lost callbacks left behind, on WHMCS's cron (the addon's AfterCronJob hook): orders
 * still open (CREATED, NEW, PENDING), claimed but not confirmed, or paid but not applied.
 *
 * * With API client credentials and a SpectroCoin order UUID on the row (learnt from an earlier
 *   JSON callback), the order is re-checked through CallbackHandler::recheck(): the extension
 *   fetches it from the current API and the callback path decides, claims, applies and confirms.
 * * Otherwise (legacy-only projects, whose API has no status query; a pre-order whose every
 *   callback was lost, so no order UUID is known) an order whose validity ended with no callback
 *   at all is reported: NO_CALLBACK, kept in REPORTS for the admin page.
 *
 * Bounded per run: at most $maxOrders rows, least recently checked first (so 1,000 open orders
 * are all visited over successive runs), and no new row once $budgetSeconds have passed. A run
 * stops at the first SpectroCoin outage (answer 503) instead of waiting out every timeout.
 */
final class Reconciler
{
    /** Per order: when reconciliation last looked, and what it has to report (null: nothing). */
    const REPORTS = 'mod_spectrocoin_reconcile';

    const NO_CALLBACK = 'no callback received — check that SpectroCoin can reach the callback URL';

    const REFUSED = 'SpectroCoin refused the re-check of this order (see the gateway log, result Rejected); it is not asked again';

    const OPEN_STATUSES = [OrderStore::STATUS_CREATED, 'NEW', 'PENDING'];

    /** @var Settings */
    private $settings;
    /** @var OrderStore */
    private $store;
    /** @var CallbackHandler */
    private $handler;

    public function __construct(Settings $settings, OrderStore $store, CallbackHandler $handler)
    {
        $this->settings = $settings;
        $this->store = $store;
        $this->handler = $handler;
    }

    /** Creates REPORTS (admin time: the addon's activation). */
    public static function install(): void
    {
        if (!Capsule::schema()->hasTable(self::REPORTS)) {
            Capsule::schema()->create(self::REPORTS, function ($t) {
                $t->string('order_id', 64)->primary();
                $t->dateTime('checked_at');
                $t->text('report')->nullable();
                $t->dateTime('reported_at')->nullable();
                // SpectroCoin refused the re-check (e.g. does not know the order): not asked again, listed for the admin.
                $t->boolean('refused')->default(false);
            });
        }
    }

    public static function uninstall(): void
    {
        Capsule::schema()->dropIfExists(self::REPORTS);
    }

    /**
     * One cron run with the gateway's current settings; nothing when the gateway is inactive, the
     * extension or the module's tables are missing.
     *
     * @return array{checked: int, recovered: int, reported: int, stopped: ?string}
     */
    public static function onCron(float $budgetSeconds, int $maxOrders): array
    {
        $summary = ['checked' => 0, 'recovered' => 0, 'reported' => 0, 'stopped' => null];
        try {
            $variables = \getGatewayVariables(Settings::GATEWAY);
        } catch (\Throwable $e) {
            $variables = [];
        }
        if (empty($variables['type'])) {
            return ['stopped' => 'gateway not active'] + $summary;
        }
        if (Extension::problem() !== null || OrderStore::schemaProblem() !== null || !Capsule::schema()->hasTable(self::REPORTS)) {
            return ['stopped' => 'extension or tables missing'] + $summary;
        }
        $settings = Settings::fromGatewayVariables($variables);
        $store = new OrderStore();
        return (new self($settings, $store, new CallbackHandler($settings, $store)))->run($budgetSeconds, $maxOrders);
    }

    /**
     * "Re-check now" on the admin page: the order's state fetched from SpectroCoin's current API and
     * put through the callback's path (exactly once, as a callback or the cron would). Returns what
     * happened, in words for the admin, and whether it worked.
     *
     * @return array{ok: bool, message: string}
     */
    public static function recheckNow(string $orderId): array
    {
        try {
            $variables = \getGatewayVariables(Settings::GATEWAY);
        } catch (\Throwable $e) {
            $variables = [];
        }
        if (empty($variables['type'])) {
            return ['ok' => false, 'message' => 'The SpectroCoin gateway is not active, so nothing can be re-checked.'];
        }
        $problem = Extension::problem() ?? OrderStore::schemaProblem();
        if ($problem !== null) {
            return ['ok' => false, 'message' => 'Cannot re-check: ' . $problem];
        }
        $settings = Settings::fromGatewayVariables($variables);
        $store = new OrderStore();
        $row = $store->findByOrderId($orderId);
        if ($row === null) {
            return ['ok' => false, 'message' => 'No SpectroCoin order ' . $orderId . ' is recorded.'];
        }
        if ((bool) $row->credited) {
            return ['ok' => true, 'message' => 'Order ' . $orderId . ' is already credited to invoice #' . (int) $row->invoice_id . '; nothing to re-check.'];
        }
        $uuid = self::orderUuid($row);
        if ($settings->apiGeneration() !== 'current') {
            return ['ok' => false, 'message' => 'Re-checking needs SpectroCoin\'s current API (API client credentials in the gateway settings); '
                . 'the legacy API has no status query. Check order ' . $orderId . ' in your SpectroCoin account.'];
        }
        if ($uuid === null) {
            return ['ok' => false, 'message' => 'SpectroCoin\'s id for order ' . $orderId . ' was never learnt (no callback arrived and it '
                . 'is a legacy or pre-order id), so it cannot be fetched. Check it in your SpectroCoin account.'];
        }
        $answer = (new CallbackHandler($settings, $store))->recheck($uuid, Events::SOURCE_RECHECK);
        $after = $store->findByOrderId($orderId);
        if ($after !== null && (bool) $after->credited && !(bool) $row->credited) {
            return ['ok' => true, 'message' => 'Order ' . $orderId . ' was paid: the payment was applied to invoice #' . (int) $row->invoice_id
                . ' (Recovered by reconciliation).'];
        }
        if ($answer->status === 503) {
            return ['ok' => false, 'message' => 'SpectroCoin could not be asked now (temporary); try again later. The gateway log has the details.'];
        }
        if ($answer->status >= 400) {
            return ['ok' => false, 'message' => 'SpectroCoin refused the re-check of order ' . $orderId . ' (HTTP ' . $answer->status
                . '); the gateway log (result Rejected) has its words.'];
        }
        return ['ok' => true, 'message' => 'Re-checked order ' . $orderId . ': SpectroCoin reports ' . ($after->status ?? $row->status)
            . '; nothing more to apply now.'];
    }

    /** @return array{checked: int, recovered: int, reported: int, stopped: ?string} */
    public function run(float $budgetSeconds, int $maxOrders): array
    {
        $deadline = microtime(true) + max(0.0, $budgetSeconds);
        $summary = ['checked' => 0, 'recovered' => 0, 'reported' => 0, 'stopped' => null];
        $canQuery = $this->settings->apiGeneration() === 'current';
        foreach ($this->candidates(max(0, $maxOrders)) as $row) {
            if (microtime(true) >= $deadline) {
                $summary['stopped'] = 'time budget';
                break;
            }
            $summary['checked']++;
            $uuid = self::orderUuid($row);
            $report = null;
            if ($canQuery && $uuid !== null) {
                $answer = $this->handler->recheck($uuid);
                if ($this->credited((string) $row->order_id)) {
                    $summary['recovered']++;
                }
                if ($answer->status === 503) {
                    $this->touch((string) $row->order_id, null);
                    $summary['stopped'] = 'SpectroCoin unavailable';
                    break;
                }
                if ($answer->status === 400) {
                    // Logged once by the callback path ("Rejected", with SpectroCoin's words); asking again
                    // every run would repeat it.
                    $report = self::REFUSED;
                    $summary['reported']++;
                    $this->touch((string) $row->order_id, $report, true);
                    continue;
                }
            } elseif ((string) $row->status === OrderStore::STATUS_CREATED && self::validityEnded($row)) {
                $report = self::NO_CALLBACK;
                $summary['reported']++;
            }
            $this->touch((string) $row->order_id, $report);
        }
        return $summary;
    }

    /** Rows to look at, least recently checked first. */
    private function candidates(int $limit): array
    {
        return Capsule::table(OrderStore::ORDERS . ' as o')
            ->leftJoin(self::REPORTS . ' as r', 'r.order_id', '=', 'o.order_id')
            ->where('o.credited', 0)
            ->where('o.create_refused', 0)
            ->where(function ($q) {
                $q->whereNull('r.refused')->orWhere('r.refused', 0);
            })
            ->where(function ($q) {
                $q->whereIn('o.status', self::OPEN_STATUSES)
                    ->orWhere('o.claim_state', CallbackHandler::CLAIM_APPLYING)
                    // Paid but not applied: a payment id was decided, WHMCS holds no payment for it.
                    ->orWhere(function ($q) {
                        $q->whereNotNull('o.transid')->whereNotNull('o.review_reason');
                    });
            })
            ->orderByRaw('r.checked_at IS NOT NULL, r.checked_at, o.id')
            ->limit($limit)
            ->select('o.*')
            ->get()
            ->all();
    }

    /** The current API's order UUID the row has learnt, or null (legacy numeric ids cannot be fetched). */
    private static function orderUuid(object $row): ?string
    {
        foreach ([$row->order_uuid ?? null, $row->order_request_id ?? null] as $id) {
            if (is_string($id) && $id !== '' && !ctype_digit($id)) {
                return $id;
            }
        }
        return null;
    }

    private static function validityEnded(object $row): bool
    {
        $until = $row->valid_until;
        return $until !== null && (int) $until > 0 && (int) $until < (int) floor(microtime(true) * 1000);
    }

    private function credited(string $orderId): bool
    {
        return (bool) ($this->store->findByOrderId($orderId)->credited ?? false);
    }

    private function touch(string $orderId, ?string $report, bool $refused = false): void
    {
        $now = OrderStore::now();
        $existing = Capsule::table(self::REPORTS)->where('order_id', $orderId)->first();
        $values = ['checked_at' => $now] + ($refused ? ['refused' => 1] : []);
        if ($report !== null && ($existing === null || (string) $existing->report !== $report)) {
            $values += ['report' => $report, 'reported_at' => $now];
        }
        Capsule::table(self::REPORTS)->updateOrInsert(['order_id' => $orderId], $values);
    }
}
