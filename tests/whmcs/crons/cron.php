<?php
/**
 * WHMCS's system cron, run as documented: `php -q /path/to/whmcs/crons/cron.php` (every 5 minutes).
 * The stand-in runs no scheduled tasks of its own (no billing automation); after them WHMCS fires
 * AfterCronJob ("each time that the system calls the system cron job … after all scheduled tasks
 * finish", hooks reference), which is what module hooks see. CLI only: the stand-in's choice, so a
 * web request cannot start it.
 */

if (PHP_SAPI !== 'cli') {
    http_response_code(403);
    exit("Cron can only be run from the command line\n");
}
require __DIR__ . '/../init.php';
require_once ROOTDIR . '/includes/gatewayfunctions.php';
require_once ROOTDIR . '/includes/invoicefunctions.php';

run_hook('AfterCronJob', []);
