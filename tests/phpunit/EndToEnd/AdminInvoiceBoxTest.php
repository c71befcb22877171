<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * The SpectroCoin box on the admin invoice page (spectrocoin_adminstatusmsg) over HTTP, in each
 * state an order can be in (issue 17): plain words instead of status constants, a Received column,
 * the transaction id and amount to apply a paid-but-unapplied order by hand, the stored reason of a
 * failed creation, the review count in the title, times in UTC. Also the gateway log's wording.
 */
final class AdminInvoiceBoxTest extends EndToEndTestCase
{
    /** Status constants as the core and the database spell them: never in what the admin reads. */
    private const RAW_STATUS = '/\b(?:CREATED|NEW|PENDING|PAID|EXPIRED|FAILED|TEST|UNKNOWN|REFUNDED|[A-Z]+_[A-Z_]+)\b/';

    /**
     * The box as rendered: type, title, the text, the raw HTML, and the table's rows by order id
     * (column header => cell text).
     *
     * @return array{type: string, title: string, text: string, html: string, rows: array<string, array<string, string>>}
     */
    private function box(int $invoiceId): array
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=' . $invoiceId, self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertMatchesRegularExpression('#id="gateway-status-msg" data-type="([a-z]+)"><strong>(.*?)</strong><br>(.*?)</div>#s', $page['body'],
            'no SpectroCoin box on invoice ' . $invoiceId);
        preg_match('#id="gateway-status-msg" data-type="([a-z]+)"><strong>(.*?)</strong><br>(.*?)</div>#s', $page['body'], $m);
        $decode = static fn (string $html): string => trim(preg_replace('/\s+/u', ' ', html_entity_decode(strip_tags(
            str_replace(['<br>', '</td>', '</th>', '</tr>'], [' ', ' | ', ' | ', "\n"], $html)), ENT_QUOTES | ENT_HTML5)));
        $rows = [];
        if (preg_match('#<table[^>]*id="spectrocoin-orders"[^>]*>(.*?)</table>#s', $m[3], $t)) {
            preg_match_all('#<th>(.*?)</th>#s', $t[1], $heads);
            preg_match_all('#<tr data-order="([^"]+)">(.*?)</tr>#s', $t[1], $trs, PREG_SET_ORDER);
            foreach ($trs as $tr) {
                preg_match_all('#<td[^>]*>(.*?)</td>#s', $tr[2], $cells);
                $rows[html_entity_decode($tr[1], ENT_QUOTES | ENT_HTML5)] = array_combine($heads[1], array_map($decode, $cells[1]));
            }
        }
        $box = ['type' => $m[1], 'title' => $decode($m[2]), 'text' => $decode($m[3]), 'html' => $m[3], 'rows' => $rows];
        self::assertDoesNotMatchRegularExpression(self::RAW_STATUS, $box['title'] . ' ' . $box['text'], 'a status constant in the box');
        self::assertStringNotContainsString('? BTC', $box['text']);
        self::assertStringNotContainsString('(not created)', $box['text']);
        return $box;
    }

    /** Every gateway-log line of the run: no key without a value ("key => " and nothing). */
    private function assertNoEmptyLogKeys(): void
    {
        foreach ($this->gatewayLog() as $row) {
            self::assertDoesNotMatchRegularExpression('/^[A-Za-z]+ => $/m', (string) $row['data'], 'empty key in: ' . $row['data']);
        }
    }

    public function testAPaidOrderShowsWhatWasCreditedWithItsTransactionIdAndTimesInUtc(): void
    {
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));

        $box = $this->box(1);
        self::assertSame('info', $box['type']);
        self::assertSame('SpectroCoin: 1 order, nothing to review', $box['title']);
        $row = $box['rows'][$order['order_id']];
        self::assertSame('paid and credited', $row['Status']);
        self::assertSame('100.00 EUR credited, transaction SC' . $order['order_request_id'], $row['Received']);
        self::assertSame('100.00 EUR', $row['Amount']);
        self::assertSame($order['pay_amount'] . ' BTC', $row['To pay']);
        self::assertSame((string) $order['order_request_id'], $row['SpectroCoin id']);
        self::assertSame($this->order($order['order_id'])['created_at'] . ' UTC', $row['Created']);
        self::assertSame('74 (legacy)', $row['Project (API)']);
        // Stored in UTC whatever PHP's timezone: the row's time is the server's UTC clock (minute precision is enough).
        self::assertEqualsWithDelta(time(), strtotime($row['Created']), 300);
        $this->assertNoEmptyLogKeys();
    }

    public function testAPaymentHeldBecauseTheInvoiceWasCancelledShowsTheTransactionIdAndAmountToApply(): void
    {
        $order = $this->startPayment(1);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame([], self::site()->transactions(1));
        $transId = 'SC' . $order['order_request_id'];

        $box = $this->box(1);
        self::assertSame('error', $box['type']);
        self::assertSame('SpectroCoin: 1 order needs review', $box['title']);
        self::assertStringContainsString('Needs review – order ' . $order['order_id'] . ': Paid at SpectroCoin, but NOT applied: the invoice was '
            . 'Cancelled when the payment came; apply payment ' . $transId . ' by hand or refund it in SpectroCoin', $box['text']);
        // Ready for WHMCS's Add Payment form: the id and the amount each on their own, to copy.
        self::assertStringContainsString('<code class="spectrocoin-copy spectrocoin-transid" style="user-select:all">' . $transId . '</code>', $box['html']);
        self::assertStringContainsString('<code class="spectrocoin-copy spectrocoin-amount" style="user-select:all">100.00</code> EUR', $box['html']);
        self::assertStringContainsString('Add Payment on this invoice with Payment Method SpectroCoin, Transaction ID ' . $transId, $box['text']);
        $row = $box['rows'][$order['order_id']];
        self::assertSame('paid at SpectroCoin, not credited in WHMCS', $row['Status']);
        self::assertSame('100.00 EUR paid at SpectroCoin; nothing credited in WHMCS', $row['Received']);

        // The admin applies it by hand with that id: the box says it is done, and counts nothing.
        self::site()->query("UPDATE tblinvoices SET status = 'Unpaid' WHERE id = 1");
        self::site()->query("INSERT INTO tblaccounts (userid, currency, gateway, date, description, amountin, fees, amountout, rate, transid, invoiceid)"
            . " VALUES (1, 0, 'spectrocoin', NOW(), 'Invoice Payment', 100.00, 0, 0, 1, ?, 1)", [$transId]);
        $box = $this->box(1);
        self::assertSame('info', $box['type']);
        self::assertSame('SpectroCoin: 1 order, nothing to review', $box['title']);
        self::assertStringContainsString('payment ' . $transId . ' is recorded in WHMCS (applied by hand); nothing left to do', $box['text']);
        self::assertStringNotContainsString('Add Payment', $box['text']);
    }

    public function testAPaidOrderOfEarlierSettingsShowsTheTransactionIdItsCallbackRecorded(): void
    {
        $order = $this->startPayment(1);
        // As CallbackHandler::earlierSettings records it: PAID, not credited, the core's transaction id, a reason.
        self::site()->query("UPDATE mod_spectrocoin_orders SET status = 'PAID', transid = ?, review_reason = ? WHERE id = ?", [
            'SC' . $order['order_request_id'],
            'SpectroCoin reports this order PAID in project 74 (merchant 25), which is no longer configured (now project 75, merchant 25), '
            . 'so it was not credited.', $order['id']]);
        $box = $this->box(1);
        self::assertSame('SpectroCoin: 1 order needs review', $box['title']);
        self::assertStringContainsString('SpectroCoin reports this order "paid" in project 74 (merchant 25), which is no longer configured', $box['text']);
        self::assertStringContainsString('Transaction ID SC' . $order['order_request_id'] . ' and Amount 100.00 EUR', $box['text']);
    }

    public function testAPartPaymentSaysWhatSpectroCoinReportedReceivedAndCountsForReview(): void
    {
        $order = $this->startPayment(2);
        self::assertAnswered(200, '*ok*', self::sim()->payPart((int) $order['order_request_id'], '0.0005')['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(2));
        $payAmount = $this->order($order['order_id'])['pay_amount'];

        $box = $this->box(2);
        self::assertSame('error', $box['type']);
        self::assertSame('SpectroCoin: 1 order needs review', $box['title']);
        $row = $box['rows'][$order['order_id']];
        self::assertSame('partly paid: SpectroCoin reports 0.0005 received of ' . $payAmount . ' BTC to pay', $row['Status']);
        self::assertSame("0.0005 as SpectroCoin's callback reports it (receivedAmount); nothing credited", $row['Received']);
        self::assertStringContainsString('Needs review – order ' . $order['order_id'] . ': Partly paid: SpectroCoin reports 0.0005 received of '
            . $payAmount . ' BTC to pay: nothing was credited; settle it in SpectroCoin', $box['text']);
        self::assertStringNotContainsString('Add Payment', $box['text'], 'a part payment is not one to apply');
    }

    public function testAWaitingAndAConfirmingOrderReadInWords(): void
    {
        $order = $this->startPayment(1);
        $box = $this->box(1);
        self::assertSame('waiting for payment (no news from SpectroCoin yet)', $box['rows'][$order['order_id']]['Status']);
        self::assertSame('nothing', $box['rows'][$order['order_id']]['Received']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 2)['attempts']);
        self::assertSame('payment being confirmed', $this->box(1)['rows'][$order['order_id']]['Status']);
    }

    public function testAnHttp503AtCreationIsStoredAndLoggedAsAnAnswerNotAsUnreachable(): void
    {
        self::sim()->fault('createOrder', 'http503');
        $response = $this->pressPayNow(1);
        self::assertSame(502, $response['status']);
        $orderId = $this->orderIdOf(1, 1);

        $log = $this->lastLog();
        self::assertSame('Order Failed', $log['result']);
        self::assertStringContainsString("httpStatus => 503\n", $log['data']);
        self::assertStringContainsString('HTTP 503', $log['data']);
        self::assertStringNotContainsString('could not be reached', $log['data']);
        $this->assertNoEmptyLogKeys();

        $box = $this->box(1);
        $row = $box['rows'][$orderId];
        self::assertStringStartsWith('not created: ', $row['Status']);
        self::assertStringContainsString('HTTP 503', $row['Status']);
        self::assertStringContainsString('busy or down for now, temporary', $row['Status']);
        self::assertSame('–', $row['To pay']);
        self::assertSame('nothing', $row['Received']);
        self::assertSame('–', $row['SpectroCoin id']);
        self::assertSame('SpectroCoin: 1 order, nothing to review', $box['title']);
    }

    public function testNoAnswerAtCreationSaysTheOrderMayExist(): void
    {
        self::sim()->fault('createOrder', 'delay', 1, (self::SITE_TIMEOUT + 3) * 1000);
        self::assertSame(502, $this->pressPayNow(1)['status']);
        $log = $this->lastLog();
        self::assertSame('Order Unconfirmed (No Answer)', $log['result']);
        self::assertStringContainsString('did not answer within ' . self::SITE_TIMEOUT . ' s', $log['data']);
        self::assertStringContainsString('the order may exist at SpectroCoin', $log['data']);

        $row = $this->box(1)['rows'][$this->orderIdOf(1, 1)];
        self::assertMatchesRegularExpression('/^perhaps created: SpectroCoin \([^)]+\) did not answer within ' . self::SITE_TIMEOUT . ' s/', $row['Status']);
        self::assertStringContainsString('the order may exist at SpectroCoin', $row['Status']);
    }

    public function testARefusalAtCreationKeepsSpectroCoinsWords(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => '75']));
        self::assertSame(502, $this->pressPayNow(1)['status']);
        self::assertSame('Order Refused', $this->lastLog()['result']);
        $row = $this->box(1)['rows'][$this->orderIdOf(1, 1)];
        self::assertStringStartsWith('not created: SpectroCoin refused the request: [6]', $row['Status']);
        self::assertSame('75 (legacy)', $row['Project (API)']);
    }

    public function testAnInvoiceWithoutOrdersHasNoBox(): void
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=7', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertStringNotContainsString('gateway-status-msg', $page['body']);
    }
}
