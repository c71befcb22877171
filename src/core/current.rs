//! SpectroCoin's current public API: OAuth2 bearer tokens, JSON orders,
//! and JSON callbacks authenticated by re-fetching the order.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::core::amount::{format_callback_amount, format_positive_amount};
pub use crate::core::answer::parse_time_ms;
use crate::core::answer::{amount, error_from_answer, redirect_url, text, valid_until};
use crate::core::error::{Error, Result};
use crate::core::form::MAX_BODY;
use crate::core::http::{self, excerpt, host_of, Answer};
use crate::core::ids::is_uuid;
use crate::core::oauth::{self, ClientCredentials};
use crate::core::order::{self, OrderInput, OrderResponse};
use crate::core::status::Status;

pub const DEFAULT_PUBLIC_API_URL: &str = "https://spectrocoin.com/api/public";

/// The settings the current API needs.
#[derive(Debug, Clone)]
pub struct CurrentApi {
    pub base_url: String,
    pub credentials: ClientCredentials,
    pub project_id: String,
    pub timeout: Duration,
}

impl CurrentApi {
    pub fn new(
        base_url: &str,
        credentials: ClientCredentials,
        project_id: &str,
        timeout: Duration,
    ) -> Result<Self> {
        http::check_url(base_url, "public API URL")?;
        let project_id = project_id.trim().to_ascii_lowercase();
        if !is_uuid(&project_id) {
            return Err(Error::config(format!(
                "with OAuth credentials the Project ID must be the project's UUID, got {project_id:?}"
            )));
        }
        if credentials.client_id.trim().is_empty() || credentials.client_secret.is_empty() {
            return Err(Error::config(
                "both Client ID and Client secret are required for SpectroCoin's current API",
            ));
        }
        Ok(CurrentApi {
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            project_id,
            timeout,
        })
    }

    /// Sends a request with the cached token; a 401 drops it and retries once.
    fn authorized(&self, send: impl Fn(&str) -> Result<Answer>, url: &str) -> Result<Answer> {
        let token = oauth::token(&self.base_url, &self.credentials, self.timeout)?;
        let mut answer = send(&token)?;
        if answer.status == 401 {
            oauth::drop_token(&self.base_url, &self.credentials);
            let token = oauth::token(&self.base_url, &self.credentials, self.timeout)?;
            answer = send(&token)?;
            if answer.status == 401 {
                return Err(Error::config(
                    "SpectroCoin refused our access token twice (HTTP 401): check the Client ID/secret and their scopes",
                ));
            }
        }
        if answer.status == 403 {
            return Err(oauth::forbidden(url));
        }
        Ok(answer)
    }

    /// The JSON body of a create request.
    pub fn order_body(&self, order: &OrderInput) -> Result<String> {
        let amount = format_positive_amount(order.receive_amount.as_deref().unwrap_or(""))
            .map_err(|e| Error::config(format!("receiveAmount: {e}")))?;
        let currency = order::currency(&order.receive_currency, "receiveCurrency")?;
        let callback_url = order::url(&order.callback_url, "callbackUrl")?;
        let success_url = order::url(&order.success_url, "successUrl")?;
        let failure_url = order::url(&order.failure_url, "failureUrl")?;
        let mut body = json!({
            "orderId": order.order_id,
            "description": order.description,
            "receiveAmount": amount,
            "receiveCurrencyCode": currency,
            "callbackUrl": callback_url,
            "successUrl": success_url,
            "failureUrl": failure_url,
            "projectId": self.project_id,
        });
        if let Some(obj) = body.as_object_mut() {
            for (name, value) in [
                ("payerEmail", &order.payer_email),
                ("payerName", &order.payer_name),
                ("payerSurname", &order.payer_surname),
            ] {
                if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                    obj.insert(name.to_owned(), Value::String(v.clone()));
                }
            }
        }
        Ok(body.to_string())
    }

    /// POST /merchants/orders/create.
    pub fn create_order(&self, order: &OrderInput) -> Result<CurrentOrder> {
        let body = self.order_body(order)?;
        let url = format!("{}/merchants/orders/create", self.base_url);
        let answer = self.authorized(|t| http::post_json(&url, &body, t, self.timeout), &url)?;
        let v = json_answer(&answer, &url)?;
        CurrentOrder::from_create(&v)
    }

    /// GET /merchants/orders/{id}.
    pub fn fetch_order(&self, id: &str) -> Result<FetchedOrder> {
        if !is_order_id(id) {
            return Err(Error::callback(format!(
                "{:?} is not a SpectroCoin order id",
                id.chars().take(64).collect::<String>()
            )));
        }
        let url = format!("{}/merchants/orders/{id}", self.base_url);
        let answer = self.authorized(|t| http::get(&url, Some(t), self.timeout), &url)?;
        let v = json_answer(&answer, &url)?;
        FetchedOrder::from_json(&v, id)
    }
}

/// A 2xx JSON answer, or the error the status and body call for.
fn json_answer(answer: &Answer, url: &str) -> Result<Value> {
    if !(200..300).contains(&answer.status) {
        return Err(error_from_answer(
            answer.status,
            &answer.body,
            &host_of(url),
        ));
    }
    serde_json::from_slice(&answer.body).map_err(|_| {
        Error::network(format!(
            "SpectroCoin answered HTTP {} with a body that is not JSON: {:?}",
            answer.status,
            excerpt(&answer.body)
        ))
    })
}

/// A pre-order created through the current API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentOrder {
    pub pre_order_id: String,
    pub response: OrderResponse,
}

impl CurrentOrder {
    pub fn from_create(v: &Value) -> Result<CurrentOrder> {
        let o = v
            .as_object()
            .ok_or_else(|| Error::network("SpectroCoin's create answer is not a JSON object"))?;
        let redirect_url = redirect_url(o).ok_or_else(|| {
            Error::network("SpectroCoin's create answer has no usable redirectUrl")
        })?;
        let pre_order_id = text(o, &["preOrderId", "id"]).unwrap_or_default();
        Ok(CurrentOrder {
            pre_order_id,
            response: OrderResponse {
                order_request_id: None,
                order_id: text(o, &["orderId"]).unwrap_or_default(),
                pay_currency: text(o, &["payCurrencyCode", "payCurrency"]),
                pay_amount: amount(o, &["payAmount"]),
                receive_currency: text(o, &["receiveCurrencyCode", "receiveCurrency"]),
                receive_amount: amount(o, &["receiveAmount"]),
                deposit_address: text(o, &["depositAddress"]),
                redirect_url,
                valid_until: valid_until(o),
                pre_order: true,
            },
        })
    }
}

/// An order as fetched with our token: the only callback facts we trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedOrder {
    pub id: String,
    pub order_id: String,
    pub status: Status,
    pub pre_order_id: Option<String>,
    pub receive_amount: String,
    pub receive_currency: String,
    pub pay_amount: Option<String>,
    pub pay_currency: Option<String>,
}

impl FetchedOrder {
    /// `asked_id` is the id the order was fetched by: SpectroCoin's own API stub
    /// answers without repeating it, and its module uses the id it asked for.
    pub fn from_json(v: &Value, asked_id: &str) -> Result<FetchedOrder> {
        let o = v
            .as_object()
            .ok_or_else(|| Error::network("SpectroCoin's order is not a JSON object"))?;
        let need = |names: &[&str]| {
            text(o, names)
                .ok_or_else(|| Error::network(format!("SpectroCoin's order lacks {}", names[0])))
        };
        let receive_amount = need(&["receiveAmount"])?;
        Ok(FetchedOrder {
            id: text(o, &["id"]).unwrap_or_else(|| asked_id.to_owned()),
            order_id: need(&["orderId"])?,
            status: Status::parse(&need(&["status"])?)?,
            pre_order_id: text(o, &["merchantPreOrderId", "preOrderId"]),
            receive_amount: format_callback_amount(&receive_amount)
                .map(|a| a.into_owned())
                .ok_or_else(|| {
                    Error::network("SpectroCoin's order has an unreadable receiveAmount")
                })?,
            receive_currency: need(&["receiveCurrencyCode", "receiveCurrency"])?,
            pay_amount: amount(o, &["payAmount"]),
            pay_currency: text(o, &["payCurrencyCode", "payCurrency"]),
        })
    }
}

/// The shape of a current-API order id: 1 to 64 ASCII letters, digits and `-` (it goes
/// into a URL path, so nothing else may).
fn is_order_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A JSON callback: `{"id": "<order uuid>", "merchantApiId": "<project uuid>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JsonCallback {
    pub id: String,
    #[serde(rename = "merchantApiId")]
    pub merchant_api_id: String,
}

impl JsonCallback {
    /// Strict: a JSON object with both as strings (no duplicates), UUID project id.
    pub fn parse(body: &[u8]) -> Result<JsonCallback> {
        if body.len() > MAX_BODY {
            return Err(Error::callback(format!(
                "body of {} bytes is larger than a callback can be",
                body.len()
            )));
        }
        let cb: JsonCallback = serde_json::from_slice(body)
            .map_err(|e| Error::callback(format!("JSON callback is malformed: {e}")))?;
        if !is_order_id(&cb.id) {
            return Err(Error::callback("JSON callback has no usable order id"));
        }
        if !is_uuid(&cb.merchant_api_id) {
            return Err(Error::callback(
                "JSON callback's merchantApiId is not a UUID",
            ));
        }
        Ok(cb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_bodies_follow_the_same_currency_and_url_rules_as_legacy_orders() {
        let api = CurrentApi::new(
            "http://127.0.0.1:9/api/public",
            ClientCredentials {
                client_id: "c".into(),
                client_secret: "s".into(),
            },
            "9f1c2d3e-1111-4222-8333-444455556666",
            Duration::from_secs(1),
        )
        .unwrap();
        let order = OrderInput {
            order_id: "7-1".into(),
            receive_currency: " eur ".into(),
            receive_amount: Some("12.30".into()),
            callback_url: " https://shop.example/cb ".into(),
            ..OrderInput::default()
        };
        let body: Value = serde_json::from_str(&api.order_body(&order).unwrap()).unwrap();
        assert_eq!(body["receiveCurrencyCode"], "EUR");
        assert_eq!(body["callbackUrl"], "https://shop.example/cb");
        // The current API's own copy of the URL check let these through.
        for bad in ["https://shop.example/cb?x=*", "https://shop.example/a b"] {
            let o = OrderInput {
                callback_url: bad.into(),
                ..order.clone()
            };
            assert!(matches!(api.order_body(&o), Err(Error::Config(_))), "{bad}");
        }
        let o = OrderInput {
            receive_currency: "E-UR".into(),
            ..order.clone()
        };
        assert!(matches!(api.order_body(&o), Err(Error::Config(_))));
    }

    #[test]
    fn iso_times_become_epoch_milliseconds() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_time_ms("2026-11-26T07:30:00Z"),
            Some(1_795_678_200_000)
        );
        assert_eq!(
            parse_time_ms("2026-11-26T09:30:00.5+02:00"),
            Some(1_795_678_200_500)
        );
        assert_eq!(
            parse_time_ms("2024-02-29T00:00:00.123456Z"),
            Some(1_709_164_800_123)
        );
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "yesterday",
            "2026-11-26T07:30:00+0200",
            "2026-11-26T07:30:00.",
        ] {
            assert_eq!(parse_time_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_callbacks_are_parsed_strictly() {
        let ok = br#"{"id":"0b6f0c7e-2a5b-4c7d-9e1f-123456789abc","merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}"#;
        assert_eq!(
            JsonCallback::parse(ok).unwrap().id,
            "0b6f0c7e-2a5b-4c7d-9e1f-123456789abc"
        );
        let bad: [&[u8]; 7] = [
            b"",
            b"id=1",
            br#"{"id":"x"}"#,
            br#"{"id":1,"merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}"#,
            br#"{"id":"a","merchantApiId":"not-a-uuid"}"#,
            br#"{"id":"a/../b","merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}"#,
            br#"{"id":"a","id":"b","merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}"#,
        ];
        for b in bad {
            assert!(
                matches!(JsonCallback::parse(b), Err(Error::Callback(_))),
                "{:?}",
                String::from_utf8_lossy(b)
            );
        }
    }

    #[test]
    fn create_answers_are_normalized_with_either_field_generation() {
        let new: Value = serde_json::from_str(r#"{"preOrderId":"p-1","orderId":"7-1","validUntil":"2026-11-26T07:30:00Z",
            "payCurrencyCode":"BTC","payNetworkCode":"BTC","payAmount":"0.000246","depositAddress":null,"memo":null,
            "receiveCurrencyCode":"EUR","receiveAmount":"12.30","redirectUrl":"https://spectrocoin.com/x"}"#).unwrap();
        let old: Value = serde_json::from_str(r#"{"preOrderId":"p-1","orderId":"7-1","validUntil":"2026-11-26T07:30:00Z",
            "payCurrency":"BTC","payNetworkName":"Bitcoin","payAmount":0.000246,"receiveCurrency":"EUR","receiveAmount":"12.3",
            "redirectUrl":"https://spectrocoin.com/x"}"#).unwrap();
        let a = CurrentOrder::from_create(&new).unwrap();
        let b = CurrentOrder::from_create(&old).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.response.valid_until, Some(1_795_678_200_000));
        assert_eq!(a.response.receive_amount.as_deref(), Some("12.3"));
        assert!(a.response.pre_order && a.response.deposit_address.is_none());
    }

    #[test]
    fn fetched_orders_need_their_facts_and_a_known_status() {
        let v: Value = serde_json::from_str(
            r#"{"id":"o-1","orderId":"7-1","status":"PAID","merchantPreOrderId":"p-1",
            "receiveAmount":"12.30","receiveCurrencyCode":"EUR"}"#,
        )
        .unwrap();
        let f = FetchedOrder::from_json(&v, "o-1").unwrap();
        assert_eq!(
            (
                f.status,
                f.receive_amount.as_str(),
                f.pre_order_id.as_deref()
            ),
            (Status::Paid, "12.3", Some("p-1"))
        );
        let numeric: Value = serde_json::from_str(
            r#"{"id":"o-1","orderId":"7-1","status":5,"receiveAmount":1,"receiveCurrency":"EUR"}"#,
        )
        .unwrap();
        assert_eq!(
            FetchedOrder::from_json(&numeric, "o-1").unwrap().status,
            Status::Expired
        );
        let unknown: Value = serde_json::from_str(r#"{"id":"o-1","orderId":"7-1","status":"WHATEVER","receiveAmount":"1","receiveCurrencyCode":"EUR"}"#).unwrap();
        assert!(matches!(
            FetchedOrder::from_json(&unknown, "o-1"),
            Err(Error::Callback(_))
        ));
        // SpectroCoin's own API stub omits `id`: the id asked for stands in.
        let stub: Value = serde_json::from_str(r#"{"uuid":"o-2","orderId":"7-1","status":"PAID","receiveAmount":"1","receiveCurrencyCode":"EUR","projectId":"p"}"#).unwrap();
        assert_eq!(FetchedOrder::from_json(&stub, "o-2").unwrap().id, "o-2");
        let missing: Value = serde_json::from_str(r#"{"id":"o-1","status":"PAID"}"#).unwrap();
        assert!(matches!(
            FetchedOrder::from_json(&missing, "o-1"),
            Err(Error::Network { .. })
        ));
    }
}
