<?php
// CONTRACT DRAFT (hand-written; will be replaced by `cargo php stubs` output from the built extension).

namespace SpectroCoin {
    class Exception extends \Exception {}
    /** Bad configuration: keys, ids, URLs, amounts. */
    class ConfigException extends Exception {}
    /** SpectroCoin refused the request. getCode() = SpectroCoin's first error code; message lists every code and message. */
    class ApiException extends Exception {}
    /** Connect, TLS, timeout, unreadable answer transport. */
    class NetworkException extends Exception {}
    /** Callback malformed or not ours (foreign ids, missing fields, unknown status, mismatching amounts). */
    class CallbackException extends Exception {}
    /** Callback signature is not SpectroCoin's. */
    class SignatureException extends CallbackException {}
}

namespace {
    /** Format a decimal string with SpectroCoin's 0.0####### pattern. Throws ConfigException on anything but a plain decimal with <= 8 decimals. */
    function spectrocoin_format_amount(string $amount): string {}

    /** RSA-SHA1 PKCS#1 v1.5 signature of $data, Base64. */
    function spectrocoin_sign(string $data, string $privateKeyPem): string {}

    /** true only for an exact valid signature; false for a wrong one; ConfigException for a bad key. */
    function spectrocoin_verify(string $data, string $signatureBase64, string $publicKeyPem): bool {}

    /**
     * Build a signed createOrder request without sending it.
     * $merchant: merchantId, projectId, privateKey (PEM), apiUrl?, publicKey?, publicKeyUrl?, timeout?
     * $order: orderId, payCurrency='BTC', payAmount?, receiveCurrency, receiveAmount, description, culture='en',
     *         callbackUrl, successUrl, failureUrl, payerEmail?, payerName?, payerSurname?
     * @return array{signedString: string, sign: string, body: string}
     */
    function spectrocoin_order_request(array $merchant, array $order): array {}

    /**
     * Create the order at SpectroCoin. Returns the normalized answer:
     * ['orderRequestId' => ?int, 'orderId' => string, 'payCurrency' => ?string, 'payAmount' => ?string,
     *  'receiveCurrency' => ?string, 'receiveAmount' => ?string, 'depositAddress' => ?string,
     *  'redirectUrl' => string, 'validUntil' => ?int (ms since epoch), 'preOrder' => bool]
     * Throws ConfigException, ApiException (203 errors), NetworkException.
     */
    function spectrocoin_create_order(array $merchant, array $order): array {}

    /**
     * Verify a raw legacy callback body (php://input). Returns the signed fields with amounts canonical:
     * merchantId, apiId (or userId/merchantApiId, whichever pair the configuration uses), orderId, payCurrency,
     * payAmount, receiveCurrency, receiveAmount, receivedAmount, description, orderRequestId (string),
     * plus 'status' (int) and 'statusName' (e.g. 'PAID').
     * Throws CallbackException (malformed / not ours / unknown status), SignatureException, NetworkException
     * (SpectroCoin key could not be fetched), ConfigException.
     */
    function spectrocoin_verify_callback(string $rawBody, array $merchant): array {}

    /**
     * Pure decision: what a verified callback does to our order row and the WHMCS invoice.
     * $callback: output of spectrocoin_verify_callback.
     * $order: the mod_spectrocoin_orders row: orderId, receiveCurrency, receiveAmount (as sent),
     *         status (last SpectroCoin status name or 'CREATED'), credited (bool), pendingSet (bool: we set Payment Pending)
     * $invoice: status (WHMCS invoice status), transactionExists (bool: tblaccounts already has transId)
     * @return array{action: string, orderStatus: string, invoiceStatus: ?string, transId: string,
     *               credit: bool, review: bool, message: string}
     * action is one of: credit, already_credited, hold (paid but not applicable: review), pending, close,
     * record, test, review, refund, ignore (older news than the row knows).
     * Throws CallbackException when the callback does not match the order (orderId, currency, amount).
     */
    function spectrocoin_decide(array $callback, array $order, array $invoice, bool $markPending = true): array {}

    /** ['version' => ..., 'phpApi' => ..., 'phpVersion' => ..., 'zts' => bool, 'openssl' => ...] of this build. */
    function spectrocoin_info(): array {}
}
