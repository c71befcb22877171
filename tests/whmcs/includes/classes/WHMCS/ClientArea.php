<?php

namespace WHMCS;

use StandIn\Auth;
use StandIn\Config;
use StandIn\Page;

/**
 * The client area page builder WHMCS documents for a stand-alone page ("Creating Pages":
 * setPageTitle, addToBreadCrumb, initPage, requireLogin, assign, setTemplate, output). The page
 * is the active theme's header, the template rendered by Smarty (Debian's smarty4, as WHMCS
 * renders client area templates with Smarty), and the theme's footer.
 *
 * Templates: a name is looked up in the active theme, templates/<Template>/<name>.tpl (tblconfiguration
 * `Template`, default `standin`); a name starting with "/" is a file below the WHMCS root, the form
 * public gateway modules use for a template shipped in their own folder (the docs say nothing about it).
 */
final class ClientArea
{
    /** @var string */
    private $pageTitle = '';
    /** @var array<int, array{0: string, 1: string}> */
    private $breadcrumb = [];
    /** @var array<string, mixed> */
    private $vars = [];
    /** @var string */
    private $template = '';
    /** @var bool */
    private $initialised = false;

    public function setPageTitle($title): void
    {
        $this->pageTitle = (string) $title;
    }

    public function addToBreadCrumb($link, $label): void
    {
        $this->breadcrumb[] = [(string) $link, (string) $label];
    }

    public function initPage(): void
    {
        $this->initialised = true;
    }

    public function isLoggedIn(): bool
    {
        return Auth::clientId() > 0;
    }

    /** Guests go to the login page (and come back here), as WHMCS does. */
    public function requireLogin(): void
    {
        if (!$this->isLoggedIn()) {
            $here = ltrim((string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? ''), PHP_URL_PATH), '/');
            Page::redirect(Config::systemUrl() . 'login.php?goto=' . rawurlencode($here));
            exit;
        }
    }

    public function assign($name, $value): void
    {
        $this->vars[(string) $name] = $value;
    }

    public function setTemplate($name): void
    {
        $this->template = (string) $name;
    }

    /** Prints the page. Without initPage() or a template WHMCS has nothing to show: an error. */
    public function output(): void
    {
        if (!$this->initialised) {
            throw new \LogicException('WHMCS\\ClientArea::output() before initPage()');
        }
        $file = $this->templateFile();
        if (!is_file($file)) {
            throw new \RuntimeException('template not found: ' . $this->template);
        }
        $theme = dirname(self::themeFile('header'));
        $smarty = self::smarty();
        $standard = [
            'companyname' => Config::companyName(),
            'systemurl' => Config::systemUrl(),
            'pagetitle' => $this->pageTitle,
            'breadcrumb' => array_map(fn ($b) => ['link' => $b[0], 'label' => $b[1]], $this->breadcrumb),
            'loggedin' => $this->isLoggedIn(),
            'template' => basename($theme),
            'language' => (string) ($_SESSION['Language'] ?? Config::get('Language', 'english')),
        ];
        // The page's own variables are assigned after WHMCS's, as a module's assign() follows initPage().
        foreach (array_merge($standard, $this->vars) as $k => $v) {
            $smarty->assign($k, $v);
        }
        if (!headers_sent()) {
            header('Content-Type: text/html; charset=utf-8');
        }
        echo $smarty->fetch(self::themeFile('header')), $smarty->fetch($file), $smarty->fetch(self::themeFile('footer'));
    }

    private function templateFile(): string
    {
        if ($this->template !== '' && $this->template[0] === '/') {
            $path = ROOTDIR . $this->template;
            return str_ends_with($path, '.tpl') ? $path : $path . '.tpl';
        }
        return self::themeFile($this->template);
    }

    private static function themeFile(string $name): string
    {
        $theme = preg_replace('/[^a-z0-9_-]/i', '', Config::get('Template', 'standin'));
        $dir = ROOTDIR . '/templates/' . ($theme !== '' && is_dir(ROOTDIR . '/templates/' . $theme) ? $theme : 'standin');
        return $dir . '/' . $name . '.tpl';
    }

    private static function smarty(): \Smarty
    {
        if (!class_exists(\Smarty::class)) {
            require_once '/usr/share/php/smarty4/bootstrap.php';
        }
        $smarty = new \Smarty();
        // One compile folder per site root: parallel sites never share compiled templates.
        $compile = sys_get_temp_dir() . '/standin-smarty-' . md5(ROOTDIR);
        if (!is_dir($compile)) {
            @mkdir($compile, 0700, true);
        }
        $smarty->setCompileDir($compile);
        $smarty->setCacheDir($compile);
        $smarty->setTemplateDir(ROOTDIR . '/templates');
        return $smarty;
    }
}
