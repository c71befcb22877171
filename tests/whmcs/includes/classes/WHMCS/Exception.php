<?php

namespace WHMCS;

class Exception extends \Exception
{
}
