<?php

declare(strict_types=1);

namespace SimulatorTests;

require_once __DIR__ . '/SimulatorTestCase.php';

/**
 * Per-project variants of legacy callbacks seen in SpectroCoin's own code (../shared/docs/
 * spectrocoin-api.md section 4): payer fields present (empty or filled) or omitted, and the
 * Java form encoder that leaves `*` literal in what it signs and sends.
 */
final class LegacyCallbackVariantsTest extends SimulatorTestCase
{
    private const PAYER = ['payerEmail', 'payerName', 'payerSurname'];

    private function payerFieldsOfCallback(string $mode, array $orderOverrides): array
    {
        $this->sim()->updateProject(['payerFields' => $mode]);
        // Payer fields sit after description in the signed order (1.2).
        $fields = [];
        foreach ($this->orderFields() as $name => $value) {
            $fields[$name] = $value;
            if ($name === 'description') {
                $fields += $orderOverrides;
            }
        }
        $response = $this->sim()->createOrderRaw(self::signedBody($fields));
        self::assertSame(200, $response['status'], $response['body']);
        $order = $response['json'];
        $this->sim()->expire($order['orderRequestId']);
        $request = $this->receiver()->requests()[0];
        self::assertTrue(self::callbackVerifies($request['body'], $this->sim()->publicKeyPem()), 'payer fields are unsigned');
        return array_intersect_key(self::decodeForm($request['body']), array_flip(self::PAYER));
    }

    public function testPayerFieldsOnlyWhenTheOrderHadThemByDefault(): void
    {
        self::assertSame([], $this->payerFieldsOfCallback('nonEmpty', []));
        $this->receiver()->reset();
        self::assertSame(['payerEmail' => 'jonas@example.lt', 'payerName' => 'Jonas', 'payerSurname' => 'Jonaitis'],
            $this->payerFieldsOfCallback('nonEmpty', ['payerEmail' => 'jonas@example.lt', 'payerName' => 'Jonas', 'payerSurname' => 'Jonaitis']));
    }

    public function testPayerFieldsAlwaysPresentEmptyWhenUnknown(): void
    {
        self::assertSame(['payerEmail' => '', 'payerName' => '', 'payerSurname' => ''], $this->payerFieldsOfCallback('always', []));
        $names = self::formNames($this->receiver()->requests()[0]['body']);
        self::assertSame(['sign', 'userId', 'merchantApiId', 'payerEmail', 'payerName', 'payerSurname'], array_slice($names, 11));
    }

    public function testPayerFieldsNeverSent(): void
    {
        self::assertSame([], $this->payerFieldsOfCallback('never', ['payerEmail' => 'jonas@example.lt', 'payerName' => 'Jonas']));
    }

    public function testJavaEncoderLeavesTheStarLiteralInBodyAndSignature(): void
    {
        $this->sim()->updateProject(['signEncoding' => 'java']);
        $order = $this->createOrder(['description' => 'Order *42* ~x']);

        $this->sim()->expire($order['orderRequestId']);

        $body = $this->receiver()->requests()[0]['body'];
        self::assertStringContainsString('description=Order+*42*+%7E' . 'x&', $body, '`*` literal, `~` still %7E');
        self::assertFalse(self::callbackVerifies($body, $this->sim()->publicKeyPem()), 'a PHP-canonical verifier refuses it');
        $fields = self::decodeForm($body);
        $javaString = str_replace('%2A', '*', self::phpCanonical($fields));
        self::assertSame(1, openssl_verify($javaString, base64_decode($fields['sign']), $this->sim()->publicKeyPem(), OPENSSL_ALGO_SHA1));
    }

    public function testPhpEncoderIsTheDefaultAndOrdersWithoutStarAgree(): void
    {
        $order = $this->createOrder(['description' => 'Order *42*']);
        $this->sim()->expire($order['orderRequestId']);
        self::assertStringContainsString('description=Order+%2A42%2A&', $this->receiver()->requests()[0]['body']);

        $this->receiver()->reset();
        $this->sim()->updateProject(['signEncoding' => 'java']);
        $plain = $this->createOrder(['description' => 'Order 42']);
        $this->sim()->expire($plain['orderRequestId']);
        self::assertTrue(self::callbackVerifies($this->receiver()->requests()[0]['body'], $this->sim()->publicKeyPem()), 'no `*`: both encoders agree');
    }

    public function testCustomCallbackCanPickTheEncoder(): void
    {
        $order = $this->createOrder(['description' => 'a*b']);
        $java = $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId'], 'encoding' => 'java']);
        $php = $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId']]);
        self::assertStringContainsString('description=a*b&', $java['delivery']['body']);
        self::assertStringContainsString('description=a%2Ab&', $php['delivery']['body']);
    }

    public function testBadSettingsAreRefused(): void
    {
        $this->expectException(\RuntimeException::class);
        $this->sim()->updateProject(['payerFields' => 'sometimes']);
    }

    /** The eleven signed fields, PHP-encoded, amounts as sent (test-side, not the simulator's code). */
    private static function phpCanonical(array $fields): string
    {
        $parts = [];
        foreach (['merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency', 'receiveAmount',
            'receivedAmount', 'description', 'orderRequestId', 'status'] as $name) {
            $value = $fields[$name];
            if (in_array($name, ['payAmount', 'receiveAmount', 'receivedAmount'], true)) {
                $value = self::amount($value);
            }
            $parts[] = $name . '=' . urlencode($value);
        }
        return implode('&', $parts);
    }
}
