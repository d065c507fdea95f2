//! The numeric part of the instruction set, defined once.
//!
//! [`for_each_numeric_op!`] lists every numeric instruction with its operand
//! types and its semantics. The same list generates the [`crate::op::Op`]
//! variants, the translator's mapping from WebAssembly operators and the
//! executor's handlers, so the three can never disagree.
//!
//! Each group is handed to a callback macro:
//! - `binary`: `Name(A, B) -> R = f`, `f: fn(A, B) -> R`;
//! - `binary_trap`: as `binary`, `f` returns `Result<R, TrapCode>`;
//! - `unary`: `Name(A) -> R = f`;
//! - `unary_trap`: as `unary`, `f` returns `Result<R, TrapCode>`;
//!
//! A binary entry written `Name[NameImm](A, B)` also has a variant whose
//! right operand is an `i32` immediate (sign-extended for 64-bit operations);
//! `Name[NameImm, commutative]` marks an operation whose operands may be
//! swapped, so that a constant left operand becomes the immediate too.

/// Invokes `$m!` with the numeric instruction table (after any extra
/// tokens given, so that tables can be chained).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_numeric_op {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            binary {
                I32Add[I32AddImm, commutative](i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_add(b);
                I32Sub(i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_sub(b);
                I32Mul[I32MulImm, commutative](i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_mul(b);
                I32And[I32AndImm, commutative](i32, i32) -> i32 = |a: i32, b: i32| a & b;
                I32Or[I32OrImm, commutative](i32, i32) -> i32 = |a: i32, b: i32| a | b;
                I32Xor[I32XorImm, commutative](i32, i32) -> i32 = |a: i32, b: i32| a ^ b;
                I32Shl[I32ShlImm](i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_shl(b as u32);
                I32ShrS[I32ShrSImm](i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_shr(b as u32);
                I32ShrU[I32ShrUImm](u32, u32) -> u32 = |a: u32, b: u32| a.wrapping_shr(b);
                I32Rotl[I32RotlImm](u32, u32) -> u32 = |a: u32, b: u32| a.rotate_left(b);
                I32Rotr[I32RotrImm](u32, u32) -> u32 = |a: u32, b: u32| a.rotate_right(b);
                I32Eq[I32EqImm, commutative](i32, i32) -> bool = |a: i32, b: i32| a == b;
                I32Ne[I32NeImm, commutative](i32, i32) -> bool = |a: i32, b: i32| a != b;
                I32LtS[I32LtSImm](i32, i32) -> bool = |a: i32, b: i32| a < b;
                I32LtU[I32LtUImm](u32, u32) -> bool = |a: u32, b: u32| a < b;
                I32GtS[I32GtSImm](i32, i32) -> bool = |a: i32, b: i32| a > b;
                I32GtU[I32GtUImm](u32, u32) -> bool = |a: u32, b: u32| a > b;
                I32LeS[I32LeSImm](i32, i32) -> bool = |a: i32, b: i32| a <= b;
                I32LeU[I32LeUImm](u32, u32) -> bool = |a: u32, b: u32| a <= b;
                I32GeS[I32GeSImm](i32, i32) -> bool = |a: i32, b: i32| a >= b;
                I32GeU[I32GeUImm](u32, u32) -> bool = |a: u32, b: u32| a >= b;
                I64Add[I64AddImm, commutative](i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_add(b);
                I64Sub(i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_sub(b);
                I64Mul[I64MulImm, commutative](i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_mul(b);
                I64And[I64AndImm, commutative](i64, i64) -> i64 = |a: i64, b: i64| a & b;
                I64Or[I64OrImm, commutative](i64, i64) -> i64 = |a: i64, b: i64| a | b;
                I64Xor[I64XorImm, commutative](i64, i64) -> i64 = |a: i64, b: i64| a ^ b;
                I64Shl[I64ShlImm](i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_shl(b as u32);
                I64ShrS[I64ShrSImm](i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_shr(b as u32);
                I64ShrU[I64ShrUImm](u64, u64) -> u64 = |a: u64, b: u64| a.wrapping_shr(b as u32);
                I64Rotl[I64RotlImm](u64, u64) -> u64 = |a: u64, b: u64| a.rotate_left(b as u32);
                I64Rotr[I64RotrImm](u64, u64) -> u64 = |a: u64, b: u64| a.rotate_right(b as u32);
                I64Eq[I64EqImm, commutative](i64, i64) -> bool = |a: i64, b: i64| a == b;
                I64Ne[I64NeImm, commutative](i64, i64) -> bool = |a: i64, b: i64| a != b;
                I64LtS[I64LtSImm](i64, i64) -> bool = |a: i64, b: i64| a < b;
                I64LtU[I64LtUImm](u64, u64) -> bool = |a: u64, b: u64| a < b;
                I64GtS[I64GtSImm](i64, i64) -> bool = |a: i64, b: i64| a > b;
                I64GtU[I64GtUImm](u64, u64) -> bool = |a: u64, b: u64| a > b;
                I64LeS[I64LeSImm](i64, i64) -> bool = |a: i64, b: i64| a <= b;
                I64LeU[I64LeUImm](u64, u64) -> bool = |a: u64, b: u64| a <= b;
                I64GeS[I64GeSImm](i64, i64) -> bool = |a: i64, b: i64| a >= b;
                I64GeU[I64GeUImm](u64, u64) -> bool = |a: u64, b: u64| a >= b;
                F32Add(f32, f32) -> f32 = |a: f32, b: f32| a + b;
                F32Sub(f32, f32) -> f32 = |a: f32, b: f32| a - b;
                F32Mul(f32, f32) -> f32 = |a: f32, b: f32| a * b;
                F32Div(f32, f32) -> f32 = |a: f32, b: f32| a / b;
                F32Min(f32, f32) -> f32 = $crate::semantics::f32_min;
                F32Max(f32, f32) -> f32 = $crate::semantics::f32_max;
                F32Copysign(f32, f32) -> f32 = |a: f32, b: f32| a.copysign(b);
                F32Eq(f32, f32) -> bool = |a: f32, b: f32| a == b;
                F32Ne(f32, f32) -> bool = |a: f32, b: f32| a != b;
                F32Lt(f32, f32) -> bool = |a: f32, b: f32| a < b;
                F32Gt(f32, f32) -> bool = |a: f32, b: f32| a > b;
                F32Le(f32, f32) -> bool = |a: f32, b: f32| a <= b;
                F32Ge(f32, f32) -> bool = |a: f32, b: f32| a >= b;
                F64Add(f64, f64) -> f64 = |a: f64, b: f64| a + b;
                F64Sub(f64, f64) -> f64 = |a: f64, b: f64| a - b;
                F64Mul(f64, f64) -> f64 = |a: f64, b: f64| a * b;
                F64Div(f64, f64) -> f64 = |a: f64, b: f64| a / b;
                F64Min(f64, f64) -> f64 = $crate::semantics::f64_min;
                F64Max(f64, f64) -> f64 = $crate::semantics::f64_max;
                F64Copysign(f64, f64) -> f64 = |a: f64, b: f64| a.copysign(b);
                F64Eq(f64, f64) -> bool = |a: f64, b: f64| a == b;
                F64Ne(f64, f64) -> bool = |a: f64, b: f64| a != b;
                F64Lt(f64, f64) -> bool = |a: f64, b: f64| a < b;
                F64Gt(f64, f64) -> bool = |a: f64, b: f64| a > b;
                F64Le(f64, f64) -> bool = |a: f64, b: f64| a <= b;
                F64Ge(f64, f64) -> bool = |a: f64, b: f64| a >= b;
            }
            binary_trap {
                I32DivS(i32, i32) -> i32 = $crate::semantics::i32_div_s;
                I32DivU(u32, u32) -> u32 = $crate::semantics::i32_div_u;
                I32RemS(i32, i32) -> i32 = $crate::semantics::i32_rem_s;
                I32RemU(u32, u32) -> u32 = $crate::semantics::i32_rem_u;
                I64DivS(i64, i64) -> i64 = $crate::semantics::i64_div_s;
                I64DivU(u64, u64) -> u64 = $crate::semantics::i64_div_u;
                I64RemS(i64, i64) -> i64 = $crate::semantics::i64_rem_s;
                I64RemU(u64, u64) -> u64 = $crate::semantics::i64_rem_u;
            }
            unary {
                I32Eqz(i32) -> bool = |a: i32| a == 0;
                I32Clz(u32) -> u32 = |a: u32| a.leading_zeros();
                I32Ctz(u32) -> u32 = |a: u32| a.trailing_zeros();
                I32Popcnt(u32) -> u32 = |a: u32| a.count_ones();
                I32Extend8S(i32) -> i32 = |a: i32| a as i8 as i32;
                I32Extend16S(i32) -> i32 = |a: i32| a as i16 as i32;
                I32WrapI64(i64) -> i32 = |a: i64| a as i32;
                I64Eqz(i64) -> bool = |a: i64| a == 0;
                I64Clz(u64) -> u64 = |a: u64| u64::from(a.leading_zeros());
                I64Ctz(u64) -> u64 = |a: u64| u64::from(a.trailing_zeros());
                I64Popcnt(u64) -> u64 = |a: u64| u64::from(a.count_ones());
                I64Extend8S(i64) -> i64 = |a: i64| a as i8 as i64;
                I64Extend16S(i64) -> i64 = |a: i64| a as i16 as i64;
                I64Extend32S(i64) -> i64 = |a: i64| a as i32 as i64;
                I64ExtendI32S(i32) -> i64 = |a: i32| i64::from(a);
                I64ExtendI32U(u32) -> u64 = |a: u32| u64::from(a);
                F32Abs(f32) -> f32 = |a: f32| a.abs();
                F32Neg(f32) -> f32 = |a: f32| -a;
                F32Ceil(f32) -> f32 = $crate::semantics::f32_ceil;
                F32Floor(f32) -> f32 = $crate::semantics::f32_floor;
                F32Trunc(f32) -> f32 = $crate::semantics::f32_trunc;
                F32Nearest(f32) -> f32 = $crate::semantics::f32_nearest;
                F32Sqrt(f32) -> f32 = |a: f32| a.sqrt();
                F64Abs(f64) -> f64 = |a: f64| a.abs();
                F64Neg(f64) -> f64 = |a: f64| -a;
                F64Ceil(f64) -> f64 = $crate::semantics::f64_ceil;
                F64Floor(f64) -> f64 = $crate::semantics::f64_floor;
                F64Trunc(f64) -> f64 = $crate::semantics::f64_trunc;
                F64Nearest(f64) -> f64 = $crate::semantics::f64_nearest;
                F64Sqrt(f64) -> f64 = |a: f64| a.sqrt();
                F32ConvertI32S(i32) -> f32 = |a: i32| a as f32;
                F32ConvertI32U(u32) -> f32 = |a: u32| a as f32;
                F32ConvertI64S(i64) -> f32 = |a: i64| a as f32;
                F32ConvertI64U(u64) -> f32 = |a: u64| a as f32;
                F32DemoteF64(f64) -> f32 = |a: f64| a as f32;
                F64ConvertI32S(i32) -> f64 = |a: i32| f64::from(a);
                F64ConvertI32U(u32) -> f64 = |a: u32| f64::from(a);
                F64ConvertI64S(i64) -> f64 = |a: i64| a as f64;
                F64ConvertI64U(u64) -> f64 = |a: u64| a as f64;
                F64PromoteF32(f32) -> f64 = |a: f32| f64::from(a);
                I32TruncSatF32S(f32) -> i32 = |a: f32| a as i32;
                I32TruncSatF32U(f32) -> u32 = |a: f32| a as u32;
                I32TruncSatF64S(f64) -> i32 = |a: f64| a as i32;
                I32TruncSatF64U(f64) -> u32 = |a: f64| a as u32;
                I64TruncSatF32S(f32) -> i64 = |a: f32| a as i64;
                I64TruncSatF32U(f32) -> u64 = |a: f32| a as u64;
                I64TruncSatF64S(f64) -> i64 = |a: f64| a as i64;
                I64TruncSatF64U(f64) -> u64 = |a: f64| a as u64;
            }
            unary_trap {
                I32TruncF32S(f32) -> i32 = |a: f32| $crate::semantics::trunc_i32(f64::from(a));
                I32TruncF32U(f32) -> u32 = |a: f32| $crate::semantics::trunc_u32(f64::from(a));
                I32TruncF64S(f64) -> i32 = $crate::semantics::trunc_i32;
                I32TruncF64U(f64) -> u32 = $crate::semantics::trunc_u32;
                I64TruncF32S(f32) -> i64 = |a: f32| $crate::semantics::trunc_i64(f64::from(a));
                I64TruncF32U(f32) -> u64 = |a: f32| $crate::semantics::trunc_u64(f64::from(a));
                I64TruncF64S(f64) -> i64 = $crate::semantics::trunc_i64;
                I64TruncF64U(f64) -> u64 = $crate::semantics::trunc_u64;
            }
        }
    };
}

/// Invokes `$m!` with the fused compare-and-branch instructions: each entry
/// names the branch, its immediate form, the comparison it fuses (and that
/// comparison's immediate form), the branch of the negated comparison, and
/// the operand type and test.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_branch_op {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            branches {
            BrI32Eq BrI32EqImm = I32Eq I32EqImm, not BrI32Ne BrI32NeImm, i32, |a: i32, b: i32| a == b;
            BrI32Ne BrI32NeImm = I32Ne I32NeImm, not BrI32Eq BrI32EqImm, i32, |a: i32, b: i32| a != b;
            BrI32LtS BrI32LtSImm = I32LtS I32LtSImm, not BrI32GeS BrI32GeSImm, i32, |a: i32, b: i32| a < b;
            BrI32LtU BrI32LtUImm = I32LtU I32LtUImm, not BrI32GeU BrI32GeUImm, u32, |a: u32, b: u32| a < b;
            BrI32GtS BrI32GtSImm = I32GtS I32GtSImm, not BrI32LeS BrI32LeSImm, i32, |a: i32, b: i32| a > b;
            BrI32GtU BrI32GtUImm = I32GtU I32GtUImm, not BrI32LeU BrI32LeUImm, u32, |a: u32, b: u32| a > b;
            BrI32LeS BrI32LeSImm = I32LeS I32LeSImm, not BrI32GtS BrI32GtSImm, i32, |a: i32, b: i32| a <= b;
            BrI32LeU BrI32LeUImm = I32LeU I32LeUImm, not BrI32GtU BrI32GtUImm, u32, |a: u32, b: u32| a <= b;
            BrI32GeS BrI32GeSImm = I32GeS I32GeSImm, not BrI32LtS BrI32LtSImm, i32, |a: i32, b: i32| a >= b;
            BrI32GeU BrI32GeUImm = I32GeU I32GeUImm, not BrI32LtU BrI32LtUImm, u32, |a: u32, b: u32| a >= b;
            BrI64Eq BrI64EqImm = I64Eq I64EqImm, not BrI64Ne BrI64NeImm, i64, |a: i64, b: i64| a == b;
            BrI64Ne BrI64NeImm = I64Ne I64NeImm, not BrI64Eq BrI64EqImm, i64, |a: i64, b: i64| a != b;
            BrI64LtS BrI64LtSImm = I64LtS I64LtSImm, not BrI64GeS BrI64GeSImm, i64, |a: i64, b: i64| a < b;
            BrI64LtU BrI64LtUImm = I64LtU I64LtUImm, not BrI64GeU BrI64GeUImm, u64, |a: u64, b: u64| a < b;
            BrI64GtS BrI64GtSImm = I64GtS I64GtSImm, not BrI64LeS BrI64LeSImm, i64, |a: i64, b: i64| a > b;
            BrI64GtU BrI64GtUImm = I64GtU I64GtUImm, not BrI64LeU BrI64LeUImm, u64, |a: u64, b: u64| a > b;
            BrI64LeS BrI64LeSImm = I64LeS I64LeSImm, not BrI64GtS BrI64GtSImm, i64, |a: i64, b: i64| a <= b;
            BrI64LeU BrI64LeUImm = I64LeU I64LeUImm, not BrI64GtU BrI64GtUImm, u64, |a: u64, b: u64| a <= b;
            BrI64GeS BrI64GeSImm = I64GeS I64GeSImm, not BrI64LtS BrI64LtSImm, i64, |a: i64, b: i64| a >= b;
            BrI64GeU BrI64GeUImm = I64GeU I64GeUImm, not BrI64LtU BrI64LtUImm, u64, |a: u64, b: u64| a >= b;
            // Bit tests: `br_if`/`if` on an `i32.and` (a flag word, a
            // tag's bits). Both answer to `I32And`; `fuse_branch` takes
            // the first, whose negation is the second.
            BrI32AndNez BrI32AndNezImm = I32And I32AndImm, not BrI32AndEqz BrI32AndEqzImm, i32, |a: i32, b: i32| a & b != 0;
            BrI32AndEqz BrI32AndEqzImm = I32And I32AndImm, not BrI32AndNez BrI32AndNezImm, i32, |a: i32, b: i32| a & b == 0;
            }
        }
    };
}

/// Invokes `$m!` with the loads that have fused address forms: `NameAt`
/// reads at `a + imm`, `NameIdx` at `a + b` and `NameIdxShl` at
/// `a + (b << shift)`, all with 32-bit wrapping as the `i32.add` (and
/// `i32.shl`) then a load with offset 0 would compute; `NameAbs` reads at a
/// constant address (a constant address operand plus the offset).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_load_op {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            loads {
                I32Load I32LoadAt I32LoadIdx I32LoadIdxShl I32LoadAbs (u32 => u32);
                I64Load I64LoadAt I64LoadIdx I64LoadIdxShl I64LoadAbs (u64 => u64);
                F32Load F32LoadAt F32LoadIdx F32LoadIdxShl F32LoadAbs (f32 => f32);
                F64Load F64LoadAt F64LoadIdx F64LoadIdxShl F64LoadAbs (f64 => f64);
                I32Load8S I32Load8SAt I32Load8SIdx I32Load8SIdxShl I32Load8SAbs (i8 => i32);
                I32Load8U I32Load8UAt I32Load8UIdx I32Load8UIdxShl I32Load8UAbs (u8 => u32);
                I32Load16S I32Load16SAt I32Load16SIdx I32Load16SIdxShl I32Load16SAbs (i16 => i32);
                I32Load16U I32Load16UAt I32Load16UIdx I32Load16UIdxShl I32Load16UAbs (u16 => u32);
                I64Load8S I64Load8SAt I64Load8SIdx I64Load8SIdxShl I64Load8SAbs (i8 => i64);
                I64Load8U I64Load8UAt I64Load8UIdx I64Load8UIdxShl I64Load8UAbs (u8 => u64);
                I64Load16S I64Load16SAt I64Load16SIdx I64Load16SIdxShl I64Load16SAbs (i16 => i64);
                I64Load16U I64Load16UAt I64Load16UIdx I64Load16UIdxShl I64Load16UAbs (u16 => u64);
                I64Load32S I64Load32SAt I64Load32SIdx I64Load32SIdxShl I64Load32SAbs (i32 => i64);
                I64Load32U I64Load32UAt I64Load32UIdx I64Load32UIdxShl I64Load32UAbs (u32 => u64);
            }
        }
    };
}
