<?php

declare(strict_types=1);

namespace Sim;

/**
 * The simulator's own "SpectroCoin" RSA-2048 key pair, generated into the state dir on first
 * use (never committed). Its public half is served at /files/merchant.public.pem and signs
 * every callback.
 */
final class Keys
{
    public static function privatePem(string $dir): string
    {
        self::ensure($dir);
        return (string) file_get_contents($dir . '/spectrocoin.private.pem');
    }

    public static function publicPem(string $dir): string
    {
        self::ensure($dir);
        return (string) file_get_contents($dir . '/spectrocoin.public.pem');
    }

    /** Replaces the key pair (control API: reset with newKey). */
    public static function regenerate(string $dir): void
    {
        self::withLock($dir, static function () use ($dir): void {
            self::generate($dir);
        });
    }

    private static function ensure(string $dir): void
    {
        if (is_file($dir . '/spectrocoin.public.pem')) {
            return;
        }
        self::withLock($dir, static function () use ($dir): void {
            if (!is_file($dir . '/spectrocoin.public.pem')) {
                self::generate($dir);
            }
        });
    }

    private static function withLock(string $dir, callable $fn): void
    {
        $lock = fopen($dir . '/keys.lock', 'c');
        if ($lock === false) {
            throw new \RuntimeException("cannot open key lock in $dir");
        }
        flock($lock, LOCK_EX);
        try {
            $fn();
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }
    }

    private static function generate(string $dir): void
    {
        $key = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        if ($key === false || !openssl_pkey_export($key, $privatePem)) {
            throw new \RuntimeException('RSA key generation failed: ' . (openssl_error_string() ?: 'unknown'));
        }
        $details = openssl_pkey_get_details($key);
        // Write the private half first: the public file's presence means "both exist".
        file_put_contents($dir . '/spectrocoin.private.pem.tmp', $privatePem);
        chmod($dir . '/spectrocoin.private.pem.tmp', 0600);
        rename($dir . '/spectrocoin.private.pem.tmp', $dir . '/spectrocoin.private.pem');
        file_put_contents($dir . '/spectrocoin.public.pem.tmp', $details['key']);
        rename($dir . '/spectrocoin.public.pem.tmp', $dir . '/spectrocoin.public.pem');
    }
}
