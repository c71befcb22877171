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
