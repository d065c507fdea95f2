//! Strata: a WebAssembly runtime with pluggable execution tiers that share
//! one store and instance model.
//!
//! # A first program
//!
//! Running WebAssembly takes four steps: configure an [`Engine`], compile a
//! [`Module`], create a [`Store`] for the instances' state, and instantiate
//! the module with a [`Linker`] that supplies its imports.
//!
//! ```
//! use strata::{Caller, Engine, Linker, Module, Store};
//!
//! # fn main() -> strata::Result<()> {
//! // An engine holds configuration; the default is tiered (see below).
//! let engine = Engine::default();
//!
//! // Modules are validated and translated once, then instantiated often.
//! // Text works as well as binary.
//! let module = Module::new(&engine, r#"
//!     (module
//!       (import "host" "log" (func $log (param i32)))
//!       (func (export "double_and_log") (param i32) (result i32)
//!         local.get 0
//!         i32.const 2
//!         i32.mul
//!         call $log
//!         local.get 0
//!         i32.const 2
//!         i32.mul))
//! "#)?;
//!
//! // A store owns instances and their memories; here its host data is a
//! // list of what the guest logged.
//! let mut store = Store::new(&engine, Vec::<i32>::new());
//!
//! // Host functions are plain closures; a `Caller` gives them the store.
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "log", |mut caller: Caller<'_, Vec<i32>>, v: i32| {
//!     caller.data_mut().push(v);
//! })?;
//!
//! let instance = linker.instantiate(&mut store, &module)?;
//! let double = instance.get_typed_func::<i32, i32>(&mut store, "double_and_log")?;
//! assert_eq!(double.call(&mut store, 21)?, 42);
//! assert_eq!(store.data(), &[42]);
//! # Ok(())
//! # }
//! ```
//!
//! # Tiers
//!
//! [`Config::tier`] chooses how functions run. [`Tier::Auto`], the default,
//! starts every function in the interpreter (a fast start) and compiles the
//! ones that get hot with Cranelift on background threads, installing each
//! while the guest runs; a loop that keeps running in one call moves over
//! by on-stack replacement. [`Tier::Interpreter`] never compiles, and
//! [`Tier::Jit`] compiles everything before the module runs. Whatever the
//! tier, results, traps and fuel are the same.
//!
//! ```
//! use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
//! use strata::{Config, Engine, Instance, Module, Store, Tier};
//!
//! # fn main() -> strata::Result<()> {
//! let compiled = Arc::new(AtomicUsize::new(0));
//! let counter = compiled.clone();
//! let mut config = Config::new();
//! config
//!     .tier(Tier::Auto)
//!     .tier_up_threshold(100)
//!     // Compile on the spot, so that this example is deterministic.
//!     .tier_up_synchronous(true)
//!     .on_tier_up(move |_| { counter.fetch_add(1, Ordering::Relaxed); });
//! let engine = Engine::new(&config)?;
//! let module = Module::new(&engine, r#"
//!     (module (func (export "sq") (param i32) (result i32)
//!       local.get 0 local.get 0 i32.mul))
//! "#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Instance::new(&mut store, &module, &[])?;
//! let sq = instance.get_typed_func::<i32, i32>(&mut store, "sq")?;
//! for i in 0..200 {
//!     assert_eq!(sq.call(&mut store, i)?, i * i);
//! }
//! assert_eq!(compiled.load(Ordering::Relaxed), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Traps are values
//!
//! When WebAssembly traps, the call returns [`Error::Trap`] with a
//! [`Trap`] that has a [`TrapCode`] and a wasm backtrace:
//!
//! ```
//! use strata::{Engine, Module, Store, Instance, TrapCode};
//!
//! # fn main() -> strata::Result<()> {
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module (func (export "boom") unreachable))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Instance::new(&mut store, &module, &[])?;
//! let boom = instance.get_typed_func::<(), ()>(&mut store, "boom")?;
//! let err = boom.call(&mut store, ()).unwrap_err();
//! assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::Unreachable));
//! # Ok(())
//! # }
//! ```
//!
//! # Handles belong to one store
//!
//! [`Func`], [`Memory`], [`Table`], [`Global`] and [`Instance`] are handles
//! carrying the id of the store that owns the object; using one with
//! another store is refused with an error.

mod config;
mod error;
mod func;
mod global;
mod instance;
mod limits;
mod linker;
mod memory;
mod module;
mod stack;
mod store;
mod table;
mod tier;
mod values;
mod vm_shared;

pub use config::{Config, DEFAULT_TIER_UP_THRESHOLD, Engine, Tier, TierUpEvent};
pub use error::{Error, FrameInfo, Result, Trap};
pub use func::{Caller, Func, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy};
pub use global::Global;
pub use instance::Instance;
pub use limits::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
pub use linker::{Extern, Linker};
pub use memory::{Memory, MemoryAccessError};
pub use module::{CodeOrigin, ExternType, Module};
pub use store::{AsContext, AsContextMut, Store, StoreContext, StoreContextMut, UpdateDeadline};
pub use strata_environ::{
    FuncType, GlobalType, MemoryType, RefType, TableType, TrapCode, ValType, WasmFeatures,
};
pub use table::Table;
pub use values::{ExternRef, Val};
