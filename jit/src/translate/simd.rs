//! Fixed-width SIMD (`v128`) operators to Cranelift's vector types.
//!
//! Every `v128` on the translator's operand stack, in a local, a block
//! parameter or a call is an `I8X16`, the type `clif_type` gives `v128`, so
//! that values of differently-laned operations meet at block boundaries.
//! An operator bitcasts its operands to the lane type it works on and its
//! result back; between vector types a bitcast costs nothing on x86-64
//! (the register is the same), and Cranelift folds pairs of them.
//!
//! Most operators are one Cranelift instruction whose semantics were
//! designed after WebAssembly's (`swizzle` zeroes out-of-range lanes,
//! `fmin`/`fmax` propagate NaN, `unarrow` reads signed input). The rest are
//! short sequences that Cranelift's x86-64 backend recognizes as one
//! instruction where SSE has one (the dot product, `pmin`/`pmax`, the
//! zero-extending conversions).

use super::FuncTranslator;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value, types,
};
use wasmparser::Operator;

use types::{F32X4, F64X2, I8X16, I16X8, I32X4, I64X2};

/// Flags for bitcasts between vector types: lane order is little-endian.
fn lanes_le() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

impl FuncTranslator<'_, '_, '_> {
    /// Pops a `v128` as a vector of type `ty`.
    fn pop_v(&mut self, ty: Type) -> Value {
        let v = self.pop();
        self.as_vector(v, ty)
    }

    fn as_vector(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            v
        } else {
            self.b.ins().bitcast(ty, lanes_le(), v)
        }
    }

    /// Pushes a vector of any type as the canonical `I8X16`.
    fn push_v(&mut self, v: Value) {
        let v = self.as_vector(v, I8X16);
        self.push(v);
    }

    fn vconst(&mut self, ty: Type, bytes: [u8; 16]) -> Value {
        let c = self
            .b
            .func
            .dfg
            .constants
            .insert(ConstantData::from(bytes.to_vec()));
        self.b.ins().vconst(ty, c)
    }

    /// SIMD operators; `false` for anything else.
    pub(super) fn simd(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        let flags = MemFlagsData::new();
        macro_rules! un {
            ($ty:expr, $m:ident) => {{
                let a = self.pop_v($ty);
                let v = self.b.ins().$m(a);
                self.push_v(v);
            }};
        }
        macro_rules! bin {
            ($ty:expr, $m:ident) => {{
                let b = self.pop_v($ty);
                let a = self.pop_v($ty);
                let v = self.b.ins().$m(a, b);
                self.push_v(v);
            }};
        }
        macro_rules! icmp {
            ($ty:expr, $cc:ident) => {{
                let b = self.pop_v($ty);
                let a = self.pop_v($ty);
                let v = self.b.ins().icmp(IntCC::$cc, a, b);
                self.push_v(v);
            }};
        }
        macro_rules! fcmp {
            ($ty:expr, $cc:ident) => {{
                let b = self.pop_v($ty);
                let a = self.pop_v($ty);
                let v = self.b.ins().fcmp(FloatCC::$cc, a, b);
                self.push_v(v);
            }};
        }
        macro_rules! shift {
            ($ty:expr, $m:ident) => {{
                let s = self.pop();
                let a = self.pop_v($ty);
                // The count is taken modulo the lane width.
                let s = self.b.ins().band_imm_s(s, i64::from($ty.lane_bits() - 1));
                let v = self.b.ins().$m(a, s);
                self.push_v(v);
            }};
        }
        macro_rules! splat {
            ($ty:expr) => {{
                let mut x = self.pop();
                let lane = $ty.lane_type();
                if lane.is_int() && lane.bits() < self.b.func.dfg.value_type(x).bits() {
                    x = self.b.ins().ireduce(lane, x);
                }
                let v = self.b.ins().splat($ty, x);
                self.push_v(v);
            }};
        }
        macro_rules! extract {
            ($ty:expr, $lane:expr) => {{
                let a = self.pop_v($ty);
                let v = self.b.ins().extractlane(a, $lane);
                self.push(v);
            }};
            ($ty:expr, $lane:expr, $ext:ident) => {{
                let a = self.pop_v($ty);
                let v = self.b.ins().extractlane(a, $lane);
                let v = self.b.ins().$ext(types::I32, v);
                self.push(v);
            }};
        }
        macro_rules! replace {
            ($ty:expr, $lane:expr) => {{
                let mut x = self.pop();
                let a = self.pop_v($ty);
                let lane = $ty.lane_type();
                if lane.is_int() && lane.bits() < self.b.func.dfg.value_type(x).bits() {
                    x = self.b.ins().ireduce(lane, x);
                }
                let v = self.b.ins().insertlane(a, x, $lane);
                self.push_v(v);
            }};
        }
        // `op(widen_low(a), widen_low(b))` and friends: extending multiply.
        macro_rules! ext_mul {
            ($ty:expr, $widen:ident) => {{
                let b = self.pop_v($ty);
                let a = self.pop_v($ty);
                let a = self.b.ins().$widen(a);
                let b = self.b.ins().$widen(b);
                let v = self.b.ins().imul(a, b);
                self.push_v(v);
            }};
        }
        macro_rules! ext_add_pairwise {
            ($ty:expr, $low:ident, $high:ident) => {{
                let a = self.pop_v($ty);
                let lo = self.b.ins().$low(a);
                let hi = self.b.ins().$high(a);
                let v = self.b.ins().iadd_pairwise(lo, hi);
                self.push_v(v);
            }};
        }
        macro_rules! load_ext {
            ($m:ident, $memarg:expr) => {{
                let addr = self.pop();
                let ea = self.heap_addr(addr, $memarg, 8);
                let v = self.b.ins().$m(flags, ea, 0);
                self.push_v(v);
            }};
        }
        macro_rules! load_splat {
            ($ty:expr, $memarg:expr) => {{
                let addr = self.pop();
                let lane = $ty.lane_type();
                let ea = self.heap_addr(addr, $memarg, lane.bytes());
                let x = self.b.ins().load(lane, flags, ea, 0);
                let v = self.b.ins().splat($ty, x);
                self.push_v(v);
            }};
        }
        macro_rules! load_zero {
            ($ty:expr, $memarg:expr) => {{
                let addr = self.pop();
                let lane = $ty.lane_type();
                let ea = self.heap_addr(addr, $memarg, lane.bytes());
                let x = self.b.ins().load(lane, flags, ea, 0);
                let v = self.b.ins().scalar_to_vector($ty, x);
                self.push_v(v);
            }};
        }
        macro_rules! load_lane {
            ($ty:expr, $memarg:expr, $lane:expr) => {{
                let a = self.pop_v($ty);
                let addr = self.pop();
                let lane = $ty.lane_type();
                let ea = self.heap_addr(addr, $memarg, lane.bytes());
                let x = self.b.ins().load(lane, flags, ea, 0);
                let v = self.b.ins().insertlane(a, x, $lane);
                self.push_v(v);
            }};
        }
        macro_rules! store_lane {
            ($ty:expr, $memarg:expr, $lane:expr) => {{
                let a = self.pop_v($ty);
                let addr = self.pop();
                let lane = $ty.lane_type();
                let ea = self.heap_addr(addr, $memarg, lane.bytes());
                let x = self.b.ins().extractlane(a, $lane);
                self.b.ins().store(flags, x, ea, 0);
            }};
        }
        match *op {
            O::V128Load { memarg } => {
                let addr = self.pop();
                let ea = self.heap_addr(addr, memarg, 16);
                let v = self.b.ins().load(I8X16, flags, ea, 0);
                self.push(v);
            }
            O::V128Store { memarg } => {
                let v = self.pop_v(I8X16);
                let addr = self.pop();
                let ea = self.heap_addr(addr, memarg, 16);
                self.b.ins().store(flags, v, ea, 0);
            }
            O::V128Load8x8S { memarg } => load_ext!(sload8x8, memarg),
            O::V128Load8x8U { memarg } => load_ext!(uload8x8, memarg),
            O::V128Load16x4S { memarg } => load_ext!(sload16x4, memarg),
            O::V128Load16x4U { memarg } => load_ext!(uload16x4, memarg),
            O::V128Load32x2S { memarg } => load_ext!(sload32x2, memarg),
            O::V128Load32x2U { memarg } => load_ext!(uload32x2, memarg),
            O::V128Load8Splat { memarg } => load_splat!(I8X16, memarg),
            O::V128Load16Splat { memarg } => load_splat!(I16X8, memarg),
            O::V128Load32Splat { memarg } => load_splat!(I32X4, memarg),
            O::V128Load64Splat { memarg } => load_splat!(I64X2, memarg),
            O::V128Load32Zero { memarg } => load_zero!(I32X4, memarg),
            O::V128Load64Zero { memarg } => load_zero!(I64X2, memarg),
            O::V128Load8Lane { memarg, lane } => load_lane!(I8X16, memarg, lane),
            O::V128Load16Lane { memarg, lane } => load_lane!(I16X8, memarg, lane),
            O::V128Load32Lane { memarg, lane } => load_lane!(I32X4, memarg, lane),
            O::V128Load64Lane { memarg, lane } => load_lane!(I64X2, memarg, lane),
            O::V128Store8Lane { memarg, lane } => store_lane!(I8X16, memarg, lane),
            O::V128Store16Lane { memarg, lane } => store_lane!(I16X8, memarg, lane),
            O::V128Store32Lane { memarg, lane } => store_lane!(I32X4, memarg, lane),
            O::V128Store64Lane { memarg, lane } => store_lane!(I64X2, memarg, lane),
            O::V128Const { value } => {
                let v = self.vconst(I8X16, *value.bytes());
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => {
                let b = self.pop_v(I8X16);
                let a = self.pop_v(I8X16);
                let mask = self
                    .b
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(lanes.to_vec()));
                let v = self.b.ins().shuffle(a, b, mask);
                self.push(v);
            }
            O::I8x16ExtractLaneS { lane } => extract!(I8X16, lane, sextend),
            O::I8x16ExtractLaneU { lane } => extract!(I8X16, lane, uextend),
            O::I16x8ExtractLaneS { lane } => extract!(I16X8, lane, sextend),
            O::I16x8ExtractLaneU { lane } => extract!(I16X8, lane, uextend),
            O::I32x4ExtractLane { lane } => extract!(I32X4, lane),
            O::I64x2ExtractLane { lane } => extract!(I64X2, lane),
            O::F32x4ExtractLane { lane } => extract!(F32X4, lane),
            O::F64x2ExtractLane { lane } => extract!(F64X2, lane),
            O::I8x16ReplaceLane { lane } => replace!(I8X16, lane),
            O::I16x8ReplaceLane { lane } => replace!(I16X8, lane),
            O::I32x4ReplaceLane { lane } => replace!(I32X4, lane),
            O::I64x2ReplaceLane { lane } => replace!(I64X2, lane),
            O::F32x4ReplaceLane { lane } => replace!(F32X4, lane),
            O::F64x2ReplaceLane { lane } => replace!(F64X2, lane),
            O::I8x16Swizzle => bin!(I8X16, swizzle),
            O::I8x16Splat => splat!(I8X16),
            O::I16x8Splat => splat!(I16X8),
            O::I32x4Splat => splat!(I32X4),
            O::I64x2Splat => splat!(I64X2),
            O::F32x4Splat => splat!(F32X4),
            O::F64x2Splat => splat!(F64X2),

            O::I8x16Eq => icmp!(I8X16, Equal),
            O::I8x16Ne => icmp!(I8X16, NotEqual),
            O::I8x16LtS => icmp!(I8X16, SignedLessThan),
            O::I8x16LtU => icmp!(I8X16, UnsignedLessThan),
            O::I8x16GtS => icmp!(I8X16, SignedGreaterThan),
            O::I8x16GtU => icmp!(I8X16, UnsignedGreaterThan),
            O::I8x16LeS => icmp!(I8X16, SignedLessThanOrEqual),
            O::I8x16LeU => icmp!(I8X16, UnsignedLessThanOrEqual),
            O::I8x16GeS => icmp!(I8X16, SignedGreaterThanOrEqual),
            O::I8x16GeU => icmp!(I8X16, UnsignedGreaterThanOrEqual),
            O::I16x8Eq => icmp!(I16X8, Equal),
            O::I16x8Ne => icmp!(I16X8, NotEqual),
            O::I16x8LtS => icmp!(I16X8, SignedLessThan),
            O::I16x8LtU => icmp!(I16X8, UnsignedLessThan),
            O::I16x8GtS => icmp!(I16X8, SignedGreaterThan),
            O::I16x8GtU => icmp!(I16X8, UnsignedGreaterThan),
            O::I16x8LeS => icmp!(I16X8, SignedLessThanOrEqual),
            O::I16x8LeU => icmp!(I16X8, UnsignedLessThanOrEqual),
            O::I16x8GeS => icmp!(I16X8, SignedGreaterThanOrEqual),
            O::I16x8GeU => icmp!(I16X8, UnsignedGreaterThanOrEqual),
            O::I32x4Eq => icmp!(I32X4, Equal),
            O::I32x4Ne => icmp!(I32X4, NotEqual),
            O::I32x4LtS => icmp!(I32X4, SignedLessThan),
            O::I32x4LtU => icmp!(I32X4, UnsignedLessThan),
            O::I32x4GtS => icmp!(I32X4, SignedGreaterThan),
            O::I32x4GtU => icmp!(I32X4, UnsignedGreaterThan),
            O::I32x4LeS => icmp!(I32X4, SignedLessThanOrEqual),
            O::I32x4LeU => icmp!(I32X4, UnsignedLessThanOrEqual),
            O::I32x4GeS => icmp!(I32X4, SignedGreaterThanOrEqual),
            O::I32x4GeU => icmp!(I32X4, UnsignedGreaterThanOrEqual),
            O::I64x2Eq => icmp!(I64X2, Equal),
            O::I64x2Ne => icmp!(I64X2, NotEqual),
            O::I64x2LtS => icmp!(I64X2, SignedLessThan),
            O::I64x2GtS => icmp!(I64X2, SignedGreaterThan),
            O::I64x2LeS => icmp!(I64X2, SignedLessThanOrEqual),
            O::I64x2GeS => icmp!(I64X2, SignedGreaterThanOrEqual),
            O::F32x4Eq => fcmp!(F32X4, Equal),
            O::F32x4Ne => fcmp!(F32X4, NotEqual),
            O::F32x4Lt => fcmp!(F32X4, LessThan),
            O::F32x4Gt => fcmp!(F32X4, GreaterThan),
            O::F32x4Le => fcmp!(F32X4, LessThanOrEqual),
            O::F32x4Ge => fcmp!(F32X4, GreaterThanOrEqual),
            O::F64x2Eq => fcmp!(F64X2, Equal),
            O::F64x2Ne => fcmp!(F64X2, NotEqual),
            O::F64x2Lt => fcmp!(F64X2, LessThan),
            O::F64x2Gt => fcmp!(F64X2, GreaterThan),
            O::F64x2Le => fcmp!(F64X2, LessThanOrEqual),
            O::F64x2Ge => fcmp!(F64X2, GreaterThanOrEqual),

            O::V128Not => un!(I8X16, bnot),
            O::V128And => bin!(I8X16, band),
            O::V128AndNot => bin!(I8X16, band_not),
            O::V128Or => bin!(I8X16, bor),
            O::V128Xor => bin!(I8X16, bxor),
            O::V128Bitselect => {
                let c = self.pop_v(I8X16);
                let b = self.pop_v(I8X16);
                let a = self.pop_v(I8X16);
                let v = self.b.ins().bitselect(c, a, b);
                self.push(v);
            }
            O::V128AnyTrue => {
                let a = self.pop_v(I8X16);
                let t = self.b.ins().vany_true(a);
                let v = self.b.ins().uextend(types::I32, t);
                self.push(v);
            }
            O::I8x16AllTrue | O::I16x8AllTrue | O::I32x4AllTrue | O::I64x2AllTrue => {
                let ty = match *op {
                    O::I8x16AllTrue => I8X16,
                    O::I16x8AllTrue => I16X8,
                    O::I32x4AllTrue => I32X4,
                    _ => I64X2,
                };
                let a = self.pop_v(ty);
                let t = self.b.ins().vall_true(a);
                let v = self.b.ins().uextend(types::I32, t);
                self.push(v);
            }
            O::I8x16Bitmask | O::I16x8Bitmask | O::I32x4Bitmask | O::I64x2Bitmask => {
                let ty = match *op {
                    O::I8x16Bitmask => I8X16,
                    O::I16x8Bitmask => I16X8,
                    O::I32x4Bitmask => I32X4,
                    _ => I64X2,
                };
                let a = self.pop_v(ty);
                let v = self.b.ins().vhigh_bits(types::I32, a);
                self.push(v);
            }

            O::I8x16Abs => un!(I8X16, iabs),
            O::I16x8Abs => un!(I16X8, iabs),
            O::I32x4Abs => un!(I32X4, iabs),
            O::I64x2Abs => un!(I64X2, iabs),
            O::I8x16Neg => un!(I8X16, ineg),
            O::I16x8Neg => un!(I16X8, ineg),
            O::I32x4Neg => un!(I32X4, ineg),
            O::I64x2Neg => un!(I64X2, ineg),
            O::I8x16Popcnt => un!(I8X16, popcnt),
            O::I8x16NarrowI16x8S => bin!(I16X8, snarrow),
            O::I8x16NarrowI16x8U => bin!(I16X8, unarrow),
            O::I16x8NarrowI32x4S => bin!(I32X4, snarrow),
            O::I16x8NarrowI32x4U => bin!(I32X4, unarrow),
            O::I8x16Shl => shift!(I8X16, ishl),
            O::I8x16ShrS => shift!(I8X16, sshr),
            O::I8x16ShrU => shift!(I8X16, ushr),
            O::I16x8Shl => shift!(I16X8, ishl),
            O::I16x8ShrS => shift!(I16X8, sshr),
            O::I16x8ShrU => shift!(I16X8, ushr),
            O::I32x4Shl => shift!(I32X4, ishl),
            O::I32x4ShrS => shift!(I32X4, sshr),
            O::I32x4ShrU => shift!(I32X4, ushr),
            O::I64x2Shl => shift!(I64X2, ishl),
            O::I64x2ShrS => shift!(I64X2, sshr),
            O::I64x2ShrU => shift!(I64X2, ushr),
            O::I8x16Add => bin!(I8X16, iadd),
            O::I16x8Add => bin!(I16X8, iadd),
            O::I32x4Add => bin!(I32X4, iadd),
            O::I64x2Add => bin!(I64X2, iadd),
            O::I8x16Sub => bin!(I8X16, isub),
            O::I16x8Sub => bin!(I16X8, isub),
            O::I32x4Sub => bin!(I32X4, isub),
            O::I64x2Sub => bin!(I64X2, isub),
            O::I16x8Mul => bin!(I16X8, imul),
            O::I32x4Mul => bin!(I32X4, imul),
            O::I64x2Mul => bin!(I64X2, imul),
            O::I8x16AddSatS => bin!(I8X16, sadd_sat),
            O::I8x16AddSatU => bin!(I8X16, uadd_sat),
            O::I8x16SubSatS => bin!(I8X16, ssub_sat),
            O::I8x16SubSatU => bin!(I8X16, usub_sat),
            O::I16x8AddSatS => bin!(I16X8, sadd_sat),
            O::I16x8AddSatU => bin!(I16X8, uadd_sat),
            O::I16x8SubSatS => bin!(I16X8, ssub_sat),
            O::I16x8SubSatU => bin!(I16X8, usub_sat),
            O::I8x16MinS => bin!(I8X16, smin),
            O::I8x16MinU => bin!(I8X16, umin),
            O::I8x16MaxS => bin!(I8X16, smax),
            O::I8x16MaxU => bin!(I8X16, umax),
            O::I16x8MinS => bin!(I16X8, smin),
            O::I16x8MinU => bin!(I16X8, umin),
            O::I16x8MaxS => bin!(I16X8, smax),
            O::I16x8MaxU => bin!(I16X8, umax),
            O::I32x4MinS => bin!(I32X4, smin),
            O::I32x4MinU => bin!(I32X4, umin),
            O::I32x4MaxS => bin!(I32X4, smax),
            O::I32x4MaxU => bin!(I32X4, umax),
            O::I8x16AvgrU => bin!(I8X16, avg_round),
            O::I16x8AvgrU => bin!(I16X8, avg_round),
            O::I16x8Q15MulrSatS => bin!(I16X8, sqmul_round_sat),
            O::I16x8ExtAddPairwiseI8x16S => ext_add_pairwise!(I8X16, swiden_low, swiden_high),
            O::I16x8ExtAddPairwiseI8x16U => ext_add_pairwise!(I8X16, uwiden_low, uwiden_high),
            O::I32x4ExtAddPairwiseI16x8S => ext_add_pairwise!(I16X8, swiden_low, swiden_high),
            O::I32x4ExtAddPairwiseI16x8U => ext_add_pairwise!(I16X8, uwiden_low, uwiden_high),
            O::I16x8ExtendLowI8x16S => un!(I8X16, swiden_low),
            O::I16x8ExtendHighI8x16S => un!(I8X16, swiden_high),
            O::I16x8ExtendLowI8x16U => un!(I8X16, uwiden_low),
            O::I16x8ExtendHighI8x16U => un!(I8X16, uwiden_high),
            O::I32x4ExtendLowI16x8S => un!(I16X8, swiden_low),
            O::I32x4ExtendHighI16x8S => un!(I16X8, swiden_high),
            O::I32x4ExtendLowI16x8U => un!(I16X8, uwiden_low),
            O::I32x4ExtendHighI16x8U => un!(I16X8, uwiden_high),
            O::I64x2ExtendLowI32x4S => un!(I32X4, swiden_low),
            O::I64x2ExtendHighI32x4S => un!(I32X4, swiden_high),
            O::I64x2ExtendLowI32x4U => un!(I32X4, uwiden_low),
            O::I64x2ExtendHighI32x4U => un!(I32X4, uwiden_high),
            O::I16x8ExtMulLowI8x16S => ext_mul!(I8X16, swiden_low),
            O::I16x8ExtMulHighI8x16S => ext_mul!(I8X16, swiden_high),
            O::I16x8ExtMulLowI8x16U => ext_mul!(I8X16, uwiden_low),
            O::I16x8ExtMulHighI8x16U => ext_mul!(I8X16, uwiden_high),
            O::I32x4ExtMulLowI16x8S => ext_mul!(I16X8, swiden_low),
            O::I32x4ExtMulHighI16x8S => ext_mul!(I16X8, swiden_high),
            O::I32x4ExtMulLowI16x8U => ext_mul!(I16X8, uwiden_low),
            O::I32x4ExtMulHighI16x8U => ext_mul!(I16X8, uwiden_high),
            O::I64x2ExtMulLowI32x4S => ext_mul!(I32X4, swiden_low),
            O::I64x2ExtMulHighI32x4S => ext_mul!(I32X4, swiden_high),
            O::I64x2ExtMulLowI32x4U => ext_mul!(I32X4, uwiden_low),
            O::I64x2ExtMulHighI32x4U => ext_mul!(I32X4, uwiden_high),
            O::I32x4DotI16x8S => {
                // Products of the widened halves, summed pairwise: the
                // backend turns this into one `pmaddwd`.
                let b = self.pop_v(I16X8);
                let a = self.pop_v(I16X8);
                let a_lo = self.b.ins().swiden_low(a);
                let b_lo = self.b.ins().swiden_low(b);
                let lo = self.b.ins().imul(a_lo, b_lo);
                let a_hi = self.b.ins().swiden_high(a);
                let b_hi = self.b.ins().swiden_high(b);
                let hi = self.b.ins().imul(a_hi, b_hi);
                let v = self.b.ins().iadd_pairwise(lo, hi);
                self.push_v(v);
            }

            O::F32x4Ceil => un!(F32X4, ceil),
            O::F32x4Floor => un!(F32X4, floor),
            O::F32x4Trunc => un!(F32X4, trunc),
            O::F32x4Nearest => un!(F32X4, nearest),
            O::F32x4Abs => un!(F32X4, fabs),
            O::F32x4Neg => un!(F32X4, fneg),
            O::F32x4Sqrt => un!(F32X4, sqrt),
            O::F32x4Add => bin!(F32X4, fadd),
            O::F32x4Sub => bin!(F32X4, fsub),
            O::F32x4Mul => bin!(F32X4, fmul),
            O::F32x4Div => bin!(F32X4, fdiv),
            O::F32x4Min => bin!(F32X4, fmin),
            O::F32x4Max => bin!(F32X4, fmax),
            O::F32x4PMin => self.pseudo_min_max(F32X4, true),
            O::F32x4PMax => self.pseudo_min_max(F32X4, false),
            O::F64x2Ceil => un!(F64X2, ceil),
            O::F64x2Floor => un!(F64X2, floor),
            O::F64x2Trunc => un!(F64X2, trunc),
            O::F64x2Nearest => un!(F64X2, nearest),
            O::F64x2Abs => un!(F64X2, fabs),
            O::F64x2Neg => un!(F64X2, fneg),
            O::F64x2Sqrt => un!(F64X2, sqrt),
            O::F64x2Add => bin!(F64X2, fadd),
            O::F64x2Sub => bin!(F64X2, fsub),
            O::F64x2Mul => bin!(F64X2, fmul),
            O::F64x2Div => bin!(F64X2, fdiv),
            O::F64x2Min => bin!(F64X2, fmin),
            O::F64x2Max => bin!(F64X2, fmax),
            O::F64x2PMin => self.pseudo_min_max(F64X2, true),
            O::F64x2PMax => self.pseudo_min_max(F64X2, false),
            O::I32x4TruncSatF32x4S => {
                let a = self.pop_v(F32X4);
                let v = self.b.ins().fcvt_to_sint_sat(I32X4, a);
                self.push_v(v);
            }
            O::I32x4TruncSatF32x4U => {
                let a = self.pop_v(F32X4);
                let v = self.b.ins().fcvt_to_uint_sat(I32X4, a);
                self.push_v(v);
            }
            O::F32x4ConvertI32x4S => {
                let a = self.pop_v(I32X4);
                let v = self.b.ins().fcvt_from_sint(F32X4, a);
                self.push_v(v);
            }
            O::F32x4ConvertI32x4U => {
                let a = self.pop_v(I32X4);
                let v = self.b.ins().fcvt_from_uint(F32X4, a);
                self.push_v(v);
            }
            O::I32x4TruncSatF64x2SZero | O::I32x4TruncSatF64x2UZero => {
                // Convert to 64-bit lanes, then narrow with zeros into the
                // high half (the backend matches the whole sequence).
                let signed = matches!(*op, O::I32x4TruncSatF64x2SZero);
                let a = self.pop_v(F64X2);
                let wide = if signed {
                    self.b.ins().fcvt_to_sint_sat(I64X2, a)
                } else {
                    self.b.ins().fcvt_to_uint_sat(I64X2, a)
                };
                let zero = self.vconst(I64X2, [0; 16]);
                let v = if signed {
                    self.b.ins().snarrow(wide, zero)
                } else {
                    self.b.ins().uunarrow(wide, zero)
                };
                self.push_v(v);
            }
            O::F64x2ConvertLowI32x4S => {
                let a = self.pop_v(I32X4);
                let wide = self.b.ins().swiden_low(a);
                let v = self.b.ins().fcvt_from_sint(F64X2, wide);
                self.push_v(v);
            }
            O::F64x2ConvertLowI32x4U => {
                let a = self.pop_v(I32X4);
                let wide = self.b.ins().uwiden_low(a);
                let v = self.b.ins().fcvt_from_uint(F64X2, wide);
                self.push_v(v);
            }
            O::F32x4DemoteF64x2Zero => un!(F64X2, fvdemote),
            O::F64x2PromoteLowF32x4 => un!(F32X4, fvpromote_low),
            _ => return false,
        }
        true
    }

    /// `pmin`: `b < a ? b : a`; `pmax`: `a < b ? b : a` — no NaN rules,
    /// exactly what `minps`/`maxps` compute (the backend matches it).
    fn pseudo_min_max(&mut self, ty: Type, min: bool) {
        let b = self.pop_v(ty);
        let a = self.pop_v(ty);
        let cmp = if min {
            self.b.ins().fcmp(FloatCC::LessThan, b, a)
        } else {
            self.b.ins().fcmp(FloatCC::LessThan, a, b)
        };
        let mask = self.b.ins().bitcast(ty, lanes_le(), cmp);
        let v = self.b.ins().bitselect(mask, b, a);
        self.push_v(v);
    }
}
