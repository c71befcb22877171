<?php

require __DIR__ . '/../init.php';

use StandIn\Config;
use StandIn\Page;

unset($_SESSION['adminid']);
Page::redirect(Config::systemUrl() . 'admin/login.php');
