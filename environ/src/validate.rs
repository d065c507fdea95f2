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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wasmparser::{
    BinaryReader, FuncToValidate, FuncValidatorAllocations, FunctionBody, ValidatorResources,
    WasmFeatures,
};

/// Below this many bytes of code, threads cost more than they save.
const PARALLEL_MIN_BYTES: usize = 64 << 10;

/// At most this many threads validate one module.
const MAX_THREADS: usize = 4;

/// A module binary as the validating threads get it: borrowed, or in an
/// `Arc` they can share without a copy.
#[derive(Clone, Copy, Debug)]
pub enum ModuleBinary<'a> {
    /// Bytes the caller owns: threads get a copy of the code section.
    Borrowed(&'a [u8]),
    /// Bytes in an `Arc`, which threads share.
    Shared(&'a Arc<[u8]>),
}

impl ModuleBinary<'_> {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            ModuleBinary::Borrowed(b) => b,
            ModuleBinary::Shared(a) => a,
        }
    }
}

/// A body to validate: what its validator is made of, and where it lies
/// in the module binary.
type DeferredBody = (FuncToValidate<ValidatorResources>, Range<usize>);

/// Function bodies waiting to be validated: each with what its validator
/// is made of and where it lies in the module binary, in function order.
///
/// A validator is made only when its body is validated, from allocations
/// that each validating thread reuses from body to body: a validator made
/// on the decoding thread and grown and freed on another costs a malloc
/// arena lock per allocation, which left two threads no faster than one.
#[derive(Default)]
pub struct DeferredBodies {
    bodies: Vec<DeferredBody>,
    bytes: usize,
}

impl DeferredBodies {
    /// Keeps the body at `range` of the module binary to validate later.
    pub fn push(&mut self, to_validate: FuncToValidate<ValidatorResources>, range: Range<usize>) {
        self.bytes += range.len();
        self.bodies.push((to_validate, range));
    }

    /// Validates every kept body of `wasm` (decoded with `features`).
    ///
    /// # Errors
    ///
    /// The error of the first invalid body in function order, as a serial
    /// validation would report it.
    pub fn validate_all(
        self,
        binary: ModuleBinary<'_>,
        features: WasmFeatures,
    ) -> Result<(), WasmError> {
        let wasm = binary.bytes();
        let threads = available_cores().min(MAX_THREADS).min(self.bodies.len());
        if threads <= 1 || self.bytes < PARALLEL_MIN_BYTES || cfg!(miri) {
            let mut allocations = FuncValidatorAllocations::default();
            for (to_validate, range) in self.bodies {
                allocations = validate(to_validate, allocations, wasm, range, features)?;
            }
            return Ok(());
        }
        // The helpers are not scoped threads: a scoped thread's handle
        // gives no way to place it (see `crate::placement`). So they share
        // what they read: the module's `Arc`, or else a copy of the code
        // section (which adds its size to the peak memory: the runtime
        // passes the `Arc`).
        let (code, code_start): (Arc<[u8]>, usize) = match binary {
            ModuleBinary::Shared(bytes) => (bytes.clone(), 0),
            ModuleBinary::Borrowed(bytes) => {
                let start = self.bodies.iter().map(|(_, r)| r.start).min().unwrap_or(0);
                let end = self.bodies.iter().map(|(_, r)| r.end).max().unwrap_or(0);
                let code = bytes
                    .get(start..end)
                    .ok_or_else(|| WasmError::new("function body out of bounds", start as u64))?;
                (code.into(), start)
            }
        };
        let shared = Arc::new(SharedBodies {
            jobs: self
                .bodies
                .into_iter()
                .map(|b| Mutex::new(Some(b)))
                .collect(),
            next: AtomicUsize::new(0),
            first_error_at: AtomicUsize::new(usize::MAX),
            first_error: Mutex::new(None),
            code,
            code_start,
            features,
        });
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                let shared = shared.clone();
                // A thread that cannot start leaves its share to the others.
                crate::placement::spawn(std::thread::Builder::new(), move || shared.work()).ok()
            })
            .collect();
        shared.work();
        let mut panicked = false;
        for helper in helpers {
            panicked |= helper.join().is_err();
        }
        match shared.first_error.lock() {
            Ok(mut first) => match first.take() {
                Some((_, e)) => Err(e),
                None if panicked => Err(WasmError::new("a validation thread panicked", 0)),
                None => Ok(()),
            },
            Err(_) => Err(WasmError::new("a validation thread panicked", 0)),
        }
    }
}

/// What the threads validating one module's bodies share.
struct SharedBodies {
    /// The bodies in function order; each is taken by one thread.
    jobs: Vec<Mutex<Option<DeferredBody>>>,
    /// The next job to take.
    next: AtomicUsize,
    /// The index of the first invalid body found so far (`usize::MAX` for
    /// none): a thread stops at a job after it.
    first_error_at: AtomicUsize,
    /// That body's error.
    first_error: Mutex<Option<(usize, WasmError)>>,
    /// The module's bytes from `code_start` on (all of them, or the code
    /// section).
    code: Arc<[u8]>,
    /// Where `code` starts in the module binary.
    code_start: usize,
    features: WasmFeatures,
}

impl SharedBodies {
    /// Validates bodies in function order until none is left, or only
    /// bodies after a known error are.
    fn work(&self) {
        let mut allocations = FuncValidatorAllocations::default();
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = self.jobs.get(i) else { return };
            if self.first_error_at.load(Ordering::Relaxed) < i {
                return;
            }
            let Some((to_validate, range)) = job.lock().ok().and_then(|mut j| j.take()) else {
                continue;
            };
            let result = validate_at(
                to_validate,
                std::mem::take(&mut allocations),
                &self.code,
                self.code_start,
                range,
                self.features,
            );
            match result {
                Ok(reusable) => allocations = reusable,
                Err(e) => {
                    if let Ok(mut first) = self.first_error.lock()
                        && first.as_ref().is_none_or(|(at, _)| i < *at)
                    {
                        *first = Some((i, e));
                        self.first_error_at.fetch_min(i, Ordering::Relaxed);
                    }
                }
            }
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

/// Validates one body with a validator made from `allocations`, and hands
/// them back for the next.
fn validate(
    to_validate: FuncToValidate<ValidatorResources>,
    allocations: FuncValidatorAllocations,
    wasm: &[u8],
    range: Range<usize>,
    features: WasmFeatures,
) -> Result<FuncValidatorAllocations, WasmError> {
    validate_at(to_validate, allocations, wasm, 0, range, features)
}

/// [`validate`] for a body at `range` of a module binary of which `code`
/// is the part from `code_start` on.
fn validate_at(
    to_validate: FuncToValidate<ValidatorResources>,
    allocations: FuncValidatorAllocations,
    code: &[u8],
    code_start: usize,
    range: Range<usize>,
    features: WasmFeatures,
) -> Result<FuncValidatorAllocations, WasmError> {
    let bytes = range
        .start
        .checked_sub(code_start)
        .zip(range.end.checked_sub(code_start))
        .and_then(|(start, end)| code.get(start..end))
        .ok_or_else(|| WasmError::new("function body out of bounds", range.start as u64))?;
    let body = FunctionBody::new(BinaryReader::new_features(
        bytes,
        range.start as u64,
        features,
    ));
    let mut validator = to_validate.into_validator(allocations);
    validator.validate(&body)?;
    Ok(validator.into_allocations())
}
