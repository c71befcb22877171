<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * Callbacks that arrive while the admin has deactivated the gateway (WHMCS then removes its
 * settings and getGatewayVariables throws): 503 so SpectroCoin retries, nothing credited, and a
 * genuine callback for one of our orders leaves an activity-log line naming invoice, order and
 * status. After re-activation SpectroCoin's retry credits once.
 */
final class DeactivatedGatewayTest extends EndToEndTestCase
{
    /** @return list<string> activity-log lines written about SpectroCoin callbacks */
    private function activityLines(): array
    {
        return array_column(self::site()->query(
            "SELECT description FROM tblactivitylog WHERE description LIKE 'SpectroCoin callback while%' ORDER BY id"), 'description');
    }

    public function testAGenuineCallbackIsAnswered503AndWrittenToTheActivityLog(): void
    {
        $order = $this->startPayment(1);
        self::site()->useInstallerDatabaseUser();
        self::site()->deactivateGateway(self::GATEWAY);
        self::site()->useRestrictedDatabaseUser();

        $attempts = self::sim()->pay((int) $order['order_request_id'])['attempts'];
        self::assertAnswered(503, '', $attempts);
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        $lines = $this->activityLines();
        self::assertNotEmpty($lines);
        $last = $lines[count($lines) - 1];
        self::assertStringContainsString('Invoice ID: 1,', $last);
        self::assertStringContainsString('order ' . $order['order_id'], $last);
        self::assertStringContainsString('SpectroCoin order ' . $order['order_request_id'], $last);
        self::assertStringContainsString('status PAID', $last);
        $row = self::site()->query("SELECT userid FROM tblactivitylog WHERE description = ?", [$last])[0];
        self::assertSame($this->ownerOf(1), (int) $row['userid']);

        // The admin activates the gateway again; SpectroCoin's retry is credited once.
        self::site()->useInstallerDatabaseUser();
        self::site()->activateGateway(self::GATEWAY);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        self::sim()->dispatch(true);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testAForgedCallbackWhileDeactivatedLeavesNoActivityLine(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay((int) $order['order_request_id'], false);
        self::site()->deactivateGateway(self::GATEWAY);
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        openssl_pkey_export($other, $pem);
        $attempts = $this->sendCallback((int) $order['order_request_id'], 3, [], ['signWith' => $pem, 'url' => self::site()->callbackUrl(self::GATEWAY)]);
        self::assertAnswered(503, '', $attempts);
        self::assertSame([], $this->activityLines());
        // And a callback for an orderId we never issued.
        $attempts = $this->sendCallback((int) $order['order_request_id'], 3, ['orderId' => '999-1-00000000'], ['url' => self::site()->callbackUrl(self::GATEWAY)]);
        self::assertAnswered(503, '', $attempts);
        self::assertSame([], $this->activityLines());
    }

    public function testAJsonCallbackWhileDeactivatedIsNamedUnverifiedWhenItsOrderIsKnown(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, [
            'merchantId' => '', 'projectId' => Simulator::DEFAULT_PROJECT_ID, 'privateKey' => '',
            'clientId' => Simulator::DEFAULT_CLIENT_ID, 'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
        ]));
        self::sim()->setCallbackFormat('json');
        $order = $this->startPayment(1);
        $pre = (string) $order['pre_order_id'];
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($pre, 2)['attempts']); // records the order UUID
        $uuid = (string) self::sim()->order($pre)['id'];
        self::site()->useInstallerDatabaseUser();
        self::site()->deactivateGateway(self::GATEWAY);

        self::assertAnswered(503, '', self::sim()->setStatus($pre, 3)['attempts']);
        $lines = $this->activityLines();
        self::assertNotEmpty($lines);
        self::assertStringContainsString('order ' . $order['order_id'] . ', SpectroCoin order ' . $uuid, $lines[count($lines) - 1]);
        self::assertStringContainsString('unverified', $lines[count($lines) - 1]);
        self::assertSame([], self::site()->transactions(1));
    }

    public function testUnsignedUuidsProveNothingWhileDeactivated(): void
    {
        // A UUID set-up without the numeric ids: SpectroCoin signs only merchantId/apiId, so a genuine
        // callback of another merchant (26/75) with our UUIDs put in is not ours and leaves no line.
        $uuidUser = '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d';
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY,
            ['merchantId' => $uuidUser, 'projectId' => Simulator::DEFAULT_PROJECT_ID] + static::gatewaySettings()));
        $order = $this->startPayment(1);
        self::site()->deactivateGateway(self::GATEWAY);
        $attempts = $this->sendCallback((int) $order['order_request_id'], 3, ['merchantId' => '26', 'apiId' => '75'], [
            'unsigned' => ['userId' => $uuidUser, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            'url' => self::site()->callbackUrl(self::GATEWAY),
        ]);
        self::assertAnswered(503, '', $attempts);
        self::assertSame([], $this->activityLines());
    }

    public function testAUuidSetUpWithItsNumericIdsIsVerifiedWhileDeactivated(): void
    {
        // The order row records the numeric ids of a UUID set-up, so its signed callbacks can be proven.
        $uuidUser = '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d';
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['merchantId' => $uuidUser,
            'projectId' => Simulator::DEFAULT_PROJECT_ID, 'legacyMerchantId' => self::MERCHANT_ID, 'legacyProjectId' => self::PROJECT_ID]
            + static::gatewaySettings()));
        $order = $this->startPayment(1);
        self::assertSame([self::MERCHANT_ID, self::PROJECT_ID], [$order['legacy_merchant_id'], $order['legacy_project_id']]);
        self::site()->deactivateGateway(self::GATEWAY);
        self::assertAnswered(503, '', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        $lines = $this->activityLines();
        self::assertNotEmpty($lines);
        self::assertStringContainsString('order ' . $order['order_id'] . ', SpectroCoin order ' . $order['order_request_id'] . ', status PAID', $lines[count($lines) - 1]);
    }
}
