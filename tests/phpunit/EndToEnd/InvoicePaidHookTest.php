<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * WHMCS's InvoicePaid hooks belong to the site, not to us: one that throws after the payment was
 * written does not undo the payment (confirmed, logged for the admin, answered *ok*, no retry), and
 * whatever a hook or an included file prints, the callback's body is exactly "*ok*".
 */
final class InvoicePaidHookTest extends EndToEndTestCase
{
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

    public function testAThrowingHookDoesNotUndoThePayment(): void
    {
        $order = $this->startPayment(1);
        self::site()->setConfig('StandInInvoicePaidHook', 'throw');
        $body = $this->paidBody($order);
        $first = $this->postCallback($body);
        self::assertSame([200, '*ok*'], [$first['status'], $first['body']], self::site()->logTail(1500));
        $log = $this->lastLog();
        self::assertSame('Successful', $log['result']);
        self::assertStringContainsString('was applied, but WHMCS failed after writing it', $log['data']);
        self::assertStringContainsString('InvoicePaid hook failed', $log['data']);
        $row = $this->order((string) $order['order_id']);
        self::assertSame([1, null, null], [(int) $row['credited'], $row['claim_state'], $row['review_reason']]);
        self::assertNotEmpty(self::site()->query("SELECT id FROM tblactivitylog WHERE description LIKE 'SpectroCoin: payment % was applied, but WHMCS failed%'"));

        // SpectroCoin has its *ok*; a duplicate anyway changes nothing.
        $again = $this->postCallback($body);
        self::assertSame([200, '*ok*'], [$again['status'], $again['body']]);
        self::assertSame('Duplicate', $this->lastLog()['result']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertCount(1, self::site()->emails('Invoice Payment Confirmation'));
    }

    public function testTheAnswerIsExactlyOkWhateverHooksAndIncludesPrint(): void
    {
        // A hook file with a BOM, a stray echo and a newline after its closing tag, as real sites have them.
        $hookFile = <<<'HOOK'
            <?php
            echo 'noisy hook file loaded';
            add_hook('AddInvoicePayment', 1, function ($vars) {
                echo "payment noise\n";
            });
            ?>

            HOOK;
        file_put_contents(self::site()->root() . '/includes/hooks/noisy.php', "\xEF\xBB\xBF" . $hookFile . "\n");
        try {
            $order = $this->startPayment(1);
            self::site()->setConfig('StandInInvoicePaidHook', 'print');
            $body = $this->paidBody($order);
            $r = $this->postCallback($body);
            self::assertSame([200, '*ok*'], [$r['status'], $r['body']], self::site()->logTail(1500));
            self::assertSame('4', $r['headers']['content-length'] ?? null);
            self::assertSame('Successful', $this->lastLog()['result']);
            self::assertSame('Paid', $this->invoiceStatus(1));
            // Refusals are exact too.
            $bad = $this->postCallback('garbage=1');
            self::assertSame([400, 'Bad Request'], [$bad['status'], $bad['body']]);
        } finally {
            unlink(self::site()->root() . '/includes/hooks/noisy.php');
        }
    }
}
