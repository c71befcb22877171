<?php

declare(strict_types=1);

namespace SimulatorTests;

require_once __DIR__ . '/SimulatorTestCase.php';

final class CreateOrderTest extends SimulatorTestCase
{
    /** @return array<string, array{int}> */
    public function publishedRequestVectors(): array
    {
        return ['V2 (12 fields, merchant 25/74)' => [0], 'V4 (15 fields, merchant 87/1)' => [1]];
    }

    /** @dataProvider publishedRequestVectors */
    public function testPublishedRequestVectorIsAccepted(int $index): void
    {
        $vector = self::$vectors['requests'][$index];
        parse_str($vector['signed_string'], $fields);
        $this->sim()->registerMerchant(self::project([
            'merchantId' => $fields['merchantId'],
            'apiId' => $fields['apiId'],
            'merchantApiId' => sprintf('00000000-0000-4000-8000-%012d', $index),
            'receiveCurrencies' => [$fields['receiveCurrency']],
        ]));

        $response = $this->sim()->createOrderRaw($vector['signed_string'] . '&sign=' . urlencode($vector['sign']));

        self::assertSame(200, $response['status'], $response['body']);
        $order = $response['json'];
        self::assertIsInt($order['orderRequestId']);
        self::assertSame($fields['payCurrency'], $order['payCurrency']);
        self::assertSame($fields['receiveCurrency'], $order['receiveCurrency']);
        self::assertIsFloat($order['payAmount']);
        self::assertIsFloat($order['receiveAmount']);
        self::assertStringStartsWith($this->sim()->url() . '/checkout/', $order['redirectUrl']);
        self::assertNotEmpty($order['depositAddress']);
        $lifetime = $order['validUntil'] - (int) (microtime(true) * 1000);
        self::assertGreaterThan(14 * 60_000, $lifetime);
        self::assertLessThanOrEqual(15 * 60_000, $lifetime);
        // V4 sends an empty orderId: SpectroCoin then uses its orderRequestId.
        self::assertSame($fields['orderId'] === '' ? (string) $order['orderRequestId'] : $fields['orderId'], $order['orderId']);

        $request = $this->sim()->requests()[0];
        self::assertSame($vector['signed_string'], $request['signedString']);
        self::assertTrue($request['verdict']['ok']);
    }

    /** @dataProvider publishedRequestVectors */
    public function testTamperedPublishedVectorIsRejectedWithBadSign(int $index): void
    {
        $vector = self::$vectors['requests'][$index];
        parse_str($vector['signed_string'], $fields);
        $this->sim()->registerMerchant(self::project([
            'merchantId' => $fields['merchantId'],
            'apiId' => $fields['apiId'],
            'merchantApiId' => sprintf('00000000-0000-4000-8000-%012d', $index),
            'receiveCurrencies' => [$fields['receiveCurrency']],
        ]));
        $tampered = str_replace('receiveAmount=', 'receiveAmount=1', $vector['signed_string']);

        $response = $this->sim()->createOrderRaw($tampered . '&sign=' . urlencode($vector['sign']));

        self::assertSame(203, $response['status']);
        self::assertSame([['code' => 2, 'message' => 'Bad sign']], $response['json']);
        self::assertSame([], $this->sim()->orders());
    }

    public function testAmountsAreReformattedBeforeVerifying(): void
    {
        // Signed over 125.5, sent as 125.50: the server signs over its canonical form.
        $fields = $this->orderFields(['receiveAmount' => '125.5']);
        $body = str_replace('receiveAmount=125.5&', 'receiveAmount=125.50&', self::signedBody($fields));

        $response = $this->sim()->createOrderRaw($body);

        self::assertSame(200, $response['status'], $response['body']);
        self::assertSame(125.5, $response['json']['receiveAmount']);
        self::assertSame(0.00251, $response['json']['payAmount'], 'fixed rate 50000 EUR/BTC');
    }

    public function testUuidIdsAreAcceptedInTheIdSlots(): void
    {
        $fields = $this->orderFields();
        unset($fields['merchantId'], $fields['apiId']);
        $fields = ['userId' => '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d', 'merchantApiId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678'] + $fields;

        $response = $this->sim()->createOrderRaw(self::signedBody($fields));

        self::assertSame(200, $response['status'], $response['body']);
        self::assertSame('uuid', $this->sim()->order($response['json']['orderRequestId'])['idsSentAs']);
    }

    public function testPayerFieldsAreSignedWhenSentAndAbsentOtherwise(): void
    {
        $fields = $this->orderFields();
        $withPayer = array_slice($fields, 0, 8, true)
            + ['payerEmail' => 'a@b.lt', 'payerName' => 'Jonas', 'payerSurname' => '']
            + array_slice($fields, 8, null, true);

        $response = $this->sim()->createOrderRaw(self::signedBody($withPayer));

        self::assertSame(200, $response['status'], $response['body']);
        self::assertStringContainsString('&payerEmail=a%40b.lt&payerName=Jonas&payerSurname=&culture=en&', $this->sim()->requests()[0]['signedString']);
    }

    public function testMissingFieldsAreValidationErrors(): void
    {
        $fields = $this->orderFields();
        unset($fields['apiId']);
        $fields['receiveCurrency'] = '';

        $response = $this->sim()->createOrderRaw(self::signedBody($fields));

        self::assertSame(203, $response['status']);
        self::assertSame([
            ['code' => 1, 'message' => 'apiId is required'],
            ['code' => 1, 'message' => 'receiveCurrency is required'],
        ], $response['json']);
    }

    public function testMissingSignIsAValidationError(): void
    {
        $body = http_build_query($this->orderFields());

        $response = $this->sim()->createOrderRaw($body);

        self::assertSame(203, $response['status']);
        self::assertSame([['code' => 1, 'message' => 'sign is required']], $response['json']);
    }

    public function testAmountWithMoreThanEightDecimalsIsRefused(): void
    {
        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['receiveAmount' => '0.123456789'])));

        self::assertSame(203, $response['status']);
        self::assertSame(1, $response['json'][0]['code']);
        self::assertStringContainsString('receiveAmount', $response['json'][0]['message']);
    }

    public function testUnsupportedCurrencyIsCode3(): void
    {
        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['receiveCurrency' => 'JPY'])));

        self::assertSame(203, $response['status']);
        self::assertSame(3, $response['json'][0]['code']);
    }

    public function testDuplicateOrderIdInTheProjectIsCode5(): void
    {
        $fields = $this->orderFields(['orderId' => 'INV-1']);
        self::assertSame(200, $this->sim()->createOrderRaw(self::signedBody($fields))['status']);

        $response = $this->sim()->createOrderRaw(self::signedBody($fields));

        self::assertSame(203, $response['status']);
        self::assertSame([['code' => 5, 'message' => 'Merchant order id already exists']], $response['json']);
    }

    public function testSameOrderIdInAnotherProjectIsFine(): void
    {
        $this->sim()->registerMerchant(self::project(['apiId' => '75', 'merchantApiId' => 'b1b2c3d4-e5f6-4789-8abc-def012345678']));
        self::assertSame(200, $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['orderId' => 'INV-1'])))['status']);

        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['orderId' => 'INV-1', 'apiId' => '75'])));

        self::assertSame(200, $response['status'], $response['body']);
    }

    public function testUnknownIdsAreCode6(): void
    {
        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['apiId' => '999'])));

        self::assertSame(203, $response['status']);
        self::assertSame([['code' => 6, 'message' => 'Check merchantId and apiId']], $response['json']);
    }

    public function testNonFormContentTypeIsCode97(): void
    {
        $response = $this->sim()->createOrderRaw(json_encode($this->orderFields()), 'application/json');

        self::assertSame(203, $response['status']);
        self::assertSame([['code' => 97, 'message' => 'Unsupported media type']], $response['json']);
    }

    public function testSignatureByAnotherKeyIsBadSign(): void
    {
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        openssl_pkey_export($other, $otherPem);

        $response = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(), $otherPem));

        self::assertSame(203, $response['status']);
        self::assertSame(2, $response['json'][0]['code']);
    }

    public function testPreOrderProjectAnswersWithoutOrderRequestIdAndDepositAddress(): void
    {
        $this->sim()->registerMerchant(self::project(['preOrder' => true]));

        $order = $this->createOrder();

        self::assertArrayNotHasKey('orderRequestId', $order);
        self::assertArrayNotHasKey('depositAddress', $order);
        self::assertStringStartsWith($this->sim()->url() . '/checkout/', $order['redirectUrl']);
    }

    public function testEveryRequestIsRecordedWithRawBodyAndVerdict(): void
    {
        $body = self::signedBody($this->orderFields(['apiId' => '999']));
        $this->sim()->createOrderRaw($body);

        $request = $this->sim()->requests()[0];

        self::assertSame($body, $request['rawBody']);
        self::assertSame(['merchantId', '25'], $request['parsed'][0]);
        self::assertFalse($request['verdict']['ok']);
        self::assertSame(6, $request['verdict']['answer'][0]['code']);
    }
}
