<?php
/** Client login form (posts to dologin.php). Every seeded client's password is "client". */

require __DIR__ . '/init.php';

use StandIn\Page;

$goto = (string) Page::raw($_GET, 'goto', '');
$error = isset($_GET['incorrect']) ? '<div class="alert alert-danger" id="login-error">Login Details Incorrect. Please try again.</div>' : '';
Page::render('Login', $error . '<h1>Client Login</h1><form method="post" action="dologin.php">'
    . '<input type="hidden" name="goto" value="' . Page::e($goto) . '">'
    . '<p><label>Email <input type="email" name="username"></label></p>'
    . '<p><label>Password <input type="password" name="password"></label></p>'
    . '<p><button type="submit">Login</button></p></form>');
