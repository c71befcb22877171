<?php

declare(strict_types=1);

/*
 * Scripted callback receiver for the simulator's tests. RECEIVER_DIR holds:
 *   script.json    list of answers {"status": int, "body": string, "sleepMs": int, "fetchUrl":
 *                  string, "fetchHeaders": list<string>}, consumed in order; when it is empty
 *                  every request gets 200 "*ok*". With fetchUrl the receiver GETs that URL while
 *                  handling the callback, as a merchant re-fetching the order does
 *   requests.jsonl one line per request: method, uri, contentType, body, at (ms), and fetched
 *                  {status, body} when the answer had a fetchUrl
 */

$dir = (string) getenv('RECEIVER_DIR');
$lock = fopen("$dir/lock", 'c');
flock($lock, LOCK_EX);
$body = (string) file_get_contents('php://input');
$script = is_file("$dir/script.json") ? json_decode((string) file_get_contents("$dir/script.json"), true) : [];
$answer = array_shift($script) ?? ['status' => 200, 'body' => '*ok*'];
file_put_contents("$dir/script.json", json_encode($script));
$record = [
    'method' => $_SERVER['REQUEST_METHOD'],
    'uri' => $_SERVER['REQUEST_URI'],
    'contentType' => $_SERVER['CONTENT_TYPE'] ?? '',
    'body' => $body,
    'at' => (int) floor(microtime(true) * 1000),
];
if (isset($answer['fetchUrl'])) {
    $ch = curl_init((string) $answer['fetchUrl']);
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10, CURLOPT_HTTPHEADER => $answer['fetchHeaders'] ?? []]);
    $fetched = curl_exec($ch);
    $record['fetched'] = ['status' => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), 'body' => is_string($fetched) ? $fetched : ''];
    curl_close($ch);
}
file_put_contents("$dir/requests.jsonl", json_encode($record, JSON_UNESCAPED_SLASHES) . "\n", FILE_APPEND);
flock($lock, LOCK_UN);

if (($answer['sleepMs'] ?? 0) > 0) {
    usleep($answer['sleepMs'] * 1000);
}
http_response_code($answer['status'] ?? 200);
header('Content-Type: text/plain');
echo $answer['body'] ?? '';
return true;
