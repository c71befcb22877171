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

    /**
     * An amount rounded half up to 2 decimals, as text, computed on its decimal digits (no
     * binary float arithmetic): WHMCS's convertCurrency() may answer a float, which is written
     * out once with 10 decimals and rounded as text. Null for anything that is not a finite
     * plain amount of at most 15 integer digits.
     */
    public static function round2(string|int|float $v): ?string
    {
        if (is_float($v)) {
            if (!is_finite($v)) {
                return null;
            }
            $v = sprintf('%.10F', $v);
        }
        if (!preg_match('/^([+-]?)(\d{1,15})(?:\.(\d*))?$/', trim((string) $v), $m)) {
            return null;
        }
        $fraction = str_pad($m[3] ?? '', 3, '0');
        $cents = (int) $m[2] * 100 + (int) substr($fraction, 0, 2) + ($fraction[2] >= '5' ? 1 : 0);
        $text = intdiv($cents, 100) . '.' . str_pad((string) ($cents % 100), 2, '0', STR_PAD_LEFT);
        return ($m[1] === '-' && $cents > 0 ? '-' : '') . $text;
    }

    /** $a − $b for decimal strings with up to 2 decimals, as a 2-decimal string, without floats. */
    public static function subtract(string $a, string $b): string
    {
        $cents = self::cents($a) - self::cents($b);
        $abs = abs($cents);
        return ($cents < 0 ? '-' : '') . intdiv($abs, 100) . '.' . str_pad((string) ($abs % 100), 2, '0', STR_PAD_LEFT);
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
