//! Form encoding with PHP `urlencode` semantics, and its strict inverse.
//!
//! Encoding (RFC 1738 as PHP does it): `A-Z a-z 0-9 . _ -` stay, space becomes
//! `+`, every other byte becomes `%XX` with uppercase hex.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::core::error::{Error, Result};

/// Largest callback body we read. SpectroCoin's callbacks are well under 2 KiB.
pub const MAX_BODY: usize = 64 * 1024;

/// PHP `urlencode` of a UTF-8 (or any) byte string.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    urlencode_into(&mut out, value);
    out
}

/// Bytes `urlencode` keeps as they are: `A-Z a-z 0-9 . _ -`.
const KEEP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// Appends PHP `urlencode(value)` to `out`, copying runs of kept bytes whole.
pub fn urlencode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if KEEP[b as usize] {
            continue;
        }
        // A non-empty run holds only kept (ASCII) bytes, so both its ends are
        // character boundaries; an empty one may sit inside a UTF-8 sequence.
        if i > run {
            out.push_str(&value[run..i]);
        }
        run = i + 1;
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    if run < bytes.len() {
        out.push_str(&value[run..]);
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

// Bytes read and names compared by the decoder, for the test that its work is
// linear whatever the body's shape (work counted, not time).
#[cfg(test)]
thread_local! {
    static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[inline(always)]
fn count_work(_units: usize) {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + _units));
}

/// A field name in the repeated-name set; hashing and comparing it is counted work.
#[derive(Clone)]
struct Name<'a>(Cow<'a, str>);

impl std::hash::Hash for Name<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        count_work(self.0.len());
        self.0.hash(state);
    }
}

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        count_work(self.0.len().min(other.0.len()) + 1);
        self.0 == other.0
    }
}

impl Eq for Name<'_> {}

/// Decodes one name or value: `+` is a space, `%XX` a byte (hex digits in either
/// case); the result must be UTF-8. Borrowed from the body when it has no escape.
fn decode_part<'a>(raw: &'a [u8], what: &dyn Fn() -> String) -> Result<Cow<'a, str>> {
    let not_utf8 = || Error::callback(format!("{} is not valid UTF-8", what()));
    // Read at most twice: the escape scan, then the decoding or the UTF-8 check.
    count_work(2 * raw.len());
    let is_escape = |b: &u8| *b == b'+' || *b == b'%';
    let Some(first) = raw.iter().position(is_escape) else {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| not_utf8());
    };
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(&raw[..first]);
    let mut i = first;
    // Runs without escapes are copied whole; each escape is decoded on its own.
    while let Some(run) = raw[i..].iter().position(is_escape) {
        out.extend_from_slice(&raw[i..i + run]);
        i += run;
        if raw[i] == b'+' {
            out.push(b' ');
            i += 1;
            continue;
        }
        let hex = |d: Option<&u8>| d.and_then(|d| (*d as char).to_digit(16));
        let (Some(hi), Some(lo)) = (hex(raw.get(i + 1)), hex(raw.get(i + 2))) else {
            return Err(Error::callback(format!(
                "malformed percent-encoding in {} at byte {i}",
                what()
            )));
        };
        out.push((hi << 4 | lo) as u8);
        i += 3;
    }
    out.extend_from_slice(&raw[i..]);
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| not_utf8())
}

/// Most fields a body may have: a callback has about fifteen. Refusing at the 257th
/// bounds the work any body costs before it is refused (each field is hashed).
pub const MAX_FIELDS: usize = 256;

/// Up to this many names are checked for repeats by a plain scan.
const SHORT_LIST: usize = 32;

/// One decoded `name=value` pair; both sides borrow the body unless they were encoded.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Decodes an `application/x-www-form-urlencoded` body strictly, keeping order:
/// `+` and `%20` are spaces, `%XX` a byte (hex digits in either case).
///
/// Refused: bodies over [`MAX_BODY`] or with more than [`MAX_FIELDS`] fields, malformed `%` sequences, names or values
/// that are not UTF-8, empty or duplicate names. Empty segments (`a=1&&b=2`) are
/// skipped as PHP does; a segment without `=` is a name with an empty value.
pub fn decode_form(body: &[u8]) -> Result<Vec<Pair<'_>>> {
    let mut pairs = Vec::with_capacity(16);
    for_each_field(body, |name, value| {
        pairs.push((name, value));
        Ok(())
    })?;
    Ok(pairs)
}

/// The decoding of [`decode_form`], handing each field to `field` in order
/// instead of collecting them (all checks, repeated names included, done here).
/// Linear in the body's length whatever its shape: each byte is read a bounded
/// number of times and repeated names are found through a hash set.
pub fn for_each_field<'a>(
    body: &'a [u8],
    mut field: impl FnMut(Cow<'a, str>, Cow<'a, str>) -> Result<()>,
) -> Result<()> {
    if body.len() > MAX_BODY {
        return Err(Error::callback(format!(
            "body of {} bytes is larger than the {} bytes a callback can be",
            body.len(),
            MAX_BODY
        )));
    }
    // Names so far: a short list scanned while it is short (a callback has 12 to 16
    // fields), a hash set once it grows, so the check stays linear in the body.
    let mut few: Vec<Name<'a>> = Vec::with_capacity(SHORT_LIST);
    let mut many: HashSet<Name<'a>> = HashSet::new();
    for (n, segment) in body
        .split(|&b| b == b'&')
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        count_work(segment.len() + 1);
        if n == MAX_FIELDS {
            return Err(Error::callback(format!(
                "body has more than {MAX_FIELDS} fields (a callback has about fifteen)"
            )));
        }
        let (name, value) = match segment.iter().position(|&b| b == b'=') {
            Some(i) => (&segment[..i], &segment[i + 1..]),
            None => (segment, &segment[..0]),
        };
        let name = decode_part(name, &|| "a field name".to_owned())?;
        if name.is_empty() {
            return Err(Error::callback("a field has an empty name"));
        }
        let value = decode_part(value, &|| format!("field {name:?}"))?;
        let name_key = Name(name.clone());
        let repeated = if many.is_empty() && few.len() < SHORT_LIST {
            let repeated = few.contains(&name_key);
            few.push(name_key);
            repeated
        } else {
            if many.is_empty() {
                many.extend(few.drain(..));
            }
            !many.insert(name_key)
        };
        if repeated {
            return Err(Error::callback(format!(
                "field {name:?} appears more than once"
            )));
        }
        field(name, value)?;
    }
    Ok(())
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
        let fields = |n: usize| {
            (0..n)
                .map(|i| format!("f{i}=1"))
                .collect::<Vec<_>>()
                .join("&")
        };
        assert_eq!(
            decode_form(fields(MAX_FIELDS).as_bytes()).unwrap().len(),
            MAX_FIELDS
        );
        let err = decode_form(fields(MAX_FIELDS + 1).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("more than 256 fields"), "{err}");
    }

    #[test]
    fn urlencode_agrees_with_a_byte_by_byte_encoding() {
        let by_byte = |v: &str| -> String {
            v.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let pieces = [
            "a", "Z9", " ", "é", "€", "𝄞", "%", "+", "/", ".-_", "~*", "\u{0}",
        ];
        let mut seed: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..5_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut r = seed;
            let mut v = String::new();
            for _ in 0..(r % 8) {
                r = r.rotate_left(9) ^ 0x2545_f491_4f6c_dd1d;
                v.push_str(pieces[(r % pieces.len() as u64) as usize]);
            }
            assert_eq!(urlencode(&v), by_byte(&v), "{v:?}");
        }
    }

    /// Work (bytes read, names hashed and compared) for `body`, and whether it decoded.
    fn work_for(body: &[u8]) -> (usize, bool) {
        WORK.with(|w| w.set(0));
        let ok = decode_form(body).is_ok();
        (WORK.with(|w| w.get()), ok)
    }

    /// Adversarial shapes of a body at most [`MAX_BODY`] long, each at `size` bytes.
    pub(crate) fn adversarial_shapes(size: usize) -> Vec<(&'static str, Vec<u8>)> {
        let many_fields: Vec<u8> = (0..)
            .map(|i| format!("{i:x}=&"))
            .flat_map(String::into_bytes)
            .take(size)
            .collect();
        let repeated_last = {
            let mut b = many_fields[..size - 4].to_vec();
            b.extend_from_slice(b"&0=1");
            b
        };
        vec![
            ("many short fields", many_fields),
            (
                "many short fields, the last repeating the first",
                repeated_last,
            ),
            (
                "many escapes",
                b"a="
                    .iter()
                    .chain(b"%41".iter().cycle())
                    .take(size)
                    .copied()
                    .collect(),
            ),
            (
                "many pluses",
                b"a="
                    .iter()
                    .chain(std::iter::repeat(&b'+'))
                    .take(size)
                    .copied()
                    .collect(),
            ),
            (
                "one long field",
                b"a="
                    .iter()
                    .chain(std::iter::repeat(&b'x'))
                    .take(size)
                    .copied()
                    .collect(),
            ),
            ("one long name", std::iter::repeat_n(b'n', size).collect()),
            (
                "many empty segments",
                std::iter::repeat_n(b'&', size).collect(),
            ),
            (
                "many equals",
                b"a".iter()
                    .chain(std::iter::repeat(&b'='))
                    .take(size)
                    .copied()
                    .collect(),
            ),
        ]
    }

    #[test]
    fn decoding_work_is_linear_in_the_body_whatever_its_shape() {
        for ((what, small), (_, large)) in adversarial_shapes(MAX_BODY / 4)
            .into_iter()
            .zip(adversarial_shapes(MAX_BODY))
        {
            let (w_small, _) = work_for(&small);
            let (w_large, ok) = work_for(&large);
            // A bounded number of units per byte, and four times the body is about four
            // times the work (a quadratic repeated-name check made it sixteen).
            assert!(
                w_large <= 8 * large.len(),
                "{what}: {w_large} units for {} bytes",
                large.len()
            );
            assert!(
                w_large <= 5 * w_small,
                "{what}: {w_small} -> {w_large} units"
            );
            if what.contains("repeating") {
                assert!(!ok, "{what} accepted");
            }
        }
    }
}
