//! Strata's interpreter code: a slot machine.
//!
//! Every WebAssembly value that a function handles lives in an 8-byte *slot*
//! of the function's frame: first its parameters and locals, then one slot
//! per operand-stack position. Since the height of the WebAssembly operand
//! stack is known at every instruction, the translator names operands by
//! slot and the executor never pushes or pops. `local.get` emits nothing;
//! `i32.add` reading two locals into a temporary is one instruction.
//!
//! A `v128` takes two adjacent slots, its low half first (see
//! [`crate::slots`]); an instruction names a `v128` by its first slot.

use strata_environ::TrapCode;

/// The index of an 8-byte cell in a function's frame.
pub type Slot = u32;

/// A branch distance in instructions, relative to the branch itself.
pub type BranchOffset = i32;

/// A slot number that names no slot: an operand that reads the
/// accumulator instead, the integer result of the instruction before, or
/// for a float operand the float accumulator of its width (see
/// `crate::executor::accumulator`). Frames are far smaller.
pub const ACC: Slot = Slot::MAX;

/// A slot number that names no slot either: the value operand of a store
/// that reads a float accumulator (`Store64`'s the `f64` one, `Store32`'s
/// the `f32` one), the float result of the instruction before. A store's
/// operand has no type of its own, so it needs a name apart from [`ACC`];
/// a typed operand says which accumulator holds it.
pub const FACC: Slot = Slot::MAX - 1;

/// Whether results of a type go to the accumulator (integers do) or to a
/// float accumulator (`f64`s and `f32`s do, each to its own).
trait AccResult {
    const INT: bool;
    const FLOAT: bool = false;
}
macro_rules! acc_result {
    ($($t:ty => $v:expr),*) => {$( impl AccResult for $t { const INT: bool = $v; } )*};
}
acc_result!(i32 => true, u32 => true, i64 => true, u64 => true, bool => true);
impl AccResult for f32 {
    const INT: bool = false;
    const FLOAT: bool = true;
}
impl AccResult for f64 {
    const INT: bool = false;
    const FLOAT: bool = true;
}

macro_rules! define_op_enum {
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
        binary { $( $bname:ident $([$bimm:ident $(, $bcomm:ident)?])? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $tname:ident ($ta:ty, $tb:ty) -> $tr:ty = $tf:expr; )* }
        unary { $( $uname:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $vname:ident ($va:ty) -> $vr:ty = $vf:expr; )* }
        other { $( $(#[$odoc:meta])* $oname:ident $({ $($ofield:ident : $oty:ty),* $(,)? })? ),* $(,)? }
    ) => {
        /// One interpreter instruction. Slots are frame-relative.
        ///
        /// `repr(u16)` puts the variant's number in the first two bytes;
        /// it indexes [`HANDLERS`], where a translated function's
        /// [`Instr`](crate::instr::Instr)s get their handlers (and a
        /// `br_table` its targets'). Fields narrower than a slot come first
        /// so that every variant fits in 16 bytes.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[repr(u16)]
        pub enum Op {
            $(
                #[doc = concat!("`", stringify!($bname), "`: `dst = a op b`.")]
                $bname { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($tname), "`: `dst = a op b`; may trap.")]
                $tname { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($uname), "`: `dst = op a`.")]
                $uname { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($vname), "`: `dst = op a`; may trap.")]
                $vname { dst: Slot, a: Slot },
            )*
            $( $(
                #[doc = concat!("`", stringify!($bname), "` with an immediate right operand.")]
                $bimm { dst: Slot, a: Slot, imm: i32 },
            )? )*
            $(
                #[doc = concat!("Branch if `", stringify!($btest), "` holds for `a` and `b`.")]
                $brname { a: Slot, b: Slot, offset: BranchOffset },
                #[doc = concat!("Branch if `", stringify!($btest), "` holds for `a` and `imm`.")]
                $brimm { a: Slot, imm: i32, offset: BranchOffset },
            )*
            $(
                #[doc = concat!("`", stringify!($lname), "`: `dst = mem[addr + offset]`.")]
                $lname { dst: Slot, addr: Slot, offset: u32 },
                #[doc = concat!("`", stringify!($lname), "` at `a + imm` (32-bit wrapping).")]
                $lat { dst: Slot, a: Slot, imm: i32 },
                #[doc = concat!("`", stringify!($lname), "` at `a + b` (32-bit wrapping).")]
                $lidx { dst: Slot, a: Slot, b: Slot },
                #[doc = concat!("`", stringify!($lname), "` at `a + (b << shift)` (32-bit wrapping).")]
                $lshl { shift: u8, dst: Slot, a: Slot, b: Slot },
                #[doc = concat!("`", stringify!($lname), "` at a constant address.")]
                $labs { dst: Slot, ea: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($su), "`: `v128 dst = op v128 a`.")]
                $su { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($sb), "`: `v128 dst = v128 a op v128 b`.")]
                $sb { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($st), "`: `v128 dst = op(a, b, c)`; `c` is the `Operand` that follows.")]
                $st { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($ss), "`: `v128 dst = v128 a shifted by i32 b`.")]
                $ss { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($sq), "`: `i32 dst = test(v128 a)`.")]
                $sq { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($sp), "`: `v128 dst = splat(scalar a)`.")]
                $sp { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($se), "`: `scalar dst = v128 a[lane]`.")]
                $se { lane: u8, dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($sr), "`: `v128 dst = v128 a with [lane] = scalar b`.")]
                $sr { lane: u8, dst: Slot, a: Slot, b: Slot },
            )*
            $( $(#[$odoc])* $oname $({ $($ofield: $oty),* })?, )*
        }

        /// The executor's handler of each instruction, indexed by the
        /// instruction's variant number: the same lists in the same order
        /// as [`Op`] above.
        pub(crate) static HANDLERS: [crate::executor::Handler; 0 $( + { let _ = stringify!($bname); 1 } )*
            $( + { let _ = stringify!($tname); 1 } )*
            $( + { let _ = stringify!($uname); 1 } )*
            $( + { let _ = stringify!($vname); 1 } )*
            $( $( + { let _ = stringify!($bimm); 1 } )? )*
            $( + { let _ = stringify!($brname); 2 } )*
            $( + { let _ = stringify!($lat); 5 } )*
            $( + { let _ = stringify!($su); 1 } )*
            $( + { let _ = stringify!($sb); 1 } )*
            $( + { let _ = stringify!($st); 1 } )*
            $( + { let _ = stringify!($ss); 1 } )*
            $( + { let _ = stringify!($sq); 1 } )*
            $( + { let _ = stringify!($sp); 1 } )*
            $( + { let _ = stringify!($se); 1 } )*
            $( + { let _ = stringify!($sr); 1 } )*
            $( + { let _ = stringify!($oname); 1 } )*
        ] = {
            use crate::executor::handlers as h;
            [
                $( h::$bname, )*
                $( h::$tname, )*
                $( h::$uname, )*
                $( h::$vname, )*
                $( $( h::$bimm, )? )*
                $( h::$brname, h::$brimm, )*
                $( h::$lname, h::$lat, h::$lidx, h::$lshl, h::$labs, )*
                $( h::$su, )*
                $( h::$sb, )*
                $( h::$st, )*
                $( h::$ss, )*
                $( h::$sq, )*
                $( h::$sp, )*
                $( h::$se, )*
                $( h::$sr, )*
                $( h::$oname, )*
            ]
        };

        impl Op {
            /// The slot this instruction writes its single result to, if it
            /// has one, so that the translator can retarget it to a local.
            pub fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $( Op::$bname { dst, .. } => Some(dst), )*
                    $( Op::$tname { dst, .. } => Some(dst), )*
                    $( Op::$uname { dst, .. } => Some(dst), )*
                    $( Op::$vname { dst, .. } => Some(dst), )*
                    $( $( Op::$bimm { dst, .. } => Some(dst), )? )*
                    $( Op::$lname { dst, .. } | Op::$lat { dst, .. } | Op::$lidx { dst, .. } | Op::$lshl { dst, .. } | Op::$labs { dst, .. } => Some(dst), )*
                    Op::I32AddShl { dst, .. }
                    | Op::I32XorShl { dst, .. }
                    | Op::I32XorShrU { dst, .. }
                    | Op::I32ShrUAnd { dst, .. }
                    | Op::I32AddBits { dst, .. }
                    | Op::I32Bits { dst, .. }
                    | Op::F32AddMul { dst, .. }
                    | Op::F32MulAdd { dst, .. }
                    | Op::F64AddMul { dst, .. }
                    | Op::F64MulAdd { dst, .. }
                    | Op::F32x4AddMul { dst, .. }
                    | Op::F32x4MulAdd { dst, .. }
                    | Op::F64x2AddMul { dst, .. }
                    | Op::F64x2MulAdd { dst, .. }
                    | Op::I32AddMul { dst, .. }
                    | Op::I64AddMul { dst, .. } => Some(dst),
                    $( Op::$su { dst, .. } => Some(dst), )*
                    $( Op::$sb { dst, .. } => Some(dst), )*
                    $( Op::$st { dst, .. } => Some(dst), )*
                    $( Op::$ss { dst, .. } => Some(dst), )*
                    $( Op::$sq { dst, .. } => Some(dst), )*
                    $( Op::$sp { dst, .. } => Some(dst), )*
                    $( Op::$se { dst, .. } => Some(dst), )*
                    $( Op::$sr { dst, .. } => Some(dst), )*
                    Op::I8x16Shuffle { dst, .. }
                    | Op::V128Load { dst, .. }
                    | Op::V128Load8x8S { dst, .. }
                    | Op::V128Load8x8U { dst, .. }
                    | Op::V128Load16x4S { dst, .. }
                    | Op::V128Load16x4U { dst, .. }
                    | Op::V128Load32x2S { dst, .. }
                    | Op::V128Load32x2U { dst, .. }
                    | Op::V128Load8Splat { dst, .. }
                    | Op::V128Load16Splat { dst, .. }
                    | Op::V128Load32Splat { dst, .. }
                    | Op::V128Load64Splat { dst, .. }
                    | Op::V128Load32Zero { dst, .. }
                    | Op::V128Load64Zero { dst, .. }
                    | Op::V128Load8Lane { dst, .. }
                    | Op::V128Load16Lane { dst, .. }
                    | Op::V128Load32Lane { dst, .. }
                    | Op::V128Load64Lane { dst, .. }
                    | Op::GlobalGetV128 { dst, .. }
                    | Op::SelectV128 { dst, .. } => Some(dst),
                    Op::Copy { dst, .. }
                    | Op::Select { dst, .. }
                    | Op::Select64 { dst, .. }
                    | Op::Const { dst, .. }
                    | Op::RefIsNull { dst, .. }
                    | Op::RefFunc { dst, .. }
                    | Op::GlobalGet { dst, .. }
                    | Op::GlobalGetDefined { dst, .. }
                    | Op::MemorySize { dst }
                    | Op::MemoryGrow { dst, .. }
                    | Op::TableGet { dst, .. }
                    | Op::TableSize { dst, .. } => Some(dst),
                    _ => None,
                }
            }

            /// The compare-and-branch instruction that fuses this comparison
            /// (or bitwise `and`, whose result is tested for nonzero) with a
            /// branch taken when it holds (or, with `negate`, when it does
            /// not).
            // The bit tests share `I32And` (see `isa.rs`): its second arm
            // is never reached.
            #[allow(unreachable_patterns)]
            pub fn fuse_branch(self, negate: bool) -> Option<Op> {
                match self {
                    $(
                        Op::$cmp { a, b, .. } => Some(if negate {
                            Op::$nbr { a, b, offset: 0 }
                        } else {
                            Op::$brname { a, b, offset: 0 }
                        }),
                        Op::$cmpimm { a, imm, .. } => Some(if negate {
                            Op::$nbrimm { a, imm, offset: 0 }
                        } else {
                            Op::$brimm { a, imm, offset: 0 }
                        }),
                    )*
                    Op::I32Eqz { a, .. } => Some(if negate {
                        Op::BrIfNez { cond: a, offset: 0 }
                    } else {
                        Op::BrIfEqz { cond: a, offset: 0 }
                    }),
                    _ => None,
                }
            }

            /// Fuses the address computation `prev` (an `i32.add` whose result
            /// only this load uses) into `load`, a load with offset 0.
            pub fn fuse_address(load: Op, prev: Op) -> Option<Op> {
                match (load, prev) {
                    $(
                        (Op::$lname { dst, offset: 0, .. }, Op::I32AddImm { a, imm, .. }) => {
                            Some(Op::$lat { dst, a, imm })
                        }
                        (Op::$lname { dst, offset: 0, .. }, Op::I32Add { a, b, .. }) => {
                            Some(Op::$lidx { dst, a, b })
                        }
                        (Op::$lname { dst, offset: 0, .. }, Op::I32AddShl { a, b, shift, .. }) => {
                            Some(Op::$lshl { dst, a, b, shift })
                        }
                    )*
                    _ => None,
                }
            }

            /// `load` (with any address slot) reading at the constant address
            /// `ea` instead.
            pub fn at_constant_address(load: Op, ea: u32) -> Option<Op> {
                match load {
                    $( Op::$lname { dst, .. } => Some(Op::$labs { dst, ea }), )*
                    Op::Store32 { value, .. } => Some(Op::Store32Abs { value, ea }),
                    Op::Store64 { value, .. } => Some(Op::Store64Abs { value, ea }),
                    Op::Store8 { value, .. } => Some(Op::Store8Abs { value, ea }),
                    Op::Store16 { value, .. } => Some(Op::Store16Abs { value, ea }),
                    Op::Store32Wrap { value, .. } => Some(Op::Store32WrapAbs { value, ea }),
                    _ => None,
                }
            }

            /// The instruction's variant number: its handler's index in
            /// `HANDLERS`.
            #[inline(always)]
            pub fn variant_number(&self) -> u16 {
                // SAFETY: `Op` is `repr(u16)`: every variant starts with
                // its number as a `u16` (a `repr(C)` union of `repr(C)`
                // structs, each beginning with the tag).
                unsafe { *(self as *const Op).cast::<u16>() }
            }

            /// The branch offset of a branch instruction.
            pub fn branch_offset_mut(&mut self) -> Option<&mut BranchOffset> {
                match self {
                    $( Op::$brname { offset, .. } | Op::$brimm { offset, .. } => Some(offset), )*
                    Op::Br { offset }
                    | Op::BrTableEntry { offset, .. }
                    | Op::BrIfNez { offset, .. }
                    | Op::BrIfEqz { offset, .. } => Some(offset),
                    _ => None,
                }
            }

            /// The slot this instruction writes if its handler also leaves
            /// the value in the accumulator (an integer result of a
            /// numeric instruction, a load, a copy, a constant, a `select`
            /// or a defined global's `global.get`): the
            /// instruction after it may read the value from there.
            pub fn acc_dst(&self) -> Option<Slot> {
                match *self {
                    $( Op::$bname { dst, .. } if <$br as AccResult>::INT => Some(dst), )*
                    $( $( Op::$bimm { dst, .. } if <$br as AccResult>::INT => Some(dst), )? )*
                    $( Op::$tname { dst, .. } if <$tr as AccResult>::INT => Some(dst), )*
                    $( Op::$uname { dst, .. } if <$ur as AccResult>::INT => Some(dst), )*
                    $( Op::$vname { dst, .. } if <$vr as AccResult>::INT => Some(dst), )*
                    $(
                        Op::$lname { dst, .. }
                        | Op::$lat { dst, .. }
                        | Op::$lidx { dst, .. }
                        | Op::$lshl { dst, .. }
                        | Op::$labs { dst, .. } => Some(dst),
                    )*
                    Op::Copy { dst, .. }
                    | Op::Const { dst, .. }
                    | Op::I32AddShl { dst, .. }
                    | Op::I32XorShl { dst, .. }
                    | Op::I32XorShrU { dst, .. }
                    | Op::I32ShrUAnd { dst, .. }
                    | Op::I32AddBits { dst, .. }
                    | Op::I32Bits { dst, .. }
                    | Op::I32AddMul { dst, .. }
                    | Op::I64AddMul { dst, .. }
                    | Op::GlobalGetDefined { dst, .. }
                    | Op::Select { dst, .. }
                    | Op::Select64 { dst, .. } => Some(dst),
                    _ => None,
                }
            }

            /// The slot this instruction writes if its handler also leaves
            /// the value in a float accumulator (a float result of a
            /// numeric instruction or a load, in the accumulator of its
            /// width): the instruction after it may read the value from
            /// there if it reads a float.
            pub fn facc_dst(&self) -> Option<Slot> {
                match *self {
                    $( Op::$bname { dst, .. } if <$br as AccResult>::FLOAT => Some(dst), )*
                    $( $( Op::$bimm { dst, .. } if <$br as AccResult>::FLOAT => Some(dst), )? )*
                    $( Op::$tname { dst, .. } if <$tr as AccResult>::FLOAT => Some(dst), )*
                    $( Op::$uname { dst, .. } if <$ur as AccResult>::FLOAT => Some(dst), )*
                    $( Op::$vname { dst, .. } if <$vr as AccResult>::FLOAT => Some(dst), )*
                    $(
                        Op::$lname { dst, .. }
                        | Op::$lat { dst, .. }
                        | Op::$lidx { dst, .. }
                        | Op::$lshl { dst, .. }
                        | Op::$labs { dst, .. } if <$lvia as AccResult>::FLOAT => Some(dst),
                    )*
                    Op::F64AddMul { dst, .. }
                    | Op::F64MulAdd { dst, .. }
                    | Op::F32AddMul { dst, .. }
                    | Op::F32MulAdd { dst, .. } => Some(dst),
                    _ => None,
                }
            }

            /// The immediate form of a binary instruction, if it has one.
            pub fn with_imm(self, imm: i32) -> Option<Op> {
                match self {
                    $( $( Op::$bname { dst, a, .. } => Some(Op::$bimm { dst, a, imm }), )? )*
                    _ => None,
                }
            }
        }
    };
}
/// Invokes `$m!` with the instructions written out by hand (after any
/// extra tokens given): those that no table above generates.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_other_op {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            other {
                /// `i8x16.shuffle`: the lane mask is a `v128` in the slots the
                /// `Operand` that follows names.
                I8x16Shuffle { dst: Slot, a: Slot, b: Slot },
                /// `v128.load`.
                V128Load { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load8x8_s`.
                V128Load8x8S { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load8x8_u`.
                V128Load8x8U { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load16x4_s`.
                V128Load16x4S { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load16x4_u`.
                V128Load16x4U { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load32x2_s`.
                V128Load32x2S { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load32x2_u`.
                V128Load32x2U { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load8_splat`.
                V128Load8Splat { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load16_splat`.
                V128Load16Splat { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load32_splat`.
                V128Load32Splat { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load64_splat`.
                V128Load64Splat { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load32_zero`.
                V128Load32Zero { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load64_zero`.
                V128Load64Zero { dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load8_lane`: the vector is the `Operand` that follows.
                V128Load8Lane { lane: u8, dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load16_lane`, as `V128Load8Lane`.
                V128Load16Lane { lane: u8, dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load32_lane`, as `V128Load8Lane`.
                V128Load32Lane { lane: u8, dst: Slot, addr: Slot, offset: u32 },
                /// `v128.load64_lane`, as `V128Load8Lane`.
                V128Load64Lane { lane: u8, dst: Slot, addr: Slot, offset: u32 },
                /// `v128.store`.
                V128Store { addr: Slot, value: Slot, offset: u32 },
                /// `v128.store8_lane`.
                V128Store8Lane { lane: u8, addr: Slot, value: Slot, offset: u32 },
                /// `v128.store16_lane`.
                V128Store16Lane { lane: u8, addr: Slot, value: Slot, offset: u32 },
                /// `v128.store32_lane`.
                V128Store32Lane { lane: u8, addr: Slot, value: Slot, offset: u32 },
                /// `v128.store64_lane`.
                V128Store64Lane { lane: u8, addr: Slot, value: Slot, offset: u32 },
                /// `global.get` of a `v128` global.
                GlobalGetV128 { dst: Slot, global: u32 },
                /// `global.set` of a `v128` global.
                GlobalSetV128 { global: u32, src: Slot },
                /// `select` of `v128`s: `dst = cond != 0 ? a : b`; `b` is the
                /// `Operand` that follows.
                SelectV128 { dst: Slot, cond: Slot, a: Slot },
                /// `i32.store`/`f32.store` at a constant address.
                Store32Abs { value: Slot, ea: u32 },
                /// `i64.store`/`f64.store` at a constant address.
                Store64Abs { value: Slot, ea: u32 },
                /// `i32.store8`/`i64.store8` at a constant address.
                Store8Abs { value: Slot, ea: u32 },
                /// `i32.store16`/`i64.store16` at a constant address.
                Store16Abs { value: Slot, ea: u32 },
                /// `i64.store32` at a constant address.
                Store32WrapAbs { value: Slot, ea: u32 },
                /// `dst = a + (b << shift)` (32-bit, wrapping): array indexing.
                I32AddShl { shift: u8, dst: Slot, a: Slot, b: Slot },
                /// `dst = a ^ (b << shift)` (32-bit): a step of a xorshift
                /// generator or hash (`x ^= x << 13`).
                I32XorShl { shift: u8, dst: Slot, a: Slot, b: Slot },
                /// `dst = a ^ (b >> shift)` (32-bit, unsigned shift), as
                /// [`Op::I32XorShl`].
                I32XorShrU { shift: u8, dst: Slot, a: Slot, b: Slot },
                /// `dst = (a >> shift) & mask` (32-bit): a bit field.
                I32ShrUAnd { shift: u8, dst: Slot, a: Slot, mask: u32 },
                /// `dst = a + field` (32-bit, wrapping), where `field` is a
                /// contiguous bit field of `b` moved by the three shifts
                /// packed in `shifts` (see [`bit_field_shifts`]): a bytecode
                /// VM indexing its registers by an operand of its
                /// instruction word.
                I32AddBits { shifts: u16, dst: Slot, a: Slot, b: Slot },
                /// `dst = field`, a contiguous bit field of `a` moved by
                /// `shifts` (see [`bit_field_shifts`]): `(a & mask) << k` or
                /// `((a >> j) & mask) << k`, a VM's opcode scaled to index a
                /// table.
                I32Bits { shifts: u16, dst: Slot, a: Slot },
                /// `dst = c + a * b` in `i32` (wrapping); `c` is the
                /// `Operand` that follows. Integer products summed: a
                /// matrix product's or a hash's inner loop.
                I32AddMul { dst: Slot, a: Slot, b: Slot },
                /// `dst = c + a * b` in `i64` (wrapping).
                I64AddMul { dst: Slot, a: Slot, b: Slot },
                /// `dst = c + a * b` in `f32`, rounded after each operation
                /// as `f32.mul` then `f32.add` compute it (never a fused
                /// multiply-add); `c` is the `Operand` that follows.
                F32AddMul { dst: Slot, a: Slot, b: Slot },
                /// `dst = a * b + c` in `f32`, as [`Op::F32AddMul`] with the
                /// product as the left operand of the addition.
                F32MulAdd { dst: Slot, a: Slot, b: Slot },
                /// `dst = c + a * b` in `f64` (see [`Op::F32AddMul`]).
                F64AddMul { dst: Slot, a: Slot, b: Slot },
                /// `dst = a * b + c` in `f64` (see [`Op::F32MulAdd`]).
                F64MulAdd { dst: Slot, a: Slot, b: Slot },
                /// `v128 dst = c + a * b` lane-wise in `f32x4`, rounded twice
                /// (see [`Op::F32AddMul`]); `c` is the `Operand` that follows.
                F32x4AddMul { dst: Slot, a: Slot, b: Slot },
                /// `v128 dst = a * b + c` lane-wise in `f32x4`.
                F32x4MulAdd { dst: Slot, a: Slot, b: Slot },
                /// `v128 dst = c + a * b` lane-wise in `f64x2`.
                F64x2AddMul { dst: Slot, a: Slot, b: Slot },
                /// `v128 dst = a * b + c` lane-wise in `f64x2`.
                F64x2MulAdd { dst: Slot, a: Slot, b: Slot },
                /// Traps with the given code.
                Trap { code: TrapCode },
                /// Interrupts execution if the store's epoch deadline has passed
                /// (function entry and loop headers, when the engine asks).
                EpochCheck,
                /// Charges a region's fuel (see `strata_environ::fuel`).
                ConsumeFuel { amount: u32 },
                /// Traps with `all fuel consumed` if no fuel is left.
                FuelCheck,
                /// Counts down the function's tier-up budget (function entry
                /// and loop headers of a tiered module). `offset` is the
                /// loop's byte offset in the module, where on-stack replacement
                /// may enter compiled code; 0 at function entry, `u32::MAX` at
                /// a loop that cannot be entered (values on the stack).
                Heat { offset: u32 },
                /// `dst = src`.
                Copy { dst: Slot, src: Slot },
                /// `dst = value` (32-bit values are zero-extended).
                Const { dst: Slot, value: u64 },
                /// A `Copy`, then the `Copy` after it, in one dispatch (see
                /// `translator/pairs.rs`): the second stays in place as the
                /// pair's data and leaves its result in the accumulator.
                CopyAndCopy { dst: Slot, src: Slot },
                /// A `Copy`, then the `Const` after it.
                CopyAndConst { dst: Slot, src: Slot },
                /// A `Copy`, then the `I32AddImm` after it.
                CopyAndI32AddImm { dst: Slot, src: Slot },
                /// A `Const`, then the `Copy` after it.
                ConstAndCopy { dst: Slot, value: u64 },
                /// A `Const`, then the `Const` after it.
                ConstAndConst { dst: Slot, value: u64 },
                /// A `Const`, then the `I32AddImm` after it.
                ConstAndI32AddImm { dst: Slot, value: u64 },
                /// An `I32AddImm`, then the `Copy` after it.
                I32AddImmAndCopy { dst: Slot, a: Slot, imm: i32 },
                /// An `I32AddImm`, then the `Const` after it.
                I32AddImmAndConst { dst: Slot, a: Slot, imm: i32 },
                /// An `I32AddImm`, then the `I32AddImm` after it.
                I32AddImmAndI32AddImm { dst: Slot, a: Slot, imm: i32 },
                /// Copies the `v128` in `src`, `src + 1` to `dst`, `dst + 1`
                /// with one 16-byte access: a vector read soon after must not
                /// meet two 8-byte writes, which the CPU cannot forward to
                /// it (a store-forwarding stall of a dozen cycles).
                CopyV128 { dst: Slot, src: Slot },
                /// The `v128` whose low half is `value` and whose high half
                /// is the value of the `Const` to `dst + 1` that follows (and
                /// is skipped), written with one 16-byte store (see
                /// `CopyV128`); the high half is left in the accumulator, as
                /// that `Const` would.
                ConstV128 { dst: Slot, value: u64 },
                /// Unconditional jump.
                Br { offset: BranchOffset },
                /// Jump if `cond` (an i32) is not zero.
                BrIfNez { cond: Slot, offset: BranchOffset },
                /// Jump if `cond` (an i32) is zero.
                BrIfEqz { cond: Slot, offset: BranchOffset },
                /// Jump to the target of entry `min(index + bias, len)`
                /// (wrapping 32-bit addition) of the `len + 1`
                /// `BrTableEntry` instructions that follow. The bias is the
                /// `i32.add` or `i32.sub` of a constant that a `switch`
                /// whose first case is not 0 puts before its `br_table`.
                BrTable { index: Slot, len: u32, bias: i32 },
                /// `br_table` on the `u8` at `addr + offset`, plus `bias`
                /// (as [`Op::BrTable`]; the entries follow): a bytecode VM
                /// dispatching on the opcode it just read, the load fused.
                BrTableLoad8U { len: u16, addr: Slot, offset: u32, bias: i16 },
                /// `br_table` on the `i32` at `addr + offset`, plus `bias`.
                BrTableLoad32 { len: u16, addr: Slot, offset: u32, bias: i16 },
                /// `br_table` on the `u8` at `a + imm` (32-bit wrapping, as
                /// `I32Load8UAt`), plus `bias`.
                BrTableLoad8UAt { len: u16, a: Slot, imm: i32, bias: i16 },
                /// `br_table` on the `i32` at `a + imm` (32-bit wrapping, as
                /// `I32LoadAt`), plus `bias`: a VM's opcode mapped through
                /// a table in memory.
                BrTableLoad32At { len: u16, a: Slot, imm: i32, bias: i16 },
                /// An entry of the `BrTable` before it: a branch by `offset`
                /// from the entry, and the variant number of the instruction
                /// there (filled in when the function's code is complete),
                /// so that `BrTable` finds the next handler without reading
                /// the target first. A bytecode VM's dispatch loop waits on
                /// this chain of loads after every mispredicted jump.
                BrTableEntry { next_op: u16, offset: BranchOffset },
                /// Return without results.
                Return0,
                /// Return one value: the caller finds it in the callee's slot 0.
                Return1 { src: Slot },
                /// Return `count` values stored from `src` on.
                ReturnMany { src: Slot, count: u32 },
                /// Call a function defined by this module. Its frame starts at
                /// `base`, where the arguments are and the results will be.
                Call { func: u32, base: Slot },
                /// Call through the instance's function reference `func`
                /// (imports, or any function that may live in another tier).
                CallRef { func: u32, base: Slot },
                /// `call_indirect`: the table index follows the arguments,
                /// which take `params` slots.
                CallIndirect { params: u16, base: Slot, table: u32, ty: u32 },
                /// `select`: `dst = cond != 0 ? a : b`; `b` is the `Operand`
                /// that follows.
                Select { dst: Slot, cond: Slot, a: Slot },
                /// `select` on an `i64` condition: `dst = cond != 0 ? a : b`;
                /// `b` is the `Operand` that follows (a `select` whose
                /// condition was an `i64.eqz`, operands swapped).
                Select64 { dst: Slot, cond: Slot, a: Slot },
                /// An extra operand of the preceding instruction.
                Operand { slot: Slot },
                /// `ref.is_null`.
                RefIsNull { dst: Slot, a: Slot },
                /// `ref.func`.
                RefFunc { dst: Slot, func: u32 },
                /// `global.get`.
                GlobalGet { dst: Slot, global: u32 },
                /// `global.set`.
                GlobalSet { global: u32, src: Slot },
                /// `global.get` of the instance's defined global `defined`
                /// (counted after the imported ones): read from the
                /// instance's block of globals, one load less than through
                /// the array of all of them.
                GlobalGetDefined { dst: Slot, defined: u32 },
                /// `global.set` of defined global `defined`.
                GlobalSetDefined { defined: u32, src: Slot },
                /// `i32.store` and `f32.store`: `mem[addr + offset] = value`.
                Store32 { addr: Slot, value: Slot, offset: u32 },
                /// `i64.store` and `f64.store`.
                Store64 { addr: Slot, value: Slot, offset: u32 },
                /// `i32.store8` and `i64.store8`.
                Store8 { addr: Slot, value: Slot, offset: u32 },
                /// `i32.store16` and `i64.store16`.
                Store16 { addr: Slot, value: Slot, offset: u32 },
                /// `i64.store32`.
                Store32Wrap { addr: Slot, value: Slot, offset: u32 },
                /// Makes memory `mem` the one the next instruction accesses
                /// (multi-memory): the translator puts `SelectMemory { mem }`
                /// before an access to a memory other than 0 and
                /// `SelectMemory { mem: 0 }` right after it, so memory 0 stays
                /// in the loop's registers everywhere else.
                SelectMemory { mem: u32 },
                /// `memory.copy` from memory `src_mem` into the selected one.
                MemoryCopyFrom { base: Slot, src_mem: u32 },
                /// `memory.size`.
                MemorySize { dst: Slot },
                /// `memory.grow`.
                MemoryGrow { dst: Slot, delta: Slot },
                /// `memory.fill`: destination, value, length from `base` on.
                MemoryFill { base: Slot },
                /// `memory.copy`: destination, source, length from `base` on.
                MemoryCopy { base: Slot },
                /// `memory.init`: destination, source, length from `base` on.
                MemoryInit { base: Slot, data: u32 },
                /// `data.drop`.
                DataDrop { data: u32 },
                /// `table.get`.
                TableGet { dst: Slot, index: Slot, table: u32 },
                /// `table.set`.
                TableSet { index: Slot, value: Slot, table: u32 },
                /// `table.size`.
                TableSize { dst: Slot, table: u32 },
                /// `table.grow`: init value, delta from `base` on; result at `base`.
                TableGrow { base: Slot, table: u32 },
                /// `table.fill`: index, value, length from `base` on.
                TableFill { base: Slot, table: u32 },
                /// `table.copy`: destination, source, length from `base` on.
                TableCopy { base: Slot, dst_table: u32, src_table: u32 },
                /// `table.init` of segment `elem`: destination, source, length
                /// from `base` on.
                TableInit { base: Slot, table: u32, elem: u32 },
                /// `elem.drop`.
                ElemDrop { elem: u32 },
            }
        }
    };
}

use crate::{for_each_branch_op, for_each_load_op, for_each_numeric_op};
crate::for_each_simd_op!(
    for_each_load_op for_each_branch_op for_each_numeric_op for_each_other_op define_op_enum
);

/// Packs the shifts that move the `width` bits of `x` from bit `from` on
/// to bit `to` (and clear every other bit) for [`Op::I32Bits`] and
/// [`Op::I32AddBits`]: `x` shifted right by `from` puts the field at bit
/// 0, left by `32 - width` drops what lies above it, and right by
/// `32 - width - to` puts it in place. Each shift is below 32 and takes
/// five bits.
///
/// # Panics
///
/// In debug builds, if the field does not fit in 32 bits at either end.
pub fn bit_field_shifts(from: u32, width: u32, to: u32) -> u16 {
    debug_assert!(width >= 1 && from + width <= 32 && to + width <= 32);
    let second = 32 - width;
    let third = 32 - width - to;
    (from | (second << 5) | (third << 10)) as u16
}

/// The bit field of `x` that `shifts` (from [`bit_field_shifts`]) selects,
/// in place. Each shift reads only its five bits: Rust's `wrapping_sh*`
/// mask the amount as x86's shift instructions do, so this is three shifts
/// and two more to unpack.
#[inline(always)]
pub fn bit_field(x: u32, shifts: u16) -> u32 {
    let s = u32::from(shifts);
    x.wrapping_shr(s).wrapping_shl(s >> 5).wrapping_shr(s >> 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_field_shifts_select_the_masked_bits() {
        let xs = [0u32, 1, 0x8000_0000, 0xdead_beef, u32::MAX, 0x1234_5678];
        for from in 0..32 {
            for to in 0..32 {
                for width in 1..=32 - from.max(to) {
                    let ones = u32::MAX >> (32 - width);
                    let packed = bit_field_shifts(from, width, to);
                    for x in xs {
                        assert_eq!(
                            bit_field(x, packed),
                            ((x >> from) & ones) << to,
                            "x {x:#x}: {width} bits from {from} to {to}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn op_is_sixteen_bytes() {
        // The executor streams through instructions; keep them compact.
        assert_eq!(std::mem::size_of::<Op>(), 16);
    }

    #[test]
    fn imm_forms_exist_for_common_ops() {
        let add = Op::I32Add { dst: 1, a: 2, b: 3 };
        assert_eq!(
            add.with_imm(7),
            Some(Op::I32AddImm {
                dst: 1,
                a: 2,
                imm: 7
            })
        );
        assert_eq!(Op::I32DivS { dst: 1, a: 2, b: 3 }.with_imm(7), None);
    }
}
