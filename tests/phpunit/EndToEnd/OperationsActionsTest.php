<?php

declare(strict_types=1);

namespace Tests\EndToEnd;


/**
 * The actions of Addons → SpectroCoin Operations: "Mark reviewed" with a note (kept, shown, the item
 * leaves the list until its reason changes) and "Re-check now" (the callback's own path, exactly
 * once), both POST forms that need the admin session's CSRF token.
 */
final class OperationsActionsTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

    protected static function gatewaySettings(): array
    {
        return self::currentApiSettings();
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::sim()->setCallbackFormat('json');
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    private function setRow(string $orderId, array $values): void
    {
        $sets = implode(', ', array_map(static fn (string $c): string => "`$c` = ?", array_keys($values)));
        self::site()->pdo()->prepare("UPDATE mod_spectrocoin_orders SET $sets WHERE order_id = ?")
            ->execute([...array_values($values), $orderId]);
    }

    /** @return array<string, array<string, string>> per listed order: the hidden fields of its forms, by action */
    private function forms(string $html): array
    {
        preg_match_all('#<form method="post"[^>]*>(.*?)</form>#s', $html, $forms);
        $out = [];
        foreach ($forms[1] as $form) {
            preg_match_all('#<input type="hidden" name="([^"]+)" value="([^"]*)">#', $form, $m, PREG_SET_ORDER);
            $fields = [];
            foreach ($m as [, $name, $value]) {
                $fields[$name] = html_entity_decode($value, ENT_QUOTES | ENT_HTML5);
            }
            if (isset($fields['order'])) {
                $out[$fields['order']][$fields['action']] = $fields;
            }
        }
        return $out;
    }

    private function listedOrders(string $html): array
    {
        if (!preg_match('#<table class="table" id="spectrocoin-attention">.*?</table>#s', $html, $t)) {
            return [];
        }
        preg_match_all('#<tr data-order="([^"]*)"#', $t[0], $m);
        return array_map('html_entity_decode', $m[1]);
    }

    private function notice(string $html): string
    {
        self::assertSame(1, preg_match('#<div id="spectrocoin-notice" class="alert ([a-z-]+)">(.*?)</div>#s', $html, $m), $html);
        return $m[1] . ': ' . html_entity_decode($m[2], ENT_QUOTES | ENT_HTML5);
    }

    private function reviewItem(int $invoiceId, string $reason): string
    {
        $orderId = (string) $this->startPayment($invoiceId)['order_id'];
        $this->setRow($orderId, ['review_reason' => $reason, 'status' => 'PAID']);
        return $orderId;
    }

    public function testMarkReviewedKeepsTheNoteAndTheItemLeavesTheListUntilItsReasonChanges(): void
    {
        $admin = self::site()->adminLogin();
        $orderId = $this->reviewItem(1, 'Overpaid by 0.0001 BTC');
        $other = $this->reviewItem(2, 'Underpaid');
        $page = self::site()->get(self::PAGE, $admin);
        self::assertSame([$orderId, $other], $this->listedOrders($page['body']));
        $form = $this->forms($page['body'])[$orderId]['review'];

        $done = self::site()->post(self::PAGE, $form + ['note' => "Refunded the extra <b>0.0001</b> & told the customer"], $admin);

        self::assertSame(200, $done['status']);
        self::assertStringStartsWith('alert-success: Order ' . $orderId . ' marked reviewed', $this->notice($done['body']));
        self::assertSame([$other], $this->listedOrders($done['body']), 'the reviewed item left the list, the other stays');
        self::assertStringContainsString('Refunded the extra &lt;b&gt;0.0001&lt;/b&gt; &amp; told the customer', $done['body']);
        self::assertStringNotContainsString('<b>0.0001</b>', $done['body']);
        $kept = self::site()->query('SELECT order_id, kind, reason, note, admin_id FROM mod_spectrocoin_reviews');
        self::assertSame([['order_id' => $orderId, 'kind' => 'Needs review', 'reason' => 'Overpaid by 0.0001 BTC',
            'note' => 'Refunded the extra <b>0.0001</b> & told the customer', 'admin_id' => 1]], $kept);
        self::assertSame('Overpaid by 0.0001 BTC', self::site()->query('SELECT review_reason FROM mod_spectrocoin_orders WHERE order_id = ?', [$orderId])[0]['review_reason'], 'the order keeps its reason');

        // A new reason for the same order lists it again.
        $this->setRow($orderId, ['review_reason' => 'Paid twice']);
        self::assertSame([$orderId, $other], $this->listedOrders(self::site()->get(self::PAGE, $admin)['body']));
    }

    public function testActionsWithoutTheSessionsTokenChangeNothing(): void
    {
        $admin = self::site()->adminLogin();
        $orderId = $this->reviewItem(1, 'Underpaid');
        $form = $this->forms(self::site()->get(self::PAGE, $admin)['body'])[$orderId]['review'];
        $cases = [
            'no token' => array_diff_key($form, ['token' => 1]),
            'wrong token' => ['token' => str_repeat('0', 40)] + $form,
            // A token is the session's: one from another admin session does not act in this one.
            'another session' => ['token' => $this->forms(self::site()->get(self::PAGE, self::site()->adminLogin())['body'])[$orderId]['review']['token']] + $form,
        ];
        foreach ($cases as $case => $fields) {
            $done = self::site()->post(self::PAGE, $fields + ['note' => 'forged'], $admin);
            self::assertStringStartsWith('alert-danger: Nothing was changed: the form\'s security token', $this->notice($done['body']), $case);
            self::assertSame([$orderId], $this->listedOrders($done['body']), $case);
        }
        self::assertSame([], self::site()->query('SELECT id FROM mod_spectrocoin_reviews'));
        // Not an admin: the page itself refuses (the stand-in redirects to the admin login).
        self::assertNotSame(200, self::site()->post(self::PAGE, $form + ['note' => 'x'])['status']);
        self::assertSame([], self::site()->query('SELECT id FROM mod_spectrocoin_reviews'));
    }

    public function testAReviewNeedsANoteAndAnItemStillListed(): void
    {
        $admin = self::site()->adminLogin();
        $orderId = $this->reviewItem(1, 'Underpaid');
        $form = $this->forms(self::site()->get(self::PAGE, $admin)['body'])[$orderId]['review'];

        self::assertStringContainsString('Write a note first', $this->notice(self::site()->post(self::PAGE, $form + ['note' => '  '], $admin)['body']));
        // The reason changed after the page was shown: the review would answer something the admin did not see.
        $this->setRow($orderId, ['review_reason' => 'Paid twice']);
        self::assertStringContainsString('no longer listed', $this->notice(self::site()->post(self::PAGE, $form + ['note' => 'ok'], $admin)['body']));
        self::assertSame([], self::site()->query('SELECT id FROM mod_spectrocoin_reviews'));
    }

    public function testReCheckNowAppliesALostPaymentOnceAndThenHasNothingToDo(): void
    {
        $admin = self::site()->adminLogin();
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        self::assertSame([], self::sim()->setStatus($preOrder, 3, null, true, false)['attempts'], 'the PAID callback is lost');
        $orderId = (string) self::site()->query('SELECT order_id FROM mod_spectrocoin_orders WHERE invoice_id = 1')[0]['order_id'];
        // Its validity over, the invoice waits in Payment Pending: listed, with "Re-check now".
        $this->setRow($orderId, ['valid_until' => (int) floor(microtime(true) * 1000) - 60000]);
        $form = $this->forms(self::site()->get(self::PAGE, $admin)['body'])[$orderId]['recheck'];

        $done = self::site()->post(self::PAGE, $form, $admin);

        self::assertStringContainsString('the payment was applied to invoice #1', $this->notice($done['body']));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
        self::assertSame([], $this->listedOrders($done['body']));
        // Pressed again (a second tab): nothing applied twice.
        self::assertStringContainsString('already credited', $this->notice(self::site()->post(self::PAGE, $form, $admin)['body']));
        self::assertAnswered(200, '*ok*', self::sim()->dispatch(true));
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testTheAdminDashboardCountsWhatNeedsTheMerchant(): void
    {
        $admin = self::site()->adminLogin();
        $widget = function () use ($admin): string {
            $home = self::site()->get('admin/index.php', $admin)['body'];
            self::assertSame(1, preg_match('#<div class="widget-content-padded" id="spectrocoin-widget">(.*?)</div>#s', $home, $m), $home);
            return strip_tags($m[1]);
        };
        self::assertStringStartsWith('No SpectroCoin payment needs you.', $widget());
        $first = $this->reviewItem(1, 'Underpaid');
        $this->reviewItem(2, 'Overpaid');
        self::assertStringStartsWith('2 SpectroCoin items need you', $widget());

        $form = $this->forms(self::site()->get(self::PAGE, $admin)['body'])[$first]['review'];
        self::site()->post(self::PAGE, $form + ['note' => 'checked'], $admin);

        self::assertStringStartsWith('1 SpectroCoin item needs you', $widget());
    }
}
