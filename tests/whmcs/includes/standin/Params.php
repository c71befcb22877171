<?php

namespace StandIn;

/**
 * The `$params` WHMCS hands to gateway module functions.
 *
 * Values are assembled decoded; modules declaring APIVersion 1.1 get them as they are, any
 * other (or no) APIVersion gets every string HTML-entity-encoded (*reported* default 1.0).
 */
final class Params
{
    public const LANG_PAY_NOW = 'Pay Now';

    public static function encodeFor(string $gateway, array $params): array
    {
        return version_compare(Gateways::apiVersion($gateway), '1.1', '>=') ? $params : self::encodeAll($params);
    }

    public static function encodeAll(array $params): array
    {
        foreach ($params as $key => $value) {
            if (is_array($value)) {
                $params[$key] = self::encodeAll($value);
            } elseif (is_string($value)) {
                $params[$key] = htmlspecialchars($value, ENT_QUOTES);
            }
        }
        return $params;
    }

    /** Settings + paymentmethod, companyname, systemurl (decoded). */
    public static function base(string $gateway): array
    {
        return array_merge(Gateways::settings($gateway), [
            'paymentmethod' => $gateway,
            'companyname' => Config::companyName(),
            'systemurl' => Config::systemUrl(),
        ]);
    }

    /**
     * `$params` for NAME_link (decoded): base + langpaynow, whmcsVersion, invoice fields, amount =
     * balance, clientdetails, and the convertto fields. Standard keys override settings of
     * the same name, as in WHMCS.
     */
    public static function forInvoice(string $gateway, int $invoiceId): array
    {
        $invoice = Invoices::find($invoiceId);
        if ($invoice === null) {
            throw new \WHMCS\Exception("Invoice ID Not Found: $invoiceId");
        }
        $params = self::base($gateway);
        $params['langpaynow'] = self::LANG_PAY_NOW;
        $params['whmcsVersion'] = Config::version();
        return array_merge($params, self::invoiceFields($params, $invoice, Invoices::balanceCents($invoiceId)));
    }

    /** `$params` for NAME_refund (decoded): the invoice params with amount = refund amount, transid. */
    public static function forRefund(string $gateway, int $invoiceId, int $amountCents, string $transId): array
    {
        $invoice = Invoices::find($invoiceId);
        if ($invoice === null) {
            throw new \WHMCS\Exception("Invoice ID Not Found: $invoiceId");
        }
        $params = self::base($gateway);
        $params['whmcsVersion'] = Config::version();
        $params = array_merge($params, self::invoiceFields($params, $invoice, $amountCents));
        $params['transid'] = $transId;
        return $params;
    }

    private static function invoiceFields(array $settings, object $invoice, int $amountCents): array
    {
        $currency = Invoices::currencyOfClient((int) $invoice->userid);
        $systemUrl = Config::systemUrl();
        $fields = [
            'invoiceid' => (int) $invoice->id,
            'invoicenum' => Invoices::number($invoice),
            'amount' => Money::format($amountCents),
            'currency' => (string) $currency->code,
            'currencyId' => (int) $currency->id,
            'description' => Config::companyName() . ' - Invoice #' . Invoices::number($invoice),
            'returnurl' => $systemUrl . 'viewinvoice.php?id=' . $invoice->id,
            'dueDate' => (string) $invoice->duedate,
            'clientdetails' => self::clientDetails((int) $invoice->userid),
        ];
        $convertTo = (int) ($settings['convertto'] ?? 0);
        if ($convertTo > 0 && $convertTo !== (int) $currency->id) {
            $target = \WHMCS\Database\Capsule::table('tblcurrencies')->where('id', $convertTo)->first();
            if ($target !== null) {
                $fields['basecurrencyamount'] = $fields['amount'];
                $fields['basecurrency'] = $fields['currency'];
                $fields['baseCurrencyId'] = $fields['currencyId'];
                $fields['amount'] = convertCurrency($fields['amount'], (int) $currency->id, $convertTo);
                $fields['currency'] = (string) $target->code;
                $fields['currencyId'] = (int) $target->id;
            }
        }
        return $fields;
    }

    public static function clientDetails(int $userId): array
    {
        $client = Invoices::client($userId);
        if ($client === null) {
            return [];
        }
        $currency = Invoices::currencyOfClient($userId);
        $phone = (string) $client->phonenumber;
        $phoneCc = preg_match('/^\+(\d+)\./', $phone, $m) ? $m[1] : '';
        return [
            'userid' => (int) $client->id,
            'id' => (int) $client->id,
            'uuid' => (string) $client->uuid,
            'firstname' => (string) $client->firstname,
            'lastname' => (string) $client->lastname,
            'fullname' => trim($client->firstname . ' ' . $client->lastname),
            'companyname' => (string) $client->companyname,
            'email' => (string) $client->email,
            'address1' => (string) $client->address1,
            'address2' => (string) $client->address2,
            'city' => (string) $client->city,
            'state' => (string) $client->state,
            'fullstate' => (string) $client->state,
            'postcode' => (string) $client->postcode,
            'countrycode' => (string) $client->country,
            'country' => (string) $client->country,
            'phonenumber' => $phone,
            'phonecc' => $phoneCc,
            'status' => (string) $client->status,
            'language' => (string) $client->language,
            'defaultgateway' => (string) $client->defaultgateway,
            'credit' => Money::normalize($client->credit),
            'currency' => (int) $currency->id,
            'currency_code' => (string) $currency->code,
        ];
    }
}
