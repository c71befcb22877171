//! The PHP exception tree, and the one place core errors become exceptions.

use std::cell::RefCell;

use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;

use crate::core::Error;

/// Base of every exception the extension throws.
#[php_class]
#[php(name = "SpectroCoin\\Exception")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct SpectroCoinException;

/// Bad configuration: keys, ids, URLs, amounts.
#[php_class]
#[php(name = "SpectroCoin\\ConfigException")]
#[php(extends(SpectroCoinException))]
#[derive(Default)]
pub struct ConfigException;

/// What the core knows about a failed exchange with SpectroCoin, carried by
/// `ApiException` and `NetworkException` (Rust fields, not PHP properties).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    http_status: Option<u16>,
    spectrocoin_code: Option<i64>,
    trace_id: Option<String>,
    retryable: bool,
    order_id_taken: bool,
    failure: Option<&'static str>,
}

impl Facts {
    fn of(e: &Error) -> Self {
        Facts {
            http_status: e.http_status(),
            spectrocoin_code: e.spectrocoin_code(),
            trace_id: e.trace_id().map(str::to_owned),
            retryable: e.is_retryable(),
            order_id_taken: e.is_order_id_taken(),
            failure: e.failure().map(|f| f.name()),
        }
    }
}

thread_local! {
    /// The facts of the exception about to be thrown. ext-php-rs 0.16 throws through
    /// `zend_throw_exception`, which creates the object with the class's `Default` and
    /// then sets the (protected) message and code itself; so the facts are handed over
    /// here, set right before the throw and taken by that `Default`.
    static PENDING_FACTS: RefCell<Option<Facts>> = const { RefCell::new(None) };
}

fn take_pending_facts() -> Facts {
    PENDING_FACTS
        .with(|p| p.borrow_mut().take())
        .unwrap_or_default()
}

fn hand_over(facts: Facts) {
    PENDING_FACTS.with(|p| *p.borrow_mut() = Some(facts));
}

/// SpectroCoin refused the request. The message carries every code and message; the
/// getters give each fact on its own. getCode() is getSpectroCoinCode() when there is
/// one (the legacy API's error array), else the HTTP status (the current API).
#[php_class]
#[php(name = "SpectroCoin\\ApiException")]
#[php(extends(SpectroCoinException))]
pub struct ApiException {
    facts: Facts,
}

impl Default for ApiException {
    fn default() -> Self {
        ApiException {
            facts: take_pending_facts(),
        }
    }
}

#[php_impl]
impl ApiException {
    /// The HTTP status of SpectroCoin's answer (203 for the legacy API's error array).
    #[php(name = "getHttpStatus")]
    pub fn get_http_status(&self) -> Option<i64> {
        self.facts.http_status.map(i64::from)
    }

    /// SpectroCoin's own numeric error code (legacy: the first of the array), or null;
    /// never the HTTP status.
    #[php(name = "getSpectroCoinCode")]
    pub fn get_spectrocoin_code(&self) -> Option<i64> {
        self.facts.spectrocoin_code
    }

    /// The traceId of SpectroCoin's error answer (current API), for its support; or null.
    #[php(name = "getTraceId")]
    pub fn get_trace_id(&self) -> Option<String> {
        self.facts.trace_id.clone()
    }

    /// Whether trying again later may succeed (HTTP 429 or 5xx); false for a refusal.
    #[php(name = "isRetryable")]
    pub fn is_retryable(&self) -> bool {
        self.facts.retryable
    }

    /// How the exchange failed: `refused` (SpectroCoin said no), `error` (it answered, but
    /// busy or not in its protocol), `unreachable` (nothing was sent) or `no_answer` (sent,
    /// nothing usable came back: it may have taken effect).
    #[php(name = "getFailure")]
    pub fn get_failure(&self) -> String {
        self.facts.failure.unwrap_or("error").to_owned()
    }

    /// Whether SpectroCoin refused the order because its orderId is already used in
    /// this project (legacy code 5, or the current API's "already exists").
    #[php(name = "isOrderIdTaken")]
    pub fn is_order_id_taken(&self) -> bool {
        self.facts.order_id_taken
    }
}

/// SpectroCoin could not be reached: connect, TLS, timeout, or an answer that is not its
/// protocol (then getHttpStatus() is its status).
#[php_class]
#[php(name = "SpectroCoin\\NetworkException")]
#[php(extends(SpectroCoinException))]
pub struct NetworkException {
    facts: Facts,
}

impl Default for NetworkException {
    fn default() -> Self {
        NetworkException {
            facts: take_pending_facts(),
        }
    }
}

#[php_impl]
impl NetworkException {
    /// The HTTP status of an answer that is not SpectroCoin's protocol; null when nothing
    /// came back (timeout, connection, DNS, TLS).
    #[php(name = "getHttpStatus")]
    pub fn get_http_status(&self) -> Option<i64> {
        self.facts.http_status.map(i64::from)
    }

    /// Always null: only a refusal (ApiException) carries SpectroCoin's code.
    #[php(name = "getSpectroCoinCode")]
    pub fn get_spectrocoin_code(&self) -> Option<i64> {
        self.facts.spectrocoin_code
    }

    /// The traceId of SpectroCoin's answer, when it had one; or null.
    #[php(name = "getTraceId")]
    pub fn get_trace_id(&self) -> Option<String> {
        self.facts.trace_id.clone()
    }

    /// Whether trying again later may succeed: true when nothing came back or on HTTP
    /// 429/5xx; false for an unreadable 2xx–4xx answer (asking again gets the same).
    #[php(name = "isRetryable")]
    pub fn is_retryable(&self) -> bool {
        self.facts.retryable
    }

    /// How the exchange failed: `refused` (SpectroCoin said no), `error` (it answered, but
    /// busy or not in its protocol), `unreachable` (nothing was sent) or `no_answer` (sent,
    /// nothing usable came back: it may have taken effect).
    #[php(name = "getFailure")]
    pub fn get_failure(&self) -> String {
        self.facts.failure.unwrap_or("error").to_owned()
    }
}

/// A callback that is malformed or not ours (ids, order, amount, currency, status).
#[php_class]
#[php(name = "SpectroCoin\\CallbackException")]
#[php(extends(SpectroCoinException))]
#[derive(Default)]
pub struct CallbackException;

/// A callback naming another merchant or project than the configured one: someone
/// else's, or an order of ours created under earlier settings.
#[php_class]
#[php(name = "SpectroCoin\\ForeignCallbackException")]
#[php(extends(CallbackException))]
#[derive(Default)]
pub struct ForeignCallbackException;

/// A callback whose signature is not SpectroCoin's.
#[php_class]
#[php(name = "SpectroCoin\\SignatureException")]
#[php(extends(CallbackException))]
#[derive(Default)]
pub struct SignatureException;

fn clean(msg: String) -> String {
    msg.replace('\0', "")
}

impl From<Error> for PhpException {
    fn from(e: Error) -> Self {
        let msg = clean(e.to_string());
        match e {
            Error::Config(_) => PhpException::from_class::<ConfigException>(msg),
            Error::Api { .. } => {
                let code = e
                    .spectrocoin_code()
                    .or(e.http_status().map(i64::from))
                    .and_then(|c| i32::try_from(c).ok())
                    .unwrap_or(0);
                hand_over(Facts::of(&e));
                PhpException::new(
                    msg,
                    code,
                    <ApiException as ext_php_rs::class::RegisteredClass>::get_metadata().ce(),
                )
            }
            Error::Network { .. } => {
                hand_over(Facts::of(&e));
                PhpException::from_class::<NetworkException>(msg)
            }
            Error::Callback(_) => PhpException::from_class::<CallbackException>(msg),
            Error::Signature(_) => PhpException::from_class::<SignatureException>(msg),
            Error::ForeignIds(_) => PhpException::from_class::<ForeignCallbackException>(msg),
        }
    }
}
