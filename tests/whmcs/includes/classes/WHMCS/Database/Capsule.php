<?php

namespace WHMCS\Database;

/**
 * WHMCS' database facade: Laravel's Capsule manager (the real Illuminate package), booted by
 * init.php as the global instance, so `Capsule::table()`, `Capsule::connection()->getPdo()`,
 * `Capsule::connection()->transaction()` and `Capsule::schema()` behave as in WHMCS.
 */
class Capsule extends \Illuminate\Database\Capsule\Manager
{
}
