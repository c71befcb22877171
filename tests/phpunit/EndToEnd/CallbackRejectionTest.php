<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** Callbacks that must change nothing: forged, foreign, unknown, mismatching, malformed. */
final class CallbackRejectionTest extends EndToEndTestCase
{
    private array $order;

    protected function setUp(): void
    {
        parent::setUp();
        $this->order = $this->startPayment(1);
    }

    private function orderRequestId(): int
    {
        return (int) $this->order['order_request_id'];
    }

    private function payAmount(): string
    {
        return (string) self::sim()->order($this->orderRequestId())['payAmount'];
    }

    /** 400, a "Rejected" gateway log line, and nothing else changed. */
    private function assertRejectedWithoutEffect(array $attempts, string $logNeedle): void
    {
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertSame([], self::site()->hooks('InvoicePaid'));
        $row = $this->order($this->order['order_id']);
        self::assertSame('CREATED', $row['status']);
        self::assertSame($this->order['updated_at'], $row['updated_at']);
        $log = $this->lastLog();
        self::assertSame('Rejected', $log['result']);
        self::assertStringContainsStringIgnoringCase($logNeedle, $log['data']);
    }

    public function testAForgedSignatureIsRejected(): void
    {
        // Signed with the merchant's own key instead of SpectroCoin's.
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['receivedAmount' => $this->payAmount()],
            ['signWith' => self::merchantPrivateKey()]);
        $this->assertRejectedWithoutEffect($attempts, 'signature');
    }

    public function testAFieldChangedAfterSigningIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 2, [], ['after' => ['status' => '3']]);
        $this->assertRejectedWithoutEffect($attempts, 'signature');
    }

    public function testAMissingSignatureIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, [], ['sign' => false]);
        $this->assertRejectedWithoutEffect($attempts, 'sign');
    }

    public function testAnotherMerchantsValidlySignedCallbackIsRejected(): void
    {
        // SpectroCoin signs every merchant's callbacks with the same key: the ids must be ours.
        $attempts = $this->sendCallback($this->orderRequestId(), 3,
            ['merchantId' => '26', 'apiId' => '75', 'receivedAmount' => $this->payAmount()]);
        $this->assertRejectedWithoutEffect($attempts, 'error');
    }

    public function testAnOrderIdWeNeverIssuedIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['orderId' => '999-1', 'receivedAmount' => $this->payAmount()]);
        $this->assertRejectedWithoutEffect($attempts, '999-1');
    }

    public function testTheInvoiceIsNeverTakenFromTheQueryString(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['orderId' => '999-1', 'receivedAmount' => $this->payAmount()],
            ['url' => self::site()->callbackUrl(self::GATEWAY) . '?invoiceid=1&invoice_id=1']);
        $this->assertRejectedWithoutEffect($attempts, '999-1');
    }

    public function testAWrongAmountCorrectlySignedIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['receiveAmount' => '1.0', 'receivedAmount' => $this->payAmount()]);
        $this->assertRejectedWithoutEffect($attempts, 'amount');
    }

    public function testAWrongCurrencyCorrectlySignedIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['receiveCurrency' => 'USD', 'receivedAmount' => $this->payAmount()]);
        $this->assertRejectedWithoutEffect($attempts, 'currency');
    }

    public function testAnUnknownStatusIsRejected(): void
    {
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['status' => '99']);
        $this->assertRejectedWithoutEffect($attempts, '99');
    }

    public function testGarbageIsRejected(): void
    {
        $response = $this->postCallback('hello=world&<script>=1');
        self::assertSame(400, $response['status']);
        self::assertSame('Rejected', $this->lastLog()['result']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testOnlyPostIsAccepted(): void
    {
        $response = self::site()->get('modules/gateways/callback/spectrocoin.php');
        self::assertSame(405, $response['status']);
        self::assertSame('POST', $response['headers']['allow'] ?? null);
    }

    public function testAnInactiveGatewayAsksSpectroCoinToRetry(): void
    {
        self::site()->deactivateGateway(self::GATEWAY);
        $attempts = $this->sendCallback($this->orderRequestId(), 3, ['receivedAmount' => $this->payAmount()]);
        self::assertAnswered(503, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testADatabaseFailureAsksSpectroCoinToRetryAndTheRetrySucceeds(): void
    {
        // Another connection holds the invoice lock longer than the site's lock wait timeout.
        $pdo = self::site()->pdo();
        $pdo->exec('SET SESSION innodb_lock_wait_timeout = 50');
        $pdo->beginTransaction();
        $pdo->query('SELECT id FROM tblinvoices WHERE id = 1 FOR UPDATE')->fetchAll();
        self::site()->query("SET GLOBAL innodb_lock_wait_timeout = 1");
        try {
            $attempts = $this->sendCallback($this->orderRequestId(), 3, ['receivedAmount' => $this->payAmount()]);
        } finally {
            $pdo->rollBack();
            self::site()->query('SET GLOBAL innodb_lock_wait_timeout = 50');
        }
        self::assertAnswered(503, '', $attempts);
        self::assertSame('Retry Later', $this->lastLog()['result']);
        self::assertSame([], self::site()->transactions(1));

        $forced = self::sim()->dispatch(true);
        self::assertAnswered(200, '*ok*', $forced);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }
}
