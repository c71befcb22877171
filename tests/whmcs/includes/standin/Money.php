<?php

namespace StandIn;

/** Amounts as integer cents, so decimal(16,2) arithmetic stays exact. */
final class Money
{
    /** '12.345' => 1235 (half away from zero, as PHP's round()), '' => 0. */
    public static function toCents($amount): int
    {
        if ($amount === null || $amount === '' || $amount === false) {
            return 0;
        }
        return (int) round(round((float) $amount, 2) * 100);
    }

    /** 1235 => '12.35', -5 => '-0.05'. */
    public static function format(int $cents): string
    {
        $sign = $cents < 0 ? '-' : '';
        $abs = abs($cents);
        return sprintf('%s%d.%02d', $sign, intdiv($abs, 100), $abs % 100);
    }

    /** Any amount => 'xxx.xx'. */
    public static function normalize($amount): string
    {
        return self::format(self::toCents($amount));
    }
}
