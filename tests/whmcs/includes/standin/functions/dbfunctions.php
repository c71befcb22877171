<?php
/**
 * WHMCS' legacy database helpers, loaded by init.php. The developer docs
 * (advanced/db-interaction) call them deprecated but still present in WHMCS 8, and real
 * modules use them (SpectroCoin's official module 2.1.6: `select_query` + `mysql_fetch_array`,
 * `full_query` + `mysql_fetch_assoc`, `update_query`, `mysql_query`). PHP 7 removed the mysql
 * extension, so WHMCS ships `mysql_*` replacements running on its own connection; here they run
 * on Capsule's PDO and a "result" is a PDOStatement.
 *
 * Like the real helpers, values are escaped but table, field and sort names are pasted as
 * given: they are a module's literals, never user input.
 *
 * Loaded through includes/dbfunctions.php (see there).
 */

use WHMCS\Database\Capsule;

/** @internal the connection the legacy helpers share */
function standin_legacy_pdo(): \PDO
{
    return Capsule::connection()->getPdo();
}

/** @internal remembers the last error for mysql_error() */
function standin_legacy_exec(string $sql)
{
    $GLOBALS['__standin_mysql_error'] = '';
    try {
        $statement = standin_legacy_pdo()->query($sql);
    } catch (\PDOException $e) {
        // WHMCS logs a failed legacy query and carries on; callers test the result for false.
        $GLOBALS['__standin_mysql_error'] = $e->getMessage();
        return false;
    }
    return $statement;
}

/**
 * WHERE clause from the legacy array form: field => value (equality), or field =>
 * ['sqltype' => 'LIKE'|'NEQ'|'>'|'<'|'<='|'>='|'IN'|'NOT IN', 'value' => ...]; a string is used
 * as written.
 */
function standin_legacy_where($where): string
{
    if (is_string($where)) {
        return trim($where) === '' ? '' : ' WHERE ' . $where;
    }
    if (!is_array($where) || $where === []) {
        return '';
    }
    $parts = [];
    foreach ($where as $field => $value) {
        $column = standin_legacy_column((string) $field);
        if (is_array($value)) {
            $type = strtoupper((string) ($value['sqltype'] ?? '='));
            $operand = $value['value'] ?? '';
            if ($type === 'IN' || $type === 'NOT IN') {
                $list = implode(',', array_map('standin_legacy_quote', (array) $operand));
                $parts[] = "$column $type ($list)";
                continue;
            }
            $operator = ['NEQ' => '!=', 'LIKE' => 'LIKE', '>' => '>', '<' => '<', '>=' => '>=', '<=' => '<=', '=' => '='][$type] ?? '=';
            $parts[] = "$column $operator " . standin_legacy_quote($operand);
        } else {
            $parts[] = "$column = " . standin_legacy_quote($value);
        }
    }
    return ' WHERE ' . implode(' AND ', $parts);
}

/** @internal `tbl.col` or `col`, backquoted unless it already is an expression */
function standin_legacy_column(string $field): string
{
    if (!preg_match('/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/', $field)) {
        return $field;
    }
    return implode('.', array_map(static fn (string $p): string => "`$p`", explode('.', $field)));
}

/** @internal */
function standin_legacy_quote($value): string
{
    if ($value === null) {
        return 'NULL';
    }
    return standin_legacy_pdo()->quote(is_bool($value) ? ($value ? '1' : '0') : (string) $value);
}

/**
 * SELECT `$fields` FROM `$table` [JOIN `$join`] WHERE … [ORDER BY `$sort` `$sortOrder`]
 * [LIMIT `$limits`]; returns a result for mysql_fetch_array()/mysql_fetch_assoc(), or false.
 */
function select_query($table, $fields, $where, $sort = '', $sortOrder = 'ASC', $limits = '', $join = '')
{
    $sql = 'SELECT ' . ((string) $fields === '' ? '*' : (string) $fields) . ' FROM ' . (string) $table;
    if ((string) $join !== '') {
        $sql .= ' INNER JOIN ' . (string) $join;
    }
    $sql .= standin_legacy_where($where);
    if ((string) $sort !== '') {
        $sql .= ' ORDER BY ' . standin_legacy_column((string) $sort) . ' '
            . (strtoupper((string) $sortOrder) === 'DESC' ? 'DESC' : 'ASC');
    }
    if ((string) $limits !== '') {
        $sql .= ' LIMIT ' . preg_replace('/[^0-9, ]/', '', (string) $limits);
    }
    return standin_legacy_exec($sql);
}

/**
 * UPDATE `$table` SET field = value … WHERE …; a value `['type' => 'AI']` increments and
 * `['type' => 'AD']` decrements by 1 (the legacy helper's shorthands). True, or false on error.
 */
function update_query($table, $update, $where)
{
    $sets = [];
    foreach ((array) $update as $field => $value) {
        $column = standin_legacy_column((string) $field);
        if (is_array($value) && in_array($value['type'] ?? '', ['AI', 'AD'], true)) {
            $sets[] = "$column = $column " . ($value['type'] === 'AI' ? '+' : '-') . ' 1';
        } else {
            $sets[] = "$column = " . standin_legacy_quote(is_array($value) ? ($value['value'] ?? '') : $value);
        }
    }
    if ($sets === []) {
        return false;
    }
    return standin_legacy_exec('UPDATE ' . (string) $table . ' SET ' . implode(', ', $sets) . standin_legacy_where($where)) !== false;
}

/** INSERT INTO `$table` (fields) VALUES (…); returns the new row's id (0 without auto-increment), or false. */
function insert_query($table, $values)
{
    $values = (array) $values;
    $columns = implode(', ', array_map(static fn ($f): string => standin_legacy_column((string) $f), array_keys($values)));
    $quoted = implode(', ', array_map('standin_legacy_quote', array_values($values)));
    if (standin_legacy_exec('INSERT INTO ' . (string) $table . " ($columns) VALUES ($quoted)") === false) {
        return false;
    }
    return (int) standin_legacy_pdo()->lastInsertId();
}

/** Runs `$query` as written; a result for the mysql_fetch_* helpers, or false on error. */
function full_query($query, $link = null)
{
    return standin_legacy_exec((string) $query);
}

if (!function_exists('mysql_query')) {
    function mysql_query($query, $link = null)
    {
        return standin_legacy_exec((string) $query);
    }

    /** Next row as both numeric and named keys, or false. */
    function mysql_fetch_array($result, $type = 3)
    {
        if (!$result instanceof \PDOStatement) {
            return false;
        }
        $mode = [1 => \PDO::FETCH_ASSOC, 2 => \PDO::FETCH_NUM][(int) $type] ?? \PDO::FETCH_BOTH;
        return $result->fetch($mode);
    }

    function mysql_fetch_assoc($result)
    {
        return $result instanceof \PDOStatement ? $result->fetch(\PDO::FETCH_ASSOC) : false;
    }

    function mysql_fetch_row($result)
    {
        return $result instanceof \PDOStatement ? $result->fetch(\PDO::FETCH_NUM) : false;
    }

    /** Rows of a SELECT (MariaDB's PDO driver buffers results, so rowCount() is the count). */
    function mysql_num_rows($result)
    {
        return $result instanceof \PDOStatement ? $result->rowCount() : false;
    }

    function mysql_insert_id($link = null)
    {
        return (int) standin_legacy_pdo()->lastInsertId();
    }

    function mysql_error($link = null)
    {
        return (string) ($GLOBALS['__standin_mysql_error'] ?? '');
    }

    /** The escaped text without surrounding quotes. */
    function mysql_real_escape_string($value, $link = null)
    {
        return substr(standin_legacy_pdo()->quote((string) $value), 1, -1);
    }
}

if (!function_exists('db_escape_string')) {
    function db_escape_string($value)
    {
        return substr(standin_legacy_pdo()->quote((string) $value), 1, -1);
    }
}
