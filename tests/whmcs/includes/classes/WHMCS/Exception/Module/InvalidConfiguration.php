<?php

namespace WHMCS\Exception\Module;

/** What a NAME_config_validate() is expected to throw; any exception rejects the save. */
class InvalidConfiguration extends \WHMCS\Exception
{
}
