<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Tests\EndToEnd\EndToEndTestCase;

/**
 * A callback storm through nginx + PHP-FPM (16 workers): 200 concurrent deliveries for 20
 * orders, duplicates included, PENDING / PAID / EXPIRED interleaved in a shuffled order.
 * 15 orders are paid (3 PENDING, 5 PAID, 2 EXPIRED each), 5 are not (4 PENDING, 6 EXPIRED).
 * Answers other than 200 `*ok*` must be 503 and are redelivered, as SpectroCoin does.
 * Then: exactly one credit per paid order, no invoice cancelled, no transaction or lock left.
 */
final class CallbackStormTest extends EndToEndTestCase
{
    private const ORDERS = 20;
    private const PAID = 15;

    /** @return list<array{int, string}> invoice id => [order row] for 20 fresh Unpaid invoices */
    private function makeInvoices(): array
    {
        $pdo = self::site()->pdo();
        $ids = [];
        for ($i = 0; $i < self::ORDERS; $i++) {
            $id = 100 + $i;
            $pdo->exec("INSERT INTO tblinvoices (id, userid, invoicenum, date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, status, paymentmethod, notes)
                SELECT $id, userid, '', date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, 'Unpaid', paymentmethod, '' FROM tblinvoices WHERE id = 1");
            $pdo->exec("INSERT INTO tblinvoiceitems (invoiceid, userid, type, relid, description, amount, taxed, duedate, paymentmethod, notes)
                SELECT $id, userid, type, relid, CONCAT(description, ' #$id'), amount, taxed, duedate, paymentmethod, notes FROM tblinvoiceitems WHERE invoiceid = 1");
            $ids[] = $id;
        }
        return $ids;
    }

    /** Signed bodies SpectroCoin would send for an order: $status => count. */
    private function bodies(array $order, array $plan): array
    {
        $id = (int) $order['order_request_id'];
        $pay = (string) self::sim()->order($id)['payAmount'];
        $out = [];
        foreach ($plan as $status => $count) {
            $received = $status === 3 ? $pay : '0';
            $queued = self::sim()->setStatus($id, $status, $received, true, false);
            $body = null;
            foreach (self::sim()->callbacks() as $d) {
                if ($d['id'] === $queued['deliveryIds'][0]) {
                    $body = (string) $d['body'];
                }
            }
            self::assertNotNull($body);
            for ($i = 0; $i < $count; $i++) {
                $out[] = [$status, $body];
            }
        }
        return $out;
    }

    /** POSTs every body at once; returns "status body" per delivery. */
    private static function storm(string $url, array $bodies): array
    {
        $multi = curl_multi_init();
        curl_multi_setopt($multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0);
        $handles = [];
        foreach ($bodies as $k => $body) {
            $ch = curl_init($url);
            curl_setopt_array($ch, [
                CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 120,
                CURLOPT_FORBID_REUSE => true,
                CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
            ]);
            curl_multi_add_handle($multi, $ch);
            $handles[$k] = $ch;
        }
        do {
            $status = curl_multi_exec($multi, $running);
            if ($running > 0) {
                curl_multi_select($multi, 1.0);
            }
        } while ($running > 0 && $status === CURLM_OK);
        $answers = [];
        foreach ($handles as $k => $ch) {
            $answers[$k] = curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . ' ' . curl_multi_getcontent($ch);
            curl_multi_remove_handle($multi, $ch);
            curl_close($ch);
        }
        curl_multi_close($multi);
        return $answers;
    }

    public function testTwoHundredConcurrentDeliveriesForTwentyOrdersCreditEachPaidOrderOnce(): void
    {
        $invoices = $this->makeInvoices();
        $client = self::site()->clientLogin(1);
        $deliveries = [];
        $paid = [];
        foreach ($invoices as $n => $invoiceId) {
            $order = $this->startPayment($invoiceId, $client);
            $isPaid = $n < self::PAID;
            $plan = $isPaid ? [2 => 3, 3 => 5, 5 => 2] : [2 => 4, 5 => 6];
            foreach ($this->bodies($order, $plan) as [$status, $body]) {
                $deliveries[] = ['invoice' => $invoiceId, 'status' => $status, 'body' => $body];
            }
            $paid[$invoiceId] = $isPaid;
        }
        self::assertCount(200, $deliveries);
        mt_srand(20261126);
        shuffle($deliveries);

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
            $pending = array_column($deliveries, 'body');
            $rounds = [];
            for ($round = 1; $pending !== [] && $round <= 6; $round++) {
                fwrite(STDERR, "storm round $round: " . count($pending) . " deliveries\n");
                $answers = self::storm($url, $pending);
                $counts = array_count_values($answers);
                $rounds[] = $counts;
                fwrite(STDERR, json_encode($counts) . sprintf(" after %.1f s\n", microtime(true) - $t0));
                foreach ($answers as $answer) {
                    self::assertContains($answer, ['200 *ok*', '503 Service Unavailable'], "round $round: " . json_encode($counts) . "\n" . $web->logs());
                }
                $pending = array_values(array_intersect_key($pending, array_filter($answers, fn ($a) => $a !== '200 *ok*')));
            }
            $elapsed = microtime(true) - $t0;
            self::assertCount(0, $pending, 'deliveries still refused after 6 rounds: ' . json_encode($rounds) . "\n" . $web->logs());

            // Exactly one credit per paid order; nothing for the others; nothing cancelled.
            $unpaidStatuses = [];
            foreach ($paid as $invoiceId => $isPaid) {
                $tx = self::site()->transactions($invoiceId);
                self::assertCount($isPaid ? 1 : 0, $tx, "invoice $invoiceId");
                if ($isPaid) {
                    self::assertSame('Paid', $this->invoiceStatus($invoiceId), "invoice $invoiceId");
                } else {
                    // Open for another payment, whatever the delivery order of PENDING and EXPIRED.
                    self::assertSame('Unpaid', $this->invoiceStatus($invoiceId), "invoice $invoiceId");
                    $unpaidStatuses[] = $this->invoiceStatus($invoiceId);
                }
            }
            self::assertSame([], self::site()->query("SELECT id FROM tblinvoices WHERE status = 'Cancelled' AND id >= 100"));
            self::assertCount(self::PAID, self::site()->hooks('InvoicePaid'));
            self::assertSame('0.00', (string) self::site()->query('SELECT credit FROM tblclients WHERE id = 1')[0]['credit']);
            // No transaction, lock wait or query left behind.
            self::assertSame([], self::site()->query('SELECT * FROM information_schema.INNODB_TRX'));
            $stuck = self::site()->query('SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND <> ? AND ID <> CONNECTION_ID()',
                [self::site()->databaseName(), 'Sleep']);
            self::assertSame([], $stuck);
            $retried = array_sum(array_map(fn ($c) => $c['503 Service Unavailable'] ?? 0, $rounds));
            HardeningFigures::record('callback-storm', sprintf(
                '200 concurrent deliveries (20 orders, 15 paid) via nginx + PHP-FPM(16): %d round(s), %d answered 503 and were redelivered, %.1f s; credits: %d for 15 paid orders, 0 for 5 unpaid (left %s); cancelled: 0; open transactions after: 0',
                count($rounds), $retried, $elapsed, count(self::site()->query("SELECT id FROM tblaccounts WHERE invoiceid >= 100")),
                json_encode(array_count_values($unpaidStatuses))));
        } finally {
            $web->stop();
        }
    }
}
