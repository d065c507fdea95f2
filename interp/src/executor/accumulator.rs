//! The accumulators: the last integer or float result, kept in a machine
//! register.
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
//! A float result has a register of its own, the *float accumulator* of
//! its width (`facc` for an `f64`, `facc32` for an `f32`: floating-point
//! arguments, so they stay in vector registers and never cross to the
//! integer file, and a value keeps its exact bits, NaN payloads
//! included). A numeric instruction or load with a float result
//! ([`Op::facc_dst`]) leaves it there, and a float operand that reads it
//! is named [`ACC`] as well: the operand's type says which register holds
//! it. Only a store's value, which has no type, needs a name of its own,
//! [`FACC`] (the store's width says which register); and the fused
//! multiply-adds, which the numeric tables do not describe, have handlers
//! for one factor or both in the register ([`float`], [`float_second`],
//! [`float_square`]). The integer xor-shifts, which may read the same
//! value twice, have a form for both operands as well ([`int_both`]).
//! A loop of float arithmetic otherwise waits on a store and a reload
//! between every two of its operations.
//!
//! [`Op::acc_dst`]: crate::op::Op::acc_dst
//! [`Op::facc_dst`]: crate::op::Op::facc_dst
//! [`Instr::new`]: crate::instr::Instr::new

use super::*;
use crate::op::{ACC, FACC, Slot};

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
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $bname { dst, a, b } {
                let r: $br = ($bf)(<$ba>::from_acc(acc, facc, facc32), <$bb>::from_slot(slot!(b)));
                put!(dst, r);
                next!();
            }); )*
            $( $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $bimm { dst, a, imm } {
                let r: $br = ($bf)(<$ba>::from_acc(acc, facc, facc32), <$bb>::from_imm(imm));
                put!(dst, r);
                next!();
            }); )? )*
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $tname { dst, a, b } {
                match ($tf)(<$ta>::from_acc(acc, facc, facc32), <$tb>::from_slot(slot!(b))) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $uname { dst, a } {
                let r: $ur = ($uf)(<$ua>::from_acc(acc, facc, facc32));
                put!(dst, r);
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $vname { dst, a } {
                match ($vf)(<$va>::from_acc(acc, facc, facc32)) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $(
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $brname { a, b, offset } {
                    if ($btest)(<$bty>::from_acc(acc, facc, facc32), <$bty>::from_slot(slot!(b))) {
                        jump!(offset);
                    }
                    next!();
                });
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $brimm { a, imm, offset } {
                    if ($btest)(<$bty>::from_acc(acc, facc, facc32), <$bty>::from_imm(imm)) {
                        jump!(offset);
                    }
                    next!();
                });
            )*
            $(
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lname { dst, addr, offset } {
                    load_at!(dst, u64::from(acc as u32) + u64::from(offset), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lat { dst, a, imm } {
                    load_at!(dst, u64::from((acc as u32).wrapping_add(imm as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lidx { dst, a, b } {
                    load_at!(dst, u64::from((acc as u32).wrapping_add(slot!(b) as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lshl { shift, dst, a, b } {
                    let ea = (acc as u32).wrapping_add((slot!(b) as u32).wrapping_shl(u32::from(shift)));
                    load_at!(dst, u64::from(ea), $lty, $lvia)
                });
            )*
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrIfNez { cond, offset } {
                if acc as u32 != 0 {
                    jump!(offset);
                }
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrIfEqz { cond, offset } {
                if acc as u32 == 0 {
                    jump!(offset);
                }
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Copy { dst, src } {
                put!(dst, acc);
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Select { dst, cond, a } {
                let b = operand!(a);
                put!(dst, if acc as u32 != 0 { slot!(a) } else { slot!(b) });
                ip = ip.add(2);
                dispatch!()
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Select64 { dst, cond, a } {
                let b = operand!(a);
                put!(dst, if acc != 0 { slot!(a) } else { slot!(b) });
                ip = ip.add(2);
                dispatch!()
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddShl { shift, dst, a, b } {
                put!(dst, add_shl(acc, slot!(b), shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShl { shift, dst, a, b } {
                put!(dst, xor_shl(acc, slot!(b), shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShrU { shift, dst, a, b } {
                put!(dst, xor_shr_u(acc, slot!(b), shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32ShrUAnd { shift, dst, a, mask } {
                put!(dst, shr_and(acc, shift, mask));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddBits { shifts, dst, a, b } {
                put!(dst, add_bits(acc, slot!(b), shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32Bits { shifts, dst, a } {
                put!(dst, crate::op::bit_field(acc as u32, shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Return1 { src } {
                slot!(0) = acc;
                return_to_caller!()
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; GlobalSetDefined { defined, src } {
                (*(*(*vm).vmctx).defined_globals.add(defined as usize)).storage = ValRaw::from_u64(acc);
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTable { index, len, bias } {
                br_table!(acc as u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad8U { len, addr, offset, bias } {
                br_table_on!(u64::from(acc as u32) + u64::from(offset), u8, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad32 { len, addr, offset, bias } {
                br_table_on!(u64::from(acc as u32) + u64::from(offset), u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad8UAt { len, a, imm, bias } {
                br_table_on!(u64::from((acc as u32).wrapping_add(imm as u32)), u8, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; BrTableLoad32At { len, a, imm, bias } {
                br_table_on!(u64::from((acc as u32).wrapping_add(imm as u32)), u32, len, bias)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u64)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store8 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u8)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store16 { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u16)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Wrap { addr, value, offset } {
                store_at!(u64::from(acc as u32) + u64::from(offset), slot!(value), u32)
            });
        }

        /// Handlers whose second operand (`b`, a store's value, an indexed
        /// load's index) is the accumulator.
        pub(crate) mod second {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            #![allow(clippy::redundant_closure_call)]
            use super::*;
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $bname { dst, a, b } {
                let r: $br = ($bf)(<$ba>::from_slot(slot!(a)), <$bb>::from_acc(acc, facc, facc32));
                put!(dst, r);
                next!();
            }); )*
            $( handler!($d ip fp mem_base mem_len vm acc facc facc32; $tname { dst, a, b } {
                match ($tf)(<$ta>::from_slot(slot!(a)), <$tb>::from_acc(acc, facc, facc32)) {
                    Ok(r) => put!(dst, r),
                    Err(code) => trap!(code),
                }
                next!();
            }); )*
            $(
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $brname { a, b, offset } {
                    if ($btest)(<$bty>::from_slot(slot!(a)), <$bty>::from_acc(acc, facc, facc32)) {
                        jump!(offset);
                    }
                    next!();
                });
            )*
            $(
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lidx { dst, a, b } {
                    load_at!(dst, u64::from((slot!(a) as u32).wrapping_add(acc as u32)), $lty, $lvia)
                });
                handler!($d ip fp mem_base mem_len vm acc facc facc32; $lshl { shift, dst, a, b } {
                    let ea = (slot!(a) as u32).wrapping_add((acc as u32).wrapping_shl(u32::from(shift)));
                    load_at!(dst, u64::from(ea), $lty, $lvia)
                });
            )*
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddShl { shift, dst, a, b } {
                put!(dst, add_shl(slot!(a), acc, shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShl { shift, dst, a, b } {
                put!(dst, xor_shl(slot!(a), acc, shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShrU { shift, dst, a, b } {
                put!(dst, xor_shr_u(slot!(a), acc, shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32AddBits { shifts, dst, a, b } {
                put!(dst, add_bits(slot!(a), acc, shifts));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u64)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store8 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u8)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store16 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u16)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Wrap { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Abs { value, ea } {
                store_at!(u64::from(ea), acc, u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64Abs { value, ea } {
                store_at!(u64::from(ea), acc, u64)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store8Abs { value, ea } {
                store_at!(u64::from(ea), acc, u8)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store16Abs { value, ea } {
                store_at!(u64::from(ea), acc, u16)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32WrapAbs { value, ea } {
                store_at!(u64::from(ea), acc, u32)
            });
        }

        /// The xor-shifts of one value with itself (`x ^ (x << k)`, a
        /// xorshift step): both operands are the accumulator.
        pub(crate) mod int_both {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            use super::*;
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShl { shift, dst, a, b } {
                put!(dst, xor_shl(acc, acc, shift));
                next!();
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; I32XorShrU { shift, dst, a, b } {
                put!(dst, xor_shr_u(acc, acc, shift));
                next!();
            });
        }

        /// The fused multiply-adds of a square: both factors are the float
        /// accumulator.
        pub(crate) mod float_square {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            use super::*;
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32AddMul { dst, a, b } {
                mul_add!(f32, dst, a, c_first, facc32, facc32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32MulAdd { dst, a, b } {
                mul_add!(f32, dst, a, c_last, facc32, facc32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64AddMul { dst, a, b } {
                mul_add!(f64, dst, a, c_first, facc, facc)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64MulAdd { dst, a, b } {
                mul_add!(f64, dst, a, c_last, facc, facc)
            });
        }

        /// The fused multiply-adds whose second factor is the float
        /// accumulator. (The factors keep their order: which NaN a product
        /// of two NaNs returns depends on it, and the other tiers multiply
        /// in the order the code gives.)
        pub(crate) mod float_second {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            use super::*;
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64AddMul { dst, a, b } {
                mul_add!(f64, dst, a, c_first, f64::from_slot(slot!(a)), facc)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64MulAdd { dst, a, b } {
                mul_add!(f64, dst, a, c_last, f64::from_slot(slot!(a)), facc)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32AddMul { dst, a, b } {
                mul_add!(f32, dst, a, c_first, f32::from_slot(slot!(a)), facc32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32MulAdd { dst, a, b } {
                mul_add!(f32, dst, a, c_last, f32::from_slot(slot!(a)), facc32)
            });
        }

        /// Handlers that read the float accumulator where the operand's
        /// type does not say so: a store's value (named [`FACC`]), and the
        /// fused multiply-adds (whose operands the numeric tables do not
        /// describe) with the register as their first factor.
        pub(crate) mod float {
            #![allow(non_snake_case, unused_mut, unused_variables, unused_assignments, unused_macros)]
            use super::*;
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32AddMul { dst, a, b } {
                mul_add!(f32, dst, a, c_first, facc32, f32::from_slot(slot!(b)))
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F32MulAdd { dst, a, b } {
                mul_add!(f32, dst, a, c_last, facc32, f32::from_slot(slot!(b)))
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), u64::from(facc32.to_bits()), u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store32Abs { value, ea } {
                store_at!(u64::from(ea), u64::from(facc32.to_bits()), u32)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64AddMul { dst, a, b } {
                mul_add!(f64, dst, a, c_first, facc, f64::from_slot(slot!(b)))
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; F64MulAdd { dst, a, b } {
                mul_add!(f64, dst, a, c_last, facc, f64::from_slot(slot!(b)))
            });

            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64 { addr, value, offset } {
                store_at!(u64::from(slot!(addr) as u32) + u64::from(offset), facc.to_bits(), u64)
            });
            handler!($d ip fp mem_base mem_len vm acc facc facc32; Store64Abs { value, ea } {
                store_at!(u64::from(ea), facc.to_bits(), u64)
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
                | Op::I32XorShl { .. }
                | Op::I32XorShrU { .. }
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

        /// Whether [`with_facc`] may rewrite an instruction of `op`'s
        /// variant for some slot.
        pub(crate) fn may_read_facc(op: &Op) -> bool {
            match op {
                $( Op::$bname { .. } => is_float_type::<$ba>() || is_float_type::<$bb>(), )*
                $( Op::$uname { .. } => is_float_type::<$ua>(), )*
                $( Op::$vname { .. } => is_float_type::<$va>(), )*
                Op::Store64 { .. }
                | Op::Store64Abs { .. }
                | Op::Store32 { .. }
                | Op::Store32Abs { .. }
                | Op::F64AddMul { .. }
                | Op::F64MulAdd { .. }
                | Op::F32AddMul { .. }
                | Op::F32MulAdd { .. } => true,
                _ => false,
            }
        }

        /// `op` with its float operand that reads slot `d` reading a float
        /// accumulator instead (named [`ACC`] too: the operand's type says
        /// which accumulator holds it), if it has a handler for that; the
        /// first operand wins when both read `d`. `d` must be the
        /// destination of an instruction that leaves its result in the
        /// float accumulator of its width ([`Op::facc_dst`]): then `d`
        /// holds a float of that width, and so does any float operand that
        /// reads it (a reinterpretation reads it as an integer, which is
        /// no float operand, and is left alone).
        pub(crate) fn with_facc(op: Op, d: Slot) -> Option<Op> {
            let op = match op {
                $(
                    Op::$bname { dst, a, b } if a == d && is_float_type::<$ba>() => Op::$bname { dst, a: ACC, b },
                    Op::$bname { dst, a, b } if b == d && is_float_type::<$bb>() => Op::$bname { dst, a, b: ACC },
                )*
                $( Op::$uname { dst, a } if a == d && is_float_type::<$ua>() => Op::$uname { dst, a: ACC }, )*
                $( Op::$vname { dst, a } if a == d && is_float_type::<$va>() => Op::$vname { dst, a: ACC }, )*
                Op::Store64 { addr, value, offset } if value == d && addr != d => Op::Store64 { addr, value: FACC, offset },
                Op::Store64Abs { value, ea } if value == d => Op::Store64Abs { value: FACC, ea },
                Op::Store32 { addr, value, offset } if value == d && addr != d => Op::Store32 { addr, value: FACC, offset },
                Op::Store32Abs { value, ea } if value == d => Op::Store32Abs { value: FACC, ea },
                // Either factor, or both. (The addend, an `Operand`, stays a
                // slot.)
                Op::F64AddMul { dst, a, b } if a == d || b == d => Op::F64AddMul {
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
                Op::F64MulAdd { dst, a, b } if a == d || b == d => Op::F64MulAdd {
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
                Op::F32AddMul { dst, a, b } if a == d || b == d => Op::F32AddMul {
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
                Op::F32MulAdd { dst, a, b } if a == d || b == d => Op::F32MulAdd {
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
                _ => return None,
            };
            Some(op)
        }

        /// `op` with its operand that reads slot `d` reading the
        /// accumulator instead, if it has a handler for that ([`handler`]
        /// then gives it); the first operand wins when both read `d`.
        /// Floating-point operands are left alone: a float result goes to
        /// a float accumulator instead ([`with_facc`]), and moving bits
        /// between register files would cost what the store forwarding
        /// does.
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
                // Either operand, or both: a xorshift step (`x ^= x << k`)
                // reads its input twice.
                Op::I32XorShl { shift, dst, a, b } if a == d || b == d => Op::I32XorShl {
                    shift,
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
                Op::I32XorShrU { shift, dst, a, b } if a == d || b == d => Op::I32XorShrU {
                    shift,
                    dst,
                    a: if a == d { ACC } else { a },
                    b: if b == d { ACC } else { b },
                },
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
                    Op::$bname { a: ACC, .. } if acc_type::<$ba>() => first::$bname,
                    Op::$bname { b: ACC, .. } if acc_type::<$bb>() => second::$bname,
                )*
                $( $( Op::$bimm { a: ACC, .. } if acc_type::<$ba>() => first::$bimm, )? )*
                $(
                    Op::$tname { a: ACC, .. } => first::$tname,
                    Op::$tname { b: ACC, .. } => second::$tname,
                )*
                $( Op::$uname { a: ACC, .. } if acc_type::<$ua>() => first::$uname, )*
                $( Op::$vname { a: ACC, .. } if acc_type::<$va>() => first::$vname, )*
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
                Op::I32XorShl { a: ACC, b: ACC, .. } => int_both::I32XorShl,
                Op::I32XorShrU { a: ACC, b: ACC, .. } => int_both::I32XorShrU,
                Op::I32XorShl { a: ACC, .. } => first::I32XorShl,
                Op::I32XorShl { b: ACC, .. } => second::I32XorShl,
                Op::I32XorShrU { a: ACC, .. } => first::I32XorShrU,
                Op::I32XorShrU { b: ACC, .. } => second::I32XorShrU,
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
                Op::Store64 { value: FACC, .. } => float::Store64,
                Op::F64AddMul { a: ACC, b: ACC, .. } => float_square::F64AddMul,
                Op::F64MulAdd { a: ACC, b: ACC, .. } => float_square::F64MulAdd,
                Op::F64AddMul { a: ACC, .. } => float::F64AddMul,
                Op::F64AddMul { b: ACC, .. } => float_second::F64AddMul,
                Op::F64MulAdd { a: ACC, .. } => float::F64MulAdd,
                Op::F64MulAdd { b: ACC, .. } => float_second::F64MulAdd,
                Op::Store64Abs { value: FACC, .. } => float::Store64Abs,
                Op::Store32 { value: FACC, .. } => float::Store32,
                Op::Store32Abs { value: FACC, .. } => float::Store32Abs,
                Op::F32AddMul { a: ACC, b: ACC, .. } => float_square::F32AddMul,
                Op::F32MulAdd { a: ACC, b: ACC, .. } => float_square::F32MulAdd,
                Op::F32AddMul { a: ACC, .. } => float::F32AddMul,
                Op::F32AddMul { b: ACC, .. } => float_second::F32AddMul,
                Op::F32MulAdd { a: ACC, .. } => float::F32MulAdd,
                Op::F32MulAdd { b: ACC, .. } => float_second::F32MulAdd,
                _ => return None,
            })
        }
    };
}

/// Whether values of `T` are integers.
const fn is_int_type<T: SlotValue>() -> bool {
    T::INT
}

/// Whether values of `T` are floats (`f32` or `f64`).
const fn is_float_type<T: SlotValue>() -> bool {
    T::F64 || T::F32
}

/// Whether an operand of type `T` can be read from an accumulator: the
/// integer one, or the float one of its width.
const fn acc_type<T: SlotValue>() -> bool {
    T::INT || T::F64 || T::F32
}

crate::for_each_simd_op!(
    for_each_load_op for_each_branch_op for_each_numeric_op for_each_other_op define_acc_handlers [$]
);
