<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * The admin moves the gateway from one SpectroCoin project to another (test project 74 to live
 * project 75 of merchant 25) while an order of the earlier project is open. Pay Now must not send
 * the customer back to that order; a genuine callback for it is answered *ok*, kept, not credited,
 * and shown for review; a forged one is still refused.
 */
final class CredentialChangeTest extends EndToEndTestCase
{
    public const LIVE_PROJECT_ID = '75';

    protected function setUp(): void
    {
        parent::setUp();
        self::sim()->registerMerchant([
            'name' => 'live', 'merchantId' => self::MERCHANT_ID, 'apiId' => self::LIVE_PROJECT_ID,
            'userId' => '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9e', 'merchantApiId' => 'a1b2c3d4-e5f6-4789-8abc-def012345679',
            'publicKeyPem' => self::sim()->projects()[0]['publicKeyPem'],
        ]);
    }

    private function switchToLiveProject(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => self::LIVE_PROJECT_ID] + static::gatewaySettings()));
    }

    public function testEveryOrderRecordsTheSettingsItWasCreatedUnder(): void
    {
        $order = $this->startPayment(1);
        self::assertSame([self::MERCHANT_ID, self::PROJECT_ID, 'legacy'], [$order['merchant_id'], $order['project_id'], $order['api']]);
    }

    public function testPayNowDoesNotReuseAnOpenOrderOfTheEarlierProject(): void
    {
        $test = $this->startPayment(1);
        $this->switchToLiveProject();
        $live = $this->startPayment(1);
        self::assertNotSame($test['order_id'], $live['order_id']);
        self::assertSame(self::LIVE_PROJECT_ID, $live['project_id']);
        self::assertSame(self::LIVE_PROJECT_ID, $this->sentOrder(1)['apiId']);
        // Under the live project that order is reused as usual.
        self::assertSame($live['order_id'], $this->startPayment(1)['order_id']);
    }

    public function testAGenuineCallbackForTheEarlierProjectIsAnsweredOkKeptAndShownForReviewNotCredited(): void
    {
        $test = $this->startPayment(1);
        $this->switchToLiveProject();

        $attempts = self::sim()->pay((int) $test['order_request_id'])['attempts'];
        self::assertAnswered(200, '*ok*', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        $row = $this->order($test['order_id']);
        self::assertSame('PAID', $row['status']);
        self::assertSame(0, (int) $row['credited']);
        self::assertStringContainsString('in project 74 (merchant 25), which is no longer configured', (string) $row['review_reason']);
        self::assertSame('Earlier Settings (Review)', $this->lastLog()['result']);

        // The id to apply it by hand is the one the core names for this payment (SC + SpectroCoin's id).
        self::assertSame('SC' . $test['order_request_id'], $row['transid']);

        $page = self::site()->get('admin/invoices.php?action=edit&id=1', self::site()->adminLogin());
        self::assertStringContainsString('order needs review', $page['body']);
        self::assertStringContainsString('in project 74 (merchant 25), which is no longer configured', $page['body']);
        self::assertStringContainsString('spectrocoin-transid" style="user-select:all">SC' . $test['order_request_id'] . '</code>', $page['body']);

        // The customer can still pay under the live project, and that payment is credited.
        $live = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $live['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testAPendingCallbackForTheEarlierProjectIsRecordedWithoutReview(): void
    {
        $test = $this->startPayment(1);
        $this->switchToLiveProject();
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $test['order_request_id'], 2)['attempts']);
        $row = $this->order($test['order_id']);
        self::assertSame('PENDING', $row['status']);
        self::assertNull($row['review_reason']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testAForgedCallbackForTheEarlierProjectIsStillRefused(): void
    {
        $test = $this->startPayment(1);
        $this->switchToLiveProject();
        self::sim()->pay((int) $test['order_request_id'], false);
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        openssl_pkey_export($other, $pem);
        $attempts = $this->sendCallback((int) $test['order_request_id'], 3, [], ['signWith' => $pem, 'url' => self::site()->callbackUrl(self::GATEWAY)]);
        self::assertAnswered(400, '', $attempts);
        $row = $this->order($test['order_id']);
        self::assertSame('CREATED', $row['status']);
        self::assertNull($row['review_reason']);
    }

    public function testAJsonCallbackForAnEarlierProjectIsRefusedButNamedInTheLog(): void
    {
        $live = 'a1b2c3d4-e5f6-4789-8abc-def012345679';
        self::sim()->registerClient('sim-client-live', 'sim-secret-live', $live);
        $current = ['merchantId' => '', 'privateKey' => '', 'clientId' => Simulator::DEFAULT_CLIENT_ID,
            'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET, 'projectId' => Simulator::DEFAULT_PROJECT_ID];
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, $current));
        self::sim()->setCallbackFormat('json');
        $test = $this->startPayment(1);
        self::assertSame([Simulator::DEFAULT_PROJECT_ID, 'current'], [$test['project_id'], $test['api']]);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY,
            ['projectId' => $live, 'clientId' => 'sim-client-live', 'clientSecret' => 'sim-secret-live'] + $current));

        self::assertAnswered(400, '', self::sim()->pay((string) $test['pre_order_id'])['attempts']);
        $log = $this->lastLog();
        self::assertSame('Earlier Settings (Unverified)', $log['result']);
        self::assertStringContainsString('which order ' . $test['order_id'] . ' (invoice #1) was created under', $log['data']);
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('CREATED', $this->order($test['order_id'])['status']);
    }
}
