<?php

declare(strict_types=1);

namespace Tests\Extension;

use Testbed\PhpServer;

/**
 * Real TLS on loopback: a throwaway CA and a certificate for 127.0.0.1, served by `openssl s_server`.
 * The extension must refuse the certificate unless the system trust store (here SSL_CERT_FILE, as an
 * admin's installed CA would be) trusts it: verification is never switched off.
 */
final class TlsTest extends ExtensionTestCase
{
    private static string $dir;
    /** @var resource|null */
    private static $server = null;
    private static int $port;

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/sc-tls-' . bin2hex(random_bytes(4));
        mkdir(self::$dir);
        $d = escapeshellarg(self::$dir);
        $cmds = [
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout $d/ca.key -out $d/ca.pem -days 2 -subj /CN=test-ca",
            "openssl req -newkey rsa:2048 -nodes -keyout $d/srv.key -out $d/srv.csr -subj /CN=127.0.0.1",
            "printf 'subjectAltName=IP:127.0.0.1\\n' > $d/ext.cnf",
            "openssl x509 -req -in $d/srv.csr -CA $d/ca.pem -CAkey $d/ca.key -CAcreateserial -out $d/srv.pem -days 2 -extfile $d/ext.cnf",
        ];
        foreach ($cmds as $cmd) {
            exec($cmd . ' 2>&1', $out, $rc);
            self::assertSame(0, $rc, $cmd . "\n" . implode("\n", $out));
        }
        self::$port = PhpServer::freePort();
        self::$server = proc_open(['openssl', 's_server', '-quiet', '-www', '-accept', (string) self::$port,
            '-cert', self::$dir . '/srv.pem', '-key', self::$dir . '/srv.key'], [0 => ['pipe', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        for ($i = 0; $i < 100 && @fsockopen('127.0.0.1', self::$port) === false; $i++) {
            usleep(50_000);
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
        }
        exec('rm -rf ' . escapeshellarg(self::$dir));
    }

    /**
     * Fetches SpectroCoin's public key over HTTPS (to verify V1) in a fresh PHP process, where
     * OpenSSL reads SSL_CERT_FILE, and returns the exception message.
     */
    private function keyFetchMessage(array $env): string
    {
        $code = '$v = json_decode(file_get_contents(' . var_export(__DIR__ . '/../../fixtures/vectors/spectrocoin-vectors.json', true) . '), true);'
            . '$c = $v["callbacks"][0]; $body = http_build_query($c["fields"] + ["sign" => $c["sign"]]);'
            . 'try { spectrocoin_verify_callback($body, ["merchantId" => "169", "projectId" => "3",'
            . ' "publicKeyUrl" => "https://127.0.0.1:' . self::$port . '/merchant.public.pem", "timeout" => 5]); echo "no exception"; }'
            . ' catch (\SpectroCoin\Exception $e) { echo get_class($e), ": ", $e->getMessage(); }';
        $ext = getenv('SPECTROCOIN_EXT') ?: dirname(__DIR__, 3) . '/target/debug/libspectrocoin.so';
        $proc = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . $ext, '-r', $code], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        proc_close($proc);
        return $out;
    }

    public function testAnUntrustedCertificateIsRefused(): void
    {
        $msg = $this->keyFetchMessage(['PATH' => getenv('PATH') ?: '/usr/bin:/bin']);
        self::assertStringContainsString('SpectroCoin\NetworkException: TLS handshake with SpectroCoin (127.0.0.1:' . self::$port . ') failed', $msg);
    }

    public function testACertificateTheSystemTrustStoreTrustsIsAccepted(): void
    {
        $msg = $this->keyFetchMessage(['PATH' => getenv('PATH') ?: '/usr/bin:/bin', 'SSL_CERT_FILE' => self::$dir . '/ca.pem']);
        // TLS succeeded: s_server's status page is not a PEM key.
        self::assertStringContainsString("SpectroCoin\\NetworkException: SpectroCoin's public key from 127.0.0.1:" . self::$port . ' is unusable', $msg);
    }
}
