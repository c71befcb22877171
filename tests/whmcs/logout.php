<?php

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Page;

\StandIn\Auth::logout();
Page::redirect(Config::systemUrl() . 'login.php');
