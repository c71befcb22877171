<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * The token that binds a Pay Now POST to one invoice. Only the server can compute it (the key is
 * derived from a random secret kept in mod_spectrocoin_meta, never from the merchant's private key),
 * and WHMCS only renders it on that invoice's page, for the people allowed to see that invoice.
 */
final class PayNowToken
{
    const SECRET_NAME = 'paynow_secret';

    /** @var string */
    private $key;

    public function __construct(string $secret)
    {
        // Domain separation: the stored secret is never used directly as an HMAC key.
        $this->key = hash_hmac('sha256', 'spectrocoin/paynow-token/v1', $secret, true);
    }

    public static function fromStore(OrderStore $store): self
    {
        return new self($store->secret(self::SECRET_NAME));
    }

    public function issue(int $invoiceId): string
    {
        return hash_hmac('sha256', 'invoice:' . $invoiceId, $this->key);
    }

    public function verify(int $invoiceId, string $token): bool
    {
        return $invoiceId > 0 && hash_equals($this->issue($invoiceId), $token);
    }
}
