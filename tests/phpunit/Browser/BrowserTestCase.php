<?php

declare(strict_types=1);

namespace Tests\Browser;

use Testbed\Browser;
use Tests\EndToEnd\EndToEndTestCase;

/**
 * The product as people see it: the end-to-end sandbox (stand-in + simulator + extension +
 * module) driven through headless Chromium (Testbed\Browser). Assertions are on the rendered
 * text, not on the HTML; every test keeps its screenshots in target/browser-artifacts/<Class>_<test>/.
 */
abstract class BrowserTestCase extends EndToEndTestCase
{
    /**
     * SpectroCoin status names as the core and the database spell them, and any UPPER_SNAKE word:
     * a customer must never read one (issue 17: plain words instead).
     */
    public const RAW_STATUS = '/\b(?:CREATED|NEW|PENDING|PAID|EXPIRED|FAILED|TEST|UNKNOWN|REFUNDED|[A-Z]+_[A-Z_]+)\b/';

    protected ?Browser $browser = null;

    protected function setUp(): void
    {
        parent::setUp();
        $class = substr(static::class, strrpos(static::class, '\\') + 1);
        $this->browser = new Browser($class . '/' . $this->getName(false));
    }

    protected function tearDown(): void
    {
        $this->browser?->quit();
        $this->browser = null;
        parent::tearDown();
    }

    protected function browser(): Browser
    {
        return $this->browser;
    }

    /** Logs a seeded client in through login.php's form (every seeded password is "client"). */
    protected function clientLogsIn(string $email, string $goto = ''): void
    {
        $b = $this->browser();
        $b->open(self::site()->url('login.php' . ($goto !== '' ? '?goto=' . rawurlencode($goto) : '')));
        $b->fill('input[name=username]', $email);
        $b->fill('input[name=password]', 'client');
        $b->click('form[action="dologin.php"] button[type=submit]');
        self::assertStringNotContainsString('Login Details Incorrect', $b->text());
    }

    /** Logs the seeded admin in through admin/login.php's form. */
    protected function adminLogsIn(): void
    {
        $b = $this->browser();
        $b->open(self::site()->url('admin/login.php'));
        $b->fill('input[name=username]', 'admin');
        $b->fill('input[name=password]', 'admin');
        $b->click('button[type=submit]');
        self::assertStringContainsString('Admin area', $b->text(), 'admin login');
    }

    /** Asserts the page's visible text contains `$needle`, and says what the page showed otherwise. */
    protected function assertSees(string $needle, string $css = 'body'): void
    {
        // A click that submits a form returns while the old document may still be shown (Chromium
        // keeps it until the answer arrives): wait up to 10 s for the text, as a person would.
        $deadline = microtime(true) + 10.0;
        while (true) {
            try {
                $text = $this->browser()->text($css);
            } catch (\RuntimeException $e) {
                $text = '';
            }
            if (str_contains($text, $needle) || microtime(true) >= $deadline) {
                break;
            }
            usleep(100_000);
        }
        if ($text === '') {
            $text = $this->browser()->text($css);
        }
        self::assertStringContainsString($needle, $text, 'at ' . $this->browser()->currentUrl() . " the page reads:\n" . $text);
    }

    protected function assertDoesNotSee(string $needle, string $css = 'body'): void
    {
        $text = $this->browser()->text($css);
        self::assertStringNotContainsString($needle, $text, 'at ' . $this->browser()->currentUrl() . " the page reads:\n" . $text);
    }

    /** A customer page: no status constant anywhere in what the customer reads. */
    protected function assertNoRawStatus(): void
    {
        $text = $this->browser()->text();
        self::assertDoesNotMatchRegularExpression(self::RAW_STATUS, $text, 'raw status on ' . $this->browser()->currentUrl() . ":\n" . $text);
    }
}
