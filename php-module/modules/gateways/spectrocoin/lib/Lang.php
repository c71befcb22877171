<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * The customer's strings in the customer's WHMCS language. Tables are lib/lang/NAME.php, NAME as
 * WHMCS names languages (english, german, …); a language without a file, and a key missing from
 * a file, fall back to English. Adding a language is adding a file.
 */
final class Lang
{
    const FALLBACK = 'english';

    /** @var string */
    private $language;
    /** @var array<string,string> */
    private $strings;

    private function __construct(string $language, array $strings)
    {
        $this->language = $language;
        $this->strings = $strings;
    }

    /** The shipped languages (file names without .php). */
    public static function available(): array
    {
        $names = array_map(fn ($f) => basename($f, '.php'), glob(__DIR__ . '/lang/*.php') ?: []);
        sort($names);
        return $names;
    }

    /** @return array<string,string> one language's own table, without the fallback */
    public static function table(string $language): array
    {
        $file = __DIR__ . '/lang/' . $language . '.php';
        if (!preg_match('/^[a-z]+$/', $language) || !is_file($file)) {
            return [];
        }
        $strings = include $file;
        return is_array($strings) ? $strings : [];
    }

    public static function of(string $language): self
    {
        $language = strtolower(trim($language));
        $own = $language === self::FALLBACK ? [] : self::table($language);
        if ($own === []) {
            $language = self::FALLBACK;
        }
        return new self($language, $own + self::table(self::FALLBACK));
    }

    /**
     * WHMCS's language for this visitor: the one chosen in this session (`$_SESSION['Language']`),
     * else the client's own (tblclients.language, or $clientLanguage when the caller has it from
     * `$params['clientdetails']['language']`), else the system default (tblconfiguration `Language`).
     */
    public static function forClient(int $clientId, ?string $clientLanguage = null): self
    {
        $candidates = [isset($_SESSION['Language']) && is_string($_SESSION['Language']) ? $_SESSION['Language'] : ''];
        if ($clientLanguage !== null) {
            $candidates[] = $clientLanguage;
        } elseif ($clientId > 0) {
            $candidates[] = self::lookup(fn () => Capsule::table('tblclients')->where('id', $clientId)->value('language'));
        }
        $candidates[] = self::lookup(fn () => Capsule::table('tblconfiguration')->where('setting', 'Language')->value('value'));
        foreach ($candidates as $candidate) {
            $candidate = strtolower(trim((string) $candidate));
            if ($candidate !== '') {
                return self::of($candidate);
            }
        }
        return self::of(self::FALLBACK);
    }

    private static function lookup(callable $read): string
    {
        try {
            return (string) $read();
        } catch (\Throwable $e) {
            return '';
        }
    }

    public function language(): string
    {
        return $this->language;
    }

    /** The string for $key with {name} placeholders filled; the key itself when no table has it. */
    public function t(string $key, array $vars = []): string
    {
        $text = $this->strings[$key] ?? $key;
        $replace = [];
        foreach ($vars as $name => $value) {
            $replace['{' . $name . '}'] = (string) $value;
        }
        return strtr($text, $replace);
    }
}
