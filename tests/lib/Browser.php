<?php

declare(strict_types=1);

namespace Testbed;

/**
 * Headless Chromium for tests, driven through chromedriver's W3C WebDriver HTTP API (plain JSON
 * over loopback; no language runtime beyond PHP). One Browser = one chromedriver on a free
 * loopback port + one browser session with a fresh profile; screenshots land in
 * target/browser-artifacts/<name>/ and are kept.
 *
 *     $browser = new Browser('HappyPath');            // artifacts: target/browser-artifacts/HappyPath/
 *     $browser->open($site->url('login.php'));
 *     $browser->fill('input[name=username]', 'alice@example.com');
 *     $browser->click('button[type=submit]');
 *     $browser->text();                              // the page's rendered (visible) text
 *     $browser->screenshot('01-logged-in');          // …/01-logged-in.png
 *     $browser->quit();                              // also at exit
 *
 * chromedriver runs in its own process group (setsid) and Chromium inherits it, so quit() takes
 * both down even when the session did not end cleanly; a small watchdog (sh) does the same if
 * the test process dies without shutting down. Parallel runs are safe: every instance has its own
 * port (claimed with PhpServer's lock files), profile directory and artifact folder.
 */
final class Browser
{
    public const CHROMEDRIVER = '/usr/bin/chromedriver';
    public const CHROMIUM = '/usr/bin/chromium';
    /** The W3C "web element identifier" key of element references. */
    private const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

    /** @var array<int, Browser> running browsers, quit at shutdown */
    private static array $running = [];
    private static bool $shutdownRegistered = false;

    /** @var resource|null */
    private $driver = null;
    /** @var resource|null */
    private $watchdog = null;
    /** @var resource|null */
    private $portClaim = null;
    private int $driverPid = 0;
    private int $port = 0;
    private string $profileDir;
    private string $logPath;
    private string $artifactDir;
    private ?string $session = null;
    private int $shots = 0;

    /**
     * @param string $name artifact folder below target/browser-artifacts/ (e.g. the test's name)
     * @param int $width viewport width in CSS pixels
     * @param int $height viewport height (screenshots grow to the page's height, up to 4000)
     */
    public function __construct(string $name, private int $width = 1280, private int $height = 900)
    {
        foreach ([self::CHROMEDRIVER, self::CHROMIUM] as $binary) {
            if (!is_executable($binary)) {
                throw new \RuntimeException("$binary is missing: install Debian's chromium and chromium-driver (make deps)");
            }
        }
        $this->artifactDir = self::artifactRoot() . '/' . preg_replace('/[^A-Za-z0-9_.-]+/', '_', $name);
        self::removeTree($this->artifactDir);
        if (!@mkdir($this->artifactDir, 0777, true) && !is_dir($this->artifactDir)) {
            throw new \RuntimeException("cannot create {$this->artifactDir}");
        }
        $this->profileDir = self::tempDir('browser-profile-');
        $this->logPath = $this->artifactDir . '/chromedriver.log';
        self::registerShutdown();
        self::$running[spl_object_id($this)] = $this;
        try {
            $this->startDriver();
            $this->startSession();
        } catch (\Throwable $e) {
            $this->quit();
            throw $e;
        }
    }

    public function __destruct()
    {
        $this->quit();
    }

    /** target/browser-artifacts below the repository. */
    public static function artifactRoot(): string
    {
        return dirname(__DIR__, 2) . '/target/browser-artifacts';
    }

    public function artifactDir(): string
    {
        return $this->artifactDir;
    }

    // ---- navigation ---------------------------------------------------------------------

    public function open(string $url): void
    {
        $this->command('POST', '/url', ['url' => $url]);
    }

    public function currentUrl(): string
    {
        return (string) $this->command('GET', '/url');
    }

    public function title(): string
    {
        return (string) $this->command('GET', '/title');
    }

    public function back(): void
    {
        $this->command('POST', '/back', (object) []);
    }

    /** Opens a new tab (same session and cookies) and switches to it; returns the previous tab's handle. */
    public function newTab(): string
    {
        $previous = (string) $this->command('GET', '/window');
        $tab = $this->command('POST', '/window/new', ['type' => 'tab']);
        $this->switchTo((string) $tab['handle']);
        return $previous;
    }

    /** Switches to a tab by its handle (newTab()'s answer). */
    public function switchTo(string $handle): void
    {
        $this->command('POST', '/window', ['handle' => $handle]);
    }

    /** The HTML as the browser holds it now (for failure messages; assert on text()). */
    public function source(): string
    {
        return (string) $this->command('GET', '/source');
    }

    // ---- elements -----------------------------------------------------------------------

    /** The first element matching a CSS selector; fails when there is none. */
    public function find(string $css): string
    {
        $value = $this->command('POST', '/element', ['using' => 'css selector', 'value' => $css]);
        return (string) $value[self::ELEMENT];
    }

    /** @return list<string> every element matching a CSS selector (possibly none) */
    public function findAll(string $css): array
    {
        $value = $this->command('POST', '/elements', ['using' => 'css selector', 'value' => $css]);
        return array_map(static fn (array $e): string => (string) $e[self::ELEMENT], $value);
    }

    public function has(string $css): bool
    {
        return $this->findAll($css) !== [];
    }

    /** Waits until an element matching `$css` exists; returns it. */
    public function waitFor(string $css, float $seconds = 10.0): string
    {
        $deadline = microtime(true) + $seconds;
        do {
            $found = $this->findAll($css);
            if ($found !== []) {
                return $found[0];
            }
            usleep(50_000);
        } while (microtime(true) < $deadline);
        throw new \RuntimeException("no element '$css' after {$seconds}s on " . $this->currentUrl());
    }

    /** Waits until the URL starts with `$prefix` (after a click that navigates). */
    public function waitForUrl(string $prefix, float $seconds = 10.0): string
    {
        $deadline = microtime(true) + $seconds;
        do {
            $url = $this->currentUrl();
            if (str_starts_with($url, $prefix)) {
                return $url;
            }
            usleep(50_000);
        } while (microtime(true) < $deadline);
        throw new \RuntimeException("still at $url after {$seconds}s, expected $prefix…");
    }

    /**
     * Clicks the first element matching `$css` (a real pointer click: the element must be
     * visible and not covered). A click that submits a form returns once the new page loaded
     * (WebDriver's page-load strategy "normal").
     */
    public function click(string $css): void
    {
        $this->clickElement($this->find($css));
    }

    public function clickElement(string $element): void
    {
        $this->command('POST', '/element/' . $element . '/click', (object) []);
        $this->waitForLoad();
    }

    /** Waits until the current document has loaded (a click may start a navigation that is still under way). */
    public function waitForLoad(float $seconds = 10.0): void
    {
        $deadline = microtime(true) + $seconds;
        do {
            try {
                if ($this->script('return document.readyState;') === 'complete') {
                    return;
                }
            } catch (\RuntimeException) {
                // the document is being replaced
            }
            usleep(50_000);
        } while (microtime(true) < $deadline);
    }

    /** Clicks the first element matching `$css` whose visible text contains `$text`. */
    public function clickText(string $css, string $text): void
    {
        foreach ($this->findAll($css) as $element) {
            if (str_contains($this->elementText($element), $text)) {
                $this->clickElement($element);
                return;
            }
        }
        throw new \RuntimeException("no '$css' with text '$text' on " . $this->currentUrl());
    }

    /** Clears a field and types `$value` into it, as a user would. */
    public function fill(string $css, string $value): void
    {
        $element = $this->find($css);
        $this->command('POST', '/element/' . $element . '/clear', (object) []);
        $this->command('POST', '/element/' . $element . '/value', ['text' => $value]);
    }

    /**
     * Rendered text of the first element matching `$css` (default: the whole page): what a person
     * sees, without markup, hidden elements, attribute values or script.
     */
    public function text(string $css = 'body'): string
    {
        // A click that submits a form may return while the old document is being replaced; its
        // elements then go stale: read the new document instead.
        for ($attempt = 1; ; $attempt++) {
            try {
                return $this->elementText($this->find($css));
            } catch (\RuntimeException $e) {
                $replaced = str_contains($e->getMessage(), 'stale element') || str_contains($e->getMessage(), 'no such element');
                if ($attempt >= 20 || !$replaced) {
                    throw $e;
                }
                usleep(100_000);
            }
        }
    }

    public function elementText(string $element): string
    {
        return (string) $this->command('GET', '/element/' . $element . '/text');
    }

    /** @return list<string> rendered text of every element matching `$css` */
    public function texts(string $css): array
    {
        return array_map(fn (string $e): string => $this->elementText($e), $this->findAll($css));
    }

    public function attribute(string $css, string $name): ?string
    {
        $value = $this->command('GET', '/element/' . $this->find($css) . '/attribute/' . rawurlencode($name));
        return $value === null ? null : (string) $value;
    }

    public function isDisplayed(string $css): bool
    {
        return (bool) $this->command('GET', '/element/' . $this->find($css) . '/displayed');
    }

    /** Runs JavaScript in the page (`return …` gives a value). */
    public function script(string $js, array $args = []): mixed
    {
        return $this->command('POST', '/execute/sync', ['script' => $js, 'args' => $args]);
    }

    // ---- artifacts ----------------------------------------------------------------------

    /**
     * Screenshot of the whole page (at most 4000 px high)
     * as `<artifacts>/<NN>-<name>.png`; returns the file's path.
     */
    public function screenshot(string $name): string
    {
        // WebDriver's screenshot is the viewport, and the window cannot outgrow headless Chromium's
        // screen: Chromium's own (DevTools) capture of the whole layout, through chromedriver.
        $metrics = $this->command('POST', '/goog/cdp/execute', ['cmd' => 'Page.getLayoutMetrics', 'params' => (object) []]);
        $size = $metrics['cssContentSize'] ?? $metrics['contentSize'];
        $shot = $this->command('POST', '/goog/cdp/execute', ['cmd' => 'Page.captureScreenshot', 'params' => [
            'format' => 'png',
            'captureBeyondViewport' => true,
            'clip' => ['x' => 0, 'y' => 0, 'width' => max($this->width, (int) ceil($size['width'])),
                'height' => min(4000, max(1, (int) ceil($size['height']))), 'scale' => 1],
        ]]);
        $png = base64_decode((string) ($shot['data'] ?? ''), true);
        if ($png === false || !str_starts_with($png, "\x89PNG")) {
            throw new \RuntimeException('chromedriver returned no PNG');
        }
        $path = sprintf('%s/%02d-%s.png', $this->artifactDir, ++$this->shots, preg_replace('/[^A-Za-z0-9_.-]+/', '_', $name));
        file_put_contents($path, $png);
        return $path;
    }

    // ---- lifecycle ----------------------------------------------------------------------

    /** Ends the session, stops chromedriver and Chromium, removes the profile. Idempotent. */
    public function quit(): void
    {
        unset(self::$running[spl_object_id($this)]);
        if ($this->session !== null) {
            try {
                $this->http('DELETE', '/session/' . $this->session, null, 5);
            } catch (\Throwable) {
                // the group kill below ends whatever is left
            }
            $this->session = null;
        }
        $this->stopDriver();
        if (isset($this->profileDir)) {
            self::removeTree($this->profileDir);
        }
    }

    private function stopDriver(): void
    {
        if ($this->watchdog !== null) {
            $status = proc_get_status($this->watchdog);
            if ($status['running']) {
                @posix_kill($status['pid'], SIGKILL);
            }
            proc_close($this->watchdog);
            $this->watchdog = null;
        }
        if ($this->driver !== null) {
            if ($this->driverPid > 0) {
                @posix_kill(-$this->driverPid, SIGTERM);
                $deadline = microtime(true) + 2.0;
                while (proc_get_status($this->driver)['running'] && microtime(true) < $deadline) {
                    usleep(10_000);
                }
                // Chromium's helpers may outlive chromedriver; the group kill gets them all.
                @posix_kill(-$this->driverPid, SIGKILL);
            }
            proc_close($this->driver);
            $this->driver = null;
            $this->driverPid = 0;
        }
        if ($this->portClaim !== null) {
            flock($this->portClaim, LOCK_UN);
            fclose($this->portClaim);
            $this->portClaim = null;
        }
    }

    private function startDriver(): void
    {
        $lastError = 'no attempt';
        for ($attempt = 0; $attempt < 5; $attempt++) {
            $this->port = PhpServer::freePort();
            if (!$this->claimPort()) {
                continue;
            }
            $cmd = ['setsid', self::CHROMEDRIVER, '--port=' . $this->port, '--log-path=' . $this->logPath];
            // Chromium's crash database and caches follow XDG: keep them in the private profile,
            // out of the user's ~/.config.
            $env = array_merge(getenv(), [
                'XDG_CONFIG_HOME' => $this->profileDir . '/xdg-config',
                'XDG_CACHE_HOME' => $this->profileDir . '/xdg-cache',
            ]);
            $process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes, null, $env);
            if (!is_resource($process)) {
                throw new \RuntimeException('cannot start ' . self::CHROMEDRIVER);
            }
            $this->driver = $process;
            $this->driverPid = proc_get_status($process)['pid'];
            $this->startWatchdog();
            $deadline = microtime(true) + 10.0;
            while (microtime(true) < $deadline) {
                if (!proc_get_status($process)['running']) {
                    break;
                }
                try {
                    $status = $this->http('GET', '/status', null, 1);
                    if (($status['value']['ready'] ?? false) === true) {
                        return;
                    }
                } catch (\RuntimeException $e) {
                    $lastError = $e->getMessage();
                }
                usleep(50_000);
            }
            $lastError = 'chromedriver did not become ready: ' . $lastError . "\n" . self::tail($this->logPath);
            $this->stopDriver();
        }
        throw new \RuntimeException($lastError);
    }

    private function startSession(): void
    {
        $args = [
            '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-default-apps', '--disable-extensions', '--disable-dev-shm-usage',
            '--no-default-browser-check', '--password-store=basic', '--use-mock-keychain',
            '--user-data-dir=' . $this->profileDir . '/chromium',
            '--window-size=' . $this->width . ',' . $this->height,
            '--lang=en-US',
        ];
        $response = $this->http('POST', '/session', [
            'capabilities' => ['alwaysMatch' => [
                'browserName' => 'chrome',
                'pageLoadStrategy' => 'normal',
                'unhandledPromptBehavior' => 'dismiss',
                'timeouts' => ['pageLoad' => 30000, 'script' => 10000, 'implicit' => 0],
                'goog:chromeOptions' => ['binary' => self::CHROMIUM, 'args' => $args],
            ]],
        ], 60);
        $session = $response['value']['sessionId'] ?? null;
        if (!is_string($session)) {
            throw new \RuntimeException('chromedriver gave no session: ' . json_encode($response) . "\n" . self::tail($this->logPath));
        }
        $this->session = $session;
        $this->resize($this->width, $this->height);
    }

    private function resize(int $width, int $height): void
    {
        $this->command('POST', '/window/rect', ['width' => $width, 'height' => $height]);
    }

    /** One command of the session; returns its `value`, throws on a WebDriver error. */
    private function command(string $method, string $path, array|object|null $body = null): mixed
    {
        if ($this->session === null) {
            throw new \LogicException('the browser session has ended');
        }
        $response = $this->http($method, '/session/' . $this->session . $path, $body, 60);
        $value = $response['value'] ?? null;
        if (is_array($value) && isset($value['error'])) {
            throw new \RuntimeException("WebDriver $method $path: {$value['error']}: " . ($value['message'] ?? ''));
        }
        return $value;
    }

    /** @return array<string, mixed> the decoded JSON answer */
    private function http(string $method, string $path, array|object|null $body, int $timeout): array
    {
        $curl = curl_init('http://127.0.0.1:' . $this->port . $path);
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => $timeout,
            CURLOPT_CONNECTTIMEOUT => 2,
            CURLOPT_PROXY => '',
            CURLOPT_NOPROXY => '*',
            CURLOPT_HTTPHEADER => ['Content-Type: application/json; charset=utf-8'],
        ];
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        }
        curl_setopt_array($curl, $options);
        $raw = curl_exec($curl);
        $error = curl_error($curl);
        curl_close($curl);
        if (!is_string($raw)) {
            throw new \RuntimeException("chromedriver $method $path: $error");
        }
        $decoded = json_decode($raw, true);
        if (!is_array($decoded)) {
            throw new \RuntimeException("chromedriver $method $path answered no JSON: " . substr($raw, 0, 300));
        }
        return $decoded;
    }

    private function claimPort(): bool
    {
        $dir = sys_get_temp_dir() . '/testbed-ports';
        @mkdir($dir, 0777, true);
        $claim = @fopen("$dir/{$this->port}.lock", 'c');
        if ($claim === false || !flock($claim, LOCK_EX | LOCK_NB)) {
            if ($claim !== false) {
                fclose($claim);
            }
            return false;
        }
        $this->portClaim = $claim;
        return true;
    }

    private function startWatchdog(): void
    {
        $script = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; '
            . 'kill -TERM "-$2" 2>/dev/null; sleep 1; kill -KILL "-$2" 2>/dev/null; rm -rf "$3"';
        $watchdog = proc_open(
            ['setsid', 'sh', '-c', $script, 'browser-watchdog', (string) getmypid(), (string) $this->driverPid, $this->profileDir],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
        );
        if (is_resource($watchdog)) {
            $this->watchdog = $watchdog;
        }
    }

    private static function registerShutdown(): void
    {
        if (self::$shutdownRegistered) {
            return;
        }
        self::$shutdownRegistered = true;
        register_shutdown_function(static function (): void {
            foreach (self::$running as $browser) {
                $browser->quit();
            }
        });
    }

    private static function tempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . bin2hex(random_bytes(6));
        if (!mkdir($dir, 0700)) {
            throw new \RuntimeException("cannot create $dir");
        }
        return $dir;
    }

    private static function tail(string $path, int $bytes = 2000): string
    {
        $size = @filesize($path);
        return $size === false ? '' : (string) @file_get_contents($path, false, null, max(0, $size - $bytes));
    }

    private static function removeTree(string $dir): void
    {
        if (!is_dir($dir) || is_link($dir)) {
            return;
        }
        $items = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST,
        );
        foreach ($items as $item) {
            $item->isDir() && !$item->isLink() ? @rmdir($item->getPathname()) : @unlink($item->getPathname());
        }
        @rmdir($dir);
    }
}
