<?php
// Real WHMCS lets modules include this file again (SpectroCoin's callback does, after init.php)
// or before init.php (BTCPay's callback does). PHP declares a file's functions when it is
// compiled, so a second plain include of the definitions would be fatal: they live in
// standin/functions/ and are loaded once, whatever path or include form a module uses.
require_once __DIR__ . '/standin/functions/gatewayfunctions.php';
