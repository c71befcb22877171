<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

use WHMCS\Database\Capsule;

/**
 * Every SpectroCoin order of the module (the addon page's "All orders"), newest first, filtered by
 * status, invoice number and creation date, a page at a time; and the same list as CSV.
 */
final class OrderList
{
    const PER_PAGE = 50;

    /** CSV export bound: a spreadsheet's worth, never the whole table at once by surprise. */
    const CSV_MAX = 10000;

    const COLUMNS = ['created_at' => 'Created (UTC)', 'invoice_id' => 'Invoice', 'order_id' => 'Order', 'status' => 'Status',
        'credited' => 'Credited', 'invoice_amount' => 'Amount', 'invoice_currency' => 'Currency', 'receive_amount' => 'Requested',
        'receive_currency' => 'Requested currency', 'order_request_id' => 'SpectroCoin order id', 'order_uuid' => 'SpectroCoin order UUID',
        'order_number' => 'SpectroCoin order number', 'pre_order_id' => 'SpectroCoin pre-order id', 'transid' => 'Transaction id',
        'project_id' => 'Project', 'merchant_id' => 'Merchant', 'review_reason' => 'Review reason', 'create_error' => 'Creation error'];

    /**
     * The filters as given (request values, already decoded), each checked; unusable ones are dropped
     * and named in 'problems'.
     *
     * @return array{status: string, invoice: int, from: string, to: string, page: int, problems: list<string>}
     */
    public static function filters(array $in): array
    {
        $f = ['status' => '', 'invoice' => 0, 'from' => '', 'to' => '', 'page' => 1, 'problems' => []];
        $status = trim((string) ($in['status'] ?? ''));
        if ($status !== '') {
            if (preg_match('/^[A-Z_]{1,40}$/', $status)) {
                $f['status'] = $status;
            } else {
                $f['problems'][] = 'status filter ignored: not a status name';
            }
        }
        $invoice = ltrim(trim((string) ($in['invoice'] ?? '')), '#');
        if ($invoice !== '') {
            if (ctype_digit($invoice) && strlen($invoice) <= 10) {
                $f['invoice'] = (int) $invoice;
            } else {
                $f['problems'][] = 'invoice filter ignored: not an invoice number';
            }
        }
        foreach (['from', 'to'] as $k) {
            $date = trim((string) ($in[$k] ?? ''));
            if ($date === '') {
                continue;
            }
            $d = \DateTime::createFromFormat('!Y-m-d', $date);
            if ($d !== false && $d->format('Y-m-d') === $date) {
                $f[$k] = $date;
            } else {
                $f['problems'][] = $k . ' date ignored: use YYYY-MM-DD';
            }
        }
        $page = trim((string) ($in['p'] ?? ''));
        $f['page'] = ctype_digit($page) && (int) $page > 0 && strlen($page) <= 6 ? (int) $page : 1;
        return $f;
    }

    private static function query(array $f)
    {
        $q = Capsule::table(OrderStore::ORDERS . ' as o')->leftJoin('tblinvoices as i', 'i.id', '=', 'o.invoice_id');
        if ($f['status'] !== '') {
            $q->where('o.status', $f['status']);
        }
        if ($f['invoice'] > 0) {
            $q->where('o.invoice_id', $f['invoice']);
        }
        if ($f['from'] !== '') {
            $q->where('o.created_at', '>=', $f['from'] . ' 00:00:00');
        }
        if ($f['to'] !== '') {
            $q->where('o.created_at', '<=', $f['to'] . ' 23:59:59');
        }
        return $q;
    }

    /** @return array{rows: list<object>, total: int, pages: int} */
    public static function page(array $f): array
    {
        $total = (int) self::query($f)->count();
        $pages = max(1, (int) ceil($total / self::PER_PAGE));
        $rows = self::query($f)->orderByDesc('o.created_at')->orderByDesc('o.id')->offset((min($f['page'], $pages) - 1) * self::PER_PAGE)->limit(self::PER_PAGE)
            ->select('o.*', 'i.status as invoice_status')->get()->all();
        return ['rows' => $rows, 'total' => $total, 'pages' => $pages];
    }

    /** @return list<string> the statuses orders have, for the filter */
    public static function statuses(): array
    {
        return Capsule::table(OrderStore::ORDERS)->distinct()->orderBy('status')->pluck('status')->map(static fn ($s): string => (string) $s)->all();
    }

    /** The filtered list as CSV (RFC 4180, UTF-8), at most CSV_MAX rows, newest first. */
    public static function csv(array $f): string
    {
        $out = fopen('php://temp', 'w+');
        fputcsv($out, array_values(self::COLUMNS), ',', '"', '');
        foreach (self::query($f)->orderByDesc('o.created_at')->orderByDesc('o.id')->limit(self::CSV_MAX)->select('o.*')->get() as $row) {
            $cells = [];
            foreach (array_keys(self::COLUMNS) as $column) {
                $cells[] = self::cell($column === 'credited' ? (((bool) $row->credited) ? 'yes' : 'no') : (string) ($row->$column ?? ''));
            }
            fputcsv($out, $cells, ',', '"', '');
        }
        rewind($out);
        $csv = (string) stream_get_contents($out);
        fclose($out);
        return $csv;
    }

    /**
     * A cell a spreadsheet shows as text: one starting with = + - @ (or a tab/CR that hides one) gets a
     * leading ' so it is never run as a formula (a hostile review reason or order text could be one).
     */
    public static function cell(string $value): string
    {
        return $value !== '' && strpbrk($value[0], "=+-@\t\r") !== false ? "'" . $value : $value;
    }

    /** The filter form, the table and the pager; every value escaped. */
    public static function render(array $f, array $page, array $statuses, string $link): string
    {
        $e = [Html::class, 'e'];
        $options = '<option value="">any</option>';
        foreach ($statuses as $s) {
            $options .= '<option value="' . $e($s) . '"' . ($s === $f['status'] ? ' selected' : '') . '>' . $e($s) . '</option>';
        }
        $query = static function (array $extra) use ($f, $link): string {
            $params = array_filter(['status' => $f['status'], 'invoice' => $f['invoice'] ?: '', 'from' => $f['from'], 'to' => $f['to']] + $extra,
                static fn ($v) => $v !== '' && $v !== null);
            return $link . '&' . http_build_query($params);
        };
        $html = '<form method="get" action="' . $e(strtok($link, '?')) . '" id="spectrocoin-filters" class="form-inline">'
            . '<input type="hidden" name="module" value="' . $e(self::moduleOf($link)) . '">'
            . '<label>Status <select name="status">' . $options . '</select></label> '
            . '<label>Invoice <input type="text" name="invoice" size="8" value="' . ($f['invoice'] ?: '') . '"></label> '
            . '<label>Created from <input type="date" name="from" value="' . $e($f['from']) . '"></label> '
            . '<label>to <input type="date" name="to" value="' . $e($f['to']) . '"></label> '
            . '<button type="submit" class="btn btn-default btn-sm">Filter</button> '
            . '<a id="spectrocoin-csv" href="' . $e($query(['export' => 'csv'])) . '">Export CSV</a></form>';
        foreach ($f['problems'] as $problem) {
            $html .= '<div class="alert alert-warning">' . $e($problem) . '</div>';
        }
        $html .= '<p id="spectrocoin-orders-count">' . $page['total'] . ' order' . ($page['total'] === 1 ? '' : 's') . '</p>';
        if ($page['rows'] !== []) {
            $rows = '';
            foreach ($page['rows'] as $o) {
                $ids = array_unique(array_filter([$o->order_request_id ?? null, $o->order_uuid ?? null, $o->order_number ?? null, $o->pre_order_id ?? null]));
                $rows .= '<tr data-order="' . $e($o->order_id) . '"><td>' . $e($o->created_at) . ' UTC</td>'
                    . '<td><a href="invoices.php?action=edit&amp;id=' . (int) $o->invoice_id . '">#' . (int) $o->invoice_id . '</a> ('
                    . $e($o->invoice_status ?? 'Deleted') . ')</td><td><a class="spectrocoin-order-link" href="'
                    . $e(OrderPage::link($link, (string) $o->order_id)) . '">' . $e($o->order_id) . '</a></td><td>' . $e(implode(', ', $ids)) . '</td>'
                    . '<td>' . $e($o->status) . ((bool) $o->credited ? ', credited (' . $e($o->transid) . ')' : '') . '</td>'
                    . '<td>' . $e($o->invoice_amount . ' ' . $o->invoice_currency) . ' / ' . $e($o->receive_amount . ' ' . $o->receive_currency) . '</td></tr>';
            }
            $html .= '<table class="table" id="spectrocoin-orders"><tr><th>Created</th><th>Invoice</th><th>Order</th><th>SpectroCoin ids</th>'
                . '<th>Status</th><th>Amount (invoice / requested)</th></tr>' . $rows . '</table>';
        }
        if ($page['pages'] > 1) {
            $current = min($f['page'], $page['pages']);
            $html .= '<p id="spectrocoin-pager">Page ' . $current . ' of ' . $page['pages']
                . ($current > 1 ? ' <a rel="prev" href="' . $e($query(['p' => $current - 1])) . '">Previous</a>' : '')
                . ($current < $page['pages'] ? ' <a rel="next" href="' . $e($query(['p' => $current + 1])) . '">Next</a>' : '') . '</p>';
        }
        return $html;
    }

    private static function moduleOf(string $link): string
    {
        parse_str((string) parse_url($link, PHP_URL_QUERY), $q);
        return (string) ($q['module'] ?? 'spectrocoinops');
    }
}
