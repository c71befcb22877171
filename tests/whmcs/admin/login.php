<?php
/** Admin login: admin / admin in the seed. */

require __DIR__ . '/../init.php';

use StandIn\Config;
use StandIn\Page;
use WHMCS\Database\Capsule;

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $username = (string) Page::raw($_POST, 'username');
    $admin = Capsule::table('tbladmins')->where('username', $username)->where('disabled', 0)->first();
    if ($admin !== null && password_verify((string) Page::raw($_POST, 'password'), (string) $admin->password)) {
        session_regenerate_id(true);
        $_SESSION['adminid'] = (int) $admin->id;
        logActivity('Admin Login');
        Page::redirect(Config::systemUrl() . 'admin/index.php');
        exit;
    }
    Page::render('Admin Login', '<div class="alert alert-danger" id="login-error">Login Failed</div>' . loginForm(), 200);
    exit;
}
Page::render('Admin Login', loginForm());

function loginForm(): string
{
    return '<h1>Admin Login</h1><form method="post" action="login.php">'
        . '<p><label>Username <input name="username"></label></p>'
        . '<p><label>Password <input type="password" name="password"></label></p>'
        . '<p><button type="submit">Login</button></p></form>';
}
