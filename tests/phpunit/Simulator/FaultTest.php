<?php

declare(strict_types=1);

namespace SimulatorTests;

require_once __DIR__ . '/SimulatorTestCase.php';

final class FaultTest extends SimulatorTestCase
{
    /** @return array{errno: int, error: string, status: int, body: string|false, ms: int} */
    private function fetch(string $url, ?string $body = null, int $timeoutMs = 3000): array
    {
        $ch = curl_init($url);
        curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT_MS => $timeoutMs]);
        if ($body !== null) {
            curl_setopt_array($ch, [
                CURLOPT_POST => true,
                CURLOPT_POSTFIELDS => $body,
                CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded'],
            ]);
        }
        $started = microtime(true);
        $response = curl_exec($ch);
        $result = [
            'errno' => curl_errno($ch),
            'error' => curl_error($ch),
            'status' => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE),
            'body' => $response,
            'ms' => (int) ((microtime(true) - $started) * 1000),
        ];
        curl_close($ch);
        return $result;
    }

    private function postOrder(int $timeoutMs = 3000): array
    {
        return $this->fetch($this->sim()->apiUrl() . '/createOrder', self::signedBody($this->orderFields()), $timeoutMs);
    }

    public function testDelayOutlastsAClientTimeoutButTheOrderIsCreated(): void
    {
        $this->sim()->fault('createOrder', 'delay', 1, 1500);

        $result = $this->postOrder(500);

        self::assertSame(CURLE_OPERATION_TIMEDOUT, $result['errno']);
        $deadline = microtime(true) + 5;
        while ($this->sim()->orders() === [] && microtime(true) < $deadline) {
            usleep(50_000);
        }
        self::assertCount(1, $this->sim()->orders(), 'the server went on after the client gave up');
    }

    public function testHttp500(): void
    {
        $this->sim()->fault('createOrder', 'http500');

        $result = $this->postOrder();

        self::assertSame(500, $result['status']);
        self::assertSame([], $this->sim()->orders());
        self::assertSame('http500', $this->sim()->requests()[0]['verdict']['fault']);
    }

    public function testGarbageIsNotJson(): void
    {
        $this->sim()->fault('createOrder', 'garbage');

        $result = $this->postOrder();

        self::assertSame(200, $result['status']);
        self::assertNull(json_decode((string) $result['body'], true));
    }

    public function testTruncatedIsACleanExchangeWithHalfAJsonBody(): void
    {
        $this->sim()->fault('createOrder', 'truncated', 1, 0, true);

        $result = $this->postOrder();

        self::assertSame(0, $result['errno']);
        self::assertSame(200, $result['status']);
        self::assertStringStartsWith('{"orderRequestId":', (string) $result['body']);
        self::assertNull(json_decode((string) $result['body'], true));
        self::assertCount(1, $this->sim()->orders(), 'process=true: the order exists, only the answer is broken');
    }

    public function testDropClosesTheConnectionWithoutAnAnswer(): void
    {
        $this->sim()->fault('createOrder', 'drop');

        $result = $this->postOrder();

        self::assertSame(CURLE_GOT_NOTHING, $result['errno'], $result['error']);
        self::assertSame(0, $result['status']);
        self::assertSame([], $this->sim()->orders());
    }

    public function testFaultsApplyToTheNextNRequestsOnly(): void
    {
        $this->sim()->fault('createOrder', 'http500', 2);

        self::assertSame(500, $this->postOrder()['status']);
        self::assertSame(500, $this->postOrder()['status']);
        self::assertSame(200, $this->postOrder()['status']);
    }

    public function testPublicKeyFaults(): void
    {
        $this->sim()->fault('publicKey', 'http500');
        $this->sim()->fault('publicKey', 'truncated');
        $this->sim()->fault('publicKey', 'garbage');
        $this->sim()->fault('publicKey', 'drop');
        $this->sim()->fault('publicKey', 'delay', 1, 1000);

        self::assertSame(500, $this->fetch($this->sim()->publicKeyUrl())['status']);
        $truncated = $this->fetch($this->sim()->publicKeyUrl())['body'];
        self::assertStringStartsWith('-----BEGIN PUBLIC KEY-----', (string) $truncated);
        self::assertFalse(openssl_pkey_get_public((string) $truncated));
        self::assertFalse(openssl_pkey_get_public((string) $this->fetch($this->sim()->publicKeyUrl())['body']));
        self::assertSame(CURLE_GOT_NOTHING, $this->fetch($this->sim()->publicKeyUrl())['errno']);
        self::assertSame(CURLE_OPERATION_TIMEDOUT, $this->fetch($this->sim()->publicKeyUrl(), null, 300)['errno']);
        usleep(800_000);
        self::assertSame($this->sim()->publicKeyPem(), $this->fetch($this->sim()->publicKeyUrl())['body']);
    }

    public function testUnknownFaultKindIsRefused(): void
    {
        $this->expectExceptionMessageMatches('/fault kind must be one of/');
        $this->sim()->fault('createOrder', 'meteor');
    }
}
