<?php

namespace WHMCS\Exception\Module;

class NotServicable extends \WHMCS\Exception
{
}
