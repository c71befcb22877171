//! The PHP face of the extension: functions, exceptions, INI, phpinfo().
//! Every function converts its arguments, calls the core, converts back.
//! Errors become exceptions in one place, `errors.rs`.

// PHP parameter names are camelCase, as PHP callers and the stubs spell them.
#![allow(non_snake_case)]

pub mod convert;
pub mod errors;

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::core::{amount, decision, keys, reuse, signature};
use errors::*;

/// PHP API version, PHP version and NTS/ZTS this `.so` was built for.
pub const BUILD_PHP_API: &str = env!("SPECTROCOIN_PHP_API");
pub const BUILD_PHP_VERSION: &str = env!("SPECTROCOIN_PHP_VERSION");
pub const BUILD_PHP_THREADING: &str = env!("SPECTROCOIN_PHP_THREADING");

static INI_ENTRIES: IniEntryDefs<5> = IniEntryDefs::new([
    IniEntryDef::new(c"spectrocoin.public_api_url", c"", IniEntryPermission::All),
    IniEntryDef::new(c"spectrocoin.api_url", c"", IniEntryPermission::All),
    IniEntryDef::new(c"spectrocoin.public_key_url", c"", IniEntryPermission::All),
    IniEntryDef::new(c"spectrocoin.timeout", c"", IniEntryPermission::All),
    IniEntryDef::end(),
]);

/// Formats a decimal string with SpectroCoin's `0.0#######` pattern
/// (`"12.30"` ⇒ `"12.3"`, `"100"` ⇒ `"100.0"`).
///
/// @throws \SpectroCoin\ConfigException anything but a plain decimal with at most 8 decimals
#[php_function]
pub fn spectrocoin_format_amount(amount: String) -> PhpResult<String> {
    Ok(amount::format_amount(&amount)?)
}

/// Signs `$data` with RSA-SHA1 (PKCS#1 v1.5) and returns the Base64 signature.
/// The key (PKCS#1 or PKCS#8 PEM) is parsed once per process.
///
/// @throws \SpectroCoin\ConfigException the key is missing, encrypted, not RSA or damaged
#[php_function]
pub fn spectrocoin_sign(data: BinarySlice<u8>, privateKeyPem: String) -> PhpResult<String> {
    let key = keys::private_key(&privateKeyPem)?;
    Ok(signature::sign(&data, &key)?)
}

/// Verifies a Base64 RSA-SHA1 signature over `$data`. True only for an exact
/// valid signature; false for any other signature.
///
/// @throws \SpectroCoin\ConfigException the public key does not parse or is not RSA
#[php_function]
pub fn spectrocoin_verify(
    data: BinarySlice<u8>,
    signatureBase64: String,
    publicKeyPem: String,
) -> PhpResult<bool> {
    let key = keys::public_key(&publicKeyPem)?;
    Ok(signature::verify(&data, &signatureBase64, &key))
}

/// Builds and signs a createOrder request without sending it.
///
/// `$merchant`: `merchantId`, `projectId` (both numeric or both UUIDs), `privateKey` (PEM),
/// optional `apiUrl`, `publicKey`, `publicKeyUrl`, `timeout` (seconds), and for the current API
/// `clientId`, `clientSecret`, `publicApiUrl` (then `projectId` is the project UUID), and
/// `legacyMerchantId`/`legacyProjectId`: the project's numeric ids, with which signed
/// legacy callbacks are bound to a UUID configuration (only numeric ids are signed).
/// `$order`: `orderId`, `payCurrency` (default BTC), `payAmount`, `receiveCurrency`,
/// `receiveAmount`, `description`, `culture` (default en), `callbackUrl`, `successUrl`,
/// `failureUrl`, optional `payerEmail`, `payerName`, `payerSurname`. Amounts as strings.
///
/// @return array{signedString: string, sign: string, body: string}
/// @throws \SpectroCoin\ConfigException
#[php_function]
pub fn spectrocoin_order_request(
    merchant: &ZendHashTable,
    order: &ZendHashTable,
) -> PhpResult<ZBox<ZendHashTable>> {
    let cfg = convert::merchant(merchant)?;
    let signed = cfg.order_request(&convert::order(order)?)?;
    Ok(convert::signed_order(&signed))
}

/// Creates the order at SpectroCoin and returns the normalized answer. With
/// `clientId`/`clientSecret` in `$merchant` it goes through the current API
/// (OAuth, POST {publicApiUrl}/merchants/orders/create, a pre-order); otherwise
/// through the legacy signed API (POST {apiUrl}/createOrder, needs `privateKey`).
/// Answer: `api` (`current` or `legacy`), `preOrderId` (?string, current API),
/// `orderRequestId` (?int; null for a pre-order),
/// `orderId`, `payCurrency`, `payAmount`, `receiveCurrency`, `receiveAmount`,
/// `depositAddress` (?string), `redirectUrl`, `validUntil` (?int, ms since epoch),
/// `preOrder` (bool).
///
/// @throws \SpectroCoin\ConfigException bad configuration or order
/// @throws \SpectroCoin\ApiException SpectroCoin refused it; getCode() is its first error code
/// (legacy) or the HTTP status (current API: 404, 422, 429, 5xx)
/// @throws \SpectroCoin\NetworkException not reachable, timed out, or an unexpected answer
#[php_function]
pub fn spectrocoin_create_order(
    merchant: &ZendHashTable,
    order: &ZendHashTable,
) -> PhpResult<ZBox<ZendHashTable>> {
    let cfg = convert::merchant(merchant)?;
    let created = cfg.create_order(&convert::order(order)?)?;
    Ok(convert::created_order(&created))
}

/// Verifies a raw legacy callback body (read it from php://input, never
/// $_POST) and returns its signed fields with canonical amounts, plus
/// `status` (int), `statusName`, `moneyReceived` (paid, partly, short or late) and `refunded` (REFUNDED: the
/// decision needs the invoice's `paymentRefunded`). SpectroCoin's key is `publicKey` if given,
/// else fetched from `publicKeyUrl` once per process and cached.
///
/// @throws \SpectroCoin\CallbackException malformed, not for this merchant/project, unknown status
/// @throws \SpectroCoin\SignatureException the signature is not SpectroCoin's
/// @throws \SpectroCoin\NetworkException SpectroCoin's key could not be fetched
/// @throws \SpectroCoin\ConfigException bad configuration
#[php_function]
pub fn spectrocoin_verify_callback(
    rawBody: BinarySlice<u8>,
    merchant: &ZendHashTable,
) -> PhpResult<ZBox<ZendHashTable>> {
    let cfg = convert::merchant(merchant)?;
    let cb = cfg.verify_callback(&rawBody)?;
    Ok(convert::verified_callback(&cb))
}

/// Authenticates a callback of either SpectroCoin format, chosen by `$contentType`
/// (pass `$_SERVER['CONTENT_TYPE']`) and the raw body (php://input):
/// * `application/x-www-form-urlencoded`: a legacy signed callback, verified as
///   spectrocoin_verify_callback does;
/// * `application/json`: `{"id", "merchantApiId"}`; the project must be ours, and
///   the order is re-fetched with our OAuth token: only fetched fields are returned.
///
/// Returns the facts for spectrocoin_decide: `idsVerified` (our ids are covered by
/// SpectroCoin's signature, or the order was fetched with our token), `orderId`, `orderRequestId` (SpectroCoin's
/// order id: numeric for legacy, the order UUID for JSON), `receiveCurrency`,
/// `receiveAmount`, `payCurrency`, `payAmount`, …, `status` (int), `statusName`,
/// `moneyReceived` (paid, partly, short or late), `refunded` (REFUNDED: the decision needs the
/// invoice's `paymentRefunded`), and `format` (`legacy` or `json`; JSON adds `id` and `merchantPreOrderId`).
///
/// @throws \SpectroCoin\CallbackException malformed, not ours, unknown order or status
/// @throws \SpectroCoin\ForeignCallbackException names another merchant or project than the configured one
/// @throws \SpectroCoin\SignatureException a legacy signature that is not SpectroCoin's
/// @throws \SpectroCoin\NetworkException SpectroCoin unreachable or busy (429/5xx): answer 503 so it retries
/// @throws \SpectroCoin\ConfigException credentials missing or rejected
#[php_function]
pub fn spectrocoin_handle_callback(
    rawBody: BinarySlice<u8>,
    contentType: String,
    merchant: &ZendHashTable,
) -> PhpResult<ZBox<ZendHashTable>> {
    let cfg = convert::merchant(merchant)?;
    let cb = cfg.handle_callback(&rawBody, &contentType)?;
    Ok(convert::authentic_callback(&cb))
}

/// A callback the extension authenticated (spectrocoin_authenticate_callback), with the
/// trust it earned: PHP cannot construct, unserialize or change one, so "our ids are proven"
/// travels with the facts instead of as an array key any caller can set. The module decides
/// with it in one pass: no callback array goes back into the extension.
#[php_class]
#[php(name = "SpectroCoin\\Callback")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final.union(ext_php_rs::flags::ClassFlags::NotSerializable))]
pub struct AuthenticatedCallback {
    callback: crate::core::merchant::AuthenticCallback,
    facts: decision::CallbackFacts,
}

#[php_impl]
impl AuthenticatedCallback {
    /// The authenticated fields, as spectrocoin_handle_callback returns them (for logs).
    pub fn to_array(&self) -> ZBox<ZendHashTable> {
        convert::authentic_callback(&self.callback)
    }

    /// Our orderId at SpectroCoin, the key to our order row.
    pub fn order_id(&self) -> String {
        self.facts.order_id.clone()
    }

    /// The WHMCS transaction id this callback's payment has for a stored order
    /// (as spectrocoin_transaction_id), so the ledger is checked under lock before deciding.
    pub fn transaction_id(&self, order: &ZendHashTable) -> PhpResult<String> {
        Ok(decision::transaction_id(
            &self.facts,
            &convert::order_row(order)?,
        ))
    }

    /// What this callback does (spectrocoin_decide's answer, with this callback's proven ids).
    ///
    /// @throws \SpectroCoin\CallbackException the callback does not match the order
    #[php(defaults(markPending = true, recordRefunds = false))]
    pub fn decide(
        &self,
        order: &ZendHashTable,
        invoice: &ZendHashTable,
        markPending: bool,
        recordRefunds: bool,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let d = decision::decide(
            &self.facts,
            self.callback.status,
            &convert::order_row(order)?,
            &convert::invoice_facts(invoice)?,
            decision::Options {
                mark_pending: markPending,
                record_refunds: recordRefunds,
            },
        )?;
        Ok(convert::decision(&d))
    }
}

/// Authenticates a callback as spectrocoin_handle_callback does, and returns it as a
/// `SpectroCoin\Callback` object that carries its proof (decide() and transactionId() on it).
///
/// @throws \SpectroCoin\CallbackException malformed, not ours, unknown order or status
/// @throws \SpectroCoin\ForeignCallbackException names another merchant or project than the configured one
/// @throws \SpectroCoin\SignatureException a legacy signature that is not SpectroCoin's
/// @throws \SpectroCoin\NetworkException SpectroCoin unreachable or busy (429/5xx): answer 503 so it retries
/// @throws \SpectroCoin\ConfigException credentials missing or rejected
#[php_function]
pub fn spectrocoin_authenticate_callback(
    rawBody: BinarySlice<u8>,
    contentType: String,
    merchant: &ZendHashTable,
) -> PhpResult<AuthenticatedCallback> {
    let cfg = convert::merchant(merchant)?;
    let callback = cfg.handle_callback(&rawBody, &contentType)?;
    let facts = convert::authentic_facts(&callback);
    Ok(AuthenticatedCallback { callback, facts })
}

/// Fetches an order from SpectroCoin's current API (GET {publicApiUrl}/merchants/orders/{id})
/// with the merchant's OAuth client credentials (`clientId`, `clientSecret`).
///
/// @return array{id: string, orderId: string, status: int, statusName: string, merchantPreOrderId: ?string, receiveAmount: string, receiveCurrency: string, payAmount: ?string, payCurrency: ?string}
/// @throws \SpectroCoin\ConfigException credentials missing or rejected (401), IP not allowed (403)
/// @throws \SpectroCoin\ApiException 404, 422, or 429/5xx (temporary); getCode() is the HTTP status
/// @throws \SpectroCoin\NetworkException not reachable or timed out
#[php_function]
pub fn spectrocoin_fetch_order(
    merchant: &ZendHashTable,
    id: String,
) -> PhpResult<ZBox<ZendHashTable>> {
    let cfg = convert::merchant(merchant)?;
    Ok(convert::fetched_order(&cfg.fetch_order(&id)?))
}

/// Checks a merchant configuration offline: ids, the private key (parsed and
/// RSA), the OAuth settings; with `$online` also fetches a fresh OAuth token to
/// prove the client credentials. For the WHMCS settings page (`_config_validate`).
///
/// @return array{legacy: bool, current: bool, idScheme: ?string, warnings: list<string>}
/// @throws \SpectroCoin\ConfigException what is wrong, in words an admin can act on
/// @throws \SpectroCoin\NetworkException (online) SpectroCoin could not be reached
#[php_function]
#[php(defaults(online = false))]
pub fn spectrocoin_check_config(
    merchant: &ZendHashTable,
    online: bool,
) -> PhpResult<ZBox<ZendHashTable>> {
    let report = convert::merchant(merchant)?.check(online)?;
    Ok(convert::config_report(&report))
}

/// Describes the merchant's private key for the settings page, without anything secret: the
/// algorithm (`RSA`), its `bits`, `fingerprintSha256` (SHA-256 of the public key's DER
/// SubjectPublicKeyInfo as lowercase hex pairs joined by colons, as
/// `openssl pkey -in key.pem -pubout -outform DER | openssl dgst -sha256 -c` prints it) and
/// `publicKeyPem`, the public key to register in the SpectroCoin project. The private key is
/// never returned. Parsed as spectrocoin_sign parses it (once per process).
///
/// @return array{algorithm: string, bits: int, fingerprintSha256: string, publicKeyPem: string}
/// @throws \SpectroCoin\ConfigException the key is missing, encrypted, not RSA or damaged
#[php_function]
pub fn spectrocoin_describe_key(privateKeyPem: String) -> PhpResult<ZBox<ZendHashTable>> {
    let d = keys::describe_private_key(&privateKeyPem)?;
    Ok(convert::ArrayOut::new()
        .str("algorithm", d.algorithm)
        .int("bits", i64::from(d.bits))
        .str("fingerprintSha256", &d.fingerprint_sha256)
        .str("publicKeyPem", &d.public_key_pem)
        .done())
}

/// The WHMCS transaction id of a callback's payment for a stored order
/// (`SC` + SpectroCoin's order id, as SpectroCoin's own module writes it), so the
/// ledger can be checked under lock before deciding.
#[php_function]
pub fn spectrocoin_transaction_id(
    callback: &ZendHashTable,
    order: &ZendHashTable,
) -> PhpResult<String> {
    let (facts, _) = convert::callback_facts(callback)?;
    Ok(decision::transaction_id(
        &facts,
        &convert::order_row(order)?,
    ))
}

/// Whether Pay Now should reuse a stored order instead of creating another.
/// `$order`: `status`, `credited`, `reviewReason` (non-empty ⇒ under review), `redirectUrl`,
/// `validUntil` (ms), `receiveAmount`, `receiveCurrency`, `invoiceAmount`. The wanted
/// order: receive amount and currency, and the invoice balance it settles.
#[php_function]
#[php(defaults(nowMs = None))]
pub fn spectrocoin_order_reusable(
    order: &ZendHashTable,
    receiveAmount: String,
    receiveCurrency: String,
    invoiceAmount: String,
    nowMs: Option<i64>,
) -> PhpResult<bool> {
    let stored = convert::stored_order(order)?;
    let now = nowMs.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    });
    Ok(reuse::order_reusable(
        &stored,
        &receiveAmount,
        &receiveCurrency,
        &invoiceAmount,
        now,
    ))
}

/// Decides what a callback does (pure; no I/O). The module uses
/// `SpectroCoin\Callback::decide()`; an array proves nothing, so here the callback's
/// ids count as unverified whatever `idsVerified` says.
///
/// `$callback`: as returned by spectrocoin_handle_callback.
/// `$order`: the stored order: `orderId`, `orderRequestId`, `receiveCurrency`, `receiveAmount`
/// (as sent), `invoiceAmount` and `invoiceCurrency` (what a payment credits), `payAmount`
/// (null until known), `status` (last status name, or CREATED), `credited`, `pendingSet`,
/// `preOrderId` (current API; must match the callback's `merchantPreOrderId`),
/// `createRefused` (SpectroCoin answered our create with an error: no such order of ours), and
/// `refundRecorded` (we recorded SpectroCoin's refund of it in WHMCS, confirmed).
/// `$invoice`: `status` (WHMCS invoice status), `transactionExists` (tblaccounts has transId),
/// `paymentRefunded` (tblaccounts holds a refund of that payment: a row whose refundid is its row).
/// `$recordRefunds`: the "Record SpectroCoin refunds in WHMCS" setting.
///
/// The answer names every effect; execute it, derive nothing:
/// * `row`: the row fields to write: `status`, `pendingSet` (null: unchanged), `credited`
///   (the payment is in WHMCS), `transId`, `reviewReason`, `orderRequestId`, `payAmount`,
///   `payCurrency` (null: leave as is);
/// * `apply`: null, or `{transId, amount, currency}`: claim it on the row, apply it with
///   addInvoicePayment outside any transaction, confirm;
/// * `invoice`: null, or `{from, to}`: the invoice status to set (never Paid, never Cancelled);
/// * `refund`: null, or `{transId, amount, currency, originalTransId}` (REFUNDED of a credited
///   order, `$recordRefunds` on): claim it on the row, record it as WHMCS's "Manual Refund
///   Processed Externally" does (refundInvoicePayment without the gateway), confirm.
///
/// @return array{action: string, transId: string, message: string, row: array, apply: ?array, invoice: ?array, refund: ?array}
/// action (for the log): credit, already_credited, hold, pending, close, record, test, review, refund,
/// record_refund or ignore.
/// @throws \SpectroCoin\CallbackException the callback does not match the order
#[php_function]
#[php(defaults(markPending = true, recordRefunds = false))]
pub fn spectrocoin_decide(
    callback: &ZendHashTable,
    order: &ZendHashTable,
    invoice: &ZendHashTable,
    markPending: bool,
    recordRefunds: bool,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (facts, status) = convert::callback_facts(callback)?;
    let row = convert::order_row(order)?;
    let inv = convert::invoice_facts(invoice)?;
    let d = decision::decide(
        &facts,
        status,
        &row,
        &inv,
        decision::Options {
            mark_pending: markPending,
            record_refunds: recordRefunds,
        },
    )?;
    Ok(convert::decision(&d))
}

/// This build: `version`, `phpApi`, `phpVersion`, `threading` (NTS/ZTS) it was
/// built for, and the `openssl` version in use.
#[php_function]
pub fn spectrocoin_info() -> ZBox<ZendHashTable> {
    convert::ArrayOut::new()
        .str("version", env!("CARGO_PKG_VERSION"))
        .str("phpApi", BUILD_PHP_API)
        .str("phpVersion", BUILD_PHP_VERSION)
        .str("threading", BUILD_PHP_THREADING)
        .str("openssl", openssl::version::version())
        .done()
}

extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    IniEntryDef::register(INI_ENTRIES.as_slice(), module_number);
    0
}

extern "C" fn module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("spectrocoin support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    info_table_row!("built for PHP API", BUILD_PHP_API);
    info_table_row!("built for PHP", BUILD_PHP_VERSION);
    info_table_row!("thread safety", BUILD_PHP_THREADING);
    info_table_row!("OpenSSL", openssl::version::version());
    info_table_end!();
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<SpectroCoinException>()
        .class::<ConfigException>()
        .class::<ApiException>()
        .class::<NetworkException>()
        .class::<CallbackException>()
        .class::<SignatureException>()
        .class::<ForeignCallbackException>()
        .class::<AuthenticatedCallback>()
        .function(wrap_function!(spectrocoin_format_amount))
        .function(wrap_function!(spectrocoin_sign))
        .function(wrap_function!(spectrocoin_verify))
        .function(wrap_function!(spectrocoin_order_request))
        .function(wrap_function!(spectrocoin_create_order))
        .function(wrap_function!(spectrocoin_verify_callback))
        .function(wrap_function!(spectrocoin_handle_callback))
        .function(wrap_function!(spectrocoin_authenticate_callback))
        .function(wrap_function!(spectrocoin_fetch_order))
        .function(wrap_function!(spectrocoin_decide))
        .function(wrap_function!(spectrocoin_transaction_id))
        .function(wrap_function!(spectrocoin_order_reusable))
        .function(wrap_function!(spectrocoin_check_config))
        .function(wrap_function!(spectrocoin_describe_key))
        .function(wrap_function!(spectrocoin_info))
        .info_function(module_info)
}
