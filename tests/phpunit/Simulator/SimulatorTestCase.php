<?php

declare(strict_types=1);

namespace SimulatorTests;

use PHPUnit\Framework\TestCase;
use Testbed\PhpServer;
use Testbed\Simulator;

/**
 * One simulator (and one scripted callback receiver) per test class, reset before each test.
 */
abstract class SimulatorTestCase extends TestCase
{
    protected static ?Simulator $sim = null;
    protected static ?Receiver $receiver = null;
    /** @var array<string, mixed> */
    protected static array $vectors = [];

    public static function setUpBeforeClass(): void
    {
        self::$vectors = json_decode(
            (string) file_get_contents(dirname(__DIR__, 2) . '/fixtures/vectors/spectrocoin-vectors.json'),
            true,
            512,
            JSON_THROW_ON_ERROR,
        );
        static::$sim = new Simulator();
        static::$receiver = new Receiver();
    }

    public static function tearDownAfterClass(): void
    {
        static::$sim?->stop();
        static::$sim = null;
        static::$receiver?->stop();
        static::$receiver = null;
    }

    protected function setUp(): void
    {
        static::$sim->reset();
        static::$receiver->reset();
    }

    protected function sim(): Simulator
    {
        return static::$sim;
    }

    protected function receiver(): Receiver
    {
        return static::$receiver;
    }

    protected static function merchantPrivateKey(): string
    {
        return self::$vectors['merchant_test_private_key_pem'];
    }

    protected static function merchantPublicKey(): string
    {
        return self::$vectors['merchant_test_public_key_pem'];
    }

    /** @return array<string, mixed> */
    protected static function project(array $overrides = []): array
    {
        return $overrides + [
            'merchantId' => '25',
            'apiId' => '74',
            'userId' => '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d',
            'merchantApiId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678',
            'publicKeyPem' => self::merchantPublicKey(),
            'receiveCurrencies' => ['EUR', 'USD'],
        ];
    }

    /**
     * A createOrder body signed with the merchant test key, written out by hand in the
     * documented field order (no simulator code involved).
     *
     * @param array<string, string> $fields in the order they are to be sent and signed
     */
    protected static function signedBody(array $fields, ?string $privateKeyPem = null): string
    {
        $signedString = http_build_query($fields, '', '&', PHP_QUERY_RFC1738);
        openssl_sign($signedString, $signature, $privateKeyPem ?? self::merchantPrivateKey(), OPENSSL_ALGO_SHA1);
        return $signedString . '&sign=' . urlencode(base64_encode($signature));
    }

    /** @return array<string, string> a typical order of the default project, callback to the receiver */
    protected function orderFields(array $overrides = []): array
    {
        return array_replace([
            'merchantId' => '25',
            'apiId' => '74',
            'orderId' => 'INV-' . bin2hex(random_bytes(3)),
            'payCurrency' => 'BTC',
            'payAmount' => '0.0',
            'receiveCurrency' => 'EUR',
            'receiveAmount' => '125.5',
            'description' => 'Invoice #42 – zaļš *',
            'culture' => 'en',
            'callbackUrl' => $this->receiver()->url() . '/callback.php?invoice=42&x=a+b',
            'successUrl' => 'http://127.0.0.1/success',
            'failureUrl' => 'http://127.0.0.1/failure',
        ], $overrides);
    }

    /** Creates an order through the real endpoint; returns the JSON answer. */
    protected function createOrder(array $overrides = []): array
    {
        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields($overrides)));
        self::assertSame(200, $response['status'], $response['body']);
        return $response['json'];
    }

    /**
     * The documented receiver-side check (1.5) written with plain PHP: decode the form body,
     * re-format amounts, re-encode the eleven signed fields canonically, verify SHA1withRSA.
     */
    protected static function callbackVerifies(string $body, string $publicKeyPem): bool
    {
        $fields = [];
        foreach (explode('&', $body) as $pair) {
            [$name, $value] = array_pad(explode('=', $pair, 2), 2, '');
            $fields[urldecode($name)] = urldecode($value);
        }
        $parts = [];
        foreach (['merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency', 'receiveAmount',
            'receivedAmount', 'description', 'orderRequestId', 'status'] as $name) {
            if (!array_key_exists($name, $fields)) {
                return false;
            }
            $value = $fields[$name];
            if (in_array($name, ['payAmount', 'receiveAmount', 'receivedAmount'], true)) {
                $value = self::amount($value);
            }
            $parts[] = $name . '=' . urlencode($value);
        }
        $signature = base64_decode($fields['sign'] ?? '', true);
        return $signature !== false
            && openssl_verify(implode('&', $parts), $signature, $publicKeyPem, OPENSSL_ALGO_SHA1) === 1;
    }

    /** 0.0####### on a decimal string (test-side copy, deliberately not the simulator's). */
    protected static function amount(string $value): string
    {
        [$int, $frac] = array_pad(explode('.', $value, 2), 2, '');
        $int = ltrim($int, '0');
        $frac = rtrim($frac, '0');
        return ($int === '' ? '0' : $int) . '.' . ($frac === '' ? '0' : $frac);
    }

    // ---- current public API ------------------------------------------------------------

    /** @return array<string, string> a documented create body for the default project, callback to the receiver */
    protected function publicOrderBody(array $overrides = []): array
    {
        return array_replace([
            'orderId' => 'INV-' . bin2hex(random_bytes(3)),
            'description' => 'Invoice #42 – zaļš',
            'receiveAmount' => '125.5',
            'receiveCurrencyCode' => 'EUR',
            'callbackUrl' => $this->receiver()->url() . '/callback.php?invoice=42',
            'successUrl' => 'http://127.0.0.1/success',
            'failureUrl' => 'http://127.0.0.1/failure',
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
        ], $overrides);
    }

    /** Creates a pre-order through the real endpoint; returns the JSON answer. */
    protected function createPublicOrder(array $overrides = [], ?string $token = null): array
    {
        $r = $this->sim()->publicApi('POST', '/merchants/orders/create', $token ?? $this->sim()->accessToken(), $this->publicOrderBody($overrides));
        self::assertSame(200, $r['status'], $r['body']);
        return $r['json'];
    }

    /** @return array{status: int, body: string, json: mixed, headers: array<string, string>} */
    protected function getPublicOrder(string $id, ?string $token = null): array
    {
        return $this->sim()->publicApi('GET', '/merchants/orders/' . $id, $token ?? $this->sim()->accessToken());
    }

    /**
     * The documented error body {"defaultMessage","errorCode","spanId","traceId"} in SpectroCoin's
     * vocabulary (GEN_ codes, 16-hex ids) plus category and key, with JSON content type.
     */
    protected static function assertErrorBody(int $status, array $response, ?string $messageContains = null): void
    {
        self::assertSame($status, $response['status'], $response['body']);
        self::assertStringStartsWith('application/json', $response['headers']['content-type'] ?? '');
        self::assertIsArray($response['json'], $response['body']);
        $keys = array_keys($response['json']);
        self::assertSame(['defaultMessage', 'errorCode', 'spanId', 'traceId', 'category', 'key'], array_slice($keys, 0, 6));
        self::assertSame([], array_diff($keys, ['defaultMessage', 'errorCode', 'spanId', 'traceId', 'category', 'key', 'errorParameters']));
        foreach (['defaultMessage', 'errorCode', 'spanId', 'traceId', 'category', 'key'] as $name) {
            self::assertIsString($response['json'][$name]);
            self::assertNotSame('', $response['json'][$name]);
        }
        self::assertMatchesRegularExpression('/^GEN_[0-9]+( - .+)?$/D', $response['json']['errorCode']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{16}$/D', $response['json']['spanId']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{16}$/D', $response['json']['traceId']);
        if ($messageContains !== null) {
            self::assertStringContainsString($messageContains, $response['json']['defaultMessage']);
        }
    }

    protected static function assertUuid(mixed $value): void
    {
        self::assertIsString($value);
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/D', $value);
    }

    /** @return array<string, string> */
    protected static function decodeForm(string $body): array
    {
        $fields = [];
        foreach (explode('&', $body) as $pair) {
            [$name, $value] = array_pad(explode('=', $pair, 2), 2, '');
            $fields[urldecode($name)] = urldecode($value);
        }
        return $fields;
    }

    /** @return list<string> names in wire order */
    protected static function formNames(string $body): array
    {
        return array_map(static fn (string $pair) => urldecode(explode('=', $pair, 2)[0]), explode('&', $body));
    }
}

/** A php -S callback receiver answering from a script (receiver/router.php). */
final class Receiver
{
    private PhpServer $server;
    private string $dir;

    public function __construct()
    {
        $this->dir = sys_get_temp_dir() . '/sim-receiver-' . bin2hex(random_bytes(6));
        mkdir($this->dir, 0700);
        $this->server = new PhpServer(
            docroot: __DIR__ . '/receiver',
            router: __DIR__ . '/receiver/router.php',
            env: ['RECEIVER_DIR' => $this->dir],
            workers: 2,
            logPath: $this->dir . '/server.log',
        );
    }

    public function url(): string
    {
        return $this->server->url();
    }

    public function reset(): void
    {
        @unlink($this->dir . '/requests.jsonl');
        file_put_contents($this->dir . '/script.json', '[]');
    }

    /** @param list<array{status?: int, body?: string, sleepMs?: int}> $answers */
    public function script(array $answers): void
    {
        file_put_contents($this->dir . '/script.json', json_encode($answers));
    }

    /** @return list<array<string, mixed>> */
    public function requests(): array
    {
        $file = $this->dir . '/requests.jsonl';
        if (!is_file($file)) {
            return [];
        }
        return array_map(
            static fn (string $line) => json_decode($line, true),
            file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES),
        );
    }

    public function stop(): void
    {
        $this->server->stop();
        foreach (glob($this->dir . '/*') ?: [] as $file) {
            @unlink($file);
        }
        @rmdir($this->dir);
    }
}
