<?php
// WHMCS keeps literal values here; the stand-in takes them from the environment that
// Testbed\WhmcsSite (or the sandbox) gives the server, so one template serves every site.
$db_host = 'localhost';
$db_port = '';
$db_socket = (string) getenv('WHMCS_DB_SOCKET');
$db_name = (string) getenv('WHMCS_DB_NAME');
$db_username = getenv('WHMCS_DB_USER') !== false ? (string) getenv('WHMCS_DB_USER') : 'root';
$db_password = (string) getenv('WHMCS_DB_PASSWORD');
$mysql_charset = 'utf8mb4';
// Testbed\WhmcsSite::useRestrictedDatabaseUser() writes other credentials here (a user without
// CREATE/ALTER, as a production WHMCS may run after installation); read on every request.
$standin_credentials = (string) getenv('WHMCS_DB_CREDENTIALS_FILE');
if ($standin_credentials !== '' && is_file($standin_credentials)) {
    [$db_username, $db_password] = explode("\n", (string) file_get_contents($standin_credentials), 2) + ['', ''];
}
unset($standin_credentials);
$cc_encryption_hash = getenv('WHMCS_CC_ENCRYPTION_HASH') !== false
    ? (string) getenv('WHMCS_CC_ENCRYPTION_HASH') : 'standin-encryption-hash-not-a-secret';
$templates_compiledir = 'templates_c';

// Stand-in only.
$standin_session_dir = (string) getenv('WHMCS_SESSION_DIR');
$standin_login_token = (string) getenv('WHMCS_STANDIN_TOKEN');
