//! The interpreter loop.
//!
//! Registers of the virtual machine are Rust locals: the instruction pointer
//! `ip`, the frame pointer `fp` (slot 0 of the running function), the
//! running instance's `vmctx` and its memory 0. Calls between interpreted
//! functions push a [`Frame`] onto a heap stack and keep looping; only calls
//! into the host (or into other tiers) leave the loop.

use crate::instr::Instr;
use crate::op::Op;
use crate::simd;
use crate::vector_access;
use crate::{
    InterpFunc, InterpModule, for_each_branch_op, for_each_load_op, for_each_numeric_op,
    for_each_other_op,
};
use strata_environ::TrapCode;
use strata_environ::vmcontext::{
    VMContext, VMFrameInfo, VMFuncRef, VMMemoryDefinition, VMStoreContext, VMTrap, ValRaw,
};

/// Slots of the value stack shared by all interpreted frames of a store
/// (8 MiB; untouched pages cost nothing). Under Miri, which does touch
/// them all, 128 KiB.
const STACK_SLOTS: usize = if cfg!(miri) { 1 << 14 } else { 1 << 20 };

/// A suspended caller.
#[derive(Clone, Copy)]
struct Frame {
    ret_ip: *const Instr,
    fp: *mut u64,
    func: *const InterpFunc,
    vmctx: *mut VMContext,
}

/// The interpreter's per-store state: value slots and the frame stack.
struct Stack {
    slots: *mut u64,
    len: usize,
    frames: Vec<Frame>,
    /// First free slot for a new entry from the host.
    top: usize,
}

impl Stack {
    fn new() -> Stack {
        let slots: Box<[u64]> = vec![0u64; STACK_SLOTS].into_boxed_slice();
        let len = slots.len();
        Stack {
            slots: Box::into_raw(slots).cast::<u64>(),
            len,
            frames: Vec::new(),
            top: 0,
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: `slots` came from `Box::into_raw` of a slice of `len`
        // elements in `new` and is freed only here.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.slots, self.len)) });
    }
}

/// The store's interpreter stack, created on first use.
///
/// # Safety
///
/// `store` must be a valid store context not otherwise borrowed.
unsafe fn stack_of(store: *mut VMStoreContext) -> *mut Stack {
    // SAFETY: the caller guarantees `store` is valid; the returned pointer
    // stays valid while the store keeps its tier state.
    let state = unsafe { &mut (*store).tier_state };
    if !state.as_ref().is_some_and(|s| s.is::<Stack>()) {
        *state = Some(Box::new(Stack::new()));
    }
    match state.as_mut().and_then(|s| s.downcast_mut::<Stack>()) {
        Some(stack) => stack as *mut Stack,
        None => std::ptr::null_mut(),
    }
}

trait SlotValue: Copy {
    /// Whether a result of this type also goes to the accumulator.
    const INT: bool = true;
    /// Whether a result of this type also goes to the `f64` accumulator.
    const F64: bool = false;
    /// Whether a result of this type also goes to the `f32` accumulator.
    const F32: bool = false;
    fn from_slot(v: u64) -> Self;
    /// This operand when the accumulators hold it: a float is in the
    /// float accumulator of its width, any other type in the integer one.
    #[inline(always)]
    fn from_acc(acc: u64, _facc: f64, _facc32: f32) -> Self {
        Self::from_slot(acc)
    }
    fn into_slot(self) -> u64;
}

macro_rules! slot_int {
    ($($t:ty => $u:ty),*) => {$(
        impl SlotValue for $t {
            #[inline(always)]
            fn from_slot(v: u64) -> Self { v as $t }
            #[inline(always)]
            fn into_slot(self) -> u64 { self as $u as u64 }
        }
    )*};
}
slot_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl SlotValue for f32 {
    const INT: bool = false;
    const F32: bool = true;
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f32::from_bits(v as u32)
    }
    #[inline(always)]
    fn from_acc(_acc: u64, _facc: f64, facc32: f32) -> Self {
        facc32
    }
    #[inline(always)]
    fn into_slot(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl SlotValue for f64 {
    const INT: bool = false;
    const F64: bool = true;
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f64::from_bits(v)
    }
    #[inline(always)]
    fn from_acc(_acc: u64, facc: f64, _facc32: f32) -> Self {
        facc
    }
    #[inline(always)]
    fn into_slot(self) -> u64 {
        self.to_bits()
    }
}

/// `I32AddShl`: `a + (b << shift)`, wrapping.
#[inline(always)]
fn add_shl(a: u64, b: u64, shift: u8) -> u32 {
    (a as u32).wrapping_add((b as u32).wrapping_shl(u32::from(shift)))
}

/// `I32XorShl`: `a ^ (b << shift)`.
#[inline(always)]
fn xor_shl(a: u64, b: u64, shift: u8) -> u32 {
    (a as u32) ^ (b as u32).wrapping_shl(u32::from(shift))
}

/// `I32XorShrU`: `a ^ (b >> shift)`, the shift unsigned.
#[inline(always)]
fn xor_shr_u(a: u64, b: u64, shift: u8) -> u32 {
    (a as u32) ^ (b as u32).wrapping_shr(u32::from(shift))
}

/// `I32ShrUAnd`: `(a >> shift) & mask`.
#[inline(always)]
fn shr_and(a: u64, shift: u8, mask: u32) -> u32 {
    (a as u32).wrapping_shr(u32::from(shift)) & mask
}

/// `I32AddBits`: `a + bit_field(b)`, wrapping.
#[inline(always)]
fn add_bits(a: u64, b: u64, shifts: u16) -> u32 {
    (a as u32).wrapping_add(crate::op::bit_field(b as u32, shifts))
}

/// Whether `v` is an integer (goes to the accumulator).
#[inline(always)]
fn is_int<T: SlotValue>(_: &T) -> bool {
    T::INT
}

/// Whether `v` is an `f64` (goes to the `f64` accumulator).
#[inline(always)]
fn is_f64<T: SlotValue>(_: &T) -> bool {
    T::F64
}

/// Whether `v` is an `f32` (goes to the `f32` accumulator).
#[inline(always)]
fn is_f32<T: SlotValue>(_: &T) -> bool {
    T::F32
}

impl SlotValue for bool {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v != 0
    }
    #[inline(always)]
    fn into_slot(self) -> u64 {
        u64::from(self)
    }
}

trait FromImm {
    fn from_imm(imm: i32) -> Self;
}

impl FromImm for i32 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm
    }
}
impl FromImm for u32 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm as u32
    }
}
impl FromImm for i64 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        i64::from(imm)
    }
}
impl FromImm for u64 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        i64::from(imm) as u64
    }
}

/// Records a trap of `callee` before any of its code ran.
///
/// # Safety
///
/// `store` must be valid.
unsafe fn record_entry_trap(store: *mut VMStoreContext, code: TrapCode, callee: *const VMFuncRef) {
    // SAFETY: guaranteed by the caller; `callee` was checked by the caller.
    unsafe {
        let trap = VMTrap::at_entry(code, (*callee).vmctx, (*callee).func_index);
        (*store).trap = Some(Box::new(trap));
    }
}

/// Enters the interpreter through the array calling convention.
///
/// # Safety
///
/// `callee` must be a function reference made by the runtime for an
/// interpreted function: its `vmctx` is a live instance context whose
/// `interp_code` is an [`InterpModule`] and whose store context is valid.
/// `args` must point to `len` values, `len >= max(params, results)`.
pub unsafe extern "C" fn array_call(
    callee: *const VMFuncRef,
    _caller_vmctx: *mut VMContext,
    args: *mut ValRaw,
    len: usize,
) -> bool {
    // SAFETY: the caller guarantees that `callee`, its context, the module
    // code and `args` are valid. The stack slots used lie within the
    // allocation (`top + frame_size <= len` is checked).
    unsafe {
        let vmctx = (*callee).vmctx;
        let store = (*vmctx).store;
        let module = &*((*vmctx).interp_code as *const InterpModule);
        let defined = ((*callee).func_index).checked_sub(module.num_imported_funcs);
        // A tiered function whose native code is installed runs there.
        if let (Some(d), Some(t)) = (defined, module.tiering.as_ref())
            && t.is_native(d as usize)
        {
            return (t.native_call)(callee, _caller_vmctx, args, len);
        }
        let func = match defined
            .ok_or(TrapCode::Internal)
            .and_then(|i| module.func(i as usize))
        {
            Ok(f) => f,
            Err(code) => {
                record_entry_trap(store, code, callee);
                return false;
            }
        };
        // Re-entry through the host uses native stack; bound it by address.
        let marker = 0u8;
        let sp = &marker as *const u8 as usize;
        if !(*store).check_entry_stack(sp) {
            record_entry_trap(store, TrapCode::StackOverflow, callee);
            return false;
        }
        let stack = stack_of(store);
        let base = (*stack).top;
        if base + func.frame_size as usize > (*stack).len || len < func.signature.array_len() {
            record_entry_trap(store, TrapCode::StackOverflow, callee);
            return false;
        }
        let fp = (*stack).slots.add(base);
        func.signature.params_from_vals(args, fp);
        zero_locals(fp, func.num_params, func.num_locals);
        (*store).host_depth += 1;
        let result = execute(store, stack, vmctx, func, fp);
        (*store).host_depth -= 1;
        (*stack).top = base;
        match result {
            Ok(()) => {
                func.signature.results_to_vals(fp, args);
                true
            }
            Err(trap) => {
                (*store).trap = Some(Box::new(trap));
                false
            }
        }
    }
}

/// The wasm backtrace at a trap: the running function, then its callers.
///
/// # Safety
///
/// `stack` must be valid and `frames_base` within its frames.
unsafe fn backtrace(
    stack: *mut Stack,
    frames_base: usize,
    vmctx: *mut VMContext,
    func: *const InterpFunc,
) -> Vec<VMFrameInfo> {
    // SAFETY: guaranteed by the caller; frames hold live functions.
    unsafe {
        let mut frames = vec![VMFrameInfo {
            vmctx,
            func_index: (*func).func_index,
        }];
        let stack = &mut *stack;
        for f in stack.frames[frames_base..].iter().rev() {
            frames.push(VMFrameInfo {
                vmctx: f.vmctx,
                func_index: (*f.func).func_index,
            });
        }
        stack.frames.truncate(frames_base);
        frames
    }
}

/// The memory-0 definition of an instance, or null.
///
/// # Safety
///
/// `vmctx` and `module` must be valid and belong together.
#[inline(always)]
unsafe fn memory_of(vmctx: *mut VMContext, module: *const InterpModule) -> *mut VMMemoryDefinition {
    // SAFETY: a module with a memory has at least one entry in `memories`.
    unsafe {
        if (*module).has_memory {
            *(*vmctx).memories
        } else {
            std::ptr::null_mut()
        }
    }
}

/// The base and accessible length of memory `mem` (null and 0 when the
/// instance has none): the values of the `mem_base`/`mem_len` registers.
///
/// # Safety
///
/// `mem` must be null or point to a valid memory definition.
#[inline(always)]
unsafe fn mem_regs(mem: *mut VMMemoryDefinition) -> (*mut u8, u64) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if mem.is_null() {
            (std::ptr::null_mut(), 0)
        } else {
            ((*mem).base, (*mem).current_length as u64)
        }
    }
}

/// The address of `len` bytes at `addr + offset` in memory `mem`, if they
/// are in bounds.
///
/// # Safety
///
/// `mem` must point to a valid memory definition.
#[inline(always)]
unsafe fn mem_addr(
    mem: *mut VMMemoryDefinition,
    addr: u64,
    offset: u64,
    len: u64,
) -> Option<*mut u8> {
    // SAFETY: guaranteed by the caller; the range is checked against the
    // accessible length before the pointer is formed.
    unsafe {
        let ea = addr + offset;
        if ea + len > (*mem).current_length as u64 {
            return None;
        }
        Some((*mem).base.add(ea as usize))
    }
}

/// How a run of handlers ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Exit {
    /// The function `execute` entered returned.
    Returned,
    /// A trap, now in [`Vm::trap`].
    Trapped,
    /// The handler stored the registers in [`Vm::regs`] for the dispatch
    /// loop to go on (cold handlers always; every handler when dispatch is
    /// portable).
    Continue,
}

/// The registers a handler passes to the next one.
#[derive(Clone, Copy)]
struct Regs {
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: u64,
    /// The accumulator (see [`Handler`]).
    acc: u64,
    /// The float accumulators (see [`Handler`]).
    facc: f64,
    facc32: f32,
}

impl Regs {
    /// The registers at an instruction that reads no accumulator: the
    /// first of a function, or the one after a call or return.
    fn without_results(ip: *const Instr, fp: *mut u64, mem_base: *mut u8, mem_len: u64) -> Regs {
        Regs {
            ip,
            fp,
            mem_base,
            mem_len,
            acc: 0,
            facc: 0.0,
            facc32: 0.0,
        }
    }
}

/// The state of one [`execute`] that is not kept in registers.
pub(crate) struct Vm {
    store: *mut VMStoreContext,
    stack: *mut Stack,
    vmctx: *mut VMContext,
    func: *const InterpFunc,
    module: *const InterpModule,
    /// The memory `mem_base`/`mem_len` describe (see `Op::SelectMemory`).
    mem: *mut VMMemoryDefinition,
    mem_index: u32,
    /// Frames below this belong to outer activations of the loop.
    frames_base: usize,
    slots_end: *mut u64,
    max_frames: usize,
    trap: Option<VMTrap>,
    regs: Regs,
    /// A call a handler hands to an out-of-line path (see `enter_general`).
    pending: PendingCall,
}

/// A call a handler's fast path does not make itself: the handler stores
/// it here and tail-calls an out-of-line path, so that its own code makes
/// no calls and needs no stack frame.
#[derive(Clone, Copy)]
struct PendingCall {
    /// The interpreted callee (null while `index` still needs translating).
    callee: *const InterpFunc,
    callee_vmctx: *mut VMContext,
    /// The callee's defined-function index in `module`.
    module: *const InterpModule,
    index: usize,
    /// The callee through its array entry (host functions, other tiers).
    funcref: *const VMFuncRef,
    sig: *const crate::slots::SlotSignature,
    base: u32,
}

impl PendingCall {
    const NONE: PendingCall = PendingCall {
        callee: std::ptr::null(),
        callee_vmctx: std::ptr::null_mut(),
        module: std::ptr::null(),
        index: 0,
        funcref: std::ptr::null(),
        sig: std::ptr::null(),
        base: 0,
    };
}

/// An instruction's handler: executes the instruction at `ip` and, with
/// tail dispatch, jumps to the next instruction's handler (see
/// [`dispatch`](self)). `acc`, `facc` and `facc32` are the integer,
/// `f64` and `f32` accumulators, the previous instruction's result (see
/// [`accumulator`]). On x86-64 and AArch64 all eight arguments travel in
/// registers: six integer ones, and the float accumulators in the first
/// two vector registers.
pub(crate) type Handler = unsafe fn(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: u64,
    vm: *mut Vm,
    acc: u64,
    facc: f64,
    facc32: f32,
) -> Exit;

/// The handler of the instruction at `ip`.
///
/// # Safety
///
/// `ip` must point to a valid instruction.
#[inline(always)]
unsafe fn handler_of(ip: *const Instr) -> Handler {
    // SAFETY: `ip` points to a valid instruction (the caller's promise),
    // which carries its own handler (`Instr::new`).
    unsafe { (*ip).handler() }
}

/// Reports a handler that was handed an instruction not its own: the
/// handler table is out of step with `Op`.
#[cold]
#[inline(never)]
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn wrong_instruction(handler: &'static str) -> ! {
    panic!("interpreter handler `{handler}` handed another instruction")
}

/// Records a trap with its backtrace; the handler returns what this does.
///
/// # Safety
///
/// `vm` must be the running loop's state.
#[cold]
#[inline(never)]
unsafe fn raise(vm: *mut Vm, code: Option<TrapCode>) -> Exit {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let frames = backtrace((*vm).stack, (*vm).frames_base, (*vm).vmctx, (*vm).func);
        (*vm).trap = Some(VMTrap { code, frames });
    }
    Exit::Trapped
}

/// Makes `vmctx` the running instance.
///
/// # Safety
///
/// `vm` must be the running loop's state; `vmctx` a live interpreted
/// instance.
#[inline(never)]
unsafe fn switch_instance(vm: *mut Vm, vmctx: *mut VMContext) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        (*vm).vmctx = vmctx;
        (*vm).module = (*vmctx).interp_code.cast();
        (*vm).mem = memory_of(vmctx, (*vm).module);
    }
}

/// Runs `call`, a call out of the loop into code that may enter the
/// interpreter again above the frame at `fp`. On failure, records the trap
/// the callee left, with this frame (unless `self_included`: the callee's
/// frames already hold it) and its callers appended.
///
/// # Safety
///
/// `vm` must be the running loop's state and `fp` its running frame.
#[inline(always)]
unsafe fn call_out(
    vm: *mut Vm,
    fp: *mut u64,
    self_included: bool,
    call: impl FnOnce() -> bool,
) -> bool {
    // SAFETY: guaranteed by the caller; the frame lies in the stack.
    unsafe {
        let stack = (*vm).stack;
        let used_top = fp
            .add((*(*vm).func).frame_size as usize)
            .offset_from((*stack).slots);
        let saved_top = (*stack).top;
        (*stack).top = used_top as usize;
        let ok = call();
        (*stack).top = saved_top;
        if !ok {
            let store = (*vm).store;
            let mut inner = (*store).trap.take().map(|b| *b).unwrap_or(VMTrap {
                code: None,
                frames: Vec::new(),
            });
            let mut callers = backtrace(stack, (*vm).frames_base, (*vm).vmctx, (*vm).func);
            if self_included {
                callers.remove(0);
            }
            inner.frames.extend(callers);
            (*vm).trap = Some(inner);
        }
        ok
    }
}

/// Calls `funcref` through its array entry (host functions, other tiers)
/// with its frame at `fp + base`; `false` if it trapped (recorded).
///
/// # Safety
///
/// `vm` must be the running loop's state, `fp` its running frame, and
/// `sig` the callee's signature.
#[inline(never)]
unsafe fn call_array(
    vm: *mut Vm,
    fp: *mut u64,
    funcref: *const VMFuncRef,
    base: u32,
    sig: &crate::slots::SlotSignature,
) -> bool {
    // SAFETY: guaranteed by the caller; the arguments lie in the frame.
    unsafe {
        let args = fp.add(base as usize);
        let n = sig.array_len();
        let mut small = [ValRaw::default(); 8];
        let mut big = Vec::new();
        let buf: &mut [ValRaw] = if n <= small.len() {
            &mut small[..]
        } else {
            big.resize(n, ValRaw::default());
            &mut big[..]
        };
        sig.params_to_vals(args, buf.as_mut_ptr());
        let caller = (*vm).vmctx;
        let ok = call_out(vm, fp, false, || {
            ((*funcref).array_call)(funcref, caller, buf.as_mut_ptr(), n)
        });
        if ok {
            sig.results_from_vals(buf.as_ptr(), args);
        }
        ok
    }
}

/// The code of defined function `index` of `module`, translated now if it
/// is not yet; null if it cannot run (the trap is recorded).
///
/// # Safety
///
/// `vm` must be the running loop's state and `module` a live module.
#[cold]
#[inline(never)]
unsafe fn translate_callee(
    vm: *mut Vm,
    module: *const InterpModule,
    index: usize,
) -> *const InterpFunc {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match (*module).func(index) {
            Ok(f) => f,
            Err(code) => {
                raise(vm, Some(code));
                std::ptr::null()
            }
        }
    }
}

/// Continues the running call natively from a loop header (on-stack
/// replacement through `trampoline`); its results come back in the frame's
/// first slots, as from a return. `false` if it trapped (recorded).
///
/// # Safety
///
/// `vm` must be the running loop's state, `fp` its running frame, and
/// `trampoline` an OSR entry of the running function.
#[inline(never)]
unsafe fn enter_osr(vm: *mut Vm, fp: *mut u64, trampoline: usize) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let module = (*vm).module;
        let Some(osr_call) = (*module).tiering.as_ref().map(|t| t.osr_call) else {
            raise(vm, Some(TrapCode::Internal));
            return false;
        };
        let (vmctx, index) = ((*vm).vmctx, (*(*vm).func).func_index);
        // The native frames include this one.
        call_out(vm, fp, true, || osr_call(vmctx, index, trampoline, fp))
    }
}

/// Zeroes the declared locals `from..to` of the frame at `fp`.
///
/// Most functions declare a few locals, for which a call to `memset` (what
/// LLVM makes of a plain loop) costs more than the stores; volatile stores
/// keep the loop a loop.
///
/// # Safety
///
/// Slots `from..to` of the frame at `fp` must lie in the stack.
#[inline(always)]
unsafe fn zero_locals(fp: *mut u64, from: u32, to: u32) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if to - from <= 16 {
            for i in from as usize..to as usize {
                std::ptr::write_volatile(fp.add(i), 0);
            }
        } else {
            std::ptr::write_bytes(fp.add(from as usize), 0, (to - from) as usize);
        }
    }
}

/// How a value crosses the out-of-line call of the `lanes!` macro: a
/// `V128` as a `u128`, which goes in registers, where the array would be
/// passed through a stack temporary whose address escapes.
#[cfg(debug_assertions)]
trait Wire: Copy {
    type Raw: Copy;
    fn raw(self) -> Self::Raw;
    fn from_raw(raw: Self::Raw) -> Self;
}

#[cfg(debug_assertions)]
impl Wire for simd::V128 {
    type Raw = u128;
    fn raw(self) -> u128 {
        self.to_u128()
    }
    fn from_raw(raw: u128) -> Self {
        simd::V128::from_u128(raw)
    }
}

#[cfg(debug_assertions)]
macro_rules! wire_as_itself {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Raw = $t;
            fn raw(self) -> $t {
                self
            }
            fn from_raw(raw: $t) -> $t {
                raw
            }
        }
    )*};
}
#[cfg(debug_assertions)]
wire_as_itself!(u8, u32, u64);

/// Calls `f` through [`opaque1`], its values crossing as [`Wire`]s.
#[cfg(debug_assertions)]
#[inline(always)]
fn out_of_line1<A: Wire, R: Wire>(f: fn(A) -> R, a: A) -> R {
    R::from_raw(opaque1(f, a.raw()))
}

/// Calls `f` through [`opaque2`], its values crossing as [`Wire`]s.
#[cfg(debug_assertions)]
#[inline(always)]
fn out_of_line2<A: Wire, B: Wire, R: Wire>(f: fn(A, B) -> R, a: A, b: B) -> R {
    R::from_raw(opaque2(f, a.raw(), b.raw()))
}

/// Calls `f` through [`opaque3`], its values crossing as [`Wire`]s.
#[cfg(debug_assertions)]
#[inline(always)]
fn out_of_line3<A: Wire, B: Wire, C: Wire, R: Wire>(f: fn(A, B, C) -> R, a: A, b: B, c: C) -> R {
    R::from_raw(opaque3(f, a.raw(), b.raw(), c.raw()))
}

/// Calls `f` out of line (see the `lanes!` macro).
#[cfg(debug_assertions)]
#[inline(never)]
fn opaque1<A: Wire, R: Wire>(f: fn(A) -> R, a: A::Raw) -> R::Raw {
    f(A::from_raw(a)).raw()
}

/// Calls `f` out of line (see the `lanes!` macro).
#[cfg(debug_assertions)]
#[inline(never)]
fn opaque2<A: Wire, B: Wire, R: Wire>(f: fn(A, B) -> R, a: A::Raw, b: B::Raw) -> R::Raw {
    f(A::from_raw(a), B::from_raw(b)).raw()
}

/// Calls `f` out of line (see the `lanes!` macro).
#[cfg(debug_assertions)]
#[inline(never)]
fn opaque3<A: Wire, B: Wire, C: Wire, R: Wire>(
    f: fn(A, B, C) -> R,
    a: A::Raw,
    b: B::Raw,
    c: C::Raw,
) -> R::Raw {
    f(A::from_raw(a), B::from_raw(b), C::from_raw(c)).raw()
}

/// Enters the pending interpreted callee (`Vm::pending`), translating it
/// first if needed: the general path of a call (another instance, a frame
/// stack that must grow, many locals to zero, lazy translation), then on
/// through the dispatch loop.
///
/// # Safety
///
/// As for a handler, with `ip` at the call instruction and `vm.pending`
/// set by it.
#[inline(never)]
unsafe fn enter_general(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: u64,
    vm: *mut Vm,
) -> Exit {
    // SAFETY: guaranteed by the caller; as in the handlers.
    unsafe {
        let p = (*vm).pending;
        let mut callee = p.callee;
        if callee.is_null() {
            callee = translate_callee(vm, p.module, p.index);
            if callee.is_null() {
                return Exit::Trapped;
            }
        }
        let new_fp = fp.add(p.base as usize);
        let stack = (*vm).stack;
        // `wrapping_add`: the end of a frame that does not fit may lie past
        // the allocation, where `add` would be undefined behaviour; only
        // the comparison uses it.
        if new_fp.wrapping_add((*callee).frame_size as usize) > (*vm).slots_end
            || (*stack).frames.len() - (*vm).frames_base >= (*vm).max_frames
        {
            return raise(vm, Some(TrapCode::StackOverflow));
        }
        zero_locals(new_fp, (*callee).num_params, (*callee).num_locals);
        (*stack).frames.push(Frame {
            ret_ip: ip.add(1),
            fp,
            func: (*vm).func,
            vmctx: (*vm).vmctx,
        });
        (*vm).func = callee;
        let (mut mem_base, mut mem_len) = (mem_base, mem_len);
        if p.callee_vmctx != (*vm).vmctx {
            switch_instance(vm, p.callee_vmctx);
            (mem_base, mem_len) = mem_regs((*vm).mem);
        }
        (*vm).regs = Regs::without_results((*callee).code.as_ptr(), new_fp, mem_base, mem_len);
        Exit::Continue
    }
}

/// Makes the pending call through an array entry (`Vm::pending`), then
/// goes on through the dispatch loop.
///
/// # Safety
///
/// As for a handler, with `ip` at the call instruction and `vm.pending`
/// set by it.
#[inline(never)]
unsafe fn call_pending_array(
    ip: *const Instr,
    fp: *mut u64,
    _mem_base: *mut u8,
    _mem_len: u64,
    vm: *mut Vm,
) -> Exit {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let p = (*vm).pending;
        if !call_array(vm, fp, p.funcref, p.base, &*p.sig) {
            return Exit::Trapped;
        }
        // The callee may have grown the memory.
        let (mem_base, mem_len) = mem_regs((*vm).mem);
        (*vm).regs = Regs::without_results(ip.add(1), fp, mem_base, mem_len);
        Exit::Continue
    }
}

/// Returns to a caller in another instance (the general path of a
/// return), then goes on through the dispatch loop.
///
/// # Safety
///
/// As for a handler; the innermost frame of this activation belongs to
/// the caller.
#[inline(never)]
unsafe fn return_across(
    _ip: *const Instr,
    _fp: *mut u64,
    _mem_base: *mut u8,
    _mem_len: u64,
    vm: *mut Vm,
) -> Exit {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let Some(frame) = (*(*vm).stack).frames.pop() else {
            return Exit::Returned;
        };
        (*vm).func = frame.func;
        switch_instance(vm, frame.vmctx);
        let (mem_base, mem_len) = mem_regs((*vm).mem);
        (*vm).regs = Regs::without_results(frame.ret_ip, frame.fp, mem_base, mem_len);
        Exit::Continue
    }
}

/// Runs `func` until it returns to its caller outside the loop.
///
/// # Safety
///
/// `store`, `stack` and `vmctx` must be valid; `func` must belong to the
/// module of `vmctx`; `fp` must point into the stack's slots with
/// `frame_size` slots available, arguments in place and locals zeroed.
unsafe fn execute(
    store: *mut VMStoreContext,
    stack: *mut Stack,
    vmctx: *mut VMContext,
    func: *const InterpFunc,
    fp: *mut u64,
) -> Result<(), VMTrap> {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let module: *const InterpModule = (*vmctx).interp_code.cast();
        let mem = memory_of(vmctx, module);
        let (mem_base, mem_len) = mem_regs(mem);
        let mut vm = Vm {
            store,
            stack,
            vmctx,
            func,
            module,
            mem,
            mem_index: 0,
            frames_base: (*stack).frames.len(),
            slots_end: (*stack).slots.add((*stack).len),
            max_frames: ((*store).max_frames as usize).max(1),
            trap: None,
            pending: PendingCall::NONE,
            regs: Regs::without_results((*func).code.as_ptr(), fp, mem_base, mem_len),
        };
        let vm: *mut Vm = &mut vm;
        loop {
            let Regs {
                ip,
                fp,
                mem_base,
                mem_len,
                acc,
                facc,
                facc32,
            } = (*vm).regs;
            match handler_of(ip)(ip, fp, mem_base, mem_len, vm, acc, facc, facc32) {
                Exit::Continue => {}
                Exit::Returned => return Ok(()),
                Exit::Trapped => {
                    return Err((*vm).trap.take().unwrap_or(VMTrap {
                        code: Some(TrapCode::Internal),
                        frames: Vec::new(),
                    }));
                }
            }
        }
    }
}

// The VM-register macros of one handler. They are defined inside each
// handler, where the registers (named by the caller) are in scope; `$d` is a
// `$` token, so that these definitions can have metavariables of their own.
macro_rules! vm_helpers {
    ($d:tt $ip:ident $fp:ident $mem_base:ident $mem_len:ident $vm:ident $acc:ident $facc:ident $facc32:ident) => {
        macro_rules! slot {
            ($d s:expr) => {
                *$fp.add($d s as usize)
            };
        }
        // A `v128` in two slots, low half first.
        // One 16-byte access, not two 8-byte halves joined by shifts: LLVM
        // then sees the lanes of a vector and keeps integer lane arithmetic
        // in SIMD registers (from halves it builds 64-bit SWAR sequences).
        #[cfg(not(debug_assertions))]
        macro_rules! v128 {
            ($d s:expr) => {
                $fp.add($d s as usize).cast::<simd::V128>().read_unaligned()
            };
        }
        #[cfg(not(debug_assertions))]
        macro_rules! set_v128 {
            ($d s:expr, $d v:expr) => {{
                let v: simd::V128 = $d v;
                $fp.add($d s as usize).cast::<simd::V128>().write_unaligned(v);
            }};
        }
        // With debug assertions, the standard library checks an unaligned
        // access through a stack temporary whose address escapes, which
        // keeps LLVM from making the dispatch a jump: halves instead.
        #[cfg(debug_assertions)]
        macro_rules! v128 {
            ($d s:expr) => {
                simd::V128::from_u128(
                    u128::from(slot!($d s)) | (u128::from(slot!($d s as usize + 1)) << 64),
                )
            };
        }
        #[cfg(debug_assertions)]
        macro_rules! set_v128 {
            ($d s:expr, $d v:expr) => {{
                let v: u128 = simd::V128::to_u128($d v);
                slot!($d s) = v as u64;
                slot!($d s as usize + 1) = (v >> 64) as u64;
            }};
        }
        // Goes on with the next instruction's handler: a tail call that
        // LLVM makes a jump.
        #[cfg(all(strata_tail_dispatch, not(miri)))]
        macro_rules! dispatch {
            () => {
                return handler_of($ip)($ip, $fp, $mem_base, $mem_len, $vm, $acc, $facc, $facc32)
            };
        }
        #[cfg(not(all(strata_tail_dispatch, not(miri))))]
        macro_rules! dispatch {
            () => {
                resume!()
            };
        }
        // Dispatches to the instruction at `ip`, whose variant number is
        // known to be `$op`: a `BrTableEntry`'s `next_op`, which the
        // translator sets from the very instruction the entry jumps to
        // (`resolve_br_table_entries`), so it indexes `HANDLERS` and names
        // the handler of that instruction.
        #[cfg(all(strata_tail_dispatch, not(miri)))]
        macro_rules! dispatch_to {
            ($op:expr) => {
                return (*crate::op::HANDLERS.get_unchecked($op as usize))($ip, $fp, $mem_base, $mem_len, $vm, $acc, $facc, $facc32)
            };
        }
        #[cfg(not(all(strata_tail_dispatch, not(miri))))]
        macro_rules! dispatch_to {
            ($op:expr) => {{
                let _ = $op;
                resume!()
            }};
        }
        // Applies the lane function `$f`. Inline in optimized builds; in
        // builds with debug assertions, out of line, because the standard
        // library's checks there put the lane arrays in stack temporaries
        // whose address escapes, and LLVM then keeps the handler's dispatch
        // a call instead of a jump.
        #[cfg(not(debug_assertions))]
        macro_rules! lanes {
            ($d f:path, $d ($d arg:expr),*) => {
                $d f($d ($d arg),*)
            };
        }
        #[cfg(debug_assertions)]
        macro_rules! lanes {
            ($d f:path, $d a:expr) => {
                out_of_line1($d f, $d a)
            };
            ($d f:path, $d a:expr, $d b:expr) => {
                out_of_line2($d f, $d a, $d b)
            };
            ($d f:path, $d a:expr, $d b:expr, $d c:expr) => {
                out_of_line3($d f, $d a, $d b, $d c)
            };
        }
        // Stores result `$r` in slot `$dst`; an integer result also goes
        // to the accumulator, for an instruction after this one that reads
        // it from there (see `accumulator`).
        macro_rules! put {
            ($d dst:expr, $d r:expr) => {{
                let r = $d r;
                let v = SlotValue::into_slot(r);
                slot!($d dst) = v;
                if is_int(&r) {
                    $acc = v;
                } else {
                    float_acc!(r, v);
                }
            }};
        }
        // Puts float `$x`, whose slot bits are `$v`, in the float
        // accumulator of its width; any other type goes to neither.
        macro_rules! float_acc {
            ($d x:expr, $d v:expr) => {{
                if is_f64(&$d x) {
                    $facc = f64::from_bits($d v);
                } else if is_f32(&$d x) {
                    $facc32 = f32::from_bits($d v as u32);
                }
            }};
        }
        // A multiply feeding an add, the addend in the `Operand` after the
        // instruction: `c + x * y` (`c_first`) or `x * y + c` (`c_last`), with two
        // roundings, exactly as the two operators (Rust never contracts
        // them into a fused multiply-add).
        macro_rules! mul_add {
            ($d t:ty, $d dst:expr, $d a:expr, c_first, $d x:expr, $d y:expr) => {{
                let c = <$d t>::from_slot(slot!(operand!($d a)));
                let product: $d t = $d x * $d y;
                put!($d dst, c + product);
                $ip = $ip.add(2);
                dispatch!()
            }};
            ($d t:ty, $d dst:expr, $d a:expr, c_last, $d x:expr, $d y:expr) => {{
                let c = <$d t>::from_slot(slot!(operand!($d a)));
                let product: $d t = $d x * $d y;
                put!($d dst, product + c);
                $ip = $ip.add(2);
                dispatch!()
            }};
        }
        // Jumps to the target of entry `min(index + bias, len)` of the
        // `BrTable` at `ip`, with its handler known from the entry: after
        // a mispredicted jump the pipeline waits on the index, the entry
        // and the handler table only, not on the target instruction too.
        macro_rules! br_table {
            ($d index:expr, $d len:expr, $d bias:expr) => {{
                let i = ($d index).wrapping_add($d bias as u32).min(u32::from($d len));
                let entry = $ip.add(1 + i as usize);
                let Op::BrTableEntry { next_op, offset } = *(*entry).op() else {
                    // The translator puts `len + 1` entries after every table.
                    return raise($vm, Some(TrapCode::Internal));
                };
                $ip = entry.offset(offset as isize);
                dispatch_to!(next_op)
            }};
        }
        // A `br_table` on the `$t` at `ea` (the load's bounds check and
        // trap, then as `br_table!`).
        macro_rules! br_table_on {
            ($d ea:expr, $d t:ty, $d len:expr, $d bias:expr) => {{
                let ea: u64 = $d ea;
                if ea + std::mem::size_of::<$d t>() as u64 > $mem_len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let value = read_le!($mem_base.add(ea as usize), $d t) as u32;
                br_table!(value, $d len, $d bias as i32)
            }};
        }
        // Goes on through the loop in `execute`.
        macro_rules! resume {
            () => {{
                (*$vm).regs = Regs { $ip, $fp, $mem_base, $mem_len, acc: $acc, facc: $facc, facc32: $facc32 };
                return Exit::Continue;
            }};
        }
        // Goes on with the following instruction.
        macro_rules! next {
            () => {{
                $ip = $ip.add(1);
                dispatch!()
            }};
        }
        macro_rules! jump {
            ($d offset:expr) => {{
                $ip = $ip.offset($d offset as isize);
                dispatch!()
            }};
        }
        macro_rules! trap {
            ($d code:expr) => {
                return raise($vm, Some($d code))
            };
        }
        // The slot named by the `Operand` that follows, or `$d default`.
        macro_rules! operand {
            ($d default:expr) => {
                match *(*$ip.add(1)).op() {
                    Op::Operand { slot } => slot,
                    _ => $d default,
                }
            };
        }
        macro_rules! reload_mem {
            () => {
                ($mem_base, $mem_len) = mem_regs((*$vm).mem)
            };
        }
        // Reads a little-endian `$t` at `p`, any alignment. Through a byte
        // array rather than `read_unaligned`: its debug-build check copies
        // through a stack temporary, which keeps LLVM from making the
        // handler's dispatch a jump.
        macro_rules! read_le {
            ($d p:expr, $d t:ty) => {
                <$d t>::from_le_bytes(*($d p as *const [u8; std::mem::size_of::<$d t>()]))
            };
        }
        // Writes the `$t` `v` little-endian at `p`, any alignment.
        macro_rules! write_le {
            ($d p:expr, $d v:expr, $d t:ty) => {{
                let v: $d t = $d v;
                *($d p as *mut [u8; std::mem::size_of::<$d t>()]) = v.to_le_bytes();
            }};
        }
        // The address of `len` bytes at `addr + offset`, or a trap.
        macro_rules! access {
            ($d addr:expr, $d offset:expr, $d len:expr) => {{
                let ea = u64::from(slot!($d addr) as u32) + u64::from($d offset);
                if ea + $d len > $mem_len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                $mem_base.add(ea as usize)
            }};
        }
        // Reads `$d t` (little-endian) from memory.
        macro_rules! read_mem {
            ($d addr:expr, $d offset:expr, $d t:ty) => {{
                let p = access!($d addr, $d offset, std::mem::size_of::<$d t>() as u64);
                read_le!(p, $d t)
            }};
        }
        // Writes a loaded `v128` and goes on.
        macro_rules! v128_load {
            ($d dst:expr, $d v:expr) => {{
                set_v128!($d dst, $d v);
                next!();
            }};
        }
        // Replaces lane `$d lane` of the vector in the `Operand` that follows
        // with `$d x` (read from memory) into `$d dst`.
        macro_rules! load_lane {
            ($d dst:expr, $d replace:path, $d x:expr, $d lane:expr) => {{
                let x = $d x;
                let vec = match *(*$ip.add(1)).op() {
                    Op::Operand { slot } => v128!(slot),
                    _ => simd::V128::default(),
                };
                set_v128!($d dst, lanes!($d replace, vec, x as u64, $d lane));
                $ip = $ip.add(2);
                dispatch!()
            }};
        }
        // Stores the low `$d t` of the raw lane value `$d x`.
        macro_rules! store_lane {
            ($d addr:expr, $d offset:expr, $d t:ty, $d x:expr) => {{
                let x = $d x as $d t;
                let p = access!($d addr, $d offset, std::mem::size_of::<$d t>() as u64);
                write_le!(p, x, $d t);
                next!();
            }};
        }
        // Loads `$d t` at effective address `$d ea` (a u64: no wasm address
        // computation can overflow it) into `$d dst` as `$d via`.
        macro_rules! load_at {
            ($d dst:expr, $d ea:expr, $d t:ty, $d via:ty) => {{
                let ea: u64 = $d ea;
                if ea + std::mem::size_of::<$d t>() as u64 > $mem_len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let p = $mem_base.add(ea as usize);
                let x = read_le!(p, $d t) as $d via;
                let v = x.into_slot();
                slot!($d dst) = v;
                // Every load's result goes to the accumulator (a copy or a
                // store may read it from there, whatever its type); a
                // float's also goes to its float accumulator.
                $acc = v;
                float_acc!(x, v);
                next!();
            }};
        }
        macro_rules! load {
            ($d dst:expr, $d addr:expr, $d offset:expr, $d t:ty, $d via:ty) => {
                load_at!($d dst, u64::from(slot!($d addr) as u32) + u64::from($d offset), $d t, $d via)
            };
        }
        macro_rules! store {
            ($d addr:expr, $d value:expr, $d offset:expr, $d t:ty) => {
                store_at!(u64::from(slot!($d addr) as u32) + u64::from($d offset), slot!($d value), $d t)
            };
        }
        macro_rules! store_at {
            ($d ea:expr, $d value:expr, $d t:ty) => {{
                let ea: u64 = $d ea;
                if ea + std::mem::size_of::<$d t>() as u64 > $mem_len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let p = $mem_base.add(ea as usize);
                let v = $d value as $d t;
                write_le!(p, v, $d t);
                next!();
            }};
        }
        // Enters `callee` (an interpreted function of `callee_vmctx`) with
        // its frame at `base`.
        // Enters `callee` (an interpreted function of `callee_vmctx`; null
        // if defined function `index` of `module` is not translated yet)
        // with its frame at `base`. The fast path makes no calls, so that
        // the handler needs no stack frame of its own; everything else
        // goes through `enter_general`.
        macro_rules! enter {
            ($d callee:expr, $d callee_vmctx:expr, $d module:expr, $d index:expr, $d base:expr) => {{
                let callee: *const InterpFunc = $d callee;
                let callee_vmctx: *mut VMContext = $d callee_vmctx;
                let base: u32 = $d base;
                let frames = &mut (*(*$vm).stack).frames;
                let len = frames.len();
                if callee.is_null()
                    || callee_vmctx != (*$vm).vmctx
                    || len == frames.capacity()
                    || (*callee).num_locals - (*callee).num_params > 16
                {
                    (*$vm).pending = PendingCall {
                        callee,
                        callee_vmctx,
                        module: $d module,
                        index: $d index,
                        base,
                        ..PendingCall::NONE
                    };
                    return enter_general($ip, $fp, $mem_base, $mem_len, $vm);
                }
                let new_fp = $fp.add(base as usize);
                // `wrapping_add`: see `enter_general`.
                if new_fp.wrapping_add((*callee).frame_size as usize) > (*$vm).slots_end
                    || len - (*$vm).frames_base >= (*$vm).max_frames
                {
                    trap!(TrapCode::StackOverflow);
                }
                zero_locals(new_fp, (*callee).num_params, (*callee).num_locals);
                // Within capacity (checked above): no allocation.
                frames.as_mut_ptr().add(len).write(Frame {
                    ret_ip: $ip.add(1),
                    $fp,
                    func: (*$vm).func,
                    vmctx: (*$vm).vmctx,
                });
                frames.set_len(len + 1);
                $fp = new_fp;
                (*$vm).func = callee;
                $ip = (*callee).code.as_ptr();
                // No instruction reads the accumulator at a function's start.
                $acc = 0;
                dispatch!()
            }};
        }
        // Calls `funcref` through its array entry with its frame at `base`.
        macro_rules! call_array {
            ($d funcref:expr, $d base:expr, $d sig:expr) => {{
                let sig: *const crate::slots::SlotSignature = $d sig;
                (*$vm).pending = PendingCall {
                    funcref: $d funcref,
                    sig,
                    base: $d base,
                    ..PendingCall::NONE
                };
                return call_pending_array($ip, $fp, $mem_base, $mem_len, $vm);
            }};
        }
        // The code of defined function `index` of `module`, or a trap.
        macro_rules! callee {
            ($d module:expr, $d index:expr) => {{
                let module: *const InterpModule = $d module;
                let index: usize = $d index;
                match (*module).translated(index) {
                    Some(f) => f as *const InterpFunc,
                    None => std::ptr::null(),
                }
            }};
        }
        // Calls any function reference with its frame at `base`.
        macro_rules! call_ref {
            ($d funcref:expr, $d base:expr, $d sig:expr) => {{
                let funcref: *const VMFuncRef = $d funcref;
                if (*funcref).vmctx == (*$vm).vmctx {
                    // One of this instance's own functions: an import's
                    // reference carries its owner's context, and a host
                    // function's its own.
                    let module = (*$vm).module;
                    let idx = (*funcref).func_index.wrapping_sub((*module).num_imported_funcs) as usize;
                    if !(*module).is_native(idx) {
                        enter!(callee!(module, idx), (*$vm).vmctx, module, idx, $d base);
                    }
                } else if (*funcref).array_call as usize == array_call as *const () as usize {
                    let callee_vmctx = (*funcref).vmctx;
                    let callee_module: *const InterpModule = (*callee_vmctx).interp_code.cast();
                    let idx = ((*funcref).func_index - (*callee_module).num_imported_funcs) as usize;
                    if !(*callee_module).is_native(idx) {
                        enter!(callee!(callee_module, idx), callee_vmctx, callee_module, idx, $d base);
                    }
                }
                call_array!(funcref, $d base, $d sig)
            }};
        }
        // Returns from the running function (results in its first slots)
        // to its caller.
        macro_rules! return_to_caller {
            () => {{
                let stack = (*$vm).stack;
                if (*stack).frames.len() == (*$vm).frames_base {
                    return Exit::Returned;
                }
                let frames = &mut (*stack).frames;
                let len = frames.len();
                let frame = *frames.as_ptr().add(len - 1);
                if frame.vmctx != (*$vm).vmctx {
                    return return_across($ip, $fp, $mem_base, $mem_len, $vm);
                }
                frames.set_len(len - 1);
                $ip = frame.ret_ip;
                $fp = frame.fp;
                (*$vm).func = frame.func;
                // Nor after a call.
                $acc = 0;
                dispatch!()
            }};
        }
        // Traps with the code a builtin returned, if not 0.
        macro_rules! builtin_trap {
            ($d e:expr) => {{
                let code: u8 = $d e;
                if code != 0 {
                    trap!(TrapCode::from_u8(code).unwrap_or(TrapCode::Internal));
                }
                $ip = $ip.add(1);
                resume!()
            }};
        }
        // A host error a builtin reported (already recorded in the store).
        macro_rules! host_error {
            () => {
                return raise($vm, None)
            };
        }

    };
}

// Defines the handler `$name` of `Op::$name { fields }`. The VM registers
// are named by the caller so that the helper macros of `define_handlers`,
// written in the caller's expansion, see them.
macro_rules! handler {
    ($d:tt $ip:ident $fp:ident $mem_base:ident $mem_len:ident $vm:ident $acc:ident $facc:ident $facc32:ident;
     $name:ident { $($field:ident),* } $body:block) => {
        #[doc = concat!("Executes `Op::", stringify!($name), "`.")]
        ///
        /// # Safety
        ///
        /// `ip` must point to this handler's instruction in the code of
        /// `vm`'s running function, `fp` to that function's frame,
        /// `mem_base`/`mem_len` describe the selected memory, and `vm` be
        /// the running loop's state.
        // The arguments are the VM's registers, each passed in a machine
        // register (see `Handler`); fewer would put some in memory.
        #[allow(clippy::too_many_arguments)]
        pub(crate) unsafe fn $name(
            mut $ip: *const Instr,
            mut $fp: *mut u64,
            mut $mem_base: *mut u8,
            mut $mem_len: u64,
            $vm: *mut Vm,
            mut $acc: u64,
            mut $facc: f64,
            mut $facc32: f32,
        ) -> Exit {
            // SAFETY: the translator only emits slots below the frame size
            // of the function it translated, and every call checks that the
            // new frame fits in the stack, so slot accesses through `fp`
            // stay in the stack allocation. Branch offsets land on
            // instructions of the same function. Memory and table accesses
            // are bounds-checked against their definitions. Function, table,
            // global and type indices were validated against the module,
            // whose context arrays have one entry per index. `Instr::new`
            // pairs each instruction with its own handler, a
            // `BrTableEntry`'s `next_op` is its target's variant number, and
            // the instruction after a pair is the kind its handler reads
            // (`translator/pairs.rs` forms pairs in the last pass that
            // rewrites instructions).
            unsafe {
                vm_helpers!($d $ip $fp $mem_base $mem_len $vm $acc $facc $facc32);
                let Op::$name { $($field),* } = *(*$ip).op() else {
                    #[cfg(debug_assertions)]
                    wrong_instruction(stringify!($name));
                    #[cfg(not(debug_assertions))]
                    std::hint::unreachable_unchecked()
                };
                $body
            }
        }
    };
}

macro_rules! define_handlers {
    (
        [$d:tt]
        simd_unary { $( $su:ident = $suf:path; )* }
        simd_binary { $( $sb:ident = $sbf:path; )* }
        simd_ternary { $( $st:ident = $stf:path; )* }
        simd_shift { $( $ss:ident = $ssf:path; )* }
        simd_test { $( $sq:ident = $sqf:path; )* }
        simd_splat { $( $sp:ident = $spf:path; )* }
        simd_extract { $( $se:ident = $sef:path; )* }
        simd_replace { $( $sr:ident = $srf:path; )* }
        loads { $( $lname:ident $lat:ident $lidx:ident $lshl:ident $labs:ident ($lty:ty => $lvia:ty); )* }
        branches { $( $brname:ident $brimm:ident = $cmp:ident $cmpimm:ident, not $nbr:ident $nbrimm:ident, $bty:ty, $btest:expr; )* }
        binary { $( $bname:ident $([$bimm:ident $(, $bcomm:ident)?])? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $tname:ident ($ta:ty, $tb:ty) -> $tr:ty = $tf:expr; )* }
        unary { $( $uname:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $vname:ident ($va:ty) -> $vr:ty = $vf:expr; )* }
        other { $( $(#[$odoc:meta])* $oname:ident $({ $($ofield:ident : $oty:ty),* $(,)? })? ),* $(,)? }
    ) => {
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $bname { dst, a, b } {
            let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_slot(slot!(b)));
            put!(dst, r);
            next!();
        }); )*
        $( $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $bimm { dst, a, imm } {
            let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_imm(imm));
            put!(dst, r);
            next!();
        }); )? )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $tname { dst, a, b } {
            let r: Result<$tr, TrapCode> = ($tf)(<$ta>::from_slot(slot!(a)), <$tb>::from_slot(slot!(b)));
            match r {
                Ok(r) => put!(dst, r),
                Err(code) => trap!(code),
            }
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $uname { dst, a } {
            let r: $ur = ($uf)(<$ua>::from_slot(slot!(a)));
            put!(dst, r);
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $vname { dst, a } {
            let r: Result<$vr, TrapCode> = ($vf)(<$va>::from_slot(slot!(a)));
            match r {
                Ok(r) => put!(dst, r),
                Err(code) => trap!(code),
            }
            next!();
        }); )*
        $(
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $brname { a, b, offset } {
                if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_slot(slot!(b))) {
                    jump!(offset);
                }
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $brimm { a, imm, offset } {
                if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_imm(imm)) {
                    jump!(offset);
                }
                next!();
            });
        )*
        $(
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $lname { dst, addr, offset } {
                load!(dst, addr, offset, $lty, $lvia)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $lat { dst, a, imm } {
                load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(imm as u32)), $lty, $lvia)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $lshl { shift, dst, a, b } {
                let ea = (slot!(a) as u32).wrapping_add((slot!(b) as u32).wrapping_shl(u32::from(shift)));
                load_at!(dst, u64::from(ea), $lty, $lvia)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $labs { dst, ea } {
                load_at!(dst, u64::from(ea), $lty, $lvia)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; $lidx { dst, a, b } {
                load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(slot!(b) as u32)), $lty, $lvia)
            });
        )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $su { dst, a } {
            set_v128!(dst, lanes!($suf, v128!(a)));
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $sb { dst, a, b } {
            set_v128!(dst, lanes!($sbf, v128!(a), v128!(b)));
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $st { dst, a, b } {
            let c = operand!(a);
            set_v128!(dst, lanes!($stf, v128!(a), v128!(b), v128!(c)));
            ip = ip.add(2);
            dispatch!()
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $ss { dst, a, b } {
            set_v128!(dst, lanes!($ssf, v128!(a), slot!(b) as u32));
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $sq { dst, a } {
            slot!(dst) = u64::from(lanes!($sqf, v128!(a)));
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $sp { dst, a } {
            set_v128!(dst, lanes!($spf, slot!(a)));
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $se { lane, dst, a } {
            slot!(dst) = lanes!($sef, v128!(a), lane);
            next!();
        }); )*
        $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $sr { lane, dst, a, b } {
            set_v128!(dst, lanes!($srf, v128!(a), slot!(b), lane));
            next!();
        }); )*

        handler!($d ip fp mem_base mem_len vm acc facc facc32; I8x16Shuffle { dst, a, b } {
            // The translator always puts the mask's `Operand` here.
            let mask = match *(*ip.add(1)).op() {
                Op::Operand { slot } => slot,
                _ => a,
            };
            vector_access::shuffle_to(fp.add(dst as usize), fp.add(a as usize), fp.add(b as usize), fp.add(mask as usize));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load { dst, addr, offset } {
            v128_load!(dst, simd::V128::from_u128(read_mem!(addr, offset, u128)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load8x8S { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i16x8_extend_low_i8x16_s, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load8x8U { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i16x8_extend_low_i8x16_u, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load16x4S { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i32x4_extend_low_i16x8_s, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load16x4U { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i32x4_extend_low_i16x8_u, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load32x2S { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i64x2_extend_low_i32x4_s, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load32x2U { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i64x2_extend_low_i32x4_u, simd::V128::from_low_u64(read_mem!(addr, offset, u64))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load8Splat { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i8x16_splat, read_mem!(addr, offset, u8) as u64))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load16Splat { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i16x8_splat, read_mem!(addr, offset, u16) as u64))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load32Splat { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i32x4_splat, read_mem!(addr, offset, u32) as u64))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load64Splat { dst, addr, offset } {
            v128_load!(dst, lanes!(simd::i64x2_splat, read_mem!(addr, offset, u64) as u64))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load32Zero { dst, addr, offset } {
            v128_load!(dst, simd::V128::from_low_u64(u64::from(read_mem!(addr, offset, u32))))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load64Zero { dst, addr, offset } {
            v128_load!(dst, simd::V128::from_low_u64(read_mem!(addr, offset, u64)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load8Lane { lane, dst, addr, offset } {
            load_lane!(dst, simd::i8x16_replace_lane, read_mem!(addr, offset, u8), lane)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load16Lane { lane, dst, addr, offset } {
            load_lane!(dst, simd::i16x8_replace_lane, read_mem!(addr, offset, u16), lane)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load32Lane { lane, dst, addr, offset } {
            load_lane!(dst, simd::i32x4_replace_lane, read_mem!(addr, offset, u32), lane)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Load64Lane { lane, dst, addr, offset } {
            load_lane!(dst, simd::i64x2_replace_lane, read_mem!(addr, offset, u64), lane)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Store { addr, value, offset } {
            let p = access!(addr, offset, 16);
            write_le!(p, v128!(value).to_u128(), u128);
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Store8Lane { lane, addr, value, offset } {
            store_lane!(addr, offset, u8, lanes!(simd::i8x16_extract_lane_u, v128!(value), lane))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Store16Lane { lane, addr, value, offset } {
            store_lane!(addr, offset, u16, lanes!(simd::i16x8_extract_lane_u, v128!(value), lane))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Store32Lane { lane, addr, value, offset } {
            store_lane!(addr, offset, u32, lanes!(simd::i32x4_extract_lane, v128!(value), lane))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; V128Store64Lane { lane, addr, value, offset } {
            store_lane!(addr, offset, u64, lanes!(simd::i64x2_extract_lane, v128!(value), lane))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalGetV128 { dst, global } {
            let g = *(*(*vm).vmctx).globals.add(global as usize);
            set_v128!(dst, simd::V128::from_u128((*g).storage.get_u128()));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalSetV128 { global, src } {
            let g = *(*(*vm).vmctx).globals.add(global as usize);
            (*g).storage = ValRaw::from_u128(v128!(src).to_u128());
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; SelectV128 { dst, cond, a } {
            let b = operand!(a);
            let v = if slot!(cond) as u32 != 0 { v128!(a) } else { v128!(b) };
            set_v128!(dst, v);
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Abs { value, ea } { store_at!(u64::from(ea), slot!(value), u32) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64Abs { value, ea } { store_at!(u64::from(ea), slot!(value), u64) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store8Abs { value, ea } { store_at!(u64::from(ea), slot!(value), u8) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store16Abs { value, ea } { store_at!(u64::from(ea), slot!(value), u16) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32WrapAbs { value, ea } { store_at!(u64::from(ea), slot!(value), u32) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddShl { shift, dst, a, b } {
            put!(dst, add_shl(slot!(a), slot!(b), shift));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShl { shift, dst, a, b } {
            put!(dst, xor_shl(slot!(a), slot!(b), shift));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShrU { shift, dst, a, b } {
            put!(dst, xor_shr_u(slot!(a), slot!(b), shift));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32ShrUAnd { shift, dst, a, mask } {
            put!(dst, shr_and(slot!(a), shift, mask));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddBits { shifts, dst, a, b } {
            put!(dst, add_bits(slot!(a), slot!(b), shifts));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32Bits { shifts, dst, a } {
            put!(dst, crate::op::bit_field(slot!(a) as u32, shifts));
            next!();
        });
        // A multiply feeding an add: two roundings, exactly as the two
        // operators (Rust never contracts them into a fused multiply-add).
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F32AddMul { dst, a, b } {
            mul_add!(f32, dst, a, c_first, f32::from_slot(slot!(a)), f32::from_slot(slot!(b)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F32MulAdd { dst, a, b } {
            mul_add!(f32, dst, a, c_last, f32::from_slot(slot!(a)), f32::from_slot(slot!(b)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddMul { dst, a, b } {
            let c = operand!(a);
            let product = (slot!(a) as i32).wrapping_mul(slot!(b) as i32);
            put!(dst, (slot!(c) as i32).wrapping_add(product));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; I64AddMul { dst, a, b } {
            let c = operand!(a);
            let product = (slot!(a) as i64).wrapping_mul(slot!(b) as i64);
            put!(dst, (slot!(c) as i64).wrapping_add(product));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F64AddMul { dst, a, b } {
            mul_add!(f64, dst, a, c_first, f64::from_slot(slot!(a)), f64::from_slot(slot!(b)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F32x4AddMul { dst, a, b } {
            let c = operand!(a);
            let product = lanes!(crate::simd::f32x4_mul, v128!(a), v128!(b));
            set_v128!(dst, lanes!(crate::simd::f32x4_add, v128!(c), product));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F32x4MulAdd { dst, a, b } {
            let c = operand!(a);
            let product = lanes!(crate::simd::f32x4_mul, v128!(a), v128!(b));
            set_v128!(dst, lanes!(crate::simd::f32x4_add, product, v128!(c)));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F64x2AddMul { dst, a, b } {
            let c = operand!(a);
            let product = lanes!(crate::simd::f64x2_mul, v128!(a), v128!(b));
            set_v128!(dst, lanes!(crate::simd::f64x2_add, v128!(c), product));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F64x2MulAdd { dst, a, b } {
            let c = operand!(a);
            let product = lanes!(crate::simd::f64x2_mul, v128!(a), v128!(b));
            set_v128!(dst, lanes!(crate::simd::f64x2_add, product, v128!(c)));
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; F64MulAdd { dst, a, b } {
            mul_add!(f64, dst, a, c_last, f64::from_slot(slot!(a)), f64::from_slot(slot!(b)))
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Trap { code } { trap!(code) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; EpochCheck {} {
            let store = (*vm).store;
            let epoch = (*(*store).epoch_counter).load(std::sync::atomic::Ordering::Relaxed);
            if epoch >= (*store).epoch_deadline {
                let vmctx = (*vm).vmctx;
                let code = ((*(*vmctx).builtins).epoch_interrupt)(vmctx);
                if code == strata_environ::vmcontext::BUILTIN_HOST_ERROR {
                    host_error!();
                }
                if code != 0 {
                    trap!(TrapCode::Interrupt);
                }
                // The callback may have grown the memory.
                reload_mem!();
            }
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; ConsumeFuel { amount } {
            (*(*vm).store).fuel_remaining -= i64::from(amount);
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; FuelCheck {} {
            if (*(*vm).store).fuel_remaining <= 0 {
                trap!(TrapCode::OutOfFuel);
            }
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Heat { offset } {
            let module = (*vm).module;
            let defined = ((*(*vm).func).func_index - (*module).num_imported_funcs) as usize;
            if let Some(trampoline) = (*module).count_heat(defined, offset) {
                let ok = enter_osr(vm, fp, trampoline);
                reload_mem!();
                if !ok {
                    return Exit::Trapped;
                }
                return_to_caller!();
            }
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Copy { dst, src } {
            put!(dst, slot!(src));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Const { dst, value } {
            put!(dst, value);
            next!();
        });
        // Pairs: the first instruction's work, then the second's, read
        // from the instruction after (which the translator left there). A
        // second that reads what the first wrote takes the value from the
        // register, not from memory just stored to.
        macro_rules! second_of_pair {
            ($d ip:ident $d first_dst:ident $d first:ident Copy) => {{
                let Op::Copy { dst, src } = *(*$d ip.add(1)).op() else { not_a_pair!() };
                let v = if src == $d first_dst { $d first } else { slot!(src) };
                put!(dst, v);
            }};
            ($d ip:ident $d first_dst:ident $d first:ident Const) => {{
                let Op::Const { dst, value } = *(*$d ip.add(1)).op() else { not_a_pair!() };
                put!(dst, value);
            }};
            ($d ip:ident $d first_dst:ident $d first:ident I32AddImm) => {{
                let Op::I32AddImm { dst, a, imm } = *(*$d ip.add(1)).op() else { not_a_pair!() };
                let v = if a == $d first_dst { $d first } else { slot!(a) };
                put!(dst, (v as i32).wrapping_add(imm));
            }};
        }
        macro_rules! not_a_pair {
            () => {{
                #[cfg(debug_assertions)]
                wrong_instruction("the second of a pair");
                #[cfg(not(debug_assertions))]
                std::hint::unreachable_unchecked()
            }};
        }
        macro_rules! pair_handlers {
            ($d dollar:tt $d ip:ident;
             $d ($name:ident { $d($field:ident),* } $fdst:ident = $first:expr => $second:ident;)*) => {$d(
                handler!($d dollar $d ip fp mem_base mem_len vm acc facc facc32; $name { $d($field),* } {
                    let first: u64 = $first;
                    slot!($fdst) = first;
                    second_of_pair!($d ip $fdst first $second);
                    $d ip = $d ip.add(2);
                    dispatch!()
                });
            )*};
        }
        pair_handlers! { $d ip;
            CopyAndCopy { dst, src } dst = slot!(src) => Copy;
            CopyAndConst { dst, src } dst = slot!(src) => Const;
            CopyAndI32AddImm { dst, src } dst = slot!(src) => I32AddImm;
            ConstAndCopy { dst, value } dst = value => Copy;
            ConstAndConst { dst, value } dst = value => Const;
            ConstAndI32AddImm { dst, value } dst = value => I32AddImm;
            I32AddImmAndCopy { dst, a, imm } dst = u64::from((slot!(a) as i32).wrapping_add(imm) as u32) => Copy;
            I32AddImmAndConst { dst, a, imm } dst = u64::from((slot!(a) as i32).wrapping_add(imm) as u32) => Const;
            I32AddImmAndI32AddImm { dst, a, imm } dst = u64::from((slot!(a) as i32).wrapping_add(imm) as u32) => I32AddImm;
        }
        handler!($d ip fp mem_base mem_len vm acc facc facc32; CopyV128 { dst, src } {
            set_v128!(dst, v128!(src));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; ConstV128 { dst, value } {
            let high = match *(*ip.add(1)).op() {
                Op::Const { value, .. } => value,
                _ => 0,
            };
            vector_access::write_halves(fp.add(dst as usize), value, high);
            acc = high;
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Br { offset } { jump!(offset) });
        // Reached only through its `BrTable`, which reads it; as a plain
        // instruction it is a branch.
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableEntry { next_op, offset } {
            let _ = next_op;
            jump!(offset)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrIfNez { cond, offset } {
            if slot!(cond) as u32 != 0 {
                jump!(offset);
            }
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrIfEqz { cond, offset } {
            if slot!(cond) as u32 == 0 {
                jump!(offset);
            }
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad8U { len, addr, offset, bias } {
            br_table_on!(u64::from(slot!(addr) as u32) + u64::from(offset), u8, len, bias)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad32 { len, addr, offset, bias } {
            br_table_on!(u64::from(slot!(addr) as u32) + u64::from(offset), u32, len, bias)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad8UAt { len, a, imm, bias } {
            br_table_on!(u64::from((slot!(a) as u32).wrapping_add(imm as u32)), u8, len, bias)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad32At { len, a, imm, bias } {
            br_table_on!(u64::from((slot!(a) as u32).wrapping_add(imm as u32)), u32, len, bias)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTable { index, len, bias } {
            br_table!(slot!(index) as u32, len, bias)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Return0 {} { return_to_caller!() });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Return1 { src } {
            slot!(0) = slot!(src);
            return_to_caller!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; ReturnMany { src, count } {
            std::ptr::copy(fp.add(src as usize), fp, count as usize);
            return_to_caller!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Call { func, base } {
            let module = (*vm).module;
            if (*module).is_native(func as usize) {
                let f = (*module).num_imported_funcs + func;
                let funcref = *(*(*vm).vmctx).func_refs.add(f as usize);
                call_array!(funcref, base, &(&(*module).func_arity)[f as usize]);
            }
            enter!(callee!(module, func as usize), (*vm).vmctx, module, func as usize, base)
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; CallRef { func, base } {
            let funcref = *(*(*vm).vmctx).func_refs.add(func as usize);
            call_ref!(funcref, base, &(&(*(*vm).module).func_arity)[func as usize]);
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; CallIndirect { params, base, table, ty } {
            let vmctx = (*vm).vmctx;
            let index = slot!(base as usize + params as usize) as u32;
            let def = *(*vmctx).tables.add(table as usize);
            if index as usize >= (*def).current_elements {
                trap!(TrapCode::IndirectCallOutOfBounds);
            }
            let funcref = *(*def).base.add(index as usize) as *const VMFuncRef;
            if funcref.is_null() {
                trap!(TrapCode::IndirectCallToNull);
            }
            if (*funcref).type_index != *(*vmctx).type_ids.add(ty as usize) {
                trap!(TrapCode::BadSignature);
            }
            call_ref!(funcref, base, &(&(*(*vm).module).type_arity)[ty as usize]);
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Select { dst, cond, a } {
            let b = operand!(a);
            put!(dst, if slot!(cond) as u32 != 0 { slot!(a) } else { slot!(b) });
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Select64 { dst, cond, a } {
            let b = operand!(a);
            put!(dst, if slot!(cond) != 0 { slot!(a) } else { slot!(b) });
            ip = ip.add(2);
            dispatch!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Operand { slot } { next!() });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; RefIsNull { dst, a } {
            slot!(dst) = u64::from(slot!(a) == 0);
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; RefFunc { dst, func } {
            slot!(dst) = *(*(*vm).vmctx).func_refs.add(func as usize) as u64;
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalGet { dst, global } {
            let g = *(*(*vm).vmctx).globals.add(global as usize);
            slot!(dst) = (*g).storage.get_u64();
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalSet { global, src } {
            let g = *(*(*vm).vmctx).globals.add(global as usize);
            (*g).storage = ValRaw::from_u64(slot!(src));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalGetDefined { dst, defined } {
            put!(dst, (*(*(*vm).vmctx).defined_globals.add(defined as usize)).storage.get_u64());
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalSetDefined { defined, src } {
            (*(*(*vm).vmctx).defined_globals.add(defined as usize)).storage = ValRaw::from_u64(slot!(src));
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32 { addr, value, offset } { store!(addr, value, offset, u32) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64 { addr, value, offset } { store!(addr, value, offset, u64) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store8 { addr, value, offset } { store!(addr, value, offset, u8) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store16 { addr, value, offset } { store!(addr, value, offset, u16) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Wrap { addr, value, offset } { store!(addr, value, offset, u32) });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; SelectMemory { mem } {
            // Only emitted in modules with more than one memory.
            (*vm).mem_index = mem;
            (*vm).mem = *(*(*vm).vmctx).memories.add(mem as usize);
            reload_mem!();
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemoryCopyFrom { base, src_mem } {
            let d = u64::from(slot!(base) as u32);
            let s = u64::from(slot!(base + 1) as u32);
            let n = u64::from(slot!(base + 2) as u32);
            let src = *(*(*vm).vmctx).memories.add(src_mem as usize);
            match (mem_addr((*vm).mem, d, 0, n), mem_addr(src, s, 0, n)) {
                (Some(dp), Some(sp)) => std::ptr::copy(sp, dp, n as usize),
                _ => trap!(TrapCode::MemoryOutOfBounds),
            }
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemorySize { dst } {
            slot!(dst) = ((*(*vm).mem).current_length as u64 / 65536) & 0xffff_ffff;
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemoryGrow { dst, delta } {
            let delta = u64::from(slot!(delta) as u32);
            let vmctx = (*vm).vmctx;
            let old = ((*(*vmctx).builtins).memory_grow)(vmctx, (*vm).mem_index, delta);
            if old == strata_environ::vmcontext::GROW_TRAPPED {
                host_error!();
            }
            slot!(dst) = u64::from(old as u32);
            reload_mem!();
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemoryFill { base } {
            let d = u64::from(slot!(base) as u32);
            let val = slot!(base + 1) as u8;
            let n = u64::from(slot!(base + 2) as u32);
            match mem_addr((*vm).mem, d, 0, n) {
                Some(p) => std::ptr::write_bytes(p, val, n as usize),
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemoryCopy { base } {
            let d = u64::from(slot!(base) as u32);
            let s = u64::from(slot!(base + 1) as u32);
            let n = u64::from(slot!(base + 2) as u32);
            let mem = (*vm).mem;
            match (mem_addr(mem, d, 0, n), mem_addr(mem, s, 0, n)) {
                (Some(dp), Some(sp)) => std::ptr::copy(sp, dp, n as usize),
                _ => trap!(TrapCode::MemoryOutOfBounds),
            }
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; MemoryInit { base, data } {
            let d = u64::from(slot!(base) as u32);
            let s = slot!(base + 1) as u32;
            let n = slot!(base + 2) as u32;
            let vmctx = (*vm).vmctx;
            builtin_trap!(((*(*vmctx).builtins).memory_init)(vmctx, (*vm).mem_index, data, d, s, n));
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; DataDrop { data } {
            let vmctx = (*vm).vmctx;
            ((*(*vmctx).builtins).data_drop)(vmctx, data);
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableGet { dst, index, table } {
            let def = *(*(*vm).vmctx).tables.add(table as usize);
            let i = slot!(index) as u32 as usize;
            if i >= (*def).current_elements {
                trap!(TrapCode::TableOutOfBounds);
            }
            slot!(dst) = *(*def).base.add(i) as u64;
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableSet { index, value, table } {
            let def = *(*(*vm).vmctx).tables.add(table as usize);
            let i = slot!(index) as u32 as usize;
            if i >= (*def).current_elements {
                trap!(TrapCode::TableOutOfBounds);
            }
            *(*def).base.add(i) = slot!(value) as usize;
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableSize { dst, table } {
            let def = *(*(*vm).vmctx).tables.add(table as usize);
            slot!(dst) = (*def).current_elements as u64;
            next!();
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableGrow { base, table } {
            let init = slot!(base) as usize;
            let delta = u64::from(slot!(base + 1) as u32);
            let vmctx = (*vm).vmctx;
            let old = ((*(*vmctx).builtins).table_grow)(vmctx, table, delta, init);
            if old == strata_environ::vmcontext::GROW_TRAPPED {
                host_error!();
            }
            slot!(base) = u64::from(old as u32);
            ip = ip.add(1);
            resume!()
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableFill { base, table } {
            let d = u64::from(slot!(base) as u32);
            let val = slot!(base + 1) as usize;
            let n = u64::from(slot!(base + 2) as u32);
            let vmctx = (*vm).vmctx;
            builtin_trap!(((*(*vmctx).builtins).table_fill)(vmctx, table, d, val, n));
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableCopy { base, dst_table, src_table } {
            let d = u64::from(slot!(base) as u32);
            let s = u64::from(slot!(base + 1) as u32);
            let n = u64::from(slot!(base + 2) as u32);
            let vmctx = (*vm).vmctx;
            builtin_trap!(((*(*vmctx).builtins).table_copy)(vmctx, dst_table, src_table, d, s, n));
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; TableInit { base, table, elem } {
            let d = u64::from(slot!(base) as u32);
            let s = slot!(base + 1) as u32;
            let n = slot!(base + 2) as u32;
            let vmctx = (*vm).vmctx;
            builtin_trap!(((*(*vmctx).builtins).table_init)(vmctx, table, elem, d, s, n));
        });
        handler!($d ip fp mem_base mem_len vm acc facc facc32; ElemDrop { elem } {
            let vmctx = (*vm).vmctx;
            ((*(*vmctx).builtins).elem_drop)(vmctx, elem);
            ip = ip.add(1);
            resume!()
        });
    };
}

/// The handlers, one function per instruction (see [`HANDLERS`]).
///
/// With tail dispatch (`strata_tail_dispatch`, set by the build script for
/// optimized builds on x86-64 and AArch64), a hot handler ends by calling
/// the next instruction's handler with the same arguments in the same
/// registers. LLVM turns that call in tail position into a jump, so the
/// handlers form threaded code: each ends in its own indirect jump, which
/// the branch predictor learns per instruction, and the VM registers (`ip`,
/// `fp`, memory base and length) stay in machine registers across
/// instructions. Without it (unoptimized builds, other targets, Miri) no
/// handler calls another; each returns [`Exit::Continue`] to the loop in
/// [`execute`], which is portable and bounded in stack.
///
/// Cold handlers (calls out of the loop, tables, bulk memory) always
/// return to that loop, so the tail calls that must become jumps are those
/// of small handlers without locals whose address is taken.
///
/// [`HANDLERS`]: crate::op::HANDLERS
pub(crate) mod handlers {
    #![allow(
        non_snake_case,
        unused_mut,
        unused_variables,
        unused_assignments,
        unused_macros
    )]
    #![allow(clippy::redundant_closure_call)]
    use super::*;
    crate::for_each_simd_op!(
        for_each_load_op for_each_branch_op for_each_numeric_op for_each_other_op define_handlers [$]
    );
}

pub(crate) mod accumulator;

#[cfg(all(
    test,
    strata_tail_dispatch,
    not(miri),
    target_arch = "x86_64",
    target_os = "linux"
))]
mod tests {
    /// Every handler in this test binary ends in a jump to the next
    /// handler, never an indirect call that would leave a native frame
    /// behind per instruction (checked in the disassembly, with binutils'
    /// `objdump`).
    #[test]
    fn every_handler_dispatches_by_jump() {
        // Keep every handler in the binary.
        std::hint::black_box(&crate::op::HANDLERS);
        let exe = std::env::current_exe().expect("the test binary");
        let out = std::process::Command::new("objdump")
            .args(["-d", "--no-show-raw-insn", "-C"])
            .arg(exe)
            .output()
            .expect("objdump (binutils) is needed to check the dispatch");
        assert!(out.status.success(), "objdump failed");
        let asm = String::from_utf8_lossy(&out.stdout);
        let mut handler: Option<&str> = None;
        let mut seen = std::collections::BTreeSet::new();
        let mut jumping = std::collections::BTreeSet::new();
        let mut calling = Vec::new();
        // The last indirect call, while only stack cleanup followed it.
        let mut open_call = false;
        for line in asm.lines() {
            if line.ends_with(">:") {
                open_call = false;
                handler = line
                    .split_once(" <")
                    .and_then(|(_, name)| name.strip_suffix(">:"))
                    .and_then(|name| name.strip_prefix("strata_interp::executor::"))
                    .filter(|name| {
                        [
                            "handlers::",
                            "accumulator::first::",
                            "accumulator::second::",
                            "accumulator::float::",
                            "accumulator::float_second::",
                            "accumulator::float_square::",
                            "accumulator::int_both::",
                        ]
                        .iter()
                        .any(|module| name.starts_with(module))
                    });
                if let Some(h) = handler {
                    seen.insert(h);
                }
                continue;
            }
            let Some(h) = handler else { continue };
            // The next handler's address is read from its instruction (or,
            // after a `br_table`, from the handler table), so a dispatch
            // is an indirect jump. A dispatch LLVM failed to turn into a
            // jump is an indirect call followed by nothing but the
            // epilogue and `ret`; other indirect calls (library functions,
            // the tier-up hook) are followed by more work. (A missed tail
            // call whose epilogue LLVM shared through a jump would escape
            // this check; `millions_of_instructions_run_in_a_small_native_stack`
            // in runtime/tests/interp_dispatch.rs still catches a dispatch
            // that grows the stack.)
            let indirect = line.contains('*') && !line.contains("(%rip)");
            if indirect && line.contains("\tjmp") {
                jumping.insert(h);
            }
            if line.contains("\tret") && open_call {
                calling.push(h);
            }
            let frame_op = ["\tadd ", "\tsub ", "\tlea "]
                .iter()
                .any(|op| line.contains(op));
            let cleanup = ["\tpop", "\tleave", "\tret"]
                .iter()
                .any(|op| line.contains(op))
                || (frame_op && line.ends_with(",%rsp"));
            open_call = (indirect && line.contains("\tcall")) || (open_call && cleanup);
        }
        assert!(
            calling.is_empty(),
            "handlers that call the next one: {calling:?}"
        );
        // Identical handlers may be merged in optimized code.
        let all = crate::op::HANDLERS.len();
        let plain = seen.iter().filter(|h| h.starts_with("handlers::")).count();
        assert!(plain * 10 >= all * 9, "{plain} of {all} handlers found");
        let reading_acc = seen.len() - plain;
        assert!(
            reading_acc >= 200,
            "only {reading_acc} accumulator handlers found"
        );
        assert!(
            jumping.len() * 2 >= seen.len(),
            "{} of {} jump",
            jumping.len(),
            seen.len()
        );
    }
}
