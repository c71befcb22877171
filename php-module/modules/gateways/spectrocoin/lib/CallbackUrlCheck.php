<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * The callback URL self-test: from this server, POST to the public callback URL as SpectroCoin
 * will (WHMCS's System URL, no cookies, redirects not followed) with a probe the callback endpoint
 * answers with a marker before any order or signature work. What stands in the way — a redirect,
 * a firewall's challenge page, HTTP authentication, maintenance mode, a TLS error, a missing file —
 * is named with its fix.
 *
 * It proves the URL works from this server only: a firewall that blocks the outside world (or only
 * SpectroCoin's addresses) but not the server itself is not seen.
 */
final class CallbackUrlCheck
{
    /** The probe's body: one field, never part of a SpectroCoin callback (legacy form or JSON). */
    const PROBE_FIELD = 'spectrocoin-whmcs-probe';

    /** The endpoint's answer starts with this, then the probe's nonce. */
    const MARKER = 'spectrocoin-whmcs-probe-ok';

    const TIMEOUT_SECONDS = 8;

    const FROM_HERE_ONLY = 'This test ran from this server: it shows the callback URL works from here, not that SpectroCoin can reach '
        . 'it (a firewall that blocks only outside traffic would not show here).';

    /** The nonce if $rawBody is the probe, else null. Recognised before anything else in the callback endpoint. */
    public static function probeNonce(string $method, string $rawBody): ?string
    {
        if ($method !== 'POST' || strlen($rawBody) !== strlen(self::PROBE_FIELD) + 33) {
            return null;
        }
        return preg_match('/^' . preg_quote(self::PROBE_FIELD, '/') . '=([0-9a-f]{32})$/D', $rawBody, $m) === 1 ? $m[1] : null;
    }

    /** The endpoint's answer to a probe: the marker and the nonce, nothing about orders or settings. */
    public static function probeAnswer(string $nonce, bool $gatewayActive): Response
    {
        return Response::text(200, self::MARKER . ' ' . $nonce . ' gateway=' . ($gatewayActive ? 'active' : 'inactive'));
    }

    public static function callbackUrl(string $systemUrl): string
    {
        return rtrim($systemUrl, '/') . '/modules/gateways/callback/' . Settings::GATEWAY . '.php';
    }

    /**
     * Why SpectroCoin, on the internet, cannot reach a host named literally in the System URL
     * (localhost, a loopback, private, link-local or shared address, an intranet name without a
     * dot), or null. Names are not resolved.
     */
    public static function unreachableHost(string $host): ?string
    {
        $host = strtolower(rtrim(trim($host, '[]'), '.'));
        if ($host === 'localhost' || substr($host, -10) === '.localhost') {
            return 'localhost is this server itself';
        }
        $ip = filter_var($host, FILTER_VALIDATE_IP) !== false ? inet_pton($host) : false;
        if ($ip === false) {
            return strpos($host, '.') === false && $host !== '' ? $host . ' is a local network name (it has no dot)' : null;
        }
        if (strlen($ip) === 16) {
            if (substr($ip, 0, 12) === str_repeat("\0", 10) . "\xff\xff") {
                $ip = substr($ip, 12); // an IPv4-mapped address: judged as the IPv4 one
            } elseif ($ip === str_repeat("\0", 15) . "\1") {
                return $host . ' is a loopback address (this server itself)';
            } elseif ($ip === str_repeat("\0", 16)) {
                return $host . ' is the unspecified address';
            } elseif ((ord($ip[0]) & 0xfe) === 0xfc) {
                return $host . ' is a private (unique local, fc00::/7) address';
            } elseif (ord($ip[0]) === 0xfe && (ord($ip[1]) & 0xc0) === 0x80) {
                return $host . ' is a link-local (fe80::/10) address';
            } else {
                return null;
            }
        }
        [$a, $b] = [ord($ip[0]), ord($ip[1])];
        $v4 = inet_ntop($ip);
        if ($a === 127) {
            return $v4 . ' is a loopback address (this server itself)';
        }
        if ($a === 10 || ($a === 172 && $b >= 16 && $b <= 31) || ($a === 192 && $b === 168)) {
            return $v4 . ' is a private network address';
        }
        if ($a === 169 && $b === 254) {
            return $v4 . ' is a link-local address';
        }
        if ($a === 100 && $b >= 64 && $b <= 127) {
            return $v4 . ' is a carrier-grade NAT (shared) address';
        }
        if ($a === 0) {
            return $v4 . ' is not an address on the internet';
        }
        return null;
    }

    /** A warning when the callback URL's host is one SpectroCoin cannot reach (no network used), or null. */
    public static function hostWarning(string $url): ?string
    {
        $host = (string) parse_url($url, PHP_URL_HOST);
        $why = $host === '' ? null : self::unreachableHost($host);
        return $why === null ? null : 'SpectroCoin cannot reach this callback URL: ' . $why . '. Callbacks will not arrive '
            . '(fine only for a test set-up): set Setup → General Settings → System URL to the address the internet reaches '
            . 'this WHMCS on, e.g. https://billing.example.com/, then Save the SpectroCoin gateway again.';
    }

    /**
     * A warning when the callback URL is plain http (default port) and the same host also answers
     * the probe over https with a valid certificate; else null. One more request (3 s at most).
     */
    public static function httpsWarning(string $url): ?string
    {
        $host = (string) parse_url($url, PHP_URL_HOST);
        $port = parse_url($url, PHP_URL_PORT);
        if ($host === '' || strtolower((string) parse_url($url, PHP_URL_SCHEME)) !== 'http' || ($port !== null && $port !== 80)
            || !function_exists('curl_init')) {
            return null;
        }
        $https = 'https://' . $host . (string) parse_url($url, PHP_URL_PATH);
        if (!self::answersProbe($https, 3)) {
            return null;
        }
        return 'The System URL is plain http, but this site also answers over https (' . $https . '): set Setup → General '
            . 'Settings → System URL to https://' . $host . '/… so callbacks and customers travel encrypted, then Save the '
            . 'SpectroCoin gateway again.';
    }

    /** Whether $url answers the probe with the marker (certificates checked, no redirects), within $timeout seconds. */
    private static function answersProbe(string $url, int $timeout): bool
    {
        $p = self::probe($url, $timeout, $timeout, CURLPROTO_HTTPS);
        return is_string($p['body']) && $p['status'] === 200 && strpos($p['body'], self::MARKER . ' ' . $p['nonce']) === 0;
    }

    /**
     * POSTs a fresh probe to $url as SpectroCoin would (no cookies, no redirects followed, certificates
     * checked). @return array{nonce: string, body: string|false, errno: int, error: string, status: int, headers: array<string, string>}
     */
    private static function probe(string $url, int $connectTimeout, int $timeout, int $protocols): array
    {
        $nonce = bin2hex(random_bytes(16));
        $headers = [];
        $ch = curl_init($url);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => self::PROBE_FIELD . '=' . $nonce,
            CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
            CURLOPT_USERAGENT => 'SpectroCoin-WHMCS-callback-self-test',
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_CONNECTTIMEOUT => $connectTimeout,
            CURLOPT_TIMEOUT => $timeout,
            CURLOPT_PROTOCOLS => $protocols,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$headers): int {
                if (strpos($line, ':') !== false) {
                    [$name, $value] = explode(':', $line, 2);
                    $headers[strtolower(trim($name))] = trim($value);
                }
                return strlen($line);
            },
        ]);
        $body = curl_exec($ch);
        $result = ['nonce' => $nonce, 'body' => $body, 'errno' => curl_errno($ch), 'error' => curl_error($ch),
            'status' => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), 'headers' => $headers];
        curl_close($ch);
        return $result;
    }

    /**
     * @return array{ok: bool, url: string, at: string, status: ?int, problem: ?string, fix: ?string, note: string, warnings: list<string>}
     */
    public static function run(string $systemUrl): array
    {
        $url = self::callbackUrl($systemUrl);
        $result = ['ok' => false, 'url' => $url, 'at' => gmdate('Y-m-d H:i:s') . ' UTC', 'status' => null, 'problem' => null,
            'fix' => null, 'note' => self::FROM_HERE_ONLY, 'warnings' => array_values(array_filter([self::hostWarning($url)]))];
        $scheme = strtolower((string) parse_url($url, PHP_URL_SCHEME));
        if (!in_array($scheme, ['http', 'https'], true) || (string) parse_url($url, PHP_URL_HOST) === '') {
            return ['problem' => 'The System URL (' . $systemUrl . ') is not an http(s) address.',
                'fix' => 'Set Setup → General Settings → System URL to your WHMCS address, e.g. https://billing.example.com/.'] + $result;
        }
        if (!function_exists('curl_init')) {
            return ['problem' => 'PHP\'s curl extension is missing, so this server cannot test the URL.',
                'fix' => 'Install php-curl (WHMCS needs it too).'] + $result;
        }
        $p = self::probe($url, 4, self::TIMEOUT_SECONDS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
        [$body, $errno, $error, $status, $headers, $nonce] = [$p['body'], $p['errno'], $p['error'], $p['status'], $p['headers'], $p['nonce']];
        if ($body === false || $errno !== 0) {
            return self::transportProblem($errno, $error, $url) + $result;
        }
        $result['status'] = $status;
        $result = self::answerProblem($status, $headers, (string) $body, $nonce, $url) + $result;
        // Only for a public URL that works from here: otherwise its problem comes first.
        if ($result['ok'] && $result['warnings'] === [] && ($https = self::httpsWarning($url)) !== null) {
            $result['warnings'][] = $https;
        }
        return $result;
    }

    /** @return array{problem: string, fix: string} */
    private static function transportProblem(int $errno, string $error, string $url): array
    {
        $host = (string) parse_url($url, PHP_URL_HOST);
        if ($errno === 28) {
            return ['problem' => 'No answer within ' . self::TIMEOUT_SECONDS . ' s (' . $error . ').',
                'fix' => 'A firewall may drop the request, or the site is overloaded: make sure ' . $host . ' answers HTTP(S) requests quickly.'];
        }
        if (in_array($errno, [35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91], true)) {
            return ['problem' => 'TLS error: ' . $error . '.',
                'fix' => 'SpectroCoin checks certificates like a browser: install a valid certificate for ' . $host
                    . ' with its intermediate certificates (e.g. Let\'s Encrypt through your control panel).'];
        }
        if (in_array($errno, [6, 7], true)) {
            return ['problem' => 'Could not connect: ' . $error . '.',
                'fix' => 'The System URL must name this WHMCS as the internet reaches it (Setup → General Settings → System URL).'];
        }
        return ['problem' => 'The request failed: ' . $error . ' (curl error ' . $errno . ').',
            'fix' => 'Check that the System URL opens in a browser, then test again.'];
    }

    /** @return array{ok: bool, problem: ?string, fix: ?string} */
    private static function answerProblem(int $status, array $headers, string $body, string $nonce, string $url): array
    {
        if ($status === 200 && strpos($body, self::MARKER . ' ' . $nonce) === 0) {
            $inactive = strpos($body, 'gateway=inactive') !== false;
            return ['ok' => !$inactive, 'fix' => $inactive ? 'Activate the SpectroCoin gateway (Setup → Payments → Payment Gateways).' : null,
                'problem' => $inactive ? 'The callback URL works, but the SpectroCoin gateway is not active: callbacks are answered 503 until it is.' : null];
        }
        $html = stripos($headers['content-type'] ?? '', 'html') !== false || stripos($body, '<html') !== false;
        $text = strtolower(substr($body, 0, 65536));
        if ($status >= 300 && $status < 400) {
            return ['ok' => false] + self::redirectProblem($status, (string) ($headers['location'] ?? ''), $url);
        }
        if ($status === 401) {
            return ['ok' => false, 'problem' => 'HTTP authentication is required (401' . (isset($headers['www-authenticate'])
                ? ', ' . self::clip($headers['www-authenticate']) : '') . ').',
                'fix' => 'Exclude /modules/gateways/callback/ from the password protection (.htaccess / control panel "password protect directories").'];
        }
        $challenge = isset($headers['cf-mitigated']) || isset($headers['cf-ray']) || strpos($text, 'just a moment') !== false
            || strpos($text, 'captcha') !== false || strpos($text, 'challenge') !== false || strpos($text, 'access denied') !== false;
        if (in_array($status, [403, 429, 503], true) && $html && $challenge) {
            return ['ok' => false, 'problem' => 'A firewall or CDN answered with a challenge page (HTTP ' . $status . ', HTML) instead of WHMCS.',
                'fix' => 'Allow POST requests to /modules/gateways/callback/spectrocoin.php without a challenge (a WAF/Cloudflare skip rule for '
                    . 'that path, or an allow rule in mod_security/Imunify360).'];
        }
        if ($status === 503 && strpos($text, 'maintenance') !== false) {
            return ['ok' => false, 'problem' => 'The site answers "maintenance" (HTTP 503).',
                'fix' => 'Callbacks cannot arrive during maintenance: SpectroCoin retries, but end the maintenance soon, or let '
                    . '/modules/gateways/callback/ through it.'];
        }
        if ($status === 404) {
            return ['ok' => false, 'problem' => 'The callback file is not there (HTTP 404).',
                'fix' => 'Upload modules/gateways/callback/spectrocoin.php into the WHMCS folder the System URL points to.'];
        }
        if ($status === 403) {
            return ['ok' => false, 'problem' => 'Access to the callback URL is forbidden (HTTP 403).',
                'fix' => 'A web server rule, firewall or security plugin blocks it: allow POSTs to /modules/gateways/callback/spectrocoin.php.'];
        }
        if ($status === 200) {
            return ['ok' => false, 'problem' => 'Something answered HTTP 200, but not this module (no probe marker): another page, a cache or '
                . 'a proxy.', 'fix' => 'Make sure the System URL points to this WHMCS and that no cache serves /modules/gateways/callback/.'];
        }
        return ['ok' => false, 'problem' => 'The callback URL answered HTTP ' . $status . ' instead of the module.',
            'fix' => 'Open the web server\'s error log for this request (user agent SpectroCoin-WHMCS-callback-self-test).'];
    }

    /** @return array{problem: string, fix: string} */
    private static function redirectProblem(int $status, string $location, string $url): array
    {
        $to = $location === '' ? '(no Location)' : self::clip($location);
        $from = parse_url($url);
        $target = parse_url($location) ?: [];
        $problem = 'The callback URL redirects (HTTP ' . $status . ' to ' . $to . '). SpectroCoin does not follow redirects, and a '
            . 'redirected POST loses its body.';
        $fromHost = strtolower((string) ($from['host'] ?? ''));
        $toHost = strtolower((string) ($target['host'] ?? $fromHost));
        if (strtolower((string) ($from['scheme'] ?? '')) === 'http' && strtolower((string) ($target['scheme'] ?? '')) === 'https') {
            $fix = 'Your site moved to https: set Setup → General Settings → System URL to https://' . ($target['host'] ?? $fromHost) . '/… '
                . '(the address the redirect points to), then Save the SpectroCoin gateway again.';
        } elseif ($toHost !== $fromHost && ('www.' . $fromHost === $toHost || 'www.' . $toHost === $fromHost)) {
            $fix = 'Your site redirects between the www and the bare host name: set the System URL to the host the redirect points to (' . $toHost . ').';
        } elseif ($toHost === $fromHost && isset($target['path']) && (string) $target['path'] !== (string) ($from['path'] ?? '')
            && rtrim((string) $target['path'], '/') === rtrim((string) ($from['path'] ?? ''), '/')) {
            $fix = 'A rule adds or removes a trailing slash: exclude /modules/gateways/callback/ from it.';
        } else {
            $fix = 'Set the System URL to the address WHMCS really answers on, or remove the redirect for /modules/gateways/callback/.';
        }
        return ['problem' => $problem, 'fix' => $fix];
    }

    private static function clip(string $s): string
    {
        $s = preg_replace('/[\x00-\x1f\x7f]/', '', $s) ?? '';
        return strlen($s) > 200 ? substr($s, 0, 200) . '…' : $s;
    }

    const META_NAME = 'callback_url_check';

    /** Runs the test with WHMCS's System URL and keeps the result for the settings and addon pages. */
    public static function runAndRecord(OrderStore $store): array
    {
        try {
            // Not loaded on every admin page (the settings page's Save, for one).
            if (!function_exists('getGatewayVariables') && defined('ROOTDIR')) {
                require_once ROOTDIR . '/includes/gatewayfunctions.php';
            }
            $systemUrl = (string) (\getGatewayVariables(Settings::GATEWAY)['systemurl'] ?? '');
        } catch (\Throwable $e) {
            $systemUrl = '';
        }
        $result = self::run($systemUrl);
        try {
            $store->setMeta(self::META_NAME, (string) json_encode($result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
        } catch (\Throwable $e) {
            error_log('spectrocoin: could not store the callback URL test: ' . $e->getMessage());
        }
        return $result;
    }

    /** The last recorded result, or null. */
    public static function last(OrderStore $store): ?array
    {
        try {
            $json = $store->meta(self::META_NAME);
        } catch (\Throwable $e) {
            return null;
        }
        $r = is_string($json) ? json_decode($json, true) : null;
        return is_array($r) && isset($r['url'], $r['at'], $r['note']) && array_key_exists('ok', $r) ? $r : null;
    }

    /** The result as HTML (settings page, addon page); every value escaped. */
    public static function render(?array $r): string
    {
        if ($r === null) {
            return '<span id="spectrocoin-callback-check">Callback URL not tested yet.</span>';
        }
        $out = '<span id="spectrocoin-callback-check" data-ok="' . ($r['ok'] ? '1' : '0') . '">Callback URL ' . Html::e($r['url'])
            . ' tested ' . Html::e($r['at']) . ': ';
        if ($r['ok']) {
            $out .= '<strong class="text-success">works</strong> (the module answered).';
        } else {
            $out .= '<strong class="text-danger">' . Html::e((string) $r['problem']) . '</strong> ' . Html::e('Fix: ' . (string) $r['fix']);
        }
        foreach ((array) ($r['warnings'] ?? []) as $w) {
            $out .= '<br><strong class="text-danger spectrocoin-callback-warning">Warning:</strong> ' . Html::e((string) $w);
        }
        return $out . ' <small>' . Html::e($r['note']) . '</small></span>';
    }
}
