<?php
// A misbehaving SpectroCoin for tests/phpunit/Hardening (php -S router). The mode is read from
// the file in env FAULT_MODE_FILE on every request:
//   http203  HTTP 203 with SpectroCoin's error array (code 4)
//   big      HTTP 200, a 10 MB body (JSON-looking), streamed
//   slow:N   no answer for N seconds, then a 500
//   pass     forward to the simulator (env SIM_URL) and relay its answer
declare(strict_types=1);

$mode = trim((string) @file_get_contents((string) getenv('FAULT_MODE_FILE'))) ?: 'pass';
$uri = $_SERVER['REQUEST_URI'];
$body = (string) file_get_contents('php://input');
@file_put_contents((string) getenv('FAULT_MODE_FILE') . '.hits', "$mode $uri\n", FILE_APPEND);

if ($mode === 'http203') {
    http_response_code(203);
    header('Content-Type: application/json');
    echo '[{"code":4,"message":"Cannot create order, check merchant account (fault server)"}]';
    return;
}
if ($mode === 'big') {
    header('Content-Type: application/json');
    header('Content-Length: ' . (10 * 1024 * 1024));
    $chunk = str_repeat('{"orderRequestId":1,"x":"' . str_repeat('A', 990) . '"},', 1);
    $chunk = substr(str_pad($chunk, 65536, ' '), 0, 65536);
    for ($i = 0; $i < 160; $i++) {
        echo $chunk;
        if (connection_aborted()) {
            return;
        }
        flush();
    }
    return;
}
if (str_starts_with($mode, 'slow:')) {
    sleep((int) substr($mode, 5));
    http_response_code(500);
    echo 'too late';
    return;
}
$ch = curl_init(rtrim((string) getenv('SIM_URL'), '/') . $uri);
$headers = [];
foreach (['CONTENT_TYPE' => 'Content-Type', 'HTTP_ACCEPT' => 'Accept', 'HTTP_AUTHORIZATION' => 'Authorization'] as $k => $h) {
    if (isset($_SERVER[$k])) {
        $headers[] = "$h: {$_SERVER[$k]}";
    }
}
curl_setopt_array($ch, [
    CURLOPT_CUSTOMREQUEST => $_SERVER['REQUEST_METHOD'],
    CURLOPT_POSTFIELDS => $_SERVER['REQUEST_METHOD'] === 'GET' ? null : $body,
    CURLOPT_HTTPHEADER => $headers,
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_HEADER => false,
    CURLOPT_TIMEOUT => 30,
]);
$answer = curl_exec($ch);
if ($answer === false) {
    http_response_code(502);
    echo 'fault server: simulator unreachable: ' . curl_error($ch);
    return;
}
http_response_code((int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE));
header('Content-Type: ' . (curl_getinfo($ch, CURLINFO_CONTENT_TYPE) ?: 'application/json'));
echo $answer;
