<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * The token that binds a Pay Now POST to one invoice, one viewer and a time. Only the server can
 * compute it (the key is derived from a random secret kept in mod_spectrocoin_meta, never from the
 * merchant's private key). Form: "<expiry, unix seconds>.<HMAC-SHA256 hex of
 * 'invoice:<id>|viewer:<viewer>|until:<expiry>'>"; the viewer is "client:<id>" or "admin" (the
 * people WHMCS shows the invoice to). A leaked form is useless to anyone else, and to everyone
 * once it has expired (LIFETIME_SECONDS).
 */
final class PayNowToken
{
    const SECRET_NAME = 'paynow_secret';

    /** How long a rendered Pay Now form stays usable: 4 hours (an invoice page left open over lunch). */
    const LIFETIME_SECONDS = 4 * 3600;

    /** @var string */
    private $key;

    public function __construct(string $secret)
    {
        // Domain separation: the stored secret is never used directly as an HMAC key.
        $this->key = hash_hmac('sha256', 'spectrocoin/paynow-token/v2', $secret, true);
    }

    public static function fromStore(OrderStore $store): self
    {
        return new self($store->secret(self::SECRET_NAME));
    }

    /** The viewer a token is bound to, from PayNow::viewer(); null when WHMCS would not show them the invoice. */
    public static function viewerFor(array $viewer, int $ownerId): ?string
    {
        if (!empty($viewer['admin'])) {
            return 'admin';
        }
        $client = (int) ($viewer['client'] ?? 0);
        return $client > 0 && $client === $ownerId ? 'client:' . $client : null;
    }

    public function issue(int $invoiceId, string $viewer, ?int $now = null): string
    {
        $until = ($now ?? time()) + self::LIFETIME_SECONDS;
        return $until . '.' . $this->mac($invoiceId, $viewer, $until);
    }

    public function verify(int $invoiceId, string $viewer, string $token, ?int $now = null): bool
    {
        if ($invoiceId <= 0 || preg_match('/^(\d{1,12})\.([0-9a-f]{64})$/', $token, $m) !== 1) {
            return false;
        }
        $until = (int) $m[1];
        // Checked in full before the time, so the answer does not tell a forger which part was wrong.
        $genuine = hash_equals($this->mac($invoiceId, $viewer, $until), $m[2]);
        return $genuine && $until >= ($now ?? time()) && $until <= ($now ?? time()) + self::LIFETIME_SECONDS;
    }

    private function mac(int $invoiceId, string $viewer, int $until): string
    {
        return hash_hmac('sha256', 'invoice:' . $invoiceId . '|viewer:' . $viewer . '|until:' . $until, $this->key);
    }
}
