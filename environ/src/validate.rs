//! Validating function bodies after the module is decoded, on several
//! threads.
//!
//! A tier that does not translate a body while it is decoded (the lazy
//! interpreter, the compiler, which translates later) still has to reject
//! an invalid module before it runs. Each body's validator is independent
//! of the others once the module's sections before the code are read, so
//! [`DeferredBodies`] keeps them and checks them all at the end, spread
//! over the host's cores: a large module (Lua, 620 KiB) spends most of its
//! load time here, and a process that starts it has idle cores.

use crate::translate::WasmError;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasmparser::{BinaryReader, FuncValidator, FunctionBody, ValidatorResources, WasmFeatures};

/// Below this many bytes of code, threads cost more than they save.
const PARALLEL_MIN_BYTES: usize = 64 << 10;

/// At most this many threads validate one module.
const MAX_THREADS: usize = 4;

/// Function bodies waiting to be validated: each with its validator and
/// where it lies in the module binary, in function order.
#[derive(Default)]
pub struct DeferredBodies {
    bodies: Vec<(FuncValidator<ValidatorResources>, Range<usize>)>,
    bytes: usize,
}

impl DeferredBodies {
    /// Keeps the body at `range` of the module binary to validate later.
    pub fn push(&mut self, validator: FuncValidator<ValidatorResources>, range: Range<usize>) {
        self.bytes += range.len();
        self.bodies.push((validator, range));
    }

    /// Validates every kept body of `wasm` (decoded with `features`).
    ///
    /// # Errors
    ///
    /// The error of the first invalid body in function order, as a serial
    /// validation would report it.
    pub fn validate_all(self, wasm: &[u8], features: WasmFeatures) -> Result<(), WasmError> {
        let threads = available_cores().min(MAX_THREADS).min(self.bodies.len());
        if threads <= 1 || self.bytes < PARALLEL_MIN_BYTES || cfg!(miri) {
            for (validator, range) in self.bodies {
                validate(validator, wasm, range, features)?;
            }
            return Ok(());
        }
        // Workers take bodies in order; the first error by function index
        // wins, and bodies after a known error are skipped.
        let jobs: Vec<Mutex<Option<_>>> = self
            .bodies
            .into_iter()
            .map(|b| Mutex::new(Some(b)))
            .collect();
        let next = AtomicUsize::new(0);
        let first_error: Mutex<Option<(usize, WasmError)>> = Mutex::new(None);
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { return };
                if first_error
                    .lock()
                    .map_or(true, |e| e.as_ref().is_some_and(|(at, _)| *at < i))
                {
                    return;
                }
                let Some((validator, range)) = job.lock().ok().and_then(|mut j| j.take()) else {
                    continue;
                };
                if let Err(e) = validate(validator, wasm, range, features)
                    && let Ok(mut first) = first_error.lock()
                    && first.as_ref().is_none_or(|(at, _)| i < *at)
                {
                    *first = Some((i, e));
                }
            }
        };
        std::thread::scope(|s| {
            for _ in 1..threads {
                // A thread that cannot start leaves its share to the others.
                let _ = std::thread::Builder::new().spawn_scoped(s, work);
            }
            work();
        });
        match first_error.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some((_, e))) => Err(e),
            Err(_) => Err(WasmError::new("a validation thread panicked", 0)),
        }
    }
}

/// How many threads the host can run at once, as
/// [`std::thread::available_parallelism`] says (1 if it cannot tell).
///
/// Asked once per process: on Linux the answer comes from reading cgroup
/// files, a dozen system calls that a start-up should not pay twice.
pub fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn validate(
    mut validator: FuncValidator<ValidatorResources>,
    wasm: &[u8],
    range: Range<usize>,
    features: WasmFeatures,
) -> Result<(), WasmError> {
    let bytes = wasm
        .get(range.clone())
        .ok_or_else(|| WasmError::new("function body out of bounds", range.start as u64))?;
    let body = FunctionBody::new(BinaryReader::new_features(
        bytes,
        range.start as u64,
        features,
    ));
    validator.validate(&body)?;
    Ok(())
}
