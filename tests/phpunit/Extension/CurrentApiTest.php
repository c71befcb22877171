<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\ApiException;
use SpectroCoin\CallbackException;
use SpectroCoin\ConfigException;
use SpectroCoin\NetworkException;
use Testbed\Simulator;

/** The extension's current-API client against the SpectroCoin simulator. */
final class CurrentApiTest extends ExtensionTestCase
{
    private static ?Simulator $sim = null;
    private static int $n = 0;

    public static function setUpBeforeClass(): void
    {
        self::$sim = new Simulator();
    }

    public static function tearDownAfterClass(): void
    {
        self::$sim?->stop();
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::$sim->clearFaults();
    }

    /** Each test its own client id, so the process-wide token cache does not leak between tests. */
    private function merchant(array $extra = []): array
    {
        $id = 'ext-client-' . getmypid() . '-' . (++self::$n);
        self::$sim->registerClient($id, 'secret-' . $id);
        return $extra + [
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
            'clientId' => $id, 'clientSecret' => 'secret-' . $id,
            'publicApiUrl' => self::$sim->publicApiUrl(), 'timeout' => 2,
        ];
    }

    private function order(string $orderId): array
    {
        return ['orderId' => $orderId, 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30',
            'description' => 'Invoice #7 & "ąčę"', 'callbackUrl' => 'http://127.0.0.1:9/cb',
            'successUrl' => 'http://127.0.0.1:9/ok', 'failureUrl' => 'http://127.0.0.1:9/fail'];
    }

    private function tokenRequestsOf(string $clientId): int
    {
        return count(array_filter(self::$sim->tokenRequests(), fn ($r) => str_contains(json_encode($r), $clientId)));
    }

    public function testCreatesAPreOrderThroughOAuthAndCachesTheToken(): void
    {
        $m = $this->merchant();
        $a = spectrocoin_create_order($m, $this->order('cur-' . self::$n . '-1'));
        $b = spectrocoin_create_order($m, $this->order('cur-' . self::$n . '-2'));
        self::assertSame('current', $a['api']);
        self::assertTrue($a['preOrder']);
        self::assertNull($a['orderRequestId']);
        self::assertNotEmpty($a['preOrderId']);
        self::assertNotSame($a['preOrderId'], $b['preOrderId']);
        self::assertSame('12.3', $a['receiveAmount']);
        self::assertSame('EUR', $a['receiveCurrency']);
        self::assertStringStartsWith(self::$sim->url(), $a['redirectUrl']);
        self::assertGreaterThan(time() * 1000, $a['validUntil']);
        self::assertSame(1, $this->tokenRequestsOf($m['clientId']), 'one token for two orders');
        $sent = self::$sim->preOrder($a['preOrderId']);
        self::assertSame('Invoice #7 & "ąčę"', $sent['description'] ?? $sent['preOrder']['description'] ?? null);
    }

    public function testAJsonCallbackIsAuthenticatedByReFetchingTheOrder(): void
    {
        $m = $this->merchant();
        $created = spectrocoin_create_order($m, $this->order('cur-' . self::$n));
        $chosen = self::$sim->choose($created['preOrderId']);
        $uuid = $chosen['order']['id'];
        self::$sim->pay($uuid, false);
        $body = json_encode(['id' => $uuid, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID]);
        $cb = spectrocoin_handle_callback($body, 'application/json; charset=UTF-8', $m);
        self::assertSame('json', $cb['format']);
        self::assertSame(3, $cb['status']);
        self::assertSame('PAID', $cb['statusName']);
        self::assertSame($uuid, $cb['orderRequestId']);
        self::assertSame('cur-' . self::$n, $cb['orderId']);
        self::assertSame('12.3', $cb['receiveAmount']);
        self::assertSame($created['preOrderId'], $cb['merchantPreOrderId']);
        $fetched = spectrocoin_fetch_order($m, $uuid);
        self::assertSame('PAID', $fetched['statusName']);
        $d = spectrocoin_decide($cb, ['orderId' => $cb['orderId'], 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30',
            'preOrderId' => $created['preOrderId']], ['status' => 'Unpaid']);
        self::assertSame(['credit', 'SC' . $uuid], [$d['action'], $d['transId']]);
        // The same callback as a verified object decides alike, and carries it to the pre-order row.
        $verified = spectrocoin_authenticate_callback($body, 'application/json; charset=UTF-8', $m);
        self::assertSame($cb, $verified->toArray());
        $d2 = $verified->decide(['orderId' => $cb['orderId'], 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30',
            'preOrderId' => $created['preOrderId']], ['status' => 'Unpaid']);
        self::assertSame(['credit', 'SC' . $uuid, $uuid], [$d2['action'], $d2['transId'], $d2['row']['orderRequestId']]);
    }

    public function testJsonCallbacksForAnotherProjectOrAnUnknownOrderAreRefused(): void
    {
        $m = $this->merchant();
        try {
            spectrocoin_handle_callback(json_encode(['id' => 'x-1', 'merchantApiId' => '9f1c2d3e-1111-4222-8333-444455556666']), 'application/json', $m);
            self::fail('accepted another project');
        } catch (CallbackException $e) {
            self::assertInstanceOf(\SpectroCoin\ForeignCallbackException::class, $e);
            self::assertStringContainsString('another project', $e->getMessage());
        }
        try {
            spectrocoin_handle_callback(json_encode(['id' => '0b6f0c7e-2a5b-4c7d-9e1f-123456789abc', 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID]), 'application/json', $m);
            self::fail('accepted an unknown order');
        } catch (CallbackException $e) {
            self::assertStringContainsString('does not know', $e->getMessage());
        }
        foreach (['', '{}', '{"id":1}', 'id=1', str_repeat('x', 70000)] as $bad) {
            try {
                spectrocoin_handle_callback($bad, 'application/json', $m);
                self::fail('accepted ' . substr($bad, 0, 20));
            } catch (CallbackException $e) {
                self::assertNotSame('', $e->getMessage());
            }
        }
        $this->expectException(CallbackException::class);
        spectrocoin_handle_callback('<xml/>', 'text/xml', $m);
    }

    public function testSpectroCoinBusyDuringTheReFetchIsANetworkExceptionSoTheCallbackIsRetried(): void
    {
        $m = $this->merchant();
        $created = spectrocoin_create_order($m, $this->order('busy-' . self::$n));
        $uuid = self::$sim->choose($created['preOrderId'])['order']['id'];
        $body = json_encode(['id' => $uuid, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID]);
        foreach (['http429' => 429, 'http503' => 503] as $kind => $status) {
            self::$sim->fault('get', $kind);
            try {
                spectrocoin_handle_callback($body, 'application/json', $m);
                self::fail("$kind accepted");
            } catch (NetworkException $e) {
                self::assertStringContainsString('temporary', $e->getMessage(), $kind);
                // The re-fetch's facts survive the mapping to NetworkException.
                self::assertSame($status, $e->getHttpStatus(), $kind);
                self::assertTrue($e->isRetryable(), $kind);
                self::assertMatchesRegularExpression('/^[0-9a-f]{16}$/', (string) $e->getTraceId(), $kind);
            }
        }
        self::assertSame($uuid, spectrocoin_handle_callback($body, 'application/json', $m)['orderRequestId']);
    }

    public function testAJsonCallbackWithoutOAuthCredentialsIsAConfigurationProblem(): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessageMatches('/Client ID/');
        spectrocoin_handle_callback(json_encode(['id' => 'a', 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID]), 'application/json',
            ['merchantId' => '25', 'projectId' => '74', 'privateKey' => 'x']);
    }

    public function testAnExpiredTokenIsReplacedBeforeUseAndARevokedOneAfterA401(): void
    {
        $m = $this->merchant();
        self::$sim->tokenLifetime(2);
        try {
            spectrocoin_create_order($m, $this->order('tok-' . self::$n . '-1'));
            usleep(2_100_000);
            spectrocoin_create_order($m, $this->order('tok-' . self::$n . '-2'));
            self::assertSame(2, $this->tokenRequestsOf($m['clientId']), 'expired token renewed');
        } finally {
            self::$sim->tokenLifetime(null);
        }
        spectrocoin_create_order($m, $this->order('tok-' . self::$n . '-3'));
        $before = $this->tokenRequestsOf($m['clientId']);
        self::$sim->revokeTokens(['all' => true]);
        $o = spectrocoin_create_order($m, $this->order('tok-' . self::$n . '-4'));
        self::assertSame('current', $o['api']);
        self::assertSame($before + 1, $this->tokenRequestsOf($m['clientId']), 'one new token after the 401');
    }

    /** Every function reads the merchant's settings the same way: a URL from php.ini is checked
     * by the offline configuration check exactly as the same URL given in $merchant. */
    public function testTheConfigCheckRefusesAPlainHttpUrlFromPhpIniAsFromTheMerchant(): void
    {
        $m = $this->merchant();
        unset($m['publicApiUrl']);
        $plain = 'http://spectrocoin.example/api/public';
        foreach (['merchant' => $m + ['publicApiUrl' => $plain], 'php.ini' => $m] as $where => $merchant) {
            ini_set('spectrocoin.public_api_url', $plain);
            try {
                spectrocoin_check_config($merchant, false);
                self::fail("$where: a plain http public API URL was accepted");
            } catch (ConfigException $e) {
                self::assertStringContainsString('https://', $e->getMessage(), $where);
            } finally {
                ini_restore('spectrocoin.public_api_url');
            }
        }
        // The same configuration with the simulator's loopback URL in php.ini passes.
        ini_set('spectrocoin.public_api_url', self::$sim->publicApiUrl());
        try {
            self::assertTrue(spectrocoin_check_config($m, false)['current']);
        } finally {
            ini_restore('spectrocoin.public_api_url');
        }
    }

    public function testRejectedCredentialsAndIpAllowListAreConfigExceptionsWithoutTheSecret(): void
    {
        $m = $this->merchant(['clientSecret' => 'wrong-secret-value']);
        try {
            spectrocoin_create_order($m, $this->order('cred-' . self::$n));
            self::fail('no exception');
        } catch (ConfigException $e) {
            self::assertStringContainsString('Client ID and Client secret', $e->getMessage());
            self::assertStringNotContainsString('wrong-secret-value', $e->getMessage());
        }
        self::$sim->setIpAllowList(['203.0.113.7']);
        try {
            spectrocoin_create_order($this->merchant(), $this->order('ip-' . self::$n));
            self::fail('no exception');
        } catch (ConfigException $e) {
            self::assertStringContainsString('allow-list', $e->getMessage());
        } finally {
            self::$sim->setIpAllowList(null);
        }
    }

    public function testRefusalsAndTemporaryErrorsCarryTheHttpStatus(): void
    {
        $m = $this->merchant();
        spectrocoin_create_order($m, $this->order('dup-' . self::$n));
        try {
            spectrocoin_create_order($m, $this->order('dup-' . self::$n));
            self::fail('duplicate accepted');
        } catch (ApiException $e) {
            self::assertSame(422, $e->getCode());
            // The HTTP status is its own fact; the documented errorCode ("GEN_n") is text, not a code.
            self::assertSame(422, $e->getHttpStatus());
            self::assertNull($e->getSpectroCoinCode());
            self::assertMatchesRegularExpression('/^[0-9a-f]{16}$/', (string) $e->getTraceId());
            self::assertStringContainsString((string) $e->getTraceId(), $e->getMessage());
            self::assertFalse($e->isRetryable());
            self::assertTrue($e->isOrderIdTaken());
        }
        try {
            spectrocoin_fetch_order($m, '0b6f0c7e-2a5b-4c7d-9e1f-123456789abc');
            self::fail('unknown order fetched');
        } catch (ApiException $e) {
            self::assertSame(404, $e->getCode());
            self::assertSame(404, $e->getHttpStatus());
            self::assertFalse($e->isRetryable());
            self::assertFalse($e->isOrderIdTaken());
        }
        foreach (['http429' => 429, 'http503' => 503, 'http500' => 500] as $kind => $code) {
            self::$sim->fault('create', $kind);
            try {
                spectrocoin_create_order($m, $this->order("f-$kind-" . self::$n));
                self::fail("$kind accepted");
            } catch (ApiException $e) {
                self::assertSame($code, $e->getCode(), $kind);
                self::assertSame($code, $e->getHttpStatus(), $kind);
                self::assertNull($e->getSpectroCoinCode(), $kind);
                self::assertTrue($e->isRetryable(), $kind);
                self::assertStringContainsString('temporary', $e->getMessage());
            }
        }
    }

    public function testTimeoutsAndGarbageAreNetworkExceptions(): void
    {
        $m = $this->merchant(['timeout' => 1]);
        spectrocoin_create_order($m, $this->order('warm-' . self::$n)); // token cached
        self::$sim->fault('create', 'delay', 1, 2500);
        $t = microtime(true);
        try {
            spectrocoin_create_order($m, $this->order('slow-' . self::$n));
            self::fail('no exception');
        } catch (NetworkException $e) {
            self::assertStringContainsString('did not answer', $e->getMessage());
            // Nothing came back: no status, and worth retrying.
            self::assertNull($e->getHttpStatus());
            self::assertNull($e->getTraceId());
            self::assertTrue($e->isRetryable());
        }
        self::assertLessThan(2.5, microtime(true) - $t);
        self::$sim->fault('create', 'garbage');
        $this->expectException(NetworkException::class);
        spectrocoin_create_order($m, $this->order('garbage-' . self::$n));
    }
}
