<?php

declare(strict_types=1);

namespace Testbed;

/**
 * One WHMCS stand-in site: a fresh database (schema + seed) on the shared private MariaDB,
 * a WHMCS root assembled in a temp dir by copying tests/whmcs/ and then module trees, served
 * by PhpServer. Everything the site does goes through the stand-in's own code: helpers that
 * change state (activate, save settings, refund, addInvoicePayment …) run in a PHP CLI process
 * that boots the site's init.php with the same ini settings as the server.
 *
 *     $site = new WhmcsSite(
 *         modules: [__DIR__ . '/../../php-module/modules'],   // trees mirroring WHMCS' modules/
 *         ini: ['extension' => '/abs/libspectrocoin.so', 'spectrocoin.api_url' => $sim->url() . '/api'],
 *         paymentMethod: 'spectrocoin',                         // seeded invoices' gateway
 *     );
 *     $site->activateGateway('spectrocoin');
 *     $errors = $site->saveGatewaySettings('spectrocoin', ['merchantId' => '…']);
 *     $cookies = $site->clientLogin(1);
 *     $page = $site->get('viewinvoice.php?id=1', $cookies);   // ['status', 'headers', 'body', 'cookies']
 *     $site->invoice(1)['status'];
 *
 * Seed (tests/fixtures/whmcs/seed.sql): admin "admin"/"admin"; clients 1 (EUR), 2 (USD),
 * 3 (EUR), password "client"; invoices 1–9 in every status.
 */
final class WhmcsSite
{
    public const SESSION_COOKIE = 'WHMCSStandIn';
    private const RESULT_MARKER = "\n@@STANDIN-RESULT@@";

    private string $dir;
    private string $root;
    private string $database;
    private string $token;
    private PhpServer $server;
    private MariaDb $db;
    /** @var array<string, string|int|list<string>> */
    private array $ini;
    /** @var array<string, string> */
    private array $env;
    private bool $stopped = false;
    private ?string $restrictedUser = null;

    /**
     * @param list<string> $modules directories copied over the root's modules/ (e.g. php-module/modules)
     * @param array<string, string|int|list<string>> $ini extra ini settings for the server and CLI runs
     * @param array<string, string> $env extra environment for the server and CLI runs
     * @param int|null $port fixed port (e.g. 8180 for the sandbox); null picks a free one
     * @param string|null $paymentMethod if set, every seeded invoice (and item) uses this gateway
     */
    public function __construct(
        array $modules = [],
        array $ini = [],
        array $env = [],
        ?int $port = null,
        ?MariaDb $db = null,
        private ?string $paymentMethod = null,
        int $workers = 4,
    ) {
        $this->db = $db ?? MariaDb::shared();
        $this->dir = self::makeTempDir();
        $this->root = $this->dir . '/root';
        $this->database = 'whmcs_' . bin2hex(random_bytes(6));
        $this->token = bin2hex(random_bytes(16));

        self::copyTree(self::templateDir(), $this->root);
        foreach ($modules as $tree) {
            $this->installModules($tree);
        }
        mkdir($this->dir . '/sessions', 0700);
        file_put_contents($this->dir . '/runner.php', self::runnerSource());

        $this->ini = array_merge([
            'display_errors' => '0',
            'log_errors' => '1',
            'error_reporting' => (string) E_ALL,
            'date.timezone' => 'UTC',
        ], $ini);
        $this->env = array_merge($env, [
            'WHMCS_DB_SOCKET' => $this->db->socket(),
            'WHMCS_DB_NAME' => $this->database,
            'WHMCS_DB_USER' => 'root',
            'WHMCS_DB_PASSWORD' => '',
            'WHMCS_SESSION_DIR' => $this->dir . '/sessions',
            'WHMCS_STANDIN_TOKEN' => $this->token,
            'WHMCS_DB_CREDENTIALS_FILE' => $this->dir . '/db-credentials',
        ]);

        $this->loadDatabase();
        try {
            $this->server = new PhpServer(
                docroot: $this->root,
                router: $this->root . '/router.php',
                ini: $this->ini,
                env: $this->env,
                port: $port,
                workers: $workers,
                logPath: $this->dir . '/server.log',
            );
        } catch (\Throwable $e) {
            $this->db->dropDatabase($this->database);
            MariaDb::removeTree($this->dir);
            throw $e;
        }
        $this->setSystemUrl();
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** Stops the server, drops the database and removes the temp dir. Idempotent. */
    public function stop(): void
    {
        if ($this->stopped) {
            return;
        }
        $this->stopped = true;
        if (isset($this->server)) {
            $this->server->stop();
        }
        try {
            if ($this->db->isRunning()) {
                $this->db->dropDatabase($this->database);
                if ($this->restrictedUser !== null) {
                    $this->db->pdo()->exec("DROP USER IF EXISTS '{$this->restrictedUser}'@'localhost'");
                }
            }
        } catch (\Throwable) {
            // the server may already be gone at shutdown
        }
        MariaDb::removeTree($this->dir);
    }

    // ---- where things are ----------------------------------------------------------------

    /** SystemURL with trailing slash, e.g. "http://127.0.0.1:40123/". */
    public function systemUrl(): string
    {
        return $this->server->url() . '/';
    }

    /** Absolute URL of a path below the root ("viewinvoice.php?id=1"). */
    public function url(string $path = ''): string
    {
        return $this->systemUrl() . ltrim($path, '/');
    }

    /** Callback URL of a gateway: {SystemURL}modules/gateways/callback/NAME.php */
    public function callbackUrl(string $gateway): string
    {
        return $this->url('modules/gateways/callback/' . $gateway . '.php');
    }

    /** The assembled WHMCS root (temp dir). */
    public function root(): string
    {
        return $this->root;
    }

    public function databaseName(): string
    {
        return $this->database;
    }

    public function server(): PhpServer
    {
        return $this->server;
    }

    /** The server's log (request lines, PHP errors and warnings). */
    public function logTail(int $bytes = 4000): string
    {
        return $this->server->logTail($bytes);
    }

    /** New PDO on this site's database (errors as exceptions, rows as assoc arrays). */
    public function pdo(): \PDO
    {
        return $this->db->pdo($this->database);
    }

    // ---- setup ----------------------------------------------------------------------------

    /** Copies a tree mirroring WHMCS' modules/ (gateways/NAME.php, gateways/callback/…) into the root. */
    public function installModules(string $modulesDir): void
    {
        if (!is_dir($modulesDir)) {
            throw new \InvalidArgumentException("module tree not found: $modulesDir");
        }
        self::copyTree($modulesDir, $this->root . '/modules');
    }

    /** Drops and reloads the database from schema + seed (the server keeps running). */
    public function resetDatabase(): void
    {
        // Emptying the tables is several times faster than DROP/CREATE DATABASE (the seed gives
        // explicit ids, so AUTO_INCREMENT counters are left as they are: new rows get fresh
        // ids); tables the schema does not define (a module's mod_* tables) are dropped.
        $pdo = $this->pdo();
        $schemaTables = self::schemaTables();
        $pdo->exec('SET FOREIGN_KEY_CHECKS = 0');
        foreach ($pdo->query('SHOW TABLES')->fetchAll(\PDO::FETCH_COLUMN) as $table) {
            if (in_array($table, $schemaTables, true)) {
                $pdo->exec("DELETE FROM `$table`");
            } else {
                $pdo->exec("DROP TABLE `$table`");
            }
        }
        $pdo->exec('SET FOREIGN_KEY_CHECKS = 1');
        $missing = array_diff($schemaTables, $pdo->query('SHOW TABLES')->fetchAll(\PDO::FETCH_COLUMN));
        if ($missing !== []) {
            // A test dropped a stand-in table: start over.
            $this->db->dropDatabase($this->database);
            $this->loadDatabase();
        } else {
            $this->runSqlFile($pdo, 'seed.sql');
            $this->applyPaymentMethod($pdo);
        }
        $this->setSystemUrl();
    }

    // ---- database privileges (knob; off by default) ---------------------------------------

    /**
     * From now on the site (pages, callbacks and CLI runs) connects as a user with only SELECT,
     * INSERT, UPDATE, DELETE and LOCK TABLES on its database: no CREATE, ALTER, DROP or INDEX.
     * WHMCS needs those only to install or activate modules (System Environment Guide), so a
     * production site may run without them; call this after the admin activated and saved the
     * gateway, then anything a callback or Pay Now tries to create fails with "command denied".
     * Test-side connections (pdo(), query(), resetDatabase()) stay root.
     */
    public function useRestrictedDatabaseUser(): void
    {
        if ($this->restrictedUser === null) {
            $this->restrictedUser = 'site_' . substr($this->database, 6);
            $password = bin2hex(random_bytes(12));
            $root = $this->db->pdo();
            $root->exec("CREATE USER '{$this->restrictedUser}'@'localhost' IDENTIFIED BY '$password'");
            $root->exec("GRANT SELECT, INSERT, UPDATE, DELETE, LOCK TABLES ON `{$this->database}`.* TO '{$this->restrictedUser}'@'localhost'");
            file_put_contents($this->dir . '/db-credentials.user', $this->restrictedUser . "\n" . $password);
        }
        copy($this->dir . '/db-credentials.user', $this->dir . '/db-credentials');
    }

    /** Back to the installing user (root), as when the admin activates a module again. */
    public function useInstallerDatabaseUser(): void
    {
        @unlink($this->dir . '/db-credentials');
    }

    /** The user the site connects as now ('root' unless restricted). */
    public function databaseUser(): string
    {
        return is_file($this->dir . '/db-credentials') ? (string) $this->restrictedUser : 'root';
    }

    /**
     * Tables and their column definitions (information_schema), for asserting that no DDL ran
     * between two points: compare two snapshots.
     *
     * @return array<string, list<string>> table => "column type nullable default extra" lines
     */
    public function schemaSnapshot(): array
    {
        $rows = $this->query(
            'SELECT TABLE_NAME t, COLUMN_NAME c, COLUMN_TYPE ty, IS_NULLABLE n, COLUMN_DEFAULT d, EXTRA e'
            . ' FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
            [$this->database],
        );
        $snapshot = [];
        foreach ($rows as $row) {
            $snapshot[$row['t']][] = implode(' ', [$row['c'], $row['ty'], $row['n'], (string) $row['d'], $row['e']]);
        }
        foreach ($this->query('SELECT TABLE_NAME t, INDEX_NAME i, COLUMN_NAME c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX', [$this->database]) as $row) {
            $snapshot[$row['t']][] = 'index ' . $row['i'] . ' ' . $row['c'];
        }
        return $snapshot;
    }

    /** Writes a tblconfiguration setting (e.g. the StandIn* knobs, CompanyName). */
    public function setConfig(string $setting, string $value): void
    {
        $this->pdo()->prepare('REPLACE INTO tblconfiguration (setting, value) VALUES (?, ?)')->execute([$setting, $value]);
    }

    // ---- gateway settings (same code path as admin/configgateways.php) --------------------

    public function activateGateway(string $name): void
    {
        $this->call('StandIn\Gateways::activate', [$name]);
    }

    public function deactivateGateway(string $name): void
    {
        $this->call('StandIn\Gateways::deactivate', [$name]);
    }

    /**
     * Save as the admin page does: the given fields are changed, others keep what the form
     * shows (stored value or Default); yesno accepts true/false/'on'/''; 'convertto' is a
     * currency id or ''. NAME_config_validate() runs first.
     *
     * @return list<string> validation errors; empty when saved
     */
    public function saveGatewaySettings(string $name, array $values): array
    {
        $values = array_map(static fn ($v) => is_bool($v) ? ($v ? 'on' : '') : $v, $values);
        return $this->call('StandIn\Gateways::save', [$name, $values]);
    }

    /** Stored settings of a gateway, decoded and decrypted (empty when inactive). */
    public function gatewaySettings(string $name): array
    {
        return $this->call('StandIn\Gateways::settings', [$name]);
    }

    /** The `$params` NAME_link would receive for this invoice (encoded per APIVersion). */
    public function linkParams(string $gateway, int $invoiceId): array
    {
        return $this->run(sprintf(
            'return \StandIn\Params::encodeFor(%1$s, \StandIn\Params::forInvoice(%1$s, %2$d));',
            var_export($gateway, true),
            $invoiceId,
        ));
    }

    /**
     * Admin "Refund through gateway" of the payment tblaccounts.id = `$accountId`.
     *
     * @return array{status: string, message: string, transid?: string}
     */
    public function refund(int $accountId, ?string $amount = null): array
    {
        return $this->call('StandIn\Refunds::refund', [$accountId, $amount]);
    }

    // ---- addon modules (same code path as admin/configaddonmods.php) ----------------------

    /** @return array{status: string, description: string} NAME_activate()'s answer */
    public function activateAddon(string $name): array
    {
        return $this->call('StandIn\Addons::activate', [$name]);
    }

    /** @return array{status: string, description: string} */
    public function deactivateAddon(string $name): array
    {
        return $this->call('StandIn\Addons::deactivate', [$name]);
    }

    public function saveAddonSettings(string $name, array $values): void
    {
        $values = array_map(static fn ($v) => is_bool($v) ? ($v ? 'on' : '') : $v, $values);
        $this->call('StandIn\Addons::save', [$name, $values]);
    }

    /** Stored tbladdonmodules settings of an active addon ([] when inactive). */
    public function addonSettings(string $name): array
    {
        return $this->call('StandIn\Addons::settings', [$name]);
    }

    /**
     * One run of WHMCS's system cron, as the documented crontab line does it
     * (`php -q crons/cron.php`), with the site's ini and environment.
     *
     * @return array{exit: int, stdout: string, stderr: string}
     */
    public function runCron(): array
    {
        $process = $this->startCron($pipes);
        $stdout = (string) stream_get_contents($pipes[1]);
        $stderr = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return ['exit' => proc_close($process), 'stdout' => $stdout, 'stderr' => $stderr];
    }

    /**
     * Starts a cron run without waiting (races against callbacks); read $pipes[1] and [2], then
     * proc_close() the returned process.
     *
     * @return resource
     */
    public function startCron(?array &$pipes)
    {
        $cmd = [PHP_BINARY, '-q'];
        foreach (array_merge($this->ini, ['display_errors' => 'stderr']) as $name => $value) {
            foreach ((array) $value as $v) {
                $cmd[] = '-d';
                $cmd[] = $name . '=' . $v;
            }
        }
        $cmd[] = $this->root . '/crons/cron.php';
        $process = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $this->root . '/crons',
            array_merge(getenv(), $this->env));
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start php for the cron run');
        }
        fclose($pipes[0]);
        return $process;
    }

    // ---- running stand-in PHP in a CLI process --------------------------------------------

    /**
     * Calls a function (global WHMCS helper like 'addInvoicePayment', or 'Class::method') in a
     * PHP process booted with this site's init.php, gatewayfunctions.php and
     * invoicefunctions.php. Arguments and result travel as JSON.
     *
     * @throws \RuntimeException when the function throws or exits
     */
    public function call(string $function, array $args = [])
    {
        return self::unwrap($this->tryCall($function, $args), $function);
    }

    /**
     * Like call(), but reports instead of throwing:
     * ['result' => mixed, 'exception' => ?['class', 'message'], 'exited' => bool, 'output' => string, 'stderr' => string]
     */
    public function tryCall(string $function, array $args = []): array
    {
        return $this->runner(['function' => $function, 'args' => array_values($args)]);
    }

    /** Runs PHP code (a function body; `return` a JSON-encodable value) inside the site. */
    public function run(string $code)
    {
        return self::unwrap($this->tryRun($code), 'code');
    }

    public function tryRun(string $code): array
    {
        return $this->runner(['code' => $code]);
    }

    // ---- HTTP -----------------------------------------------------------------------------

    /**
     * Logs client `$clientId` in (stand-in shortcut guarded by the site's token).
     *
     * @return array<string, string> cookie jar for get()/post()
     */
    public function clientLogin(int $clientId): array
    {
        $response = $this->get('standin/login.php?userid=' . $clientId . '&token=' . $this->token);
        if ($response['status'] !== 200 || !isset($response['cookies'][self::SESSION_COOKIE])) {
            throw new \RuntimeException("client login failed (HTTP {$response['status']}): {$response['body']}");
        }
        return [self::SESSION_COOKIE => $response['cookies'][self::SESSION_COOKIE]];
    }

    /**
     * Logs the admin in through admin/login.php.
     *
     * @return array<string, string> cookie jar
     */
    public function adminLogin(string $username = 'admin', string $password = 'admin'): array
    {
        $response = $this->post('admin/login.php', ['username' => $username, 'password' => $password]);
        if ($response['status'] !== 302 || !isset($response['cookies'][self::SESSION_COOKIE])) {
            throw new \RuntimeException("admin login failed (HTTP {$response['status']})");
        }
        return [self::SESSION_COOKIE => $response['cookies'][self::SESSION_COOKIE]];
    }

    /** GET; redirects are not followed. See request(). */
    public function get(string $path, array $cookies = [], array $headers = []): array
    {
        return $this->request('GET', $path, null, $cookies, $headers);
    }

    /** POST; an array body is form-encoded, a string body is sent raw. See request(). */
    public function post(string $path, array|string $body, array $cookies = [], array $headers = []): array
    {
        return $this->request('POST', $path, $body, $cookies, $headers);
    }

    /**
     * One HTTP request to the site (`$path` relative to the root, or an absolute URL),
     * without following redirects.
     *
     * @param array<string, string> $cookies name => value
     * @param array<string, string> $headers name => value
     * @return array{status: int, headers: array<string, string>, body: string, cookies: array<string, string>, location: ?string}
     */
    public function request(string $method, string $path, array|string|null $body = null, array $cookies = [], array $headers = []): array
    {
        $url = preg_match('#^https?://#', $path) ? $path : $this->url($path);
        $ch = curl_init($url);
        $headerLines = [];
        foreach ($headers as $name => $value) {
            $headerLines[] = $name . ': ' . $value;
        }
        if ($cookies !== []) {
            $pairs = [];
            foreach ($cookies as $name => $value) {
                $pairs[] = $name . '=' . $value;
            }
            $headerLines[] = 'Cookie: ' . implode('; ', $pairs);
        }
        $received = [];
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => $headerLines,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$received): int {
                $received[] = $line;
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, is_array($body) ? http_build_query($body) : $body);
        }
        $responseBody = curl_exec($ch);
        if ($responseBody === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException("$method $url failed: $error");
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);

        $responseHeaders = [];
        $setCookies = [];
        foreach ($received as $line) {
            if (!str_contains($line, ':')) {
                continue;
            }
            [$name, $value] = explode(':', $line, 2);
            $name = strtolower(trim($name));
            $value = trim($value);
            $responseHeaders[$name] = $value;
            if ($name === 'set-cookie') {
                $pair = explode(';', $value, 2)[0];
                if (str_contains($pair, '=')) {
                    [$cName, $cValue] = explode('=', $pair, 2);
                    $setCookies[trim($cName)] = trim($cValue);
                }
            }
        }
        return [
            'status' => $status,
            'headers' => $responseHeaders,
            'body' => (string) $responseBody,
            'cookies' => $setCookies,
            'location' => $responseHeaders['location'] ?? null,
        ];
    }

    /**
     * The first <form> of an HTML fragment, as the forward page would submit it (inside
     * `#frmPayment` when present): ['action', 'method', 'fields' => name => value], or null.
     */
    public static function firstForm(string $html): ?array
    {
        $doc = new \DOMDocument();
        $previous = libxml_use_internal_errors(true);
        $doc->loadHTML('<?xml encoding="utf-8"?><html><body>' . $html . '</body></html>');
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        $scope = $doc->getElementById('frmPayment') ?? $doc;
        $form = $scope->getElementsByTagName('form')->item(0);
        if (!$form instanceof \DOMElement) {
            return null;
        }
        $fields = [];
        $xpath = new \DOMXPath($doc);
        foreach ($xpath->query('.//input|.//select|.//textarea', $form) ?: [] as $el) {
            /** @var \DOMElement $el */
            $name = $el->getAttribute('name');
            if ($name === '') {
                continue;
            }
            $type = strtolower($el->getAttribute('type'));
            if (in_array($type, ['checkbox', 'radio'], true) && !$el->hasAttribute('checked')) {
                continue;
            }
            if (in_array($type, ['submit', 'button', 'image', 'reset'], true)) {
                continue;
            }
            if ($el->tagName === 'select') {
                $value = '';
                foreach ($el->getElementsByTagName('option') as $i => $opt) {
                    if ($i === 0 || $opt->hasAttribute('selected')) {
                        $value = $opt->hasAttribute('value') ? $opt->getAttribute('value') : $opt->textContent;
                    }
                }
            } elseif ($el->tagName === 'textarea') {
                $value = $el->textContent;
            } else {
                $value = $el->getAttribute('value');
            }
            $fields[$name] = $value;
        }
        return [
            'action' => $form->getAttribute('action'),
            'method' => strtoupper($form->getAttribute('method') ?: 'GET'),
            'fields' => $fields,
        ];
    }

    // ---- reading state --------------------------------------------------------------------

    /** tblinvoices row plus 'balance' ('x.xx'), or null. */
    public function invoice(int $id): ?array
    {
        $row = $this->query('SELECT * FROM tblinvoices WHERE id = ?', [$id])[0] ?? null;
        if ($row === null) {
            return null;
        }
        $sums = $this->query(
            'SELECT COALESCE(SUM(amountin), 0) AS paid, COALESCE(SUM(amountout), 0) AS refunded FROM tblaccounts WHERE invoiceid = ?',
            [$id],
        )[0];
        $row['balance'] = number_format(
            round((float) $row['total'] - (float) $sums['paid'] + (float) $sums['refunded'], 2),
            2, '.', '',
        );
        return $row;
    }

    /** tblaccounts rows of an invoice, oldest first. */
    public function transactions(int $invoiceId): array
    {
        return $this->query('SELECT * FROM tblaccounts WHERE invoiceid = ? ORDER BY id', [$invoiceId]);
    }

    /** Recorded hooks (optionally one name), oldest first; 'vars' decoded. */
    public function hooks(?string $hook = null): array
    {
        $rows = $hook === null
            ? $this->query('SELECT * FROM standin_hooks ORDER BY id')
            : $this->query('SELECT * FROM standin_hooks WHERE hook = ? ORDER BY id', [$hook]);
        foreach ($rows as &$row) {
            $row['vars'] = json_decode((string) $row['vars'], true);
        }
        return $rows;
    }

    /** Recorded emails (optionally one template), oldest first. */
    public function emails(?string $template = null): array
    {
        return $template === null
            ? $this->query('SELECT * FROM standin_emails ORDER BY id')
            : $this->query('SELECT * FROM standin_emails WHERE template = ? ORDER BY id', [$template]);
    }

    /** tblgatewaylog rows, oldest first. */
    public function gatewayLog(): array
    {
        return $this->query('SELECT * FROM tblgatewaylog ORDER BY id');
    }

    /** @return list<array<string, mixed>> */
    public function query(string $sql, array $params = []): array
    {
        $stmt = $this->pdo()->prepare($sql);
        $stmt->execute($params);
        return $stmt->fetchAll(\PDO::FETCH_ASSOC);
    }

    // ---- internals ------------------------------------------------------------------------

    public static function templateDir(): string
    {
        return dirname(__DIR__) . '/whmcs';
    }

    public static function fixturesDir(): string
    {
        return dirname(__DIR__) . '/fixtures/whmcs';
    }

    private function loadDatabase(): void
    {
        $this->db->createDatabase($this->database);
        $pdo = $this->pdo();
        $this->runSqlFile($pdo, 'schema.sql');
        $this->runSqlFile($pdo, 'seed.sql');
        $this->applyPaymentMethod($pdo);
    }

    private function runSqlFile(\PDO $pdo, string $file): void
    {
        foreach (self::splitSql((string) file_get_contents(self::fixturesDir() . '/' . $file)) as $statement) {
            try {
                $pdo->exec($statement);
            } catch (\PDOException $e) {
                throw new \RuntimeException("$file: {$e->getMessage()}\nin: " . substr($statement, 0, 300), 0, $e);
            }
        }
    }

    /** Names of the tables schema.sql creates. */
    private static function schemaTables(): array
    {
        preg_match_all('/CREATE TABLE `([^`]+)`/', (string) file_get_contents(self::fixturesDir() . '/schema.sql'), $m);
        return $m[1];
    }

    private function applyPaymentMethod(\PDO $pdo): void
    {
        if ($this->paymentMethod !== null) {
            $pdo->prepare('UPDATE tblinvoices SET paymentmethod = ?')->execute([$this->paymentMethod]);
            $pdo->prepare('UPDATE tblinvoiceitems SET paymentmethod = ?')->execute([$this->paymentMethod]);
            $pdo->prepare('UPDATE tblaccounts SET gateway = ?')->execute([$this->paymentMethod]);
        }
    }

    private function setSystemUrl(): void
    {
        if (isset($this->server)) {
            $this->setConfig('SystemURL', $this->systemUrl());
        }
    }

    /** Statements of an SQL file: `--` comment lines dropped, split at `;` ending a line. */
    private static function splitSql(string $sql): array
    {
        $lines = array_filter(explode("\n", $sql), static fn (string $l): bool => !str_starts_with(ltrim($l), '--'));
        $statements = preg_split('/;\s*(\n|$)/', implode("\n", $lines)) ?: [];
        return array_values(array_filter(array_map('trim', $statements), static fn (string $s): bool => $s !== ''));
    }

    private function runner(array $request): array
    {
        $cmd = [PHP_BINARY];
        foreach (array_merge($this->ini, ['display_errors' => 'stderr']) as $name => $value) {
            foreach ((array) $value as $v) {
                $cmd[] = '-d';
                $cmd[] = $name . '=' . $v;
            }
        }
        $cmd[] = $this->dir . '/runner.php';
        $env = array_merge(getenv(), $this->env, ['STANDIN_ROOT' => $this->root]);
        $process = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $this->root, $env);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start php for the stand-in runner');
        }
        fwrite($pipes[0], json_encode($request, JSON_THROW_ON_ERROR));
        fclose($pipes[0]);
        $stdout = (string) stream_get_contents($pipes[1]);
        $stderr = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $code = proc_close($process);

        $pos = strrpos($stdout, self::RESULT_MARKER);
        if ($pos === false) {
            throw new \RuntimeException("stand-in runner failed (exit $code):\n$stdout\n$stderr");
        }
        $payload = json_decode(substr($stdout, $pos + strlen(self::RESULT_MARKER)), true);
        return [
            'result' => $payload['result'] ?? null,
            'exception' => $payload['exception'] ?? null,
            'exited' => (bool) ($payload['exited'] ?? false),
            'output' => substr($stdout, 0, $pos),
            'stderr' => $stderr,
        ];
    }

    private static function unwrap(array $outcome, string $what)
    {
        if ($outcome['exception'] !== null) {
            throw new \RuntimeException(sprintf(
                '%s threw %s: %s%s',
                $what,
                $outcome['exception']['class'],
                $outcome['exception']['message'],
                $outcome['stderr'] !== '' ? "\nstderr: " . $outcome['stderr'] : '',
            ));
        }
        if ($outcome['exited']) {
            throw new \RuntimeException("$what exited; output: " . $outcome['output']);
        }
        return $outcome['result'];
    }

    private static function runnerSource(): string
    {
        $marker = var_export(self::RESULT_MARKER, true);
        return <<<PHP
        <?php
        // Generated by Testbed\\WhmcsSite: runs one request from STDIN inside the stand-in.
        \$request = json_decode((string) stream_get_contents(STDIN), true);
        \$GLOBALS['__standin_done'] = false;
        register_shutdown_function(static function (): void {
            if (!\$GLOBALS['__standin_done']) {
                \$error = error_get_last();
                \$fatal = \$error !== null && in_array(\$error['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR], true);
                echo $marker . json_encode(\$fatal
                    ? ['exception' => ['class' => 'FatalError', 'message' => \$error['message']]]
                    : ['exited' => true]);
            }
        });
        require getenv('STANDIN_ROOT') . '/init.php';
        require_once ROOTDIR . '/includes/gatewayfunctions.php';
        require_once ROOTDIR . '/includes/invoicefunctions.php';
        try {
            if (isset(\$request['code'])) {
                \$result = (static function () use (\$request) { return eval(\$request['code']); })();
            } else {
                \$result = call_user_func_array(\$request['function'], \$request['args']);
            }
            \$GLOBALS['__standin_done'] = true;
            echo $marker . json_encode(['result' => \$result], JSON_PARTIAL_OUTPUT_ON_ERROR);
        } catch (\\Throwable \$e) {
            \$GLOBALS['__standin_done'] = true;
            echo $marker . json_encode(['exception' => ['class' => get_class(\$e), 'message' => \$e->getMessage()]]);
        }

        PHP;
    }

    private static function makeTempDir(): string
    {
        for ($i = 0; $i < 20; $i++) {
            $dir = sys_get_temp_dir() . '/whmcs-site-' . bin2hex(random_bytes(5));
            if (@mkdir($dir, 0700)) {
                return $dir;
            }
        }
        throw new \RuntimeException('cannot create a temp dir for the WHMCS site');
    }

    /** Recursive copy (files overwrite, .git skipped, symlinks followed as files). */
    private static function copyTree(string $from, string $to): void
    {
        if (!is_dir($to) && !mkdir($to, 0755, true) && !is_dir($to)) {
            throw new \RuntimeException("cannot create $to");
        }
        foreach (scandir($from) ?: [] as $entry) {
            if ($entry === '.' || $entry === '..' || $entry === '.git') {
                continue;
            }
            $src = $from . '/' . $entry;
            $dst = $to . '/' . $entry;
            if (is_dir($src)) {
                self::copyTree($src, $dst);
            } elseif (!copy($src, $dst)) {
                throw new \RuntimeException("cannot copy $src to $dst");
            }
        }
    }
}
