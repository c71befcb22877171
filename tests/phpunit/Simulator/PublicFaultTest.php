<?php

declare(strict_types=1);

namespace SimulatorTests;

require_once __DIR__ . '/SimulatorTestCase.php';

/** Faults of the current public API: targets token, create, get. */
final class PublicFaultTest extends SimulatorTestCase
{
    /** @return array{errno: int, error: string, status: int, body: string|false, headers: array<string, string>} */
    private function fetch(string $method, string $path, ?string $body, array $headers, int $timeoutMs = 3000): array
    {
        $responseHeaders = [];
        $ch = curl_init($this->sim()->publicApiUrl() . $path);
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$responseHeaders): int {
                if (str_contains($line, ':')) {
                    [$name, $value] = explode(':', $line, 2);
                    $responseHeaders[strtolower(trim($name))] = trim($value);
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $response = curl_exec($ch);
        $result = [
            'errno' => curl_errno($ch),
            'error' => curl_error($ch),
            'status' => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE),
            'body' => $response,
            'headers' => $responseHeaders,
        ];
        curl_close($ch);
        return $result;
    }

    private function postCreate(string $token, int $timeoutMs = 3000): array
    {
        return $this->fetch('POST', '/merchants/orders/create', json_encode($this->publicOrderBody()), [
            'Content-Type: application/json', 'Authorization: Bearer ' . $token,
        ], $timeoutMs);
    }

    private function postToken(int $timeoutMs = 3000): array
    {
        return $this->fetch('POST', '/oauth/token', 'grant_type=client_credentials&client_id=sim-client-1&client_secret=sim-secret-1', [
            'Content-Type: application/x-www-form-urlencoded',
        ], $timeoutMs);
    }

    /** The documented error body, from a raw fetch. */
    private static function assertFaultBody(int $status, array $r): void
    {
        self::assertSame(0, $r['errno'], $r['error']);
        self::assertErrorBody($status, ['status' => $r['status'], 'body' => (string) $r['body'], 'headers' => $r['headers'], 'json' => json_decode((string) $r['body'], true)]);
        self::assertStringContainsString('(simulated)', json_decode((string) $r['body'], true)['defaultMessage']);
    }

    public function testHttpStatusFaultsAnswerTheDocumentedErrorBody(): void
    {
        $token = $this->sim()->accessToken();
        foreach ([429, 500, 502, 503, 403] as $code) {
            $this->sim()->fault('create', "http$code");
        }

        $answers = [];
        foreach ([429, 500, 502, 503, 403] as $code) {
            $r = $this->postCreate($token);
            self::assertFaultBody($code, $r);
            $answers[$code] = $r;
        }

        self::assertSame('1', $answers[429]['headers']['retry-after']);
        self::assertSame('TOO_MANY_REQUESTS', json_decode($answers[429]['body'], true)['key']);
        self::assertSame([], $this->sim()->preOrders(), 'not processed');
        self::assertSame(['http429', 'http500', 'http502', 'http503', 'http403'], array_column(array_column($this->sim()->apiRequests(), 'verdict'), 'fault'));
        self::assertSame(200, $this->postCreate($token)['status'], 'faults are used up');
    }

    public function testUnauthorizedOnceThenTheSameRequestWithANewTokenWorks(): void
    {
        $token = $this->sim()->accessToken();
        $this->sim()->fault('get', 'http401');
        $this->sim()->fault('create', 'http401');

        $create = $this->postCreate($token);
        self::assertFaultBody(401, $create);
        self::assertSame('Bearer error="invalid_token"', $create['headers']['www-authenticate']);

        // The client drops its token, fetches a new one and retries once.
        $retry = $this->postCreate($this->sim()->accessToken());
        self::assertSame(200, $retry['status']);
        $id = $this->sim()->choose(json_decode((string) $retry['body'], true)['preOrderId'])['order']['id'];
        self::assertSame(401, $this->getPublicOrder($id, $token)['status']);
        self::assertSame(200, $this->getPublicOrder($id, $token)['status'], 'the old token was never really revoked');
    }

    public function testTokenEndpointFaults(): void
    {
        $this->sim()->fault('token', 'http503');
        $this->sim()->fault('token', 'garbage');
        $this->sim()->fault('token', 'truncated');
        $this->sim()->fault('token', 'drop');
        $this->sim()->fault('token', 'http429', 1, 0, true);

        self::assertFaultBody(503, $this->postToken());
        $garbage = $this->postToken();
        self::assertSame(200, $garbage['status']);
        self::assertNull(json_decode((string) $garbage['body'], true));
        $truncated = $this->postToken();
        self::assertSame(200, $truncated['status']);
        self::assertStringStartsWith('{"access_token":', (string) $truncated['body']);
        self::assertNull(json_decode((string) $truncated['body'], true));
        self::assertSame(CURLE_GOT_NOTHING, $this->postToken()['errno']);
        self::assertFaultBody(429, $this->postToken());

        self::assertCount(1, $this->sim()->tokens(), 'only the process=true fault issued a token');
        self::assertSame(['http503', 'garbage', 'truncated', 'drop', 'http429'], array_column(array_column($this->sim()->tokenRequests(), 'verdict'), 'fault'));
        self::assertSame(200, $this->postToken()['status']);
        self::assertStringNotContainsString('sim-secret-1', json_encode($this->sim()->tokenRequests()));
    }

    public function testDelayPastAClientTimeoutStillCreatesThePreOrder(): void
    {
        $token = $this->sim()->accessToken();
        $this->sim()->fault('create', 'delay', 1, 1500);

        $r = $this->postCreate($token, 500);

        self::assertSame(CURLE_OPERATION_TIMEDOUT, $r['errno']);
        $deadline = microtime(true) + 5;
        while ($this->sim()->preOrders() === [] && microtime(true) < $deadline) {
            usleep(50_000);
        }
        self::assertCount(1, $this->sim()->preOrders(), 'the server went on after the client gave up');
    }

    public function testGetFaults(): void
    {
        $created = $this->createPublicOrder();
        $id = $this->sim()->choose($created['preOrderId'])['order']['id'];
        $token = $this->sim()->accessToken();
        $this->sim()->fault('get', 'truncated');
        $this->sim()->fault('get', 'drop');
        $this->sim()->fault('get', 'delay', 1, 1000);
        $this->sim()->fault('get', 'http502', 2);

        $get = fn (int $timeoutMs = 3000) => $this->fetch('GET', "/merchants/orders/$id", null, ['Authorization: Bearer ' . $token], $timeoutMs);
        $truncated = $get();
        self::assertStringStartsWith('{"id":"' . $id, (string) $truncated['body']);
        self::assertNull(json_decode((string) $truncated['body'], true));
        self::assertSame(CURLE_GOT_NOTHING, $get()['errno']);
        self::assertSame(CURLE_OPERATION_TIMEDOUT, $get(300)['errno']);
        self::assertFaultBody(502, $get());
        self::assertFaultBody(502, $get());
        $ok = $get();
        self::assertSame(200, $ok['status']);
        self::assertSame('NEW', json_decode((string) $ok['body'], true)['status']);
    }

    public function testCreateFaultWithProcessCreatesThePreOrderButBreaksTheAnswer(): void
    {
        $token = $this->sim()->accessToken();
        $this->sim()->fault('create', 'http500', 1, 0, true);

        self::assertFaultBody(500, $this->postCreate($token));
        self::assertCount(1, $this->sim()->preOrders());
        self::assertSame(200, $this->sim()->apiRequests()[0]['verdict']['httpStatus'], 'logged: what would have been answered');
        self::assertSame('http500', $this->sim()->apiRequests()[0]['verdict']['fault']);
    }
}
