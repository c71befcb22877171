<?php
/**
 * POST username (email) + password of a user (tblusers, WHMCS 8) => logged in for the first
 * client the user owns (StandIn\Auth); redirects to `goto` or clientarea.
 */

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Page;
use WHMCS\Database\Capsule;

$email = (string) Page::raw($_POST, 'username');
$password = (string) Page::raw($_POST, 'password');
$user = $email !== '' ? Capsule::table('tblusers')->where('email', $email)->first() : null;
if ($user === null || !password_verify($password, (string) $user->password)) {
    Page::redirect(Config::systemUrl() . 'login.php?incorrect=true');
    exit;
}
session_regenerate_id(true);
\StandIn\Auth::loginUser((int) $user->id);
$clientId = \StandIn\Auth::clientId();
if ($clientId === 0 || !Capsule::table('tblclients')->where('id', $clientId)->where('status', '!=', 'Closed')->exists()) {
    \StandIn\Auth::logout();
    Page::redirect(Config::systemUrl() . 'login.php?incorrect=true');
    exit;
}
logActivity('Client Logged In', $clientId);
$goto = (string) Page::raw($_POST, 'goto');
// Only relative targets inside the site.
if ($goto === '' || preg_match('#^[a-z0-9_./-]+\.php(\?[^\s]*)?$#i', $goto) !== 1 || str_contains($goto, '..')) {
    $goto = 'clientarea.php';
}
Page::redirect(Config::systemUrl() . $goto);
