<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The module's tables and the WHMCS rows it reads, through Capsule (the connection WHMCS itself
 * uses, so addInvoicePayment runs inside our transactions).
 *
 * mod_spectrocoin_orders: one row per SpectroCoin order we created (or tried to create).
 * mod_spectrocoin_meta:   module-private values (the Pay Now token secret).
 */
final class OrderStore
{
    const ORDERS = 'mod_spectrocoin_orders';
    const META = 'mod_spectrocoin_meta';

    /** Status of a row before SpectroCoin has sent any callback for it. */
    const STATUS_CREATED = 'CREATED';

    /** @var bool */
    private static $schemaChecked = false;

    /** Creates the module's tables if missing. DDL commits implicitly: never call inside a transaction. */
    public static function ensureSchema(): void
    {
        if (self::$schemaChecked) {
            return;
        }
        $schema = Capsule::schema();
        if (!$schema->hasTable(self::ORDERS)) {
            try {
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
            } catch (\Throwable $e) {
                // Another request created it at the same moment.
                if (!$schema->hasTable(self::ORDERS)) {
                    throw $e;
                }
            }
        }
        if (!$schema->hasTable(self::META)) {
            try {
                $schema->create(self::META, function ($t) {
                    $t->string('name', 64)->primary();
                    $t->text('value');
                });
            } catch (\Throwable $e) {
                if (!$schema->hasTable(self::META)) {
                    throw $e;
                }
            }
        }
        self::$schemaChecked = true;
    }

    public static function now(): string
    {
        return date('Y-m-d H:i:s');
    }

    /** A random server-side secret, created once; the first writer wins under concurrency. */
    public function secret(string $name): string
    {
        self::ensureSchema();
        $value = Capsule::table(self::META)->where('name', $name)->value('value');
        if (is_string($value) && $value !== '') {
            return $value;
        }
        Capsule::table(self::META)->insertOrIgnore(['name' => $name, 'value' => bin2hex(random_bytes(32))]);
        return (string) Capsule::table(self::META)->where('name', $name)->value('value');
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

    public function setInvoiceStatus(int $invoiceId, string $status): void
    {
        Capsule::table('tblinvoices')->where('id', $invoiceId)->update(['status' => $status]);
    }

    /** The row in the shape spectrocoin_decide() and spectrocoin_transaction_id() take. */
    public static function decisionInput(object $row): array
    {
        return [
            'orderId' => (string) $row->order_id,
            'orderRequestId' => $row->order_request_id === null ? null : (string) $row->order_request_id,
            // Current-API orders: the core checks it against the fetched order's merchantPreOrderId.
            'preOrderId' => isset($row->pre_order_id) ? (string) $row->pre_order_id : null,
            'receiveCurrency' => (string) $row->receive_currency,
            'receiveAmount' => (string) $row->receive_amount,
            'status' => (string) $row->status,
            'credited' => (bool) $row->credited,
            'pendingSet' => (bool) $row->pending_set,
            'createRefused' => (bool) $row->create_refused,
        ];
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
        self::ensureSchema();
        $value = Capsule::table(self::META)->where('name', $name)->value('value');
        return is_string($value) ? $value : null;
    }

    public function setMeta(string $name, string $value): void
    {
        self::ensureSchema();
        Capsule::table(self::META)->updateOrInsert(['name' => $name], ['value' => $value]);
    }
}
