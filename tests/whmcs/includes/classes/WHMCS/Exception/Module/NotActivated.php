<?php

namespace WHMCS\Exception\Module;

/** Thrown by getGatewayVariables() for a gateway that is not activated. */
class NotActivated extends \WHMCS\Exception
{
}
