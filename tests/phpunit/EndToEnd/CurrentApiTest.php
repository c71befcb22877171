<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * A merchant on SpectroCoin's current API (OAuth client credentials, no RSA key): orders are
 * pre-orders, callbacks are unsigned JSON {id, merchantApiId} that the extension authenticates
 * by re-fetching the order.
 */
final class CurrentApiTest extends EndToEndTestCase
{
    protected static function gatewaySettings(): array
    {
        return [
            'merchantId' => '',
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
            'privateKey' => '',
            'clientId' => Simulator::DEFAULT_CLIENT_ID,
            'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
        ];
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::sim()->setCallbackFormat('json');
    }

    private function preOrderId(array $order): string
    {
        return basename((string) $order['redirect_url']);
    }

    public function testAPreOrderIsPaidThroughJsonCallbacks(): void
    {
        $order = $this->startPayment(1);
        self::assertNull($order['order_request_id']);
        self::assertStringContainsString('api => current', $this->lastLog()['data']);

        $result = self::sim()->pay($this->preOrderId($order));
        self::assertAnswered(200, '*ok*', $result['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('100.00', $tx[0]['amountin']);
        $row = $this->order('1-1');
        self::assertNotNull($row['order_request_id']);
        self::assertSame('SC' . $row['order_request_id'], $tx[0]['transid']);
        self::assertSame(1, (int) $row['credited']);
    }

    public function testRepeatedJsonCallbacksCreditOnce(): void
    {
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($order))['attempts']);
        for ($i = 0; $i < 3; $i++) {
            self::assertAnswered(200, '*ok*', self::sim()->sendJsonCallback([], ['order' => $this->preOrderId($order)])['attempts']);
        }
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testAJsonCallbackForAnotherProjectIsRejected(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay($this->preOrderId($order), false);
        $attempts = self::sim()->sendJsonCallback(['merchantApiId' => '00000000-0000-4000-8000-000000000000'],
            ['order' => $this->preOrderId($order)])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
    }

    public function testAJsonCallbackForAnUnknownOrderIsRejected(): void
    {
        $this->startPayment(1);
        $attempts = self::sim()->sendJsonCallback(['id' => '11111111-2222-4333-8444-555555555555', 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            ['url' => self::site()->callbackUrl(self::GATEWAY)])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }
}
