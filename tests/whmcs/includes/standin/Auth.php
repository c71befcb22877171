<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Who is logged in, kept in the session. Since WHMCS 8.0 a login is a *user* (tblusers) acting
 * for one of the clients it may manage (tblusers_clients; a user can own several clients);
 * modules ask WHMCS\Authentication\CurrentUser. Older code read `$_SESSION['uid']` (the client
 * id); the stand-in keeps it unless the StandInSessionUid knob (tblconfiguration) is 'off',
 * which shows whether a module still depends on it.
 */
final class Auth
{
    private const USER = 'standin_auth_user';
    private const CLIENT = 'standin_active_client';

    /** Logs in `$userId` for `$clientId` (null: the lowest-id client the user owns, else may manage). */
    public static function loginUser(int $userId, ?int $clientId = null): void
    {
        if ($clientId === null) {
            $clientId = (int) Capsule::table('tblusers_clients')->where('auth_user_id', $userId)
                ->orderByDesc('owner')->orderBy('client_id')->value('client_id');
        }
        $_SESSION[self::USER] = $userId;
        $_SESSION[self::CLIENT] = $clientId;
        if (Config::get('StandInSessionUid', 'on') !== 'off' && $clientId > 0) {
            $_SESSION['uid'] = $clientId;
        } else {
            unset($_SESSION['uid']);
        }
    }

    /** Logs in the owner of client `$clientId` (the test bed's and the login page's path). */
    public static function loginClient(int $clientId): void
    {
        $userId = (int) Capsule::table('tblusers_clients')->where('client_id', $clientId)
            ->orderByDesc('owner')->orderBy('auth_user_id')->value('auth_user_id');
        self::loginUser($userId, $clientId);
    }

    public static function logout(): void
    {
        unset($_SESSION[self::USER], $_SESSION[self::CLIENT], $_SESSION['uid']);
    }

    public static function userId(): int
    {
        return (int) ($_SESSION[self::USER] ?? 0);
    }

    public static function clientId(): int
    {
        return (int) ($_SESSION[self::CLIENT] ?? 0);
    }

    public static function adminId(): int
    {
        return (int) ($_SESSION['adminid'] ?? 0);
    }
}
