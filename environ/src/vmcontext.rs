//! The layout of the runtime structures that executing code reads.
//!
//! Compiled code (and the interpreter) reach an instance's memories, tables,
//! globals and functions through a [`VMContext`]. Every structure here is
//! `#[repr(C)]` and is declared through [`vm_struct!`], which also emits a
//! module of field offsets (for example [`vmctx_offsets::memories`]) so that
//! a code generator never hard-codes a number. The tests at the bottom pin
//! the layout on 64-bit hosts.
//!
//! The design follows one rule: **one calling convention for every tier**.
//! A [`VMFuncRef`] names a function no matter who produced its code. Its
//! `array_call` entry takes arguments and returns results through a
//! [`ValRaw`] buffer, so the embedder, host functions, the interpreter and
//! compiled code can all call each other through it; `wasm_call` is the
//! native entry that a compiling tier fills in when it has one.

use crate::trap::TrapCode;
use std::any::Any;
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::atomic::AtomicU64;

/// Declares a `#[repr(C)]` structure and a module of its field offsets.
macro_rules! vm_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, offsets in $offsets:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        #[doc = concat!("Byte offsets of the fields of [`", stringify!($name), "`].")]
        #[allow(non_upper_case_globals)]
        pub mod $offsets {
            $(
                #[doc = concat!("Offset of `", stringify!($field), "`.")]
                pub const $field: u32 = core::mem::offset_of!(super::$name, $field) as u32;
            )*
            #[doc = "Size of the whole structure."]
            pub const SIZE: u32 = core::mem::size_of::<super::$name>() as u32;
        }
    };
}

/// A register-sized, type-erased WebAssembly value as it crosses the array
/// calling convention. 16 bytes so that a `v128` fits; scalars live in the
/// low bytes, little-endian.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
#[repr(C, align(16))]
pub struct ValRaw {
    bits: [u64; 2],
}

impl ValRaw {
    /// From a 64-bit pattern (i64, f64 bits, or a reference).
    #[inline]
    pub fn from_u64(v: u64) -> ValRaw {
        ValRaw { bits: [v, 0] }
    }
    /// From a 32-bit pattern, zero-extended.
    #[inline]
    pub fn from_u32(v: u32) -> ValRaw {
        ValRaw::from_u64(u64::from(v))
    }
    /// From a 128-bit vector.
    #[inline]
    pub fn from_u128(v: u128) -> ValRaw {
        ValRaw {
            bits: [v as u64, (v >> 64) as u64],
        }
    }
    /// The low 32 bits.
    #[inline]
    pub fn get_u32(self) -> u32 {
        self.bits[0] as u32
    }
    /// The low 64 bits.
    #[inline]
    pub fn get_u64(self) -> u64 {
        self.bits[0]
    }
    /// All 128 bits.
    #[inline]
    pub fn get_u128(self) -> u128 {
        u128::from(self.bits[0]) | (u128::from(self.bits[1]) << 64)
    }
}

/// The target of a native wasm call. Opaque: its real signature depends
/// on the function's type, so only generated code calls it.
#[repr(C)]
pub struct VMWasmCallFunction {
    _opaque: [u8; 0],
}

/// The engine-wide number of a function signature. Two functions have the
/// same signature exactly when they have the same index, in any module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct VMSharedTypeIndex(pub u32);

/// The array calling convention, shared by every tier and by host functions.
///
/// `args_results` holds at least `max(params, results)` values: arguments on
/// entry, results on return. `false` means the call trapped and the reason
/// was recorded in the store's [`VMStoreContext::trap`].
///
/// # Safety
///
/// `callee` must be a live function reference of the store that
/// `caller_vmctx` (if not null) belongs to, and `args_results` must point to
/// `len` valid values.
pub type VMArrayCallFn = unsafe extern "C" fn(
    callee: *const VMFuncRef,
    caller_vmctx: *mut VMContext,
    args_results: *mut ValRaw,
    len: usize,
) -> bool;

vm_struct! {
    /// A function reference: what `call`, `call_indirect`, `ref.func` and
    /// tables of `funcref` point at. Null references are null pointers.
    pub struct VMFuncRef, offsets in funcref_offsets {
        /// Entry through the array calling convention; always present.
        pub array_call: VMArrayCallFn,
        /// Native entry in the wasm calling convention: `(callee vmctx,
        /// caller vmctx, params...) -> results`. Compiled functions point
        /// at their code; in an engine that compiles, host functions point
        /// at a per-signature trampoline into `array_call`, so compiled code
        /// calls every function the same way. `None` only in an
        /// interpreter-only engine, where no native code reads it.
        pub wasm_call: Option<NonNull<VMWasmCallFunction>>,
        /// The function's signature.
        pub type_index: VMSharedTypeIndex,
        /// The function's index in its defining module (unused for host
        /// functions).
        pub func_index: u32,
        /// The context the function runs in: its instance's [`VMContext`],
        /// or a host function's own context.
        pub vmctx: *mut VMContext,
    }
}

vm_struct! {
    /// A linear memory as code sees it. `base` never changes while the
    /// memory lives inside its reservation; it may move only when a memory
    /// without a full reservation outgrows what it reserved.
    pub struct VMMemoryDefinition, offsets in memory_offsets {
        /// Start of the accessible bytes.
        pub base: *mut u8,
        /// Accessible length in bytes.
        pub current_length: usize,
    }
}

vm_struct! {
    /// A table as code sees it: an array of raw references.
    pub struct VMTableDefinition, offsets in table_offsets {
        /// The elements: `*const VMFuncRef` for `funcref` tables, the
        /// store's extern data pointer for `externref` tables; 0 is null.
        pub base: *mut usize,
        /// Number of elements.
        pub current_elements: usize,
    }
}

vm_struct! {
    /// A global's storage, wide enough for `v128`.
    pub struct VMGlobalDefinition, offsets in global_offsets {
        /// The value bits, little-endian in the low bytes.
        pub storage: ValRaw,
    }
}

vm_struct! {
    /// Per-store state that code reads and writes.
    pub struct VMStoreContext, offsets in store_offsets {
        /// Fuel left; execution traps with [`TrapCode::OutOfFuel`] when it
        /// goes below zero (reserved for fuel metering).
        pub fuel_remaining: i64,
        /// Execution is interrupted (checked at function entry and loop
        /// headers, when the engine asks for epoch checks) once
        /// `*epoch_counter` reaches this value.
        pub epoch_deadline: u64,
        /// The runtime's store, opaque to tiers.
        pub store: *mut c_void,
        /// How many times execution has re-entered WebAssembly from the host
        /// without returning.
        pub host_depth: u32,
        /// The lowest native stack address that re-entry may reach; set
        /// when execution first enters WebAssembly.
        pub stack_limit: usize,
        /// How much native stack nested host/wasm re-entry may use.
        pub native_stack_budget: usize,
        /// The maximum number of interpreter frames on the call stack.
        pub max_frames: u32,
        /// The reason of the last trap, set when an array call returns
        /// `false`.
        pub trap: Option<Box<VMTrap>>,
        /// A tier's per-store state (the interpreter keeps its value stack
        /// here so that nested calls reuse it).
        pub tier_state: Option<Box<dyn Any>>,
        /// The engine's epoch counter, which any thread may advance.
        pub epoch_counter: *const AtomicU64,
        /// The lowest address the limit may be set to: the bottom of the
        /// entering thread's stack plus room for host code (0 if unknown).
        /// Set by the runtime before each entry from the host, so that a
        /// budget larger than the thread's stack ends in a trap, not a
        /// fault.
        pub stack_floor: usize,
    }
}

/// How deep host → wasm → host → wasm re-entry may nest, whatever stack it
/// uses (the store's native stack budget is the main bound).
pub const MAX_HOST_DEPTH: u32 = 10_000;

impl VMStoreContext {
    /// The part of every entry into wasm from the host that all tiers
    /// share: the first entry (no wasm running) sets the native stack
    /// limit that compiled code checks in its prologues and re-entries
    /// check, `sp` being the entry's stack pointer. `false` when a
    /// re-entry is already below the limit or nested too deep: the entry
    /// must then trap with `call stack exhausted`.
    pub fn check_entry_stack(&mut self, sp: usize) -> bool {
        if self.host_depth == 0 {
            self.stack_limit = sp
                .saturating_sub(self.native_stack_budget)
                .max(self.stack_floor);
            true
        } else {
            sp >= self.stack_limit && self.host_depth < MAX_HOST_DEPTH
        }
    }
}

impl VMTrap {
    /// A trap of function `func_index` of instance `vmctx` before any of
    /// its code ran (its only frame is itself).
    pub fn at_entry(code: TrapCode, vmctx: *mut VMContext, func_index: u32) -> VMTrap {
        VMTrap {
            code: Some(code),
            frames: vec![VMFrameInfo { vmctx, func_index }],
        }
    }
}

/// One frame of a wasm backtrace: which function of which instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VMFrameInfo {
    /// The instance the function belongs to.
    pub vmctx: *mut VMContext,
    /// The function's index in its module.
    pub func_index: u32,
}

/// A trap recorded by a tier.
#[derive(Debug)]
pub struct VMTrap {
    /// `None` when a host function failed; its error is kept by the store.
    pub code: Option<TrapCode>,
    /// The wasm frames active at the trap, innermost first.
    pub frames: Vec<VMFrameInfo>,
}

/// Runtime services that code calls for operations that need the store:
/// growing, initialising and copying between owned objects. Each returns 0
/// on success or the [`TrapCode`] number of the trap, unless noted.
#[repr(C)]
pub struct VMBuiltinFunctions {
    /// `memory.grow`: the old size in pages, `u64::MAX` on failure, or
    /// [`GROW_TRAPPED`].
    pub memory_grow: unsafe extern "C" fn(*mut VMContext, memory: u32, delta: u64) -> u64,
    /// `memory.init`.
    pub memory_init: unsafe extern "C" fn(
        *mut VMContext,
        memory: u32,
        data: u32,
        dst: u64,
        src: u32,
        len: u32,
    ) -> u8,
    /// `data.drop`.
    pub data_drop: unsafe extern "C" fn(*mut VMContext, data: u32),
    /// `table.grow`: the old size, `u64::MAX` on failure, or
    /// [`GROW_TRAPPED`].
    pub table_grow:
        unsafe extern "C" fn(*mut VMContext, table: u32, delta: u64, init: usize) -> u64,
    /// `table.fill`.
    pub table_fill:
        unsafe extern "C" fn(*mut VMContext, table: u32, dst: u64, val: usize, len: u64) -> u8,
    /// `table.copy`.
    pub table_copy: unsafe extern "C" fn(
        *mut VMContext,
        dst_table: u32,
        src_table: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> u8,
    /// `table.init`.
    pub table_init: unsafe extern "C" fn(
        *mut VMContext,
        table: u32,
        elem: u32,
        dst: u64,
        src: u32,
        len: u32,
    ) -> u8,
    /// `elem.drop`.
    pub elem_drop: unsafe extern "C" fn(*mut VMContext, elem: u32),
    /// `memory.fill`.
    pub memory_fill:
        unsafe extern "C" fn(*mut VMContext, memory: u32, dst: u64, val: u32, len: u64) -> u8,
    /// `memory.copy`.
    pub memory_copy: unsafe extern "C" fn(
        *mut VMContext,
        dst_memory: u32,
        src_memory: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> u8,
    /// Called when the epoch deadline is reached: 0 to go on (the store's
    /// callback moved the deadline), the trap code of `interrupt`, or
    /// [`BUILTIN_HOST_ERROR`] when the callback failed (its error is the
    /// store's pending error and a `VMTrap` without a code is recorded).
    pub epoch_interrupt: unsafe extern "C" fn(*mut VMContext) -> u8,
}

/// What a builtin answers when a host callback failed.
pub const BUILTIN_HOST_ERROR: u8 = 255;

/// What `memory_grow`/`table_grow` answer instead of `u64::MAX` when the
/// engine traps on a refused grow: the error is the store's pending error
/// and a `VMTrap` without a code is recorded; the code must hand it on.
pub const GROW_TRAPPED: u64 = u64::MAX - 1;

/// Byte offsets of the entries of [`VMBuiltinFunctions`], for code that
/// calls them through the table.
#[allow(non_upper_case_globals)]
pub mod builtin_offsets {
    use super::VMBuiltinFunctions;
    use core::mem::offset_of;
    /// `memory.grow`.
    pub const memory_grow: u32 = offset_of!(VMBuiltinFunctions, memory_grow) as u32;
    /// `memory.init`.
    pub const memory_init: u32 = offset_of!(VMBuiltinFunctions, memory_init) as u32;
    /// `data.drop`.
    pub const data_drop: u32 = offset_of!(VMBuiltinFunctions, data_drop) as u32;
    /// `table.grow`.
    pub const table_grow: u32 = offset_of!(VMBuiltinFunctions, table_grow) as u32;
    /// `table.fill`.
    pub const table_fill: u32 = offset_of!(VMBuiltinFunctions, table_fill) as u32;
    /// `table.copy`.
    pub const table_copy: u32 = offset_of!(VMBuiltinFunctions, table_copy) as u32;
    /// `table.init`.
    pub const table_init: u32 = offset_of!(VMBuiltinFunctions, table_init) as u32;
    /// `elem.drop`.
    pub const elem_drop: u32 = offset_of!(VMBuiltinFunctions, elem_drop) as u32;
    /// `memory.fill`.
    pub const memory_fill: u32 = offset_of!(VMBuiltinFunctions, memory_fill) as u32;
    /// `memory.copy`.
    pub const memory_copy: u32 = offset_of!(VMBuiltinFunctions, memory_copy) as u32;
    /// The epoch deadline was reached.
    pub const epoch_interrupt: u32 = offset_of!(VMBuiltinFunctions, epoch_interrupt) as u32;
}

vm_struct! {
    /// What [`VMContext::jit_code`] points at: the
    /// module's table of entry points, one per defined function. Compiled
    /// code calls functions of its own module through it (one load, then an
    /// indirect call), so that a function's code can be replaced with one
    /// atomic store into its entry.
    pub struct VMCompiledModule, offsets in compiled_module_offsets {
        /// The native (`wasm_call`) entry of each defined function.
        pub entries: *const *const u8,
        /// The number of entries.
        pub num_entries: usize,
    }
}

/// Tells an instance context from a host function context.
pub const VMCONTEXT_MAGIC: u32 = u32::from_le_bytes(*b"strt");

vm_struct! {
    /// An instance as code sees it. The arrays it points to are indexed by
    /// the module's index spaces (imports first) and hold pointers, so that
    /// imported and defined items are reached the same way.
    pub struct VMContext, offsets in vmctx_offsets {
        /// [`VMCONTEXT_MAGIC`].
        pub magic: u32,
        /// The store this instance lives in.
        pub store: *mut VMStoreContext,
        /// One pointer per memory.
        pub memories: *const *mut VMMemoryDefinition,
        /// One pointer per table.
        pub tables: *const *mut VMTableDefinition,
        /// One pointer per global.
        pub globals: *const *mut VMGlobalDefinition,
        /// One pointer per function.
        pub func_refs: *const *const VMFuncRef,
        /// The engine-wide signature of each of the module's types.
        pub type_ids: *const VMSharedTypeIndex,
        /// Runtime services.
        pub builtins: *const VMBuiltinFunctions,
        /// The runtime's record of this instance, opaque to tiers.
        pub instance: *mut c_void,
        /// The interpreter's code for the module (its `InterpModule`), or
        /// null when the engine only compiles.
        pub interp_code: *const c_void,
        /// The compiling tier's code for the module (begins with a
        /// [`VMCompiledModule`]), or null when the engine only interprets.
        /// A tiered engine sets both: each function runs in whichever tier
        /// holds its current code.
        pub jit_code: *const c_void,
        /// Memory 0's base address when it has the guard-page reservation,
        /// else null. A guarded memory never moves, so compiled code reaches
        /// it with one load from here instead of three through
        /// [`VMContext::memories`]; the base is on the critical path of
        /// every function's first memory access.
        pub memory0_base: *mut u8,
        /// The instance's defined globals, side by side (imported ones are
        /// reached through [`VMContext::globals`]). One load from here,
        /// hoisted out of loops, instead of two dependent ones through the
        /// array: a C program's stack pointer is read and written in most
        /// functions' prologues and epilogues.
        pub defined_globals: *mut VMGlobalDefinition,
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn vmcontext_layout() {
        assert_eq!(offset_of!(VMContext, magic), 0);
        assert_eq!(offset_of!(VMContext, store), 8);
        assert_eq!(offset_of!(VMContext, memories), 16);
        assert_eq!(offset_of!(VMContext, tables), 24);
        assert_eq!(offset_of!(VMContext, globals), 32);
        assert_eq!(offset_of!(VMContext, func_refs), 40);
        assert_eq!(offset_of!(VMContext, type_ids), 48);
        assert_eq!(offset_of!(VMContext, builtins), 56);
        assert_eq!(offset_of!(VMContext, instance), 64);
        assert_eq!(offset_of!(VMContext, interp_code), 72);
        assert_eq!(offset_of!(VMContext, jit_code), 80);
        assert_eq!(offset_of!(VMContext, memory0_base), 88);
        assert_eq!(offset_of!(VMContext, defined_globals), 96);
        assert_eq!(vmctx_offsets::SIZE, 104);
        assert_eq!(vmctx_offsets::func_refs, 40);
    }

    #[test]
    fn funcref_layout() {
        assert_eq!(offset_of!(VMFuncRef, array_call), 0);
        assert_eq!(offset_of!(VMFuncRef, wasm_call), 8);
        // `None` is the null pointer compiled code tests for.
        assert_eq!(size_of::<Option<NonNull<VMWasmCallFunction>>>(), 8);
        assert_eq!(offset_of!(VMFuncRef, type_index), 16);
        assert_eq!(offset_of!(VMFuncRef, func_index), 20);
        assert_eq!(offset_of!(VMFuncRef, vmctx), 24);
        assert_eq!(size_of::<VMFuncRef>(), 32);
        assert_eq!(funcref_offsets::vmctx, 24);
    }

    #[test]
    fn definition_layouts() {
        assert_eq!(offset_of!(VMMemoryDefinition, base), 0);
        assert_eq!(offset_of!(VMMemoryDefinition, current_length), 8);
        assert_eq!(offset_of!(VMTableDefinition, base), 0);
        assert_eq!(offset_of!(VMTableDefinition, current_elements), 8);
        assert_eq!(size_of::<VMGlobalDefinition>(), 16);
        assert_eq!(size_of::<ValRaw>(), 16);
        assert_eq!(offset_of!(VMStoreContext, fuel_remaining), 0);
        assert_eq!(offset_of!(VMStoreContext, epoch_deadline), 8);
        assert_eq!(offset_of!(VMStoreContext, store), 16);
        assert_eq!(store_offsets::host_depth, 24);
    }

    #[test]
    fn compiled_code_layouts() {
        assert_eq!(offset_of!(VMCompiledModule, entries), 0);
        assert_eq!(offset_of!(VMCompiledModule, num_entries), 8);
        assert_eq!(compiled_module_offsets::SIZE, 16);
        assert_eq!(offset_of!(VMStoreContext, stack_limit), 32);
        assert_eq!(store_offsets::stack_limit, 32);
        assert_eq!(builtin_offsets::memory_grow, 0);
        assert_eq!(builtin_offsets::elem_drop, 56);
        assert_eq!(builtin_offsets::memory_fill, 64);
        assert_eq!(builtin_offsets::memory_copy, 72);
        assert_eq!(builtin_offsets::epoch_interrupt, 80);
        assert_eq!(size_of::<VMBuiltinFunctions>(), 88);
        assert_eq!(store_offsets::epoch_deadline, 8);
    }

    #[test]
    fn valraw_keeps_bits() {
        assert_eq!(ValRaw::from_u32(0xdead_beef).get_u32(), 0xdead_beef);
        assert_eq!(ValRaw::from_u64(u64::MAX).get_u64(), u64::MAX);
        let v = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        assert_eq!(ValRaw::from_u128(v).get_u128(), v);
    }
}
