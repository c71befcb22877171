<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/** WHMCS money amounts (decimal(16,2) strings) compared without floats. */
final class Decimal
{
    /** -1, 0 or 1, like strcmp, for decimal strings with up to 2 significant decimals. */
    public static function compare(string $a, string $b): int
    {
        return self::cents($a) <=> self::cents($b);
    }

    private static function cents(string $v): int
    {
        $v = trim($v);
        $negative = strpos($v, '-') === 0;
        $parts = explode('.', ltrim($v, '+-'), 2);
        $fraction = substr(str_pad($parts[1] ?? '', 2, '0'), 0, 2);
        $n = (int) $parts[0] * 100 + (int) $fraction;
        return $negative ? -$n : $n;
    }
}
