<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use PHPUnit\Framework\TestCase;
use Testbed\Sandbox;
use Testbed\Simulator;
use Testbed\WhmcsSite;

/**
 * `make sandbox` as a person uses it (on free ports here, so it runs beside anything): the
 * gateway switched to API client credentials completes a payment through the simulator, so no
 * SpectroCoin endpoint still points at spectrocoin.com.
 */
final class SandboxTest extends TestCase
{
    public function testACurrentApiPaymentCompletesThroughTheSandbox(): void
    {
        $extension = EndToEndTestCase::requireExtension();
        $sandbox = new Sandbox(sitePort: null, simulatorPort: null, extension: $extension, stopDatabase: false);
        try {
            $sandbox->start();
            $site = $sandbox->site();
            $sim = $sandbox->simulator();
            self::assertNotNull($sim);
            $summary = $sandbox->summary();
            self::assertStringContainsString($sim->publicApiUrl(), $summary);
            self::assertStringNotContainsString('NOTE:', $summary, $summary);

            // What the person does: the admin enters the simulator's API client, the project
            // sends JSON callbacks, the customer presses Pay Now and pays on the checkout page.
            self::assertSame([], $site->saveGatewaySettings(Sandbox::GATEWAY, [
                'merchantId' => '',
                'projectId' => Simulator::DEFAULT_PROJECT_ID,
                'privateKey' => '',
                'clientId' => Simulator::DEFAULT_CLIENT_ID,
                'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
            ]), 'the settings check fetched a token from the simulator');
            $sim->setCallbackFormat('json');
            $cookies = $site->clientLogin(1);
            $page = $site->get('viewinvoice.php?id=1', $cookies);
            $form = WhmcsSite::firstForm($page['body']);
            self::assertNotNull($form, $page['body']);
            $response = $site->post($form['action'], $form['fields'], $cookies);
            self::assertSame(303, $response['status'], $response['body'] . "\n" . $site->logTail(1500));
            self::assertStringStartsWith($sim->url() . '/checkout/pre/', (string) $response['location']);

            $checkout = $site->get('viewinvoice.php?id=1', $cookies); // the invoice is still open
            self::assertSame(200, $checkout['status']);
            $paid = $sim->pay(basename((string) $response['location']));

            self::assertSame(['*ok*', '*ok*'], array_column($paid['attempts'], 'responseExcerpt'));
            self::assertSame('Paid', $site->invoice(1)['status']);
            self::assertCount(1, $site->transactions(1));
            self::assertGreaterThanOrEqual(2, count($sim->tokenRequests()), 'token at save and at Pay Now/callback');
        } finally {
            $sandbox->stop();
        }
    }
}
