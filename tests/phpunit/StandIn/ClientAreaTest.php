<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** WHMCS\ClientArea as the "Creating Pages" docs use it: the theme around a Smarty template, the shop's name. */
final class ClientAreaTest extends StandInTestCase
{
    /** Writes a page of the documented shape into the site root and returns its path. */
    private function page(string $name, string $body, string $template = '/standin-test-page.tpl'): string
    {
        file_put_contents($this->site()->root() . $template, 'Hello {$who|escape:\'html\'}, you have {$count} invoices.');
        file_put_contents($this->site()->root() . '/' . $name, "<?php\n"
            . "define('CLIENTAREA', true);\nrequire __DIR__ . '/init.php';\n"
            . "\$ca = new WHMCS\\ClientArea();\n\$ca->setPageTitle('My <Page>');\n"
            . "\$ca->addToBreadCrumb('index.php', 'Portal Home');\n\$ca->addToBreadCrumb('$name', 'My Page');\n"
            . "\$ca->initPage();\n" . $body . "\n\$ca->setTemplate('" . $template . "');\n\$ca->output();\n");
        return $name;
    }

    public function test_a_page_renders_its_template_inside_the_theme_with_the_company_name(): void
    {
        $path = $this->page('ca-page.php', "\$ca->assign('who', 'A & B');\n\$ca->assign('count', 3);");

        $response = $this->site()->get($path);

        $this->assertStatus(200, $response);
        $this->assertStringContainsString('<title>My &lt;Page&gt; - Stand-in Hosting &amp; Co</title>', $response['body']);
        $this->assertStringContainsString('<strong id="company-name">Stand-in Hosting &amp; Co</strong>', $response['body']);
        $this->assertStringContainsString('Hello A &amp; B, you have 3 invoices.', $response['body']);
        $this->assertMatchesRegularExpression('#<nav id="breadcrumb"[^>]*><a href="index.php">Portal Home</a> &rsaquo; <a href="ca-page.php">My Page</a></nav>#', $response['body']);
        $this->assertStringContainsString('id="footer"', $response['body']);
    }

    public function test_the_company_name_comes_from_tblconfiguration(): void
    {
        $this->site()->setConfig('CompanyName', 'Other Shop Ltd');
        $response = $this->site()->get($this->page('ca-name.php', "\$ca->assign('who', 'x');"));

        $this->assertStringContainsString('<strong id="company-name">Other Shop Ltd</strong>', $response['body']);
    }

    public function test_the_status_code_set_by_the_page_is_kept(): void
    {
        $response = $this->site()->get($this->page('ca-status.php', "http_response_code(405);\nheader('Allow: POST');"));

        $this->assertStatus(405, $response);
        $this->assertStringContainsString('Hello , you have  invoices.', $response['body']);
    }

    public function test_require_login_sends_a_guest_to_the_login_page(): void
    {
        $path = $this->page('ca-login.php', '$ca->requireLogin();');

        $this->assertStatus(302, $this->site()->get($path));
        $this->assertStatus(200, $this->site()->get($path, $this->site()->clientLogin(1)));
    }

    public function test_a_theme_template_name_is_looked_up_in_the_active_theme(): void
    {
        mkdir($this->site()->root() . '/templates/other');
        foreach (['header' => '<p id="other-theme">{$companyname}</p>', 'footer' => '', 'greeting' => 'theme greeting'] as $f => $tpl) {
            file_put_contents($this->site()->root() . '/templates/other/' . $f . '.tpl', $tpl);
        }
        $this->site()->setConfig('Template', 'other');
        file_put_contents($this->site()->root() . '/ca-theme.php', "<?php\nrequire __DIR__ . '/init.php';\n"
            . "\$ca = new WHMCS\\ClientArea();\n\$ca->initPage();\n\$ca->setTemplate('greeting');\n\$ca->output();\n");

        $response = $this->site()->get('ca-theme.php');

        $this->assertStatus(200, $response);
        $this->assertStringContainsString('<p id="other-theme">Stand-in Hosting & Co</p>theme greeting', $response['body']);
    }

    public function test_the_language_switch_is_kept_for_the_session(): void
    {
        $path = $this->page('ca-lang.php', '');
        $cookies = $this->site()->clientLogin(1);
        $this->assertStringContainsString('<html lang="en">', $this->site()->get($path, $cookies)['body']);
        $this->site()->get('clientarea.php?language=german', $cookies);
        $this->assertStringContainsString('<html lang="de">', $this->site()->get($path, $cookies)['body']);
    }
}
