<?php

namespace StandIn;

/**
 * Encryption of secret gateway settings with configuration.php's $cc_encryption_hash, as
 * WHMCS 8.7+ does: a module must read settings through getGatewayVariables(), never SQL.
 * (The format is the stand-in's own: "standin-enc:" + base64(iv . AES-256-CBC ciphertext).)
 */
final class Crypt
{
    private const PREFIX = 'standin-enc:';

    public static function isEncrypted(string $value): bool
    {
        return strncmp($value, self::PREFIX, strlen(self::PREFIX)) === 0;
    }

    public static function encrypt(string $plain): string
    {
        if ($plain === '') {
            return '';
        }
        $iv = random_bytes(16);
        $cipher = openssl_encrypt($plain, 'aes-256-cbc', self::key(), OPENSSL_RAW_DATA, $iv);
        return self::PREFIX . base64_encode($iv . $cipher);
    }

    public static function decrypt(string $value): string
    {
        $raw = base64_decode(substr($value, strlen(self::PREFIX)), true);
        if ($raw === false || strlen($raw) < 17) {
            return '';
        }
        $plain = openssl_decrypt(substr($raw, 16), 'aes-256-cbc', self::key(), OPENSSL_RAW_DATA, substr($raw, 0, 16));
        return $plain === false ? '' : $plain;
    }

    private static function key(): string
    {
        return hash('sha256', (string) ($GLOBALS['cc_encryption_hash'] ?? ''), true);
    }
}
