//! Engine configuration and the engine itself.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use strata_environ::vmcontext::VMSharedTypeIndex;
use strata_environ::{FuncType, WasmFeatures};

/// Which execution tier runs a module's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// Tiered (the default): every function starts in the interpreter and
    /// is compiled with Cranelift in the background once it is hot; a
    /// module found in the compile cache runs compiled from the start.
    #[default]
    Auto,
    /// The interpreter only: validation fused with translation to slot
    /// code.
    Interpreter,
    /// Every function compiled to native code with Cranelift before the
    /// module runs.
    Jit,
}

impl Tier {
    /// The tier's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Auto => "auto",
            Tier::Interpreter => "interp",
            Tier::Jit => "jit",
        }
    }

    /// Every tier this build has.
    pub const ALL: [Tier; 3] = [Tier::Auto, Tier::Interpreter, Tier::Jit];

    /// Whether modules of this tier may have native code.
    pub fn compiles(self) -> bool {
        self != Tier::Interpreter
    }

    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// A tiered function that got native code (or failed to), as reported to
/// [`Config::on_tier_up`].
#[derive(Debug, Clone)]
pub struct TierUpEvent {
    /// The module's name, from its name section.
    pub module: Option<String>,
    /// The function's index in its module.
    pub func_index: u32,
    /// The function's name, from the name section.
    pub func_name: Option<String>,
    /// `Some(offset)` for an on-stack-replacement entry at the loop whose
    /// `loop` operator is at that byte offset; `None` for the function.
    pub loop_offset: Option<u32>,
    /// How long Cranelift took.
    pub compile_time: std::time::Duration,
    /// When it was installed, from the module's creation.
    pub at: std::time::Duration,
    /// Why it could not be compiled (the function stays interpreted).
    pub error: Option<String>,
}

/// A [`Config::on_tier_up`] callback.
#[derive(Clone)]
pub(crate) struct TierUpLog(pub(crate) Arc<dyn Fn(&TierUpEvent) + Send + Sync>);

impl std::fmt::Debug for TierUpLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TierUpLog")
    }
}

/// Global settings for an [`Engine`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) tier: Tier,
    pub(crate) tier_up_threshold: u32,
    pub(crate) tier_up_synchronous: bool,
    pub(crate) compile_threads: usize,
    pub(crate) tier_up_log: Option<TierUpLog>,
    pub(crate) cache_tiered_on_drop: bool,
    pub(crate) features: WasmFeatures,
    pub(crate) max_wasm_frames: u32,
    pub(crate) max_native_stack: usize,
    pub(crate) lazy_translation: bool,
    pub(crate) translate_ahead: bool,
    pub(crate) guard_pages: bool,
    pub(crate) jit_direct_calls: bool,
    pub(crate) cache: Option<strata_aot::cache::Cache>,
    pub(crate) epoch_interruption: bool,
    pub(crate) consume_fuel: bool,
    pub(crate) trap_on_grow_failure: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tier: Tier::Auto,
            tier_up_threshold: DEFAULT_TIER_UP_THRESHOLD,
            tier_up_synchronous: false,
            compile_threads: (strata_environ::available_cores() / 2).max(1),
            tier_up_log: None,
            cache_tiered_on_drop: false,
            features: strata_environ::supported_features(),
            max_wasm_frames: 100_000,
            max_native_stack: 8 << 20,
            lazy_translation: true,
            translate_ahead: true,
            guard_pages: true,
            jit_direct_calls: true,
            cache: None,
            epoch_interruption: false,
            consume_fuel: false,
            trap_on_grow_failure: false,
        }
    }
}

/// Calls plus loop iterations after which a tiered function is compiled.
pub const DEFAULT_TIER_UP_THRESHOLD: u32 = 10_000;

impl Config {
    /// The default configuration: tiered execution, every supported
    /// feature.
    pub fn new() -> Config {
        Config::default()
    }

    /// Chooses the execution tier (default [`Tier::Auto`]).
    pub fn tier(&mut self, tier: Tier) -> &mut Config {
        self.tier = tier;
        self
    }

    /// With [`Tier::Auto`]: how many calls plus loop iterations make a
    /// function hot enough to compile (default
    /// [`DEFAULT_TIER_UP_THRESHOLD`]; 1 compiles every function on its
    /// first call). A loop that is still running in the interpreter polls
    /// for its on-stack-replacement entry at the same interval.
    pub fn tier_up_threshold(&mut self, calls: u32) -> &mut Config {
        self.tier_up_threshold = calls.max(1);
        self
    }

    /// With [`Tier::Auto`]: compile a hot function on the thread that
    /// found it hot, before that thread goes on, instead of in the
    /// background. The guest waits for every compile; tiering becomes
    /// deterministic, which tests want.
    pub fn tier_up_synchronous(&mut self, enable: bool) -> &mut Config {
        self.tier_up_synchronous = enable;
        self
    }

    /// With [`Tier::Auto`]: how many background threads compile hot
    /// functions (default: half the host's cores, at least one). They are
    /// started on demand and stopped when the engine is dropped.
    pub fn compile_threads(&mut self, threads: usize) -> &mut Config {
        self.compile_threads = threads.max(1);
        self
    }

    /// With [`Tier::Auto`]: calls `log` (on a compile thread) each time a
    /// function or on-stack-replacement entry gets native code or fails to.
    pub fn on_tier_up(
        &mut self,
        log: impl Fn(&TierUpEvent) + Send + Sync + 'static,
    ) -> &mut Config {
        self.tier_up_log = Some(TierUpLog(Arc::new(log)));
        self
    }

    /// Sets the WebAssembly features to accept. Features Strata does not
    /// support are ignored (their modules fail validation).
    pub fn wasm_features(&mut self, features: WasmFeatures) -> &mut Config {
        self.features = features.intersection(strata_environ::supported_features());
        self
    }

    /// Accept exactly the WebAssembly 2.0 feature set (fixed-width SIMD
    /// included).
    pub fn wasm_2_0(&mut self) -> &mut Config {
        self.wasm_features(WasmFeatures::WASM2)
    }

    /// How much native stack compiled code and host ↔ wasm re-entry may
    /// use before they trap with `call stack exhausted` (default 8 MiB,
    /// enough for the interpreter's 100,000 frames of typical functions
    /// once they are compiled). The limit never reaches below the calling
    /// thread's own stack less a reserve for host code, so a thread with a
    /// smaller stack traps earlier rather than faulting. Calls between
    /// interpreted functions use no native stack.
    pub fn max_native_stack(&mut self, bytes: usize) -> &mut Config {
        self.max_native_stack = bytes;
        self
    }

    /// Whether the interpreter translates each function on its first call
    /// (after validating the whole module up front) instead of all of them
    /// while validating. Lazy is the default: it starts large modules
    /// faster and costs nothing measurable once code runs.
    pub fn lazy_translation(&mut self, lazy: bool) -> &mut Config {
        self.lazy_translation = lazy;
        self
    }

    /// With lazy translation: whether a module with much code (64 KiB or
    /// more) has a helper thread translate the functions that each
    /// function translated on a call calls directly, on another core,
    /// before they are called. On by default (and used only on hosts with
    /// more than one core): Lua's start-up waits for about a third fewer
    /// translations. Off, no thread other than the caller's translates,
    /// and no function is translated before its first call.
    pub fn translate_ahead(&mut self, enable: bool) -> &mut Config {
        self.translate_ahead = enable;
        self
    }

    /// Whether compiled code relies on guard pages to bound 32-bit memory
    /// accesses (the default) instead of checking each one. Code compiled
    /// for guard pages runs only on memories that have the full 4 GiB +
    /// guard reservation: instantiating it with a memory that lacks one
    /// (see [`Memory::is_guarded`](crate::Memory::is_guarded)) is refused.
    /// The interpreter always checks.
    pub fn guard_pages(&mut self, enable: bool) -> &mut Config {
        self.guard_pages = enable;
        self
    }

    /// Whether compiled calls between functions of one module jump straight
    /// to the callee (the default) instead of going through the module's
    /// entry table. Direct calls fix each call's target, which tiered
    /// execution (swapping a function's code) cannot allow; the table costs
    /// one dependent load and an indirect call per call, measured at about
    /// 25% on call-bound code (recursive `fib`).
    pub fn jit_direct_calls(&mut self, enable: bool) -> &mut Config {
        self.jit_direct_calls = enable;
        self
    }

    /// Checks the epoch deadline at every function entry and loop header,
    /// in every tier (off by default), so that a store's guest can be
    /// stopped from outside: see [`Engine::increment_epoch`] and
    /// [`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline).
    pub fn epoch_interruption(&mut self, enable: bool) -> &mut Config {
        self.epoch_interruption = enable;
        self
    }

    /// Meters execution with fuel (off by default): every store starts with
    /// none ([`Store::set_fuel`](crate::Store::set_fuel) gives it some), code
    /// consumes it by a fixed cost model that every tier charges alike
    /// (one unit per operator except `nop`, `drop`, `block`, `loop`,
    /// `else` and `end`, charged per straight-line region; see
    /// `strata_environ::fuel`), and a function entry or loop header reached
    /// with no fuel left traps with `all fuel consumed`.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Config {
        self.consume_fuel = enable;
        self
    }

    /// Whether a `memory.grow` or `table.grow` that cannot be satisfied (past
    /// the declared maximum or refused by the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter)) stops the guest with an
    /// error instead of answering -1 (the default, as the spec says).
    pub fn trap_on_grow_failure(&mut self, enable: bool) -> &mut Config {
        self.trap_on_grow_failure = enable;
        self
    }

    /// Keeps compiled modules in `dir` (off by default; the CLI uses
    /// `$XDG_CACHE_HOME/strata`): compiling a module that was compiled
    /// before, with the same settings, maps the saved artifact instead. An
    /// entry that fails its checks is compiled again and replaced; the
    /// folder stays within `max_bytes` (least recently used entries go
    /// first). `None` turns the cache off.
    ///
    /// The folder must hold only files Strata wrote: loading an artifact
    /// runs its machine code (see [`Module::deserialize_file`](crate::Module::deserialize_file)).
    pub fn cache_dir(&mut self, dir: Option<std::path::PathBuf>, max_bytes: u64) -> &mut Config {
        self.cache = dir.map(|d| strata_aot::cache::Cache::new(d, max_bytes));
        self
    }

    /// With [`Tier::Auto`] and a cache: when a module that had functions
    /// tier up is dropped (typically as the program ends), compile it
    /// whole and write it to the cache, so that the next start runs
    /// compiled from the first instruction. Off by default: the compile
    /// delays the drop. A module that never got hot is not written.
    pub fn cache_tiered_on_drop(&mut self, enable: bool) -> &mut Config {
        self.cache_tiered_on_drop = enable;
        self
    }

    /// Keeps compiled modules in the user's cache folder,
    /// `$XDG_CACHE_HOME/strata` (or `~/.cache/strata`), bounded to 512 MiB.
    pub fn cache_user_default(&mut self) -> &mut Config {
        self.cache = strata_aot::cache::Cache::user_default();
        self
    }

    /// The maximum number of nested wasm calls before a
    /// `call stack exhausted` trap.
    pub fn max_wasm_frames(&mut self, frames: u32) -> &mut Config {
        self.max_wasm_frames = frames.max(1);
        self
    }
}

/// Interns function signatures engine-wide so that two signatures are equal
/// exactly when their indices are.
#[derive(Default)]
struct TypeRegistry {
    by_type: HashMap<FuncType, VMSharedTypeIndex>,
    types: Vec<FuncType>,
}

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    /// Background compiles of tiered modules.
    pub(crate) compile_queue: Arc<crate::tier::CompileQueue>,
    types: Mutex<TypeRegistry>,
    /// The epoch: advanced by [`Engine::increment_epoch`], read by code.
    epoch: std::sync::atomic::AtomicU64,
}

/// A compilation and execution environment shared by stores and modules.
/// Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tier", &self.inner.config.tier)
            .finish()
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::default()).expect("the default configuration is valid")
    }
}

impl Engine {
    /// Creates an engine with `config`.
    ///
    /// # Errors
    ///
    /// Fails when the configuration asks for something this build cannot do.
    pub fn new(config: &Config) -> Result<Engine> {
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                compile_queue: Arc::new(crate::tier::CompileQueue::new(config.compile_threads)),
                types: Mutex::new(TypeRegistry::default()),
                epoch: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// The engine's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The tier this engine executes with.
    pub fn tier(&self) -> Tier {
        self.inner.config.tier
    }

    /// Advances the epoch by one. Callable from any thread (a timer, a
    /// watchdog): wasm of stores whose deadline this reaches is
    /// interrupted at its next function entry or loop header.
    pub fn increment_epoch(&self) {
        self.inner
            .epoch
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    /// The current epoch.
    pub fn current_epoch(&self) -> u64 {
        self.inner.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Where code reads the epoch; lives as long as the engine.
    pub(crate) fn epoch_counter(&self) -> *const std::sync::atomic::AtomicU64 {
        &self.inner.epoch
    }

    /// Whether two handles name the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    pub(crate) fn register_type(&self, ty: &FuncType) -> Result<VMSharedTypeIndex> {
        let mut reg = self
            .inner
            .types
            .lock()
            .map_err(|_| Error::msg("type registry poisoned"))?;
        if let Some(idx) = reg.by_type.get(ty) {
            return Ok(*idx);
        }
        let idx = VMSharedTypeIndex(reg.types.len() as u32);
        reg.types.push(ty.clone());
        reg.by_type.insert(ty.clone(), idx);
        Ok(idx)
    }
}
