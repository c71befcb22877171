<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\NginxFront;

/**
 * The callback URL self-test (gateway Save and Addons → SpectroCoin Operations): a POST from the
 * server to {System URL}modules/gateways/callback/spectrocoin.php, answered by the module with a
 * marker. With nginx in front of the stand-in standing in the way as hosting set-ups do, each
 * obstacle is named with its fix; the probe itself changes nothing.
 */
final class CallbackUrlCheckTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

    private static ?NginxFront $front = null;

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        self::$front = new NginxFront(self::site()->systemUrl(), ['proxy', 'redirect-https', 'redirect-www', 'challenge', 'basic-auth',
            'maintenance', 'tls-untrusted']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$front?->stop();
        self::$front = null;
        parent::tearDownAfterClass();
    }

    /** Save with WHMCS's System URL set to $systemUrl; returns the "Callback URL" field of the settings page. */
    private function saveWith(string $systemUrl): string
    {
        self::site()->setConfig('SystemURL', $systemUrl);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, []));
        self::site()->setConfig('SystemURL', self::site()->systemUrl());
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertSame(1, preg_match('#<span id="spectrocoin-callback-check" data-ok="([01])">(.*?)</span>#s', $page, $m), $page);
        return $m[1] . ' ' . html_entity_decode(strip_tags($m[2]), ENT_QUOTES | ENT_HTML5);
    }

    public function testTheWorkingUrlAnswersWithTheMarkerAndEachObstacleIsNamedWithItsFix(): void
    {
        $tables = $this->snapshot();
        $direct = $this->saveWith(self::site()->systemUrl());
        self::assertStringStartsWith('1 Callback URL ' . self::site()->callbackUrl(self::GATEWAY), $direct);
        self::assertStringContainsString('works', $direct);
        self::assertStringContainsString('not that SpectroCoin can reach it', $direct);
        self::assertStringStartsWith('1 ', $this->saveWith(self::$front->url('proxy')), 'through a plain proxy it works too');

        $cases = [
            'redirect-https' => ['redirects (HTTP 301 to https://', 'System URL to https://'],
            'redirect-www' => ['redirects (HTTP 301 to http://www.localhost:', 'www and the bare host name'],
            'challenge' => ['challenge page (HTTP 403, HTML)', 'skip rule'],
            'basic-auth' => ['HTTP authentication is required (401, Basic realm="Restricted")', 'password protection'],
            'maintenance' => ['"maintenance" (HTTP 503)', 'end the maintenance'],
            'tls-untrusted' => ['TLS error', 'valid certificate'],
        ];
        foreach ($cases as $behaviour => [$problem, $fix]) {
            $shown = $this->saveWith(self::$front->url($behaviour));
            self::assertStringStartsWith('0 ', $shown, $behaviour);
            self::assertStringContainsString($problem, $shown, $behaviour);
            self::assertStringContainsString('Fix: ', $shown, $behaviour);
            self::assertStringContainsString($fix, $shown, $behaviour);
        }
        // A site without the module: the file is missing.
        $shown = $this->saveWith(self::site()->systemUrl() . 'elsewhere/');
        self::assertStringContainsString('not there (HTTP 404)', $shown);

        // Probes changed nothing: no order, gateway log line or payment; no activity line about a callback.
        self::assertSame($tables, $this->snapshot());
        self::assertSame([], self::site()->query("SELECT description FROM tblactivitylog WHERE description LIKE '%allback%' OR description LIKE '%probe%'"));
    }

    public function testTheProbeIsNotACallbackAndACallbackIsNotAProbe(): void
    {
        $nonce = str_repeat('ab', 16);
        $probe = self::site()->post(self::site()->callbackUrl(self::GATEWAY), 'spectrocoin-whmcs-probe=' . $nonce,
            [], ['Content-Type' => 'application/x-www-form-urlencoded']);
        self::assertSame(200, $probe['status']);
        self::assertSame('spectrocoin-whmcs-probe-ok ' . $nonce . ' gateway=active', $probe['body']);
        // Anything more or less is an ordinary (refused) callback, logged as one.
        $lines = count($this->gatewayLog());
        foreach (['spectrocoin-whmcs-probe=' . $nonce . '&sign=x', 'spectrocoin-whmcs-probe=' . strtoupper($nonce),
            'spectrocoin-whmcs-probe=' . $nonce . "\n"] as $body) {
            $answer = self::site()->post(self::site()->callbackUrl(self::GATEWAY), $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
            self::assertSame(400, $answer['status'], $body);
        }
        self::assertCount($lines + 3, $this->gatewayLog());
        // A GET with the probe's body is not a probe either.
        self::assertSame(405, self::site()->request('GET', self::site()->callbackUrl(self::GATEWAY), 'spectrocoin-whmcs-probe=' . $nonce)['status']);
    }

    public function testTheAddonPageTestsNowWithTheSessionsToken(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(ReconciliationTest::ADDON)['status']);
        $admin = self::site()->adminLogin();
        self::site()->setConfig('SystemURL', self::$front->url('challenge'));
        $page = self::site()->get(self::PAGE, $admin)['body'];
        self::assertSame(1, preg_match('#<form method="post" action="[^"]*" id="spectrocoin-callback-test"><input type="hidden" name="token" value="([0-9a-f]+)">#', $page, $m), $page);

        $refused = self::site()->post(self::PAGE, ['action' => 'callbacktest', 'token' => 'x'], $admin)['body'];
        self::assertStringContainsString('security token is missing or out of date', $refused);

        $done = self::site()->post(self::PAGE, ['action' => 'callbacktest', 'token' => $m[1]], $admin)['body'];
        self::assertStringContainsString('The callback URL test found a problem: A firewall or CDN answered with a challenge page', $done);
        self::assertStringContainsString('data-ok="0"', $done);
        self::site()->setConfig('SystemURL', self::site()->systemUrl());
    }

    /** Row counts of what a callback could change. */
    private function snapshot(): array
    {
        $out = [];
        // (tblactivitylog is not among them: each Save and admin login of the test writes there.)
        foreach (['mod_spectrocoin_orders', 'tblgatewaylog', 'tblaccounts', 'tblinvoices'] as $t) {
            $out[$t] = self::site()->query("SELECT COUNT(*) AS n, MAX(id) AS last FROM $t")[0];
        }
        return $out;
    }
}
