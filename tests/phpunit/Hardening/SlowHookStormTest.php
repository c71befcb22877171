<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Tests\EndToEnd\EndToEndTestCase;

/**
 * 50 concurrent deliveries through nginx + PHP-FPM while invoice 1's InvoicePaid hook sleeps 5 s
 * (account creation): 15 copies of its PAID callback, 10 late callbacks of an earlier order of the
 * same invoice, and 25 callbacks of five other invoices. Every answer is "*ok*" or 503 (redelivered,
 * as SpectroCoin does); invoice 1 gets one credit, one e-mail, one hook run; and every delivery
 * but invoice 1's first PAID is answered before that hook is over: nothing waits behind it.
 */
final class SlowHookStormTest extends EndToEndTestCase
{
    private const HOOK_SECONDS = 5;

    private function body(array $order, int $status): string
    {
        $id = (int) $order['order_request_id'];
        $received = $status === 3 ? (string) self::sim()->order($id)['payAmount'] : '0';
        $queued = self::sim()->setStatus($id, $status, $received, true, false);
        foreach (self::sim()->callbacks() as $d) {
            if ($d['id'] === $queued['deliveryIds'][0]) {
                return (string) $d['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    /** @return array<int, array{string, float}> per delivery: answer, seconds since $t0 when it ended */
    private static function storm(string $url, array $bodies, float $t0): array
    {
        $multi = curl_multi_init();
        curl_multi_setopt($multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0);
        $handles = [];
        foreach ($bodies as $k => $body) {
            $ch = curl_init($url);
            curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true,
                CURLOPT_TIMEOUT => 120, CURLOPT_FORBID_REUSE => true,
                CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:']]);
            curl_multi_add_handle($multi, $ch);
            $handles[$k] = $ch;
        }
        $ended = [];
        do {
            curl_multi_exec($multi, $running);
            while ($info = curl_multi_info_read($multi)) {
                $ended[(int) $info['handle']] = microtime(true) - $t0;
            }
            if ($running > 0) {
                curl_multi_select($multi, 0.05);
            }
        } while ($running > 0);
        $out = [];
        foreach ($handles as $k => $ch) {
            $out[$k] = [curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . ' ' . curl_multi_getcontent($ch), $ended[(int) $ch] ?? INF];
            curl_multi_remove_handle($multi, $ch);
        }
        curl_multi_close($multi);
        return $out;
    }

    public function testFiftyDeliveriesAroundASlowHookCreditOnceAndNeverWaitBehindIt(): void
    {
        $pdo = self::site()->pdo();
        $client = self::site()->clientLogin(1);
        // Invoice 1: order A expires, then order B is paid (the slow hook's).
        $a = $this->startPayment(1, $client);
        $expiredA = $this->body($a, 5);
        self::assertSame(200, $this->postCallback($expiredA)['status']);
        $b = $this->startPayment(1, $client);
        self::assertNotSame($a['order_id'], $b['order_id']);
        $deliveries = array_fill(0, 15, ['slow', $this->body($b, 3)]);
        $pendingA = $this->body($a, 2);
        for ($i = 0; $i < 5; $i++) {
            $deliveries[] = ['other order', $expiredA];
            $deliveries[] = ['other order', $pendingA];
        }
        for ($n = 0; $n < 5; $n++) {
            $id = 110 + $n;
            $pdo->exec("INSERT INTO tblinvoices (id, userid, invoicenum, date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, status, paymentmethod, notes)
                SELECT $id, userid, '', date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, 'Unpaid', paymentmethod, '' FROM tblinvoices WHERE id = 1");
            $pdo->exec("INSERT INTO tblinvoiceitems (invoiceid, userid, type, relid, description, amount, taxed, duedate, paymentmethod, notes)
                SELECT $id, userid, type, relid, description, amount, taxed, duedate, paymentmethod, notes FROM tblinvoiceitems WHERE invoiceid = 1");
            $order = $this->startPayment($id, $client);
            $paid = $this->body($order, 3);
            $pending = $this->body($order, 2);
            array_push($deliveries, ['other invoice', $paid], ['other invoice', $paid], ['other invoice', $paid], ['other invoice', $pending], ['other invoice', $pending]);
        }
        self::assertCount(50, $deliveries);
        mt_srand(20261203);
        shuffle($deliveries);
        self::site()->setConfig('StandInInvoicePaidHook', 'sleep:' . self::HOOK_SECONDS . '@1');

        $web = new FpmNginx(self::site(), [
            'extension' => self::extensionPath(),
            'spectrocoin.api_url' => self::sim()->apiUrl(),
            'spectrocoin.public_key_url' => self::sim()->publicKeyUrl(),
            'spectrocoin.public_api_url' => self::sim()->publicApiUrl(),
            'spectrocoin.timeout' => (string) self::SITE_TIMEOUT,
        ], 16);
        try {
            $url = $web->url('modules/gateways/callback/' . self::GATEWAY . '.php');
            $t0 = microtime(true);
            $first = self::storm($url, array_column($deliveries, 1), $t0);
            $hook = self::site()->hooks('InvoicePaid');
            $slowRun = array_values(array_filter($hook, fn ($h) => (int) $h['vars']['invoiceid'] === 1));
            self::assertCount(1, $slowRun);
            $hookEnd = (float) \DateTimeImmutable::createFromFormat('Y-m-d H:i:s.u', $slowRun[0]['date'], new \DateTimeZone('UTC'))->format('U.u')
                + self::HOOK_SECONDS - $t0;
            $late = [];
            $slowAnsweredAfterTheHook = 0;
            foreach ($first as $k => [$answer, $ended]) {
                self::assertContains($answer, ['200 *ok*', '503 Service Unavailable'], $deliveries[$k][0] . "\n" . $web->logs());
                if ($ended >= $hookEnd) {
                    $late[] = $deliveries[$k][0] . " $answer ended " . round($ended - $hookEnd, 2) . ' s after the hook';
                }
            }
            // Only the delivery that runs the hook ends after it.
            self::assertCount(1, $late, "deliveries that waited behind the slow hook:\n" . implode("\n", $late));
            self::assertStringStartsWith('slow 200 *ok*', $late[0]);

            // SpectroCoin redelivers what got 503.
            $pending = [];
            foreach ($first as $k => [$answer]) {
                if ($answer !== '200 *ok*') {
                    $pending[] = $deliveries[$k][1];
                }
            }
            $retried = count($pending);
            for ($round = 0; $pending !== [] && $round < 4; $round++) {
                $again = self::storm($url, $pending, $t0);
                $pending = array_values(array_map(fn ($k) => $pending[$k], array_keys(array_filter($again, fn ($a) => $a[0] !== '200 *ok*'))));
            }
            self::assertSame([], $pending, 'still refused after 4 redeliveries');
        } finally {
            $web->stop();
        }
        self::assertCount(1, self::site()->transactions(1));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->query("SELECT id FROM standin_emails WHERE relid = 1 AND template = 'Invoice Payment Confirmation'"));
        self::assertCount(6, self::site()->hooks('InvoicePaid'), 'one run per paid invoice');
        for ($n = 0; $n < 5; $n++) {
            self::assertCount(1, self::site()->transactions(110 + $n));
        }
        self::assertSame('0.00', (string) self::site()->query('SELECT credit FROM tblclients WHERE id = 1')[0]['credit']);
        self::assertSame([], self::site()->query('SELECT * FROM information_schema.INNODB_TRX'));
        HardeningFigures::record('slow-hook-storm', sprintf('50 concurrent deliveries around a %d s InvoicePaid hook via nginx + PHP-FPM(16): 1 ended after the hook (its own), %d answered 503 and were redelivered; invoice 1: 1 credit, 1 e-mail, 1 hook run',
            self::HOOK_SECONDS, $retried));
    }
}
