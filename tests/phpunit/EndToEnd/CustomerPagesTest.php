<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\WhmcsSite;

/**
 * What the customer sees of us (issue 17): every Pay Now answer in the shop's client area with a
 * link back to the invoice, the reference to quote and plain words; the line under Pay Now; the
 * customer's language with English as the fallback.
 */
final class CustomerPagesTest extends EndToEndTestCase
{
    public function testOpeningThePayNowAddressByHandExplainsWhereItIsOpenedFrom(): void
    {
        $response = self::site()->get('modules/gateways/spectrocoin/paynow.php?invoiceid=1', self::site()->clientLogin(1));
        $text = self::assertCustomerPage($response, 405, 1);
        self::assertSame('POST', $response['headers']['allow'] ?? null);
        self::assertStringContainsString('This page is opened from your invoice', $text);

        // Without an invoice named the link goes to the invoice list.
        $text = self::assertCustomerPage(self::site()->get('modules/gateways/spectrocoin/paynow.php'), 405, null);
        self::assertStringContainsString('Your invoices', $text);
    }

    public function testAForgedOrExpiredLinkIsExplained(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        $response = self::site()->post($form['action'], ['spectrocoin_token' => '1.' . str_repeat('0', 64)] + $form['fields'], $cookies);
        $text = self::assertCustomerPage($response, 403, 1);
        self::assertStringContainsString('not valid or has expired', $text);
    }

    public function testSomeoneElsesInvoiceAndAForeignSiteAreExplained(): void
    {
        $alice = self::site()->clientLogin(1);
        $carolForm = $this->payNowForm(9, self::site()->clientLogin(3));
        $text = self::assertCustomerPage(self::site()->post($carolForm['action'], $carolForm['fields'], $alice), 403, 9);
        self::assertStringContainsString('belongs to another account', $text);

        $form = $this->payNowForm(1, $alice);
        $response = self::site()->post($form['action'], $form['fields'], $alice, ['Sec-Fetch-Site' => 'cross-site']);
        self::assertStringContainsString('open your invoice again', self::assertCustomerPage($response, 403, 1));
        self::assertSame([], self::sim()->requests());
    }

    public function testAStalePressWhileThePaymentConfirmsSaysSoAndNamesTheOrder(): void
    {
        $cookies = self::site()->clientLogin(1);
        $stale = $this->payNowForm(1, $cookies);
        $order = $this->startPayment(1, $cookies);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 2)['attempts']);
        self::assertSame('Payment Pending', $this->invoiceStatus(1));

        // The invoice page that was left open: its Pay Now pressed again.
        $text = self::assertCustomerPage(self::site()->post($stale['action'], $stale['fields'], $cookies), 409, 1, $order['order_id']);
        self::assertStringContainsString('Your payment is being confirmed', $text);
        self::assertStringContainsString('nothing more to pay', $text);
    }

    public function testAPaidOrOtherGatewayInvoiceIsExplained(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        self::site()->query("UPDATE tblinvoices SET status = 'Paid' WHERE id = 1");
        self::assertStringContainsString('already paid', self::assertCustomerPage(self::site()->post($form['action'], $form['fields'], $cookies), 409, 1));
        self::site()->query("UPDATE tblinvoices SET status = 'Unpaid', paymentmethod = 'banktransfer' WHERE id = 1");
        self::assertStringContainsString('not set to be paid with SpectroCoin',
            self::assertCustomerPage(self::site()->post($form['action'], $form['fields'], $cookies), 409, 1));
    }

    public function testTheInvoiceNumberIsTheOneWhmcsShows(): void
    {
        self::site()->query("UPDATE tblinvoices SET invoicenum = 'INV-7001' WHERE id = 1");
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        $body = self::site()->post($form['action'], $form['fields'], $cookies)['body'];
        self::assertMatchesRegularExpression('#<p id="spectrocoin-reference"[^>]*>.*Invoice \#INV-7001#', $body);
        self::assertStringContainsString('was cancelled', $body);
    }

    public function testASpectroCoinRefusalNamesTheOrderToQuote(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => '75']));
        $response = $this->pressPayNow(1);
        $text = self::assertCustomerPage($response, 502, 1, $this->orderIdOf(1, 1));
        self::assertStringContainsString('SpectroCoin could not start this payment', $text);
    }

    public function testTheInvoicePageSaysTheCustomerPaysInBitcoinOnSpectroCoinsPage(): void
    {
        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertMatchesRegularExpression('#</form><p [^>]*id="spectrocoin-pay-in">You will pay in Bitcoin on SpectroCoin&apos;s payment page\.</p>#',
            $page['body']);
        self::assertStringNotContainsString('spectrocoin-received', $page['body'], 'nothing received yet');
    }

    public function testTheCustomersLanguageIsUsedOnPagesAndUnderPayNow(): void
    {
        self::site()->query("UPDATE tblclients SET language = 'german' WHERE id = 1");
        $cookies = self::site()->clientLogin(1);
        $page = self::site()->get('viewinvoice.php?id=1', $cookies);
        self::assertStringContainsString('Sie bezahlen in Bitcoin auf der Zahlungsseite von SpectroCoin.', $page['body']);

        $form = WhmcsSite::firstForm($page['body']);
        self::site()->query("UPDATE tblinvoices SET status = 'Payment Pending' WHERE id = 1");
        $body = self::site()->post($form['action'], $form['fields'], $cookies)['body'];
        self::assertStringContainsString('<h1 id="spectrocoin-title">Ihre Zahlung wird bestätigt</h1>', $body);
        self::assertStringContainsString('>Zurück zur Rechnung</a>', $body);
        self::assertStringContainsString('Rechnung Nr. 1', $body);
        self::assertStringNotContainsString('Back to the invoice', $body);
    }

    public function testAnUnknownLanguageFallsBackToEnglish(): void
    {
        self::site()->query("UPDATE tblclients SET language = 'klingon' WHERE id = 1");
        $cookies = self::site()->clientLogin(1);
        $page = self::site()->get('viewinvoice.php?id=1', $cookies);
        self::assertStringContainsString('You will pay in Bitcoin', $page['body']);
        $form = WhmcsSite::firstForm($page['body']);
        $response = self::site()->post($form['action'], ['spectrocoin_token' => '1.' . str_repeat('0', 64)] + $form['fields'], $cookies);
        self::assertStringContainsString('Back to the invoice', self::assertCustomerPage($response, 403, 1));
    }

    public function testTheShopsDefaultLanguageAppliesToAClientWithoutOne(): void
    {
        self::site()->query("UPDATE tblclients SET language = '' WHERE id = 1");
        self::site()->setConfig('Language', 'german');
        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertStringContainsString('Sie bezahlen in Bitcoin', $page['body']);
    }

    public function testTheLanguageChosenInTheSessionComesFirst(): void
    {
        self::site()->query("UPDATE tblclients SET language = 'german' WHERE id = 1");
        $cookies = self::site()->clientLogin(1);
        $page = self::site()->get('viewinvoice.php?id=1&language=english', $cookies);
        self::assertStringContainsString('You will pay in Bitcoin', $page['body']);
        $form = WhmcsSite::firstForm($page['body']);
        $response = self::site()->post($form['action'], ['spectrocoin_token' => '1.' . str_repeat('0', 64)] + $form['fields'], $cookies);
        self::assertStringContainsString('Back to the invoice', self::assertCustomerPage($response, 403, 1));
    }
}
