<?php

declare(strict_types=1);

namespace Sim;

/**
 * The hosted checkout page behind an order's redirectUrl: what to pay, where, until when, and
 * buttons that play the payer (pay in full, pay part, let it expire, fail). Each button drives
 * the order through Flow and delivers the resulting callbacks at once (retries are left to
 * /__sim/dispatch or dispatcher.php).
 */
final class Checkout
{
    public static function handle(Store $store, string $method, int $orderRequestId): void
    {
        $message = null;
        $attempts = [];
        if ($method === 'POST') {
            $action = (string) ($_POST['action'] ?? '');
            try {
                $ids = $store->transaction(static fn (array &$s) => Flow::act(
                    $s,
                    $orderRequestId,
                    $action,
                    Keys::privatePem($store->dir()),
                    ($_POST['amount'] ?? '') !== '' ? (string) $_POST['amount'] : null,
                ));
                $attempts = $ids === [] ? [] : Callbacks::dispatch($store, false, $ids);
                $message = "Done: $action.";
            } catch (FlowError $e) {
                http_response_code($e->httpStatus);
                $message = $e->getMessage();
            }
        }
        $order = $store->read()['orders'][(string) $orderRequestId] ?? null;
        if ($order === null) {
            http_response_code(404);
            echo self::page('Order not found', '<p>No such order.</p>');
            return;
        }
        echo self::render($order, $message, $attempts);
    }

    /**
     * @param array<string, mixed> $order
     * @param list<array<string, mixed>> $attempts
     */
    private static function render(array $order, ?string $message, array $attempts): string
    {
        $h = static fn ($v): string => htmlspecialchars((string) $v, ENT_QUOTES);
        $status = (int) $order['status'];
        $statusName = State::STATUS_NAMES[$status] ?? '?';
        $expires = gmdate('Y-m-d H:i:s', intdiv((int) $order['validUntil'], 1000)) . ' UTC';
        $html = '<h1>Pay ' . $h($order['payAmount']) . ' ' . $h($order['payCurrency']) . '</h1>'
            . '<dl>'
            . '<dt>Order</dt><dd id="orderId">' . $h($order['orderId']) . ' (request ' . $h($order['orderRequestId']) . ')</dd>'
            . '<dt>Description</dt><dd>' . $h($order['description']) . '</dd>'
            . '<dt>Merchant receives</dt><dd>' . $h($order['receiveAmount']) . ' ' . $h($order['receiveCurrency']) . '</dd>'
            . '<dt>Deposit address</dt><dd id="depositAddress">' . $h($order['depositAddress']) . '</dd>'
            . '<dt>Valid until</dt><dd id="validUntil" data-ms="' . $h($order['validUntil']) . '">' . $h($expires) . '</dd>'
            . '<dt>Status</dt><dd id="status" data-code="' . $status . '">' . $status . ' ' . $h($statusName) . '</dd>'
            . '<dt>Received</dt><dd id="receivedAmount">' . $h($order['receivedAmount']) . ' ' . $h($order['payCurrency']) . '</dd>'
            . '</dl>';
        if ($message !== null) {
            $html .= '<p id="message">' . $h($message) . '</p>';
        }
        foreach ($attempts as $a) {
            $html .= '<p class="attempt">Callback to ' . $h($a['url']) . ': HTTP ' . $h($a['httpStatus'])
                . ($a['ok'] ? ' (*ok*)' : ' (not acknowledged, will retry)') . '</p>';
        }
        if (in_array($status, [1, 2, 11], true)) {
            $form = static fn (string $action, string $label, string $extra = ''): string =>
                '<form method="post"><input type="hidden" name="action" value="' . $action . '">' . $extra
                . '<button type="submit" name="do" value="' . $action . '">' . $label . '</button></form>';
            $html .= $form('pay', 'Pay in full')
                . $form('part', 'Pay part', '<input name="amount" placeholder="amount (default: half)">')
                . $form('expire', 'Let it expire')
                . $form('fail', 'Fail');
        }
        if ($status === 3 || $status === 6 || $status === 15) {
            $html .= '<p><a id="return" href="' . $h($order['successUrl']) . '">Return to the merchant</a></p>';
        } elseif (in_array($status, [4, 5, 12, 13, 16, 21], true)) {
            $html .= '<p><a id="return" href="' . $h($order['failureUrl']) . '">Return to the merchant</a></p>';
        }
        return self::page('SpectroCoin simulator checkout', $html);
    }

    private static function page(string $title, string $body): string
    {
        return '<!doctype html><html><head><meta charset="utf-8"><title>' . htmlspecialchars($title)
            . '</title></head><body>' . $body . '</body></html>';
    }
}
