//! A merchant's configuration and the operations that need it: the glue
//! between ids, keys, the HTTP clients and the protocol rules. Which API
//! generation is used follows from the credentials configured.

use std::borrow::Cow;
use std::time::Duration;

use crate::core::callback::{ParsedCallback, VerifiedCallback};
use crate::core::current::{CurrentApi, FetchedOrder, JsonCallback, DEFAULT_PUBLIC_API_URL};
use crate::core::error::{Error, Failure, Result};
use crate::core::http;
use crate::core::ids::MerchantIds;
use crate::core::keys::{self, PUBLIC_KEY_MIN_REFRESH};
use crate::core::oauth::ClientCredentials;
use crate::core::order::{sign_order, OrderInput, OrderResponse, SignedOrder};
use crate::core::status::Status;

pub const DEFAULT_API_URL: &str = "https://spectrocoin.com/api/merchant/1";
pub const DEFAULT_PUBLIC_KEY_URL: &str = "https://spectrocoin.com/files/merchant.public.pem";
/// Longest timeout accepted; a customer is waiting.
const MAX_TIMEOUT: Duration = Duration::from_secs(120);

/// Texts borrow the caller's (a PHP array's strings for the duration of a call):
/// the callback path copies nothing it only reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantConfig<'a> {
    pub merchant_id: Cow<'a, str>,
    pub project_id: Cow<'a, str>,
    pub private_key_pem: Option<Cow<'a, str>>,
    /// The project's numeric merchant and API ids, for UUID configurations that
    /// also receive legacy signed callbacks (only numeric ids are signed).
    pub legacy_numeric: Option<(Cow<'a, str>, Cow<'a, str>)>,
    pub client: Option<ClientCredentials>,
    pub api_url: Cow<'a, str>,
    pub public_api_url: Cow<'a, str>,
    pub public_key_pem: Option<Cow<'a, str>>,
    pub public_key_url: Cow<'a, str>,
    pub timeout: Duration,
}

/// Which of SpectroCoin's APIs created an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiGeneration {
    /// The signed form API (`createOrder`).
    Legacy,
    /// The OAuth JSON API.
    Current,
}

impl ApiGeneration {
    /// The name PHP sees (`legacy`, `current`).
    pub fn name(self) -> &'static str {
        match self {
            ApiGeneration::Legacy => "legacy",
            ApiGeneration::Current => "current",
        }
    }
}

/// How a callback came, and so how it was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackFormat {
    /// A signed form, verified with SpectroCoin's key.
    Legacy,
    /// A JSON notice, authenticated by re-fetching the order with our token.
    Json,
}

impl CallbackFormat {
    /// The name PHP sees (`legacy`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            CallbackFormat::Legacy => "legacy",
            CallbackFormat::Json => "json",
        }
    }
}

/// A created order, whichever API created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedOrder {
    pub response: OrderResponse,
    pub api: ApiGeneration,
    /// The current API's pre-order id.
    pub pre_order_id: Option<String>,
}

/// A callback that has been authenticated, whichever format it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticCallback {
    pub format: CallbackFormat,
    /// Field name ⇒ value, in a stable order; amounts canonical.
    pub fields: Vec<(&'static str, String)>,
    pub status: Status,
    /// Our ids are proven by SpectroCoin's signature or by our own token.
    pub ids_verified: bool,
}

/// What a configuration can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigReport {
    /// The legacy signed API is configured (private key).
    pub legacy: bool,
    /// The current API is configured (OAuth client credentials).
    pub current: bool,
    /// The id pair for legacy callbacks, when it is complete.
    pub id_scheme: Option<crate::core::ids::IdScheme>,
    pub warnings: Vec<String>,
}

impl AuthenticCallback {
    fn from_legacy(cb: VerifiedCallback) -> Self {
        let fields = cb
            .fields
            .into_iter()
            .filter(|(n, _)| *n != "status")
            .map(|(n, v)| (n, v.into_owned()))
            .collect();
        AuthenticCallback {
            format: CallbackFormat::Legacy,
            fields,
            status: cb.status,
            ids_verified: cb.ids_signed,
        }
    }

    fn from_fetched(o: FetchedOrder, project_id: &str) -> Self {
        let mut fields = vec![
            ("merchantApiId", project_id.to_owned()),
            ("orderId", o.order_id),
            ("orderRequestId", o.id.clone()),
            ("id", o.id),
            ("receiveCurrency", o.receive_currency),
            ("receiveAmount", o.receive_amount),
        ];
        if let Some(p) = o.pay_currency {
            fields.push(("payCurrency", p));
        }
        if let Some(p) = o.pay_amount {
            fields.push(("payAmount", p));
        }
        if let Some(p) = o.pre_order_id {
            fields.push(("merchantPreOrderId", p));
        }
        AuthenticCallback {
            format: CallbackFormat::Json,
            fields,
            status: o.status,
            ids_verified: true,
        }
    }
}

/// The media type of a Content-Type header, lower case, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a callback of this content type is a current-API JSON callback (which re-fetches
/// the order) rather than a legacy signed form.
pub fn is_json_callback(content_type: &str) -> bool {
    media_type(content_type) == "application/json"
}

impl<'a> MerchantConfig<'a> {
    pub fn new(merchant_id: &'a str, project_id: &'a str) -> Self {
        MerchantConfig {
            merchant_id: Cow::Borrowed(merchant_id.trim()),
            project_id: Cow::Borrowed(project_id.trim()),
            private_key_pem: None,
            legacy_numeric: None,
            client: None,
            api_url: Cow::Borrowed(DEFAULT_API_URL),
            public_api_url: Cow::Borrowed(DEFAULT_PUBLIC_API_URL),
            public_key_pem: None,
            public_key_url: Cow::Borrowed(DEFAULT_PUBLIC_KEY_URL),
            timeout: http::DEFAULT_TIMEOUT,
        }
    }

    /// Timeout in seconds, fractions allowed (0 < t <= 120).
    pub fn set_timeout_secs(&mut self, secs: f64) -> Result<()> {
        if !(secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT.as_secs_f64()) {
            return Err(Error::config(format!(
                "timeout must be between 0 and 120 seconds, got {secs}"
            )));
        }
        self.timeout = Duration::from_secs_f64(secs);
        Ok(())
    }

    /// The numeric merchant/project pair that legacy callbacks sign, when the
    /// main pair is the UUID one (`legacyMerchantId`/`legacyProjectId`).
    pub fn numeric_ids(&self) -> Result<Option<MerchantIds<'_>>> {
        match &self.legacy_numeric {
            None => Ok(None),
            Some((m, p)) => {
                let ids = MerchantIds::new(m, p)?;
                if ids.scheme != crate::core::ids::IdScheme::Numeric {
                    return Err(Error::config(
                        "the legacy Merchant ID and Project (API) ID must be the numeric ids of the SpectroCoin project",
                    ));
                }
                Ok(Some(ids))
            }
        }
    }

    /// The merchant/project pair of the legacy API (both numeric or both UUIDs).
    pub fn legacy_ids(&self) -> Result<MerchantIds<'_>> {
        MerchantIds::new(&self.merchant_id, &self.project_id)
    }

    /// The current API client, when OAuth credentials are configured.
    pub fn current_api(&self) -> Result<Option<CurrentApi>> {
        match &self.client {
            Some(c) => Ok(Some(CurrentApi::new(
                &self.public_api_url,
                c.clone(),
                &self.project_id,
                self.timeout,
            )?)),
            None => Ok(None),
        }
    }

    fn private_key_text(&self) -> Result<&str> {
        self.private_key_pem
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| Error::config("the merchant private key (privateKey) is not configured"))
    }

    /// The signed legacy request, not sent.
    pub fn order_request(&self, order: &OrderInput) -> Result<SignedOrder> {
        let key = keys::private_key(self.private_key_text()?)?;
        sign_order(&self.legacy_ids()?, order, &key)
    }

    /// Creates an order: through the current API when OAuth credentials are
    /// configured, else the signed legacy API.
    pub fn create_order(&self, order: &OrderInput) -> Result<CreatedOrder> {
        if let Some(api) = self.current_api()? {
            let created = api.create_order(order)?;
            return Ok(CreatedOrder {
                response: created.response,
                api: ApiGeneration::Current,
                pre_order_id: Some(created.pre_order_id),
            });
        }
        if self
            .private_key_pem
            .as_deref()
            .is_none_or(|k| k.trim().is_empty())
        {
            return Err(no_credentials());
        }
        http::check_url(&self.api_url, "API URL")?;
        let signed = self.order_request(order)?;
        let response = crate::core::order::create_order(&self.api_url, &signed.body, self.timeout)?;
        Ok(CreatedOrder {
            response,
            api: ApiGeneration::Legacy,
            pre_order_id: None,
        })
    }

    /// Checks the configuration without sending anything (and, with `online`,
    /// proves the OAuth credentials by fetching a fresh token).
    pub fn check(&self, online: bool) -> Result<ConfigReport> {
        let legacy = self
            .private_key_pem
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty());
        let current = self.current_api()?;
        if !legacy && current.is_none() {
            return Err(no_credentials());
        }
        let mut report = ConfigReport {
            legacy,
            current: current.is_some(),
            id_scheme: None,
            warnings: Vec::new(),
        };
        match self.legacy_ids() {
            Ok(ids) => report.id_scheme = Some(ids.scheme),
            Err(e) if legacy => return Err(e),
            Err(_) => report.warnings.push(
                "SpectroCoin projects that still send signed (legacy) callbacks need the Merchant ID too \
                 (your SpectroCoin user UUID); without it those callbacks are refused and retried"
                    .to_owned(),
            ),
        }
        if legacy {
            // The full consistency check runs here, at Save, so Pay Now need not.
            keys::validate_private_key(self.private_key_text()?)?;
        }
        if let (Some(api), true) = (&current, online) {
            crate::core::oauth::drop_token(&api.base_url, &api.credentials);
            crate::core::oauth::token(&api.base_url, &api.credentials, self.timeout)?;
        }
        Ok(report)
    }

    /// Fetches an order through the current API.
    pub fn fetch_order(&self, id: &str) -> Result<FetchedOrder> {
        let api = self.current_api()?.ok_or_else(|| {
            Error::config("fetching an order needs the Client ID and secret (current API)")
        })?;
        api.fetch_order(id)
    }

    /// Verifies a legacy callback body with SpectroCoin's key (explicit, or
    /// fetched and cached per process).
    pub fn verify_callback<'b>(&self, body: &'b [u8]) -> Result<VerifiedCallback<'b>> {
        let mut parsed = ParsedCallback::parse(body)?;
        let numeric = self.numeric_ids()?;
        parsed.check_ids(&self.legacy_ids()?, numeric.as_ref())?;
        if let Some(pem) = self
            .public_key_pem
            .as_deref()
            .filter(|k| !k.trim().is_empty())
        {
            return parsed.verify_with(keys::public_key(pem)?.as_ref());
        }
        let key = keys::spectrocoin_key(&self.public_key_url, self.timeout, None)?;
        match parsed.verify_with(&key) {
            Err(Error::Signature(msg)) => {
                // Maybe SpectroCoin rotated its key: fetch again if ours is not fresh.
                let fresh = keys::spectrocoin_key(
                    &self.public_key_url,
                    self.timeout,
                    Some(PUBLIC_KEY_MIN_REFRESH),
                )?;
                if std::sync::Arc::ptr_eq(&fresh, &key) {
                    return Err(Error::Signature(msg));
                }
                let mut again = ParsedCallback::parse(body)?;
                again.check_ids(&self.legacy_ids()?, numeric.as_ref())?;
                again.verify_with(&fresh)
            }
            other => other,
        }
    }

    /// Authenticates a callback of either format, chosen by its content type:
    /// form ⇒ legacy signature; JSON ⇒ our project, then the order re-fetched
    /// with our token, trusting only the fetched fields.
    pub fn handle_callback(&self, body: &[u8], content_type: &str) -> Result<AuthenticCallback> {
        match media_type(content_type).as_str() {
            "application/json" => {
                let cb = JsonCallback::parse(body)?;
                let api = self.current_api()?.ok_or_else(|| {
                    Error::config(
                        "SpectroCoin sent a JSON callback but no Client ID/secret is configured: \
                         add the OAuth credentials (SpectroCoin → Settings → API)",
                    )
                })?;
                if !cb.merchant_api_id.eq_ignore_ascii_case(&api.project_id) {
                    return Err(Error::foreign_ids(
                        "callback is for another project (its merchantApiId is not ours)",
                    ));
                }
                // What the caller must do with a failed re-fetch is decided here: SpectroCoin
                // busy or unreachable ⇒ NetworkException (answer 503, it retries); any other
                // refusal ⇒ CallbackException (answer 400); credentials ⇒ ConfigException.
                let order = api.fetch_order(&cb.id).map_err(|e| match e {
                    Error::Api {
                        message,
                        http_status,
                        trace_id,
                        ..
                    } if e.is_retryable() => Error::Network {
                        message,
                        http_status: Some(http_status),
                        trace_id,
                        failure: Failure::Error,
                    },
                    Error::Api {
                        http_status: 404, ..
                    } => Error::callback(format!(
                        "callback names an order SpectroCoin does not know for us: {e}"
                    )),
                    Error::Api { .. } => {
                        Error::callback(format!("SpectroCoin refused the order re-fetch: {e}"))
                    }
                    other => other,
                })?;
                Ok(AuthenticCallback::from_fetched(order, &api.project_id))
            }
            "application/x-www-form-urlencoded" | "" => {
                Ok(AuthenticCallback::from_legacy(self.verify_callback(body)?))
            }
            other => Err(Error::callback(format!(
                "unsupported callback content type {:?}",
                other.chars().take(64).collect::<String>()
            ))),
        }
    }
}

/// Neither credential set is configured.
fn no_credentials() -> Error {
    Error::config(
        "configure either the private key (legacy API) or the Client ID and secret (current API)",
    )
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use crate::core::callback::tests::v1_body_with;
    use crate::core::http::fake::{self, reply};
    use crate::core::test_vectors::vectors;

    fn pem(name: &str) -> String {
        vectors()[name].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_rotated_key_is_fetched_again_at_most_every_ten_minutes() {
        let url = "http://127.0.0.1:9/rotation/merchant.public.pem";
        let mut config = MerchantConfig::new("169", "3");
        config.public_key_url = Cow::Borrowed(url);
        let body = v1_body_with(&[]);
        // The merchant test key (not the one that signed V1) first, then SpectroCoin's.
        let (old, new) = (
            pem("merchant_test_public_key_pem"),
            pem("spectrocoin_callback_public_key_pem"),
        );
        let gets = Rc::new(Cell::new(0));
        let seen = gets.clone();
        let server = move |method: &str, _: &str, _: Option<&str>| {
            assert_eq!(method, "GET");
            seen.set(seen.get() + 1);
            reply(200, if seen.get() == 1 { &old } else { &new })
        };
        fake::with(server, || {
            // The old key fails; it is too fresh to fetch again (forged callbacks must
            // not make us hammer SpectroCoin).
            assert!(matches!(
                config.verify_callback(body.as_bytes()),
                Err(Error::Signature(_))
            ));
            assert_eq!(gets.get(), 1);
            // Ten minutes later a failed signature fetches the key again, once, and the
            // callback verifies with the new key; the next one uses it from the cache.
            keys::SPECTROCOIN_KEYS.backdate(url, PUBLIC_KEY_MIN_REFRESH + Duration::from_secs(1));
            assert!(config.verify_callback(body.as_bytes()).is_ok());
            assert_eq!(gets.get(), 2);
            assert!(config.verify_callback(body.as_bytes()).is_ok());
            assert_eq!(gets.get(), 2);
        });
    }

    #[test]
    fn a_failed_key_refresh_leaves_the_signature_error_not_an_outage() {
        let url = "http://127.0.0.1:9/refresh-fails/merchant.public.pem";
        let mut config = MerchantConfig::new("169", "3");
        config.public_key_url = Cow::Borrowed(url);
        let body = v1_body_with(&[]);
        let old = pem("merchant_test_public_key_pem");
        let gets = Rc::new(Cell::new(0));
        let seen = gets.clone();
        fake::with(
            move |_: &str, _: &str, _: Option<&str>| {
                seen.set(seen.get() + 1);
                if seen.get() == 1 {
                    reply(200, &old)
                } else {
                    Err(Error::network(
                        "could not connect to SpectroCoin (127.0.0.1:9)",
                    ))
                }
            },
            || {
                assert!(matches!(
                    config.verify_callback(body.as_bytes()),
                    Err(Error::Signature(_))
                ));
                keys::SPECTROCOIN_KEYS
                    .backdate(url, PUBLIC_KEY_MIN_REFRESH + Duration::from_secs(1));
                // The refresh fails: the cached key stands, so the callback is refused as
                // forged (400), not retried as if SpectroCoin were down.
                assert!(matches!(
                    config.verify_callback(body.as_bytes()),
                    Err(Error::Signature(_))
                ));
                assert_eq!(gets.get(), 2);
            },
        );
        // With no key ever fetched, an unreachable key URL is an outage: retried.
        let mut never = MerchantConfig::new("169", "3");
        never.public_key_url = Cow::Borrowed("http://127.0.0.1:9/never-fetched.pem");
        fake::with(
            |_: &str, _: &str, _: Option<&str>| Err(Error::network("could not connect")),
            || {
                let e = never.verify_callback(body.as_bytes()).unwrap_err();
                assert!(
                    matches!(e, Error::Network { .. }) && e.is_retryable(),
                    "{e:?}"
                );
            },
        );
    }

    const PROJECT: &str = "9f1c2d3e-1111-4222-8333-444455556666";

    /// What a JSON callback's order re-fetch becomes when SpectroCoin answers `status` + `body`.
    fn refetch_failure(case: &str, status: u16, body: &'static str) -> Error {
        let base = format!("http://127.0.0.1:9/refetch-{case}/api/public");
        let mut config = MerchantConfig::new("", PROJECT);
        config.public_api_url = Cow::Owned(base.clone());
        config.client = Some(ClientCredentials {
            client_id: format!("client-{case}"),
            client_secret: "s".into(),
        });
        let callback = format!(r#"{{"id":"o-1","merchantApiId":"{PROJECT}"}}"#);
        fake::with(
            move |method: &str, url: &str, bearer: Option<&str>| match method {
                "POST" => {
                    assert_eq!(url, format!("{base}/oauth/token"));
                    reply(200, r#"{"access_token":"tok","expires_in":3600}"#)
                }
                _ => {
                    assert_eq!(
                        (url, bearer),
                        (format!("{base}/merchants/orders/o-1").as_str(), Some("tok"))
                    );
                    reply(status, body)
                }
            },
            || {
                config
                    .handle_callback(callback.as_bytes(), "application/json")
                    .unwrap_err()
            },
        )
    }

    #[test]
    fn a_failed_order_refetch_maps_to_what_the_callback_handler_must_answer() {
        let error_body = r#"{"defaultMessage":"busy","errorCode":"GEN_1","spanId":"s","traceId":"0123456789abcdef"}"#;
        // SpectroCoin busy: NetworkException (answer 503, it retries), facts kept.
        for status in [429, 500, 503] {
            let e = refetch_failure(&format!("busy-{status}"), status, error_body);
            assert!(matches!(e, Error::Network { .. }), "{status}: {e:?}");
            assert!(e.is_retryable());
            assert_eq!(
                (e.http_status(), e.trace_id()),
                (Some(status), Some("0123456789abcdef"))
            );
        }
        // Not ours or refused: CallbackException (answer 400), never retried.
        let e = refetch_failure("unknown", 404, r#"{"defaultMessage":"no such order"}"#);
        assert!(matches!(e, Error::Callback(_)), "{e:?}");
        assert!(e.to_string().contains("does not know"), "{e}");
        let e = refetch_failure("refused", 422, error_body);
        assert!(matches!(e, Error::Callback(_)), "{e:?}");
        assert!(!e.is_retryable());
        // Our credentials: ConfigException (the admin must act).
        assert!(matches!(
            refetch_failure("forbidden", 403, "{}"),
            Error::Config(_)
        ));
        assert!(matches!(
            refetch_failure("unauthorized", 401, "{}"),
            Error::Config(_)
        ));
        // An answer that is not an order: NetworkException, as SpectroCoin's fault.
        let e = refetch_failure("garbage", 200, "<html>");
        assert!(matches!(e, Error::Network { .. }), "{e:?}");
    }
}
