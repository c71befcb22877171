<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** init.php's rewriting of superglobals, seen by a module page (standindummy/echo.php). */
final class InputRewritingTest extends StandInTestCase
{
    private function echoPage(string $query, array|string|null $body = null, array $cookies = [], array $headers = []): array
    {
        $response = $this->site()->request($body === null ? 'GET' : 'POST', 'modules/gateways/standindummy/echo.php' . $query, $body, $cookies, $headers);
        $this->assertStatus(200, $response);
        return json_decode($response['body'], true, 512, JSON_THROW_ON_ERROR);
    }

    public function test_get_values_are_html_encoded_with_quotes(): void
    {
        $seen = $this->echoPage('?a=' . rawurlencode('<b>"x"</b>') . '&b=' . rawurlencode("it's & more"));

        $this->assertSame('&lt;b&gt;&quot;x&quot;&lt;/b&gt;', $seen['get']['a']);
        $this->assertSame('it&#039;s &amp; more', $seen['get']['b']);
        $this->assertSame($seen['get']['a'], $seen['request']['a']);
    }

    public function test_post_values_are_encoded_recursively_and_php_input_stays_raw(): void
    {
        $body = 'sig=' . rawurlencode('a+b/c=') . '&nested[k][]=' . rawurlencode('<i>') . '&amount=1.00';
        $seen = $this->echoPage('', $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);

        $this->assertSame('a+b/c=', $seen['post']['sig']);
        $this->assertSame(['k' => ['&lt;i&gt;']], $seen['post']['nested']);
        $this->assertSame($body, $seen['input'], 'php://input is not rewritten');
    }

    public function test_json_body_reaches_php_input_untouched(): void
    {
        $json = '{"id":"<o&d>","merchantApiId":"x\'y"}';
        $seen = $this->echoPage('', $json, [], ['Content-Type' => 'application/json']);
        $this->assertSame($json, $seen['input']);
        $this->assertSame([], $seen['post']);
    }

    public function test_nul_bytes_are_stripped(): void
    {
        $seen = $this->echoPage('?a=x%00y');
        $this->assertSame('xy', $seen['get']['a']);
    }

    public function test_keys_with_odd_characters_are_dropped(): void
    {
        $seen = $this->echoPage('?good_key-1=1&' . rawurlencode('we!rd') . '=2&' . rawurlencode('a<b') . '=3&' . rawurlencode('x"y') . '=4');

        $this->assertSame(['good_key-1' => '1'], $seen['get']);
    }

    public function test_cookies_and_server_values_are_encoded(): void
    {
        $seen = $this->echoPage('?q=1', null, ['probe' => '<c>'], ['X-Probe' => '<h> & "q"']);

        $this->assertSame('&lt;c&gt;', $seen['cookie']['probe']);
        $this->assertSame('&lt;h&gt; &amp; &quot;q&quot;', $seen['server']['HTTP_X_PROBE']);
        $this->assertTrue($seen['whmcs']);
        $this->assertSame($this->site()->root(), $seen['rootdir']);
    }

    public function test_invalid_utf8_becomes_empty_string(): void
    {
        $seen = $this->echoPage('?a=%FF%FE');
        $this->assertSame('', $seen['get']['a'], 'htmlspecialchars without ENT_SUBSTITUTE');
    }
}
