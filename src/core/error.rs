//! One error type for the whole core. The PHP binding maps each variant to one
//! exception class, in one place (`src/php/errors.rs`).

use thiserror::Error;

/// One code and message of SpectroCoin's HTTP 203 error array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    pub code: i64,
    pub message: String,
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
    /// array, or a current-API error body). Every code and message is kept.
    #[error("SpectroCoin refused the request: {}", describe_faults(.faults))]
    Api { faults: Vec<ApiFault> },

    /// SpectroCoin could not be reached or did not answer in time, or answered
    /// something that is not its protocol (the status and first bytes are in the message).
    #[error("{0}")]
    Network(String),

    /// A callback that is malformed or not ours: bad encoding, a missing
    /// field, foreign merchant or project ids, an unknown status, or facts
    /// that do not match the order we issued.
    #[error("{0}")]
    Callback(String),

    /// A callback whose signature is not SpectroCoin's.
    #[error("{0}")]
    Signature(String),
}

impl Error {
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
    pub fn callback(msg: impl Into<String>) -> Self {
        Error::Callback(msg.into())
    }
    pub fn network(msg: impl Into<String>) -> Self {
        Error::Network(msg.into())
    }
}

fn describe_faults(faults: &[ApiFault]) -> String {
    if faults.is_empty() {
        return "no error detail given".to_owned();
    }
    faults
        .iter()
        .map(|f| format!("[{}] {}", f.code, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_message_lists_every_code_and_message() {
        let e = Error::Api {
            faults: vec![
                ApiFault {
                    code: 1,
                    message: "apiId is required".into(),
                },
                ApiFault {
                    code: 2,
                    message: "Bad sign".into(),
                },
            ],
        };
        assert_eq!(
            e.to_string(),
            "SpectroCoin refused the request: [1] apiId is required; [2] Bad sign"
        );
    }
}
