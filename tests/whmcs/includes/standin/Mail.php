<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * sendMessage(): no mail leaves the machine; each email is a row in `standin_emails`, written
 * through the Journal's own connection (a sent e-mail is not taken back by a rollback).
 */
final class Mail
{
    /** Templates whose relid is an invoice id (the rest name a client). */
    private const INVOICE_TEMPLATES = [
        'Invoice Payment Confirmation', 'Invoice Refund Confirmation', 'Invoice Created',
        'Invoice Payment Reminder', 'Credit Card Payment Failed',
    ];

    /**
     * localAPI('SendAdminEmail', …) (API reference "SendAdminEmail"): `messagename` (an admin e-mail
     * template) or `customsubject` + `custommessage` (HTML), `type` system|account|support, `deptid`,
     * `mergefields`. No admin templates are reproduced, so a `messagename` without a custom message
     * answers the documented error "Email Template not found". Recorded as one `standin_emails` row:
     * template `SendAdminEmail`, relid/userid 0, recipient the e-mail addresses of the enabled admins
     * (WHMCS's per-admin notification preferences are not reproduced), extra {type, subject, message,
     * deptid, mergefields}.
     *
     * @return array{result: string, message?: string}
     */
    public static function sendAdmin(array $values): array
    {
        $custom = trim((string) ($values['custommessage'] ?? ''));
        if ($custom === '') {
            return ['result' => 'error', 'message' => 'Email Template not found'];
        }
        $type = (string) ($values['type'] ?? '');
        if (!in_array($type, ['system', 'account', 'support'], true)) {
            $type = 'system';
        }
        $recipients = Capsule::table('tbladmins')->where('disabled', 0)->orderBy('id')->pluck('email')->all();
        Journal::record('standin_emails', [
            'date' => Journal::now(),
            'template' => 'SendAdminEmail',
            'relid' => 0,
            'userid' => 0,
            'recipient' => implode(', ', $recipients),
            'extra' => json_encode([
                'type' => $type,
                'subject' => (string) ($values['customsubject'] ?? ''),
                'message' => (string) $values['custommessage'],
                'deptid' => (int) ($values['deptid'] ?? 0),
                'mergefields' => is_array($values['mergefields'] ?? null) ? $values['mergefields'] : [],
            ], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR),
        ]);
        return ['result' => 'success'];
    }

    public static function send(string $template, int $relId, array $extra = []): bool
    {
        $userId = $relId;
        if (in_array($template, self::INVOICE_TEMPLATES, true) || stripos($template, 'Invoice') !== false) {
            $userId = (int) Capsule::table('tblinvoices')->where('id', $relId)->value('userid');
        }
        $email = (string) Capsule::table('tblclients')->where('id', $userId)->value('email');
        Journal::record('standin_emails', [
            'date' => Journal::now(),
            'template' => $template,
            'relid' => $relId,
            'userid' => $userId,
            'recipient' => $email,
            'extra' => json_encode($extra, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR),
        ]);
        return true;
    }
}
