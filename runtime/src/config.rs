//! Engine configuration and the engine itself.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use strata_environ::vmcontext::VMSharedTypeIndex;
use strata_environ::{FuncType, WasmFeatures};

/// Which execution tier runs a module's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// The interpreter: validation fused with translation to slot code.
    #[default]
    Interpreter,
    /// Every function compiled to native code with Cranelift.
    Jit,
}

impl Tier {
    /// The tier's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interp",
            Tier::Jit => "jit",
        }
    }

    /// Every tier this build has.
    pub const ALL: [Tier; 2] = [Tier::Interpreter, Tier::Jit];

    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Global settings for an [`Engine`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) tier: Tier,
    pub(crate) features: WasmFeatures,
    pub(crate) max_wasm_frames: u32,
    pub(crate) max_native_stack: usize,
    pub(crate) lazy_translation: bool,
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
            tier: Tier::Interpreter,
            features: strata_environ::supported_features(),
            max_wasm_frames: 100_000,
            max_native_stack: 512 << 10,
            lazy_translation: true,
            guard_pages: true,
            jit_direct_calls: true,
            cache: None,
            epoch_interruption: false,
            consume_fuel: false,
            trap_on_grow_failure: false,
        }
    }
}

impl Config {
    /// The default configuration: the interpreter, every supported feature.
    pub fn new() -> Config {
        Config::default()
    }

    /// Chooses the execution tier.
    pub fn tier(&mut self, tier: Tier) -> &mut Config {
        self.tier = tier;
        self
    }

    /// Sets the WebAssembly features to accept. Features Strata does not
    /// support are ignored (their modules fail validation).
    pub fn wasm_features(&mut self, features: WasmFeatures) -> &mut Config {
        self.features = features.intersection(strata_environ::supported_features());
        self
    }

    /// Accept exactly the WebAssembly 2.0 feature set (less SIMD, which
    /// Strata does not support yet).
    pub fn wasm_2_0(&mut self) -> &mut Config {
        self.wasm_features(WasmFeatures::WASM2)
    }

    /// How much native stack host ↔ wasm re-entry may use before it traps
    /// with `call stack exhausted` (default 512 KiB). Calls between
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
