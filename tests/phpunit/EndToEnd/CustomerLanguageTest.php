<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use PHPUnit\Framework\TestCase;

/**
 * The customer's string tables (php-module/…/spectrocoin/lib/lang): every shipped language has
 * every key with the same placeholders, and every key the module uses exists. No site needed.
 */
final class CustomerLanguageTest extends TestCase
{
    private const MODULE = __DIR__ . '/../../../php-module/modules/gateways';

    /** @return array<string, array<string,string>> language => table */
    private static function tables(): array
    {
        $tables = [];
        foreach (glob(self::MODULE . '/spectrocoin/lib/lang/*.php') as $file) {
            $tables[basename($file, '.php')] = include $file;
        }
        return $tables;
    }

    private static function placeholders(string $text): array
    {
        preg_match_all('/\{[a-z]+\}/', $text, $m);
        $names = array_unique($m[0]);
        sort($names);
        return $names;
    }

    public function testEnglishAndAtLeastOneOtherLanguageAreShipped(): void
    {
        $languages = array_keys(self::tables());
        self::assertContains('english', $languages);
        self::assertGreaterThanOrEqual(2, count($languages));
    }

    public function testEveryLanguageHasEveryKeyWithTheSamePlaceholders(): void
    {
        $tables = self::tables();
        $english = $tables['english'];
        foreach ($tables as $language => $table) {
            self::assertSame([], array_values(array_diff(array_keys($english), array_keys($table))), "$language misses keys");
            self::assertSame([], array_values(array_diff(array_keys($table), array_keys($english))), "$language has keys English lacks");
            foreach ($table as $key => $text) {
                self::assertIsString($text);
                self::assertNotSame('', trim($text), "$language $key");
                self::assertSame(self::placeholders($english[$key]), self::placeholders($text), "$language $key placeholders");
            }
        }
    }

    public function testEveryKeyTheModuleUsesExists(): void
    {
        $english = self::tables()['english'];
        $files = array_merge([self::MODULE . '/spectrocoin.php', self::MODULE . '/spectrocoin/paynow.php'],
            glob(self::MODULE . '/spectrocoin/lib/*.php'));
        $used = [];
        foreach ($files as $file) {
            preg_match_all("/'((?:title|msg|ref|link|invoice|breadcrumb)\\.[a-z_]+)'/", (string) file_get_contents($file), $m);
            $used = array_merge($used, $m[1]);
        }
        self::assertGreaterThan(20, count(array_unique($used)), 'the scan finds the keys');
        self::assertSame([], array_values(array_diff(array_unique($used), array_keys($english))));
    }
}
