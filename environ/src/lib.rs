//! The leaf crate that every Strata tier shares.
//!
//! A WebAssembly module goes through these stages in Strata:
//!
//! 1. **decode and validate** ([`ModuleEnvironment`]): the bytes are read with
//!    `wasmparser`, every section is validated and its metadata is collected
//!    into a [`ModuleInfo`]. Each function body is handed, together with its
//!    `wasmparser` function validator, to a tier's [`FuncBodySink`] so that a
//!    tier can validate and translate a body in one pass.
//! 2. **instantiate**: the runtime lays out a [`vmcontext::VMContext`] for the
//!    instance. Its layout is defined here, once, because compiled code and
//!    the interpreter both read it.
//! 3. **call and trap**: every tier reports traps with the same
//!    [`TrapCode`].
//!
//! Nothing in this crate executes code; it only describes.

pub mod fuel;
mod module;
pub mod placement;
mod translate;
mod trap;
mod types;
mod validate;
pub mod vmcontext;

pub use module::{
    ConstExpr, ConstOp, DataKind, DataSegment, ElemItems, ElemKind, ElemSegment, EntityIndex,
    Export, Import, ModuleInfo,
};
pub use translate::{FuncBodySink, ModuleEnvironment, WasmError};
pub use trap::TrapCode;
pub use types::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
pub use validate::{DeferredBodies, ModuleBinary, available_cores};

/// The WebAssembly features a Strata engine can enable.
pub use wasmparser::WasmFeatures;

/// The feature set Strata supports: Wasm 2.0 (fixed-width SIMD included)
/// and multi-memory.
pub fn supported_features() -> WasmFeatures {
    WasmFeatures::WASM2 | WasmFeatures::MULTI_MEMORY
}
