<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * A page of ours for the customer (Pay Now errors, refusals, stale presses), in the shop's client
 * area: WHMCS\ClientArea as the WHMCS docs describe for a stand-alone page ("Creating Pages"), with
 * our template templates/message.tpl inside the active theme. Every page has a link back to the
 * invoice (or the invoice list when there is no invoice) and a reference to quote to support.
 * Where WHMCS\ClientArea is missing or fails, the same content as a plain page with the shop's name.
 */
final class CustomerPage
{
    const TEMPLATE = '/modules/gateways/spectrocoin/templates/message.tpl';

    /**
     * @param array{invoice?: ?string, invoiceId?: int, order?: ?string} $ref the invoice number to show,
     *        the invoice id for the back link, our order id when there is one
     * @param array<string,string> $headers extra headers (e.g. Allow on a 405)
     */
    public static function response(int $status, Lang $lang, string $titleKey, string $messageKey, array $ref,
        Settings $settings, string $kind = 'error', array $headers = []): Response
    {
        $invoiceId = (int) ($ref['invoiceId'] ?? 0);
        $parts = [];
        if (($ref['invoice'] ?? null) !== null && $ref['invoice'] !== '') {
            $parts[] = $lang->t('ref.invoice', ['number' => $ref['invoice']]);
        }
        if (($ref['order'] ?? null) !== null && $ref['order'] !== '') {
            $parts[] = $lang->t('ref.order', ['order' => $ref['order']]);
        }
        $page = [
            'kind' => $kind,
            'tone' => $kind === 'info' ? 'info' : ($status >= 500 ? 'warning' : 'danger'),
            'title' => $lang->t($titleKey),
            'message' => $lang->t($messageKey),
            'referenceIntro' => $lang->t('ref.intro'),
            'reference' => implode(', ', $parts),
            'backUrl' => $invoiceId > 0 ? $settings->invoiceUrl($invoiceId) : $settings->systemUrl() . 'clientarea.php?action=invoices',
            'backLabel' => $lang->t($invoiceId > 0 ? 'link.back_to_invoice' : 'link.your_invoices'),
            'language' => $lang->language(),
        ];
        // Set now as well as on send(): should a WHMCS version end the request inside output(), the code stays right.
        if (PHP_SAPI !== 'cli' && !headers_sent()) {
            http_response_code($status);
        }
        $body = self::clientArea($page, $settings, $invoiceId > 0 && $parts !== [] ? $parts[0] : null, $lang)
            ?? Html::customerPage($page, $settings->companyName());
        return new Response($status, $body, $headers + ['Content-Type' => 'text/html; charset=utf-8', 'Cache-Control' => 'no-store']);
    }

    /**
     * The shop's System URL and company name (tblconfiguration), for pages shown before the gateway's
     * settings could be read (extension missing, gateway not active).
     */
    public static function siteSettings(): Settings
    {
        $values = ['systemurl' => '', 'companyname' => ''];
        try {
            foreach (['SystemURL' => 'systemurl', 'CompanyName' => 'companyname'] as $setting => $key) {
                $values[$key] = (string) \WHMCS\Database\Capsule::table('tblconfiguration')->where('setting', $setting)->value('value');
            }
        } catch (\Throwable $e) {
            // No database: the page still shows, with relative links and without the shop's name.
        }
        return Settings::fromParams($values);
    }

    /** The page through WHMCS\ClientArea, or null where it cannot be used. */
    private static function clientArea(array $page, Settings $settings, ?string $invoiceCrumb, Lang $lang): ?string
    {
        if (!class_exists('WHMCS\\ClientArea')) {
            return null;
        }
        $level = ob_get_level();
        try {
            $ca = new \WHMCS\ClientArea();
            $ca->setPageTitle($page['title']);
            $ca->addToBreadCrumb($settings->systemUrl() . 'index.php', $lang->t('breadcrumb.home'));
            if ($invoiceCrumb !== null) {
                $ca->addToBreadCrumb($page['backUrl'], $invoiceCrumb);
            }
            $ca->initPage();
            $ca->assign('spectrocoin', $page);
            $ca->setTemplate(self::TEMPLATE);
            ob_start();
            $ca->output();
            $html = (string) ob_get_clean();
            return $html !== '' ? $html : null;
        } catch (\Throwable $e) {
            while (ob_get_level() > $level) {
                ob_end_clean();
            }
            if (function_exists('logActivity')) {
                logActivity('SpectroCoin: the client area page could not be shown (' . get_class($e) . ': '
                    . mb_substr($e->getMessage(), 0, 300) . '); a plain page was shown instead.');
            }
            return null;
        }
    }
}
