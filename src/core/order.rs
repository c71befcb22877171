//! The legacy createOrder request (fields in signing order), sending it, and the
//! normalized answer.

use openssl::pkey::Private;
use openssl::rsa::Rsa;
use std::time::Duration;

use serde_json::Value;

use crate::core::amount::{format_amount, is_zero};
use crate::core::answer::{amount, redirect_url, text, valid_until};
use crate::core::error::{ApiFault, Error, Result};
use crate::core::form::{encode_pairs, urlencode};
use crate::core::http::{self, excerpt, Answer};
use crate::core::ids::MerchantIds;
use crate::core::signature::sign;

/// An order as the merchant describes it, in SpectroCoin's own field names.
/// `None` means "not given": defaults apply, and payer fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderInput {
    pub order_id: String,
    pub pay_currency: Option<String>,
    pub pay_amount: Option<String>,
    pub receive_currency: String,
    pub receive_amount: Option<String>,
    pub description: String,
    pub culture: Option<String>,
    pub callback_url: String,
    pub success_url: String,
    pub failure_url: String,
    pub payer_email: Option<String>,
    pub payer_name: Option<String>,
    pub payer_surname: Option<String>,
}

/// A signed request, ready to POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOrder {
    /// Fields 1–15 as sent, form-encoded: what the signature covers.
    pub signed_string: String,
    /// Base64 RSA-SHA1 signature of `signed_string`.
    pub sign: String,
    /// The wire body: `signed_string&sign=…`.
    pub body: String,
}

/// Free text may not carry `*`: PHP encodes it as `%2A`, Java's decoder on
/// SpectroCoin's side re-encodes it literally, and the signature breaks.
/// We replace it with `-` (a documented divergence from the official plugins).
fn free_text(s: &str) -> String {
    s.replace('*', "-")
}

/// A currency code, upper-cased: 2 to 10 ASCII letters or digits (the one rule for both APIs).
pub(crate) fn currency(code: &str, field: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    if (2..=10).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(c)
    } else {
        Err(Error::config(format!(
            "{field} {code:?} is not a currency code"
        )))
    }
}

/// An optional http(s) URL we hand to SpectroCoin, trimmed; no `*`, spaces or control
/// characters (the one rule for both APIs).
pub(crate) fn url(u: &str, field: &str) -> Result<String> {
    let u = u.trim();
    if u.is_empty() {
        return Ok(String::new());
    }
    if !(u.starts_with("https://") || u.starts_with("http://")) {
        return Err(Error::config(format!(
            "{field} must be an http(s) URL, got {u:?}"
        )));
    }
    if u.contains('*') || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::config(format!(
            "{field} contains '*', spaces or control characters"
        )));
    }
    Ok(u.to_owned())
}

/// The fields of the request in signing order (table 1.2 of the API doc).
pub fn order_fields(ids: &MerchantIds, order: &OrderInput) -> Result<Vec<(&'static str, String)>> {
    if order.order_id.contains('*')
        || order.order_id.len() > 64
        || order.order_id.chars().any(char::is_control)
    {
        return Err(Error::config(format!(
            "orderId {:?} must be at most 64 characters, without '*' or control characters",
            order.order_id
        )));
    }
    let pay_amount = format_amount(order.pay_amount.as_deref().unwrap_or("0"))
        .map_err(|e| Error::config(format!("payAmount: {e}")))?;
    let receive_amount = format_amount(order.receive_amount.as_deref().unwrap_or("0"))
        .map_err(|e| Error::config(format!("receiveAmount: {e}")))?;
    if is_zero(&pay_amount) && is_zero(&receive_amount) {
        return Err(Error::config(
            "the order needs receiveAmount (or payAmount) greater than zero",
        ));
    }
    let (id1, id2) = ids.scheme.field_names();
    let mut f: Vec<(&'static str, String)> = vec![
        (id1, ids.merchant_id.to_string()),
        (id2, ids.project_id.to_string()),
        ("orderId", order.order_id.clone()),
        (
            "payCurrency",
            currency(
                order.pay_currency.as_deref().unwrap_or("BTC"),
                "payCurrency",
            )?,
        ),
        ("payAmount", pay_amount),
        (
            "receiveCurrency",
            currency(&order.receive_currency, "receiveCurrency")?,
        ),
        ("receiveAmount", receive_amount),
        ("description", free_text(&order.description)),
    ];
    for (name, value) in [
        ("payerEmail", &order.payer_email),
        ("payerName", &order.payer_name),
        ("payerSurname", &order.payer_surname),
    ] {
        if let Some(v) = value {
            f.push((name, free_text(v)));
        }
    }
    let culture = order.culture.clone().unwrap_or_else(|| "en".to_owned());
    if culture.len() > 8
        || !culture
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
    {
        return Err(Error::config(format!(
            "culture {culture:?} is not a language code"
        )));
    }
    f.push(("culture", culture));
    f.push(("callbackUrl", url(&order.callback_url, "callbackUrl")?));
    f.push(("successUrl", url(&order.success_url, "successUrl")?));
    f.push(("failureUrl", url(&order.failure_url, "failureUrl")?));
    Ok(f)
}

/// Builds and signs the request.
pub fn sign_order(
    ids: &MerchantIds,
    order: &OrderInput,
    key: &Rsa<Private>,
) -> Result<SignedOrder> {
    let fields = order_fields(ids, order)?;
    let signed_string = encode_pairs(fields.iter().map(|(n, v)| (*n, v.as_str())));
    let sign = sign(signed_string.as_bytes(), key)?;
    let body = format!("{signed_string}&sign={}", urlencode(&sign));
    Ok(SignedOrder {
        signed_string,
        sign,
        body,
    })
}

/// SpectroCoin's answer to createOrder, normalized. A pre-order (since 2023)
/// has no `orderRequestId` and no `depositAddress`: only `redirectUrl` is usable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderResponse {
    pub order_request_id: Option<i64>,
    pub order_id: String,
    pub pay_currency: Option<String>,
    pub pay_amount: Option<String>,
    pub receive_currency: Option<String>,
    pub receive_amount: Option<String>,
    pub deposit_address: Option<String>,
    pub redirect_url: String,
    pub valid_until: Option<i64>,
    pub pre_order: bool,
}

impl OrderResponse {
    /// Reads a 200 answer. Amounts may be numbers or strings; the numbers are
    /// read from their text (serde_json's `arbitrary_precision`), never via f64.
    pub fn from_json(v: &Value) -> Result<OrderResponse> {
        let o = v
            .as_object()
            .ok_or_else(|| Error::network("SpectroCoin answered 200 but not with a JSON object"))?;
        let redirect_url = redirect_url(o)
            .ok_or_else(|| Error::network("SpectroCoin's answer has no usable redirectUrl"))?;
        let order_request_id = match o.get("orderRequestId") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        Ok(OrderResponse {
            order_request_id,
            order_id: text(o, &["orderId"]).unwrap_or_default(),
            pay_currency: text(o, &["payCurrency", "payCurrencyCode"]),
            pay_amount: amount(o, &["payAmount"]),
            receive_currency: text(o, &["receiveCurrency", "receiveCurrencyCode"]),
            receive_amount: amount(o, &["receiveAmount"]),
            deposit_address: text(o, &["depositAddress"]),
            redirect_url,
            valid_until: valid_until(o),
            pre_order: order_request_id.is_none(),
        })
    }
}

/// Interprets a createOrder answer: 200 JSON order, 203 JSON error array,
/// anything else an error that says what came back.
pub fn interpret_create_order(answer: &Answer) -> Result<OrderResponse> {
    let unexpected = || {
        let busy = answer.status == 429 || (500..=599).contains(&answer.status);
        Error::unexpected_answer(
            answer.status,
            format!(
                "SpectroCoin answered HTTP {} with an unexpected body: {:?}{}",
                answer.status,
                excerpt(&answer.body),
                if busy {
                    "; busy or down for now, temporary: retry later"
                } else {
                    ""
                }
            ),
        )
    };
    match answer.status {
        200 => {
            let v: Value = serde_json::from_slice(&answer.body).map_err(|_| unexpected())?;
            // An order we cannot use is an answer in no protocol, like a broken body.
            OrderResponse::from_json(&v).map_err(|e| match e {
                Error::Network { message, .. } => Error::unexpected_answer(200, message),
                other => other,
            })
        }
        203 => {
            let v: Value = serde_json::from_slice(&answer.body).map_err(|_| unexpected())?;
            let list = match &v {
                Value::Array(items) => items.clone(),
                Value::Object(_) => vec![v.clone()],
                _ => return Err(unexpected()),
            };
            let faults: Vec<ApiFault> = list
                .iter()
                .filter_map(|item| {
                    let code = match item.get("code")? {
                        Value::Number(n) => n.as_i64()?,
                        Value::String(s) => s.trim().parse().ok()?,
                        _ => return None,
                    };
                    let message = item
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    Some(ApiFault { code, message })
                })
                .collect();
            if faults.is_empty() {
                return Err(unexpected());
            }
            Err(Error::refused(&faults))
        }
        _ => Err(unexpected()),
    }
}

/// Creates an order: POST `{api_url}/createOrder`.
pub fn create_order(api_url: &str, body: &str, timeout: Duration) -> Result<OrderResponse> {
    let url = format!("{}/createOrder", api_url.trim_end_matches('/'));
    let answer = http::post_form(&url, body, timeout)?;
    interpret_create_order(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::keys::parse_private_key;
    use crate::core::test_vectors::vectors;

    fn key() -> Rsa<Private> {
        parse_private_key(vectors()["merchant_test_private_key_pem"].as_str().unwrap()).unwrap()
    }

    fn v2() -> OrderInput {
        OrderInput {
            order_id: "NO-2514".into(),
            pay_currency: Some("BTC".into()),
            pay_amount: Some("20".into()),
            receive_currency: "EUR".into(),
            receive_amount: None,
            description: "Super payment".into(),
            culture: Some(String::new()),
            callback_url: "http://mySite.com/callback".into(),
            ..Default::default()
        }
    }

    #[test]
    fn v2_request_reproduces_the_published_string_and_signature() {
        let ids = MerchantIds::new("25", "74").unwrap();
        let signed = sign_order(&ids, &v2(), &key()).unwrap();
        let want = &vectors()["requests"][0];
        assert_eq!(
            signed.signed_string,
            want["signed_string"].as_str().unwrap()
        );
        assert_eq!(signed.sign, want["sign"].as_str().unwrap());
        assert_eq!(
            signed.body,
            format!("{}&sign={}", signed.signed_string, urlencode(&signed.sign))
        );
    }

    #[test]
    fn v4_request_with_empty_payer_fields_reproduces_the_published_signature() {
        let ids = MerchantIds::new("87", "1").unwrap();
        let order = OrderInput {
            order_id: String::new(),
            pay_currency: Some("BTC".into()),
            pay_amount: Some("0.0".into()),
            receive_currency: "USD".into(),
            receive_amount: Some("15.99".into()),
            description: "Payment for Order-2547".into(),
            culture: Some(String::new()),
            callback_url: "https://merchant.com/callback?user=123".into(),
            success_url: "https://merchant.com/success?user=123".into(),
            failure_url: "https://merchant.com/failure?user=123".into(),
            payer_email: Some(String::new()),
            payer_name: Some(String::new()),
            payer_surname: Some(String::new()),
        };
        let signed = sign_order(&ids, &order, &key()).unwrap();
        let want = &vectors()["requests"][1];
        assert_eq!(
            signed.signed_string,
            want["signed_string"].as_str().unwrap()
        );
        assert_eq!(signed.sign, want["sign"].as_str().unwrap());
    }

    #[test]
    fn uuid_ids_go_in_the_same_slots_under_their_own_names() {
        let ids = MerchantIds::new(
            "1a2b3c4d-0000-4000-8000-1234567890ab",
            "9f1c2d3e-1111-4222-8333-444455556666",
        )
        .unwrap();
        let s = sign_order(&ids, &v2(), &key()).unwrap().signed_string;
        assert!(s.starts_with(
            "userId=1a2b3c4d-0000-4000-8000-1234567890ab&merchantApiId=9f1c2d3e-1111-4222-8333-444455556666&orderId=NO-2514&"
        ), "{s}");
    }

    #[test]
    fn defaults_apply_only_when_a_field_is_absent_and_payer_fields_only_when_given() {
        let ids = MerchantIds::new("25", "74").unwrap();
        let order = OrderInput {
            order_id: "7-1".into(),
            receive_currency: "eur".into(),
            receive_amount: Some("12.30".into()),
            description: "Invoice #7 *rush* & <b>".into(),
            ..Default::default()
        };
        let f = order_fields(&ids, &order).unwrap();
        let names: Vec<&str> = f.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "merchantId",
                "apiId",
                "orderId",
                "payCurrency",
                "payAmount",
                "receiveCurrency",
                "receiveAmount",
                "description",
                "culture",
                "callbackUrl",
                "successUrl",
                "failureUrl"
            ]
        );
        let get = |n: &str| f.iter().find(|(k, _)| *k == n).unwrap().1.clone();
        assert_eq!(get("payCurrency"), "BTC");
        assert_eq!(get("payAmount"), "0.0");
        assert_eq!(get("receiveCurrency"), "EUR");
        assert_eq!(get("receiveAmount"), "12.3");
        assert_eq!(get("culture"), "en");
        assert_eq!(get("description"), "Invoice #7 -rush- & <b>");
        let with_payer = OrderInput {
            payer_email: Some("a*b@example.com".into()),
            ..order
        };
        let f = order_fields(&ids, &with_payer).unwrap();
        assert_eq!(f[8], ("payerEmail", "a-b@example.com".into()));
        assert_eq!(f[9].0, "culture");
    }

    #[test]
    fn unusable_orders_are_refused_before_anything_is_signed() {
        let ids = MerchantIds::new("25", "74").unwrap();
        let base = OrderInput {
            receive_currency: "EUR".into(),
            receive_amount: Some("1".into()),
            ..Default::default()
        };
        let cases: Vec<(OrderInput, &str)> = vec![
            (
                OrderInput {
                    receive_amount: Some("0.123456789".into()),
                    ..base.clone()
                },
                "more than 8 decimals",
            ),
            (
                OrderInput {
                    receive_amount: Some("1e5".into()),
                    ..base.clone()
                },
                "plain decimal",
            ),
            (
                OrderInput {
                    receive_amount: Some("0".into()),
                    ..base.clone()
                },
                "greater than zero",
            ),
            (
                OrderInput {
                    receive_currency: "€".into(),
                    ..base.clone()
                },
                "currency",
            ),
            (
                OrderInput {
                    callback_url: "ftp://x".into(),
                    ..base.clone()
                },
                "http(s)",
            ),
            (
                OrderInput {
                    callback_url: "https://x/*".into(),
                    ..base.clone()
                },
                "'*'",
            ),
            (
                OrderInput {
                    order_id: "1*2".into(),
                    ..base.clone()
                },
                "orderId",
            ),
            (
                OrderInput {
                    culture: Some("en us!".into()),
                    ..base.clone()
                },
                "language",
            ),
        ];
        for (order, reason) in cases {
            let err = order_fields(&ids, &order).unwrap_err();
            assert!(matches!(err, Error::Config(_)));
            assert!(err.to_string().contains(reason), "{reason}: {err}");
        }
    }

    #[test]
    fn answers_are_normalized_including_pre_orders_and_string_amounts() {
        let full: Value = serde_json::from_str(
            r#"{"orderRequestId":123456,"orderId":"7-1","payCurrency":"BTC","payAmount":0.0024699500,
                "receiveCurrency":"EUR","receiveAmount":"12.30","depositAddress":"bc1qxyz",
                "redirectUrl":"https://spectrocoin.com/en/order/view/123456","validUntil":1764150000000}"#,
        )
        .unwrap();
        let r = OrderResponse::from_json(&full).unwrap();
        assert_eq!(r.order_request_id, Some(123456));
        assert_eq!(r.pay_amount.as_deref(), Some("0.00246995"));
        assert_eq!(r.receive_amount.as_deref(), Some("12.3"));
        assert_eq!(r.valid_until, Some(1764150000000));
        // The Magento plugin's legacy stub sends validUntil as ISO-8601 text.
        let iso: Value = serde_json::from_str(
            &full
                .to_string()
                .replace("1764150000000", "\"2025-11-26T09:40:00Z\""),
        )
        .unwrap();
        assert_eq!(
            OrderResponse::from_json(&iso).unwrap().valid_until,
            Some(1764150000000)
        );
        let junk: Value =
            serde_json::from_str(&full.to_string().replace("1764150000000", "\"tomorrow\""))
                .unwrap();
        assert_eq!(OrderResponse::from_json(&junk).unwrap().valid_until, None);
        assert!(!r.pre_order);
        let pre: Value =
            serde_json::from_str(r#"{"orderId":"7-1","redirectUrl":"https://spectrocoin.com/x"}"#)
                .unwrap();
        let r = OrderResponse::from_json(&pre).unwrap();
        assert!(r.pre_order && r.order_request_id.is_none() && r.deposit_address.is_none());
        for bad in [
            r#"[]"#,
            r#"{"orderId":"1"}"#,
            r#"{"redirectUrl":"javascript:alert(1)"}"#,
            r#"{"redirectUrl":"http://"}"#,
            r#"{"redirectUrl":"https:///path"}"#,
            r#"{"redirectUrl":"https://spectrocoin.com/a b"}"#,
            r#"{"redirectUrl":"HTTPS://spectrocoin.com/"}"#,
        ] {
            let v: Value = serde_json::from_str(bad).unwrap();
            assert!(
                matches!(OrderResponse::from_json(&v), Err(Error::Network { .. })),
                "{bad}"
            );
        }
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_arrays_keep_every_code_and_message() {
        let err = interpret_create_order(&answer(
            203,
            r#"[{"code":1,"message":"apiId is required"},{"code":2,"message":"Bad sign"}]"#,
        ))
        .unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "{err:?}");
        assert!(err
            .to_string()
            .ends_with("[1] apiId is required; [2] Bad sign"));
        assert_eq!(
            (err.http_status(), err.spectrocoin_code()),
            (Some(203), Some(1))
        );
    }

    #[test]
    fn anything_else_says_what_came_back() {
        for (status, body, needle) in [
            (500, "<html>Internal Server Error</html>", "HTTP 500"),
            (200, "{\"orderRequestId\":1,", "HTTP 200"),
            (200, "not json", "not json"),
            (203, "[]", "HTTP 203"),
            (203, "oops", "oops"),
            (302, "", "HTTP 302"),
        ] {
            let err = interpret_create_order(&answer(status, body)).unwrap_err();
            assert!(matches!(err, Error::Network { .. }), "{status} {body}");
            assert_eq!(err.http_status(), Some(status));
            assert_eq!(err.is_retryable(), status == 500, "{status} {body}");
            assert!(err.to_string().contains(needle), "{err}");
        }
    }
}
