<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/** What an entry point answers: status, headers, body. Built by handlers, sent by the entry file. */
final class Response
{
    /** @var int */
    public $status;
    /** @var array<string,string> */
    public $headers;
    /** @var string */
    public $body;

    public function __construct(int $status, string $body, array $headers = [])
    {
        $this->status = $status;
        $this->body = $body;
        $this->headers = $headers + ['Content-Type' => 'text/plain; charset=utf-8'];
    }

    public static function text(int $status, string $body, array $headers = []): self
    {
        return new self($status, $body, $headers);
    }

    public static function html(int $status, string $body): self
    {
        return new self($status, $body, ['Content-Type' => 'text/html; charset=utf-8']);
    }

    public static function redirect(string $url): self
    {
        return new self(303, '', ['Location' => $url, 'Cache-Control' => 'no-store']);
    }

    public function send(): void
    {
        http_response_code($this->status);
        foreach ($this->headers as $name => $value) {
            header($name . ': ' . str_replace(["\r", "\n"], '', $value));
        }
        echo $this->body;
    }

    /**
     * Sends this answer as the whole response: output buffered before it (by hooks, includes, WHMCS
     * itself) is dropped, so the body is exactly ours. The entry file starts the buffer first thing.
     * Returns how many stray bytes were dropped.
     */
    public function sendAlone(): int
    {
        $dropped = 0;
        while (ob_get_level() > 0) {
            $dropped += strlen((string) ob_get_contents());
            ob_end_clean();
        }
        if (!headers_sent()) {
            header_remove();
            $this->headers['Content-Length'] = (string) strlen($this->body);
        }
        $this->send();
        return $dropped;
    }
}
