<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\ApiException;
use SpectroCoin\ConfigException;
use SpectroCoin\NetworkException;
use Testbed\PhpServer;

final class CreateOrderTest extends ExtensionTestCase
{
    private static ?PhpServer $server = null;
    private static string $keyFile;

    public static function setUpBeforeClass(): void
    {
        self::$keyFile = tempnam(sys_get_temp_dir(), 'sckey');
        file_put_contents(self::$keyFile, self::vectors()['spectrocoin_callback_public_key_pem']);
        $dir = realpath(__DIR__ . '/../../fixtures/extension');
        self::$server = new PhpServer(docroot: $dir, router: $dir . '/fake_spectrocoin.php', env: ['FAKE_KEY_FILE' => self::$keyFile]);
    }

    public static function tearDownAfterClass(): void
    {
        self::$server?->stop();
        @unlink(self::$keyFile);
    }

    private function merchant(string $mode, array $extra = []): array
    {
        return $extra + [
            'merchantId' => '25', 'projectId' => '74',
            'privateKey' => self::vectors()['merchant_test_private_key_pem'],
            'apiUrl' => self::$server->url() . '/' . $mode, 'timeout' => 2,
        ];
    }

    private function order(): array
    {
        return ['orderId' => '7-1', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30',
            'description' => 'Invoice #7 & <b>"ąčę"</b>', 'callbackUrl' => 'http://127.0.0.1/cb?x=1',
            'successUrl' => 'http://127.0.0.1/ok', 'failureUrl' => 'http://127.0.0.1/fail'];
    }

    public function testSuccessfulOrderIsNormalized(): void
    {
        $o = spectrocoin_create_order($this->merchant('ok'), $this->order());
        self::assertSame(4242, $o['orderRequestId']);
        self::assertSame('7-1', $o['orderId']);
        self::assertSame('0.00012345', $o['payAmount']);
        self::assertSame('12.3', $o['receiveAmount']);
        self::assertSame('bc1qfake', $o['depositAddress']);
        self::assertSame('https://spectrocoin.example/pay/4242', $o['redirectUrl']);
        self::assertSame(1764150000000, $o['validUntil']);
        self::assertFalse($o['preOrder']);
    }

    public function testTheWireBodyIsFormEncodedAndSignedOverTheDocumentedFields(): void
    {
        $m = $this->merchant('echo');
        // The echo mode answers 200 without redirectUrl: the extension reports it, and we inspect the request instead.
        $req = spectrocoin_order_request($m, $this->order());
        parse_str($req['body'], $sent);
        self::assertSame(['merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency', 'receiveAmount',
            'description', 'culture', 'callbackUrl', 'successUrl', 'failureUrl', 'sign'], array_keys($sent));
        self::assertSame('Invoice #7 & <b>"ąčę"</b>', $sent['description']);
        $signed = http_build_query(array_diff_key($sent, ['sign' => 1]));
        self::assertSame($signed, $req['signedString']);
        self::assertSame(1, openssl_verify($signed, base64_decode($sent['sign']), self::vectors()['merchant_test_public_key_pem'], OPENSSL_ALGO_SHA1));
        try {
            spectrocoin_create_order($m, $this->order());
            self::fail('no redirectUrl accepted');
        } catch (NetworkException $e) {
            self::assertStringContainsString('redirectUrl', $e->getMessage());
        }
    }

    public function testPreOrderWithoutOrderRequestId(): void
    {
        $o = spectrocoin_create_order($this->merchant('preorder'), $this->order());
        self::assertNull($o['orderRequestId']);
        self::assertNull($o['depositAddress']);
        self::assertTrue($o['preOrder']);
        self::assertSame('https://spectrocoin.example/pre/1', $o['redirectUrl']);
    }

    public function testRefusalCarriesEveryCodeAndMessage(): void
    {
        try {
            spectrocoin_create_order($this->merchant('refused'), $this->order());
            self::fail('no exception');
        } catch (ApiException $e) {
            self::assertSame(6, $e->getCode());
            self::assertSame(6, $e->getSpectroCoinCode());
            self::assertSame(203, $e->getHttpStatus());
            self::assertNull($e->getTraceId());
            self::assertFalse($e->isRetryable());
            self::assertFalse($e->isOrderIdTaken());
            self::assertSame('refused', $e->getFailure());
            self::assertStringContainsString('[6] Check merchantId and apiId', $e->getMessage());
            self::assertStringContainsString('[2] Bad sign', $e->getMessage());
        }
    }

    /** @dataProvider unexpectedAnswers */
    public function testUnexpectedAnswersSayWhatCameBack(string $mode, string $needle, ?int $status, bool $retryable): void
    {
        try {
            spectrocoin_create_order($this->merchant($mode), $this->order());
            self::fail('no exception');
        } catch (NetworkException $e) {
            self::assertStringContainsString($needle, $e->getMessage());
            self::assertStringNotContainsString('PRIVATE KEY', $e->getMessage());
            self::assertSame($status, $e->getHttpStatus());
            self::assertNull($e->getSpectroCoinCode());
            self::assertSame($retryable, $e->isRetryable());
            self::assertSame('error', $e->getFailure(), 'SpectroCoin answered, but nothing usable');
        }
    }

    public static function unexpectedAnswers(): array
    {
        return [
            'garbage' => ['garbage', 'HTTP 200', 200, false],
            // The one redirectUrl check (the module relies on it): never a non-web URL.
            'javascript: redirect' => ['badredirect', 'no usable redirectUrl', 200, false],
            'html 500' => ['html500', 'busy or down for now, temporary: retry later', 500, true],
            'unknown path 404' => ['nothing', 'HTTP 404', 404, false],
            // Cut off while reading: no status is kept, and it may go through next time.
            'huge' => ['huge', 'bytes', null, true],
        ];
    }

    public function testSlowServerGivesNetworkExceptionWithinTheTimeout(): void
    {
        $t = microtime(true);
        try {
            spectrocoin_create_order($this->merchant('slow', ['timeout' => 1]), $this->order());
            self::fail('no exception');
        } catch (NetworkException $e) {
            self::assertStringContainsString('did not answer within 1 s', $e->getMessage());
            self::assertSame('no_answer', $e->getFailure(), 'sent: the order may exist');
        }
        self::assertLessThan(4.0, microtime(true) - $t, 'the timeout was not applied');
    }

    public function testConnectionRefusedIsARetryableNetworkException(): void
    {
        try {
            spectrocoin_create_order($this->merchant('ok', ['apiUrl' => 'http://127.0.0.1:9/api']), $this->order());
            self::fail('no exception');
        } catch (NetworkException $e) {
            self::assertStringContainsString('connect', $e->getMessage());
            self::assertNull($e->getHttpStatus());
            self::assertTrue($e->isRetryable());
            self::assertSame('unreachable', $e->getFailure(), 'nothing was sent');
        }
    }

    public function testPlainHttpToAnythingButLoopbackIsRefusedBeforeConnecting(): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessageMatches('/https/');
        spectrocoin_create_order($this->merchant('ok', ['apiUrl' => 'http://spectrocoin.com/api/merchant/1']), $this->order());
    }

    public function testIniEntriesProvideTheDefaultUrls(): void
    {
        $m = $this->merchant('ok');
        unset($m['apiUrl']);
        ini_set('spectrocoin.api_url', self::$server->url() . '/ok');
        try {
            self::assertSame(4242, spectrocoin_create_order($m, $this->order())['orderRequestId']);
        } finally {
            ini_restore('spectrocoin.api_url');
        }
    }

    public function testSpectroCoinsKeyIsFetchedFromTheUrlAndUsed(): void
    {
        $m = ['merchantId' => '169', 'projectId' => '3', 'publicKeyUrl' => self::$server->url() . '/key', 'timeout' => 2];
        self::assertSame(5, spectrocoin_verify_callback(self::v1Body(), $m)['status']);
        // Served from the process cache afterwards: a dead URL does not matter within the TTL.
        self::$server->stop();
        self::assertSame(5, spectrocoin_verify_callback(self::v1Body(), $m)['status']);
        self::setUpBeforeClass();
    }

    public function testMissingKeyUrlIsANetworkExceptionSoTheCallbackIsRetried(): void
    {
        $this->expectException(NetworkException::class);
        spectrocoin_verify_callback(self::v1Body(), ['merchantId' => '169', 'projectId' => '3',
            'publicKeyUrl' => 'http://127.0.0.1:9/key.pem', 'timeout' => 1]);
    }
}
