//! The interpreter loop.
//!
//! Registers of the virtual machine are Rust locals: the instruction pointer
//! `ip`, the frame pointer `fp` (slot 0 of the running function), the
//! running instance's `vmctx` and its memory 0. Calls between interpreted
//! functions push a [`Frame`] onto a heap stack and keep looping; only calls
//! into the host (or into other tiers) leave the loop.

use crate::op::Op;
use crate::simd;
use crate::{InterpFunc, InterpModule, for_each_branch_op, for_each_load_op, for_each_numeric_op};
use strata_environ::TrapCode;
use strata_environ::vmcontext::{
    VMContext, VMFrameInfo, VMFuncRef, VMMemoryDefinition, VMStoreContext, VMTrap, ValRaw,
};

/// Slots of the value stack shared by all interpreted frames of a store
/// (8 MiB; untouched pages cost nothing).
const STACK_SLOTS: usize = 1 << 20;

/// A suspended caller.
#[derive(Clone, Copy)]
struct Frame {
    ret_ip: *const Op,
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
    fn from_slot(v: u64) -> Self;
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
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f32::from_bits(v as u32)
    }
    #[inline(always)]
    fn into_slot(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl SlotValue for f64 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f64::from_bits(v)
    }
    #[inline(always)]
    fn into_slot(self) -> u64 {
        self.to_bits()
    }
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
            .ok_or(TrapCode::Unreachable)
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
        for i in func.num_params as usize..func.num_locals as usize {
            *fp.add(i) = 0;
        }
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

macro_rules! define_execute {
    (
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
        binary { $( $bname:ident $([$bimm:ident])? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $tname:ident ($ta:ty, $tb:ty) -> $tr:ty = $tf:expr; )* }
        unary { $( $uname:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $vname:ident ($va:ty) -> $vr:ty = $vf:expr; )* }
    ) => {
        /// Runs `func` until it returns to its caller outside the loop.
        ///
        /// # Safety
        ///
        /// `store`, `stack` and `vmctx` must be valid; `func` must belong to
        /// the module of `vmctx`; `fp` must point into the stack's slots
        /// with `frame_size` slots available, arguments in place and locals
        /// zeroed.
        #[allow(clippy::redundant_closure_call)]
        unsafe fn execute(
            store: *mut VMStoreContext,
            stack: *mut Stack,
            mut vmctx: *mut VMContext,
            mut func: *const InterpFunc,
            mut fp: *mut u64,
        ) -> Result<(), VMTrap> {
            // SAFETY: the translator only emits slots below the frame size of
            // the function it translated, and every call checks that the new
            // frame fits in the stack, so slot accesses through `fp` stay in
            // the stack allocation. Branch offsets land on instructions of
            // the same function. Memory and table accesses are bounds-checked
            // against their definitions. Function, table, global and type
            // indices were validated against the module, whose context
            // arrays have one entry per index.
            unsafe {
                let frames_base = (*stack).frames.len();
                let slots_end = (*stack).slots.add((*stack).len);
                let max_frames = ((*store).max_frames as usize).max(1);
                let mut module: *const InterpModule = (*vmctx).interp_code.cast();
                let mut mem = memory_of(vmctx, module);
                // The memory that `mem` is (see `Op::SelectMemory`).
                let mut mem_index: u32 = 0;
                let mut ip: *const Op = (*func).code.as_ptr();
                // Memory 0's base and length live in registers; they are
                // reloaded whenever something may have changed them.
                let mut mem_base: *mut u8 = std::ptr::null_mut();
                let mut mem_len: u64 = 0;
                macro_rules! reload_mem {
                    () => {
                        if !mem.is_null() {
                            mem_base = (*mem).base;
                            mem_len = (*mem).current_length as u64;
                        }
                    };
                }
                reload_mem!();

                macro_rules! slot {
                    ($s:expr) => {
                        *fp.add($s as usize)
                    };
                }
                // A `v128` in two slots, low half first.
                macro_rules! v128 {
                    ($s:expr) => {
                        u128::from(slot!($s)) | (u128::from(slot!($s as usize + 1)) << 64)
                    };
                }
                macro_rules! set_v128 {
                    ($s:expr, $v:expr) => {{
                        let v: u128 = $v;
                        slot!($s) = v as u64;
                        slot!($s as usize + 1) = (v >> 64) as u64;
                    }};
                }
                // The address of `$len` bytes at `addr + offset`, or a trap.
                macro_rules! access {
                    ($addr:expr, $offset:expr, $len:expr) => {{
                        let ea = u64::from(slot!($addr) as u32) + u64::from($offset);
                        if ea + $len > mem_len {
                            trap!(TrapCode::MemoryOutOfBounds);
                        }
                        mem_base.add(ea as usize)
                    }};
                }
                // Reads `$t` (little-endian) from memory as a `u128`.
                macro_rules! read_mem {
                    ($addr:expr, $offset:expr, $t:ty) => {{
                        let p = access!($addr, $offset, std::mem::size_of::<$t>() as u64);
                        u128::from(<$t>::from_le(std::ptr::read_unaligned(p as *const $t)))
                    }};
                }
                // Writes a loaded `v128` and goes on.
                macro_rules! v128_load {
                    ($dst:expr, $v:expr) => {{
                        set_v128!($dst, $v);
                        next!();
                    }};
                }
                // Replaces lane `$lane` of the vector in the `Operand` that
                // follows with `$x` (read from memory) into `$dst`.
                macro_rules! load_lane {
                    ($dst:expr, $replace:path, $x:expr, $lane:expr) => {{
                        let vec = match *ip.add(1) {
                            Op::Operand { slot } => v128!(slot),
                            _ => 0,
                        };
                        set_v128!($dst, $replace(vec, $x as u64, $lane));
                        ip = ip.add(2);
                    }};
                }
                // Stores the low `$t` of the raw lane value `$x`.
                macro_rules! store_lane {
                    ($addr:expr, $offset:expr, $t:ty, $x:expr) => {{
                        let x = $x as $t;
                        let p = access!($addr, $offset, std::mem::size_of::<$t>() as u64);
                        std::ptr::write_unaligned(p as *mut $t, x.to_le());
                        next!();
                    }};
                }
                macro_rules! trap {
                    ($code:expr) => {
                        return Err(VMTrap {
                            code: Some($code),
                            frames: backtrace(stack, frames_base, vmctx, func),
                        })
                    };
                }
                macro_rules! next {
                    () => {
                        ip = ip.add(1)
                    };
                }
                // Loads `$t` at effective address `$ea` (a u64: no wasm
                // address computation can overflow it) into `$dst` as `$via`.
                macro_rules! load_at {
                    ($dst:expr, $ea:expr, $t:ty, $via:ty) => {{
                        let ea: u64 = $ea;
                        if ea + std::mem::size_of::<$t>() as u64 > mem_len {
                            trap!(TrapCode::MemoryOutOfBounds);
                        }
                        let p = mem_base.add(ea as usize);
                        let v = <$t>::from_le(std::ptr::read_unaligned(p as *const $t));
                        slot!($dst) = (v as $via).into_slot();
                        next!();
                    }};
                }
                macro_rules! load {
                    ($dst:expr, $addr:expr, $offset:expr, $t:ty, $via:ty) => {
                        load_at!($dst, u64::from(slot!($addr) as u32) + u64::from($offset), $t, $via)
                    };
                }
                macro_rules! store {
                    ($addr:expr, $value:expr, $offset:expr, $t:ty) => {
                        store_at!(u64::from(slot!($addr) as u32) + u64::from($offset), $value, $t)
                    };
                }
                macro_rules! store_at {
                    ($ea:expr, $value:expr, $t:ty) => {{
                        let ea: u64 = $ea;
                        if ea + std::mem::size_of::<$t>() as u64 > mem_len {
                            trap!(TrapCode::MemoryOutOfBounds);
                        }
                        let p = mem_base.add(ea as usize);
                        let v = slot!($value) as $t;
                        std::ptr::write_unaligned(p as *mut $t, v.to_le());
                        next!();
                    }};
                }
                // Enters `callee` (an interpreted function of `callee_vmctx`)
                // with its frame at `base`.
                macro_rules! enter {
                    ($callee:expr, $callee_vmctx:expr, $base:expr) => {{
                        let callee: *const InterpFunc = $callee;
                        let new_fp = fp.add($base as usize);
                        // `wrapping_add`: the end of a frame that does not
                        // fit may lie past the allocation, where `add` would
                        // be undefined behaviour; only the comparison uses it.
                        if new_fp.wrapping_add((*callee).frame_size as usize) > slots_end
                            || (*stack).frames.len() - frames_base >= max_frames
                        {
                            trap!(TrapCode::StackOverflow);
                        }
                        for i in (*callee).num_params as usize..(*callee).num_locals as usize {
                            *new_fp.add(i) = 0;
                        }
                        (*stack).frames.push(Frame {
                            ret_ip: ip.add(1),
                            fp,
                            func,
                            vmctx,
                        });
                        fp = new_fp;
                        func = callee;
                        ip = (*callee).code.as_ptr();
                        let callee_vmctx: *mut VMContext = $callee_vmctx;
                        if callee_vmctx != vmctx {
                            vmctx = callee_vmctx;
                            module = (*vmctx).interp_code.cast();
                            mem = memory_of(vmctx, module);
                            reload_mem!();
                        }
                    }};
                }
                // Calls any function reference with its frame at `base`.
                macro_rules! call_ref {
                    ($funcref:expr, $base:expr, $arity:expr) => {{
                        let funcref: *const VMFuncRef = $funcref;
                        let mut interpreted = false;
                        if (*funcref).array_call as usize == array_call as *const () as usize {
                            let callee_vmctx = (*funcref).vmctx;
                            let callee_module: *const InterpModule = (*callee_vmctx).interp_code.cast();
                            let idx = ((*funcref).func_index - (*callee_module).num_imported_funcs) as usize;
                            if !(*callee_module).is_native(idx) {
                                interpreted = true;
                                match (*callee_module).func(idx) {
                                    Ok(f) => enter!(f, callee_vmctx, $base),
                                    Err(code) => trap!(code),
                                }
                            }
                        }
                        if !interpreted {
                            call_array!(funcref, $base, $arity);
                        }
                    }};
                }
                // Runs `$call`, a call out of this loop into code that may
                // enter the interpreter again above this frame and may grow
                // the memory; its `bool` answer.
                macro_rules! call_out {
                    ($call:expr) => {{
                        let used_top = fp.add((*func).frame_size as usize).offset_from((*stack).slots);
                        let saved_top = (*stack).top;
                        (*stack).top = used_top as usize;
                        let ok: bool = $call;
                        (*stack).top = saved_top;
                        reload_mem!();
                        ok
                    }};
                }
                // Returns the trap a callee of `call_out!` recorded, with this
                // frame (unless `$self_included`: the callee's frames already
                // hold it) and its callers appended.
                macro_rules! callee_trap {
                    ($self_included:expr) => {{
                        let mut inner = (*store).trap.take().map(|b| *b).unwrap_or(VMTrap {
                            code: None,
                            frames: Vec::new(),
                        });
                        let mut callers = backtrace(stack, frames_base, vmctx, func);
                        if $self_included {
                            callers.remove(0);
                        }
                        inner.frames.extend(callers);
                        return Err(inner);
                    }};
                }
                // Calls `funcref` through its array entry (host functions,
                // other tiers) with its frame at `base`.
                macro_rules! call_array {
                    ($funcref:expr, $base:expr, $arity:expr) => {{
                        let funcref: *const VMFuncRef = $funcref;
                        {
                            let sig: &crate::slots::SlotSignature = $arity;
                            let args = fp.add($base as usize);
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
                            if !call_out!(((*funcref).array_call)(funcref, vmctx, buf.as_mut_ptr(), n)) {
                                callee_trap!(false);
                            }
                            sig.results_from_vals(buf.as_ptr(), args);
                            next!();
                        }
                    }};
                }
                // Returns from the running function (results in its
                // first slots) to its caller.
                macro_rules! return_to_caller {
                    () => {{
                            if (*stack).frames.len() == frames_base {
                                return Ok(());
                            }
                            let Some(frame) = (*stack).frames.pop() else {
                                return Ok(());
                            };
                            ip = frame.ret_ip;
                            fp = frame.fp;
                            func = frame.func;
                            if frame.vmctx != vmctx {
                                vmctx = frame.vmctx;
                                module = (*vmctx).interp_code.cast();
                                mem = memory_of(vmctx, module);
                                reload_mem!();
                            }
                    }};
                }
                macro_rules! builtin_trap {
                    ($e:expr) => {{
                        let code: u8 = $e;
                        if code != 0 {
                            trap!(TrapCode::from_u8(code).unwrap_or(TrapCode::Unreachable));
                        }
                        next!();
                    }};
                }

                loop {
                    match *ip {
                        $( Op::$bname { dst, a, b } => {
                            let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_slot(slot!(b)));
                            slot!(dst) = r.into_slot();
                            next!();
                        } )*
                        $( $( Op::$bimm { dst, a, imm } => {
                            let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_imm(imm));
                            slot!(dst) = r.into_slot();
                            next!();
                        } )? )*
                        $( Op::$tname { dst, a, b } => {
                            let r: Result<$tr, TrapCode> = ($tf)(<$ta>::from_slot(slot!(a)), <$tb>::from_slot(slot!(b)));
                            match r {
                                Ok(r) => slot!(dst) = r.into_slot(),
                                Err(code) => trap!(code),
                            }
                            next!();
                        } )*
                        $( Op::$uname { dst, a } => {
                            let r: $ur = ($uf)(<$ua>::from_slot(slot!(a)));
                            slot!(dst) = r.into_slot();
                            next!();
                        } )*
                        $( Op::$vname { dst, a } => {
                            let r: Result<$vr, TrapCode> = ($vf)(<$va>::from_slot(slot!(a)));
                            match r {
                                Ok(r) => slot!(dst) = r.into_slot(),
                                Err(code) => trap!(code),
                            }
                            next!();
                        } )*
                        $(
                            Op::$brname { a, b, offset } => {
                                if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_slot(slot!(b))) {
                                    ip = ip.offset(offset as isize);
                                } else {
                                    next!();
                                }
                            }
                            Op::$brimm { a, imm, offset } => {
                                if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_imm(imm)) {
                                    ip = ip.offset(offset as isize);
                                } else {
                                    next!();
                                }
                            }
                        )*
                        $(
                            Op::$lat { dst, a, imm } => {
                                load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(imm as u32)), $lty, $lvia)
                            }
                            Op::$lshl { dst, a, b, shift } => {
                                let ea = (slot!(a) as u32).wrapping_add((slot!(b) as u32).wrapping_shl(u32::from(shift)));
                                load_at!(dst, u64::from(ea), $lty, $lvia)
                            }
                            Op::$labs { dst, ea } => load_at!(dst, u64::from(ea), $lty, $lvia),
                            Op::$lidx { dst, a, b } => {
                                load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(slot!(b) as u32)), $lty, $lvia)
                            }
                        )*
                        Op::Store32Abs { value, ea } => store_at!(u64::from(ea), value, u32),
                        Op::Store64Abs { value, ea } => store_at!(u64::from(ea), value, u64),
                        Op::Store8Abs { value, ea } => store_at!(u64::from(ea), value, u8),
                        Op::Store16Abs { value, ea } => store_at!(u64::from(ea), value, u16),
                        Op::Store32WrapAbs { value, ea } => store_at!(u64::from(ea), value, u32),
                        Op::I32AddShl { dst, a, b, shift } => {
                            let v = (slot!(a) as u32).wrapping_add((slot!(b) as u32).wrapping_shl(u32::from(shift)));
                            slot!(dst) = u64::from(v);
                            next!();
                        }
                        Op::Copy { dst, src } => {
                            slot!(dst) = slot!(src);
                            next!();
                        }
                        Op::Const { dst, value } => {
                            slot!(dst) = value;
                            next!();
                        }
                        Op::Br { offset } => ip = ip.offset(offset as isize),
                        Op::BrIfNez { cond, offset } => {
                            if slot!(cond) as u32 != 0 {
                                ip = ip.offset(offset as isize);
                            } else {
                                next!();
                            }
                        }
                        Op::BrIfEqz { cond, offset } => {
                            if slot!(cond) as u32 == 0 {
                                ip = ip.offset(offset as isize);
                            } else {
                                next!();
                            }
                        }
                        Op::BrTable { index, len } => {
                            // Jump straight to the target of the chosen entry
                            // rather than dispatching its `Br` separately.
                            let i = (slot!(index) as u32).min(len);
                            let entry = ip.add(1 + i as usize);
                            ip = match *entry {
                                Op::Br { offset } => entry.offset(offset as isize),
                                _ => entry,
                            };
                        }
                        Op::Return0 | Op::Return1 { .. } | Op::ReturnMany { .. } => {
                            match *ip {
                                Op::Return1 { src } => slot!(0) = slot!(src),
                                Op::ReturnMany { src, count } => {
                                    std::ptr::copy(fp.add(src as usize), fp, count as usize);
                                }
                                _ => {}
                            }
                            return_to_caller!();
                        }
                        Op::Call { func: callee, base } => {
                            if (*module).is_native(callee as usize) {
                                let f = (*module).num_imported_funcs + callee;
                                let funcref = *(*vmctx).func_refs.add(f as usize);
                                call_array!(funcref, base, &(&(*module).func_arity)[f as usize]);
                            } else {
                                match (*module).func(callee as usize) {
                                    Ok(f) => enter!(f, vmctx, base),
                                    Err(code) => trap!(code),
                                }
                            }
                        }
                        Op::Heat { offset } => {
                            let defined = ((*func).func_index - (*module).num_imported_funcs) as usize;
                            match (*module).count_heat(defined, offset) {
                                None => next!(),
                                Some(trampoline) => {
                                    // On-stack replacement: the rest of this
                                    // call runs natively from this loop
                                    // header with this frame's locals; the
                                    // results come back in the frame's first
                                    // slots, as from a return.
                                    let osr_call = match (*module).tiering.as_ref() {
                                        Some(t) => t.osr_call,
                                        None => trap!(TrapCode::Unreachable),
                                    };
                                    if !call_out!(osr_call(vmctx, (*func).func_index, trampoline, fp)) {
                                        // The native frames include this one.
                                        callee_trap!(true);
                                    }
                                    return_to_caller!();
                                }
                            }
                        }
                        Op::CallRef { func: f, base } => {
                            let funcref = *(*vmctx).func_refs.add(f as usize);
                            call_ref!(funcref, base, &(&(*module).func_arity)[f as usize]);
                        }
                        Op::CallIndirect { base, table, ty } => {
                            let arity = &(&(*module).type_arity)[ty as usize];
                            let index = *fp.add(base as usize + arity.param_slots as usize) as u32;
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
                            call_ref!(funcref, base, arity);
                        }
                        Op::Select { dst, cond, a } => {
                            let b = match *ip.add(1) {
                                Op::Operand { slot } => slot,
                                _ => a,
                            };
                            slot!(dst) = if slot!(cond) as u32 != 0 { slot!(a) } else { slot!(b) };
                            ip = ip.add(2);
                        }
                        Op::Operand { .. } => next!(),
                        Op::Trap { code } => trap!(code),
                        Op::ConsumeFuel { amount } => {
                            (*store).fuel_remaining -= i64::from(amount);
                            next!();
                        }
                        Op::FuelCheck => {
                            if (*store).fuel_remaining <= 0 {
                                trap!(TrapCode::OutOfFuel);
                            }
                            next!();
                        }
                        Op::EpochCheck => {
                            let epoch = (*(*store).epoch_counter)
                                .load(std::sync::atomic::Ordering::Relaxed);
                            if epoch >= (*store).epoch_deadline {
                                let code = ((*(*vmctx).builtins).epoch_interrupt)(vmctx);
                                if code == strata_environ::vmcontext::BUILTIN_HOST_ERROR {
                                    return Err(VMTrap {
                                        code: None,
                                        frames: backtrace(stack, frames_base, vmctx, func),
                                    });
                                }
                                if code != 0 {
                                    trap!(TrapCode::Interrupt);
                                }
                                // The callback may have grown the memory.
                                reload_mem!();
                            }
                            next!();
                        }
                        $( Op::$su { dst, a } => {
                            set_v128!(dst, $suf(v128!(a)));
                            next!();
                        } )*
                        $( Op::$sb { dst, a, b } => {
                            set_v128!(dst, $sbf(v128!(a), v128!(b)));
                            next!();
                        } )*
                        $( Op::$st { dst, a, b } => {
                            let c = match *ip.add(1) {
                                Op::Operand { slot } => slot,
                                _ => a,
                            };
                            set_v128!(dst, $stf(v128!(a), v128!(b), v128!(c)));
                            ip = ip.add(2);
                        } )*
                        $( Op::$ss { dst, a, b } => {
                            set_v128!(dst, $ssf(v128!(a), slot!(b) as u32));
                            next!();
                        } )*
                        $( Op::$sq { dst, a } => {
                            slot!(dst) = u64::from($sqf(v128!(a)));
                            next!();
                        } )*
                        $( Op::$sp { dst, a } => {
                            set_v128!(dst, $spf(slot!(a)));
                            next!();
                        } )*
                        $( Op::$se { dst, a, lane } => {
                            slot!(dst) = $sef(v128!(a), lane);
                            next!();
                        } )*
                        $( Op::$sr { dst, a, b, lane } => {
                            set_v128!(dst, $srf(v128!(a), slot!(b), lane));
                            next!();
                        } )*
                        Op::I8x16Shuffle { dst, a, b } => {
                            let mask = match *ip.add(1) {
                                Op::Operand { slot } => v128!(slot),
                                _ => 0,
                            };
                            let r = simd::i8x16_shuffle(v128!(a), v128!(b), mask.to_le_bytes());
                            set_v128!(dst, r);
                            ip = ip.add(2);
                        }
                        Op::V128Load { dst, addr, offset } => v128_load!(dst, read_mem!(addr, offset, u128)),
                        Op::V128Load8x8S { dst, addr, offset } => {
                            v128_load!(dst, simd::i16x8_extend_low_i8x16_s(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load8x8U { dst, addr, offset } => {
                            v128_load!(dst, simd::i16x8_extend_low_i8x16_u(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load16x4S { dst, addr, offset } => {
                            v128_load!(dst, simd::i32x4_extend_low_i16x8_s(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load16x4U { dst, addr, offset } => {
                            v128_load!(dst, simd::i32x4_extend_low_i16x8_u(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load32x2S { dst, addr, offset } => {
                            v128_load!(dst, simd::i64x2_extend_low_i32x4_s(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load32x2U { dst, addr, offset } => {
                            v128_load!(dst, simd::i64x2_extend_low_i32x4_u(read_mem!(addr, offset, u64)))
                        }
                        Op::V128Load8Splat { dst, addr, offset } => {
                            v128_load!(dst, simd::i8x16_splat(read_mem!(addr, offset, u8) as u64))
                        }
                        Op::V128Load16Splat { dst, addr, offset } => {
                            v128_load!(dst, simd::i16x8_splat(read_mem!(addr, offset, u16) as u64))
                        }
                        Op::V128Load32Splat { dst, addr, offset } => {
                            v128_load!(dst, simd::i32x4_splat(read_mem!(addr, offset, u32) as u64))
                        }
                        Op::V128Load64Splat { dst, addr, offset } => {
                            v128_load!(dst, simd::i64x2_splat(read_mem!(addr, offset, u64) as u64))
                        }
                        Op::V128Load32Zero { dst, addr, offset } => v128_load!(dst, read_mem!(addr, offset, u32)),
                        Op::V128Load64Zero { dst, addr, offset } => v128_load!(dst, read_mem!(addr, offset, u64)),
                        Op::V128Load8Lane { dst, addr, offset, lane } => {
                            load_lane!(dst, simd::i8x16_replace_lane, read_mem!(addr, offset, u8), lane)
                        }
                        Op::V128Load16Lane { dst, addr, offset, lane } => {
                            load_lane!(dst, simd::i16x8_replace_lane, read_mem!(addr, offset, u16), lane)
                        }
                        Op::V128Load32Lane { dst, addr, offset, lane } => {
                            load_lane!(dst, simd::i32x4_replace_lane, read_mem!(addr, offset, u32), lane)
                        }
                        Op::V128Load64Lane { dst, addr, offset, lane } => {
                            load_lane!(dst, simd::i64x2_replace_lane, read_mem!(addr, offset, u64), lane)
                        }
                        Op::V128Store { addr, value, offset } => {
                            let p = access!(addr, offset, 16);
                            std::ptr::write_unaligned(p as *mut u128, v128!(value).to_le());
                            next!();
                        }
                        Op::V128Store8Lane { addr, value, offset, lane } => {
                            store_lane!(addr, offset, u8, simd::i8x16_extract_lane_u(v128!(value), lane))
                        }
                        Op::V128Store16Lane { addr, value, offset, lane } => {
                            store_lane!(addr, offset, u16, simd::i16x8_extract_lane_u(v128!(value), lane))
                        }
                        Op::V128Store32Lane { addr, value, offset, lane } => {
                            store_lane!(addr, offset, u32, simd::i32x4_extract_lane(v128!(value), lane))
                        }
                        Op::V128Store64Lane { addr, value, offset, lane } => {
                            store_lane!(addr, offset, u64, simd::i64x2_extract_lane(v128!(value), lane))
                        }
                        Op::GlobalGetV128 { dst, global } => {
                            let g = *(*vmctx).globals.add(global as usize);
                            set_v128!(dst, (*g).storage.get_u128());
                            next!();
                        }
                        Op::GlobalSetV128 { global, src } => {
                            let g = *(*vmctx).globals.add(global as usize);
                            (*g).storage = ValRaw::from_u128(v128!(src));
                            next!();
                        }
                        Op::SelectV128 { dst, cond, a } => {
                            let b = match *ip.add(1) {
                                Op::Operand { slot } => slot,
                                _ => a,
                            };
                            let v = if slot!(cond) as u32 != 0 { v128!(a) } else { v128!(b) };
                            set_v128!(dst, v);
                            ip = ip.add(2);
                        }
                        Op::RefIsNull { dst, a } => {
                            slot!(dst) = u64::from(slot!(a) == 0);
                            next!();
                        }
                        Op::RefFunc { dst, func: f } => {
                            slot!(dst) = *(*vmctx).func_refs.add(f as usize) as u64;
                            next!();
                        }
                        Op::GlobalGet { dst, global } => {
                            let g = *(*vmctx).globals.add(global as usize);
                            slot!(dst) = (*g).storage.get_u64();
                            next!();
                        }
                        Op::GlobalSet { global, src } => {
                            let g = *(*vmctx).globals.add(global as usize);
                            (*g).storage = ValRaw::from_u64(slot!(src));
                            next!();
                        }
                        Op::I32Load { dst, addr, offset } => load!(dst, addr, offset, u32, u32),
                        Op::I64Load { dst, addr, offset } => load!(dst, addr, offset, u64, u64),
                        Op::F32Load { dst, addr, offset } => load!(dst, addr, offset, u32, u32),
                        Op::F64Load { dst, addr, offset } => load!(dst, addr, offset, u64, u64),
                        Op::I32Load8S { dst, addr, offset } => load!(dst, addr, offset, i8, i32),
                        Op::I32Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, u32),
                        Op::I32Load16S { dst, addr, offset } => load!(dst, addr, offset, i16, i32),
                        Op::I32Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, u32),
                        Op::I64Load8S { dst, addr, offset } => load!(dst, addr, offset, i8, i64),
                        Op::I64Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, u64),
                        Op::I64Load16S { dst, addr, offset } => load!(dst, addr, offset, i16, i64),
                        Op::I64Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, u64),
                        Op::I64Load32S { dst, addr, offset } => load!(dst, addr, offset, i32, i64),
                        Op::I64Load32U { dst, addr, offset } => load!(dst, addr, offset, u32, u64),
                        Op::Store32 { addr, value, offset } => store!(addr, value, offset, u32),
                        Op::Store64 { addr, value, offset } => store!(addr, value, offset, u64),
                        Op::Store8 { addr, value, offset } => store!(addr, value, offset, u8),
                        Op::Store16 { addr, value, offset } => store!(addr, value, offset, u16),
                        Op::Store32Wrap { addr, value, offset } => store!(addr, value, offset, u32),
                        Op::SelectMemory { mem: m } => {
                            // Only emitted in modules with more than one memory.
                            mem_index = m;
                            mem = *(*vmctx).memories.add(m as usize);
                            reload_mem!();
                            next!();
                        }
                        Op::MemoryCopyFrom { base, src_mem } => {
                            let d = u64::from(slot!(base) as u32);
                            let s = u64::from(slot!(base + 1) as u32);
                            let n = u64::from(slot!(base + 2) as u32);
                            let src = *(*vmctx).memories.add(src_mem as usize);
                            match (mem_addr(mem, d, 0, n), mem_addr(src, s, 0, n)) {
                                (Some(dp), Some(sp)) => std::ptr::copy(sp, dp, n as usize),
                                _ => trap!(TrapCode::MemoryOutOfBounds),
                            }
                            next!();
                        }
                        Op::MemorySize { dst } => {
                            slot!(dst) = ((*mem).current_length as u64 / 65536) & 0xffff_ffff;
                            next!();
                        }
                        Op::MemoryGrow { dst, delta } => {
                            let delta = u64::from(slot!(delta) as u32);
                            let old = ((*(*vmctx).builtins).memory_grow)(vmctx, mem_index, delta);
                            if old == strata_environ::vmcontext::GROW_TRAPPED {
                                return Err(VMTrap {
                                    code: None,
                                    frames: backtrace(stack, frames_base, vmctx, func),
                                });
                            }
                            slot!(dst) = u64::from(old as u32);
                            reload_mem!();
                            next!();
                        }
                        Op::MemoryFill { base } => {
                            let d = u64::from(slot!(base) as u32);
                            let val = slot!(base + 1) as u8;
                            let n = u64::from(slot!(base + 2) as u32);
                            match mem_addr(mem, d, 0, n) {
                                Some(p) => std::ptr::write_bytes(p, val, n as usize),
                                None => trap!(TrapCode::MemoryOutOfBounds),
                            }
                            next!();
                        }
                        Op::MemoryCopy { base } => {
                            let d = u64::from(slot!(base) as u32);
                            let s = u64::from(slot!(base + 1) as u32);
                            let n = u64::from(slot!(base + 2) as u32);
                            match (mem_addr(mem, d, 0, n), mem_addr(mem, s, 0, n)) {
                                (Some(dp), Some(sp)) => std::ptr::copy(sp, dp, n as usize),
                                _ => trap!(TrapCode::MemoryOutOfBounds),
                            }
                            next!();
                        }
                        Op::MemoryInit { base, data } => {
                            let d = u64::from(slot!(base) as u32);
                            let s = slot!(base + 1) as u32;
                            let n = slot!(base + 2) as u32;
                            builtin_trap!(((*(*vmctx).builtins).memory_init)(vmctx, mem_index, data, d, s, n));
                        }
                        Op::DataDrop { data } => {
                            ((*(*vmctx).builtins).data_drop)(vmctx, data);
                            next!();
                        }
                        Op::TableGet { dst, index, table } => {
                            let def = *(*vmctx).tables.add(table as usize);
                            let i = slot!(index) as u32 as usize;
                            if i >= (*def).current_elements {
                                trap!(TrapCode::TableOutOfBounds);
                            }
                            slot!(dst) = *(*def).base.add(i) as u64;
                            next!();
                        }
                        Op::TableSet { index, value, table } => {
                            let def = *(*vmctx).tables.add(table as usize);
                            let i = slot!(index) as u32 as usize;
                            if i >= (*def).current_elements {
                                trap!(TrapCode::TableOutOfBounds);
                            }
                            *(*def).base.add(i) = slot!(value) as usize;
                            next!();
                        }
                        Op::TableSize { dst, table } => {
                            let def = *(*vmctx).tables.add(table as usize);
                            slot!(dst) = (*def).current_elements as u64;
                            next!();
                        }
                        Op::TableGrow { base, table } => {
                            let init = slot!(base) as usize;
                            let delta = u64::from(slot!(base + 1) as u32);
                            let old = ((*(*vmctx).builtins).table_grow)(vmctx, table, delta, init);
                            if old == strata_environ::vmcontext::GROW_TRAPPED {
                                return Err(VMTrap {
                                    code: None,
                                    frames: backtrace(stack, frames_base, vmctx, func),
                                });
                            }
                            slot!(base) = u64::from(old as u32);
                            next!();
                        }
                        Op::TableFill { base, table } => {
                            let d = u64::from(slot!(base) as u32);
                            let val = slot!(base + 1) as usize;
                            let n = u64::from(slot!(base + 2) as u32);
                            builtin_trap!(((*(*vmctx).builtins).table_fill)(vmctx, table, d, val, n));
                        }
                        Op::TableCopy { base, dst_table } => {
                            let src_table = match *ip.add(1) {
                                Op::Operand { slot } => slot,
                                _ => dst_table,
                            };
                            let d = u64::from(slot!(base) as u32);
                            let s = u64::from(slot!(base + 1) as u32);
                            let n = u64::from(slot!(base + 2) as u32);
                            builtin_trap!(((*(*vmctx).builtins).table_copy)(vmctx, dst_table, src_table, d, s, n));
                        }
                        Op::TableInit { base, table } => {
                            let elem = match *ip.add(1) {
                                Op::Operand { slot } => slot,
                                _ => 0,
                            };
                            let d = u64::from(slot!(base) as u32);
                            let s = slot!(base + 1) as u32;
                            let n = slot!(base + 2) as u32;
                            builtin_trap!(((*(*vmctx).builtins).table_init)(vmctx, table, elem, d, s, n));
                        }
                        Op::ElemDrop { elem } => {
                            ((*(*vmctx).builtins).elem_drop)(vmctx, elem);
                            next!();
                        }
                    }
                }
            }
        }
    };
}
crate::for_each_simd_op!(for_each_load_op for_each_branch_op for_each_numeric_op define_execute);
