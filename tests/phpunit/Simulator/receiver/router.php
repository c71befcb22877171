<?php

declare(strict_types=1);

/*
 * Scripted callback receiver for the simulator's tests. RECEIVER_DIR holds:
 *   script.json    list of answers {"status": int, "body": string, "sleepMs": int}, consumed in
 *                  order; when it is empty every request gets 200 "*ok*"
 *   requests.jsonl one line per request: method, uri, contentType, body, at (ms)
 */

$dir = (string) getenv('RECEIVER_DIR');
$lock = fopen("$dir/lock", 'c');
flock($lock, LOCK_EX);
$body = (string) file_get_contents('php://input');
file_put_contents("$dir/requests.jsonl", json_encode([
    'method' => $_SERVER['REQUEST_METHOD'],
    'uri' => $_SERVER['REQUEST_URI'],
    'contentType' => $_SERVER['CONTENT_TYPE'] ?? '',
    'body' => $body,
    'at' => (int) floor(microtime(true) * 1000),
], JSON_UNESCAPED_SLASHES) . "\n", FILE_APPEND);
$script = is_file("$dir/script.json") ? json_decode((string) file_get_contents("$dir/script.json"), true) : [];
$answer = array_shift($script) ?? ['status' => 200, 'body' => '*ok*'];
file_put_contents("$dir/script.json", json_encode($script));
flock($lock, LOCK_UN);

if (($answer['sleepMs'] ?? 0) > 0) {
    usleep($answer['sleepMs'] * 1000);
}
http_response_code($answer['status'] ?? 200);
header('Content-Type: text/plain');
echo $answer['body'] ?? '';
return true;
