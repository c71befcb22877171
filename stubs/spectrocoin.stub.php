<?php

// Stubs for spectrocoin

namespace SpectroCoin {
    /**
     * SpectroCoin refused the request. The message carries every code and message; the
     * getters give each fact on its own. getCode() is getSpectroCoinCode() when there is
     * one (the legacy API's error array), else the HTTP status (the current API).
     */
    class ApiException extends \SpectroCoin\Exception {
        public function __construct() {}

        /**
         * How the exchange failed: `refused` (SpectroCoin said no), `error` (it answered, but
         * busy or not in its protocol), `unreachable` (nothing was sent) or `no_answer` (sent,
         * nothing usable came back: it may have taken effect).
         *
         * @return string
         */
        public function getFailure(): string {}

        /**
         * The HTTP status of SpectroCoin's answer (203 for the legacy API's error array).
         *
         * @return int|null
         */
        public function getHttpStatus(): ?int {}

        /**
         * SpectroCoin's own numeric error code (legacy: the first of the array), or null;
         * never the HTTP status.
         *
         * @return int|null
         */
        public function getSpectroCoinCode(): ?int {}

        /**
         * The traceId of SpectroCoin's error answer (current API), for its support; or null.
         *
         * @return string|null
         */
        public function getTraceId(): ?string {}

        /**
         * Whether SpectroCoin refused the order because its orderId is already used in
         * this project (legacy code 5, or the current API's "already exists").
         *
         * @return bool
         */
        public function isOrderIdTaken(): bool {}

        /**
         * Whether trying again later may succeed (HTTP 429 or 5xx); false for a refusal.
         *
         * @return bool
         */
        public function isRetryable(): bool {}
    }

    /**
     * A callback the extension authenticated (spectrocoin_authenticate_callback), with the
     * trust it earned: PHP cannot construct, unserialize or change one, so "our ids are proven"
     * travels with the facts instead of as an array key any caller can set. The module decides
     * with it in one pass: no callback array goes back into the extension.
     */
    class Callback {
        public function __construct() {}

        /**
         * What this callback does (spectrocoin_decide's answer, with this callback's proven ids).
         *
         * @throws \SpectroCoin\CallbackException the callback does not match the order
         *
         * @param array $order
         * @param array $invoice
         * @param bool $markPending
         * @param bool $recordRefunds
         * @return array
         */
        public function decide(array $order, array $invoice, bool $markPending = true, bool $recordRefunds = false): array {}

        /**
         * Our orderId at SpectroCoin, the key to our order row.
         *
         * @return string
         */
        public function orderId(): string {}

        /**
         * The authenticated fields, as spectrocoin_handle_callback returns them (for logs).
         *
         * @return array
         */
        public function toArray(): array {}

        /**
         * The WHMCS transaction id this callback's payment has for a stored order
         * (as spectrocoin_transaction_id), so the ledger is checked under lock before deciding.
         *
         * @param array $order
         * @return string
         */
        public function transactionId(array $order): string {}
    }

    /**
     * A callback that is malformed or not ours (ids, order, amount, currency, status).
     */
    class CallbackException extends \SpectroCoin\Exception {
        public function __construct() {}
    }

    /**
     * Bad configuration: keys, ids, URLs, amounts.
     */
    class ConfigException extends \SpectroCoin\Exception {
        public function __construct() {}
    }

    /**
     * Base of every exception the extension throws.
     */
    class Exception extends \Exception {
        public function __construct() {}
    }

    /**
     * A callback naming another merchant or project than the configured one: someone
     * else's, or an order of ours created under earlier settings.
     */
    class ForeignCallbackException extends \SpectroCoin\CallbackException {
        public function __construct() {}
    }

    /**
     * SpectroCoin could not be reached: connect, TLS, timeout, or an answer that is not its
     * protocol (then getHttpStatus() is its status).
     */
    class NetworkException extends \SpectroCoin\Exception {
        public function __construct() {}

        /**
         * How the exchange failed: `refused` (SpectroCoin said no), `error` (it answered, but
         * busy or not in its protocol), `unreachable` (nothing was sent) or `no_answer` (sent,
         * nothing usable came back: it may have taken effect).
         *
         * @return string
         */
        public function getFailure(): string {}

        /**
         * The HTTP status of an answer that is not SpectroCoin's protocol; null when nothing
         * came back (timeout, connection, DNS, TLS).
         *
         * @return int|null
         */
        public function getHttpStatus(): ?int {}

        /**
         * Always null: only a refusal (ApiException) carries SpectroCoin's code.
         *
         * @return int|null
         */
        public function getSpectroCoinCode(): ?int {}

        /**
         * The traceId of SpectroCoin's answer, when it had one; or null.
         *
         * @return string|null
         */
        public function getTraceId(): ?string {}

        /**
         * Whether trying again later may succeed: true when nothing came back or on HTTP
         * 429/5xx; false for an unreadable 2xx–4xx answer (asking again gets the same).
         *
         * @return bool
         */
        public function isRetryable(): bool {}
    }

    /**
     * A callback whose signature is not SpectroCoin's.
     */
    class SignatureException extends \SpectroCoin\CallbackException {
        public function __construct() {}
    }
}

namespace {
    /**
     * Authenticates a callback as spectrocoin_handle_callback does, and returns it as a
     * `SpectroCoin\Callback` object that carries its proof (decide() and transactionId() on it).
     *
     * @throws \SpectroCoin\CallbackException malformed, not ours, unknown order or status
     * @throws \SpectroCoin\ForeignCallbackException names another merchant or project than the configured one
     * @throws \SpectroCoin\SignatureException a legacy signature that is not SpectroCoin's
     * @throws \SpectroCoin\NetworkException SpectroCoin unreachable or busy (429/5xx): answer 503 so it retries
     * @throws \SpectroCoin\ConfigException credentials missing or rejected
     *
     * @param string $rawBody
     * @param string $contentType
     * @param array $merchant
     * @return \SpectroCoin\Callback
     */
    function spectrocoin_authenticate_callback(string $rawBody, string $contentType, array $merchant): \SpectroCoin\Callback {}

    /**
     * Checks a merchant configuration offline: ids, the private key (parsed and
     * RSA), the OAuth settings; with `$online` also fetches a fresh OAuth token to
     * prove the client credentials. For the WHMCS settings page (`_config_validate`).
     *
     * @return array{legacy: bool, current: bool, idScheme: ?string, warnings: list<string>}
     * @throws \SpectroCoin\ConfigException what is wrong, in words an admin can act on
     * @throws \SpectroCoin\NetworkException (online) SpectroCoin could not be reached
     *
     * @param array $merchant
     * @param bool $online
     * @return array
     */
    function spectrocoin_check_config(array $merchant, bool $online = false): array {}

    /**
     * Creates the order at SpectroCoin and returns the normalized answer. With
     * `clientId`/`clientSecret` in `$merchant` it goes through the current API
     * (OAuth, POST {publicApiUrl}/merchants/orders/create, a pre-order); otherwise
     * through the legacy signed API (POST {apiUrl}/createOrder, needs `privateKey`).
     * Answer: `api` (`current` or `legacy`), `preOrderId` (?string, current API),
     * `orderRequestId` (?int; null for a pre-order),
     * `orderId`, `payCurrency`, `payAmount`, `receiveCurrency`, `receiveAmount`,
     * `depositAddress` (?string), `redirectUrl`, `validUntil` (?int, ms since epoch),
     * `preOrder` (bool).
     *
     * @throws \SpectroCoin\ConfigException bad configuration or order
     * @throws \SpectroCoin\ApiException SpectroCoin refused it; getCode() is its first error code
     * (legacy) or the HTTP status (current API: 404, 422, 429, 5xx)
     * @throws \SpectroCoin\NetworkException not reachable, timed out, or an unexpected answer
     *
     * @param array $merchant
     * @param array $order
     * @return array
     */
    function spectrocoin_create_order(array $merchant, array $order): array {}

    /**
     * Decides what a callback does (pure; no I/O). The module uses
     * `SpectroCoin\Callback::decide()`; an array proves nothing, so here the callback's
     * ids count as unverified whatever `idsVerified` says.
     *
     * `$callback`: as returned by spectrocoin_handle_callback.
     * `$order`: the stored order: `orderId`, `orderRequestId`, `receiveCurrency`, `receiveAmount`
     * (as sent), `invoiceAmount` and `invoiceCurrency` (what a payment credits), `payAmount`
     * (null until known), `status` (last status name, or CREATED), `credited`, `pendingSet`,
     * `preOrderId` (current API; must match the callback's `merchantPreOrderId`),
     * `createRefused` (SpectroCoin answered our create with an error: no such order of ours), and
     * `refundRecorded` (we recorded SpectroCoin's refund of it in WHMCS, confirmed).
     * `$invoice`: `status` (WHMCS invoice status), `transactionExists` (tblaccounts has transId),
     * `paymentRefunded` (tblaccounts holds a refund of that payment: a row whose refundid is its row).
     * `$recordRefunds`: the "Record SpectroCoin refunds in WHMCS" setting.
     *
     * The answer names every effect; execute it, derive nothing:
     * * `row`: the row fields to write: `status`, `pendingSet` (null: unchanged), `credited`
     *   (the payment is in WHMCS), `transId`, `reviewReason`, `orderRequestId`, `payAmount`,
     *   `payCurrency` (null: leave as is);
     * * `apply`: null, or `{transId, amount, currency}`: claim it on the row, apply it with
     *   addInvoicePayment outside any transaction, confirm;
     * * `invoice`: null, or `{from, to}`: the invoice status to set (never Paid, never Cancelled);
     * * `refund`: null, or `{transId, amount, currency, originalTransId}` (REFUNDED of a credited
     *   order, `$recordRefunds` on): claim it on the row, record it as WHMCS's "Manual Refund
     *   Processed Externally" does (refundInvoicePayment without the gateway), confirm.
     *
     * @return array{action: string, transId: string, message: string, row: array, apply: ?array, invoice: ?array, refund: ?array}
     * action (for the log): credit, already_credited, hold, pending, close, record, test, review, refund,
     * record_refund or ignore.
     * @throws \SpectroCoin\CallbackException the callback does not match the order
     *
     * @param array $callback
     * @param array $order
     * @param array $invoice
     * @param bool $markPending
     * @param bool $recordRefunds
     * @return array
     */
    function spectrocoin_decide(array $callback, array $order, array $invoice, bool $markPending = true, bool $recordRefunds = false): array {}

    /**
     * Describes the merchant's private key for the settings page, without anything secret: the
     * algorithm (`RSA`), its `bits`, `fingerprintSha256` (SHA-256 of the public key's DER
     * SubjectPublicKeyInfo as lowercase hex pairs joined by colons, as
     * `openssl pkey -in key.pem -pubout -outform DER | openssl dgst -sha256 -c` prints it) and
     * `publicKeyPem`, the public key to register in the SpectroCoin project. The private key is
     * never returned. Parsed as spectrocoin_sign parses it (once per process).
     *
     * @return array{algorithm: string, bits: int, fingerprintSha256: string, publicKeyPem: string}
     * @throws \SpectroCoin\ConfigException the key is missing, encrypted, not RSA or damaged
     *
     * @param string $privateKeyPem
     * @return array
     */
    function spectrocoin_describe_key(string $privateKeyPem): array {}

    /**
     * Fetches an order from SpectroCoin's current API (GET {publicApiUrl}/merchants/orders/{id})
     * with the merchant's OAuth client credentials (`clientId`, `clientSecret`).
     *
     * @return array{id: string, orderId: string, status: int, statusName: string, merchantPreOrderId: ?string, receiveAmount: string, receiveCurrency: string, payAmount: ?string, payCurrency: ?string}
     * @throws \SpectroCoin\ConfigException credentials missing or rejected (401), IP not allowed (403)
     * @throws \SpectroCoin\ApiException 404, 422, or 429/5xx (temporary); getCode() is the HTTP status
     * @throws \SpectroCoin\NetworkException not reachable or timed out
     *
     * @param array $merchant
     * @param string $id
     * @return array
     */
    function spectrocoin_fetch_order(array $merchant, string $id): array {}

    /**
     * Formats a decimal string with SpectroCoin's `0.0#######` pattern
     * (`"12.30"` ⇒ `"12.3"`, `"100"` ⇒ `"100.0"`).
     *
     * @throws \SpectroCoin\ConfigException anything but a plain decimal with at most 8 decimals
     *
     * @param string $amount
     * @return string
     */
    function spectrocoin_format_amount(string $amount): string {}

    /**
     * Authenticates a callback of either SpectroCoin format, chosen by `$contentType`
     * (pass `$_SERVER['CONTENT_TYPE']`) and the raw body (php://input):
     * * `application/x-www-form-urlencoded`: a legacy signed callback, verified as
     *   spectrocoin_verify_callback does;
     * * `application/json`: `{"id", "merchantApiId"}`; the project must be ours, and
     *   the order is re-fetched with our OAuth token: only fetched fields are returned.
     *
     * Returns the facts for spectrocoin_decide: `idsVerified` (our ids are covered by
     * SpectroCoin's signature, or the order was fetched with our token), `orderId`, `orderRequestId` (SpectroCoin's
     * order id: numeric for legacy, the order UUID for JSON), `receiveCurrency`,
     * `receiveAmount`, `payCurrency`, `payAmount`, …, `status` (int), `statusName`,
     * `moneyReceived` (paid, partly, short or late), `refunded` (REFUNDED: the decision needs the
     * invoice's `paymentRefunded`), and `format` (`legacy` or `json`; JSON adds `id` and `merchantPreOrderId`).
     *
     * @throws \SpectroCoin\CallbackException malformed, not ours, unknown order or status
     * @throws \SpectroCoin\ForeignCallbackException names another merchant or project than the configured one
     * @throws \SpectroCoin\SignatureException a legacy signature that is not SpectroCoin's
     * @throws \SpectroCoin\NetworkException SpectroCoin unreachable or busy (429/5xx): answer 503 so it retries
     * @throws \SpectroCoin\ConfigException credentials missing or rejected
     *
     * @param string $rawBody
     * @param string $contentType
     * @param array $merchant
     * @return array
     */
    function spectrocoin_handle_callback(string $rawBody, string $contentType, array $merchant): array {}

    /**
     * This build: `version`, `phpApi`, `phpVersion`, `threading` (NTS/ZTS) it was
     * built for, and the `openssl` version in use.
     *
     * @return array
     */
    function spectrocoin_info(): array {}

    /**
     * Builds and signs a createOrder request without sending it.
     *
     * `$merchant`: `merchantId`, `projectId` (both numeric or both UUIDs), `privateKey` (PEM),
     * optional `apiUrl`, `publicKey`, `publicKeyUrl`, `timeout` (seconds), and for the current API
     * `clientId`, `clientSecret`, `publicApiUrl` (then `projectId` is the project UUID), and
     * `legacyMerchantId`/`legacyProjectId`: the project's numeric ids, with which signed
     * legacy callbacks are bound to a UUID configuration (only numeric ids are signed).
     * `$order`: `orderId`, `payCurrency` (default BTC), `payAmount`, `receiveCurrency`,
     * `receiveAmount`, `description`, `culture` (default en), `callbackUrl`, `successUrl`,
     * `failureUrl`, optional `payerEmail`, `payerName`, `payerSurname`. Amounts as strings.
     *
     * @return array{signedString: string, sign: string, body: string}
     * @throws \SpectroCoin\ConfigException
     *
     * @param array $merchant
     * @param array $order
     * @return array
     */
    function spectrocoin_order_request(array $merchant, array $order): array {}

    /**
     * Whether Pay Now should reuse a stored order instead of creating another.
     * `$order`: `status`, `credited`, `reviewReason` (non-empty ⇒ under review), `redirectUrl`,
     * `validUntil` (ms), `receiveAmount`, `receiveCurrency`, `invoiceAmount`. The wanted
     * order: receive amount and currency, and the invoice balance it settles.
     *
     * @param array $order
     * @param string $receiveAmount
     * @param string $receiveCurrency
     * @param string $invoiceAmount
     * @param int|null $nowMs
     * @return bool
     */
    function spectrocoin_order_reusable(array $order, string $receiveAmount, string $receiveCurrency, string $invoiceAmount, ?int $nowMs = null): bool {}

    /**
     * Signs `$data` with RSA-SHA1 (PKCS#1 v1.5) and returns the Base64 signature.
     * The key (PKCS#1 or PKCS#8 PEM) is parsed once per process.
     *
     * @throws \SpectroCoin\ConfigException the key is missing, encrypted, not RSA or damaged
     *
     * @param string $data
     * @param string $privateKeyPem
     * @return string
     */
    function spectrocoin_sign(string $data, string $privateKeyPem): string {}

    /**
     * The WHMCS transaction id of a callback's payment for a stored order
     * (`SC` + SpectroCoin's order id, as SpectroCoin's own module writes it), so the
     * ledger can be checked under lock before deciding.
     *
     * @param array $callback
     * @param array $order
     * @return string
     */
    function spectrocoin_transaction_id(array $callback, array $order): string {}

    /**
     * Verifies a Base64 RSA-SHA1 signature over `$data`. True only for an exact
     * valid signature; false for any other signature.
     *
     * @throws \SpectroCoin\ConfigException the public key does not parse or is not RSA
     *
     * @param string $data
     * @param string $signatureBase64
     * @param string $publicKeyPem
     * @return bool
     */
    function spectrocoin_verify(string $data, string $signatureBase64, string $publicKeyPem): bool {}

    /**
     * Verifies a raw legacy callback body (read it from php://input, never
     * $_POST) and returns its signed fields with canonical amounts, plus
     * `status` (int), `statusName`, `moneyReceived` (paid, partly, short or late) and `refunded` (REFUNDED: the
     * decision needs the invoice's `paymentRefunded`). SpectroCoin's key is `publicKey` if given,
     * else fetched from `publicKeyUrl` once per process and cached.
     *
     * @throws \SpectroCoin\CallbackException malformed, not for this merchant/project, unknown status
     * @throws \SpectroCoin\SignatureException the signature is not SpectroCoin's
     * @throws \SpectroCoin\NetworkException SpectroCoin's key could not be fetched
     * @throws \SpectroCoin\ConfigException bad configuration
     *
     * @param string $rawBody
     * @param array $merchant
     * @return array
     */
    function spectrocoin_verify_callback(string $rawBody, array $merchant): array {}
}
