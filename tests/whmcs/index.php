<?php

require __DIR__ . '/init.php';

use StandIn\Page;

Page::render('Portal Home', '<h1>WHMCS stand-in</h1><ul>'
    . '<li><a href="clientarea.php">Client area</a> (<a href="login.php">login</a>: alice@example.com / client)</li>'
    . '<li><a href="admin/">Admin area</a> (admin / admin)</li></ul>');
