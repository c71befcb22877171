<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** tblpaymentgateways: activation, Save semantics, _config_validate, the admin page. */
final class GatewaySettingsTest extends StandInTestCase
{
    /** @return array<string, string> setting => raw stored value */
    private function storedRows(string $gateway): array
    {
        $rows = $this->site()->query('SELECT setting, value FROM tblpaymentgateways WHERE gateway = ? ORDER BY id', [$gateway]);
        return array_column($rows, 'value', 'setting');
    }

    public function test_activation_writes_name_type_visible_only(): void
    {
        $this->site()->activateGateway('standinlegacy');

        $this->assertSame(['name' => 'Stand-in Legacy', 'type' => 'Invoices', 'visible' => 'on'], $this->storedRows('standinlegacy'));
        $this->assertSame('Stand-in Dummy', $this->storedRows('standindummy')['name'], 'FriendlyName wins over MetaData DisplayName');
        $this->assertArrayNotHasKey('accountId', $this->storedRows('standindummy'), 'Default is not persisted before Save');
    }

    public function test_first_save_persists_form_defaults_and_yesno_as_on_or_empty(): void
    {
        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'secret']));
        $stored = $this->storedRows('standindummy');
        $this->assertSame('acct-default', $stored['accountId']);
        $this->assertSame('on', $stored['testMode']);
        $this->assertSame('sandbox', $stored['mode']);
        $this->assertSame('', $stored['convertto']);
        $this->assertArrayNotHasKey('callbackInfo', $stored, 'description-only fields store nothing');

        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['testMode' => false]));
        $this->assertSame('', $this->storedRows('standindummy')['testMode']);
        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['testMode' => '1']));
        $this->assertSame('on', $this->storedRows('standindummy')['testMode']);
    }

    public function test_password_fields_are_stored_encrypted_and_read_back_decrypted(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'sk_live_123']);

        $this->assertNotSame('sk_live_123', $this->storedRows('standindummy')['apiKey']);
        $this->assertStringNotContainsString('sk_live_123', $this->storedRows('standindummy')['apiKey']);
        $this->assertSame('sk_live_123', $this->site()->gatewaySettings('standindummy')['apiKey']);
    }

    /** The fields the admin's browser would post from a gateway's settings form, unchanged. */
    private function settingsForm(string $page, string $gateway): array
    {
        $start = strpos($page, '<form method="post" action="configgateways.php" id="form-' . $gateway . '"');
        $this->assertNotFalse($start, 'settings form of ' . $gateway);
        $form = \Testbed\WhmcsSite::firstForm(substr($page, $start, strpos($page, '</form>', $start) - $start + 7));
        return $form['fields'];
    }

    public function test_saving_without_retyping_a_secret_keeps_it_and_validate_sees_it_by_default(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'sk_live_123']);
        $admin = $this->site()->adminLogin();
        $form = $this->settingsForm($this->site()->get('admin/configgateways.php', $admin)['body'], 'standindummy');
        $this->assertSame('***********', $form['field[apiKey]'], 'the page shows the mask');

        $saved = $this->site()->post('admin/configgateways.php', $form, $admin);

        $this->assertStringContainsString('id="config-saved"', $saved['body']);
        $this->assertSame('sk_live_123', $this->site()->gatewaySettings('standindummy')['apiKey'], 'mask not stored');
        $validated = $this->recorded('config_validate');
        $this->assertSame('sk_live_123', end($validated)['apiKey']);
    }

    public function test_knob_masked_gives_validate_the_mask_but_still_keeps_the_secret(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'sk_live_123']);
        $this->site()->setConfig('StandInValidateUntouchedSecret', 'masked');

        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['accountId' => 'other']));

        $validated = $this->recorded('config_validate');
        $this->assertSame('***********', end($validated)['apiKey']);
        $this->assertSame('sk_live_123', $this->site()->gatewaySettings('standindummy')['apiKey']);
        $this->assertSame('other', $this->site()->gatewaySettings('standindummy')['accountId']);
    }

    public function test_a_retyped_secret_replaces_the_stored_one(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'sk_live_123']);
        $this->site()->setConfig('StandInValidateUntouchedSecret', 'masked');

        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'sk_live_456']);

        $validated = $this->recorded('config_validate');
        $this->assertSame('sk_live_456', end($validated)['apiKey']);
        $this->assertSame('sk_live_456', $this->site()->gatewaySettings('standindummy')['apiKey']);
    }

    public function test_validate_exception_rejects_the_whole_save_with_its_message(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['accountId' => 'good', 'mode' => 'live']);

        $errors = $this->site()->saveGatewaySettings('standindummy', ['accountId' => 'bad', 'mode' => 'sandbox']);

        $this->assertSame(['Account ID "bad" is not valid'], $errors);
        $this->assertSame('good', $this->storedRows('standindummy')['accountId']);
        $this->assertSame('live', $this->storedRows('standindummy')['mode']);
        $seen = $this->recorded('config_validate');
        $this->assertSame('bad', end($seen)['accountId'], 'validate sees the submitted values');
        $this->assertSame('sandbox', end($seen)['mode']);
    }

    public function test_convertto_is_stored_and_unknown_currency_is_refused(): void
    {
        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['convertto' => '3']));
        $this->assertSame('3', $this->storedRows('standindummy')['convertto']);
        $this->assertNotSame([], $this->site()->saveGatewaySettings('standindummy', ['convertto' => '99']));
    }

    public function test_saving_an_inactive_gateway_is_an_error(): void
    {
        $this->assertNotSame([], $this->site()->saveGatewaySettings('standinlegacy', ['secret' => 'x']));
        $this->assertSame([], $this->storedRows('standinlegacy'));
    }

    public function test_deactivation_removes_every_row(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'x']);
        $this->site()->deactivateGateway('standindummy');
        $this->assertSame([], $this->storedRows('standindummy'));
    }

    public function test_admin_page_requires_login(): void
    {
        $response = $this->site()->get('admin/configgateways.php');
        $this->assertStatus(302, $response);
        $this->assertStringEndsWith('admin/login.php', (string) $response['location']);

        $failed = $this->site()->post('admin/login.php', ['username' => 'admin', 'password' => 'wrong']);
        $this->assertStatus(200, $failed);
        $this->assertStringContainsString('id="login-error"', $failed['body']);
        $this->assertStatus(302, $this->site()->get('admin/configgateways.php', $failed['cookies']));
        $this->assertStatus(200, $this->site()->get('admin/configgateways.php', $this->site()->adminLogin()));
    }

    public function test_admin_page_renders_every_field_type_with_form_values(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'p"w', 'notes' => "a\n<b>"]);
        $body = $this->site()->get('admin/configgateways.php', $this->site()->adminLogin())['body'];

        $this->assertStringContainsString('<tr data-field="accountId" data-type="text">', $body);
        $this->assertStringContainsString('name="field[accountId]" size="20" value="acct-default"', $body);
        $this->assertStringContainsString('<input type="password" name="field[apiKey]" size="40" value="***">', $body, 'masked, one * per character');
        $this->assertStringNotContainsString('p&quot;w', $body);
        $this->assertMatchesRegularExpression('/<input type="checkbox" name="field\[testMode\]" value="on" checked>/', $body);
        $this->assertStringContainsString('<option value="sandbox" selected>Sandbox</option>', $body);
        $this->assertMatchesRegularExpression('/<input type="radio" name="field\[style\]" value="light" checked>/', $body);
        $this->assertStringContainsString('<textarea name="field[notes]" rows="3" cols="40">a' . "\n" . '&lt;b&gt;</textarea>', $body);
        $this->assertStringContainsString('<code id="dummy-callback-info">', $body, 'description-only type shows its Description');
        $this->assertStringNotContainsString('name="field[callbackInfo]"', $body);
        $this->assertStringContainsString('name="convertto"', $body);
        $this->assertMatchesRegularExpression('/data-gateway="standinlegacy".*Activate/s', $body);
    }

    public function test_admin_page_save_runs_validation_and_shows_the_message(): void
    {
        $admin = $this->site()->adminLogin();
        $form = ['action' => 'save', 'gateway' => 'standindummy', 'name' => 'Dummy & Co', 'convertto' => '',
            'field' => ['apiKey' => 'k&y', 'accountId' => 'bad', 'mode' => 'live', 'style' => 'dark', 'notes' => '']];

        $rejected = $this->site()->post('admin/configgateways.php', $form, $admin);
        $this->assertStatus(200, $rejected);
        $this->assertMatchesRegularExpression('/id="config-error"[^>]*>Account ID &quot;bad&quot; is not valid</', $rejected['body']);
        $this->assertArrayNotHasKey('apiKey', $this->site()->gatewaySettings('standindummy'));

        $form['field']['accountId'] = 'fine';
        $saved = $this->site()->post('admin/configgateways.php', $form, $admin);
        $this->assertStringContainsString('id="config-saved"', $saved['body']);
        $settings = $this->site()->gatewaySettings('standindummy');
        $this->assertSame('k&y', $settings['apiKey'], 'entity-encoded POST is stored decoded');
        $this->assertSame('Dummy & Co', $settings['name']);
        $this->assertSame('', $settings['testMode'], 'unticked checkbox is stored empty');
        $this->assertSame('dark', $settings['style']);
    }

    public function test_admin_page_activates_a_gateway(): void
    {
        $response = $this->site()->post('admin/configgateways.php', ['action' => 'activate', 'gateway' => 'standinlegacy'], $this->site()->adminLogin());
        $this->assertStringContainsString('id="config-activated"', $response['body']);
        $this->assertSame('Invoices', $this->storedRows('standinlegacy')['type']);
    }
}
