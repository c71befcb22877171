<?php

namespace WHMCS\User;

/** A login (tblusers row; WHMCS 8 users are separate from clients); see StandIn\Model. */
class User extends \StandIn\Model
{
    protected static function table(): string
    {
        return 'tblusers';
    }
}
