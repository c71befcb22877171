<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Tests\EndToEnd\EndToEndTestCase;

/**
 * A PAID callback broken at each step of crediting: before anything is decided, after the claim
 * (addInvoicePayment's start), after WHMCS wrote the payment row (before its hooks), inside the
 * InvoicePaid hook, and before the confirmation (addInvoicePayment's end); broken by a killed
 * database connection, an InnoDB lock wait timeout, the script ending (exit) and, through nginx +
 * PHP-FPM, kill -9 of the worker. SpectroCoin then retries (a claim left by a dead worker is
 * taken over once stale: the test ages it as ten minutes of retries would).
 *
 * After the retries: one tblaccounts row, the row credited and its claim closed, nothing locked;
 * and one payment e-mail and one InvoicePaid run wherever WHMCS got that far. Where WHMCS itself
 * stopped between its payment row and its hooks (a statement failing there, or the process dying),
 * no documented call finishes its work without a second payment: the invoice is left for the
 * admin with a review note, its e-mail and automation never run — never twice.
 *
 * The stand-in's fault points are StandIn\Faults (tests/whmcs/includes/standin/Faults.php).
 */
final class ExactlyOnceFaultTest extends EndToEndTestCase
{
    private const POINTS = ['getGatewayVariables', 'addInvoicePayment:start', 'addInvoicePayment:afterRow', 'hook:InvoicePaid', 'addInvoicePayment:end'];

    private static ?FpmNginx $fpm = null;

    public static function tearDownAfterClass(): void
    {
        self::$fpm?->stop();
        self::$fpm = null;
        parent::tearDownAfterClass();
    }

    private static function fpm(): FpmNginx
    {
        return self::$fpm ??= new FpmNginx(self::site(), [
            'extension' => self::extensionPath(),
            'spectrocoin.api_url' => self::sim()->apiUrl(),
            'spectrocoin.public_key_url' => self::sim()->publicKeyUrl(),
            'spectrocoin.public_api_url' => self::sim()->publicApiUrl(),
            'spectrocoin.timeout' => (string) self::SITE_TIMEOUT,
        ], 4);
    }

    public static function faults(): array
    {
        $cases = [];
        foreach (self::POINTS as $point) {
            foreach (['kill-connection', 'lock-timeout', 'exit', 'kill9'] as $action) {
                $cases["$action at $point"] = [$point, $action];
            }
        }
        return $cases;
    }

    private function paidBody(array $order): string
    {
        $id = (int) $order['order_request_id'];
        $queued = self::sim()->setStatus($id, 3, (string) self::sim()->order($id)['payAmount'], true, false);
        foreach (self::sim()->callbacks() as $d) {
            if ($d['id'] === $queued['deliveryIds'][0]) {
                return (string) $d['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    /** Delivers like SpectroCoin until "*ok*"; returns every answer. Ages a claim left behind. */
    private function deliverUntilOk(string $url, string $body, string $orderId): array
    {
        $answers = [];
        for ($attempt = 0; $attempt < 5; $attempt++) {
            $r = self::site()->post($url, $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
            $answers[] = $r['status'] . ' ' . $r['body'];
            if ($r['status'] === 200 && $r['body'] === '*ok*') {
                return $answers;
            }
            // SpectroCoin's later retries, ten minutes on: a claim nobody confirmed is stale by then.
            self::site()->pdo()->prepare("UPDATE mod_spectrocoin_orders SET claimed_at = claimed_at - INTERVAL 601 SECOND WHERE order_id = ? AND claim_state = 'applying'")
                ->execute([$orderId]);
        }
        self::fail('never answered *ok*: ' . json_encode($answers) . "\n" . json_encode(array_slice($this->gatewayLog(), -4)));
    }

    /** @dataProvider faults */
    public function testACallbackBrokenAtEachStepCreditsExactlyOnce(string $point, string $action): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        $url = $action === 'kill9' ? self::fpm()->url('modules/gateways/callback/' . self::GATEWAY . '.php') : self::site()->callbackUrl(self::GATEWAY);
        self::site()->setConfig('StandInFault', "$point=$action");
        $answers = $this->deliverUntilOk($url, $body, (string) $order['order_id']);
        self::assertCount(1, self::site()->hooks('StandInFault'), 'the fault fired');
        // A duplicate after the fact changes nothing.
        $again = self::site()->post($url, $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
        self::assertSame('200 *ok*', $again['status'] . ' ' . $again['body']);

        $case = "$action at $point: " . json_encode($answers);
        $row = $this->order((string) $order['order_id']);
        self::assertCount(1, self::site()->transactions(1), "$case: one payment row");
        self::assertSame([1, null, 'SC' . $order['order_request_id']], [(int) $row['credited'], $row['claim_state'], $row['transid']], $case);
        $whmcsStopped = $point === 'addInvoicePayment:afterRow' && $action !== 'kill-connection';
        if ($whmcsStopped) {
            self::assertSame([], self::site()->emails(), $case);
            self::assertSame([], self::site()->hooks('InvoicePaid'), $case);
            self::assertStringContainsString('stopped before finishing', (string) $row['review_reason'], $case);
        } else {
            self::assertSame('Paid', $this->invoiceStatus(1), $case);
            self::assertCount(1, self::site()->emails('Invoice Payment Confirmation'), "$case: one e-mail");
            self::assertCount(1, self::site()->hooks('InvoicePaid'), "$case: one InvoicePaid run");
            self::assertNull($row['review_reason'], $case);
        }
        self::assertSame([], self::site()->query('SELECT * FROM information_schema.INNODB_TRX'), "$case: a transaction was left open");
        HardeningFigures::record('exactly-once', sprintf('%-16s at %-27s answers %s', $action, $point, implode(', ', $answers)));
    }

    public static function slowSteps(): array
    {
        return [
            // Before WHMCS wrote the payment: the retry must not apply it a second time.
            'slow before the payment row' => ['StandInFault', 'addInvoicePayment:start=sleep:4', 'StandInFault', '503 Service Unavailable', 'being applied by another delivery'],
            // Inside the slow InvoicePaid hook: the payment row is there, so the retry confirms it.
            'slow InvoicePaid hook' => ['StandInInvoicePaidHook', 'sleep:4', 'InvoicePaid', '200 *ok*', 'already recorded'],
        ];
    }

    /** @dataProvider slowSteps */
    public function testARetryWhileTheFirstDeliveryIsStillApplyingNeverAppliesTwice(string $knob, string $value, string $startedHook, string $retryAnswer, string $retryLog): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        self::site()->setConfig($knob, $value);
        $url = self::fpm()->url('modules/gateways/callback/' . self::GATEWAY . '.php');
        $multi = curl_multi_init();
        $first = curl_init($url);
        curl_setopt_array($first, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:']]);
        curl_multi_add_handle($multi, $first);
        $deadline = microtime(true) + 10;
        do { // until the first delivery is inside the slow step
            curl_multi_exec($multi, $running);
            usleep(20000);
        } while (self::site()->hooks($startedHook) === [] && microtime(true) < $deadline);
        self::assertCount(1, self::site()->hooks($startedHook));
        $retry = self::site()->post($url, $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
        self::assertSame($retryAnswer, $retry['status'] . ' ' . $retry['body']);
        self::assertStringContainsString($retryLog, $this->lastLog()['data']);
        do {
            curl_multi_exec($multi, $running);
            curl_multi_select($multi, 0.2);
        } while ($running);
        self::assertSame('200 *ok*', curl_getinfo($first, CURLINFO_RESPONSE_CODE) . ' ' . curl_multi_getcontent($first));
        curl_multi_close($multi);
        $later = self::site()->post($url, $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
        self::assertSame('200 *ok*', $later['status'] . ' ' . $later['body']);
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertCount(1, self::site()->emails('Invoice Payment Confirmation'));
        self::assertSame([1, null], [(int) $this->order((string) $order['order_id'])['credited'], $this->order((string) $order['order_id'])['claim_state']]);
    }
}
