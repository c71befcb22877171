//! PHP arrays in, PHP arrays out.

use std::borrow::Cow;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::zend_ini_entry;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable};
use ext_php_rs::zend::ExecutorGlobals;

use crate::core::callback::VerifiedCallback;
use crate::core::current::{FetchedOrder, DEFAULT_PUBLIC_API_URL};
use crate::core::decision::{CallbackFacts, Decision, InvoiceFacts, OrderRow};
use crate::core::error::{Error, Result};
use crate::core::merchant::{
    AuthenticCallback, ConfigReport, CreatedOrder, MerchantConfig, DEFAULT_API_URL,
    DEFAULT_PUBLIC_KEY_URL,
};
use crate::core::oauth::ClientCredentials;
use crate::core::order::{OrderInput, OrderResponse, SignedOrder};
use crate::core::reuse::StoredOrder;
use crate::core::status::{InvoiceStatus, RowStatus, Status};

/// The current value of one of our INI entries (`spectrocoin.*`), if set and non-empty.
/// One hash lookup in the engine's INI table: no copy of the whole table
/// (`ExecutorGlobals::ini_values()` copies every directive, ~1.8M instructions).
pub fn ini(name: &str) -> Option<String> {
    let globals = ExecutorGlobals::get();
    // SAFETY: `EG(ini_directives)` is set at engine startup and lives for the
    // request; it is null only before startup, which `as_ref` handles.
    let table = unsafe { globals.ini_directives.as_ref() }?;
    let entry = table.get(name)?;
    // SAFETY: the table holds `zend_ini_entry` pointers (zend_hash_add_ptr) owned
    // by the engine; the value is a zend_string owned by the entry. Both outlive
    // this call, and the bytes are copied before returning.
    let value = unsafe {
        let entry = entry.ptr::<zend_ini_entry>().and_then(|e| e.as_ref())?;
        entry
            .value
            .as_ref()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())?
    };
    (!value.is_empty()).then_some(value)
}

/// A string-valued entry: absent or null ⇒ `None`; int ⇒ its digits;
/// anything else (floats included: amounts must not pass through binary floats) ⇒ error.
/// Strings are borrowed from the array (which outlives the call).
pub fn text_ref<'a>(ht: &'a ZendHashTable, key: &str) -> Result<Option<Cow<'a, str>>> {
    // Our keys are never numeric strings: no numeric-key check.
    let Some(z) = ht.get(ArrayKey::Str(key)) else {
        return Ok(None);
    };
    match z.get_type() {
        DataType::Null => Ok(None),
        DataType::String => Ok(Some(Cow::Borrowed(z.str().unwrap_or_default()))),
        DataType::Long => Ok(z.long().map(|n| Cow::Owned(n.to_string()))),
        DataType::Double => Err(Error::config(format!(
            "{key} was given as a float; pass amounts and ids as strings (e.g. \"12.30\") so no precision is lost"
        ))),
        other => Err(Error::config(format!("{key} must be a string, got {other}"))),
    }
}

/// [`text_ref`], owned.
pub fn text(ht: &ZendHashTable, key: &str) -> Result<Option<String>> {
    Ok(text_ref(ht, key)?.map(Cow::into_owned))
}

fn required<'a>(ht: &'a ZendHashTable, key: &str) -> Result<Cow<'a, str>> {
    text_ref(ht, key)?.ok_or_else(|| Error::config(format!("{key} is required")))
}

fn flag(ht: &ZendHashTable, key: &str) -> bool {
    ht.get(key)
        .map(|z| match z.get_type() {
            DataType::True => true,
            DataType::Long => z.long().unwrap_or(0) != 0,
            DataType::String => matches!(z.str().unwrap_or(""), "1" | "on" | "yes" | "true"),
            _ => false,
        })
        .unwrap_or(false)
}

/// `$merchant` ⇒ configuration, borrowing the array's strings. URLs default to
/// the INI entries, then to SpectroCoin's.
pub fn merchant(ht: &ZendHashTable) -> Result<MerchantConfig<'_>> {
    let merchant_id = text_ref(ht, "merchantId")?;
    let project_id = required(ht, "projectId")?;
    let mut cfg = MerchantConfig::new("", "");
    cfg.merchant_id = trim_cow(merchant_id.unwrap_or_default());
    cfg.project_id = trim_cow(project_id);
    cfg.private_key_pem = text_ref(ht, "privateKey")?;
    let id = text_ref(ht, "clientId")?.map(trim_cow).unwrap_or_default();
    let secret = text_ref(ht, "clientSecret")?.unwrap_or_default();
    match (id.is_empty(), secret.is_empty()) {
        (false, false) => {
            cfg.client = Some(ClientCredentials {
                client_id: id.into_owned(),
                client_secret: secret.into_owned(),
            })
        }
        (true, true) => {}
        _ => {
            return Err(Error::config(
                "fill in both Client ID and Client secret (or neither)",
            ))
        }
    }
    let legacy_m = text_ref(ht, "legacyMerchantId")?
        .map(trim_cow)
        .unwrap_or_default();
    let legacy_p = text_ref(ht, "legacyProjectId")?
        .map(trim_cow)
        .unwrap_or_default();
    match (legacy_m.is_empty(), legacy_p.is_empty()) {
        (false, false) => cfg.legacy_numeric = Some((legacy_m, legacy_p)),
        (true, true) => {}
        _ => {
            return Err(Error::config(
                "fill in both the numeric Merchant ID and Project (API) ID (or neither)",
            ))
        }
    }
    cfg.public_key_pem = text_ref(ht, "publicKey")?;
    // Each URL: the merchant array, else our INI entry, else SpectroCoin's; read the same
    // way by every function, so a check sees exactly what a payment would use.
    let url = |key: &str, entry: &str, default: &'static str| -> Result<Cow<'_, str>> {
        Ok(match text_ref(ht, key)?.filter(|u| !u.is_empty()) {
            Some(u) => u,
            None => match ini(entry) {
                Some(u) => Cow::Owned(u),
                None => Cow::Borrowed(default),
            },
        })
    };
    cfg.api_url = url("apiUrl", "spectrocoin.api_url", DEFAULT_API_URL)?;
    cfg.public_api_url = url(
        "publicApiUrl",
        "spectrocoin.public_api_url",
        DEFAULT_PUBLIC_API_URL,
    )?;
    cfg.public_key_url = url(
        "publicKeyUrl",
        "spectrocoin.public_key_url",
        DEFAULT_PUBLIC_KEY_URL,
    )?;
    let timeout = match ht.get("timeout") {
        Some(z) if z.get_type() == DataType::Double => z.double(),
        Some(z) if z.get_type() == DataType::Long => z.long().map(|n| n as f64),
        Some(z) if z.get_type() == DataType::String => Some(
            z.str()
                .unwrap_or("")
                .trim()
                .parse::<f64>()
                .map_err(|_| Error::config("timeout must be a number of seconds"))?,
        ),
        Some(z) if z.get_type() != DataType::Null => {
            return Err(Error::config("timeout must be a number of seconds"))
        }
        _ => ini("spectrocoin.timeout").and_then(|t| t.parse::<f64>().ok()),
    };
    if let Some(t) = timeout {
        cfg.set_timeout_secs(t)?;
    }
    Ok(cfg)
}

/// The text without surrounding blanks, still borrowed when it was.
fn trim_cow(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim().to_owned()),
    }
}

/// `$order` ⇒ order input.
pub fn order(ht: &ZendHashTable) -> Result<OrderInput> {
    Ok(OrderInput {
        order_id: text(ht, "orderId")?.unwrap_or_default(),
        pay_currency: text(ht, "payCurrency")?.filter(|c| !c.is_empty()),
        pay_amount: text(ht, "payAmount")?.filter(|a| !a.is_empty()),
        receive_currency: required(ht, "receiveCurrency")?.into_owned(),
        receive_amount: text(ht, "receiveAmount")?,
        description: text(ht, "description")?.unwrap_or_default(),
        culture: text(ht, "culture")?,
        callback_url: text(ht, "callbackUrl")?.unwrap_or_default(),
        success_url: text(ht, "successUrl")?.unwrap_or_default(),
        failure_url: text(ht, "failureUrl")?.unwrap_or_default(),
        payer_email: text(ht, "payerEmail")?,
        payer_name: text(ht, "payerName")?,
        payer_surname: text(ht, "payerSurname")?,
    })
}

/// Builds a PHP array; insert errors only happen on allocation failure. Keys are
/// our field names, never numeric strings, so they skip ext-php-rs' numeric-key check.
pub struct ArrayOut(ZBox<ZendHashTable>);

impl ArrayOut {
    pub fn new() -> Self {
        ArrayOut(ZendHashTable::new())
    }
    /// Room for `n` entries up front (no rehash while filling).
    pub fn with_capacity(n: u32) -> Self {
        ArrayOut(ZendHashTable::with_capacity(n))
    }
    fn put(mut self, k: &str, v: impl ext_php_rs::convert::IntoZval) -> Self {
        debug_assert!(k.parse::<i64>().is_err(), "numeric key {k}");
        let _ = self.0.insert(ArrayKey::Str(k), v);
        self
    }
    pub fn str(self, k: &str, v: &str) -> Self {
        self.put(k, v)
    }
    pub fn opt_str(self, k: &str, v: Option<&str>) -> Self {
        self.put(k, v)
    }
    pub fn int(self, k: &str, v: i64) -> Self {
        self.put(k, v)
    }
    pub fn opt_int(self, k: &str, v: Option<i64>) -> Self {
        self.put(k, v)
    }
    pub fn opt_bool(self, k: &str, v: Option<bool>) -> Self {
        self.put(k, v)
    }
    pub fn bool(self, k: &str, v: bool) -> Self {
        self.put(k, v)
    }
    pub fn opt_arr(self, k: &str, v: Option<ZBox<ZendHashTable>>) -> Self {
        self.put(k, v)
    }
    pub fn done(self) -> ZBox<ZendHashTable> {
        self.0
    }
}

impl Default for ArrayOut {
    fn default() -> Self {
        Self::new()
    }
}

pub fn signed_order(s: &SignedOrder) -> ZBox<ZendHashTable> {
    ArrayOut::new()
        .str("signedString", &s.signed_string)
        .str("sign", &s.sign)
        .str("body", &s.body)
        .done()
}

pub fn created_order(c: &CreatedOrder) -> ZBox<ZendHashTable> {
    order_fields(&c.response)
        .str("api", c.api.name())
        .opt_str("preOrderId", c.pre_order_id.as_deref())
        .done()
}

fn order_fields(r: &OrderResponse) -> ArrayOut {
    ArrayOut::new()
        .opt_int("orderRequestId", r.order_request_id)
        .str("orderId", &r.order_id)
        .opt_str("payCurrency", r.pay_currency.as_deref())
        .opt_str("payAmount", r.pay_amount.as_deref())
        .opt_str("receiveCurrency", r.receive_currency.as_deref())
        .opt_str("receiveAmount", r.receive_amount.as_deref())
        .opt_str("depositAddress", r.deposit_address.as_deref())
        .str("redirectUrl", &r.redirect_url)
        .opt_int("validUntil", r.valid_until)
        .bool("preOrder", r.pre_order)
}

pub fn verified_callback(cb: &VerifiedCallback) -> ZBox<ZendHashTable> {
    let mut out = ArrayOut::with_capacity(16);
    for (name, value) in &cb.fields {
        if *name != "status" {
            out = out.str(name, value);
        }
    }
    out.int("status", cb.status.code())
        .str("statusName", cb.status.name())
        .bool("moneyReceived", cb.status.money_received())
        .bool("refunded", cb.status == Status::Refunded)
        .bool("idsVerified", cb.ids_signed)
        .done()
}

pub fn authentic_callback(cb: &AuthenticCallback) -> ZBox<ZendHashTable> {
    let mut out = ArrayOut::new();
    for (name, value) in &cb.fields {
        out = out.str(name, value);
    }
    out.int("status", cb.status.code())
        .str("statusName", cb.status.name())
        .bool("moneyReceived", cb.status.money_received())
        .bool("refunded", cb.status == Status::Refunded)
        .str("format", cb.format.name())
        .bool("idsVerified", cb.ids_verified)
        .done()
}

pub fn fetched_order(o: &FetchedOrder) -> ZBox<ZendHashTable> {
    ArrayOut::new()
        .str("id", &o.id)
        .str("orderId", &o.order_id)
        .int("status", o.status.code())
        .str("statusName", o.status.name())
        .opt_str("merchantPreOrderId", o.pre_order_id.as_deref())
        .str("receiveAmount", &o.receive_amount)
        .str("receiveCurrency", &o.receive_currency)
        .opt_str("payAmount", o.pay_amount.as_deref())
        .opt_str("payCurrency", o.pay_currency.as_deref())
        .done()
}

/// `$callback` (as returned by `spectrocoin_handle_callback`) ⇒ decision facts. An
/// array proves nothing: its ids count as unverified whatever it says (the
/// verified `SpectroCoin\Callback` object carries that trust).
pub fn callback_facts(ht: &ZendHashTable) -> Result<(CallbackFacts, crate::core::status::Status)> {
    let status_text =
        text(ht, "status")?.ok_or_else(|| Error::callback("callback has no status"))?;
    let status = crate::core::status::Status::parse(&status_text)?;
    Ok((
        CallbackFacts {
            order_id: text(ht, "orderId")?.unwrap_or_default(),
            order_request_id: text(ht, "orderRequestId")?.unwrap_or_default(),
            receive_currency: text(ht, "receiveCurrency")?.unwrap_or_default(),
            receive_amount: text(ht, "receiveAmount")?.unwrap_or_default(),
            pay_amount: text(ht, "payAmount")?.filter(|s| !s.is_empty()),
            pay_currency: text(ht, "payCurrency")?.filter(|s| !s.is_empty()),
            pre_order_id: text(ht, "merchantPreOrderId")?.filter(|s| !s.is_empty()),
            ids_verified: false,
        },
        status,
    ))
}

/// An authenticated callback ⇒ decision facts, with the trust it earned.
pub fn authentic_facts(cb: &AuthenticCallback) -> CallbackFacts {
    let get = |name: &str| {
        cb.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    CallbackFacts {
        order_id: get("orderId").unwrap_or_default(),
        order_request_id: get("orderRequestId").unwrap_or_default(),
        receive_currency: get("receiveCurrency").unwrap_or_default(),
        receive_amount: get("receiveAmount").unwrap_or_default(),
        pay_amount: get("payAmount"),
        pay_currency: get("payCurrency"),
        pre_order_id: get("merchantPreOrderId"),
        ids_verified: cb.ids_verified,
    }
}

pub fn order_row(ht: &ZendHashTable) -> Result<OrderRow> {
    Ok(OrderRow {
        order_id: required(ht, "orderId")?.into_owned(),
        order_request_id: text(ht, "orderRequestId")?.filter(|s| !s.is_empty()),
        order_number: text(ht, "orderNumber")?.filter(|s| !s.is_empty()),
        order_uuid: text(ht, "orderUuid")?.filter(|s| !s.is_empty()),
        receive_currency: required(ht, "receiveCurrency")?.into_owned(),
        receive_amount: required(ht, "receiveAmount")?.into_owned(),
        invoice_amount: text(ht, "invoiceAmount")?.unwrap_or_default(),
        invoice_currency: text(ht, "invoiceCurrency")?.unwrap_or_default(),
        pay_amount_known: text(ht, "payAmount")?.is_some_and(|s| !s.is_empty()),
        status: RowStatus::parse(&text(ht, "status")?.unwrap_or_default())?,
        credited: flag(ht, "credited"),
        pending_set: flag(ht, "pendingSet"),
        pre_order_id: text(ht, "preOrderId")?.filter(|s| !s.is_empty()),
        create_refused: flag(ht, "createRefused"),
        refund_recorded: flag(ht, "refundRecorded"),
    })
}

pub fn invoice_facts(ht: &ZendHashTable) -> Result<InvoiceFacts> {
    Ok(InvoiceFacts {
        status: InvoiceStatus::parse(&required(ht, "status")?),
        transaction_exists: flag(ht, "transactionExists"),
        payment_refunded: flag(ht, "paymentRefunded"),
    })
}

pub fn stored_order(ht: &ZendHashTable) -> Result<StoredOrder> {
    let valid_until_ms = match text(ht, "validUntil")? {
        Some(v) if !v.is_empty() => Some(
            v.trim()
                .parse::<i64>()
                .map_err(|_| Error::config("validUntil must be milliseconds since the epoch"))?,
        ),
        _ => None,
    };
    Ok(StoredOrder {
        // Only a status name exactly as the module stores it; anything else (empty, another
        // case, no status) is unknown, and such an order is never reused.
        status: text(ht, "status")?.and_then(|t| {
            RowStatus::parse(&t)
                .ok()
                .filter(|r| !t.is_empty() && r.name() == t)
        }),
        credited: flag(ht, "credited"),
        needs_review: text(ht, "reviewReason")?.is_some_and(|r| !r.is_empty()),
        has_redirect: text(ht, "redirectUrl")?.is_some_and(|r| !r.is_empty()),
        valid_until_ms,
        receive_amount: text(ht, "receiveAmount")?.unwrap_or_default(),
        receive_currency: text(ht, "receiveCurrency")?.unwrap_or_default(),
        invoice_amount: text(ht, "invoiceAmount")?.unwrap_or_default(),
    })
}

pub fn config_report(r: &ConfigReport) -> ZBox<ZendHashTable> {
    let mut out = ArrayOut::new()
        .bool("legacy", r.legacy)
        .bool("current", r.current)
        .opt_str(
            "idScheme",
            r.id_scheme.map(|s| match s {
                crate::core::ids::IdScheme::Numeric => "numeric",
                crate::core::ids::IdScheme::Uuid => "uuid",
            }),
        )
        .done();
    let _ = out.insert("warnings", r.warnings.clone());
    out
}

pub fn decision(d: &Decision) -> ZBox<ZendHashTable> {
    let r = &d.row;
    let row = ArrayOut::new()
        .str("status", r.status.name())
        .opt_bool("pendingSet", r.pending_set)
        .bool("credited", r.credited)
        .opt_str("transId", r.trans_id.as_deref())
        .opt_str("reviewReason", r.review_reason.as_deref())
        .opt_str("orderRequestId", r.order_request_id.as_deref())
        .opt_str("orderNumber", r.order_number.as_deref())
        .opt_str("orderUuid", r.order_uuid.as_deref())
        .opt_str("payAmount", r.pay_amount.as_deref())
        .opt_str("payCurrency", r.pay_currency.as_deref())
        .done();
    let apply = d.apply.as_ref().map(|p| {
        ArrayOut::new()
            .str("transId", &p.trans_id)
            .str("amount", &p.amount)
            .str("currency", &p.currency)
            .done()
    });
    let refund = d.refund.as_ref().map(|f| {
        ArrayOut::new()
            .str("transId", &f.trans_id)
            .str("amount", &f.amount)
            .str("currency", &f.currency)
            .str("originalTransId", &f.original_trans_id)
            .done()
    });
    let invoice = d.invoice.map(|m| {
        ArrayOut::new()
            .str("from", m.from.name())
            .str("to", m.to.name())
            .done()
    });
    ArrayOut::new()
        .str("action", d.action.name())
        .str("transId", &d.trans_id)
        .str("message", &d.message)
        .opt_arr("row", Some(row))
        .opt_arr("apply", apply)
        .opt_arr("invoice", invoice)
        .opt_arr("refund", refund)
        .done()
}
