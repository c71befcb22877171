<?php

namespace WHMCS\User;

/** A client account (tblclients row); see StandIn\Model. */
class Client extends \StandIn\Model
{
    protected static function table(): string
    {
        return 'tblclients';
    }
}
