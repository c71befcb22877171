<?php

namespace WHMCS\User;

/** An administrator (tbladmins row); see StandIn\Model. */
class Admin extends \StandIn\Model
{
    protected static function table(): string
    {
        return 'tbladmins';
    }
}
