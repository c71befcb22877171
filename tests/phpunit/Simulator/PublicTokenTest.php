<?php

declare(strict_types=1);

namespace SimulatorTests;

use Testbed\Simulator;

require_once __DIR__ . '/SimulatorTestCase.php';

/** POST /api/public/oauth/token and bearer authentication (spectrocoin-api.md section 2). */
final class PublicTokenTest extends SimulatorTestCase
{
    public function testClientCredentialsGiveABearerTokenOfTheDocumentedShape(): void
    {
        $r = $this->sim()->tokenRaw();

        self::assertSame(200, $r['status'], $r['body']);
        self::assertStringStartsWith('application/json', $r['headers']['content-type']);
        self::assertSame('no-store', $r['headers']['cache-control']);
        self::assertSame(['access_token', 'expires_in', 'token_type'], array_keys($r['json']));
        self::assertIsString($r['json']['access_token']);
        self::assertGreaterThanOrEqual(32, strlen($r['json']['access_token']));
        self::assertSame(3600, $r['json']['expires_in']);
        self::assertSame('bearer', $r['json']['token_type']);

        $second = $this->sim()->tokenRaw();
        self::assertNotSame($r['json']['access_token'], $second['json']['access_token'], 'every request issues a new token');
    }

    public function testHttpBasicClientAuthentication(): void
    {
        $basic = base64_encode(urlencode(Simulator::DEFAULT_CLIENT_ID) . ':' . urlencode(Simulator::DEFAULT_CLIENT_SECRET));

        $ok = $this->sim()->tokenRaw(['grant_type' => 'client_credentials'], $basic);
        $bad = $this->sim()->tokenRaw(['grant_type' => 'client_credentials'], base64_encode('sim-client-1:nope'));

        self::assertSame(200, $ok['status'], $ok['body']);
        self::assertErrorBody(401, $bad);
        self::assertSame('invalid_client', $bad['json']['key']);
        self::assertSame(['basic', 'basic'], array_column($this->sim()->tokenRequests(), 'clientAuth'));
    }

    public function testBadCredentialsAre401WithTheDocumentedErrorBody(): void
    {
        $cases = [
            'wrong secret' => ['grant_type' => 'client_credentials', 'client_id' => 'sim-client-1', 'client_secret' => 'sim-secret-2'],
            'unknown client' => ['grant_type' => 'client_credentials', 'client_id' => 'nobody', 'client_secret' => 'sim-secret-1'],
            'no secret' => ['grant_type' => 'client_credentials', 'client_id' => 'sim-client-1'],
            'no credentials' => ['grant_type' => 'client_credentials'],
        ];
        foreach ($cases as $name => $fields) {
            $r = $this->sim()->tokenRaw($fields);
            self::assertErrorBody(401, $r, 'Client authentication failed');
            self::assertSame('invalid_client', $r['json']['key'], $name);
        }
        self::assertSame([], $this->sim()->tokens(), 'no token issued');
    }

    public function testWrongGrantTypeIs400(): void
    {
        $wrong = $this->sim()->tokenRaw(['grant_type' => 'password', 'client_id' => 'sim-client-1', 'client_secret' => 'sim-secret-1']);
        $missing = $this->sim()->tokenRaw(['client_id' => 'sim-client-1', 'client_secret' => 'sim-secret-1']);
        $json = $this->sim()->tokenRaw(null, null, 'application/json');

        self::assertErrorBody(400, $wrong, 'Unsupported grant type');
        self::assertSame('unsupported_grant_type', $wrong['json']['key']);
        self::assertErrorBody(400, $missing, 'grant_type is required');
        self::assertErrorBody(400, $json, 'application/x-www-form-urlencoded');
    }

    public function testScopesOfTheClient(): void
    {
        $this->sim()->registerClient('reader', 'reader-secret', null, ['orders:read']);

        $narrow = $this->sim()->tokenRaw(['grant_type' => 'client_credentials', 'client_id' => 'reader', 'client_secret' => 'reader-secret']);
        $tooWide = $this->sim()->tokenRaw(['grant_type' => 'client_credentials', 'client_id' => 'reader', 'client_secret' => 'reader-secret', 'scope' => 'orders:create']);

        self::assertSame(200, $narrow['status']);
        self::assertErrorBody(400, $tooWide);
        self::assertSame('invalid_scope', $tooWide['json']['key']);
        $create = $this->sim()->publicApi('POST', '/merchants/orders/create', $narrow['json']['access_token'], $this->publicOrderBody());
        self::assertErrorBody(403, $create, 'orders:create');
    }

    public function testTokensReallyExpire(): void
    {
        $this->sim()->tokenLifetime(1);
        $r = $this->sim()->tokenRaw();
        self::assertSame(1, $r['json']['expires_in']);
        $token = $r['json']['access_token'];

        self::assertSame(200, $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody())['status']);
        usleep(1_100_000);
        $late = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody());

        self::assertErrorBody(401, $late, 'expired');
        self::assertSame('Bearer error="invalid_token"', $late['headers']['www-authenticate']);
        self::assertSame('expired', $this->sim()->tokens()[0]['state']);
        self::assertSame(['valid', 'expired'], array_column(array_column($this->sim()->apiRequests(), 'auth'), 'tokenState'));
        // A new token works again: what a client does after a 401.
        self::assertSame(200, $this->sim()->publicApi('POST', '/merchants/orders/create', $this->sim()->accessToken(), $this->publicOrderBody())['status']);
    }

    public function testProjectLifetimeWinsOverTheInstanceOne(): void
    {
        $this->sim()->tokenLifetime(120);
        self::assertSame(120, $this->sim()->tokenRaw()['json']['expires_in']);
        $this->sim()->tokenLifetime(5, Simulator::DEFAULT_PROJECT_ID);
        self::assertSame(5, $this->sim()->tokenRaw()['json']['expires_in']);
        $this->sim()->tokenLifetime(null, Simulator::DEFAULT_PROJECT_ID);
        self::assertSame(120, $this->sim()->tokenRaw()['json']['expires_in']);
        $this->sim()->reset();
        self::assertSame(3600, $this->sim()->tokenRaw()['json']['expires_in'], 'default');
    }

    public function testRevocation(): void
    {
        $a = $this->sim()->accessToken();
        $b = $this->sim()->accessToken();
        $this->sim()->registerClient('other', 'other-secret');
        $c = $this->sim()->accessToken('other', 'other-secret');

        self::assertSame(1, $this->sim()->revokeToken($a));
        self::assertErrorBody(401, $this->getPublicOrder('00000000-0000-4000-8000-000000000000', $a), 'revoked');
        self::assertSame(404, $this->getPublicOrder('00000000-0000-4000-8000-000000000000', $b)['status'], 'b still valid');

        self::assertSame(1, $this->sim()->revokeTokens(['clientId' => 'sim-client-1']));
        self::assertSame(401, $this->getPublicOrder('00000000-0000-4000-8000-000000000000', $b)['status']);
        self::assertSame(404, $this->getPublicOrder('00000000-0000-4000-8000-000000000000', $c)['status']);

        $this->sim()->deleteClient('other');
        self::assertSame(401, $this->getPublicOrder('00000000-0000-4000-8000-000000000000', $c)['status'], 'deleted client: its tokens stop');
        self::assertSame(['revoked', 'revoked', 'valid'], array_column($this->sim()->tokens(), 'state'), 'deleting a client is not a recorded revocation');
    }

    public function testMissingUnknownAndMalformedBearerAre401(): void
    {
        $missing = $this->sim()->publicApi('GET', '/merchants/orders/00000000-0000-4000-8000-000000000000', null);
        $unknown = $this->sim()->publicApi('GET', '/merchants/orders/00000000-0000-4000-8000-000000000000', 'not-a-token');
        $basic = $this->sim()->publicApi('GET', '/merchants/orders/00000000-0000-4000-8000-000000000000', null, null, 'application/json', ['Authorization: Basic ' . base64_encode('sim-client-1:sim-secret-1')]);

        foreach ([$missing, $unknown, $basic] as $r) {
            self::assertErrorBody(401, $r);
            self::assertSame('UNAUTHORIZED', $r['json']['key']);
        }
        self::assertSame('Bearer', $missing['headers']['www-authenticate']);
        $states = array_column(array_column($this->sim()->apiRequests(), 'auth'), 'tokenState');
        self::assertSame(['missing', 'unknown', 'malformed'], $states);
    }

    public function testSecretsNeverReachTheLogs(): void
    {
        $this->sim()->registerClient('c2', 'TOP-SECRET-VALUE');
        $token = $this->sim()->accessToken('c2', 'TOP-SECRET-VALUE');
        $this->sim()->tokenRaw(['grant_type' => 'client_credentials', 'client_id' => 'c2', 'client_secret' => 'WRONG-SECRET-VALUE']);
        $this->createPublicOrder([], $token);

        $logs = json_encode([$this->sim()->tokenRequests(), $this->sim()->apiRequests(), $this->sim()->tokens(), $this->sim()->clients()]);
        $serverLog = (string) file_get_contents($this->sim()->logPath());
        $stateFile = (string) file_get_contents($this->sim()->stateDir() . '/state.json');
        foreach (['TOP-SECRET-VALUE', 'WRONG-SECRET-VALUE', $token] as $secret) {
            self::assertStringNotContainsString($secret, $logs);
            self::assertStringNotContainsString($secret, $serverLog);
        }
        self::assertStringNotContainsString($token, $stateFile, 'tokens are stored by hash');
        // What the logs do say: who asked, and which token was used.
        $fingerprint = Simulator::tokenFingerprint($token);
        $requests = $this->sim()->tokenRequests();
        self::assertSame(['c2', 'c2'], array_column($requests, 'clientId'));
        self::assertSame([true, true], array_column($requests, 'secretGiven'));
        self::assertSame($fingerprint, $requests[0]['tokenFingerprint']);
        self::assertSame('<token ' . $fingerprint . '>', $requests[0]['verdict']['answer']['access_token']);
        self::assertSame($fingerprint, $this->sim()->apiRequests()[0]['auth']['tokenFingerprint']);
        self::assertSame('c2', $this->sim()->apiRequests()[0]['clientId']);
    }
}
