//! HTTPS to SpectroCoin: one keep-alive agent per process, explicit
//! timeouts, TLS verification always on, plain HTTP only to loopback.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::Agent;

use crate::core::error::{Error, Result};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer read from SpectroCoin.
const MAX_ANSWER: u64 = 1024 * 1024;

fn agent() -> &'static Agent {
    static AGENT: OnceLock<Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        Agent::config_builder()
            .tls_config(
                // The system's trust store through OpenSSL (as PHP's curl uses), so a CA an
                // admin installed (update-ca-certificates, SSL_CERT_FILE) is honoured.
                TlsConfig::builder()
                    .provider(TlsProvider::NativeTls)
                    .root_certs(RootCerts::PlatformVerifier)
                    .build(),
            )
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(DEFAULT_TIMEOUT))
            .timeout_global(Some(DEFAULT_TIMEOUT))
            .max_idle_connections_per_host(4)
            .max_idle_age(Duration::from_secs(50))
            .user_agent(concat!("spectrocoin-php/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    })
}

/// HTTPS anywhere; plain HTTP only to a loopback address (tests, simulators).
pub fn check_url(url: &str, what: &str) -> Result<()> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|_| Error::config(format!("{what} {url:?} is not a URL")))?;
    let host = uri.host().unwrap_or("");
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<IpAddr>()
                    .map(|ip| ip.is_loopback())
                    .unwrap_or(false);
            if loopback {
                Ok(())
            } else {
                Err(Error::config(format!(
                    "{what} {url:?} must use https:// (plain http:// is allowed only for loopback test servers)"
                )))
            }
        }
        _ => Err(Error::config(format!(
            "{what} {url:?} must be an https:// URL"
        ))),
    }
}

pub fn host_of(url: &str) -> String {
    url.parse::<ureq::http::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "SpectroCoin".to_owned())
}

fn transport_error(e: ureq::Error, url: &str, timeout: Duration) -> Error {
    let host = host_of(url);
    match e {
        ureq::Error::Timeout(_) => Error::network(format!(
            "SpectroCoin ({host}) did not answer within {} s",
            timeout.as_secs_f64()
        )),
        ureq::Error::HostNotFound => {
            Error::unreachable(format!("SpectroCoin host {host} was not found (DNS)"))
        }
        ureq::Error::ConnectionFailed => {
            Error::unreachable(format!("could not connect to SpectroCoin ({host})"))
        }
        ureq::Error::BodyExceedsLimit(n) => Error::oversized_answer(format!(
            "SpectroCoin ({host}) answered more than {n} bytes; refused"
        )),
        // Refused or no route: nothing was sent. Anything else broke off a request under way.
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::AddrNotAvailable
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
            ) =>
        {
            Error::unreachable(format!("could not connect to SpectroCoin ({host}): {io}"))
        }
        ureq::Error::Io(io) => {
            Error::network(format!("connection to SpectroCoin ({host}) failed: {io}"))
        }
        ureq::Error::NativeTls(t) => Error::unreachable(format!(
            "TLS handshake with SpectroCoin ({host}) failed (is the URL really HTTPS, and is its certificate trusted?): {t}"
        )),
        other => Error::network(format!("request to SpectroCoin ({host}) failed: {other}")),
    }
}

/// The first bytes of an unexpected answer, printable.
pub fn excerpt(body: &[u8]) -> String {
    let text = redact_secrets(&String::from_utf8_lossy(body));
    text.chars()
        .take(120)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Whether a JSON key names a secret: a token, secret, key, signature or password.
fn names_a_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["token", "secret", "key", "sign", "password"]
        .iter()
        .any(|word| key.contains(word))
}

/// `text` with every JSON string under a key naming a secret (at any depth below
/// it) replaced by `"[redacted]"`. Lexical, so a truncated or broken body is
/// redacted as well as a whole one; an unterminated secret string is redacted too.
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Per open object or array: whether it sits under a secret key.
    let mut secret_scopes: Vec<bool> = Vec::new();
    let mut value_is_secret = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '"' => {
                let (string, after) = split_json_string(rest);
                let is_key = after.trim_start().starts_with(':');
                let inside_secret = secret_scopes.last().copied().unwrap_or(false);
                if is_key {
                    value_is_secret = inside_secret || names_a_secret(string);
                    out.push_str(string);
                } else if value_is_secret || inside_secret {
                    out.push_str("\"[redacted]\"");
                    value_is_secret = false;
                } else {
                    out.push_str(string);
                }
                rest = after;
                continue;
            }
            '{' | '[' => {
                let inside_secret = secret_scopes.last().copied().unwrap_or(false);
                secret_scopes.push(value_is_secret || inside_secret);
                value_is_secret = false;
            }
            '}' | ']' => {
                secret_scopes.pop();
                value_is_secret = false;
            }
            ',' => value_is_secret = false,
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Splits `text` (starting with `"`) after its first JSON string, quotes and
/// escapes included (to the end when it is unterminated).
fn split_json_string(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return text.split_at(i + 1),
            _ => i += 1,
        }
    }
    (text, "")
}

/// An HTTP answer, read within the size limit.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

fn read(
    result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    url: &str,
    timeout: Duration,
) -> Result<Answer> {
    let mut response = result.map_err(|e| transport_error(e, url, timeout))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(|e| transport_error(e, url, timeout))?;
    Ok(Answer { status, body })
}

/// POSTs a body of the given content type, with a bearer token if given.
fn post(
    url: &str,
    content_type: &str,
    body: &str,
    bearer: Option<&str>,
    timeout: Duration,
) -> Result<Answer> {
    check_url(url, "API URL")?;
    #[cfg(test)]
    if let Some(answer) = fake::answer("POST", url, bearer) {
        return answer;
    }
    let mut req = agent()
        .post(url)
        .config()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout))
        .build()
        .header("Content-Type", content_type)
        .header("Accept", "application/json");
    if let Some(token) = bearer {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    read(req.send(body), url, timeout)
}

/// POSTs a form body.
pub fn post_form(url: &str, body: &str, timeout: Duration) -> Result<Answer> {
    post(
        url,
        "application/x-www-form-urlencoded",
        body,
        None,
        timeout,
    )
}

/// POSTs a JSON body with a bearer token.
pub fn post_json(url: &str, body: &str, bearer: &str, timeout: Duration) -> Result<Answer> {
    post(url, "application/json", body, Some(bearer), timeout)
}

/// GETs a URL, with a bearer token if given.
pub fn get(url: &str, bearer: Option<&str>, timeout: Duration) -> Result<Answer> {
    #[cfg(test)]
    if let Some(answer) = fake::answer("GET", url, bearer) {
        return answer;
    }
    let mut req = agent()
        .get(url)
        .config()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout))
        .build()
        .header("Accept", "application/json");
    if let Some(token) = bearer {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    read(req.call(), url, timeout)
}

/// The test seam: on this thread, requests go to a closure instead of the network,
/// so what lies above HTTP (caches, retries, error mapping) runs as in production.
#[cfg(test)]
pub(crate) mod fake {
    use std::cell::RefCell;

    use super::Answer;
    use crate::core::error::Result;

    type Handler = Box<dyn FnMut(&str, &str, Option<&str>) -> Result<Answer>>;

    thread_local! {
        static HANDLER: RefCell<Option<Handler>> = const { RefCell::new(None) };
    }

    /// Runs `body` with every request of this thread answered by `handler(method, url, bearer)`.
    pub fn with<R>(
        handler: impl FnMut(&str, &str, Option<&str>) -> Result<Answer> + 'static,
        body: impl FnOnce() -> R,
    ) -> R {
        HANDLER.with(|h| *h.borrow_mut() = Some(Box::new(handler)));
        let result = body();
        HANDLER.with(|h| *h.borrow_mut() = None);
        result
    }

    pub(super) fn answer(method: &str, url: &str, bearer: Option<&str>) -> Option<Result<Answer>> {
        HANDLER.with(|h| h.borrow_mut().as_mut().map(|f| f(method, url, bearer)))
    }

    /// An answer with this status and body.
    pub fn reply(status: u16, body: &str) -> Result<Answer> {
        Ok(Answer {
            status,
            body: body.as_bytes().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_never_show_a_string_under_a_secret_key() {
        let secret = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu";
        for body in [
            format!(r#"{{"access_token":"{secret}","expires_in":"soon"}}"#),
            format!(r#"{{"error":"x","Client_Secret" : "{secret}"}}"#),
            format!(r#"{{"data":{{"apiKey":{{"value":"{secret}","parts":["{secret}"]}}}}}}"#),
            format!(r#"{{"sign":"{secret}"}}"#),
            format!(r#"{{"signature":"{secret}\"{secret}"}}"#),
            // Truncated in the middle of the secret: still redacted.
            format!(r#"{{"token":"{}"#, &secret[..20]),
        ] {
            let shown = excerpt(body.as_bytes());
            assert!(!shown.contains(&secret[..12]), "{body} -> {shown}");
            assert!(shown.contains("[redacted]"), "{body} -> {shown}");
        }
        // Everything else stays readable.
        let plain = r#"{"errorCode":"GEN_8","defaultMessage":"bad \"amount\"","traceId":"0123456789abcdef","list":["a",1]}"#;
        assert_eq!(excerpt(plain.as_bytes()), plain[..120.min(plain.len())]);
        assert_eq!(
            redact_secrets(r#"{"key":1,"x":"y"}"#),
            r#"{"key":1,"x":"y"}"#
        );
    }

    #[test]
    fn plain_http_is_allowed_only_to_loopback() {
        for ok in [
            "https://spectrocoin.com/api/merchant/1",
            "http://127.0.0.1:8181/api/merchant/1",
            "http://127.8.9.1/x",
            "http://localhost:1/x",
            "http://[::1]:8181/x",
        ] {
            assert!(check_url(ok, "API URL").is_ok(), "{ok}");
        }
        for bad in [
            "http://spectrocoin.com/api",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/",
            "spectrocoin.com",
            "",
            "https://",
        ] {
            assert!(
                matches!(check_url(bad, "API URL"), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }
}
