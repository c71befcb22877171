<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * Addon modules (developer docs "Addon Modules"): _config, _activate/_deactivate answers,
 * tbladdonmodules settings, the admin page addonmodules.php?module=NAME running _output($vars),
 * and the system cron (crons/cron.php) firing AfterCronJob in active addons' hooks.php.
 */
final class AddonModulesTest extends StandInTestCase
{
    private const ADDON = 'standindummyaddon';

    private function tableExists(string $table): bool
    {
        return $this->site()->query('SHOW TABLES LIKE ' . $this->site()->pdo()->quote($table)) !== [];
    }

    public function test_activation_runs_activate_lists_the_addon_and_stores_version_and_access_only(): void
    {
        $answer = $this->site()->activateAddon(self::ADDON);

        $this->assertSame(['status' => 'success', 'description' => 'Dummy activated'], $answer);
        $this->assertTrue($this->tableExists('mod_standindummyaddon'), '_activate ran');
        $active = $this->site()->query("SELECT value FROM tblconfiguration WHERE setting = 'ActiveAddonModules'")[0]['value'];
        $this->assertSame(['standindummyhooks', self::ADDON], explode(',', $active));
        // Default is the form's initial value, not stored until Save.
        $this->assertSame(['version' => '2.5', 'access' => '1'], $this->site()->addonSettings(self::ADDON));
    }

    public function test_activate_answering_error_keeps_the_addon_inactive(): void
    {
        $this->site()->setConfig('StandInDummyAddonRefuse', 'activate');

        $answer = $this->site()->activateAddon(self::ADDON);

        $this->assertSame('error', $answer['status']);
        $this->assertSame([], $this->site()->addonSettings(self::ADDON));
        $this->assertSame([], $this->site()->query("SELECT * FROM tbladdonmodules WHERE module = ?", [self::ADDON]));
    }

    public function test_save_stores_fields_and_deactivation_removes_settings(): void
    {
        $this->site()->activateAddon(self::ADDON);
        $this->site()->saveAddonSettings(self::ADDON, ['enabled' => true]);

        $settings = $this->site()->addonSettings(self::ADDON);
        $this->assertSame('hello', $settings['greeting'], 'an untouched field keeps the Default the form showed');
        $this->assertSame('on', $settings['enabled']);

        $this->site()->setConfig('StandInDummyAddonRefuse', 'deactivate');
        $this->assertSame('error', $this->site()->deactivateAddon(self::ADDON)['status']);
        $this->assertNotSame([], $this->site()->addonSettings(self::ADDON), 'a refused deactivation changes nothing');

        $this->site()->setConfig('StandInDummyAddonRefuse', '');
        $this->assertSame('success', $this->site()->deactivateAddon(self::ADDON)['status']);
        $this->assertFalse($this->tableExists('mod_standindummyaddon'), '_deactivate ran');
        $this->assertSame([], $this->site()->query("SELECT * FROM tbladdonmodules WHERE module = ?", [self::ADDON]));
    }

    public function test_admin_page_runs_output_with_settings_and_modulelink_for_admins_only(): void
    {
        $this->site()->activateAddon(self::ADDON);
        $this->site()->saveAddonSettings(self::ADDON, ['greeting' => 'Hi <there>']);

        $guest = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON);
        $this->assertSame(302, $guest['status'], 'guests go to the admin login');
        $client = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON, $this->site()->clientLogin(1));
        $this->assertSame(302, $client['status'], 'a client is not an admin');

        $admin = $this->site()->adminLogin();
        $page = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON, $admin);
        $this->assertStatus(200, $page);
        $this->assertMatchesRegularExpression('#<pre id="dummy-vars">(.*?)</pre>#s', $page['body']);
        preg_match('#<pre id="dummy-vars">(.*?)</pre>#s', $page['body'], $m);
        $vars = json_decode(html_entity_decode($m[1], ENT_QUOTES), true);
        $this->assertSame('addonmodules.php?module=' . self::ADDON, $vars['modulelink']);
        $this->assertSame('2.5', $vars['version']);
        $this->assertSame('Hi <there>', $vars['greeting']);
        $this->assertArrayNotHasKey('access', $vars);
        $this->assertStringContainsString('<p id="dummy-admin">1</p>', $page['body'], '$_SESSION[adminid] is the admin');
        $this->assertStringContainsString('<p id="dummy-lib">autoloaded</p>', $page['body'], 'lib/ autoloaded as WHMCS\\Module\\Addon\\NAME\\');

        $this->site()->saveAddonSettings(self::ADDON, ['access' => '7']);
        $denied = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON, $admin);
        $this->assertSame(403, $denied['status'], 'a role outside access is refused');
        $this->assertStringNotContainsString('dummy-vars', $denied['body']);
    }

    public function test_admin_page_of_an_inactive_addon_is_refused(): void
    {
        $page = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON, $this->site()->adminLogin());

        $this->assertSame(404, $page['status']);
        $this->assertStringNotContainsString('dummy-vars', $page['body']);
    }

    public function test_configaddonmods_activates_through_the_admin_form(): void
    {
        $admin = $this->site()->adminLogin();
        $list = $this->site()->get('admin/configaddonmods.php', $admin);
        $this->assertStringContainsString('data-module="' . self::ADDON . '"', $list['body']);

        $done = $this->site()->post('admin/configaddonmods.php', ['action' => 'activate', 'module' => self::ADDON], $admin);

        $this->assertStatus(200, $done);
        $this->assertStringContainsString('id="addon-activate-success"', $done['body']);
        $this->assertSame('2.5', $this->site()->addonSettings(self::ADDON)['version']);
    }

    public function test_cron_fires_after_cron_job_in_active_addons_only(): void
    {
        $run = $this->site()->runCron();
        $this->assertSame(0, $run['exit'], $run['stderr']);
        $this->assertSame([], $this->recorded('addon:AfterCronJob'), 'inactive addon: its hooks.php is not loaded');
        $this->assertContains('AfterCronJob', $this->hookNames());

        $this->site()->activateAddon(self::ADDON);
        $run = $this->site()->runCron();

        $this->assertSame(0, $run['exit'], $run['stderr']);
        $this->assertCount(1, $this->recorded('addon:AfterCronJob'));
    }

    public function test_cron_refuses_a_web_request(): void
    {
        $this->site()->activateAddon(self::ADDON);

        $response = $this->site()->get('crons/cron.php');

        $this->assertSame(403, $response['status']);
        $this->assertSame([], $this->recorded('addon:AfterCronJob'));
    }

    public function test_generate_token_is_one_random_token_per_session(): void
    {
        $this->site()->activateAddon(self::ADDON);
        $token = function (array $cookies): array {
            $page = $this->site()->get('admin/addonmodules.php?module=' . self::ADDON, $cookies);
            $this->assertSame(1, preg_match('#<p id="dummy-token">([^<]*)</p>#', $page['body'], $m), $page['body']);
            return explode('|', html_entity_decode($m[1]));
        };
        $first = $this->site()->adminLogin();
        [$plain, $link, $form] = $token($first);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{40}$/', $plain);
        $this->assertSame('&token=' . $plain, $link);
        $this->assertSame('<input type="hidden" name="token" value="' . $plain . '" />', $form);
        $this->assertSame($plain, $token($first)[0], 'the same session keeps its token');
        $this->assertNotSame($plain, $token($this->site()->adminLogin())[0], 'another session has another');
    }

    public function test_admin_home_shows_the_widgets_of_admin_home_widgets_hooks_by_weight(): void
    {
        $admin = $this->site()->adminLogin();
        $this->assertStringNotContainsString('dummy-widget', $this->site()->get('admin/index.php', $admin)['body'], 'inactive addon: no hooks');

        $this->site()->activateAddon(self::ADDON);
        $home = $this->site()->get('admin/index.php', $admin)['body'];

        $count = (int) $this->site()->query('SELECT COUNT(*) AS n FROM tblinvoices')[0]['n'];
        $this->assertStringContainsString('<div class="widget" id="widget-standindummywidget"><h3>Dummy &lt;counts&gt;</h3><p class="dummy-widget">'
            . $count . ' invoices</p></div>', $home);
        $this->assertLessThan(strpos($home, 'dummy-heavy'), strpos($home, 'dummy-widget'), 'lighter weight first');
        $this->assertStringNotContainsString('not a widget', $home);
    }
}
