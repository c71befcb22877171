<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/** Invoice reads. Balance = total − Σ amountin + Σ amountout of the invoice's transactions. */
final class Invoices
{
    public static function find(int $id): ?object
    {
        return $id > 0 ? Capsule::table('tblinvoices')->where('id', $id)->first() : null;
    }

    public static function balanceCents(int $id): int
    {
        $invoice = self::find($id);
        if ($invoice === null) {
            return 0;
        }
        $sums = Capsule::table('tblaccounts')->where('invoiceid', $id)
            ->selectRaw('COALESCE(SUM(amountin), 0) AS paid, COALESCE(SUM(amountout), 0) AS refunded')
            ->first();
        return Money::toCents($invoice->total) - Money::toCents($sums->paid) + Money::toCents($sums->refunded);
    }

    public static function balance(int $id): string
    {
        return Money::format(self::balanceCents($id));
    }

    public static function client(int $userId): ?object
    {
        return Capsule::table('tblclients')->where('id', $userId)->first();
    }

    /** The client's currency row, or the default currency. */
    public static function currencyOfClient(int $userId): object
    {
        $currencyId = (int) Capsule::table('tblclients')->where('id', $userId)->value('currency');
        $row = $currencyId > 0 ? Capsule::table('tblcurrencies')->where('id', $currencyId)->first() : null;
        return $row ?? Capsule::table('tblcurrencies')->where('default', 1)->first()
            ?? Capsule::table('tblcurrencies')->orderBy('id')->first();
    }

    public static function items(int $id): array
    {
        return Capsule::table('tblinvoiceitems')->where('invoiceid', $id)->orderBy('id')->get()->all();
    }

    public static function transactions(int $id): array
    {
        return Capsule::table('tblaccounts')->where('invoiceid', $id)->orderBy('id')->get()->all();
    }

    /** The number shown to people: invoicenum when set (custom numbering), else the id. */
    public static function number(object $invoice): string
    {
        return (string) $invoice->invoicenum !== '' ? (string) $invoice->invoicenum : (string) $invoice->id;
    }
}
