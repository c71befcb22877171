<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The module's tables and the WHMCS rows it reads, through Capsule (the connection WHMCS itself
 * uses). The tables are created and upgraded at admin time only (migrate()).
 *
 * mod_spectrocoin_orders: one row per SpectroCoin order we created (or tried to create).
 * mod_spectrocoin_meta:   module-private values (the Pay Now token secret).
 * mod_spectrocoin_events: the callbacks and re-checks received per order (Events).
 * mod_spectrocoin_notices: the admin e-mails sent, one per order and reason (AdminMail).
 */
final class OrderStore
{
    const ORDERS = 'mod_spectrocoin_orders';
    const META = 'mod_spectrocoin_meta';

    /** Status of a row before SpectroCoin has sent any callback for it. */
    const STATUS_CREATED = 'CREATED';

    /** The schema this code needs; migrate() brings older ones up to it, step by step. */
    const SCHEMA_VERSION = 6;
    const SCHEMA_META = 'schema_version';

    /** @var int|null the version seen in this process (callbacks and Pay Now check it once) */
    private static $schemaSeen = null;

    /**
     * Creates or upgrades the module's tables. Admin time only (activation, Save, the settings
     * page): DDL commits implicitly and needs CREATE/ALTER, which a production WHMCS database
     * user may lack; callbacks and Pay Now only check the version (schemaProblem()).
     * Returns the version now installed. Throws what the database said (e.g. no privilege).
     */
    public static function migrate(): int
    {
        $schema = Capsule::schema();
        $version = self::installedVersion();
        if ($version < 1) {
            if (!$schema->hasTable(self::ORDERS)) {
                $schema->create(self::ORDERS, function ($t) {
                    $t->increments('id');
                    $t->unsignedInteger('invoice_id');
                    $t->string('order_id', 64)->unique();          // <invoiceid>-<n>, our id at SpectroCoin
                    $t->string('order_request_id', 64)->nullable(); // SpectroCoin's id (null for pre-orders)
                    $t->string('pre_order_id', 64)->nullable();     // current API: the pre-order's UUID
                    $t->string('receive_amount', 32);              // exactly as sent to SpectroCoin
                    $t->string('receive_currency', 8);
                    $t->decimal('invoice_amount', 16, 2);           // what is credited, in the invoice currency
                    $t->string('invoice_currency', 8);
                    $t->string('pay_amount', 32)->nullable();
                    $t->string('pay_currency', 16)->nullable();
                    $t->text('redirect_url')->nullable();
                    $t->unsignedBigInteger('valid_until')->nullable(); // ms since epoch, as SpectroCoin says
                    $t->string('status', 40)->default(self::STATUS_CREATED);
                    $t->boolean('credited')->default(false);
                    $t->boolean('pending_set')->default(false);     // we set the invoice to Payment Pending
                    $t->text('review_reason')->nullable();
                    $t->text('create_error')->nullable();
                    $t->boolean('create_refused')->default(false); // SpectroCoin answered our create with an error
                    $t->string('transid', 64)->nullable();
                    $t->dateTime('created_at');
                    $t->dateTime('updated_at');
                    $t->index('invoice_id');
                    $t->index('order_request_id');
                });
            }
            if (!$schema->hasTable(self::META)) {
                $schema->create(self::META, function ($t) {
                    $t->string('name', 64)->primary();
                    $t->text('value');
                });
            }
            $version = self::recordVersion(1);
        }
        if ($version < 2) {
            // The claim of a payment being applied (CallbackHandler: claim, apply, confirm).
            if (!$schema->hasColumn(self::ORDERS, 'claim_transid')) {
                $schema->table(self::ORDERS, function ($t) {
                    $t->string('claim_transid', 64)->nullable();  // the transaction id about to be written
                    $t->string('claim_state', 16)->nullable();    // 'applying' until confirmed
                    $t->dateTime('claimed_at')->nullable();
                    $t->string('claimed_by', 96)->nullable();     // host, process, request
                });
            }
            $version = self::recordVersion(2);
        }
        if ($version < 3) {
            // The settings an order was created under, and every SpectroCoin id it is known by.
            $columns = [
                'merchant_id' => 64,   // Merchant ID setting at creation (null: created before schema 3)
                'project_id' => 64,    // Project ID setting at creation
                'api' => 16,           // 'legacy' or 'current': the API that created it
                'legacy_merchant_id' => 20, // UUID set-ups: the numeric ids SpectroCoin signs legacy callbacks with
                'legacy_project_id' => 20,
                'order_number' => 64,  // SpectroCoin's numeric orderRequestId, learned from a callback
                'order_uuid' => 64,    // SpectroCoin's order UUID, learned from a callback (JSON, current API)
            ];
            self::addStringColumns($columns);
            $version = self::recordVersion(3);
        }
        if ($version < 4) {
            // The history of callbacks per order, and what the admins were e-mailed about.
            Events::create();
            AdminMail::create();
            $version = self::recordVersion(4);
        }
        if ($version < 5) {
            // A refund made at SpectroCoin being recorded in WHMCS (CallbackHandler: claim, record, confirm).
            $columns = [
                'refund_transid' => 80,     // the refund's transaction id being (or last) written
                'refund_state' => 16,       // 'applying' until confirmed, then 'recorded'
                'refund_claimed_by' => 96,  // host, process, request
            ];
            self::addStringColumns($columns);
            if (!$schema->hasColumn(self::ORDERS, 'refund_claimed_at')) {
                $schema->table(self::ORDERS, function ($t) {
                    $t->dateTime('refund_claimed_at')->nullable();
                });
            }
            $version = self::recordVersion(5);
        }
        if ($version < 6) {
            // What SpectroCoin's latest callback reported received, and with which status: shown in the
            // admin invoice box, never decided on (its meaning is unsettled).
            self::addStringColumns(['received_amount' => 32, 'received_status' => 40]);
            $version = self::recordVersion(6);
        }
        self::$schemaSeen = $version;
        return $version;
    }

    /** Adds the nullable string columns (name => length) the orders table lacks (a step run twice adds nothing). */
    private static function addStringColumns(array $columns): void
    {
        $schema = Capsule::schema();
        foreach ($columns as $column => $length) {
            if (!$schema->hasColumn(self::ORDERS, $column)) {
                $schema->table(self::ORDERS, function ($t) use ($column, $length) {
                    $t->string($column, $length)->nullable();
                });
            }
        }
    }

    /** 0: nothing installed; 1: tables of a module version without a version row; else the row. */
    public static function installedVersion(): int
    {
        $schema = Capsule::schema();
        if (!$schema->hasTable(self::META)) {
            return $schema->hasTable(self::ORDERS) ? 1 : 0;
        }
        $row = Capsule::table(self::META)->where('name', self::SCHEMA_META)->value('value');
        if (is_string($row) && ctype_digit($row)) {
            return (int) $row;
        }
        return $schema->hasTable(self::ORDERS) ? 1 : 0;
    }

    private static function recordVersion(int $version): int
    {
        Capsule::table(self::META)->updateOrInsert(['name' => self::SCHEMA_META], ['value' => (string) $version]);
        return $version;
    }

    /**
     * Null when the tables are installed at this code's version; else what the admin must do.
     * For callbacks and Pay Now: one query, once per process. Never changes the schema.
     */
    public static function schemaProblem(): ?string
    {
        if (self::$schemaSeen === self::SCHEMA_VERSION) {
            return null;
        }
        try {
            $value = Capsule::table(self::META)->where('name', self::SCHEMA_META)->value('value');
        } catch (\Throwable $e) {
            return 'the module\'s tables are not installed (' . $e->getMessage()
                . '); open Setup > Payment Gateways and activate or save SpectroCoin';
        }
        $version = is_string($value) && ctype_digit($value) ? (int) $value : 1;
        if ($version < self::SCHEMA_VERSION) {
            return 'the module\'s tables are at version ' . $version . ', this module needs ' . self::SCHEMA_VERSION
                . '; open the SpectroCoin gateway settings page (or press Save) to upgrade them';
        }
        self::$schemaSeen = $version;
        return null;
    }

    /**
     * For the settings page: migrates if needed and says plainly what stands in the way
     * (typically a database user without CREATE/ALTER). Null when all is well.
     */
    public static function migrateForAdmin(): ?string
    {
        try {
            self::migrate();
            return null;
        } catch (\Throwable $e) {
            $denied = $e instanceof \PDOException || $e->getPrevious() instanceof \PDOException
                ? preg_match('/\b(1142|1044|42000)\b|command denied|Access denied/i', $e->getMessage()) === 1 : false;
            $what = $denied
                ? 'The WHMCS database user may not create or alter tables (CREATE and ALTER privileges are missing), so the '
                    . 'SpectroCoin tables could not be installed or upgraded to version ' . self::SCHEMA_VERSION . '. '
                    . 'Grant CREATE and ALTER on the WHMCS database to that user, reload this page, and revoke them again if you wish. '
                    . 'Until then SpectroCoin callbacks are answered 503 (SpectroCoin retries them) and Pay Now is unavailable.'
                : 'The SpectroCoin tables could not be installed or upgraded: ' . $e->getMessage();
            error_log('spectrocoin: schema migration failed: ' . $e->getMessage());
            return $what . ($denied ? ' (database said: ' . $e->getMessage() . ')' : '');
        }
    }

    public static function now(): string
    {
        return gmdate('Y-m-d H:i:s'); // UTC, as every reader assumes (claims, lists, the invoice box)
    }

    /** A random server-side secret, created once; the first writer wins under concurrency. */
    public function secret(string $name, int $bytes = 32): string
    {
        $value = Capsule::table(self::META)->where('name', $name)->value('value');
        if (is_string($value) && $value !== '') {
            return $value;
        }
        Capsule::table(self::META)->insertOrIgnore(['name' => $name, 'value' => bin2hex(random_bytes($bytes))]);
        return (string) Capsule::table(self::META)->where('name', $name)->value('value');
    }

    const ORDER_TAG = 'order_tag';

    /**
     * This installation's tag, the last part of every merchant orderId (<invoice>-<n>-<tag>): 8 random
     * hex digits, created on first use. A reinstalled module, or a second WHMCS on the same SpectroCoin
     * project, gets another one, so its orderIds neither collide with ours at SpectroCoin nor match our
     * rows when their callbacks reach us.
     */
    public function orderTag(): string
    {
        return $this->secret(self::ORDER_TAG, 4);
    }

    /**
     * A new tag after SpectroCoin said one of ours is taken (a copy of this installation, e.g. a
     * restored backup or a staging clone, shares it). Only replaces the tag the caller saw, so
     * concurrent rotations agree on one new value.
     */
    public function rotateOrderTag(string $seen): string
    {
        Capsule::table(self::META)->where('name', self::ORDER_TAG)->where('value', $seen)
            ->update(['value' => bin2hex(random_bytes(4))]);
        return $this->orderTag();
    }

    public function invoice(int $invoiceId): ?object
    {
        return Capsule::table('tblinvoices')->where('id', $invoiceId)->first();
    }

    /** SELECT … FOR UPDATE on the invoice; call inside a transaction. Lock order: invoice, then order row. */
    public function lockInvoice(int $invoiceId): ?object
    {
        return Capsule::table('tblinvoices')->where('id', $invoiceId)->lockForUpdate()->first();
    }

    public function lockOrder(string $orderId): ?object
    {
        return Capsule::table(self::ORDERS)->where('order_id', $orderId)->lockForUpdate()->first();
    }

    public function findByOrderId(string $orderId): ?object
    {
        return Capsule::table(self::ORDERS)->where('order_id', $orderId)->first();
    }

    /** The row that recorded this SpectroCoin order id (numeric or UUID), or null. */
    public function findBySpectroCoinId(string $id): ?object
    {
        return Capsule::table(self::ORDERS)->where('order_uuid', $id)->orWhere('order_number', $id)
            ->orWhere('order_request_id', $id)->orWhere('pre_order_id', $id)->first();
    }

    /** The newest row created under this Project ID setting, or null. */
    public function latestOfProject(string $projectId): ?object
    {
        return Capsule::table(self::ORDERS)->where('project_id', $projectId)->orderBy('id', 'desc')->first();
    }

    /** @return object[] newest first */
    public function forInvoice(int $invoiceId): array
    {
        return Capsule::table(self::ORDERS)->where('invoice_id', $invoiceId)
            ->orderBy('id', 'desc')->get()->all();
    }

    /** Balance = total − Σ amountin + Σ amountout, computed in SQL to stay decimal. */
    public function balance(int $invoiceId): string
    {
        $row = Capsule::connection()->selectOne(
            'SELECT CAST(i.total - COALESCE(SUM(a.amountin), 0) + COALESCE(SUM(a.amountout), 0) AS DECIMAL(16,2)) AS balance'
            . ' FROM tblinvoices i LEFT JOIN tblaccounts a ON a.invoiceid = i.id WHERE i.id = ? GROUP BY i.id, i.total',
            [$invoiceId]
        );
        return $row === null ? '0.00' : (string) $row->balance;
    }

    /** The invoice's currency (the client's), as tblcurrencies row {id, code}. */
    public function invoiceCurrency(int $userId): ?object
    {
        $currencyId = (int) Capsule::table('tblclients')->where('id', $userId)->value('currency');
        $q = Capsule::table('tblcurrencies');
        $row = $currencyId > 0 ? (clone $q)->where('id', $currencyId)->first() : null;
        return $row ?: $q->where('default', 1)->first();
    }

    public function currency(int $currencyId): ?object
    {
        return Capsule::table('tblcurrencies')->where('id', $currencyId)->first();
    }

    public function transactionExists(string $transId): bool
    {
        return Capsule::table('tblaccounts')->where('transid', $transId)->exists();
    }

    /** States of a row's refund_state: being recorded, and in WHMCS. */
    const REFUND_APPLYING = 'applying';
    const REFUND_RECORDED = 'recorded';

    /** The payment row (tblaccounts) of `$transId` on the invoice, or null. */
    public function payment(int $invoiceId, string $transId): ?object
    {
        return Capsule::table('tblaccounts')->where('invoiceid', $invoiceId)->where('transid', $transId)
            ->where('amountin', '>', 0)->orderBy('id')->first();
    }

    /** Everything paid on the invoice has been paid back out (Σ amountin − Σ amountout ≤ 0, with a payment). */
    public function refundedInFull(int $invoiceId): bool
    {
        $row = Capsule::connection()->selectOne('SELECT COALESCE(SUM(amountin), 0) > 0 AND COALESCE(SUM(amountin), 0) - COALESCE(SUM(amountout), 0) <= 0'
            . ' AS done FROM tblaccounts WHERE invoiceid = ?', [$invoiceId]);
        return $row !== null && (bool) $row->done;
    }

    /** WHMCS records a refund of the payment `$transId` (a tblaccounts row whose refundid is the payment's row). */
    public function paymentRefunded(int $invoiceId, string $transId): bool
    {
        $payment = $this->payment($invoiceId, $transId);
        return $payment !== null && Capsule::table('tblaccounts')->where('refundid', (int) $payment->id)->exists();
    }

    public function countForInvoice(int $invoiceId): int
    {
        return Capsule::table(self::ORDERS)->where('invoice_id', $invoiceId)->count();
    }

    public function insert(array $row): int
    {
        $now = self::now();
        return (int) Capsule::table(self::ORDERS)->insertGetId($row + ['created_at' => $now, 'updated_at' => $now]);
    }

    public function update(int $id, array $changes): void
    {
        Capsule::table(self::ORDERS)->where('id', $id)->update($changes + ['updated_at' => self::now()]);
    }

    /** Step 3 of a credit: the claimed payment is in WHMCS. Idempotent; needs no lock. */
    public function confirmClaim(int $id, string $transId, array $changes): void
    {
        Capsule::table(self::ORDERS)->where('id', $id)->where('claim_transid', $transId)
            ->update($changes + ['updated_at' => self::now()]);
    }

    /** Ends a claim that wrote nothing (WHMCS refused, or failed before its payment row). */
    public function releaseClaim(int $id, string $transId, array $changes): void
    {
        Capsule::table(self::ORDERS)->where('id', $id)->where('claim_transid', $transId)->where('claim_state', 'applying')
            ->update($changes + ['claim_state' => null, 'updated_at' => self::now()]);
    }

    /** Last step of a refund record: the claimed refund is in WHMCS. Idempotent; needs no lock. */
    public function confirmRefund(int $id, string $refundTransId, array $changes): void
    {
        Capsule::table(self::ORDERS)->where('id', $id)->where('refund_transid', $refundTransId)
            ->update($changes + ['refund_state' => self::REFUND_RECORDED, 'updated_at' => self::now()]);
    }

    /** Ends a refund claim that wrote nothing (WHMCS refused, or failed before its row). */
    public function releaseRefund(int $id, string $refundTransId, array $changes): void
    {
        Capsule::table(self::ORDERS)->where('id', $id)->where('refund_transid', $refundTransId)
            ->where('refund_state', self::REFUND_APPLYING)
            ->update($changes + ['refund_state' => null, 'updated_at' => self::now()]);
    }

    public function setInvoiceStatus(int $invoiceId, string $status): void
    {
        Capsule::table('tblinvoices')->where('id', $invoiceId)->update(['status' => $status]);
    }

    /** The row in the shape SpectroCoin\Callback::decide() and ::transactionId() take. */
    public static function decisionInput(object $row): array
    {
        return [
            'orderId' => (string) $row->order_id,
            'orderRequestId' => $row->order_request_id === null ? null : (string) $row->order_request_id,
            // The ids of each kind learned from callbacks: an id of a recorded kind must be that one.
            'orderNumber' => isset($row->order_number) ? (string) $row->order_number : null,
            'orderUuid' => isset($row->order_uuid) ? (string) $row->order_uuid : null,
            // Current-API orders: the core checks it against the fetched order's merchantPreOrderId.
            'preOrderId' => isset($row->pre_order_id) ? (string) $row->pre_order_id : null,
            'receiveCurrency' => (string) $row->receive_currency,
            'receiveAmount' => (string) $row->receive_amount,
            'invoiceAmount' => (string) $row->invoice_amount,
            'invoiceCurrency' => (string) $row->invoice_currency,
            'payAmount' => $row->pay_amount === null ? null : (string) $row->pay_amount,
            'status' => (string) $row->status,
            'credited' => (bool) $row->credited,
            'pendingSet' => (bool) $row->pending_set,
            'createRefused' => (bool) $row->create_refused,
            'refundRecorded' => (string) ($row->refund_state ?? '') === self::REFUND_RECORDED,
        ];
    }

    /**
     * Whether the row was created under the settings in force now (merchant, project, API
     * generation). Rows from before schema 3 do not say: they count as created under other settings.
     */
    public static function createdUnder(object $row, Settings $settings): bool
    {
        return isset($row->merchant_id, $row->project_id, $row->api)
            && [(string) $row->merchant_id, (string) $row->project_id, (string) $row->api] === $settings->orderOrigin();
    }

    /** The row in the shape spectrocoin_order_reusable() takes. */
    public static function reuseInput(object $row): array
    {
        return [
            'status' => (string) $row->status,
            'credited' => (bool) $row->credited,
            'reviewReason' => $row->review_reason === null ? null : (string) $row->review_reason,
            'redirectUrl' => $row->redirect_url === null ? null : (string) $row->redirect_url,
            'validUntil' => $row->valid_until === null ? null : (string) $row->valid_until,
            'receiveAmount' => (string) $row->receive_amount,
            'receiveCurrency' => (string) $row->receive_currency,
            'invoiceAmount' => (string) $row->invoice_amount,
        ];
    }

    /** A module-private value (null when unset). */
    public function meta(string $name): ?string
    {
        $value = Capsule::table(self::META)->where('name', $name)->value('value');
        return is_string($value) ? $value : null;
    }

    public function setMeta(string $name, string $value): void
    {
        Capsule::table(self::META)->updateOrInsert(['name' => $name], ['value' => $value]);
    }
}
