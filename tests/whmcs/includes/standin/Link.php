<?php

namespace StandIn;

/**
 * Which gateway pays an invoice and what its NAME_link returns.
 *
 * The invoice's paymentmethod when that gateway is active, else the first active gateway
 * (WHMCS falls back to the default gateway). NAME_link is called on every view; an exception
 * from it propagates (the page answers 500, as WHMCS' "Oops" page would).
 */
final class Link
{
    public static function gatewayFor(object $invoice): ?string
    {
        $method = (string) $invoice->paymentmethod;
        if (Gateways::isValidName($method) && Gateways::isActive($method) && is_file(Gateways::modulePath($method))) {
            return $method;
        }
        foreach (Gateways::activeNames() as $name) {
            if (is_file(Gateways::modulePath($name))) {
                return $name;
            }
        }
        return null;
    }

    /** The rule: only an Unpaid invoice with balance > 0 shows the gateway's button. */
    public static function shouldShow(object $invoice): bool
    {
        return (string) $invoice->status === 'Unpaid' && Invoices::balanceCents((int) $invoice->id) > 0;
    }

    public static function html(string $gateway, int $invoiceId): string
    {
        Gateways::load($gateway);
        $fn = $gateway . '_link';
        if (!function_exists($fn)) {
            return '';
        }
        $out = $fn(Params::encodeFor($gateway, Params::forInvoice($gateway, $invoiceId)));
        return is_string($out) ? $out : '';
    }
}
