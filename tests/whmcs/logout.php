<?php

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Page;

unset($_SESSION['uid']);
Page::redirect(Config::systemUrl() . 'login.php');
