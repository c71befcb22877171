<?php

declare(strict_types=1);

namespace Sim;

/**
 * What happens to an order after creation: the payer's actions on the checkout page (and their
 * control-API twins) and direct status changes. Each queues the callbacks a real order would
 * produce; actAndDeliver() delivers each status's callbacks before the next change.
 *
 * Sequences (live projects):
 *   pay     NEW|PARTIAL_PAYMENT → PENDING(2) then PAID(3), receivedAmount = payAmount
 *   part    NEW → PENDING(2) then PARTIAL_PAYMENT(11), receivedAmount = the part
 *   expire  NEW|PARTIAL_PAYMENT → EXPIRED(5)
 *   fail    NEW|PENDING|PARTIAL_PAYMENT → FAILED(4)
 * PENDING carries what was confirmed before it (0.0 for a first payment): the doc says
 * receivedAmount is 0.0 until paid. Test projects answer every action with one callback of the
 * project's testCallbackStatus (6 TEST by default; 3 or 5 mimic the 2024 test mode).
 */
final class Flow
{
    public const ACTIONS = ['pay', 'part', 'expire', 'fail'];

    private const ALLOWED_FROM = [
        'pay' => [1, 11],
        'part' => [1],
        'expire' => [1, 11],
        'fail' => [1, 2, 11],
    ];

    /**
     * Performs an action as a real order lives it: each status change is made, and its callbacks
     * delivered (one attempt each), before the next change, so a merchant that re-fetches the
     * order on a JSON callback reads PENDING during the PENDING callback (../shared/docs/
     * spectrocoin-api.md section 4, "Callback timing"). Failed deliveries stay queued for retry.
     *
     * @return array{ids: list<int>, attempts: list<array<string, mixed>>}
     */
    public static function actAndDeliver(Store $store, int $orderRequestId, string $action, string $privateKeyPem, ?string $partAmount = null): array
    {
        $steps = [];
        $ids = $store->transaction(static function (array &$s) use ($orderRequestId, $action, $partAmount, $privateKeyPem, &$steps): array {
            $steps = self::plan($s, $orderRequestId, $action, $partAmount);
            [$status, $received] = array_shift($steps);
            return self::setStatus($s, $orderRequestId, $status, (string) $received, true, $privateKeyPem);
        });
        $allIds = $ids;
        $attempts = $ids === [] ? [] : Callbacks::dispatch($store, false, $ids);
        foreach ($steps as [$status, $received]) {
            $ids = $store->transaction(static fn (array &$s): array => self::setStatus($s, $orderRequestId, $status, (string) $received, true, $privateKeyPem));
            $allIds = array_merge($allIds, $ids);
            $attempts = array_merge($attempts, $ids === [] ? [] : Callbacks::dispatch($store, false, $ids));
        }
        return ['ids' => $allIds, 'attempts' => $attempts];
    }

    /**
     * Makes every status change of the action at once and only queues the callbacks (the
     * control API's deliver=false): when they are dispatched later, a re-fetch reads the final
     * state, as it would after a real network delay.
     *
     * @param array<string, mixed> $state
     * @return list<int> ids of the queued deliveries
     */
    public static function act(array &$state, int $orderRequestId, string $action, string $privateKeyPem, ?string $partAmount = null): array
    {
        $ids = [];
        foreach (self::plan($state, $orderRequestId, $action, $partAmount) as [$status, $received]) {
            $ids = array_merge($ids, self::setStatus($state, $orderRequestId, $status, (string) $received, true, $privateKeyPem));
        }
        return $ids;
    }

    /**
     * The status changes an action makes, checked against the order's status; changes nothing.
     *
     * @param array<string, mixed> $state
     * @return non-empty-list<array{int, string}> (status, receivedAmount) in order
     */
    private static function plan(array $state, int $orderRequestId, string $action, ?string $partAmount): array
    {
        $key = (string) $orderRequestId;
        if (!isset($state['orders'][$key])) {
            throw new FlowError("unknown order $orderRequestId", 404);
        }
        if (!in_array($action, self::ACTIONS, true)) {
            throw new FlowError("unknown action $action", 400);
        }
        $order = $state['orders'][$key];
        if (!in_array((int) $order['status'], self::ALLOWED_FROM[$action], true)) {
            throw new FlowError(sprintf(
                'cannot %s order %d in status %d %s',
                $action,
                $orderRequestId,
                $order['status'],
                State::STATUS_NAMES[(int) $order['status']] ?? '?',
            ), 409);
        }
        $project = State::projectOf($state, $order);
        $steps = [];
        if ($project !== null && $project['test']) {
            $status = (int) $project['testCallbackStatus'];
            $received = in_array($status, [5, 16], true) || $action !== 'pay' ? $order['receivedAmount'] : $order['payAmount'];
            $steps[] = [$status, $received];
        } else {
            switch ($action) {
                case 'pay':
                    $steps[] = [2, $order['receivedAmount']];
                    $steps[] = [3, $order['payAmount']];
                    break;
                case 'part':
                    $part = $partAmount ?? self::half((string) $order['payAmount']);
                    $formatted = Canon::formatAmount($part);
                    if ($formatted === null || (float) $formatted <= 0 || (float) $formatted >= (float) $order['payAmount']) {
                        throw new FlowError("part amount must be a decimal between 0 and payAmount, got '$part'", 400);
                    }
                    $steps[] = [2, $order['receivedAmount']];
                    $steps[] = [11, $formatted];
                    break;
                case 'expire':
                    $steps[] = [5, $order['receivedAmount']];
                    break;
                case 'fail':
                    $steps[] = [4, $order['receivedAmount']];
                    break;
            }
        }
        return $steps;
    }

    /**
     * Puts an order into any status (1–6, 10–21) with a receivedAmount, optionally queueing its
     * signed callback.
     *
     * @param array<string, mixed> $state
     * @return list<int> ids of the queued deliveries
     */
    public static function setStatus(array &$state, int $orderRequestId, int $status, ?string $receivedAmount, bool $callback, string $privateKeyPem): array
    {
        $key = (string) $orderRequestId;
        if (!isset($state['orders'][$key])) {
            throw new FlowError("unknown order $orderRequestId", 404);
        }
        if (!isset(State::STATUS_NAMES[$status])) {
            throw new FlowError("unknown status code $status (known: 1-6, 10-21)", 400);
        }
        $order = &$state['orders'][$key];
        if ($receivedAmount !== null) {
            $formatted = Canon::formatAmount($receivedAmount);
            if ($formatted === null) {
                throw new FlowError("receivedAmount must be a decimal with at most 8 decimals, got '$receivedAmount'", 400);
            }
            $order['receivedAmount'] = $formatted;
        }
        $order['status'] = $status;
        $order['history'][] = ['at' => State::nowMs(), 'status' => $status, 'receivedAmount' => $order['receivedAmount']];
        if (!$callback) {
            return [];
        }
        $delivery = Callbacks::enqueueForOrder($state, $order, $privateKeyPem, $status, (string) $order['receivedAmount']);
        return $delivery === null ? [] : [(int) $delivery['id']];
    }

    private static function half(string $amount): string
    {
        $half = floor(((float) $amount) * 1e8 / 2) / 1e8;
        return rtrim(rtrim(sprintf('%.8f', $half), '0'), '.');
    }
}

final class FlowError extends \RuntimeException
{
    public function __construct(string $message, public readonly int $httpStatus)
    {
        parent::__construct($message);
    }
}
