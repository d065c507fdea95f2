//! Strata's interpreter tier.
//!
//! The interpreter is built for a fast start and a fast loop:
//!
//! - **Fused validation and translation.** [`FuncTranslator`] walks each
//!   function body once, asking `wasmparser`'s validator about every operator
//!   and emitting Strata's own slot code ([`op::Op`]) at the same time.
//! - **A slot machine.** Instructions name the frame slots they read and
//!   write, so `local.get`, constants and most stack shuffling vanish at
//!   translation time; branch targets are precomputed offsets.
//! - **A heap call stack.** Calls between interpreted functions push a frame
//!   on a heap stack instead of recursing in Rust, so deep recursion ends in
//!   a `call stack exhausted` trap, never in a native stack overflow.
//!
//! The interpreter runs against the same [`VMContext`] that compiled code
//! reads, and enters through the same array calling convention
//! ([`array_call`]), so a store can mix tiers function by function.
//!
//! [`VMContext`]: strata_environ::vmcontext::VMContext

mod executor;
pub mod instr;
mod isa;
pub mod op;
mod prefetch;
mod semantics;
pub mod simd;
pub mod slots;
mod translator;
mod vector_access;

pub use executor::array_call;
pub use translator::FuncTranslator;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use strata_environ::vmcontext::{VMArrayCallFn, VMContext};
use strata_environ::{FuncBodySink, ModuleInfo, WasmError, WasmFeatures};
use wasmparser::{FuncToValidate, FunctionBody, ValidatorResources};

/// One translated function.
#[derive(Debug)]
pub struct InterpFunc {
    /// The instructions.
    pub code: Box<[instr::Instr]>,
    /// The function's index in its module.
    pub func_index: u32,
    /// Slots of the parameters, which occupy the first slots (a `v128`
    /// takes two; see [`slots`]).
    pub num_params: u32,
    /// Slots of the results, which are returned in the first slots.
    pub num_results: u32,
    /// Slots of the parameters plus the declared locals.
    pub num_locals: u32,
    /// The function's type as calls into it see it.
    pub signature: slots::SlotSignature,
    /// Slots the frame needs: locals plus the deepest operand stack.
    pub frame_size: u32,
}

/// What the compiling tier does for a tiered module; the runtime
/// implements it (the interpreter knows nothing of compilers).
pub trait TierUp: Send + Sync {
    /// Defined function `defined` used up its budget at `offset`: 0 at its
    /// entry, else at the loop whose `loop` operator is at that byte
    /// offset (`u32::MAX`: a loop on-stack replacement cannot enter).
    /// `calls` is how many times the function was entered so far
    /// (saturating; few calls and a hot loop mean long-running frames).
    /// Never blocks on a background compile. Returns the function's next
    /// budget and, at a loop, an on-stack-replacement trampoline to
    /// continue in now (see [`Tiering::osr_call`]).
    fn hot(&self, defined: u32, offset: u32, calls: u32) -> (i32, Option<usize>);
}

/// Where a tiered function stands, as stored in [`Tiering`]'s shared
/// state array.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncTier {
    /// Not hot yet.
    Interpreted = 0,
    /// Hot, and queued for (or being given) native code.
    Queued = 1,
    /// Native code is installed.
    Native = 2,
    /// Compiling failed; it stays interpreted.
    Failed = 3,
}

/// How a tiered module's interpreted code finds and enters native code.
pub struct Tiering {
    /// Per defined function: calls and loop iterations left before it is
    /// hot. Updated without read-modify-write: a lost update among threads
    /// only delays tier-up.
    budget: Box<[AtomicI32]>,
    /// Per defined function: how many times it was entered (saturating,
    /// updated like `budget`).
    calls: Box<[std::sync::atomic::AtomicU32]>,
    /// Per defined function: its [`FuncTier`], shared with whoever
    /// compiles. [`FuncTier::Native`] is stored (release) once the native
    /// code is installed; callers then take its array entry.
    state: Arc<[AtomicU8]>,
    /// Enters native code through the array convention.
    pub native_call: VMArrayCallFn,
    /// Runs an on-stack-replacement trampoline: `(vmctx, func_index,
    /// trampoline, frame)`, `false` on a trap.
    ///
    /// # Safety
    ///
    /// As `strata_jit::osr_call`.
    pub osr_call: unsafe fn(*mut VMContext, u32, usize, *mut u64) -> bool,
    hooks: Arc<dyn TierUp>,
}

impl Tiering {
    /// Tiering for `num_funcs` defined functions, each starting with
    /// `budget`; `state` is shared with whoever compiles.
    pub fn new(
        num_funcs: usize,
        budget: i32,
        state: Arc<[AtomicU8]>,
        native_call: VMArrayCallFn,
        osr_call: unsafe fn(*mut VMContext, u32, usize, *mut u64) -> bool,
        hooks: Arc<dyn TierUp>,
    ) -> Tiering {
        Tiering {
            budget: (0..num_funcs).map(|_| AtomicI32::new(budget)).collect(),
            calls: (0..num_funcs)
                .map(|_| std::sync::atomic::AtomicU32::new(0))
                .collect(),
            state,
            native_call,
            osr_call,
            hooks,
        }
    }

    /// Counts one call or loop iteration of `defined`; `Some` with an OSR
    /// trampoline when the interpreter should continue in native code now.
    #[inline(always)]
    fn count(&self, defined: usize, offset: u32) -> Option<usize> {
        let b = self.budget.get(defined)?;
        if offset == 0
            && let Some(c) = self.calls.get(defined)
        {
            c.store(
                c.load(Ordering::Relaxed).saturating_add(1),
                Ordering::Relaxed,
            );
        }
        let left = b.load(Ordering::Relaxed) - 1;
        b.store(left, Ordering::Relaxed);
        if left > 0 {
            return None;
        }
        self.hot(defined, offset)
    }

    #[cold]
    #[inline(never)]
    fn hot(&self, defined: usize, offset: u32) -> Option<usize> {
        let calls = self
            .calls
            .get(defined)
            .map_or(0, |c| c.load(Ordering::Relaxed));
        let (next, osr) = self.hooks.hot(defined as u32, offset, calls);
        if let Some(b) = self.budget.get(defined) {
            b.store(next.max(1), Ordering::Relaxed);
        }
        osr
    }

    /// Whether `defined` has native code.
    #[inline(always)]
    fn is_native(&self, defined: usize) -> bool {
        self.state
            .get(defined)
            .is_some_and(|n| n.load(Ordering::Acquire) == FuncTier::Native as u8)
    }
}

impl std::fmt::Debug for Tiering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiering").finish_non_exhaustive()
    }
}

/// The interpreter's code for one module.
///
/// Functions are translated either all at once while the module is
/// validated (eager), or each on its first call after the whole module was
/// validated up front (lazy), which makes a large module start faster when
/// most of its code never runs.
#[derive(Debug, Default)]
pub struct InterpModule {
    /// Translated functions, by defined-function index; a lazy module fills
    /// them on first call.
    funcs: Arc<[OnceLock<InterpFunc>]>,
    /// Where each defined function's body lies in the module binary.
    bodies: Arc<[Range<usize>]>,
    /// What a lazy translation needs.
    source: Option<Arc<LazySource>>,
    /// How many functions the module imports.
    pub num_imported_funcs: u32,
    /// The slot layout of each module type.
    pub type_arity: Vec<slots::SlotSignature>,
    /// The slot layout of each function's type.
    pub func_arity: Vec<slots::SlotSignature>,
    /// Whether the module has a memory 0.
    pub has_memory: bool,
    /// Whether code checks the epoch deadline.
    pub epoch_checks: bool,
    /// Whether code consumes fuel.
    pub fuel: bool,
    /// How a tiered module reaches native code; set by the runtime after
    /// [`InterpCompiler::finish`], before the module runs.
    pub tiering: Option<Tiering>,
    /// A translator for lazy translations to reuse, so that each does not
    /// allocate its working buffers anew (a large program translates
    /// hundreds of functions while it starts).
    spare_translator: SpareTranslator,
}

/// What lazy translation reads, and where it puts what it translates:
/// shared by the module and the prefetch helper ([`prefetch`]).
#[derive(Debug)]
pub(crate) struct LazySource {
    info: Arc<ModuleInfo>,
    wasm: Arc<[u8]>,
    bodies: Arc<[Range<usize>]>,
    /// The module's functions (the same cells as [`InterpModule`]'s).
    funcs: Arc<[OnceLock<InterpFunc>]>,
    /// Per function, whether a thread is translating it.
    claims: Box<[AtomicBool]>,
    epoch_checks: bool,
    fuel: bool,
    heat: bool,
    /// Whether the callees of each function translated on a call are
    /// handed to the prefetch helper.
    prefetch: bool,
}

impl LazySource {
    /// Translates defined function `index` into its cell with
    /// `translator`, unless the cell has code already. `Ok(true)` if it
    /// translated it now ([`FuncTranslator::callees`] then lists the
    /// functions it calls).
    ///
    /// # Errors
    ///
    /// A function that exceeds the interpreter's frame limit cannot run:
    /// `call stack exhausted`.
    fn translate_into(
        &self,
        translator: &mut FuncTranslator,
        index: usize,
        wait: bool,
    ) -> Result<bool, strata_environ::TrapCode> {
        let cell = self
            .funcs
            .get(index)
            .ok_or(strata_environ::TrapCode::Internal)?;
        let claim = self
            .claims
            .get(index)
            .ok_or(strata_environ::TrapCode::Internal)?;
        // One thread translates a function at a time: the others wait for
        // its code (`wait`) or leave it to that thread.
        let _claimed = loop {
            if cell.get().is_some() {
                return Ok(false);
            }
            if let Some(claimed) = Claim::take(claim) {
                break claimed;
            }
            if !wait {
                return Ok(false);
            }
            Claim::wait(claim);
        };
        if cell.get().is_some() {
            return Ok(false);
        }
        let range = self
            .bodies
            .get(index)
            .ok_or(strata_environ::TrapCode::Internal)?;
        let bytes = self
            .wasm
            .get(range.clone())
            .ok_or(strata_environ::TrapCode::Internal)?;
        // The body was validated with the module's features; reading it
        // again needs no feature gates.
        let body =
            wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(bytes, range.start as u64));
        let func_index = self.info.num_imported_functions + index as u32;
        translator.set_options(self.epoch_checks, self.fuel, self.heat);
        let func = translator
            .translate_validated(&self.info, func_index, &body)
            .map_err(|_| strata_environ::TrapCode::StackOverflow)?;
        let _ = cell.set(func);
        Ok(true)
    }
}

/// A function's translation claimed by one thread; released on drop, also
/// when the translation unwinds, so that no waiter waits forever.
struct Claim<'a>(&'a AtomicBool);

impl<'a> Claim<'a> {
    fn take(flag: &'a AtomicBool) -> Option<Claim<'a>> {
        (!flag.swap(true, Ordering::Acquire)).then_some(Claim(flag))
    }

    /// Waits until the claim on `flag` is released: a translation takes
    /// microseconds, so this spins a little and then yields.
    fn wait(flag: &AtomicBool) {
        let mut spins = 0u32;
        while flag.load(Ordering::Acquire) {
            if spins < 64 {
                std::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A [`FuncTranslator`] kept between lazy translations.
#[derive(Default)]
struct SpareTranslator(std::sync::Mutex<Option<FuncTranslator>>);

impl std::fmt::Debug for SpareTranslator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpareTranslator")
    }
}

impl InterpModule {
    /// Whether defined function `defined` of a tiered module has native
    /// code (always `false` in an interpreter-only module).
    #[inline(always)]
    pub fn is_native(&self, defined: usize) -> bool {
        self.tiering.as_ref().is_some_and(|t| t.is_native(defined))
    }

    /// Counts a call or loop iteration (see [`Tiering`]).
    #[inline(always)]
    fn count_heat(&self, defined: usize, offset: u32) -> Option<usize> {
        self.tiering.as_ref()?.count(defined, offset)
    }

    /// The code of defined function `index` if it is translated already:
    /// the executor's call path, which must not hold a `Result` in memory.
    #[inline(always)]
    pub(crate) fn translated(&self, index: usize) -> Option<&InterpFunc> {
        self.funcs.get(index)?.get()
    }

    /// The translated code of defined function `index`, translating it now
    /// if the module is lazy and this is its first call.
    ///
    /// # Errors
    ///
    /// A lazily translated function that exceeds the interpreter's frame
    /// limit cannot run: it traps as `call stack exhausted`.
    #[inline]
    pub fn func(&self, index: usize) -> Result<&InterpFunc, strata_environ::TrapCode> {
        let cell = self
            .funcs
            .get(index)
            .ok_or(strata_environ::TrapCode::Internal)?;
        match cell.get() {
            Some(f) => Ok(f),
            None => self.translate_lazily(index, cell),
        }
    }

    #[cold]
    fn translate_lazily<'a>(
        &self,
        index: usize,
        cell: &'a OnceLock<InterpFunc>,
    ) -> Result<&'a InterpFunc, strata_environ::TrapCode> {
        let source = self
            .source
            .as_ref()
            .ok_or(strata_environ::TrapCode::Internal)?;
        // Another thread translating at the same time makes its own.
        let spare = self
            .spare_translator
            .0
            .try_lock()
            .ok()
            .and_then(|mut t| t.take());
        let mut translator = spare.unwrap_or_default();
        let translated = source.translate_into(&mut translator, index, true);
        if let Ok(true) = translated
            && source.prefetch
        {
            prefetch::Prefetcher::get().request(source, translator.callees());
        }
        if let Ok(mut t) = self.spare_translator.0.try_lock() {
            *t = Some(translator);
        }
        translated?;
        cell.get().ok_or(strata_environ::TrapCode::Internal)
    }

    /// Where each defined function's body lies in the module binary.
    pub fn bodies(&self) -> &[Range<usize>] {
        &self.bodies
    }

    /// Whether defined function `index` has its code (a lazy module's
    /// function before its first call and before any prefetch does not).
    pub fn is_translated(&self, index: usize) -> bool {
        self.translated(index).is_some()
    }

    /// How many defined functions the module has.
    pub fn num_funcs(&self) -> usize {
        self.funcs.len()
    }
}

/// Collects translated (or, lazily, validated) bodies into an
/// [`InterpModule`].
#[derive(Default)]
pub struct InterpCompiler {
    translator: FuncTranslator,
    lazy: bool,
    funcs: Vec<OnceLock<InterpFunc>>,
    bodies: Vec<Range<usize>>,
    /// Lazily: the bodies to validate once the module is decoded.
    unvalidated: strata_environ::DeferredBodies,
    epoch_checks: bool,
    fuel: bool,
    tiering: bool,
    /// Lazily: whether a large module's functions are translated ahead
    /// of their first call on another core ([`prefetch`]).
    prefetch: bool,
}

impl InterpCompiler {
    /// A compiler that translates every function while validating it.
    pub fn new() -> InterpCompiler {
        InterpCompiler::default()
    }

    /// A compiler that validates every function now and translates each on
    /// its first call.
    pub fn new_lazy() -> InterpCompiler {
        InterpCompiler {
            lazy: true,
            prefetch: true,
            ..InterpCompiler::default()
        }
    }

    /// Whether a lazy module with much code (64 KiB or more) has a helper
    /// thread translate the functions that each function translated on a
    /// call calls, before they are called (on by default; only on hosts
    /// with more than one core).
    pub fn with_prefetch(mut self, enable: bool) -> InterpCompiler {
        self.prefetch = enable;
        self
    }

    /// Makes the code check the epoch deadline at function entry and loop
    /// headers.
    pub fn with_epoch_checks(mut self, enable: bool) -> InterpCompiler {
        self.epoch_checks = enable;
        self.translator = std::mem::take(&mut self.translator).with_epoch_checks(enable);
        self
    }

    /// Makes the code consume fuel (see `strata_environ::fuel`).
    pub fn with_fuel(mut self, enable: bool) -> InterpCompiler {
        self.fuel = enable;
        self.translator = std::mem::take(&mut self.translator).with_fuel(enable);
        self
    }

    /// Makes the code count calls and loop iterations for tiering up
    /// ([`op::Op::Heat`]); set [`InterpModule::tiering`] before the module
    /// runs.
    pub fn with_tiering(mut self, enable: bool) -> InterpCompiler {
        self.tiering = enable;
        self.translator = std::mem::take(&mut self.translator).with_tiering(enable);
        self
    }

    /// Finishes the module. A lazy module keeps `info` and `wasm` to
    /// translate from later.
    pub fn finish(self, info: Arc<ModuleInfo>, wasm: Arc<[u8]>) -> InterpModule {
        let arity = slots::SlotSignature::of;
        let funcs: Arc<[OnceLock<InterpFunc>]> = self.funcs.into();
        let bodies: Arc<[Range<usize>]> = self.bodies.into();
        let code_bytes: usize = bodies.iter().map(|r| r.len()).sum();
        let source = self.lazy.then(|| {
            Arc::new(LazySource {
                info: info.clone(),
                wasm,
                bodies: bodies.clone(),
                funcs: funcs.clone(),
                claims: funcs.iter().map(|_| AtomicBool::new(false)).collect(),
                epoch_checks: self.epoch_checks,
                fuel: self.fuel,
                heat: self.tiering,
                prefetch: self.prefetch
                    && code_bytes >= prefetch::PREFETCH_MIN_BYTES
                    && strata_environ::available_cores() > 1
                    && !cfg!(miri),
            })
        });
        InterpModule {
            funcs,
            num_imported_funcs: info.num_imported_functions,
            type_arity: info.types.iter().map(arity).collect(),
            func_arity: info
                .functions
                .iter()
                .map(|t| arity(&info.types[*t as usize]))
                .collect(),
            has_memory: !info.memories.is_empty(),
            epoch_checks: self.epoch_checks,
            fuel: self.fuel,
            tiering: None,
            bodies,
            source,
            spare_translator: SpareTranslator(std::sync::Mutex::new(Some(self.translator))),
        }
    }
}

impl FuncBodySink for InterpCompiler {
    fn translate_body(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        to_validate: FuncToValidate<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), WasmError> {
        let r = body.range();
        self.bodies.push(r.start as usize..r.end as usize);
        if self.lazy {
            self.unvalidated
                .push(to_validate, r.start as usize..r.end as usize);
            self.funcs.push(OnceLock::new());
        } else {
            let func = self.translator.translate(
                module,
                func_index,
                to_validate.into_validator(Default::default()),
                &body,
            )?;
            self.funcs.push(OnceLock::from(func));
        }
        Ok(())
    }

    fn finish_bodies(
        &mut self,
        wasm: strata_environ::ModuleBinary<'_>,
        features: WasmFeatures,
    ) -> Result<(), WasmError> {
        std::mem::take(&mut self.unvalidated).validate_all(wasm, features)
    }
}
