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
                $attempts = Flow::actAndDeliver(
                    $store,
                    $orderRequestId,
                    $action,
                    Keys::privatePem($store->dir()),
                    ($_POST['amount'] ?? '') !== '' ? (string) $_POST['amount'] : null,
                )['attempts'];
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
     * The redirectUrl of a current-API pre-order (GET/POST /checkout/pre/{preOrderId}). Until the
     * payer picks a coin (action=choose, payCurrency; BTC preselected) the page offers the
     * choice; choosing turns the pre-order into an order with a system UUID, and from then on
     * this URL is that order's checkout (pay / part / expire / fail as on /checkout/{id}).
     */
    public static function handlePreOrder(Store $store, string $method, string $preOrderId): void
    {
        $pre = $store->read()['preOrders'][$preOrderId] ?? null;
        if ($pre === null) {
            http_response_code(404);
            echo self::page('Order not found', '<p>No such pre-order.</p>');
            return;
        }
        $action = $method === 'POST' ? (string) ($_POST['action'] ?? '') : '';
        if ($action === 'choose') {
            try {
                $orderRequestId = $store->transaction(static fn (array &$s) => PublicApi::choose(
                    $s,
                    $preOrderId,
                    (string) (($_POST['payCurrency'] ?? '') !== '' ? $_POST['payCurrency'] : 'BTC'),
                ));
            } catch (FlowError $e) {
                http_response_code($e->httpStatus);
                echo self::choicePage($store->read(), $pre, $e->getMessage());
                return;
            }
            self::handle($store, 'GET', $orderRequestId);
            return;
        }
        if ($pre['orderRequestId'] !== null) {
            self::handle($store, $method, (int) $pre['orderRequestId']);
            return;
        }
        if ($method === 'POST') {
            http_response_code(409);
            echo self::choicePage($store->read(), $pre, 'Choose a coin first.');
            return;
        }
        echo self::choicePage($store->read(), $pre, null);
    }

    /** @param array<string, mixed> $pre */
    private static function choicePage(array $state, array $pre, ?string $message): string
    {
        $h = static fn ($v): string => htmlspecialchars((string) $v, ENT_QUOTES);
        $index = State::findProjectByUuid($state, $pre['merchantApiId']);
        $coins = $index === null ? ['BTC'] : $state['projects'][$index]['payCurrencies'];
        $options = '';
        foreach ($coins as $coin) {
            $options .= '<option value="' . $h($coin) . '"' . ($coin === 'BTC' ? ' selected' : '') . '>' . $h($coin) . '</option>';
        }
        $expires = gmdate('Y-m-d H:i:s', intdiv((int) $pre['validUntil'], 1000)) . ' UTC';
        $html = '<h1>Pay ' . $h($pre['receiveAmount']) . ' ' . $h($pre['receiveCurrency']) . '</h1>'
            . '<dl>'
            . '<dt>Order</dt><dd id="orderId">' . $h($pre['orderId']) . ' (pre-order ' . $h($pre['preOrderId']) . ')</dd>'
            . '<dt>Description</dt><dd>' . $h($pre['description']) . '</dd>'
            . '<dt>Valid until</dt><dd id="validUntil" data-ms="' . $h($pre['validUntil']) . '">' . $h($expires) . '</dd>'
            . '<dt>Status</dt><dd id="status" data-code="1">1 NEW (choose a coin)</dd>'
            . '</dl>';
        if ($message !== null) {
            $html .= '<p id="message">' . $h($message) . '</p>';
        }
        $html .= '<form method="post"><input type="hidden" name="action" value="choose">'
            . '<select name="payCurrency">' . $options . '</select>'
            . '<button type="submit" name="do" value="choose">Continue</button></form>';
        return self::page('SpectroCoin simulator checkout', $html);
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
