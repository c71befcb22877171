<?php

declare(strict_types=1);

namespace Sim;

/**
 * Faults injected into the next N requests of a target: "createOrder", "publicKey" (legacy),
 * "token", "create", "get" (current public API).
 *
 * Kinds:
 *   delay      sleep delayMs, then answer normally (the order IS created)
 *   http500    HTTP 500, text body (public API targets: the documented JSON error body)
 *   http401, http403, http422, http429, http502, http503
 *              that status; public API targets answer the documented JSON error body (429 with
 *              Retry-After: 1), legacy targets a text body
 *   garbage    HTTP 200, Content-Type application/json, a body that is not JSON
 *   truncated  HTTP 200, the first half of the answer (JSON cut mid-way; for the key, half a PEM),
 *              with a Content-Length matching the cut body: a clean HTTP exchange, broken content
 *   drop       the worker shuts the client socket down (shutdown(2) via FFI) before any byte of
 *              a response: clients see "Empty reply from server" (curl error 52). Without FFI the
 *              fallback announces Content-Length 1 MiB and sends nothing (curl error 18).
 * Except for delay, no order is created unless the fault was registered with process=true
 * (the request is then handled, and only the answer is replaced).
 */
final class Faults
{
    public const TARGETS = State::FAULT_TARGETS;
    public const KINDS = ['delay', 'http500', 'garbage', 'truncated', 'drop', 'http401', 'http403', 'http422', 'http429', 'http502', 'http503'];

    /**
     * @param array<string, mixed> $state
     * @param array<string, mixed> $spec {target, kind, count?, delayMs?, process?}
     * @return array<string, mixed>
     */
    public static function add(array &$state, array $spec): array
    {
        $target = (string) ($spec['target'] ?? '');
        $kind = (string) ($spec['kind'] ?? '');
        if (!in_array($target, self::TARGETS, true)) {
            throw new FlowError("fault target must be one of " . implode(', ', self::TARGETS), 400);
        }
        if (!in_array($kind, self::KINDS, true)) {
            throw new FlowError("fault kind must be one of " . implode(', ', self::KINDS), 400);
        }
        $fault = [
            'kind' => $kind,
            'count' => max(1, (int) ($spec['count'] ?? 1)),
            'delayMs' => max(0, (int) ($spec['delayMs'] ?? ($kind === 'delay' ? 5000 : 0))),
            'process' => (bool) ($spec['process'] ?? false),
        ];
        $state['faults'][$target][] = $fault;
        return $fault;
    }

    /**
     * Consumes one use of the first pending fault for the target.
     *
     * @return array<string, mixed>|null
     */
    public static function take(Store $store, string $target): ?array
    {
        return $store->transaction(static function (array &$state) use ($target): ?array {
            if (empty($state['faults'][$target])) {
                return null;
            }
            $fault = $state['faults'][$target][0];
            if (--$state['faults'][$target][0]['count'] <= 0) {
                array_shift($state['faults'][$target]);
            }
            $state['faultLog'][] = ['at' => State::nowMs(), 'target' => $target, 'kind' => $fault['kind']];
            return $fault;
        });
    }

    /**
     * Sends the faulty answer for $normalBody (what would have been answered). Ends the request.
     *
     * @param (callable(int): string)|null $errorBody JSON error body for an HTTP status (public
     *        API); null: a text body
     */
    public static function answer(array $fault, string $normalBody, string $contentType, ?callable $errorBody = null): never
    {
        if (preg_match('/^http([0-9]{3})$/D', $fault['kind'], $m)) {
            $code = (int) $m[1];
            http_response_code($code);
            if ($code === 429) {
                header('Retry-After: 1');
            }
            if ($code === 401) {
                header('WWW-Authenticate: Bearer error="invalid_token"');
            }
            if ($errorBody !== null) {
                header('Content-Type: application/json');
                echo $errorBody($code);
            } else {
                header('Content-Type: text/plain');
                echo $code === 500 ? "Internal Server Error (simulated)\n" : "HTTP $code (simulated)\n";
            }
            exit;
        }
        switch ($fault['kind']) {
            case 'garbage':
                http_response_code(200);
                header('Content-Type: ' . $contentType);
                echo "<html><body>502 Bad Gateway</body></html>\n{not json";
                exit;
            case 'truncated':
                $cut = substr($normalBody, 0, intdiv(strlen($normalBody), 2));
                http_response_code(200);
                header('Content-Type: ' . $contentType);
                header('Content-Length: ' . strlen($cut));
                echo $cut;
                exit;
            case 'drop':
                self::drop();
        }
        throw new \LogicException('fault kind without answer: ' . $fault['kind']);
    }

    private static function drop(): never
    {
        $fd = self::clientSocketFd();
        if ($fd !== null && extension_loaded('ffi')) {
            try {
                $libc = \FFI::cdef('int shutdown(int sockfd, int how);', 'libc.so.6');
                $libc->shutdown($fd, 2); // SHUT_RDWR: the client reads EOF, no status line
                exit;
            } catch (\Throwable) {
                // fall through to the Content-Length fallback
            }
        }
        http_response_code(200);
        header('Content-Length: 1048576');
        exit;
    }

    /** The fd of this request's client socket, found through /proc by the peer's port. */
    private static function clientSocketFd(): ?int
    {
        $remote = (int) ($_SERVER['REMOTE_PORT'] ?? 0);
        $local = (int) ($_SERVER['SERVER_PORT'] ?? 0);
        $inode = null;
        foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
            foreach (@file($table) ?: [] as $line) {
                $cols = preg_split('/\s+/', trim($line));
                if (!isset($cols[9]) || $cols[0] === 'sl') {
                    continue;
                }
                $lport = hexdec(substr($cols[1], strrpos($cols[1], ':') + 1));
                $rport = hexdec(substr($cols[2], strrpos($cols[2], ':') + 1));
                if ($lport === $local && $rport === $remote) {
                    $inode = $cols[9];
                    break 2;
                }
            }
        }
        if ($inode === null) {
            return null;
        }
        foreach (scandir('/proc/self/fd') ?: [] as $fd) {
            if (@readlink("/proc/self/fd/$fd") === "socket:[$inode]") {
                return (int) $fd;
            }
        }
        return null;
    }
}
