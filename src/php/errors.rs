//! The PHP exception tree, and the one place core errors become exceptions.

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

/// SpectroCoin refused the request. getCode() is SpectroCoin's first error
/// code; the message carries every code and message.
#[php_class]
#[php(name = "SpectroCoin\\ApiException")]
#[php(extends(SpectroCoinException))]
#[derive(Default)]
pub struct ApiException;

/// SpectroCoin could not be reached: connect, TLS, timeout, or an answer that is not its protocol.
#[php_class]
#[php(name = "SpectroCoin\\NetworkException")]
#[php(extends(SpectroCoinException))]
#[derive(Default)]
pub struct NetworkException;

/// A callback that is malformed or not ours (ids, order, amount, currency, status).
#[php_class]
#[php(name = "SpectroCoin\\CallbackException")]
#[php(extends(SpectroCoinException))]
#[derive(Default)]
pub struct CallbackException;

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
            Error::Api { faults } => {
                let code = faults.first().map(|f| f.code).unwrap_or(0);
                let code = i32::try_from(code).unwrap_or(0);
                PhpException::new(
                    msg,
                    code,
                    <ApiException as ext_php_rs::class::RegisteredClass>::get_metadata().ce(),
                )
            }
            Error::Network(_) => PhpException::from_class::<NetworkException>(msg),
            Error::Callback(_) => PhpException::from_class::<CallbackException>(msg),
            Error::Signature(_) => PhpException::from_class::<SignatureException>(msg),
        }
    }
}
