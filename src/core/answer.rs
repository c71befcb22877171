//! Reading SpectroCoin's JSON answers (legacy createOrder, the current API): the one place
//! for how a text, an amount, the redirect URL and `validUntil` are taken from them, and
//! what a current-API error answer means.

use serde_json::{Map, Value};

use crate::core::amount::format_callback_amount;
use crate::core::error::Error;
use crate::core::http::excerpt;

/// The first of `names` present as a non-empty string or a number (numbers from their
/// text: serde_json's `arbitrary_precision`, never via f64).
pub fn text(o: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match o.get(*n)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    })
}

/// [`text`] as a canonical callback amount (`0.0#######`), if it is one.
pub fn amount(o: &Map<String, Value>, names: &[&str]) -> Option<String> {
    text(o, names).and_then(|t| format_callback_amount(&t).map(|a| a.into_owned()))
}

/// `redirectUrl`, only when it is an http(s) URL with a host (where the customer is
/// sent): the one check of it, which the module relies on.
pub fn redirect_url(o: &Map<String, Value>) -> Option<String> {
    text(o, &["redirectUrl"]).filter(|u| is_web_url(u))
}

fn is_web_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && url.bytes().all(|b| b.is_ascii_graphic())
}

/// `validUntil` in ms since the epoch: milliseconds per the legacy API doc, ISO-8601 text
/// from the current API (and from one of SpectroCoin's own legacy stubs).
pub fn valid_until(o: &Map<String, Value>) -> Option<i64> {
    match o.get("validUntil")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok().or_else(|| parse_time_ms(s)),
        _ => None,
    }
}

/// ISO-8601 (`2026-11-26T07:30:00Z`, fractions, `+hh:mm` offsets) ⇒ ms since the epoch.
pub fn parse_time_ms(t: &str) -> Option<i64> {
    let t = t.trim();
    let b = t.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return None;
        }
        ms = format!("{:0<3}", &digits[..digits.len().min(3)])
            .parse::<i64>()
            .ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        // `±hh:mm`, checked byte by byte: slicing a str inside a character panics.
        o if matches!(o.as_bytes(), [b'+' | b'-', h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())) =>
        {
            let b = o.as_bytes();
            let sign = if b[0] == b'-' { -1 } else { 1 };
            let digit = |i: usize| i64::from(b[i] - b'0');
            sign * ((digit(1) * 10 + digit(2)) * 60 + digit(4) * 10 + digit(5))
        }
        _ => return None,
    };
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + s) - offset_min * 60) * 1000 + ms)
}

/// Turns a non-success answer into the error an admin can act on.
/// 401/403 are configuration problems; 404/422 refusals; 429/5xx temporary
/// (see [`Error::is_retryable`]).
pub fn error_from_answer(status: u16, body: &[u8], host: &str) -> Error {
    let v: Option<Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .filter(|s| !s.is_empty())
    };
    let error_code = field("errorCode");
    // traceId is 16 hex digits; anything else is not quoted back (it could be anything).
    let trace_id = field("traceId")
        .filter(|t| t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let detail = match field("defaultMessage") {
        Some(m) => {
            let mut d = m;
            if let Some(code) = &error_code {
                d.push_str(&format!(" (errorCode {code}"));
                if let Some(trace) = &trace_id {
                    d.push_str(&format!(", traceId {trace}"));
                }
                d.push(')');
            }
            d
        }
        None => format!("unexpected body {:?}", excerpt(body)),
    };
    let message = match status {
        429 => format!(
            "SpectroCoin is rate-limiting requests (HTTP 429: {detail}); temporary, retry later"
        ),
        500..=599 => format!(
            "SpectroCoin had a server error (HTTP {status}: {detail}); temporary, retry later"
        ),
        404 => format!("SpectroCoin has no such order (HTTP 404: {detail})"),
        _ => format!("SpectroCoin refused the request (HTTP {status} from {host}): {detail}"),
    };
    Error::Api {
        message,
        http_status: status,
        // The documented codes are texts ("GEN_8"); only a plain number is a code here.
        code: error_code.and_then(|c| c.trim().parse().ok()),
        trace_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_actionable_errors() {
        let body = br#"{"defaultMessage":"orderId already exists","errorCode":"ORDER_EXISTS","spanId":"s","traceId":"t1"}"#;
        let e = error_from_answer(422, body, "spectrocoin.com");
        assert!(
            e.to_string()
                .contains("orderId already exists (errorCode ORDER_EXISTS, traceId t1)"),
            "{e}"
        );
        assert!(!e.is_retryable());
        // The HTTP status and SpectroCoin's code are separate facts.
        assert_eq!(
            (e.http_status(), e.spectrocoin_code(), e.trace_id()),
            (Some(422), None, Some("t1"))
        );
        let numeric = error_from_answer(400, br#"{"defaultMessage":"m","errorCode":7}"#, "h");
        assert_eq!(
            (numeric.http_status(), numeric.spectrocoin_code()),
            (Some(400), Some(7))
        );
        assert!(error_from_answer(429, b"", "h").is_retryable());
        assert!(error_from_answer(503, b"<html>", "h").is_retryable());
        let missing = error_from_answer(404, b"{}", "h");
        assert_eq!(
            (missing.http_status(), missing.trace_id()),
            (Some(404), None)
        );
        assert!(!missing.is_retryable());
        let odd_trace = error_from_answer(500, br#"{"traceId":"<script>"}"#, "h");
        assert_eq!(odd_trace.trace_id(), None);
    }
}
