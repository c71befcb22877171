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

/// Hex digit values; 0xff for anything else.
pub(crate) const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Bytes that delimit or escape in a form body.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'=' as usize] = true;
    t[b'+' as usize] = true;
    t[b'%' as usize] = true;
    t
};

/// Positions of the special bytes (`&`, `=`, `+`, `%`) of a body, in order, eight
/// bytes at a time. Per word, exact per-byte tests (no carry crosses a byte) mark
/// the candidates: ASCII bytes below `0` (0x30: `%`, `&`, `+` and a few others)
/// and `=`; candidates are read off lowest first and confirmed with a table.
struct Specials<'a> {
    bytes: &'a [u8],
    /// Start of the current word.
    base: usize,
    /// Candidates in the current word not yet looked at (0x80 in each such byte).
    hits: u64,
}

impl<'a> Specials<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Specials {
            bytes,
            base: 0,
            hits: Self::candidates(bytes, 0),
        }
    }

    #[inline(always)]
    fn candidates(bytes: &[u8], base: usize) -> u64 {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const BELOW_0: u64 = 0x5050_5050_5050_5050; // 0x30 + 0x50 = 0x80
        const EQUALS: u64 = 0x3d3d_3d3d_3d3d_3d3d;
        let (word, n) = match bytes.get(base..base + 8) {
            Some(eight) => (u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])), 8),
            None => {
                let n = bytes.len().saturating_sub(base);
                let mut chunk = [0u8; 8];
                chunk[..n].copy_from_slice(&bytes[base..base + n]);
                (u64::from_le_bytes(chunk), n)
            }
        };
        // Bit 7 of each byte: set when the byte is ASCII and below 0x30 ...
        let below = !(((word & LOW7) + BELOW_0) | word) & HIGH;
        // ... or exactly '=' (the exact zero test of word ^ '=').
        let t = word ^ EQUALS;
        let equals = !(((t & LOW7) + LOW7) | t | LOW7);
        let mut hits = below | equals;
        // Bytes past the end were zero-filled (and 0 is below 0x30): never counted.
        if n < 8 {
            hits &= (1u64 << (8 * n)).wrapping_sub(1);
        }
        hits
    }
}

impl Iterator for Specials<'_> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            while self.hits == 0 {
                self.base += 8;
                if self.base >= self.bytes.len() {
                    return None;
                }
                self.hits = Self::candidates(self.bytes, self.base);
            }
            let p = self.base + (self.hits.trailing_zeros() / 8) as usize;
            self.hits &= self.hits - 1;
            if SPECIAL[self.bytes[p] as usize] {
                return Some(p);
            }
        }
    }
}

/// One side (name or value) of the segment being decoded: where it starts and,
/// once an escape was met, its decoded bytes so far (up to `copied`). A side
/// kept encoded only has its escapes checked.
struct Side {
    start: usize,
    decoded: Option<Vec<u8>>,
    copied: usize,
    keep_encoded: bool,
    /// An escape gave a non-ASCII byte (a kept side is then decoded after all,
    /// so its UTF-8 is checked as any other's).
    high: bool,
}

impl Side {
    fn at(start: usize, keep_encoded: bool) -> Self {
        Side {
            start,
            decoded: None,
            copied: start,
            keep_encoded,
            high: false,
        }
    }

    /// Checks, and unless kept encoded decodes, the escape at `p` (`+`, or `%`
    /// with two hex digits).
    fn escape(&mut self, body: &[u8], p: usize, what: &dyn Fn() -> String) -> Result<()> {
        if body[p] == b'+' {
            if !self.keep_encoded {
                self.push(body, p, b' ');
            }
            self.copied = p + 1;
            return Ok(());
        }
        // Hex digits are never delimiters, so a valid escape hides no other special byte.
        let hi = body.get(p + 1).map_or(0xff, |c| HEX_VALUE[*c as usize]);
        let lo = body.get(p + 2).map_or(0xff, |c| HEX_VALUE[*c as usize]);
        if (hi | lo) > 15 {
            return Err(Error::callback(format!(
                "malformed percent-encoding in {} at byte {}",
                what(),
                p - self.start
            )));
        }
        self.high |= hi >= 8;
        if !self.keep_encoded {
            self.push(body, p, hi << 4 | lo);
        }
        self.copied = p + 3;
        Ok(())
    }

    /// Appends the text since the last escape, then the decoded byte of the escape at `p`.
    fn push(&mut self, body: &[u8], p: usize, byte: u8) {
        let decoded = self
            .decoded
            .get_or_insert_with(|| Vec::with_capacity(body.len().min(1024)));
        decoded.extend_from_slice(&body[self.copied..p]);
        decoded.push(byte);
    }

    /// The side's text, ending at `end`: borrowed from the body when nothing was escaped.
    fn finish<'a>(
        self,
        body: &'a [u8],
        text: Option<&'a str>,
        end: usize,
        what: &dyn Fn() -> String,
    ) -> Result<Cow<'a, str>> {
        let not_utf8 = || Error::callback(format!("{} is not valid UTF-8", what()));
        match self.decoded {
            // Delimiters are ASCII, so a validated body slices at character boundaries.
            None => match text {
                Some(t) => t
                    .get(self.start..end)
                    .map(Cow::Borrowed)
                    .ok_or_else(not_utf8),
                None => std::str::from_utf8(&body[self.start..end])
                    .map(Cow::Borrowed)
                    .map_err(|_| not_utf8()),
            },
            Some(mut decoded) => {
                decoded.extend_from_slice(&body[self.copied..end]);
                String::from_utf8(decoded)
                    .map(Cow::Owned)
                    .map_err(|_| not_utf8())
            }
        }
    }

    /// A kept side: its text as sent (escapes checked), or decoded after all when an
    /// escape gave a non-ASCII byte or the body is not UTF-8.
    fn finish_value<'a>(
        self,
        body: &'a [u8],
        text: Option<&'a str>,
        end: usize,
        what: &dyn Fn() -> String,
    ) -> Result<Value<'a>> {
        if !self.keep_encoded || self.copied == self.start {
            return Ok(Value::Decoded(self.finish(body, text, end, what)?));
        }
        match text {
            Some(t) if !self.high => Ok(Value::Encoded(&t[self.start..end])),
            _ => Ok(Value::Decoded(decode_range(
                body, text, self.start, end, what,
            )?)),
        }
    }
}

/// `body[start..end]` decoded from scratch (the rare paths: a kept value that has to
/// be decoded after all, or [`Value::decoded`]).
fn decode_range<'a>(
    body: &'a [u8],
    text: Option<&'a str>,
    start: usize,
    end: usize,
    what: &dyn Fn() -> String,
) -> Result<Cow<'a, str>> {
    let mut side = Side::at(start, false);
    for p in start..end {
        if matches!(body[p], b'+' | b'%') && p >= side.copied {
            side.escape(body, p, what)?;
        }
    }
    side.finish(body, text, end, what)
}

/// One decoded `name=value` pair; both sides borrow the body unless they were encoded.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// A value of [`decode_form_keeping`]: decoded, or as sent (a field named to be kept
/// encoded, with escapes: they are checked and each stands for an ASCII byte, so
/// the text decodes to valid UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Decoded(Cow<'a, str>),
    Encoded(&'a str),
}

impl<'a> Value<'a> {
    /// The decoded text.
    pub fn decoded(self) -> Cow<'a, str> {
        match self {
            Value::Decoded(text) => text,
            // Its escapes were checked and decode to ASCII when it was kept: cannot fail.
            Value::Encoded(raw) => {
                decode_range(raw.as_bytes(), Some(raw), 0, raw.len(), &String::new)
                    .unwrap_or_default()
            }
        }
    }
}

/// Decodes an `application/x-www-form-urlencoded` body strictly, keeping order:
/// `+` and `%20` are spaces, `%XX` a byte (hex digits in either case).
///
/// Refused: bodies over [`MAX_BODY`], malformed `%` sequences, names or values
/// that are not UTF-8, empty or duplicate names. Empty segments (`a=1&&b=2`) are
/// skipped as PHP does; a segment without `=` is a name with an empty value.
pub fn decode_form(body: &[u8]) -> Result<Vec<Pair<'_>>> {
    Ok(decode_form_keeping(body, &[])?
        .into_iter()
        .map(|(n, v)| (n, v.decoded()))
        .collect())
}

/// [`decode_form`], leaving the values of the fields named in `keep_encoded` as
/// sent when every escape in them stands for an ASCII byte (for a consumer that
/// reads escapes itself: a Base64 signature is a tenth escapes). Checks are the same.
pub fn decode_form_keeping<'a>(
    body: &'a [u8],
    keep_encoded: &[&str],
) -> Result<Vec<(Cow<'a, str>, Value<'a>)>> {
    let mut pairs: Vec<(Cow<'a, str>, Value<'a>)> = Vec::with_capacity(16);
    for_each_field(body, keep_encoded, |n, value| {
        pairs.push((n, value));
        Ok(())
    })?;
    Ok(pairs)
}

/// The decoding of [`decode_form_keeping`], handing each field to `field` in order
/// instead of collecting them (all checks, repeated names included, done here).
///
/// One pass: delimiters and escapes are found eight bytes at a time, and each
/// name or value is decoded as they are met (borrowed when it has no escape).
pub fn for_each_field<'a>(
    body: &'a [u8],
    keep_encoded: &[&str],
    mut field: impl FnMut(Cow<'a, str>, Value<'a>) -> Result<()>,
) -> Result<()> {
    if body.len() > MAX_BODY {
        return Err(Error::callback(format!(
            "body of {} bytes is larger than the {} bytes a callback can be",
            body.len(),
            MAX_BODY
        )));
    }
    // A body that is UTF-8 as a whole (every real callback) is checked once here;
    // otherwise each name and value is, so the error names the field.
    let text = std::str::from_utf8(body).ok();
    let name_what = || "a field name".to_owned();
    let mut segment = 0;
    let mut name: Option<Cow<'a, str>> = None;
    let mut side = Side::at(0, false);
    let mut specials = Specials::new(body);
    // Names so far (borrowed from the body unless they had escapes).
    let mut seen: Vec<Cow<'a, str>> = Vec::with_capacity(16);
    loop {
        let p = specials.next().unwrap_or(body.len());
        if p < side.copied {
            continue; // inside an escape just checked (its digits are never specials)
        }
        match body.get(p) {
            Some(b'+' | b'%') => match &name {
                None => side.escape(body, p, &name_what)?,
                Some(n) => side.escape(body, p, &|| format!("field {n:?}"))?,
            },
            Some(b'=') if name.is_none() => {
                let n = std::mem::replace(&mut side, Side::at(p + 1, false))
                    .finish(body, text, p, &name_what)?;
                if n.is_empty() {
                    return Err(Error::callback("a field has an empty name"));
                }
                side.keep_encoded = keep_encoded.contains(&&*n);
                name = Some(n);
            }
            Some(b'=') => {}
            // '&' or the end: the segment is complete.
            _ => {
                let side = std::mem::replace(&mut side, Side::at(p + 1, false));
                if p > segment {
                    let (n, value) = match name.take() {
                        Some(n) => {
                            let what = || format!("field {n:?}");
                            let value = side.finish_value(body, text, p, &what)?;
                            (n, value)
                        }
                        None => {
                            let n = side.finish(body, text, p, &name_what)?;
                            if n.is_empty() {
                                return Err(Error::callback("a field has an empty name"));
                            }
                            (n, Value::Decoded(Cow::Borrowed("")))
                        }
                    };
                    if seen.contains(&n) {
                        return Err(Error::callback(format!(
                            "field {n:?} appears more than once"
                        )));
                    }
                    seen.push(n.clone());
                    field(n, value)?;
                }
                if p >= body.len() {
                    break;
                }
                segment = p + 1;
                name = None;
            }
        }
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
}
