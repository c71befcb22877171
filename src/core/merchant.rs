//! A merchant's configuration and the operations that need it: the glue
//! between ids, keys, the HTTP client and the protocol rules.

use std::time::Duration;

use crate::core::callback::{ParsedCallback, VerifiedCallback};
use crate::core::error::{Error, Result};
use crate::core::http::{self, PUBLIC_KEY_MIN_REFRESH};
use crate::core::ids::MerchantIds;
use crate::core::keys;
use crate::core::order::{sign_order, OrderInput, OrderResponse, SignedOrder};

pub const DEFAULT_API_URL: &str = "https://spectrocoin.com/api/merchant/1";
pub const DEFAULT_PUBLIC_KEY_URL: &str = "https://spectrocoin.com/files/merchant.public.pem";
/// Longest timeout accepted; a customer is waiting.
const MAX_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantConfig {
    pub ids: MerchantIds,
    pub private_key_pem: Option<String>,
    pub api_url: String,
    pub public_key_pem: Option<String>,
    pub public_key_url: String,
    pub timeout: Duration,
}

impl MerchantConfig {
    pub fn new(merchant_id: &str, project_id: &str) -> Result<Self> {
        Ok(MerchantConfig {
            ids: MerchantIds::new(merchant_id, project_id)?,
            private_key_pem: None,
            api_url: DEFAULT_API_URL.to_owned(),
            public_key_pem: None,
            public_key_url: DEFAULT_PUBLIC_KEY_URL.to_owned(),
            timeout: http::DEFAULT_TIMEOUT,
        })
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

    fn private_key_text(&self) -> Result<&str> {
        self.private_key_pem
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| Error::config("the merchant private key (privateKey) is not configured"))
    }

    /// The signed request, not sent.
    pub fn order_request(&self, order: &OrderInput) -> Result<SignedOrder> {
        let key = keys::private_key(self.private_key_text()?)?;
        sign_order(&self.ids, order, &key)
    }

    /// Signs and sends createOrder.
    pub fn create_order(&self, order: &OrderInput) -> Result<OrderResponse> {
        http::check_url(&self.api_url, "API URL")?;
        let signed = self.order_request(order)?;
        http::create_order(&self.api_url, &signed.body, self.timeout)
    }

    /// Verifies a legacy callback body with SpectroCoin's key (explicit, or
    /// fetched and cached per process).
    pub fn verify_callback(&self, body: &[u8]) -> Result<VerifiedCallback> {
        let parsed = ParsedCallback::parse(body)?;
        parsed.check_ids(&self.ids)?;
        if let Some(pem) = self
            .public_key_pem
            .as_deref()
            .filter(|k| !k.trim().is_empty())
        {
            return parsed.verify_with(keys::public_key(pem)?.as_ref());
        }
        let key = http::spectrocoin_key(&self.public_key_url, self.timeout, None)?;
        match parsed.verify_with(&key) {
            Err(Error::Signature(msg)) => {
                // Maybe SpectroCoin rotated its key: fetch again if ours is not fresh.
                let fresh = http::spectrocoin_key(
                    &self.public_key_url,
                    self.timeout,
                    Some(PUBLIC_KEY_MIN_REFRESH),
                )?;
                if std::sync::Arc::ptr_eq(&fresh, &key) {
                    return Err(Error::Signature(msg));
                }
                ParsedCallback::parse(body)?.verify_with(&fresh)
            }
            other => other,
        }
    }
}
