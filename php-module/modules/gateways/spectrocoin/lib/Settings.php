<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * The module's settings, read from WHMCS' $params (APIVersion 1.1: already decoded) or from
 * getGatewayVariables() (values reportedly arrive HTML-encoded: decoded here, in one place).
 * A setting the admin never saved is absent: its default applies (WHMCS does not store Default).
 */
final class Settings
{
    const GATEWAY = 'spectrocoin';
    const DEFAULT_PAY_CURRENCY = 'BTC';

    /** @var array<string,mixed> */
    private $values;

    private function __construct(array $values)
    {
        $this->values = $values;
    }

    /** From the $params WHMCS passes to _link, _config_validate, _adminstatusmsg (APIVersion 1.1). */
    public static function fromParams(array $params): self
    {
        return new self($params);
    }

    /** From getGatewayVariables() in the callback and the Pay Now endpoint. */
    public static function fromGatewayVariables(array $vars): self
    {
        $decoded = [];
        foreach ($vars as $key => $value) {
            $decoded[$key] = is_string($value)
                ? html_entity_decode($value, ENT_QUOTES | ENT_HTML5, 'UTF-8')
                : $value;
        }
        return new self($decoded);
    }

    private function string(string $key): string
    {
        $v = $this->values[$key] ?? '';
        return is_scalar($v) ? trim((string) $v) : '';
    }

    /**
     * The merchant credentials in the shape the extension takes; the extension judges them (both or
     * neither of a pair, id kinds, the key). API URLs come from INI, not from here.
     */
    public function merchant(): array
    {
        return [
            'merchantId' => $this->string('merchantId'),
            'projectId' => $this->string('projectId'),
            // The PEM as pasted: the extension copes with CRLF and stray whitespace.
            'privateKey' => (string) ($this->values['privateKey'] ?? ''),
            'clientId' => $this->string('clientId'),
            'clientSecret' => (string) ($this->values['clientSecret'] ?? ''),
            'legacyMerchantId' => $this->string('legacyMerchantId'),
            'legacyProjectId' => $this->string('legacyProjectId'),
        ];
    }

    /** 'current' with API client credentials (the extension then creates orders there), else 'legacy'. */
    public function apiGeneration(): string
    {
        return $this->string('clientId') !== '' && (string) ($this->values['clientSecret'] ?? '') !== '' ? 'current' : 'legacy';
    }

    /** What an order row records of the settings it was created under: merchant id, project id, API. */
    public function orderOrigin(): array
    {
        return [$this->string('merchantId'), $this->string('projectId'), $this->apiGeneration()];
    }

    /** The numeric ids of a UUID set-up (legacyMerchantId, legacyProjectId), recorded with each order. */
    public function legacyIds(): array
    {
        return [$this->string('legacyMerchantId'), $this->string('legacyProjectId')];
    }

    public function payCurrency(): string
    {
        $c = strtoupper($this->string('payCurrency'));
        return $c === '' ? self::DEFAULT_PAY_CURRENCY : $c;
    }

    /** yesno: stored "on" or empty; never saved ⇒ the default (on). */
    public function markPending(): bool
    {
        if (!array_key_exists('markPending', $this->values) || $this->values['markPending'] === null) {
            return true;
        }
        $v = strtolower($this->string('markPending'));
        return in_array($v, ['on', 'yes', '1', 'true'], true);
    }

    /** yesno "Record SpectroCoin refunds in WHMCS": off unless saved on. */
    public function recordRefunds(): bool
    {
        return in_array(strtolower($this->string('recordRefunds')), ['on', 'yes', '1', 'true'], true);
    }

    /** WHMCS System URL with exactly one trailing slash ('' when unknown). */
    public function systemUrl(): string
    {
        $url = $this->string('systemurl');
        return $url === '' ? '' : rtrim($url, '/') . '/';
    }

    public function companyName(): string
    {
        return $this->string('companyname');
    }

    /** "Convert To For Processing" currency id, or 0. */
    public function convertTo(): int
    {
        return (int) $this->string('convertto');
    }

    public function callbackUrl(): string
    {
        return $this->systemUrl() . 'modules/gateways/callback/' . self::GATEWAY . '.php';
    }

    public function payNowUrl(): string
    {
        return $this->systemUrl() . 'modules/gateways/' . self::GATEWAY . '/paynow.php';
    }

    public function invoiceUrl(int $invoiceId): string
    {
        return $this->systemUrl() . 'viewinvoice.php?id=' . $invoiceId;
    }

    /** Where SpectroCoin sends the customer after paying: the override, or the invoice with WHMCS' banner. */
    public function successUrl(int $invoiceId): string
    {
        return $this->returnUrl('successUrl', $invoiceId, 'paymentsuccess=true');
    }

    public function failureUrl(int $invoiceId): string
    {
        return $this->returnUrl('failureUrl', $invoiceId, 'paymentfailed=true');
    }

    private function returnUrl(string $key, int $invoiceId, string $banner): string
    {
        $override = $this->string($key);
        if ($override !== '') {
            return str_replace('{invoiceid}', (string) $invoiceId, $override);
        }
        return $this->invoiceUrl($invoiceId) . '&' . $banner;
    }
}
