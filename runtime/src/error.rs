//! Errors and traps.

use std::fmt;
use strata_environ::{TrapCode, WasmError};

/// A convenient alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One frame of a wasm backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The module's name, from its name section.
    pub module_name: Option<String>,
    /// The function's index in its module.
    pub func_index: u32,
    /// The function's name, from the name section.
    pub func_name: Option<String>,
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let module = self.module_name.as_deref().unwrap_or("<module>");
        match &self.func_name {
            Some(name) => write!(f, "{module}!{name}"),
            None => write!(f, "{module}!<wasm function {}>", self.func_index),
        }
    }
}

/// A WebAssembly trap: why execution stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    /// A trap with a code and a backtrace (innermost frame first).
    pub fn new(code: TrapCode, backtrace: Vec<FrameInfo>) -> Trap {
        Trap { code, backtrace }
    }

    /// Why execution stopped.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The wasm frames active at the trap, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.code)?;
        if !self.backtrace.is_empty() {
            write!(f, "\nwasm backtrace:")?;
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i:>3}: {frame}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

/// Everything that can go wrong in Strata.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The module is malformed or invalid.
    #[error("invalid module: {0}")]
    Compile(#[from] WasmError),
    /// The module's text could not be parsed.
    #[error("failed to parse WebAssembly text: {0}")]
    Text(String),
    /// An import could not be satisfied.
    #[error("unlinkable: {0}")]
    Link(String),
    /// Execution trapped.
    #[error("{0}")]
    Trap(Trap),
    /// A resource limit was hit outside wasm execution.
    #[error("resource limit exceeded: {0}")]
    Resource(String),
    /// A handle or value was used with the wrong store or type.
    #[error("{0}")]
    Usage(String),
    /// An error raised by a host function.
    #[error(transparent)]
    Host(Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

impl Error {
    /// A host error carrying just a message.
    pub fn msg(message: impl Into<String>) -> Error {
        Error::Host(Box::new(Message(message.into())))
    }

    /// A host error wrapping any error value; recover it with
    /// [`Error::downcast_ref`].
    pub fn new<E: std::error::Error + Send + Sync + 'static>(error: E) -> Error {
        Error::Host(Box::new(error))
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The host error of type `E`, if this error carries one.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Host(e) => e.downcast_ref::<E>(),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}
