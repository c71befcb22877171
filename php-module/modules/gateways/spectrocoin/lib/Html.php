<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/** HTML output helpers: everything the module prints goes through e(). */
final class Html
{
    public static function e($value): string
    {
        return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }

    /**
     * CustomerPage's content as a stand-alone page, where WHMCS\ClientArea cannot be used: the
     * shop's name, the same element ids as templates/message.tpl.
     */
    public static function customerPage(array $page, string $company): string
    {
        $reference = $page['reference'] === '' ? ''
            : '<p id="spectrocoin-reference" class="spectrocoin-reference">' . self::e($page['referenceIntro'])
                . ' <strong>' . self::e($page['reference']) . '</strong></p>';
        $lang = ['german' => 'de', 'lithuanian' => 'lt'][$page['language']] ?? 'en';
        return "<!DOCTYPE html>\n<html lang=\"" . $lang . "\"><head><meta charset=\"utf-8\">"
            . '<meta name="viewport" content="width=device-width, initial-scale=1">'
            . '<title>' . self::e($page['title']) . ($company !== '' ? ' - ' . self::e($company) : '') . '</title></head>'
            . '<body style="font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em">'
            . ($company !== '' ? '<header><strong id="company-name">' . self::e($company) . '</strong></header>' : '')
            . '<div id="spectrocoin-message" class="spectrocoin-message spectrocoin-' . self::e($page['kind']) . '">'
            . '<h1 id="spectrocoin-title">' . self::e($page['title']) . '</h1><p id="spectrocoin-text">' . self::e($page['message']) . '</p>'
            . $reference
            . '<p><a id="spectrocoin-back" href="' . self::e($page['backUrl']) . '">' . self::e($page['backLabel']) . '</a></p>'
            . "</div></body></html>\n";
    }
}
