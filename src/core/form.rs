//! Form encoding with PHP `urlencode` semantics, and its strict inverse.
//!
//! Encoding (RFC 1738 as PHP does it): `A-Z a-z 0-9 . _ -` stay, space becomes
//! `+`, every other byte becomes `%XX` with uppercase hex.

use std::borrow::Cow;

use crate::core::error::{Error, Result};

/// Largest callback body we read. SpectroCoin's callbacks are well under 2 KiB.
pub const MAX_BODY: usize = 64 * 1024;

/// PHP `urlencode` of a UTF-8 (or any) byte string.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    urlencode_into(&mut out, value);
    out
}

/// Appends PHP `urlencode(value)` to `out`.
pub fn urlencode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// `name=value&…` in the given order, both sides encoded, as `http_build_query` does.
pub fn encode_pairs<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::with_capacity(512);
    for (i, (name, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        urlencode_into(&mut out, name);
        out.push('=');
        urlencode_into(&mut out, value);
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form component: `+` and `%20` are spaces, `%XX` a byte.
/// Borrows the input when it holds nothing to decode (the common case).
/// `name` is only used for error messages (None: this is the name itself).
fn decode_component<'a>(raw: &'a [u8], name: Option<&str>) -> Result<Cow<'a, str>> {
    let what = || match name {
        Some(n) => format!("field {n:?}"),
        None => "a field name".to_owned(),
    };
    let not_utf8 = || Error::callback(format!("{} is not valid UTF-8", what()));
    if !raw.iter().any(|b| *b == b'+' || *b == b'%') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| not_utf8());
    }
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).and_then(|c| hex_value(*c));
                let lo = raw.get(i + 2).and_then(|c| hex_value(*c));
                match (hi, lo) {
                    (Some(h), Some(l)) => bytes.push(h << 4 | l),
                    _ => {
                        return Err(Error::callback(format!(
                            "malformed percent-encoding in {} at byte {i}",
                            what()
                        )))
                    }
                }
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| not_utf8())
}

/// One decoded `name=value` pair; both sides borrow the body unless they were encoded.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Decodes an `application/x-www-form-urlencoded` body strictly, keeping order.
///
/// Refused: bodies over [`MAX_BODY`], malformed `%` sequences, values that
/// are not UTF-8, empty or duplicate names. Empty segments (`a=1&&b=2`) are
/// skipped as PHP does; a segment without `=` is a name with an empty value.
pub fn decode_form(body: &[u8]) -> Result<Vec<Pair<'_>>> {
    if body.len() > MAX_BODY {
        return Err(Error::callback(format!(
            "body of {} bytes is larger than the {} bytes a callback can be",
            body.len(),
            MAX_BODY
        )));
    }
    let mut pairs: Vec<Pair<'_>> = Vec::with_capacity(16);
    for segment in body.split(|b| *b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = match segment.iter().position(|b| *b == b'=') {
            Some(eq) => (&segment[..eq], &segment[eq + 1..]),
            None => (segment, &segment[..0]),
        };
        let name = decode_component(raw_name, None)?;
        if name.is_empty() {
            return Err(Error::callback("a field has an empty name"));
        }
        let value = decode_component(raw_value, Some(&name))?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(Error::callback(format!(
                "field {name:?} appears more than once"
            )));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_matches_php() {
        let cases = [
            ("Payment for Car-2547", "Payment+for+Car-2547"),
            ("a.b_c-d~e*f", "a.b_c-d%7Ee%2Af"),
            (
                "http://mySite.com/callback",
                "http%3A%2F%2FmySite.com%2Fcallback",
            ),
            ("x=1&y=2?", "x%3D1%26y%3D2%3F"),
            ("ąžė €", "%C4%85%C5%BE%C4%97+%E2%82%AC"),
            ("<b>\"'", "%3Cb%3E%22%27"),
            ("+/=", "%2B%2F%3D"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(urlencode(input), want, "{input:?}");
        }
    }

    #[test]
    fn decoding_an_encoding_gives_the_input_back() {
        let pairs = [
            ("description", "Tom & Jerry's <b>\"caf\u{e9}\"</b> 100% * ~"),
            ("empty", ""),
            ("sign", "ab+/=="),
        ];
        let body = encode_pairs(pairs.iter().copied());
        let decoded = decode_form(body.as_bytes()).unwrap();
        let want: Vec<Pair> = pairs
            .iter()
            .map(|(a, b)| (Cow::Borrowed(*a), Cow::Borrowed(*b)))
            .collect();
        assert_eq!(decoded, want);
        // Only what was encoded is copied.
        assert!(matches!(decoded[1].1, Cow::Borrowed(_)));
        assert!(matches!(decoded[0].1, Cow::Owned(_)));
    }

    #[test]
    fn plus_and_percent20_both_decode_to_space_and_lowercase_hex_is_accepted() {
        let d = decode_form(b"a=x+y%20z&b=%2a%2A").unwrap();
        assert_eq!(d[0].1, "x y z");
        assert_eq!(d[1].1, "**");
    }

    #[test]
    fn empty_segments_are_skipped_and_bare_names_have_empty_values() {
        let d = decode_form(b"&a=1&&b&").unwrap();
        let want: Vec<Pair> = vec![("a".into(), "1".into()), ("b".into(), "".into())];
        assert_eq!(d, want);
    }

    #[test]
    fn hostile_bodies_are_refused_with_a_reason() {
        let cases: [(&[u8], &str); 7] = [
            (b"a=%zz", "percent"),
            (b"a=%4", "percent"),
            (b"a=%", "percent"),
            (b"a=%ff", "UTF-8"),
            (b"a=\xff", "UTF-8"),
            (b"a=1&a=2", "more than once"),
            (b"=1", "empty name"),
        ];
        for (body, reason) in cases {
            let err = decode_form(body).unwrap_err().to_string();
            assert!(err.contains(reason), "{body:?}: {err}");
        }
        let huge = vec![b'a'; MAX_BODY + 1];
        assert!(decode_form(&huge)
            .unwrap_err()
            .to_string()
            .contains("larger"));
        assert!(decode_form(&vec![b'a'; MAX_BODY]).is_ok());
    }
}
