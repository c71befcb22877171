<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * Both credential sets (issue 5's mixed mode): orders go through the current API (pre-orders),
 * and the project's signed legacy callbacks are still accepted, as are JSON callbacks once the
 * project is switched. The legacy ids are then the UUID pair (userId / merchantApiId), because
 * the current API's Project ID is the project UUID; and since SpectroCoin signs only the numeric
 * merchantId/apiId, the project's numeric ids are configured too, so that signed callbacks for
 * pre-orders (which have no SpectroCoin order id stored yet) can be proven ours.
 */
final class MixedApiTest extends EndToEndTestCase
{
    public const USER_ID = '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d';

    protected static function gatewaySettings(): array
    {
        return [
            'merchantId' => self::USER_ID,
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
            'privateKey' => self::merchantPrivateKey(),
            'clientId' => Simulator::DEFAULT_CLIENT_ID,
            'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
            'legacyMerchantId' => self::MERCHANT_ID,
            'legacyProjectId' => self::PROJECT_ID,
        ];
    }

    private function preOrderId(array $order): string
    {
        return (string) $order['pre_order_id'];
    }

    public function testOrdersGoThroughTheCurrentApiAndSignedLegacyCallbacksPayThem(): void
    {
        $order = $this->startPayment(1);
        self::assertStringContainsString('api => current', $this->lastLog()['data']);
        self::assertSame([], self::sim()->requests(), 'no legacy createOrder');
        self::assertNotNull($order['pre_order_id']);

        $result = self::sim()->pay($this->preOrderId($order)); // the project still sends signed form callbacks
        self::assertSame('legacy', self::sim()->callbacks()[0]['format'] ?? 'legacy');
        self::assertAnswered(200, '*ok*', $result['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('100.00', $tx[0]['amountin']);
        // A signed callback carries SpectroCoin's numeric orderRequestId: SC<orderRequestId>.
        $numeric = (string) self::sim()->order($this->preOrderId($order))['orderRequestId'];
        self::assertSame('SC' . $numeric, $tx[0]['transid']);
        self::assertSame($numeric, $this->order($this->orderIdOf(1, 1))['order_request_id']);
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testAfterTheProjectSwitchesToJsonCallbacksThoseAreAcceptedToo(): void
    {
        $legacyPaid = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($legacyPaid))['attempts']);
        self::sim()->setCallbackFormat('json');
        $order = $this->startPayment(2);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($order))['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(2));
        $uuid = (string) self::sim()->order($this->preOrderId($order))['id'];
        self::assertSame('SC' . $uuid, self::site()->transactions(2)[0]['transid']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testWithoutTheNumericIdsASignedCallbackForAPreOrderIsRetriedNotTrusted(): void
    {
        $settings = ['legacyMerchantId' => '', 'legacyProjectId' => ''] + static::gatewaySettings();
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, $settings));
        $order = $this->startPayment(1);
        $result = self::sim()->pay($this->preOrderId($order));
        self::assertAnswered(503, '', $result['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertStringContainsString('cannot be proven ours', $this->lastLog()['data']);

        // The admin adds the numeric ids; SpectroCoin's retry then pays the invoice once.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        self::sim()->dispatch(true);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testAnotherProjectsGenuineCallbackWithOurUuidsSwappedInIsRefused(): void
    {
        // Another merchant's order with the same orderId and amount, paid and genuinely signed for
        // their numeric ids; the unsigned UUIDs are replaced by ours on the way to our callback URL.
        $order = $this->startPayment(1);
        self::sim()->pay($this->preOrderId($order), false);
        $numeric = (int) self::sim()->order($this->preOrderId($order))['orderRequestId'];
        $attempts = $this->sendCallback($numeric, 3, ['merchantId' => '26', 'apiId' => '75'], [
            'unsigned' => ['userId' => self::USER_ID, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            'url' => self::site()->callbackUrl(self::GATEWAY),
        ]);
        self::assertAnswered(400, '', $attempts);
        self::assertStringContainsString('another merchant or project', $this->lastLog()['data']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
    }

    public function testALegacyCallbackWithAnotherProjectsUuidsIsRefused(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay($this->preOrderId($order), false);
        $numeric = (int) self::sim()->order($this->preOrderId($order))['orderRequestId'];
        $attempts = $this->sendCallback($numeric, 3, [], [
            'unsigned' => ['userId' => '00000000-0000-4000-8000-000000000001', 'merchantApiId' => '00000000-0000-4000-8000-000000000002'],
            'url' => self::site()->callbackUrl(self::GATEWAY),
        ]);
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
    }

    public function testAForgedLegacyCallbackIsRefused(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay($this->preOrderId($order), false);
        $numeric = (int) self::sim()->order($this->preOrderId($order))['orderRequestId'];
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        openssl_pkey_export($other, $pem);
        $attempts = $this->sendCallback($numeric, 3, [], ['signWith' => $pem, 'url' => self::site()->callbackUrl(self::GATEWAY)]);
        self::assertAnswered(400, '', $attempts);
        self::assertSame([], self::site()->transactions(1));
    }

    public function testNumericLegacyIdsWithClientCredentialsAreRefusedOnSave(): void
    {
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['merchantId' => self::MERCHANT_ID]);
        self::assertCount(1, $errors);
        self::assertStringContainsString('both be numbers or both be UUIDs', $errors[0]);
    }

    public function testTheSettingsCheckShowsBothApisWithoutWarnings(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertStringContainsString('legacy signed API (private key, UUID ids) and current API (client ID and secret, accepted by SpectroCoin)', $page['body']);
        self::assertStringContainsString('signed legacy callbacks are still accepted', $page['body']);
        self::assertStringNotContainsString('spectrocoin-warning', $page['body']);
    }
}
