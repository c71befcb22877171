<?php
/** POST username (email) + password => session uid; redirects to `goto` or clientarea. */

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Page;
use WHMCS\Database\Capsule;

$email = (string) Page::raw($_POST, 'username');
$password = (string) Page::raw($_POST, 'password');
$client = $email !== '' ? Capsule::table('tblclients')->where('email', $email)->where('status', '!=', 'Closed')->first() : null;
if ($client === null || !password_verify($password, (string) $client->password)) {
    Page::redirect(Config::systemUrl() . 'login.php?incorrect=true');
    exit;
}
session_regenerate_id(true);
$_SESSION['uid'] = (int) $client->id;
logActivity('Client Logged In', (int) $client->id);
$goto = (string) Page::raw($_POST, 'goto');
// Only relative targets inside the site.
if ($goto === '' || preg_match('#^[a-z0-9_./-]+\.php(\?[^\s]*)?$#i', $goto) !== 1 || str_contains($goto, '..')) {
    $goto = 'clientarea.php';
}
Page::redirect(Config::systemUrl() . $goto);
