//! One error type for the whole core. The PHP binding maps each variant to one
//! exception class, in one place (`src/php/errors.rs`).

use thiserror::Error;

/// One code and message of SpectroCoin's HTTP 203 error array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    pub code: i64,
    pub message: String,
}

/// How an exchange with SpectroCoin failed, in the terms an admin acts on: the one place
/// this is decided (the module words its log lines and Pay Now's stored reasons from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// SpectroCoin answered and said no (the legacy error array, a 4xx error body).
    Refused,
    /// SpectroCoin answered, but busy (429, 5xx) or with something not its protocol.
    Error,
    /// No connection (DNS, connect, TLS): nothing was sent.
    Unreachable,
    /// Sent, but no usable answer came back in time: it may have taken effect.
    NoAnswer,
}

impl Failure {
    pub fn name(self) -> &'static str {
        match self {
            Failure::Refused => "refused",
            Failure::Error => "error",
            Failure::Unreachable => "unreachable",
            Failure::NoAnswer => "no_answer",
        }
    }
}

/// Everything that can go wrong, grouped by who has to act.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The merchant's configuration or the order given to us is unusable:
    /// a key that does not parse, ids of mixed kinds, an amount that is not a
    /// plain decimal, a URL that is neither HTTPS nor loopback HTTP.
    #[error("{0}")]
    Config(String),

    /// SpectroCoin answered and refused the request (HTTP 203 with an error
    /// array, or a current-API error body). The message keeps every code and message.
    #[error("{message}")]
    Api {
        message: String,
        /// The HTTP status of the answer (203 for the legacy error array).
        http_status: u16,
        /// SpectroCoin's own numeric error code (the legacy array's first code, or a
        /// current-API `errorCode` that is a number); never the HTTP status.
        code: Option<i64>,
        /// The current API's `traceId`, for SpectroCoin's support.
        trace_id: Option<String>,
    },

    /// SpectroCoin could not be reached or did not answer in time (no status), or
    /// answered something that is not its protocol (the status and first bytes are in
    /// the message).
    #[error("{message}")]
    Network {
        message: String,
        http_status: Option<u16>,
        trace_id: Option<String>,
        /// Error (an answer, `http_status` set or too large), Unreachable or NoAnswer.
        failure: Failure,
    },

    /// A callback that is malformed or not ours: bad encoding, a missing
    /// field, foreign merchant or project ids, an unknown status, or facts
    /// that do not match the order we issued.
    #[error("{0}")]
    Callback(String),

    /// A callback whose signature is not SpectroCoin's.
    #[error("{0}")]
    Signature(String),

    /// A callback that names another merchant or project than the configured one:
    /// someone else's, or one of our orders created under earlier settings (the
    /// module decides which, with the ids its order row recorded).
    #[error("{0}")]
    ForeignIds(String),
}

impl Error {
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
    pub fn callback(msg: impl Into<String>) -> Self {
        Error::Callback(msg.into())
    }
    pub fn foreign_ids(msg: impl Into<String>) -> Self {
        Error::ForeignIds(msg.into())
    }
    /// Nothing usable came back from SpectroCoin (a timeout, a broken connection, an
    /// answer that cannot be read): the request may have taken effect.
    pub fn network(msg: impl Into<String>) -> Self {
        Self::network_failure(Failure::NoAnswer, None, msg)
    }

    /// SpectroCoin could not be reached at all (DNS, connect, TLS): nothing was sent.
    pub fn unreachable(msg: impl Into<String>) -> Self {
        Self::network_failure(Failure::Unreachable, None, msg)
    }

    /// SpectroCoin answered with a status and body that are not its protocol.
    pub fn unexpected_answer(http_status: u16, msg: impl Into<String>) -> Self {
        Self::network_failure(Failure::Error, Some(http_status), msg)
    }

    /// SpectroCoin answered, but with more than we read (no status kept).
    pub fn oversized_answer(msg: impl Into<String>) -> Self {
        Self::network_failure(Failure::Error, None, msg)
    }

    fn network_failure(failure: Failure, http_status: Option<u16>, msg: impl Into<String>) -> Self {
        Error::Network {
            message: msg.into(),
            http_status,
            trace_id: None,
            failure,
        }
    }

    /// How an exchange with SpectroCoin failed; None for errors that are not one.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            Error::Api { .. } if self.is_retryable() => Some(Failure::Error),
            Error::Api { .. } => Some(Failure::Refused),
            Error::Network { failure, .. } => Some(*failure),
            _ => None,
        }
    }

    /// The legacy API's refusal: HTTP 203 with an error array (never empty).
    pub fn refused(faults: &[ApiFault]) -> Self {
        let listed = faults
            .iter()
            .map(|f| format!("[{}] {}", f.code, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        Error::Api {
            message: format!("SpectroCoin refused the request: {listed}"),
            http_status: 203,
            code: faults.first().map(|f| f.code),
            trace_id: None,
        }
    }

    /// The HTTP status SpectroCoin answered with, when it answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api { http_status, .. } => Some(*http_status),
            Error::Network { http_status, .. } => *http_status,
            _ => None,
        }
    }

    /// SpectroCoin's own error code, when it gave a numeric one.
    pub fn spectrocoin_code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The trace id SpectroCoin's answer carried, for its support.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Api { trace_id, .. } | Error::Network { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }

    /// Whether SpectroCoin refused the order because its orderId is already used in the
    /// project (another installation, or an earlier one, on the same project): the one
    /// place this is decided. Legacy API: error code 5 in the error array
    /// (../shared/docs/spectrocoin-api.md). The current API documents no code for it;
    /// its refusal is a 4xx whose message says the order "already exists".
    pub fn is_order_id_taken(&self) -> bool {
        match self {
            Error::Api {
                http_status: 203,
                code,
                ..
            } => *code == Some(5),
            Error::Api {
                http_status,
                message,
                ..
            } => {
                (400..=499).contains(http_status)
                    && message.to_ascii_lowercase().contains("already exists")
            }
            _ => false,
        }
    }

    /// Whether asking again later may succeed: the one place this is decided.
    /// No answer (timeout, connection, DNS, TLS), HTTP 429 and 5xx are temporary;
    /// a refusal (4xx, the legacy error array), a bad signature, a bad
    /// configuration or callback are not, nor an answer in no protocol with a
    /// 2xx–4xx status (asking again gets the same answer).
    pub fn is_retryable(&self) -> bool {
        let temporary_status = |s: u16| s == 429 || (500..=599).contains(&s);
        match self {
            Error::Network {
                http_status: None, ..
            } => true,
            Error::Network {
                http_status: Some(s),
                ..
            }
            | Error::Api { http_status: s, .. } => temporary_status(*s),
            Error::Config(_) | Error::Callback(_) | Error::Signature(_) | Error::ForeignIds(_) => {
                false
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_message_lists_every_code_and_message() {
        let e = Error::refused(&[
            ApiFault {
                code: 1,
                message: "apiId is required".into(),
            },
            ApiFault {
                code: 2,
                message: "Bad sign".into(),
            },
        ]);
        assert_eq!(
            e.to_string(),
            "SpectroCoin refused the request: [1] apiId is required; [2] Bad sign"
        );
        assert_eq!(
            (e.http_status(), e.spectrocoin_code()),
            (Some(203), Some(1))
        );
        assert!(!e.is_retryable());
    }

    #[test]
    fn temporary_or_not_is_decided_by_what_happened() {
        let api = |status: u16| Error::Api {
            message: String::new(),
            http_status: status,
            code: None,
            trace_id: None,
        };
        for status in [429, 500, 502, 503, 599] {
            assert!(api(status).is_retryable(), "{status}");
            assert!(
                Error::unexpected_answer(status, "x").is_retryable(),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422, 203] {
            assert!(!api(status).is_retryable(), "{status}");
        }
        for status in [200, 302, 404] {
            assert!(
                !Error::unexpected_answer(status, "x").is_retryable(),
                "{status}"
            );
        }
        // No answer at all: timeouts, refused connections, DNS, TLS.
        assert!(Error::network("did not answer within 1 s").is_retryable());
        assert!(Error::unreachable("could not connect").is_retryable());
        for e in [
            Error::Signature("bad signature".into()),
            Error::config("bad key"),
            Error::callback("foreign order"),
        ] {
            assert!(!e.is_retryable(), "{e:?}");
            assert_eq!(
                (e.http_status(), e.spectrocoin_code(), e.trace_id()),
                (None, None, None)
            );
        }
    }

    #[test]
    fn order_id_taken_is_legacy_code_5_or_a_current_api_already_exists() {
        let legacy = |code| {
            Error::refused(&[ApiFault {
                code,
                message: "Merchant order id already exists".into(),
            }])
        };
        assert!(legacy(5).is_order_id_taken());
        // Another legacy code is another refusal, whatever its text says.
        assert!(!legacy(6).is_order_id_taken());
        let current = |status, body: &str| {
            crate::core::answer::error_from_answer(status, body.as_bytes(), "h")
        };
        assert!(current(
            422,
            r#"{"defaultMessage":"Order with orderId 7-1-ab already exists","errorCode":"X"}"#
        )
        .is_order_id_taken());
        assert!(current(400, r#"{"defaultMessage":"ORDER ALREADY EXISTS"}"#).is_order_id_taken());
        assert!(
            !current(422, r#"{"defaultMessage":"receiveAmount is invalid"}"#).is_order_id_taken()
        );
        // A server error mentioning it is still a temporary outage, not a taken id.
        assert!(!current(503, r#"{"defaultMessage":"order already exists"}"#).is_order_id_taken());
        assert!(!Error::network("order already exists").is_order_id_taken());
    }

    #[test]
    fn how_an_exchange_failed_is_decided_where_the_error_is_made() {
        let api = |status: u16| Error::Api {
            message: String::new(),
            http_status: status,
            code: None,
            trace_id: None,
        };
        let cases = [
            (api(203), Some(Failure::Refused)),
            (api(404), Some(Failure::Refused)),
            (api(422), Some(Failure::Refused)),
            (api(429), Some(Failure::Error)),
            (api(503), Some(Failure::Error)),
            (Error::unexpected_answer(503, "x"), Some(Failure::Error)),
            (Error::unexpected_answer(200, "x"), Some(Failure::Error)),
            (Error::oversized_answer("x"), Some(Failure::Error)),
            (Error::unreachable("x"), Some(Failure::Unreachable)),
            (Error::network("x"), Some(Failure::NoAnswer)),
            (Error::config("x"), None),
            (Error::callback("x"), None),
        ];
        for (e, want) in cases {
            assert_eq!(e.failure(), want, "{e:?}");
        }
        assert_eq!(
            [
                Failure::Refused,
                Failure::Error,
                Failure::Unreachable,
                Failure::NoAnswer
            ]
            .map(Failure::name),
            ["refused", "error", "unreachable", "no_answer"]
        );
    }
}
