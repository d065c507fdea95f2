//! The accumulator: the last integer result, kept in a machine register.
//!
//! Every value lives in a slot of the frame, so an instruction that reads
//! the result of the one before it reads back what that one just stored.
//! The processor forwards the store to the load, but the forwarding sits
//! on the dependency chain: in `p += 4; x = mem[p]; if x < pivot goto
//! loop` (a quicksort's partition), each step waits for it.
//!
//! So a handler that computes an integer (a numeric instruction, a load,
//! a copy or a constant; see [`Op::acc_dst`]) stores it in its slot *and*
//! passes it to the next handler in the `acc` argument, a register. When
//! the next instruction reads that slot, the translator
//! (`translator/accumulator.rs`) names the operand [`ACC`] instead, and
//! [`Instr::new`] gives it a handler from this module, which takes that
//! operand from `acc`.
//!
//! That is correct only if the instruction runs right after its producer.
//! The translator never rewrites an instruction that a branch can reach,
//! nor the first of a function; every other instruction is reached by
//! falling through from the one before. (An instruction after a call is
//! reached by a return, but a call is not a producer.) The slot is still
//! written, so any other reader, later or after a branch, finds the value
//! there.
//!
//! [`Op::acc_dst`]: crate::op::Op::acc_dst
//! [`Instr::new`]: crate::instr::Instr::new

use super::*;
use crate::op::{ACC, Slot};

macro_rules! define_acc_handlers {
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
        /// Handlers whose first operand (`a`, a load's or store's address,
        /// a branch's or select's condition, a copy's, return's or global
        /// store's source, a `br_table`'s index) is the accumulator.
        pub(crate) mod first {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            #![allow(clippy::redundant_closure_call)]
            use super::*;
            $( handler!($d ip fp mem_base mem_len vm acc; $bname { dst, a, b } {
                let r: $br = ($bf)(<$ba>::from_slot(acc), <$bb>::from_slot(slot!(b)));
                put!(dst, r);
                next!();
            }); )*
            $( $( handler!($d ip fp mem_base mem_len vm acc; $bimm { dst, a, imm } {
                let r: $br = ($bf)(<$ba>::from_slot(acc), <$bb>::from_imm(imm));
                put!(dst, r);
                next!();
            }); )? )*
            $( handler!($d ip fp mem_base mem_len vm acc; $tname { dst, a, b } {
                match ($tf)(<$ta>::from_slot(acc), <$tb>::from_slot(slot!(b))) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc; $uname { dst, a } {
                let r: $ur = ($uf)(<$ua>::from_slot(acc));
                put!(dst, r);
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc; $vname { dst, a } {
                match ($vf)(<$va>::from_slot(acc)) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $(
                handler!($d ip fp mem_base mem_len vm acc; $brname { a, b, offset } {
                    if ($btest)(<$bty>::from_slot(acc), <$bty>::from_slot(slot!(b))) {
                        jump!(offset);
                    }
                    next!();
                });
                handler!($d ip fp mem_base mem_len vm acc; $brimm { a, imm, offset } {
                    if ($btest)(<$bty>::from_slot(acc), <$bty>::from_imm(imm)) {
                        jump!(offset);
                    }
                    next!();
                });
            )*
            $(
                handler!($d ip fp mem_base mem_len vm acc; $lname { dst, addr, offset } {
                    load_at!(dst, u64::from(acc as u32) + u64::from(offset), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc; $lat { dst, a, imm } {
                    load_at!(dst, u64::from((acc as u32).wrapping_add(imm as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc; $lidx { dst, a, b } {
                    load_at!(dst, u64::from((acc as u32).wrapping_add(slot!(b) as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc; $lshl { shift, dst, a, b } {
                    let ea = (acc as u32).wrapping_add((slot!(b) as u32).wrapping_shl(u32::from(shift)));
                    load_at!(dst, u64::from(ea), $lty, $lvia)
                });
            )*
            handler!($d ip fp mem_base mem_len vm acc; BrIfNez { cond, offset } {
                if acc as u32 != 0 {
                    jump!(offset);
                }
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; BrIfEqz { cond, offset } {
                if acc as u32 == 0 {
                    jump!(offset);
                }
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; Copy { dst, src } {
                put!(dst, acc);
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; Select { dst, cond, a } {
                let b = operand!(a);
                put!(dst, if acc as u32 != 0 { slot!(a) } else { slot!(b) });
                ip = ip.add(2);
                dispatch!()
            });
            handler!($d ip fp mem_base mem_len vm acc; Select64 { dst, cond, a } {
                let b = operand!(a);
                put!(dst, if acc != 0 { slot!(a) } else { slot!(b) });
                ip = ip.add(2);
                dispatch!()
            });
            handler!($d ip fp mem_base mem_len vm acc; I32AddShl { shift, dst, a, b } {
                put!(dst, add_shl(acc, slot!(b), shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; I32ShrUAnd { shift, dst, a, mask } {
                put!(dst, shr_and(acc, shift, mask));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; I32AddBits { shifts, dst, a, b } {
                put!(dst, add_bits(acc, slot!(b), shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; I32Bits { shifts, dst, a } {
                put!(dst, crate::op::bit_field(acc as u32, shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; Return1 { src } {
                slot!(0) = acc;
                return_to_caller!()
            });
            handler!($d ip fp mem_base mem_len vm acc; GlobalSetDefined { defined, src } {
                (*(*(*vm).vmctx).defined_globals.add(defined as usize)).storage = ValRaw::from_u64(acc);
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; BrTable { index, len, bias } {
                br_table!(acc as u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc; BrTableLoad8U { len, addr, offset, bias } {
                br_table_on!(u64::from(acc as u32) + u64::from(offset), u8, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc; BrTableLoad32 { len, addr, offset, bias } {
                br_table_on!(u64::from(acc as u32) + u64::from(offset), u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc; BrTableLoad8UAt { len, a, imm, bias } {
                br_table_on!(u64::from((acc as u32).wrapping_add(imm as u32)), u8, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc; BrTableLoad32At { len, a, imm, bias } {
                br_table_on!(u64::from((acc as u32).wrapping_add(imm as u32)), u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u32)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store64 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u64)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store8 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u8)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store16 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u16)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32Wrap { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u32)
            });
        }

        /// Handlers whose second operand (`b`, a store's value, an indexed
        /// load's index) is the accumulator.
        pub(crate) mod second {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            #![allow(clippy::redundant_closure_call)]
            use super::*;
            $( handler!($d ip fp mem_base mem_len vm acc; $bname { dst, a, b } {
                let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_slot(acc));
                put!(dst, r);
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc; $tname { dst, a, b } {
                match ($tf)(<$ta>::from_slot(slot!(a)), <$tb>::from_slot(acc)) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $(
                handler!($d ip fp mem_base mem_len vm acc; $brname { a, b, offset } {
                    if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_slot(acc)) {
                        jump!(offset);
                    }
                    next!();
                });
            )*
            $(
                handler!($d ip fp mem_base mem_len vm acc; $lidx { dst, a, b } {
                    load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(acc as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc; $lshl { shift, dst, a, b } {
                    let ea = (slot!(a) as u32).wrapping_add((acc as u32).wrapping_shl(u32::from(shift)));
                    load_at!(dst, u64::from(ea), $lty, $lvia)
                });
            )*
            handler!($d ip fp mem_base mem_len vm acc; I32AddShl { shift, dst, a, b } {
                put!(dst, add_shl(slot!(a), acc, shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; I32AddBits { shifts, dst, a, b } {
                put!(dst, add_bits(slot!(a), acc, shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store64 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u64)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store8 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u8)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store16 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u16)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32Wrap { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32Abs { value, ea } {
                store_at!(u64::from(ea), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store64Abs { value, ea } {
                store_at!(u64::from(ea), acc, u64)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store8Abs { value, ea } {
                store_at!(u64::from(ea), acc, u8)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store16Abs { value, ea } {
                store_at!(u64::from(ea), acc, u16)
            });
            handler!($d ip fp mem_base mem_len vm acc; Store32WrapAbs { value, ea } {
                store_at!(u64::from(ea), acc, u32)
            });
        }

        /// Whether [`with_acc`] may rewrite an instruction of `op`'s
        /// variant for some slot: its variant alone decides, so the
        /// translator asks once per variant (and then only calls
        /// [`with_acc`] for the variants that may).
        pub(crate) fn may_read_acc(op: &Op) -> bool {
            match op {
                $( Op::$bname { .. } => is_int_type::<$ba>() || is_int_type::<$bb>(), )*
                $( $( Op::$bimm { .. } => is_int_type::<$ba>(), )? )*
                $( Op::$tname { .. } => true, )*
                $( Op::$uname { .. } => is_int_type::<$ua>(), )*
                $( Op::$vname { .. } => is_int_type::<$va>(), )*
                $( Op::$brname { .. } | Op::$brimm { .. } => is_int_type::<$bty>(), )*
                $( Op::$lname { .. } | Op::$lat { .. } | Op::$lidx { .. } | Op::$lshl { .. } => true, )*
                Op::I32AddShl { .. }
                | Op::I32ShrUAnd { .. }
                | Op::I32AddBits { .. }
                | Op::I32Bits { .. }
                | Op::Return1 { .. }
                | Op::GlobalSetDefined { .. }
                | Op::BrTable { .. }
                | Op::BrTableLoad8U { .. }
                | Op::BrTableLoad32 { .. }
                | Op::BrTableLoad8UAt { .. }
                | Op::BrTableLoad32At { .. }
                | Op::BrIfNez { .. }
                | Op::BrIfEqz { .. }
                | Op::Copy { .. }
                | Op::Select { .. }
                | Op::Select64 { .. }
                | Op::Store32 { .. }
                | Op::Store64 { .. }
                | Op::Store8 { .. }
                | Op::Store16 { .. }
                | Op::Store32Wrap { .. }
                | Op::Store32Abs { .. }
                | Op::Store64Abs { .. }
                | Op::Store8Abs { .. }
                | Op::Store16Abs { .. }
                | Op::Store32WrapAbs { .. } => true,
                _ => false,
            }
        }

        /// `op` with its operand that reads slot `d` reading the
        /// accumulator instead, if it has a handler for that ([`handler`]
        /// then gives it); the first operand wins when both read `d`.
        /// Floating-point operands are left alone: a float result is not
        /// kept in the accumulator, and moving bits between register files
        /// would cost what the store forwarding does.
        pub(crate) fn with_acc(op: Op, d: Slot) -> Option<Op> {
            let op = match op {
                $(
                    Op::$bname { dst, a, b } if a == d && is_int_type::<$ba>() => Op::$bname { dst, a: ACC, b },
                    Op::$bname { dst, a, b } if b == d && is_int_type::<$bb>() => Op::$bname { dst, a, b: ACC },
                )*
                $( $( Op::$bimm { dst, a, imm } if a == d && is_int_type::<$ba>() => Op::$bimm { dst, a: ACC, imm }, )? )*
                $(
                    Op::$tname { dst, a, b } if a == d => Op::$tname { dst, a: ACC, b },
                    Op::$tname { dst, a, b } if b == d => Op::$tname { dst, a, b: ACC },
                )*
                $( Op::$uname { dst, a } if a == d && is_int_type::<$ua>() => Op::$uname { dst, a: ACC }, )*
                $( Op::$vname { dst, a } if a == d && is_int_type::<$va>() => Op::$vname { dst, a: ACC }, )*
                $(
                    Op::$brname { a, b, offset } if a == d && is_int_type::<$bty>() => Op::$brname { a: ACC, b, offset },
                    Op::$brname { a, b, offset } if b == d && is_int_type::<$bty>() => Op::$brname { a, b: ACC, offset },
                    Op::$brimm { a, imm, offset } if a == d && is_int_type::<$bty>() => Op::$brimm { a: ACC, imm, offset },
                )*
                $(
                    Op::$lname { dst, addr, offset } if addr == d => Op::$lname { dst, addr: ACC, offset },
                    Op::$lat { dst, a, imm } if a == d => Op::$lat { dst, a: ACC, imm },
                    Op::$lidx { dst, a, b } if a == d => Op::$lidx { dst, a: ACC, b },
                    Op::$lidx { dst, a, b } if b == d => Op::$lidx { dst, a, b: ACC },
                    Op::$lshl { shift, dst, a, b } if a == d => Op::$lshl { shift, dst, a: ACC, b },
                    Op::$lshl { shift, dst, a, b } if b == d => Op::$lshl { shift, dst, a, b: ACC },
                )*
                Op::I32AddShl { shift, dst, a, b } if a == d => Op::I32AddShl { shift, dst, a: ACC, b },
                Op::I32AddShl { shift, dst, a, b } if b == d => Op::I32AddShl { shift, dst, a, b: ACC },
                Op::I32ShrUAnd { shift, dst, a, mask } if a == d => Op::I32ShrUAnd { shift, dst, a: ACC, mask },
                Op::I32AddBits { shifts, dst, a, b } if a == d => Op::I32AddBits { shifts, dst, a: ACC, b },
                Op::I32AddBits { shifts, dst, a, b } if b == d => Op::I32AddBits { shifts, dst, a, b: ACC },
                Op::I32Bits { shifts, dst, a } if a == d => Op::I32Bits { shifts, dst, a: ACC },
                Op::Return1 { src } if src == d => Op::Return1 { src: ACC },
                Op::GlobalSetDefined { defined, src } if src == d => Op::GlobalSetDefined { defined, src: ACC },
                Op::BrTable { index, len, bias } if index == d => Op::BrTable { index: ACC, len, bias },
                Op::BrTableLoad8U { len, addr, offset, bias } if addr == d => Op::BrTableLoad8U { len, addr: ACC, offset, bias },
                Op::BrTableLoad32 { len, addr, offset, bias } if addr == d => Op::BrTableLoad32 { len, addr: ACC, offset, bias },
                Op::BrTableLoad8UAt { len, a, imm, bias } if a == d => Op::BrTableLoad8UAt { len, a: ACC, imm, bias },
                Op::BrTableLoad32At { len, a, imm, bias } if a == d => Op::BrTableLoad32At { len, a: ACC, imm, bias },
                Op::BrIfNez { cond, offset } if cond == d => Op::BrIfNez { cond: ACC, offset },
                Op::BrIfEqz { cond, offset } if cond == d => Op::BrIfEqz { cond: ACC, offset },
                Op::Copy { dst, src } if src == d => Op::Copy { dst, src: ACC },
                Op::Select { dst, cond, a } if cond == d => Op::Select { dst, cond: ACC, a },
                Op::Select64 { dst, cond, a } if cond == d => Op::Select64 { dst, cond: ACC, a },
                Op::Store32 { addr, value, offset } if addr == d => Op::Store32 { addr: ACC, value, offset },
                Op::Store64 { addr, value, offset } if addr == d => Op::Store64 { addr: ACC, value, offset },
                Op::Store8 { addr, value, offset } if addr == d => Op::Store8 { addr: ACC, value, offset },
                Op::Store16 { addr, value, offset } if addr == d => Op::Store16 { addr: ACC, value, offset },
                Op::Store32Wrap { addr, value, offset } if addr == d => Op::Store32Wrap { addr: ACC, value, offset },
                Op::Store32 { addr, value, offset } if value == d => Op::Store32 { addr, value: ACC, offset },
                Op::Store64 { addr, value, offset } if value == d => Op::Store64 { addr, value: ACC, offset },
                Op::Store8 { addr, value, offset } if value == d => Op::Store8 { addr, value: ACC, offset },
                Op::Store16 { addr, value, offset } if value == d => Op::Store16 { addr, value: ACC, offset },
                Op::Store32Wrap { addr, value, offset } if value == d => Op::Store32Wrap { addr, value: ACC, offset },
                Op::Store32Abs { value, ea } if value == d => Op::Store32Abs { value: ACC, ea },
                Op::Store64Abs { value, ea } if value == d => Op::Store64Abs { value: ACC, ea },
                Op::Store8Abs { value, ea } if value == d => Op::Store8Abs { value: ACC, ea },
                Op::Store16Abs { value, ea } if value == d => Op::Store16Abs { value: ACC, ea },
                Op::Store32WrapAbs { value, ea } if value == d => Op::Store32WrapAbs { value: ACC, ea },
                _ => return None,
            };
            handler(&op).map(|_| op)
        }

        /// The handler of an instruction that reads the accumulator
        /// (an operand is [`ACC`]); `None` for any other.
        pub(crate) fn handler(op: &Op) -> Option<Handler> {
            Some(match *op {
                $(
                    Op::$bname { a: ACC, .. } if is_int_type::<$ba>() => first::$bname,
                    Op::$bname { b: ACC, .. } if is_int_type::<$bb>() => second::$bname,
                )*
                $( $( Op::$bimm { a: ACC, .. } if is_int_type::<$ba>() => first::$bimm, )? )*
                $(
                    Op::$tname { a: ACC, .. } => first::$tname,
                    Op::$tname { b: ACC, .. } => second::$tname,
                )*
                $( Op::$uname { a: ACC, .. } if is_int_type::<$ua>() => first::$uname, )*
                $( Op::$vname { a: ACC, .. } if is_int_type::<$va>() => first::$vname, )*
                $(
                    Op::$brname { a: ACC, .. } => first::$brname,
                    Op::$brname { b: ACC, .. } => second::$brname,
                    Op::$brimm { a: ACC, .. } => first::$brimm,
                )*
                $(
                    Op::$lname { addr: ACC, .. } => first::$lname,
                    Op::$lat { a: ACC, .. } => first::$lat,
                    Op::$lidx { a: ACC, .. } => first::$lidx,
                    Op::$lidx { b: ACC, .. } => second::$lidx,
                    Op::$lshl { a: ACC, .. } => first::$lshl,
                    Op::$lshl { b: ACC, .. } => second::$lshl,
                )*
                Op::I32AddShl { a: ACC, .. } => first::I32AddShl,
                Op::I32AddShl { b: ACC, .. } => second::I32AddShl,
                Op::I32ShrUAnd { a: ACC, .. } => first::I32ShrUAnd,
                Op::I32AddBits { a: ACC, .. } => first::I32AddBits,
                Op::I32AddBits { b: ACC, .. } => second::I32AddBits,
                Op::I32Bits { a: ACC, .. } => first::I32Bits,
                Op::Return1 { src: ACC } => first::Return1,
                Op::GlobalSetDefined { src: ACC, .. } => first::GlobalSetDefined,
                Op::BrTable { index: ACC, .. } => first::BrTable,
                Op::BrTableLoad8U { addr: ACC, .. } => first::BrTableLoad8U,
                Op::BrTableLoad32 { addr: ACC, .. } => first::BrTableLoad32,
                Op::BrTableLoad8UAt { a: ACC, .. } => first::BrTableLoad8UAt,
                Op::BrTableLoad32At { a: ACC, .. } => first::BrTableLoad32At,
                Op::BrIfNez { cond: ACC, .. } => first::BrIfNez,
                Op::BrIfEqz { cond: ACC, .. } => first::BrIfEqz,
                Op::Copy { src: ACC, .. } => first::Copy,
                Op::Select { cond: ACC, .. } => first::Select,
                Op::Select64 { cond: ACC, .. } => first::Select64,
                Op::Store32 { addr: ACC, .. } => first::Store32,
                Op::Store64 { addr: ACC, .. } => first::Store64,
                Op::Store8 { addr: ACC, .. } => first::Store8,
                Op::Store16 { addr: ACC, .. } => first::Store16,
                Op::Store32Wrap { addr: ACC, .. } => first::Store32Wrap,
                Op::Store32 { value: ACC, .. } => second::Store32,
                Op::Store64 { value: ACC, .. } => second::Store64,
                Op::Store8 { value: ACC, .. } => second::Store8,
                Op::Store16 { value: ACC, .. } => second::Store16,
                Op::Store32Wrap { value: ACC, .. } => second::Store32Wrap,
                Op::Store32Abs { value: ACC, .. } => second::Store32Abs,
                Op::Store64Abs { value: ACC, .. } => second::Store64Abs,
                Op::Store8Abs { value: ACC, .. } => second::Store8Abs,
                Op::Store16Abs { value: ACC, .. } => second::Store16Abs,
                Op::Store32WrapAbs { value: ACC, .. } => second::Store32WrapAbs,
                _ => return None,
            })
        }
    };
}

/// Whether values of `T` are integers.
const fn is_int_type<T: SlotValue>() -> bool {
    T::INT
}

crate::for_each_simd_op!(
    for_each_load_op for_each_branch_op for_each_numeric_op for_each_other_op define_acc_handlers [$]
);
