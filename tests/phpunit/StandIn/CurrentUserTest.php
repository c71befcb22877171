<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * WHMCS\Authentication\CurrentUser (WHMCS 8: users log in, and act for one of the clients they
 * may manage), and the legacy `$_SESSION['uid']` kept beside it unless StandInSessionUid is off.
 */
final class CurrentUserTest extends StandInTestCase
{
    private const PROBE = <<<'PHP'
        <?php
        require __DIR__ . '/../../../init.php';
        $current = new \WHMCS\Authentication\CurrentUser();
        header('Content-Type: application/json');
        echo json_encode([
            'user' => $current->user()?->email,
            'client' => $current->client()?->id,
            'clientName' => $current->client()?->firstname,
            'isUser' => $current->isAuthenticatedUser(),
            'isAdmin' => $current->isAuthenticatedAdmin(),
            'admin' => $current->admin()?->username,
            'uid' => $_SESSION['uid'] ?? null,
        ]);
        PHP;

    private function whoAmI(array $cookies): array
    {
        file_put_contents($this->site()->root() . '/modules/gateways/callback/probe_who.php', self::PROBE);
        $response = $this->site()->get('modules/gateways/callback/probe_who.php', $cookies);
        $this->assertStatus(200, $response);
        return json_decode($response['body'], true);
    }

    private function logIn(string $email, string $password = 'client'): array
    {
        $response = $this->site()->post('dologin.php', ['username' => $email, 'password' => $password]);
        $this->assertStatus(302, $response);
        return $response['cookies'];
    }

    public function test_nobody_logged_in(): void
    {
        $this->assertSame(['user' => null, 'client' => null, 'clientName' => null, 'isUser' => false,
            'isAdmin' => false, 'admin' => null, 'uid' => null], $this->whoAmI([]));
    }

    public function test_a_user_login_gives_user_and_owned_client_and_the_legacy_uid(): void
    {
        $who = $this->whoAmI($this->logIn('alice@example.com'));

        $this->assertSame('alice@example.com', $who['user']);
        $this->assertSame(1, $who['client'], 'the client Alice owns, not the one she may also manage');
        $this->assertSame('Alice', $who['clientName']);
        $this->assertTrue($who['isUser']);
        $this->assertFalse($who['isAdmin']);
        $this->assertSame(1, $who['uid']);
    }

    public function test_knob_off_leaves_only_current_user(): void
    {
        $this->site()->setConfig('StandInSessionUid', 'off');

        $who = $this->whoAmI($this->site()->clientLogin(3));

        $this->assertSame(['carol@example.com', 3, null], [$who['user'], $who['client'], $who['uid']]);
    }

    public function test_admin_is_seen_as_admin(): void
    {
        $who = $this->whoAmI($this->site()->adminLogin());

        $this->assertTrue($who['isAdmin']);
        $this->assertSame('admin', $who['admin']);
        $this->assertFalse($who['isUser']);
    }
}
