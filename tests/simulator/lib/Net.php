<?php

declare(strict_types=1);

namespace Sim;

/** IP allow-list matching (exact addresses and CIDR ranges, IPv4 and IPv6). */
final class Net
{
    public static function validEntry(string $entry): bool
    {
        [$ip, $bits] = array_pad(explode('/', $entry, 2), 2, null);
        $packed = @inet_pton($ip);
        if ($packed === false) {
            return false;
        }
        if ($bits === null) {
            return true;
        }
        return preg_match('/^[0-9]{1,3}$/D', $bits) === 1 && (int) $bits <= strlen($packed) * 8;
    }

    /** @param list<string>|null $allowList null: everyone is allowed */
    public static function allowed(?array $allowList, string $ip): bool
    {
        if ($allowList === null) {
            return true;
        }
        $addr = @inet_pton($ip);
        if ($addr === false) {
            return false;
        }
        // An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) counts as its IPv4 address.
        if (strlen($addr) === 16 && str_starts_with($addr, str_repeat("\0", 10) . "\xff\xff")) {
            $addr = substr($addr, 12);
        }
        foreach ($allowList as $entry) {
            [$net, $bits] = array_pad(explode('/', $entry, 2), 2, null);
            $netAddr = @inet_pton($net);
            if ($netAddr === false || strlen($netAddr) !== strlen($addr)) {
                continue;
            }
            $bits = $bits === null ? strlen($addr) * 8 : (int) $bits;
            $bytes = intdiv($bits, 8);
            if (substr($addr, 0, $bytes) !== substr($netAddr, 0, $bytes)) {
                continue;
            }
            $rest = $bits % 8;
            if ($rest === 0) {
                return true;
            }
            $mask = (0xff << (8 - $rest)) & 0xff;
            if ((ord($addr[$bytes]) & $mask) === (ord($netAddr[$bytes]) & $mask)) {
                return true;
            }
        }
        return false;
    }
}
