<?php

declare(strict_types=1);

namespace Sim;

/**
 * The simulator's state: one JSON document in the state dir, read and written under flock so
 * the php -S workers, the dispatcher loop and control calls can run concurrently. Never hold
 * a transaction across network I/O (a callback receiver may call back into the simulator).
 */
final class Store
{
    private string $file;

    public function __construct(private string $dir)
    {
        if (!is_dir($dir) && !@mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot create state dir $dir");
        }
        $this->file = $dir . '/state.json';
    }

    public function dir(): string
    {
        return $this->dir;
    }

    /**
     * Runs $change with the state under an exclusive lock and writes the result back.
     *
     * @template T
     * @param callable(array<string, mixed>&): T $change
     * @return T
     */
    public function transaction(callable $change): mixed
    {
        $handle = fopen($this->file, 'c+');
        if ($handle === false) {
            throw new \RuntimeException("cannot open {$this->file}");
        }
        try {
            flock($handle, LOCK_EX);
            $state = $this->decode((string) stream_get_contents($handle));
            $before = $state;
            $result = $change($state);
            if ($state === $before) {
                return $result; // nothing changed (a fault check with no fault armed): no rewrite
            }
            $json = json_encode($state, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
            ftruncate($handle, 0);
            rewind($handle);
            fwrite($handle, $json);
            fflush($handle);
            return $result;
        } finally {
            flock($handle, LOCK_UN);
            fclose($handle);
        }
    }

    /** @return array<string, mixed> a consistent snapshot */
    public function read(): array
    {
        $handle = fopen($this->file, 'c+');
        if ($handle === false) {
            throw new \RuntimeException("cannot open {$this->file}");
        }
        try {
            flock($handle, LOCK_SH);
            return $this->decode((string) stream_get_contents($handle));
        } finally {
            flock($handle, LOCK_UN);
            fclose($handle);
        }
    }

    /** @return array<string, mixed> */
    private function decode(string $json): array
    {
        if ($json === '') {
            return State::initial();
        }
        $state = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        return is_array($state) ? State::upgrade($state) : State::initial();
    }
}
