<?php
/**
 * Test-bed shortcut (not WHMCS): logs in the owner user of client `userid` (StandIn\Auth) when
 * `token` equals the site's WHMCS_STANDIN_TOKEN. Used by Testbed\WhmcsSite::clientLogin();
 * disabled without a token.
 */

require __DIR__ . '/../init.php';

use StandIn\Page;

$token = (string) ($GLOBALS['standin_login_token'] ?? '');
if ($token === '' || !hash_equals($token, (string) ($_GET['token'] ?? ''))) {
    Page::render('Forbidden', '<p>Forbidden</p>', 403);
    exit;
}
$uid = (int) ($_GET['userid'] ?? 0);
$admin = (int) ($_GET['adminid'] ?? 0);
session_regenerate_id(true);
if ($uid > 0) {
    \StandIn\Auth::loginClient($uid);
}
if ($admin > 0) {
    $_SESSION['adminid'] = $admin;
}
header('Content-Type: text/plain');
echo "ok\n";
