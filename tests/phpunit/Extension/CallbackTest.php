<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\CallbackException;
use SpectroCoin\SignatureException;

final class CallbackTest extends ExtensionTestCase
{
    public function testTheRealSpectroCoinSignedCallbackV1Verifies(): void
    {
        $cb = spectrocoin_verify_callback(self::v1Body(), self::v1Merchant());
        self::assertSame(5, $cb['status']);
        self::assertSame('EXPIRED', $cb['statusName']);
        self::assertSame('275', $cb['orderId']);
        self::assertSame('8523.5', $cb['receiveAmount']);
        self::assertSame('0.0', $cb['receivedAmount']);
        self::assertSame('Payment for Car-2547', $cb['description']);
        self::assertArrayNotHasKey('sign', $cb);
    }

    public function testV1FailsAfterChangingAnySignedField(): void
    {
        $changes = ['orderId' => '276', 'payCurrency' => 'ETH', 'payAmount' => '20.5', 'receiveCurrency' => 'USD',
            'receiveAmount' => '8523.51', 'receivedAmount' => '1', 'description' => 'Payment for Car-2548',
            'orderRequestId' => '1', 'status' => '3'];
        foreach ($changes as $field => $value) {
            try {
                spectrocoin_verify_callback(self::v1Body([$field => $value]), self::v1Merchant());
                self::fail("accepted a changed {$field}");
            } catch (SignatureException $e) {
                self::assertStringContainsString('signature', $e->getMessage());
            }
        }
        // Changed ids are caught as foreign even before the signature.
        foreach (['merchantId' => '170', 'apiId' => '4'] as $field => $value) {
            $this->assertRejected(self::v1Body([$field => $value]), CallbackException::class);
        }
    }

    public function testAForeignMerchantsGenuineCallbackIsRefused(): void
    {
        foreach ([['169', '4'], ['170', '3']] as [$m, $p]) {
            try {
                spectrocoin_verify_callback(self::v1Body(), self::v1Merchant(['merchantId' => $m, 'projectId' => $p]));
                self::fail('accepted another merchant\'s callback');
            } catch (CallbackException $e) {
                self::assertNotInstanceOf(SignatureException::class, $e);
                // Its own class, so the module can look for an order of earlier settings without reading messages.
                self::assertInstanceOf(\SpectroCoin\ForeignCallbackException::class, $e);
                self::assertStringContainsString('another merchant', $e->getMessage());
            }
        }
    }

    public function testHtmlEncodedBodiesAsWhmcsPostWouldGiveThemFail(): void
    {
        // What a module that rebuilt the body from WHMCS' HTML-encoded $_POST would pass.
        $body = self::v1Body(['description' => 'Payment for &quot;Car&quot;']);
        $this->assertRejected($body, SignatureException::class);
    }

    public function testMalformedAndHostileBodiesAreCallbackExceptions(): void
    {
        $bodies = [
            'empty' => '',
            'json' => '{"id":"x"}',
            'bad percent' => self::v1Body() . '&x=%zz',
            'non-utf8' => self::v1Body() . "&x=\xff",
            'duplicate' => self::v1Body() . '&status=3',
            'missing sign' => self::v1Body(['sign' => null]),
            'missing receivedAmount' => self::v1Body(['receivedAmount' => null]),
            'huge' => self::v1Body() . '&pad=' . str_repeat('a', 70000),
            'amount with exponent' => self::v1Body(['payAmount' => '2e1']),
        ];
        foreach ($bodies as $name => $body) {
            try {
                spectrocoin_verify_callback($body, self::v1Merchant());
                self::fail("accepted: {$name}");
            } catch (CallbackException $e) {
                self::assertNotSame('', $e->getMessage(), $name);
            }
        }
    }

    public function testReencodedButEquivalentBodiesStillVerify(): void
    {
        $spaced = str_replace('Payment+for', 'Payment%20for', self::v1Body());
        self::assertSame(5, spectrocoin_verify_callback($spaced, self::v1Merchant())['status']);
        $amounts = self::v1Body(['payAmount' => '20.000', 'receivedAmount' => '0.00']);
        self::assertSame('20.0', spectrocoin_verify_callback($amounts, self::v1Merchant())['payAmount']);
    }

    public function testUuidConfigurationsMatchTheUnsignedUuidPair(): void
    {
        $m = ['merchantId' => '1a2b3c4d-0000-4000-8000-1234567890ab', 'projectId' => '9f1c2d3e-1111-4222-8333-444455556666'];
        $this->assertRejected(self::v1Body(), CallbackException::class, self::v1Merchant($m));
        $body = self::v1Body(['userId' => '1a2b3c4d-0000-4000-8000-1234567890ab', 'merchantApiId' => '9f1c2d3e-1111-4222-8333-444455556666']);
        self::assertSame(5, spectrocoin_verify_callback($body, self::v1Merchant($m))['status']);
    }

    public function testTheDecisionIsReachableFromPhpAndNeverCancels(): void
    {
        $cb = ['orderId' => '7-1', 'orderRequestId' => '900', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.3', 'status' => 5];
        $row = ['orderId' => '7-1', 'orderRequestId' => 900, 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30000000',
            'status' => 'PENDING', 'credited' => 0, 'pendingSet' => '1'];
        $d = spectrocoin_decide($cb, $row, ['status' => 'Payment Pending', 'transactionExists' => false]);
        self::assertSame(['close', 'EXPIRED', ['from' => 'Payment Pending', 'to' => 'Unpaid'], 'SC900', null, false],
            [$d['action'], $d['row']['status'], $d['invoice'], $d['transId'], $d['apply'], $d['row']['pendingSet']]);
        $paid = spectrocoin_decide(['status' => 3] + $cb, ['invoiceAmount' => '12.30', 'invoiceCurrency' => 'EUR'] + $row,
            ['status' => 'Payment Pending', 'transactionExists' => false]);
        self::assertSame(['transId' => 'SC900', 'amount' => '12.30', 'currency' => 'EUR'], $paid['apply']);
        self::assertFalse($paid['row']['credited']);
        $dup = spectrocoin_decide(['status' => 3] + $cb, ['credited' => 1] + $row, ['status' => 'Paid', 'transactionExists' => true]);
        self::assertSame(['already_credited', true, 'SC900', null], [$dup['action'], $dup['row']['credited'], $dup['row']['transId'], $dup['apply']]);
        $held = spectrocoin_decide(['status' => 3] + $cb, $row, ['status' => 'Cancelled', 'transactionExists' => false]);
        self::assertSame(['hold', 'SC900', null], [$held['action'], $held['row']['transId'], $held['apply']]);
        self::assertStringContainsString('NOT applied', $held['row']['reviewReason']);
        $noPending = spectrocoin_decide(['status' => 2] + $cb, ['status' => 'CREATED'] + $row, ['status' => 'Unpaid'], false);
        self::assertNull($noPending['invoice']);
        $this->expectException(CallbackException::class);
        spectrocoin_decide(['receiveAmount' => '12.31'] + $cb, $row, ['status' => 'Unpaid']);
    }

    public function testARefundToRecordIsReachableFromPhpOnlyWithRecordRefunds(): void
    {
        $cb = ['orderId' => '7-1', 'orderRequestId' => '900', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.3', 'status' => 18];
        $row = ['orderId' => '7-1', 'orderRequestId' => 900, 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.3',
            'invoiceAmount' => '12.30', 'invoiceCurrency' => 'EUR', 'status' => 'PAID', 'credited' => 1];
        $invoice = ['status' => 'Paid', 'transactionExists' => true];
        $off = spectrocoin_decide($cb, $row, $invoice);
        self::assertSame(['refund', 'REFUNDED', null], [$off['action'], $off['row']['status'], $off['refund']]);
        self::assertStringContainsString('record the refund', $off['row']['reviewReason']);
        $on = spectrocoin_decide($cb, $row, $invoice, true, true);
        self::assertSame(['transId' => 'SC900-refund', 'amount' => '12.30', 'currency' => 'EUR', 'originalTransId' => 'SC900'], $on['refund']);
        self::assertSame(['record_refund', null, null], [$on['action'], $on['apply'], $on['row']['reviewReason']]);
        self::assertNull(spectrocoin_decide($cb, ['refundRecorded' => true] + $row, $invoice, true, true)['refund']);
        self::assertNull(spectrocoin_decide($cb, $row, ['paymentRefunded' => true] + $invoice, true, true)['refund']);
        self::assertNull(spectrocoin_decide($cb, ['credited' => 0] + $row, $invoice, true, true)['refund']);
    }

    public function testTheVerifiedCallbackCarriesItsProofAndCannotBeForged(): void
    {
        $verified = spectrocoin_authenticate_callback(self::v1Body(), 'application/x-www-form-urlencoded', self::v1Merchant());
        $cb = $verified->toArray();
        self::assertSame($cb, spectrocoin_handle_callback(self::v1Body(), 'application/x-www-form-urlencoded', self::v1Merchant()));
        self::assertTrue($cb['idsVerified']);
        self::assertSame($cb['orderId'], $verified->orderId());
        // A row no SpectroCoin id binds yet: only proven ids make the callback ours.
        $unbound = ['orderId' => $cb['orderId'], 'receiveCurrency' => $cb['receiveCurrency'], 'receiveAmount' => $cb['receiveAmount'],
            'invoiceAmount' => '10.00', 'invoiceCurrency' => 'EUR', 'status' => 'CREATED'];
        $d = $verified->decide($unbound, ['status' => 'Unpaid', 'transactionExists' => false]);
        self::assertSame('SC' . $cb['orderRequestId'], $verified->transactionId($unbound));
        self::assertSame((string) $cb['orderRequestId'], $d['row']['orderRequestId']);
        try {
            spectrocoin_decide($cb, $unbound, ['status' => 'Unpaid', 'transactionExists' => false]);
            self::fail('an array claiming idsVerified was trusted');
        } catch (\SpectroCoin\ConfigException $e) {
            self::assertStringContainsString('cannot be proven ours', $e->getMessage());
        }
        self::assertTrue((new \ReflectionClass(\SpectroCoin\Callback::class))->isFinal());
        try {
            new \SpectroCoin\Callback();
            self::fail('constructed from PHP');
        } catch (\Throwable $e) {
            self::assertStringContainsString('cannot instantiate', $e->getMessage());
        }
        foreach ([fn () => serialize($verified), fn () => unserialize('O:20:"SpectroCoin\\Callback":0:{}')] as $forge) {
            try {
                $forge();
                self::fail('serialization allowed');
            } catch (\Exception $e) {
                self::assertStringContainsString('is not allowed', $e->getMessage());
            }
        }
    }

    public function testUnknownStatusIsACallbackExceptionNotACrash(): void
    {
        $this->expectException(CallbackException::class);
        $this->expectExceptionMessageMatches('/unknown SpectroCoin status/');
        spectrocoin_decide(['orderId' => '1', 'status' => 99, 'receiveCurrency' => 'EUR', 'receiveAmount' => '1'],
            ['orderId' => '1', 'receiveCurrency' => 'EUR', 'receiveAmount' => '1'], ['status' => 'Unpaid']);
    }

    private function assertRejected(string $body, string $class, ?array $merchant = null): void
    {
        try {
            spectrocoin_verify_callback($body, $merchant ?? self::v1Merchant());
            self::fail('accepted');
        } catch (CallbackException $e) {
            self::assertInstanceOf($class, $e);
        }
    }
}
