//! OAuth2 client credentials for SpectroCoin's current API, with a
//! per-process token cache keyed by (base URL, client id, secret hash).
//!
//! The official plugin keeps the token in the customer's PHP session, so every
//! callback fetches a new one; one cached token per worker is enough.

use std::time::Duration;

use serde_json::Value;

use crate::core::answer::error_from_answer;
use crate::core::cache::TtlCache;
use crate::core::error::{Error, Result};
use crate::core::form::encode_pairs;
use crate::core::http::{self, host_of};

/// OAuth client credentials (SpectroCoin → Settings → API).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

type Key = (String, String, [u8; 32]);

/// Tokens by (base URL, client id, SHA-256 of the secret), each until shortly before it expires.
static TOKENS: TtlCache<Key, String> = TtlCache::new(64);

fn key(base: &str, c: &ClientCredentials) -> Key {
    (
        base.to_owned(),
        c.client_id.clone(),
        openssl::sha::sha256(c.client_secret.as_bytes()),
    )
}

/// Renew this long before expiry: a tenth of the lifetime, at most a minute.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

/// Reads a token answer: `access_token`, `expires_in` (seconds).
pub fn parse_token(body: &[u8]) -> Result<(String, Duration)> {
    // Never quoted: even a broken token answer may hold (part of) a bearer token.
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        Error::network(format!(
            "SpectroCoin's token answer is not JSON ({} bytes, not shown: it may hold a token)",
            body.len()
        ))
    })?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| Error::network("SpectroCoin's token answer has no usable access_token"))?;
    let secs = match v.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        None => Some(3600),
        _ => None,
    }
    .filter(|s| *s > 0)
    .ok_or_else(|| Error::network("SpectroCoin's token answer has no usable expires_in"))?;
    Ok((
        token.to_owned(),
        Duration::from_secs(secs.min(30 * 24 * 3600)),
    ))
}

/// A fresh token and how long it may be used (its lifetime less the renewal margin).
fn fetch(base: &str, c: &ClientCredentials, timeout: Duration) -> Result<(String, Duration)> {
    let url = format!("{base}/oauth/token");
    let body = encode_pairs([
        ("grant_type", "client_credentials"),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.as_str()),
    ]);
    let answer = http::post_form(&url, &body, timeout)?;
    match answer.status {
        200 => {
            let (token, lifetime) = parse_token(&answer.body)?;
            Ok((token, lifetime - margin(lifetime)))
        }
        400 | 401 => Err(Error::config(format!(
            "SpectroCoin rejected the OAuth client credentials (HTTP {}): check Client ID and Client secret \
             (SpectroCoin → Settings → API)",
            answer.status
        ))),
        403 => Err(forbidden(&url)),
        status => Err(error_from_answer(status, &answer.body, &host_of(&url))),
    }
}

pub fn forbidden(url: &str) -> Error {
    Error::config(format!(
        "SpectroCoin refused this server (HTTP 403 from {}): add this server's IP address to the API \
         allow-list in SpectroCoin → Settings → API, or check the credentials' scopes",
        host_of(url)
    ))
}

/// A valid token: cached, or fetched when missing or near expiry.
pub fn token(base: &str, c: &ClientCredentials, timeout: Duration) -> Result<String> {
    let k = key(base, c);
    if let Some((token, _)) = TOKENS.get(&k) {
        return Ok(token);
    }
    let (token, usable_for) = fetch(base, c, timeout)?;
    TOKENS.insert(k, token.clone(), Some(usable_for));
    Ok(token)
}

/// Forgets a token SpectroCoin refused.
pub fn drop_token(base: &str, c: &ClientCredentials) {
    TOKENS.remove(&key(base, c));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_token_answer_is_never_quoted() {
        let token = "eyJhbGciOiJSUzI1NiJ9.bGl2ZS1iZWFyZXItdG9rZW4";
        let truncated = format!(r#"{{"access_token":"{token}","expires_in":36"#);
        let shown = parse_token(truncated.as_bytes()).unwrap_err().to_string();
        assert!(!shown.contains(&token[..8]), "{shown}");
        assert!(shown.contains("not JSON"), "{shown}");
    }

    #[test]
    fn token_answers_are_read_and_bad_ones_refused() {
        let (t, l) =
            parse_token(br#"{"access_token":"abc.def","expires_in":3600,"token_type":"bearer"}"#)
                .unwrap();
        assert_eq!((t.as_str(), l), ("abc.def", Duration::from_secs(3600)));
        for bad in [
            &br#"{"expires_in":3600}"#[..],
            br#"{"access_token":"a b","expires_in":1}"#,
            br#"{"access_token":"x","expires_in":0}"#,
            b"<html>",
        ] {
            assert!(matches!(parse_token(bad), Err(Error::Network { .. })));
        }
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(60));
        assert_eq!(margin(Duration::from_secs(5)), Duration::from_millis(500));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = ClientCredentials {
            client_id: "id".into(),
            client_secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
