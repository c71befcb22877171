<?php

namespace WHMCS\Authentication;

use StandIn\Auth;
use WHMCS\User\Admin;
use WHMCS\User\Client;
use WHMCS\User\User;

/**
 * The documented WHMCS 8 API for "who is looking at this page" (developer docs,
 * advanced/authentication and classes/whmcs/authentication/currentuser): user(), client(),
 * admin() and the three is…() checks. The states are not exclusive: an admin may also be
 * logged in as a user, and "Login as Owner" makes an admin masquerade as one.
 */
class CurrentUser
{
    public function isAuthenticatedUser(): bool
    {
        return $this->user() !== null;
    }

    public function isAuthenticatedAdmin(): bool
    {
        return $this->admin() !== null;
    }

    public function isMasqueradingAdmin(): bool
    {
        return $this->isAuthenticatedAdmin() && !empty($_SESSION['standin_masquerade']) && $this->client() !== null;
    }

    public function user(): ?User
    {
        return Auth::userId() > 0 ? User::find(Auth::userId()) : null;
    }

    public function admin(): ?Admin
    {
        return Auth::adminId() > 0 ? Admin::find(Auth::adminId()) : null;
    }

    /** The client account currently being managed. */
    public function client(): ?Client
    {
        return Auth::clientId() > 0 ? Client::find(Auth::clientId()) : null;
    }
}
