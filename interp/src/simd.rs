//! WebAssembly fixed-width SIMD (v128) semantics, for every operator that
//! does not touch memory.
//!
//! A v128 is a [`V128`], its 16 bytes with little-endian lanes: lane 0 of
//! `i8x16` is byte 0, lane 0 of `i32x4` bytes 0..4. Scalars come and go as raw
//! 8-byte slot values (`u64`): an `i32` zero-extended, an `f32` as its bits
//! in the low half, an `i64`/`f64` as its 64 bits.
//!
//! [`for_each_simd_op!`] lists the operators by `wasmparser::Operator`
//! variant, grouped by signature (`i8x16.shuffle`, whose immediate is 16
//! lane indices, is [`i8x16_shuffle`] and not in the table).

use crate::semantics::{f32_max, f32_min, f64_max, f64_min, quiet};
use std::array::from_fn;

/// A v128 value: its 16 bytes, lanes little-endian.
///
/// Bytes rather than a `u128`: LLVM legalizes a `u128` as two 64-bit
/// halves, and lane arithmetic routed through one turns into scalar or
/// SWAR code (`i8x16.add` became 16 byte adds and the shifts to join them),
/// while lanes read from bytes stay in one vector register (`paddb`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct V128(pub [u8; 16]);

impl V128 {
    /// The vector whose bytes are `x`'s, little-endian.
    #[inline(always)]
    pub const fn from_u128(x: u128) -> Self {
        V128(x.to_le_bytes())
    }

    /// The vector whose low 8 bytes are `x`'s (little-endian), the rest 0.
    #[inline(always)]
    pub fn from_low_u64(x: u64) -> Self {
        Self::from_u128(u128::from(x))
    }

    /// The vector's bytes as a little-endian integer.
    #[inline(always)]
    pub const fn to_u128(self) -> u128 {
        u128::from_le_bytes(self.0)
    }

    #[inline(always)]
    fn bytewise(self, o: Self, f: impl Fn(u8, u8) -> u8) -> Self {
        V128(from_fn(|i| f(self.0[i], o.0[i])))
    }
}

impl std::fmt::Debug for V128 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "V128({:#034x})", self.to_u128())
    }
}

/// A v128 viewed as an array of lanes.
trait Lanes: Copy {
    type E: Copy;
    fn get(v: V128) -> Self;
    fn put(self) -> V128;
    fn lanewise(self, f: impl Fn(Self::E) -> Self::E) -> Self;
    fn zip(self, o: Self, f: impl Fn(Self::E, Self::E) -> Self::E) -> Self;
    /// All-ones lanes where `f` holds, all-zeros elsewhere.
    fn mask(self, o: Self, f: impl Fn(Self::E, Self::E) -> bool) -> V128;
}

macro_rules! impl_lanes {
    // `$m`: the signed integer of the lane's width, for masks.
    ($($t:ty, $n:literal, $m:ty;)*) => {$(
        impl Lanes for [$t; $n] {
            type E = $t;
            #[inline(always)]
            fn get(v: V128) -> Self {
                const W: usize = 16 / $n;
                from_fn(|i| {
                    let mut x = [0; W];
                    x.copy_from_slice(&v.0[i * W..][..W]);
                    <$t>::from_le_bytes(x)
                })
            }
            #[inline(always)]
            fn put(self) -> V128 {
                const W: usize = 16 / $n;
                let mut b = [0; 16];
                for (chunk, x) in b.chunks_exact_mut(W).zip(self) {
                    chunk.copy_from_slice(&x.to_le_bytes());
                }
                V128(b)
            }
            #[inline(always)]
            fn lanewise(self, f: impl Fn($t) -> $t) -> Self {
                self.map(f)
            }
            #[inline(always)]
            fn zip(self, o: Self, f: impl Fn($t, $t) -> $t) -> Self {
                from_fn(|i| f(self[i], o[i]))
            }
            #[inline(always)]
            fn mask(self, o: Self, f: impl Fn($t, $t) -> bool) -> V128 {
                let m: [$m; $n] = from_fn(|i| if f(self[i], o[i]) { -1 } else { 0 });
                m.put()
            }
        }
    )*};
}
impl_lanes! {
    i8, 16, i8; u8, 16, i8; i16, 8, i16; u16, 8, i16; i32, 4, i32; u32, 4, i32;
    i64, 2, i64; u64, 2, i64; f32, 4, i32; f64, 2, i64;
}

type I8 = [i8; 16];
type U8 = [u8; 16];
type I16 = [i16; 8];
type U16 = [u16; 8];
type I32 = [i32; 4];
type U32 = [u32; 4];
type I64 = [i64; 2];
type U64 = [u64; 2];
type F32 = [f32; 4];
type F64 = [f64; 2];

#[inline(always)]
fn un<L: Lanes>(a: V128, f: impl Fn(L::E) -> L::E) -> V128 {
    L::get(a).lanewise(f).put()
}

#[inline(always)]
fn bin<L: Lanes>(a: V128, b: V128, f: impl Fn(L::E, L::E) -> L::E) -> V128 {
    L::get(a).zip(L::get(b), f).put()
}

#[inline(always)]
fn cmp<L: Lanes>(a: V128, b: V128, f: impl Fn(L::E, L::E) -> bool) -> V128 {
    L::get(a).mask(L::get(b), f)
}

/// A NaN produced by a conversion must be quiet (an arithmetic NaN).
#[inline(always)]
fn quiet_result<F: crate::semantics::Quiet>(r: F) -> F {
    quiet(r, r)
}

// ---------------------------------------------------------------------------
// Whole-vector bitwise operators.

/// `v128.not`
#[inline]
pub fn v128_not(a: V128) -> V128 {
    V128(a.0.map(|x| !x))
}

/// `v128.and`
#[inline]
pub fn v128_and(a: V128, b: V128) -> V128 {
    a.bytewise(b, |x, y| x & y)
}

/// `v128.andnot`: `a & !b`.
#[inline]
pub fn v128_andnot(a: V128, b: V128) -> V128 {
    a.bytewise(b, |x, y| x & !y)
}

/// `v128.or`
#[inline]
pub fn v128_or(a: V128, b: V128) -> V128 {
    a.bytewise(b, |x, y| x | y)
}

/// `v128.xor`
#[inline]
pub fn v128_xor(a: V128, b: V128) -> V128 {
    a.bytewise(b, |x, y| x ^ y)
}

/// `v128.bitselect`: bits of `a` where `c` is set, of `b` elsewhere.
#[inline]
pub fn v128_bitselect(a: V128, b: V128, c: V128) -> V128 {
    V128(from_fn(|i| (a.0[i] & c.0[i]) | (b.0[i] & !c.0[i])))
}

/// `v128.any_true`
#[inline]
pub fn v128_any_true(a: V128) -> u32 {
    u32::from(a.to_u128() != 0)
}

// ---------------------------------------------------------------------------
// Lane-wise operators.

macro_rules! lanewise_unary {
    ($($(#[$doc:meta])* $name:ident: $l:ty = $f:expr;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(a: V128) -> V128 {
            un::<$l>(a, $f)
        }
    )*};
}

macro_rules! lanewise_binary {
    ($($(#[$doc:meta])* $name:ident: $l:ty = $f:expr;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            bin::<$l>(a, b, $f)
        }
    )*};
}

macro_rules! lanewise_compare {
    ($($name:ident: $l:ty = $f:expr;)*) => {$(
        /// Lane-wise comparison: all-ones lanes where it holds.
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            cmp::<$l>(a, b, $f)
        }
    )*};
}

macro_rules! lanewise_shift {
    ($($name:ident: $l:ty = $f:ident;)*) => {$(
        /// Lane-wise shift; the count is taken modulo the lane width
        /// (`wrapping_sh*` masks it exactly so).
        #[inline]
        pub fn $name(a: V128, s: u32) -> V128 {
            un::<$l>(a, |x| x.$f(s))
        }
    )*};
}

lanewise_unary! {
    /// Absolute value; `MIN` stays `MIN`.
    i8x16_abs: I8 = i8::wrapping_abs;
    i8x16_neg: I8 = i8::wrapping_neg;
    /// Population count of each byte.
    i8x16_popcnt: U8 = |x| x.count_ones() as u8;
    i16x8_abs: I16 = i16::wrapping_abs;
    i16x8_neg: I16 = i16::wrapping_neg;
    i32x4_abs: I32 = i32::wrapping_abs;
    i32x4_neg: I32 = i32::wrapping_neg;
    i64x2_abs: I64 = i64::wrapping_abs;
    i64x2_neg: I64 = i64::wrapping_neg;

    // Rounding is exact, but a NaN operand must come back quiet (see
    // `semantics`, which rounds without libm).
    f32x4_ceil: F32 = crate::semantics::f32_ceil;
    f32x4_floor: F32 = crate::semantics::f32_floor;
    f32x4_trunc: F32 = crate::semantics::f32_trunc;
    /// Round to nearest, ties to even.
    f32x4_nearest: F32 = crate::semantics::f32_nearest;
    /// Clears the sign bit only, NaN payloads included.
    f32x4_abs: F32 = f32::abs;
    /// Flips the sign bit only, NaN payloads included.
    f32x4_neg: F32 = |x| -x;
    f32x4_sqrt: F32 = |x| quiet(x.sqrt(), x);
    f64x2_ceil: F64 = crate::semantics::f64_ceil;
    f64x2_floor: F64 = crate::semantics::f64_floor;
    f64x2_trunc: F64 = crate::semantics::f64_trunc;
    /// Round to nearest, ties to even.
    f64x2_nearest: F64 = crate::semantics::f64_nearest;
    f64x2_abs: F64 = f64::abs;
    f64x2_neg: F64 = |x| -x;
    f64x2_sqrt: F64 = |x| quiet(x.sqrt(), x);
}

lanewise_binary! {
    i8x16_add: I8 = i8::wrapping_add;
    i8x16_add_sat_s: I8 = i8::saturating_add;
    i8x16_add_sat_u: U8 = u8::saturating_add;
    i8x16_sub: I8 = i8::wrapping_sub;
    i8x16_sub_sat_s: I8 = i8::saturating_sub;
    i8x16_sub_sat_u: U8 = u8::saturating_sub;
    i8x16_min_s: I8 = i8::min;
    i8x16_min_u: U8 = u8::min;
    i8x16_max_s: I8 = i8::max;
    i8x16_max_u: U8 = u8::max;
    /// Rounding average, `(a + b + 1) / 2`, computed wide so it cannot
    /// overflow.
    i8x16_avgr_u: U8 = |x, y| ((u16::from(x) + u16::from(y) + 1) >> 1) as u8;

    i16x8_add: I16 = i16::wrapping_add;
    i16x8_add_sat_s: I16 = i16::saturating_add;
    i16x8_add_sat_u: U16 = u16::saturating_add;
    i16x8_sub: I16 = i16::wrapping_sub;
    i16x8_sub_sat_s: I16 = i16::saturating_sub;
    i16x8_sub_sat_u: U16 = u16::saturating_sub;
    i16x8_mul: I16 = i16::wrapping_mul;
    i16x8_min_s: I16 = i16::min;
    i16x8_min_u: U16 = u16::min;
    i16x8_max_s: I16 = i16::max;
    i16x8_max_u: U16 = u16::max;
    /// Rounding average, computed wide.
    i16x8_avgr_u: U16 = |x, y| ((u32::from(x) + u32::from(y) + 1) >> 1) as u16;
    /// Q15 rounding multiply, `(a * b + 0x4000) >> 15`; only
    /// `-32768 * -32768` overflows, and saturates.
    i16x8_q15mulr_sat_s: I16 = |x, y| {
        ((i32::from(x) * i32::from(y) + 0x4000) >> 15)
            .clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    };

    i32x4_add: I32 = i32::wrapping_add;
    i32x4_sub: I32 = i32::wrapping_sub;
    i32x4_mul: I32 = i32::wrapping_mul;
    i32x4_min_s: I32 = i32::min;
    i32x4_min_u: U32 = u32::min;
    i32x4_max_s: I32 = i32::max;
    i32x4_max_u: U32 = u32::max;

    i64x2_add: I64 = i64::wrapping_add;
    i64x2_sub: I64 = i64::wrapping_sub;
    i64x2_mul: I64 = i64::wrapping_mul;

    f32x4_add: F32 = |x, y| x + y;
    f32x4_sub: F32 = |x, y| x - y;
    f32x4_mul: F32 = |x, y| x * y;
    f32x4_div: F32 = |x, y| x / y;
    /// NaN if either lane is NaN; -0 is below +0.
    f32x4_min: F32 = f32_min;
    /// NaN if either lane is NaN; +0 is above -0.
    f32x4_max: F32 = f32_max;
    /// Pseudo-minimum, `b < a ? b : a`, with no NaN or zero special cases.
    f32x4_pmin: F32 = |x, y| if y < x { y } else { x };
    /// Pseudo-maximum, `a < b ? b : a`.
    f32x4_pmax: F32 = |x, y| if x < y { y } else { x };
    f64x2_add: F64 = |x, y| x + y;
    f64x2_sub: F64 = |x, y| x - y;
    f64x2_mul: F64 = |x, y| x * y;
    f64x2_div: F64 = |x, y| x / y;
    f64x2_min: F64 = f64_min;
    f64x2_max: F64 = f64_max;
    f64x2_pmin: F64 = |x, y| if y < x { y } else { x };
    f64x2_pmax: F64 = |x, y| if x < y { y } else { x };
}

lanewise_compare! {
    i8x16_eq: I8 = |x, y| x == y;
    i8x16_ne: I8 = |x, y| x != y;
    i8x16_lt_s: I8 = |x, y| x < y;
    i8x16_lt_u: U8 = |x, y| x < y;
    i8x16_gt_s: I8 = |x, y| x > y;
    i8x16_gt_u: U8 = |x, y| x > y;
    i8x16_le_s: I8 = |x, y| x <= y;
    i8x16_le_u: U8 = |x, y| x <= y;
    i8x16_ge_s: I8 = |x, y| x >= y;
    i8x16_ge_u: U8 = |x, y| x >= y;
    i16x8_eq: I16 = |x, y| x == y;
    i16x8_ne: I16 = |x, y| x != y;
    i16x8_lt_s: I16 = |x, y| x < y;
    i16x8_lt_u: U16 = |x, y| x < y;
    i16x8_gt_s: I16 = |x, y| x > y;
    i16x8_gt_u: U16 = |x, y| x > y;
    i16x8_le_s: I16 = |x, y| x <= y;
    i16x8_le_u: U16 = |x, y| x <= y;
    i16x8_ge_s: I16 = |x, y| x >= y;
    i16x8_ge_u: U16 = |x, y| x >= y;
    i32x4_eq: I32 = |x, y| x == y;
    i32x4_ne: I32 = |x, y| x != y;
    i32x4_lt_s: I32 = |x, y| x < y;
    i32x4_lt_u: U32 = |x, y| x < y;
    i32x4_gt_s: I32 = |x, y| x > y;
    i32x4_gt_u: U32 = |x, y| x > y;
    i32x4_le_s: I32 = |x, y| x <= y;
    i32x4_le_u: U32 = |x, y| x <= y;
    i32x4_ge_s: I32 = |x, y| x >= y;
    i32x4_ge_u: U32 = |x, y| x >= y;
    i64x2_eq: I64 = |x, y| x == y;
    i64x2_ne: I64 = |x, y| x != y;
    i64x2_lt_s: I64 = |x, y| x < y;
    i64x2_gt_s: I64 = |x, y| x > y;
    i64x2_le_s: I64 = |x, y| x <= y;
    i64x2_ge_s: I64 = |x, y| x >= y;
    // IEEE comparisons: every one but `ne` is false on NaN.
    f32x4_eq: F32 = |x, y| x == y;
    f32x4_ne: F32 = |x, y| x != y;
    f32x4_lt: F32 = |x, y| x < y;
    f32x4_gt: F32 = |x, y| x > y;
    f32x4_le: F32 = |x, y| x <= y;
    f32x4_ge: F32 = |x, y| x >= y;
    f64x2_eq: F64 = |x, y| x == y;
    f64x2_ne: F64 = |x, y| x != y;
    f64x2_lt: F64 = |x, y| x < y;
    f64x2_gt: F64 = |x, y| x > y;
    f64x2_le: F64 = |x, y| x <= y;
    f64x2_ge: F64 = |x, y| x >= y;
}

lanewise_shift! {
    i8x16_shl: I8 = wrapping_shl;
    i8x16_shr_s: I8 = wrapping_shr;
    i8x16_shr_u: U8 = wrapping_shr;
    i16x8_shl: I16 = wrapping_shl;
    i16x8_shr_s: I16 = wrapping_shr;
    i16x8_shr_u: U16 = wrapping_shr;
    i32x4_shl: I32 = wrapping_shl;
    i32x4_shr_s: I32 = wrapping_shr;
    i32x4_shr_u: U32 = wrapping_shr;
    i64x2_shl: I64 = wrapping_shl;
    i64x2_shr_s: I64 = wrapping_shr;
    i64x2_shr_u: U64 = wrapping_shr;
}

// ---------------------------------------------------------------------------
// Lane tests.

macro_rules! all_true_bitmask {
    ($($all_true:ident, $bitmask:ident: $l:ty;)*) => {$(
        /// 1 if every lane is non-zero.
        #[inline]
        pub fn $all_true(a: V128) -> u32 {
            u32::from(<$l>::get(a).iter().all(|&x| x != 0))
        }

        /// The top bit of lane `i` in bit `i`.
        #[inline]
        pub fn $bitmask(a: V128) -> u32 {
            <$l>::get(a)
                .iter()
                .enumerate()
                .fold(0, |m, (i, &x)| m | u32::from(x < 0) << i)
        }
    )*};
}
all_true_bitmask! {
    i8x16_all_true, i8x16_bitmask: I8;
    i16x8_all_true, i16x8_bitmask: I16;
    i32x4_all_true, i32x4_bitmask: I32;
    i64x2_all_true, i64x2_bitmask: I64;
}

// ---------------------------------------------------------------------------
// Widening, narrowing and pairwise operators.

macro_rules! extend {
    ($($name:ident: $src:ty => [$d:ty; $n:literal] from $half:literal;)*) => {$(
        /// Widens half of the lanes (`from` 0: the low half).
        #[inline]
        pub fn $name(a: V128) -> V128 {
            let v = <$src>::get(a);
            let r: [$d; $n] = from_fn(|i| <$d>::from(v[i + $half]));
            r.put()
        }
    )*};
}
extend! {
    i16x8_extend_low_i8x16_s: I8 => [i16; 8] from 0;
    i16x8_extend_high_i8x16_s: I8 => [i16; 8] from 8;
    i16x8_extend_low_i8x16_u: U8 => [u16; 8] from 0;
    i16x8_extend_high_i8x16_u: U8 => [u16; 8] from 8;
    i32x4_extend_low_i16x8_s: I16 => [i32; 4] from 0;
    i32x4_extend_high_i16x8_s: I16 => [i32; 4] from 4;
    i32x4_extend_low_i16x8_u: U16 => [u32; 4] from 0;
    i32x4_extend_high_i16x8_u: U16 => [u32; 4] from 4;
    i64x2_extend_low_i32x4_s: I32 => [i64; 2] from 0;
    i64x2_extend_high_i32x4_s: I32 => [i64; 2] from 2;
    i64x2_extend_low_i32x4_u: U32 => [u64; 2] from 0;
    i64x2_extend_high_i32x4_u: U32 => [u64; 2] from 2;
}

macro_rules! extmul {
    ($($name:ident: $src:ty => [$d:ty; $n:literal] from $half:literal;)*) => {$(
        /// Widening multiply of half of the lanes; the product always fits.
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            let (x, y) = (<$src>::get(a), <$src>::get(b));
            let r: [$d; $n] = from_fn(|i| <$d>::from(x[i + $half]) * <$d>::from(y[i + $half]));
            r.put()
        }
    )*};
}
extmul! {
    i16x8_extmul_low_i8x16_s: I8 => [i16; 8] from 0;
    i16x8_extmul_high_i8x16_s: I8 => [i16; 8] from 8;
    i16x8_extmul_low_i8x16_u: U8 => [u16; 8] from 0;
    i16x8_extmul_high_i8x16_u: U8 => [u16; 8] from 8;
    i32x4_extmul_low_i16x8_s: I16 => [i32; 4] from 0;
    i32x4_extmul_high_i16x8_s: I16 => [i32; 4] from 4;
    i32x4_extmul_low_i16x8_u: U16 => [u32; 4] from 0;
    i32x4_extmul_high_i16x8_u: U16 => [u32; 4] from 4;
    i64x2_extmul_low_i32x4_s: I32 => [i64; 2] from 0;
    i64x2_extmul_high_i32x4_s: I32 => [i64; 2] from 2;
    i64x2_extmul_low_i32x4_u: U32 => [u64; 2] from 0;
    i64x2_extmul_high_i32x4_u: U32 => [u64; 2] from 2;
}

macro_rules! extadd_pairwise {
    ($($name:ident: $src:ty => [$d:ty; $n:literal];)*) => {$(
        /// Sums adjacent lane pairs, widened; the sum always fits.
        #[inline]
        pub fn $name(a: V128) -> V128 {
            let v = <$src>::get(a);
            let r: [$d; $n] = from_fn(|i| <$d>::from(v[2 * i]) + <$d>::from(v[2 * i + 1]));
            r.put()
        }
    )*};
}
extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s: I8 => [i16; 8];
    i16x8_extadd_pairwise_i8x16_u: U8 => [u16; 8];
    i32x4_extadd_pairwise_i16x8_s: I16 => [i32; 4];
    i32x4_extadd_pairwise_i16x8_u: U16 => [u32; 4];
}

macro_rules! narrow {
    ($($name:ident: $src:ty => [$d:ty; $n:literal];)*) => {$(
        /// Narrows the lanes of `a` then `b`, saturating; the input is
        /// signed even for the unsigned form.
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            let (x, y) = (<$src>::get(a), <$src>::get(b));
            let r: [$d; $n] = from_fn(|i| {
                let v = if i < $n / 2 { x[i] } else { y[i - $n / 2] };
                v.clamp(<$d>::MIN.into(), <$d>::MAX.into()) as $d
            });
            r.put()
        }
    )*};
}
narrow! {
    i8x16_narrow_i16x8_s: I16 => [i8; 16];
    i8x16_narrow_i16x8_u: I16 => [u8; 16];
    i16x8_narrow_i32x4_s: I32 => [i16; 8];
    i16x8_narrow_i32x4_u: I32 => [u16; 8];
}

/// `i32x4.dot_i16x8_s`: sums of adjacent signed products; only
/// `2 * (-32768)^2` overflows, and wraps.
#[inline]
pub fn i32x4_dot_i16x8_s(a: V128, b: V128) -> V128 {
    let (x, y) = (I16::get(a), I16::get(b));
    let p = |i: usize| i32::from(x[i]) * i32::from(y[i]);
    let r: I32 = from_fn(|i| p(2 * i).wrapping_add(p(2 * i + 1)));
    r.put()
}

// ---------------------------------------------------------------------------
// Conversions. Rust's `as` from float to int saturates and maps NaN to 0,
// which is exactly `trunc_sat`; int to float rounds to nearest-even.

/// `i32x4.trunc_sat_f32x4_s`
#[inline]
pub fn i32x4_trunc_sat_f32x4_s(a: V128) -> V128 {
    F32::get(a).map(|x| x as i32).put()
}

/// `i32x4.trunc_sat_f32x4_u`
#[inline]
pub fn i32x4_trunc_sat_f32x4_u(a: V128) -> V128 {
    F32::get(a).map(|x| x as u32).put()
}

/// `f32x4.convert_i32x4_s`
#[inline]
pub fn f32x4_convert_i32x4_s(a: V128) -> V128 {
    I32::get(a).map(|x| x as f32).put()
}

/// `f32x4.convert_i32x4_u`
#[inline]
pub fn f32x4_convert_i32x4_u(a: V128) -> V128 {
    U32::get(a).map(|x| x as f32).put()
}

/// `i32x4.trunc_sat_f64x2_s_zero`: the high lanes are 0.
#[inline]
pub fn i32x4_trunc_sat_f64x2_s_zero(a: V128) -> V128 {
    let [x, y] = F64::get(a);
    [x as i32, y as i32, 0, 0].put()
}

/// `i32x4.trunc_sat_f64x2_u_zero`: the high lanes are 0.
#[inline]
pub fn i32x4_trunc_sat_f64x2_u_zero(a: V128) -> V128 {
    let [x, y] = F64::get(a);
    [x as u32, y as u32, 0, 0].put()
}

/// `f64x2.convert_low_i32x4_s` (exact).
#[inline]
pub fn f64x2_convert_low_i32x4_s(a: V128) -> V128 {
    let [x, y, _, _] = I32::get(a);
    [f64::from(x), f64::from(y)].put()
}

/// `f64x2.convert_low_i32x4_u` (exact).
#[inline]
pub fn f64x2_convert_low_i32x4_u(a: V128) -> V128 {
    let [x, y, _, _] = U32::get(a);
    [f64::from(x), f64::from(y)].put()
}

/// `f32x4.demote_f64x2_zero`: the high lanes are +0.
#[inline]
pub fn f32x4_demote_f64x2_zero(a: V128) -> V128 {
    let [x, y] = F64::get(a);
    [quiet_result(x as f32), quiet_result(y as f32), 0.0, 0.0].put()
}

/// `f64x2.promote_low_f32x4`
#[inline]
pub fn f64x2_promote_low_f32x4(a: V128) -> V128 {
    let [x, y, _, _] = F32::get(a);
    [quiet_result(f64::from(x)), quiet_result(f64::from(y))].put()
}

// ---------------------------------------------------------------------------
// Byte permutations.

/// `i8x16.swizzle`: lane `i` is `a[b[i]]`, or 0 when `b[i] >= 16`.
#[inline]
pub fn i8x16_swizzle(a: V128, b: V128) -> V128 {
    let (x, s) = (U8::get(a), U8::get(b));
    let r: U8 = from_fn(|i| x.get(usize::from(s[i])).copied().unwrap_or(0));
    r.put()
}

/// `i8x16.shuffle`: lane `i` is byte `lanes[i]` of `a` then `b` (0..32;
/// the validator bounds the indices, the mask only keeps this panic-free).
#[inline]
pub fn i8x16_shuffle(a: V128, b: V128, lanes: [u8; 16]) -> V128 {
    // One 32-byte table indexed by the lane number: a load per lane, no
    // branch on which operand it names.
    let mut both = [0u8; 32];
    both[..16].copy_from_slice(&a.0);
    both[16..].copy_from_slice(&b.0);
    let r: U8 = from_fn(|i| both[usize::from(lanes[i] & 31)]);
    r.put()
}

// ---------------------------------------------------------------------------
// Splat, extract_lane and replace_lane. Lane indices are bounded by the
// validator; masking them only keeps the shifts in range.

/// `i8x16.splat` of the low 8 bits of the slot.
#[inline]
pub fn i8x16_splat(x: u64) -> V128 {
    [x as u8; 16].put()
}

/// `i16x8.splat` of the low 16 bits of the slot.
#[inline]
pub fn i16x8_splat(x: u64) -> V128 {
    [x as u16; 8].put()
}

/// `i32x4.splat` of the low 32 bits of the slot.
#[inline]
pub fn i32x4_splat(x: u64) -> V128 {
    [x as u32; 4].put()
}

/// `i64x2.splat`
#[inline]
pub fn i64x2_splat(x: u64) -> V128 {
    [x; 2].put()
}

/// `f32x4.splat`: copies the bits, so NaN payloads survive.
#[inline]
pub fn f32x4_splat(x: u64) -> V128 {
    i32x4_splat(x)
}

/// `f64x2.splat`: copies the bits.
#[inline]
pub fn f64x2_splat(x: u64) -> V128 {
    i64x2_splat(x)
}

/// Lane `lane` of `a` viewed as `L` (the index taken modulo the lane
/// count).
#[inline(always)]
fn lane_of<L: Lanes + AsRef<[L::E]>>(a: V128, lane: u8) -> L::E {
    let v = L::get(a);
    let v = v.as_ref();
    v[usize::from(lane) % v.len()]
}

/// `a` with lane `lane` of `L` set to `x`.
#[inline(always)]
fn replace<L: Lanes + AsMut<[L::E]>>(a: V128, x: L::E, lane: u8) -> V128 {
    let mut v = L::get(a);
    let lanes = v.as_mut();
    let n = lanes.len();
    lanes[usize::from(lane) % n] = x;
    v.put()
}

/// `i8x16.extract_lane_s`: sign-extended to an i32, as a slot.
#[inline]
pub fn i8x16_extract_lane_s(a: V128, lane: u8) -> u64 {
    u64::from(i32::from(lane_of::<I8>(a, lane)) as u32)
}

/// `i8x16.extract_lane_u`
#[inline]
pub fn i8x16_extract_lane_u(a: V128, lane: u8) -> u64 {
    u64::from(lane_of::<U8>(a, lane))
}

/// `i16x8.extract_lane_s`: sign-extended to an i32, as a slot.
#[inline]
pub fn i16x8_extract_lane_s(a: V128, lane: u8) -> u64 {
    u64::from(i32::from(lane_of::<I16>(a, lane)) as u32)
}

/// `i16x8.extract_lane_u`
#[inline]
pub fn i16x8_extract_lane_u(a: V128, lane: u8) -> u64 {
    u64::from(lane_of::<U16>(a, lane))
}

/// `i32x4.extract_lane`
#[inline]
pub fn i32x4_extract_lane(a: V128, lane: u8) -> u64 {
    u64::from(lane_of::<U32>(a, lane))
}

/// `i64x2.extract_lane`
#[inline]
pub fn i64x2_extract_lane(a: V128, lane: u8) -> u64 {
    lane_of::<U64>(a, lane)
}

/// `f32x4.extract_lane`: the lane's bits.
#[inline]
pub fn f32x4_extract_lane(a: V128, lane: u8) -> u64 {
    i32x4_extract_lane(a, lane)
}

/// `f64x2.extract_lane`: the lane's bits.
#[inline]
pub fn f64x2_extract_lane(a: V128, lane: u8) -> u64 {
    i64x2_extract_lane(a, lane)
}

/// `i8x16.replace_lane` with the low 8 bits of the slot.
#[inline]
pub fn i8x16_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U8>(a, x as u8, lane)
}

/// `i16x8.replace_lane` with the low 16 bits of the slot.
#[inline]
pub fn i16x8_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U16>(a, x as u16, lane)
}

/// `i32x4.replace_lane` with the low 32 bits of the slot.
#[inline]
pub fn i32x4_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U32>(a, x as u32, lane)
}

/// `i64x2.replace_lane`
#[inline]
pub fn i64x2_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U64>(a, x, lane)
}

/// `f32x4.replace_lane` with the bits in the low half of the slot.
#[inline]
pub fn f32x4_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U32>(a, x as u32, lane)
}

/// `f64x2.replace_lane`
#[inline]
pub fn f64x2_replace_lane(a: V128, x: u64, lane: u8) -> V128 {
    replace::<U64>(a, x, lane)
}

/// Invokes `$m!` with the SIMD operator table (after any extra tokens
/// given, so that tables can be chained). Each group holds
/// `WasmparserVariant = function;` entries, the functions typed:
/// - `simd_unary`: `fn(V128) -> V128`;
/// - `simd_binary`: `fn(V128, V128) -> V128`;
/// - `simd_ternary`: `fn(V128, V128, V128) -> V128`;
/// - `simd_shift`: `fn(V128, u32) -> V128` (count modulo the lane width);
/// - `simd_test`: `fn(V128) -> u32`;
/// - `simd_splat`: `fn(u64) -> V128` (from a raw slot);
/// - `simd_extract`: `fn(V128, u8) -> u64` (lane index; a raw slot);
/// - `simd_replace`: `fn(V128, u64, u8) -> V128` (vector, slot, lane index).
///
/// `i8x16.shuffle` is [`crate::simd::i8x16_shuffle`], outside the table.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_simd_op {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            simd_unary {
                V128Not = $crate::simd::v128_not;
                I8x16Abs = $crate::simd::i8x16_abs;
                I8x16Neg = $crate::simd::i8x16_neg;
                I8x16Popcnt = $crate::simd::i8x16_popcnt;
                I16x8ExtAddPairwiseI8x16S = $crate::simd::i16x8_extadd_pairwise_i8x16_s;
                I16x8ExtAddPairwiseI8x16U = $crate::simd::i16x8_extadd_pairwise_i8x16_u;
                I16x8Abs = $crate::simd::i16x8_abs;
                I16x8Neg = $crate::simd::i16x8_neg;
                I16x8ExtendLowI8x16S = $crate::simd::i16x8_extend_low_i8x16_s;
                I16x8ExtendHighI8x16S = $crate::simd::i16x8_extend_high_i8x16_s;
                I16x8ExtendLowI8x16U = $crate::simd::i16x8_extend_low_i8x16_u;
                I16x8ExtendHighI8x16U = $crate::simd::i16x8_extend_high_i8x16_u;
                I32x4ExtAddPairwiseI16x8S = $crate::simd::i32x4_extadd_pairwise_i16x8_s;
                I32x4ExtAddPairwiseI16x8U = $crate::simd::i32x4_extadd_pairwise_i16x8_u;
                I32x4Abs = $crate::simd::i32x4_abs;
                I32x4Neg = $crate::simd::i32x4_neg;
                I32x4ExtendLowI16x8S = $crate::simd::i32x4_extend_low_i16x8_s;
                I32x4ExtendHighI16x8S = $crate::simd::i32x4_extend_high_i16x8_s;
                I32x4ExtendLowI16x8U = $crate::simd::i32x4_extend_low_i16x8_u;
                I32x4ExtendHighI16x8U = $crate::simd::i32x4_extend_high_i16x8_u;
                I64x2Abs = $crate::simd::i64x2_abs;
                I64x2Neg = $crate::simd::i64x2_neg;
                I64x2ExtendLowI32x4S = $crate::simd::i64x2_extend_low_i32x4_s;
                I64x2ExtendHighI32x4S = $crate::simd::i64x2_extend_high_i32x4_s;
                I64x2ExtendLowI32x4U = $crate::simd::i64x2_extend_low_i32x4_u;
                I64x2ExtendHighI32x4U = $crate::simd::i64x2_extend_high_i32x4_u;
                F32x4Ceil = $crate::simd::f32x4_ceil;
                F32x4Floor = $crate::simd::f32x4_floor;
                F32x4Trunc = $crate::simd::f32x4_trunc;
                F32x4Nearest = $crate::simd::f32x4_nearest;
                F32x4Abs = $crate::simd::f32x4_abs;
                F32x4Neg = $crate::simd::f32x4_neg;
                F32x4Sqrt = $crate::simd::f32x4_sqrt;
                F64x2Ceil = $crate::simd::f64x2_ceil;
                F64x2Floor = $crate::simd::f64x2_floor;
                F64x2Trunc = $crate::simd::f64x2_trunc;
                F64x2Nearest = $crate::simd::f64x2_nearest;
                F64x2Abs = $crate::simd::f64x2_abs;
                F64x2Neg = $crate::simd::f64x2_neg;
                F64x2Sqrt = $crate::simd::f64x2_sqrt;
                I32x4TruncSatF32x4S = $crate::simd::i32x4_trunc_sat_f32x4_s;
                I32x4TruncSatF32x4U = $crate::simd::i32x4_trunc_sat_f32x4_u;
                F32x4ConvertI32x4S = $crate::simd::f32x4_convert_i32x4_s;
                F32x4ConvertI32x4U = $crate::simd::f32x4_convert_i32x4_u;
                I32x4TruncSatF64x2SZero = $crate::simd::i32x4_trunc_sat_f64x2_s_zero;
                I32x4TruncSatF64x2UZero = $crate::simd::i32x4_trunc_sat_f64x2_u_zero;
                F64x2ConvertLowI32x4S = $crate::simd::f64x2_convert_low_i32x4_s;
                F64x2ConvertLowI32x4U = $crate::simd::f64x2_convert_low_i32x4_u;
                F32x4DemoteF64x2Zero = $crate::simd::f32x4_demote_f64x2_zero;
                F64x2PromoteLowF32x4 = $crate::simd::f64x2_promote_low_f32x4;
            }
            simd_binary {
                I8x16Swizzle = $crate::simd::i8x16_swizzle;
                I8x16Eq = $crate::simd::i8x16_eq;
                I8x16Ne = $crate::simd::i8x16_ne;
                I8x16LtS = $crate::simd::i8x16_lt_s;
                I8x16LtU = $crate::simd::i8x16_lt_u;
                I8x16GtS = $crate::simd::i8x16_gt_s;
                I8x16GtU = $crate::simd::i8x16_gt_u;
                I8x16LeS = $crate::simd::i8x16_le_s;
                I8x16LeU = $crate::simd::i8x16_le_u;
                I8x16GeS = $crate::simd::i8x16_ge_s;
                I8x16GeU = $crate::simd::i8x16_ge_u;
                I16x8Eq = $crate::simd::i16x8_eq;
                I16x8Ne = $crate::simd::i16x8_ne;
                I16x8LtS = $crate::simd::i16x8_lt_s;
                I16x8LtU = $crate::simd::i16x8_lt_u;
                I16x8GtS = $crate::simd::i16x8_gt_s;
                I16x8GtU = $crate::simd::i16x8_gt_u;
                I16x8LeS = $crate::simd::i16x8_le_s;
                I16x8LeU = $crate::simd::i16x8_le_u;
                I16x8GeS = $crate::simd::i16x8_ge_s;
                I16x8GeU = $crate::simd::i16x8_ge_u;
                I32x4Eq = $crate::simd::i32x4_eq;
                I32x4Ne = $crate::simd::i32x4_ne;
                I32x4LtS = $crate::simd::i32x4_lt_s;
                I32x4LtU = $crate::simd::i32x4_lt_u;
                I32x4GtS = $crate::simd::i32x4_gt_s;
                I32x4GtU = $crate::simd::i32x4_gt_u;
                I32x4LeS = $crate::simd::i32x4_le_s;
                I32x4LeU = $crate::simd::i32x4_le_u;
                I32x4GeS = $crate::simd::i32x4_ge_s;
                I32x4GeU = $crate::simd::i32x4_ge_u;
                I64x2Eq = $crate::simd::i64x2_eq;
                I64x2Ne = $crate::simd::i64x2_ne;
                I64x2LtS = $crate::simd::i64x2_lt_s;
                I64x2GtS = $crate::simd::i64x2_gt_s;
                I64x2LeS = $crate::simd::i64x2_le_s;
                I64x2GeS = $crate::simd::i64x2_ge_s;
                F32x4Eq = $crate::simd::f32x4_eq;
                F32x4Ne = $crate::simd::f32x4_ne;
                F32x4Lt = $crate::simd::f32x4_lt;
                F32x4Gt = $crate::simd::f32x4_gt;
                F32x4Le = $crate::simd::f32x4_le;
                F32x4Ge = $crate::simd::f32x4_ge;
                F64x2Eq = $crate::simd::f64x2_eq;
                F64x2Ne = $crate::simd::f64x2_ne;
                F64x2Lt = $crate::simd::f64x2_lt;
                F64x2Gt = $crate::simd::f64x2_gt;
                F64x2Le = $crate::simd::f64x2_le;
                F64x2Ge = $crate::simd::f64x2_ge;
                V128And = $crate::simd::v128_and;
                V128AndNot = $crate::simd::v128_andnot;
                V128Or = $crate::simd::v128_or;
                V128Xor = $crate::simd::v128_xor;
                I8x16NarrowI16x8S = $crate::simd::i8x16_narrow_i16x8_s;
                I8x16NarrowI16x8U = $crate::simd::i8x16_narrow_i16x8_u;
                I8x16Add = $crate::simd::i8x16_add;
                I8x16AddSatS = $crate::simd::i8x16_add_sat_s;
                I8x16AddSatU = $crate::simd::i8x16_add_sat_u;
                I8x16Sub = $crate::simd::i8x16_sub;
                I8x16SubSatS = $crate::simd::i8x16_sub_sat_s;
                I8x16SubSatU = $crate::simd::i8x16_sub_sat_u;
                I8x16MinS = $crate::simd::i8x16_min_s;
                I8x16MinU = $crate::simd::i8x16_min_u;
                I8x16MaxS = $crate::simd::i8x16_max_s;
                I8x16MaxU = $crate::simd::i8x16_max_u;
                I8x16AvgrU = $crate::simd::i8x16_avgr_u;
                I16x8Q15MulrSatS = $crate::simd::i16x8_q15mulr_sat_s;
                I16x8NarrowI32x4S = $crate::simd::i16x8_narrow_i32x4_s;
                I16x8NarrowI32x4U = $crate::simd::i16x8_narrow_i32x4_u;
                I16x8Add = $crate::simd::i16x8_add;
                I16x8AddSatS = $crate::simd::i16x8_add_sat_s;
                I16x8AddSatU = $crate::simd::i16x8_add_sat_u;
                I16x8Sub = $crate::simd::i16x8_sub;
                I16x8SubSatS = $crate::simd::i16x8_sub_sat_s;
                I16x8SubSatU = $crate::simd::i16x8_sub_sat_u;
                I16x8Mul = $crate::simd::i16x8_mul;
                I16x8MinS = $crate::simd::i16x8_min_s;
                I16x8MinU = $crate::simd::i16x8_min_u;
                I16x8MaxS = $crate::simd::i16x8_max_s;
                I16x8MaxU = $crate::simd::i16x8_max_u;
                I16x8AvgrU = $crate::simd::i16x8_avgr_u;
                I16x8ExtMulLowI8x16S = $crate::simd::i16x8_extmul_low_i8x16_s;
                I16x8ExtMulHighI8x16S = $crate::simd::i16x8_extmul_high_i8x16_s;
                I16x8ExtMulLowI8x16U = $crate::simd::i16x8_extmul_low_i8x16_u;
                I16x8ExtMulHighI8x16U = $crate::simd::i16x8_extmul_high_i8x16_u;
                I32x4Add = $crate::simd::i32x4_add;
                I32x4Sub = $crate::simd::i32x4_sub;
                I32x4Mul = $crate::simd::i32x4_mul;
                I32x4MinS = $crate::simd::i32x4_min_s;
                I32x4MinU = $crate::simd::i32x4_min_u;
                I32x4MaxS = $crate::simd::i32x4_max_s;
                I32x4MaxU = $crate::simd::i32x4_max_u;
                I32x4DotI16x8S = $crate::simd::i32x4_dot_i16x8_s;
                I32x4ExtMulLowI16x8S = $crate::simd::i32x4_extmul_low_i16x8_s;
                I32x4ExtMulHighI16x8S = $crate::simd::i32x4_extmul_high_i16x8_s;
                I32x4ExtMulLowI16x8U = $crate::simd::i32x4_extmul_low_i16x8_u;
                I32x4ExtMulHighI16x8U = $crate::simd::i32x4_extmul_high_i16x8_u;
                I64x2Add = $crate::simd::i64x2_add;
                I64x2Sub = $crate::simd::i64x2_sub;
                I64x2Mul = $crate::simd::i64x2_mul;
                I64x2ExtMulLowI32x4S = $crate::simd::i64x2_extmul_low_i32x4_s;
                I64x2ExtMulHighI32x4S = $crate::simd::i64x2_extmul_high_i32x4_s;
                I64x2ExtMulLowI32x4U = $crate::simd::i64x2_extmul_low_i32x4_u;
                I64x2ExtMulHighI32x4U = $crate::simd::i64x2_extmul_high_i32x4_u;
                F32x4Add = $crate::simd::f32x4_add;
                F32x4Sub = $crate::simd::f32x4_sub;
                F32x4Mul = $crate::simd::f32x4_mul;
                F32x4Div = $crate::simd::f32x4_div;
                F32x4Min = $crate::simd::f32x4_min;
                F32x4Max = $crate::simd::f32x4_max;
                F32x4PMin = $crate::simd::f32x4_pmin;
                F32x4PMax = $crate::simd::f32x4_pmax;
                F64x2Add = $crate::simd::f64x2_add;
                F64x2Sub = $crate::simd::f64x2_sub;
                F64x2Mul = $crate::simd::f64x2_mul;
                F64x2Div = $crate::simd::f64x2_div;
                F64x2Min = $crate::simd::f64x2_min;
                F64x2Max = $crate::simd::f64x2_max;
                F64x2PMin = $crate::simd::f64x2_pmin;
                F64x2PMax = $crate::simd::f64x2_pmax;
            }
            simd_ternary {
                V128Bitselect = $crate::simd::v128_bitselect;
            }
            simd_shift {
                I8x16Shl = $crate::simd::i8x16_shl;
                I8x16ShrS = $crate::simd::i8x16_shr_s;
                I8x16ShrU = $crate::simd::i8x16_shr_u;
                I16x8Shl = $crate::simd::i16x8_shl;
                I16x8ShrS = $crate::simd::i16x8_shr_s;
                I16x8ShrU = $crate::simd::i16x8_shr_u;
                I32x4Shl = $crate::simd::i32x4_shl;
                I32x4ShrS = $crate::simd::i32x4_shr_s;
                I32x4ShrU = $crate::simd::i32x4_shr_u;
                I64x2Shl = $crate::simd::i64x2_shl;
                I64x2ShrS = $crate::simd::i64x2_shr_s;
                I64x2ShrU = $crate::simd::i64x2_shr_u;
            }
            simd_test {
                V128AnyTrue = $crate::simd::v128_any_true;
                I8x16AllTrue = $crate::simd::i8x16_all_true;
                I8x16Bitmask = $crate::simd::i8x16_bitmask;
                I16x8AllTrue = $crate::simd::i16x8_all_true;
                I16x8Bitmask = $crate::simd::i16x8_bitmask;
                I32x4AllTrue = $crate::simd::i32x4_all_true;
                I32x4Bitmask = $crate::simd::i32x4_bitmask;
                I64x2AllTrue = $crate::simd::i64x2_all_true;
                I64x2Bitmask = $crate::simd::i64x2_bitmask;
            }
            simd_splat {
                I8x16Splat = $crate::simd::i8x16_splat;
                I16x8Splat = $crate::simd::i16x8_splat;
                I32x4Splat = $crate::simd::i32x4_splat;
                I64x2Splat = $crate::simd::i64x2_splat;
                F32x4Splat = $crate::simd::f32x4_splat;
                F64x2Splat = $crate::simd::f64x2_splat;
            }
            simd_extract {
                I8x16ExtractLaneS = $crate::simd::i8x16_extract_lane_s;
                I8x16ExtractLaneU = $crate::simd::i8x16_extract_lane_u;
                I16x8ExtractLaneS = $crate::simd::i16x8_extract_lane_s;
                I16x8ExtractLaneU = $crate::simd::i16x8_extract_lane_u;
                I32x4ExtractLane = $crate::simd::i32x4_extract_lane;
                I64x2ExtractLane = $crate::simd::i64x2_extract_lane;
                F32x4ExtractLane = $crate::simd::f32x4_extract_lane;
                F64x2ExtractLane = $crate::simd::f64x2_extract_lane;
            }
            simd_replace {
                I8x16ReplaceLane = $crate::simd::i8x16_replace_lane;
                I16x8ReplaceLane = $crate::simd::i16x8_replace_lane;
                I32x4ReplaceLane = $crate::simd::i32x4_replace_lane;
                I64x2ReplaceLane = $crate::simd::i64x2_replace_lane;
                F32x4ReplaceLane = $crate::simd::f32x4_replace_lane;
                F64x2ReplaceLane = $crate::simd::f64x2_replace_lane;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    impl PartialEq<u128> for V128 {
        fn eq(&self, o: &u128) -> bool {
            self.to_u128() == *o
        }
    }

    /// A vector from its bytes as a little-endian integer.
    fn v(x: u128) -> V128 {
        V128::from_u128(x)
    }

    const F32_SNAN: u32 = 0x7fa0_0001;
    const F64_SNAN: u64 = 0x7ff4_0000_0000_0001;
    const F32_QUIET: u32 = 0x0040_0000;
    const F64_QUIET: u64 = 0x0008_0000_0000_0000;

    fn f32s(a: V128) -> [u32; 4] {
        U32::get(a)
    }

    fn f64s(a: V128) -> [u64; 2] {
        U64::get(a)
    }

    fn v32(x: [f32; 4]) -> V128 {
        x.put()
    }

    fn v64(x: [f64; 2]) -> V128 {
        x.put()
    }

    fn is_quiet_nan32(bits: u32) -> bool {
        f32::from_bits(bits).is_nan() && bits & F32_QUIET != 0
    }

    fn is_quiet_nan64(bits: u64) -> bool {
        f64::from_bits(bits).is_nan() && bits & F64_QUIET != 0
    }

    #[test]
    fn lanes_are_little_endian() {
        assert_eq!(
            [1i32, 2, 3, -1].put(),
            0xffff_ffff_0000_0003_0000_0002_0000_0001
        );
        let bytes: U8 = from_fn(|i| i as u8);
        assert_eq!(bytes.put(), 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100);
        assert_eq!(I16::get(v(0x8001)), [-32767, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(F64::get(v(0x3ff0_0000_0000_0000u128 << 64)), [0.0, 1.0]);
    }

    #[test]
    fn bitwise() {
        let (a, b, c) = (0xff00u128, 0x0ff0u128, 0x00ffu128 | 1 << 127);
        assert_eq!(v128_not(v(0)), u128::MAX);
        assert_eq!(v128_and(v(a), v(b)), 0x0f00);
        assert_eq!(v128_andnot(v(a), v(b)), 0xf000);
        assert_eq!(v128_or(v(a), v(b)), 0xfff0);
        assert_eq!(v128_xor(v(a), v(b)), 0xf0f0);
        // Bits of `a` where `c` is set, of `b` elsewhere.
        assert_eq!(v128_bitselect(v(u128::MAX), v(0), v(c)), c);
        assert_eq!(
            v128_bitselect(v(a), v(b), v(0xf0f0)),
            0xf0f0 & a | 0x0f0f & b
        );
    }

    #[test]
    fn any_and_all_true() {
        assert_eq!(v128_any_true(v(0)), 0);
        assert_eq!(v128_any_true(v(1 << 127)), 1);
        assert_eq!(i8x16_all_true(v(u128::MAX)), 1);
        // One zero byte is enough to fail i8x16 but not i16x8.
        let one_zero_byte = !0xff00u128;
        assert_eq!(i8x16_all_true(v(one_zero_byte)), 0);
        assert_eq!(i16x8_all_true(v(one_zero_byte)), 1);
        assert_eq!(i32x4_all_true([1, 1, 0, 1].put()), 0);
        assert_eq!(i64x2_all_true([1i64, 1 << 63].put()), 1);
        assert_eq!(i64x2_all_true([1i64 << 32, 0].put()), 0);
    }

    #[test]
    fn bitmask() {
        let mut b = [0i8; 16];
        b[0] = -1;
        b[3] = i8::MIN;
        b[15] = -128;
        b[4] = 127;
        assert_eq!(i8x16_bitmask(b.put()), 0b1000_0000_0000_1001);
        assert_eq!(i16x8_bitmask([0, -1, 0, 0, 0, 0, 0, i16::MIN].put()), 0x82);
        assert_eq!(i32x4_bitmask([-1, 0, -2, i32::MAX].put()), 0b0101);
        assert_eq!(i64x2_bitmask([0i64, -1].put()), 0b10);
        assert_eq!(i8x16_bitmask(v(u128::MAX)), 0xffff);
    }

    #[test]
    fn wrapping_add_sub_mul() {
        assert_eq!(
            i8x16_add([127i8; 16].put(), [1i8; 16].put()),
            [-128i8; 16].put()
        );
        assert_eq!(
            i8x16_sub([-128i8; 16].put(), [1i8; 16].put()),
            [127i8; 16].put()
        );
        assert_eq!(i16x8_mul([0x4000i16; 8].put(), [4i16; 8].put()), 0);
        assert_eq!(
            i32x4_mul([0x10000, -3, 7, 0].put(), [0x10000, 5, -7, 9].put()),
            [0, -15, -49, 0].put()
        );
        assert_eq!(
            i64x2_mul([i64::MIN, 3].put(), [-1i64, -3].put()),
            [i64::MIN, -9].put()
        );
        assert_eq!(
            i64x2_add([u64::MAX, 1].put(), [1u64, 1].put()),
            [0u64, 2].put()
        );
    }

    #[test]
    fn saturating_add_sub() {
        let a = from_fn::<i8, 16, _>(|i| if i % 2 == 0 { 100 } else { -100 }).put();
        assert_eq!(
            i8x16_add_sat_s(a, a),
            from_fn::<i8, 16, _>(|i| if i % 2 == 0 { 127 } else { -128 }).put()
        );
        assert_eq!(
            i8x16_add_sat_u([200u8; 16].put(), [100u8; 16].put()),
            u128::MAX
        );
        assert_eq!(i8x16_sub_sat_u([5u8; 16].put(), [6u8; 16].put()), 0);
        assert_eq!(
            i8x16_sub_sat_s([-100i8; 16].put(), [100i8; 16].put()),
            [-128i8; 16].put()
        );
        assert_eq!(
            i16x8_add_sat_s([i16::MAX; 8].put(), [1i16; 8].put()),
            [i16::MAX; 8].put()
        );
        assert_eq!(
            i16x8_add_sat_u([65535u16; 8].put(), [1u16; 8].put()),
            u128::MAX
        );
        assert_eq!(
            i16x8_sub_sat_s([i16::MIN; 8].put(), [1i16; 8].put()),
            [i16::MIN; 8].put()
        );
        assert_eq!(i16x8_sub_sat_u([1u16; 8].put(), [2u16; 8].put()), 0);
    }

    #[test]
    fn integer_min_max_signedness() {
        // -1 is the smallest signed and the largest unsigned.
        let (m1, one) = ([-1i8; 16].put(), [1i8; 16].put());
        assert_eq!(i8x16_min_s(m1, one), m1);
        assert_eq!(i8x16_min_u(m1, one), one);
        assert_eq!(i8x16_max_s(m1, one), one);
        assert_eq!(i8x16_max_u(m1, one), m1);
        let (m1, one) = ([-1i16; 8].put(), [1i16; 8].put());
        assert_eq!(i16x8_min_u(m1, one), one);
        assert_eq!(i16x8_max_s(m1, one), one);
        let (m1, one) = ([-1i32; 4].put(), [1i32; 4].put());
        assert_eq!(i32x4_min_s(m1, one), m1);
        assert_eq!(i32x4_max_u(m1, one), m1);
    }

    #[test]
    fn avgr_u_rounds_up_without_overflow() {
        assert_eq!(i8x16_avgr_u(v(u128::MAX), v(u128::MAX)), u128::MAX);
        assert_eq!(
            i8x16_avgr_u([0u8; 16].put(), [1u8; 16].put()),
            [1u8; 16].put()
        );
        assert_eq!(
            i8x16_avgr_u([255u8; 16].put(), [0u8; 16].put()),
            [128u8; 16].put()
        );
        assert_eq!(i16x8_avgr_u(v(u128::MAX), v(u128::MAX)), u128::MAX);
        assert_eq!(
            i16x8_avgr_u([65535u16; 8].put(), [0u16; 8].put()),
            [32768u16; 8].put()
        );
    }

    #[test]
    fn abs_neg_min_stays_min() {
        assert_eq!(i8x16_abs([-128i8; 16].put()), [-128i8; 16].put());
        assert_eq!(i8x16_abs([-5i8; 16].put()), [5i8; 16].put());
        assert_eq!(i8x16_neg([-128i8; 16].put()), [-128i8; 16].put());
        assert_eq!(i16x8_abs([i16::MIN; 8].put()), [i16::MIN; 8].put());
        assert_eq!(
            i32x4_abs([i32::MIN, -1, 1, 0].put()),
            [i32::MIN, 1, 1, 0].put()
        );
        assert_eq!(i64x2_abs([i64::MIN, -7].put()), [i64::MIN, 7].put());
        assert_eq!(i64x2_neg([i64::MIN, -7].put()), [i64::MIN, 7].put());
        assert_eq!(i32x4_neg([1, 0, -1, 5].put()), [-1, 0, 1, -5].put());
    }

    #[test]
    fn popcnt_per_byte() {
        let a: U8 = from_fn(|i| i as u8);
        let want: U8 = from_fn(|i| [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4][i]);
        assert_eq!(i8x16_popcnt(a.put()), want.put());
        assert_eq!(i8x16_popcnt(v(u128::MAX)), [8u8; 16].put());
    }

    #[test]
    fn shift_count_is_modulo_lane_width() {
        let a = [0x81u8; 16].put();
        assert_eq!(i8x16_shl(a, 8), a);
        assert_eq!(i8x16_shl(a, 9), [0x02u8; 16].put());
        assert_eq!(i8x16_shr_u(a, 15), [0x01u8; 16].put());
        assert_eq!(i8x16_shr_s(a, 7), u128::MAX);
        let b = [0x8001u16; 8].put();
        assert_eq!(i16x8_shl(b, 16), b);
        assert_eq!(i16x8_shr_u(b, 17), [0x4000u16; 8].put());
        assert_eq!(i16x8_shr_s(b, 33), [0xc000u16; 8].put());
        let c = [i32::MIN; 4].put();
        assert_eq!(i32x4_shl(c, 32), c);
        assert_eq!(i32x4_shr_s(c, 33), [0xc000_0000u32; 4].put());
        assert_eq!(i32x4_shr_u(c, 31), [1u32; 4].put());
        assert_eq!(i32x4_shl([1u32; 4].put(), u32::MAX), [1u32 << 31; 4].put());
        let d = [i64::MIN; 2].put();
        assert_eq!(i64x2_shr_u(d, 64), d);
        assert_eq!(i64x2_shr_u(d, 127), [1u64; 2].put());
        assert_eq!(i64x2_shr_s(d, 63), u128::MAX);
        assert_eq!(i64x2_shl([3u64; 2].put(), 65), [6u64; 2].put());
    }

    #[test]
    fn q15mulr_sat() {
        let x = [i16::MIN, 16384, 1, -1, 16384, -16384, 32767, i16::MIN].put();
        let y = [i16::MIN, 16384, 16384, 16384, -1, -16384, 32767, 32767].put();
        // (-32768 * -32768 + 0x4000) >> 15 = 32768, saturated to 32767;
        // 1 * 16384 rounds up to 1, -1 * 16384 rounds up to 0.
        let want = [32767i16, 8192, 1, 0, 0, 8192, 32766, -32767].put();
        assert_eq!(i16x8_q15mulr_sat_s(x, y), want);
    }

    #[test]
    fn narrow_signed_saturates_both_ways() {
        let a = [-129i16, -128, 127, 128, 0, -1, i16::MAX, i16::MIN].put();
        let b = [1i16, 2, 3, 4, 5, 6, 300, -300].put();
        let want: I8 = [
            -128, -128, 127, 127, 0, -1, 127, -128, 1, 2, 3, 4, 5, 6, 127, -128,
        ];
        assert_eq!(i8x16_narrow_i16x8_s(a, b), want.put());
        let a = [i32::MIN, -32769, 32768, -5].put();
        let b = [70000, -70000, 32767, -32768].put();
        let want: I16 = [-32768, -32768, 32767, -5, 32767, -32768, 32767, -32768];
        assert_eq!(i16x8_narrow_i32x4_s(a, b), want.put());
    }

    #[test]
    fn narrow_unsigned_reads_signed_input() {
        // 0xffff is -1 (saturates to 0), not 65535.
        let a = [-1i16, 0, 255, 256, i16::MAX, i16::MIN, 128, 1].put();
        let want: U8 = [0, 0, 255, 255, 255, 0, 128, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(i8x16_narrow_i16x8_u(a, v(0)), want.put());
        let b = [-1i32, 65535, 65536, 40000].put();
        let want: U16 = [0, 0, 0, 0, 0, 65535, 65535, 40000];
        assert_eq!(i16x8_narrow_i32x4_u(v(0), b), want.put());
    }

    #[test]
    fn extend_low_high() {
        // Low lanes 0, -1, ..., -7; high lanes -56, -63, ..., -105.
        let a: I8 = from_fn(|i| if i < 8 { -(i as i8) } else { -7 * i as i8 });
        let low: I16 = from_fn(|i| -(i as i16));
        let high: I16 = from_fn(|i| -7 * (i as i16 + 8));
        assert_eq!(i16x8_extend_low_i8x16_s(a.put()), low.put());
        assert_eq!(i16x8_extend_high_i8x16_s(a.put()), high.put());
        let b = [0x80u8; 16].put();
        assert_eq!(i16x8_extend_low_i8x16_u(b), [0x80u16; 8].put());
        assert_eq!(i16x8_extend_high_i8x16_s(b), [-128i16; 8].put());
        let c = [1i16, -1, 2, -2, 3, -3, i16::MIN, -1].put();
        assert_eq!(i32x4_extend_high_i16x8_s(c), [3, -3, -32768, -1].put());
        assert_eq!(
            i32x4_extend_high_i16x8_u(c),
            [3u32, 65533, 32768, 65535].put()
        );
        assert_eq!(i32x4_extend_low_i16x8_u(c), [1u32, 65535, 2, 65534].put());
        let d = [-1i32, 2, i32::MIN, 4].put();
        assert_eq!(i64x2_extend_low_i32x4_s(d), [-1i64, 2].put());
        assert_eq!(i64x2_extend_low_i32x4_u(d), [0xffff_ffffu64, 2].put());
        assert_eq!(i64x2_extend_high_i32x4_s(d), [i64::from(i32::MIN), 4].put());
        assert_eq!(i64x2_extend_high_i32x4_u(d), [0x8000_0000u64, 4].put());
    }

    #[test]
    fn extmul_low_high() {
        let a: I8 = from_fn(|i| if i < 8 { -128 } else { 127 });
        let b = [-128i8; 16];
        assert_eq!(
            i16x8_extmul_low_i8x16_s(a.put(), b.put()),
            [16384i16; 8].put()
        );
        assert_eq!(
            i16x8_extmul_high_i8x16_s(a.put(), b.put()),
            [-16256i16; 8].put()
        );
        // Unsigned: 0x80 * 0x80 and 0x7f * 0x80.
        assert_eq!(
            i16x8_extmul_low_i8x16_u(a.put(), b.put()),
            [16384u16; 8].put()
        );
        assert_eq!(
            i16x8_extmul_high_i8x16_u(a.put(), b.put()),
            [16256u16; 8].put()
        );
        assert_eq!(
            i16x8_extmul_high_i8x16_u(v(u128::MAX), v(u128::MAX)),
            [65025u16; 8].put()
        );
        let c = [i16::MIN, 2, 3, 4, -1, 6, 7, 8].put();
        assert_eq!(i32x4_extmul_low_i16x8_s(c, c), [1 << 30, 4, 9, 16].put());
        assert_eq!(i32x4_extmul_high_i16x8_s(c, c), [1, 36, 49, 64].put());
        assert_eq!(
            i32x4_extmul_high_i16x8_u(c, c),
            [0xfffe_0001u32, 36, 49, 64].put()
        );
        assert_eq!(i32x4_extmul_low_i16x8_u(c, c), [1u32 << 30, 4, 9, 16].put());
        let d = [u32::MAX, 3, i32::MIN as u32, 5].put();
        assert_eq!(
            i64x2_extmul_low_i32x4_u(d, d),
            [0xffff_fffe_0000_0001u64, 9].put()
        );
        assert_eq!(i64x2_extmul_low_i32x4_s(d, d), [1i64, 9].put());
        assert_eq!(i64x2_extmul_high_i32x4_s(d, d), [1i64 << 62, 25].put());
        assert_eq!(i64x2_extmul_high_i32x4_u(d, d), [1u64 << 62, 25].put());
    }

    #[test]
    fn extadd_pairwise() {
        let a = [-128i8; 16].put();
        assert_eq!(i16x8_extadd_pairwise_i8x16_s(a), [-256i16; 8].put());
        assert_eq!(
            i16x8_extadd_pairwise_i8x16_u(v(u128::MAX)),
            [510u16; 8].put()
        );
        let b: I8 = from_fn(|i| i as i8 - 8);
        let want: I16 = from_fn(|i| 4 * i as i16 - 15);
        assert_eq!(i16x8_extadd_pairwise_i8x16_s(b.put()), want.put());
        let c = [i16::MIN, i16::MIN, i16::MAX, i16::MAX, -1, 1, -1, -1].put();
        assert_eq!(
            i32x4_extadd_pairwise_i16x8_s(c),
            [-65536, 65534, 0, -2].put()
        );
        assert_eq!(
            i32x4_extadd_pairwise_i16x8_u(c),
            [65536u32, 65534, 65536, 131070].put()
        );
    }

    #[test]
    fn dot_product_sums_pairs_and_wraps() {
        let a = [1i16, 2, 3, 4, i16::MIN, i16::MIN, -5, 6].put();
        let b = [5i16, 6, -7, 8, i16::MIN, i16::MIN, 1, 1].put();
        // 2^30 + 2^30 = 2^31 wraps to i32::MIN.
        assert_eq!(i32x4_dot_i16x8_s(a, b), [17, 11, i32::MIN, 1].put());
    }

    #[test]
    fn integer_comparisons() {
        let (m1, one) = ([-1i8; 16].put(), [1i8; 16].put());
        assert_eq!(i8x16_lt_s(m1, one), u128::MAX);
        assert_eq!(i8x16_lt_u(m1, one), 0);
        assert_eq!(i8x16_gt_u(m1, one), u128::MAX);
        assert_eq!(i8x16_ge_s(one, one), u128::MAX);
        assert_eq!(i8x16_le_u(one, m1), u128::MAX);
        let a = [1i16, 2, 3, 4, -5, 6, 7, 8].put();
        let b = [1i16, 0, 3, 0, 5, 0, 7, 0].put();
        assert_eq!(i16x8_eq(a, b), [-1i16, 0, -1, 0, 0, 0, -1, 0].put());
        assert_eq!(i16x8_ne(a, b), [0i16, -1, 0, -1, -1, -1, 0, -1].put());
        assert_eq!(i16x8_lt_s(a, b), [0i16, 0, 0, 0, -1, 0, 0, 0].put());
        assert_eq!(i16x8_gt_u(a, b), [0i16, -1, 0, -1, -1, -1, 0, -1].put());
        let c = [i32::MIN, 0, 5, -1].put();
        let d = [0, i32::MIN, 5, 1].put();
        assert_eq!(i32x4_lt_s(c, d), [-1, 0, 0, -1].put());
        assert_eq!(i32x4_lt_u(c, d), [0, -1, 0, 0].put());
        assert_eq!(i32x4_le_s(c, d), [-1, 0, -1, -1].put());
        assert_eq!(i32x4_ge_u(c, d), [-1, 0, -1, -1].put());
        let e = [i64::MIN, 7].put();
        let f = [0i64, 7].put();
        assert_eq!(i64x2_lt_s(e, f), [-1i64, 0].put());
        assert_eq!(i64x2_gt_s(e, f), 0);
        assert_eq!(i64x2_le_s(e, f), u128::MAX);
        assert_eq!(i64x2_ge_s(e, f), [0i64, -1].put());
        assert_eq!(i64x2_eq(e, f), [0i64, -1].put());
        assert_eq!(i64x2_ne(e, f), [-1i64, 0].put());
    }

    #[test]
    fn float_comparisons_with_nan_and_zeros() {
        let a = v32([f32::NAN, -0.0, 1.0, 2.0]);
        let b = v32([f32::NAN, 0.0, 2.0, 1.0]);
        assert_eq!(f32x4_eq(a, b), [0, -1, 0, 0].put());
        assert_eq!(f32x4_ne(a, b), [-1, 0, -1, -1].put());
        assert_eq!(f32x4_lt(a, b), [0, 0, -1, 0].put());
        assert_eq!(f32x4_gt(a, b), [0, 0, 0, -1].put());
        assert_eq!(f32x4_le(a, b), [0, -1, -1, 0].put());
        assert_eq!(f32x4_ge(a, b), [0, -1, 0, -1].put());
        let c = v64([f64::NAN, -0.0]);
        let d = v64([1.0, 0.0]);
        assert_eq!(f64x2_eq(c, d), [0i64, -1].put());
        assert_eq!(f64x2_ne(c, d), [-1i64, 0].put());
        assert_eq!(f64x2_lt(c, d), 0);
        assert_eq!(f64x2_gt(c, d), 0);
        assert_eq!(f64x2_le(c, d), [0i64, -1].put());
        assert_eq!(f64x2_ge(c, d), [0i64, -1].put());
    }

    #[test]
    fn float_min_max_zero_signs() {
        let a = v32([-0.0, 0.0, 1.0, -3.0]);
        let b = v32([0.0, -0.0, 2.0, -4.0]);
        let neg0 = 0x8000_0000;
        assert_eq!(
            f32s(f32x4_min(a, b)),
            [neg0, neg0, 1.0f32.to_bits(), (-4.0f32).to_bits()]
        );
        assert_eq!(
            f32s(f32x4_max(a, b)),
            [0, 0, 2.0f32.to_bits(), (-3.0f32).to_bits()]
        );
        let c = v64([-0.0, 0.0]);
        let d = v64([0.0, -0.0]);
        assert_eq!(f64s(f64x2_min(c, d)), [1 << 63, 1 << 63]);
        assert_eq!(f64s(f64x2_max(c, d)), [0, 0]);
    }

    #[test]
    fn float_min_max_nan_is_quiet() {
        let s = f32::from_bits(F32_SNAN);
        let a = v32([f32::NAN, 1.0, s, 1.0]);
        let b = v32([1.0, f32::NAN, 1.0, s]);
        for r in [f32x4_min(a, b), f32x4_max(a, b)] {
            assert!(f32s(r).iter().all(|&x| is_quiet_nan32(x)), "{r:?}");
        }
        let s = f64::from_bits(F64_SNAN);
        let c = v64([s, f64::NEG_INFINITY]);
        let d = v64([f64::INFINITY, s]);
        for r in [f64x2_min(c, d), f64x2_max(c, d)] {
            assert!(f64s(r).iter().all(|&x| is_quiet_nan64(x)), "{r:?}");
        }
    }

    #[test]
    fn pmin_pmax_no_special_cases() {
        let nan = f32::NAN.to_bits();
        let a = v32([f32::NAN, 1.0, -0.0, 0.0]);
        let b = v32([1.0, f32::NAN, 0.0, -0.0]);
        // pmin = b < a ? b : a; with NaN or equal zeros the comparison is
        // false, so the first operand comes back unchanged.
        assert_eq!(
            f32s(f32x4_pmin(a, b)),
            [nan, 1.0f32.to_bits(), 0x8000_0000, 0]
        );
        assert_eq!(
            f32s(f32x4_pmax(a, b)),
            [nan, 1.0f32.to_bits(), 0x8000_0000, 0]
        );
        assert_eq!(
            f32s(f32x4_pmin(
                v32([3.0, 1.0, 2.0, -1.0]),
                v32([2.0, 2.0, 2.0, -2.0])
            )),
            [2.0f32, 1.0, 2.0, -2.0].map(f32::to_bits)
        );
        assert_eq!(
            f32s(f32x4_pmax(
                v32([3.0, 1.0, 2.0, -1.0]),
                v32([2.0, 2.0, 2.0, -2.0])
            )),
            [3.0f32, 2.0, 2.0, -1.0].map(f32::to_bits)
        );
        let snan = F64_SNAN;
        let c = v64([f64::from_bits(snan), 0.0]);
        let d = v64([1.0, -0.0]);
        assert_eq!(f64s(f64x2_pmin(c, d)), [snan, 0]);
        assert_eq!(f64s(f64x2_pmax(c, d)), [snan, 0]);
        assert_eq!(f64s(f64x2_pmin(d, c)), [1.0f64.to_bits(), 1 << 63]);
        assert_eq!(
            f64s(f64x2_pmax(v64([1.0, 5.0]), v64([2.0, 4.0]))),
            [2.0f64.to_bits(), 5.0f64.to_bits()]
        );
    }

    #[test]
    fn nearest_ties_to_even() {
        let r = f32x4_nearest(v32([0.5, 1.5, 2.5, -0.5]));
        assert_eq!(
            f32s(r),
            [0, 2.0f32.to_bits(), 2.0f32.to_bits(), 0x8000_0000]
        );
        let r = f32x4_nearest(v32([-2.5, 3.5, 2.4999998, 8388609.0]));
        assert_eq!(f32s(r), [-2.0f32, 4.0, 2.0, 8388609.0].map(f32::to_bits));
        let r = f64x2_nearest(v64([-1.5, 4.5]));
        assert_eq!(f64s(r), [-2.0f64, 4.0].map(f64::to_bits));
    }

    #[test]
    fn ceil_floor_trunc() {
        let a = v32([-0.5, 1.5, -1.7, 2.0]);
        assert_eq!(
            f32s(f32x4_ceil(a)),
            [-0.0f32, 2.0, -1.0, 2.0].map(f32::to_bits)
        );
        assert_eq!(
            f32s(f32x4_floor(a)),
            [-1.0f32, 1.0, -2.0, 2.0].map(f32::to_bits)
        );
        assert_eq!(
            f32s(f32x4_trunc(a)),
            [-0.0f32, 1.0, -1.0, 2.0].map(f32::to_bits)
        );
        let b = v64([-0.25, 1e300]);
        assert_eq!(f64s(f64x2_ceil(b)), [-0.0f64, 1e300].map(f64::to_bits));
        assert_eq!(f64s(f64x2_floor(b)), [-1.0f64, 1e300].map(f64::to_bits));
        assert_eq!(f64s(f64x2_trunc(b)), [-0.0f64, 1e300].map(f64::to_bits));
    }

    #[test]
    fn rounding_and_sqrt_quiet_signalling_nans() {
        let a = [F32_SNAN, F32_SNAN | 1 << 31, f32::NAN.to_bits(), 0].put();
        let want = [F32_SNAN | F32_QUIET, F32_SNAN | F32_QUIET | 1 << 31];
        for op in [
            f32x4_ceil,
            f32x4_floor,
            f32x4_trunc,
            f32x4_nearest,
            f32x4_sqrt,
        ] {
            let r = f32s(op(a));
            // The payload is kept, only the quiet bit is added.
            assert_eq!(&r[..2], &want, "{r:x?}");
            assert!(is_quiet_nan32(r[2]));
            assert_eq!(r[3], 0);
        }
        let b = [F64_SNAN, 0x8000_0000_0000_0000].put();
        for op in [
            f64x2_ceil,
            f64x2_floor,
            f64x2_trunc,
            f64x2_nearest,
            f64x2_sqrt,
        ] {
            assert_eq!(f64s(op(b)), [F64_SNAN | F64_QUIET, 1 << 63]);
        }
    }

    #[test]
    fn sqrt_values() {
        let r = f32s(f32x4_sqrt(v32([4.0, -1.0, f32::INFINITY, -0.0])));
        assert_eq!(r[0], 2.0f32.to_bits());
        assert!(is_quiet_nan32(r[1]));
        assert_eq!(r[2], f32::INFINITY.to_bits());
        assert_eq!(r[3], 0x8000_0000);
        let r = f64s(f64x2_sqrt(v64([2.25, -4.0])));
        assert_eq!(r[0], 1.5f64.to_bits());
        assert!(is_quiet_nan64(r[1]));
    }

    #[test]
    fn abs_neg_touch_only_the_sign() {
        // Non-arithmetic: a signalling NaN stays signalling.
        let a = [F32_SNAN | 1 << 31, F32_SNAN, 0, 0xbf80_0000].put();
        assert_eq!(f32s(f32x4_abs(a)), [F32_SNAN, F32_SNAN, 0, 0x3f80_0000]);
        assert_eq!(
            f32s(f32x4_neg(a)),
            [F32_SNAN, F32_SNAN | 1 << 31, 1 << 31, 0x3f80_0000]
        );
        let b = [F64_SNAN, 1 << 63].put();
        assert_eq!(f64s(f64x2_neg(b)), [F64_SNAN | 1 << 63, 0]);
        assert_eq!(f64s(f64x2_abs(f64x2_neg(b))), [F64_SNAN, 0]);
    }

    #[test]
    fn float_arithmetic() {
        let a = v32([1.0, -1.0, 0.0, 6.0]);
        let b = v32([0.0, 0.0, 0.0, 4.0]);
        let r = f32s(f32x4_div(a, b));
        assert_eq!(
            &r[..2],
            &[f32::INFINITY.to_bits(), f32::NEG_INFINITY.to_bits()]
        );
        assert!(is_quiet_nan32(r[2]));
        assert_eq!(r[3], 1.5f32.to_bits());
        assert_eq!(f32s(f32x4_add(a, b))[3], 10.0f32.to_bits());
        assert_eq!(f32s(f32x4_sub(a, b))[3], 2.0f32.to_bits());
        assert_eq!(f32s(f32x4_mul(a, b))[3], 24.0f32.to_bits());
        let c = v64([0.1, f64::INFINITY]);
        let d = v64([0.2, f64::NEG_INFINITY]);
        let r = f64s(f64x2_add(c, d));
        assert_eq!(r[0], 0.30000000000000004f64.to_bits());
        assert!(is_quiet_nan64(r[1]));
        assert_eq!(f64s(f64x2_sub(c, d))[1], f64::INFINITY.to_bits());
        assert_eq!(f64s(f64x2_mul(c, d))[1], f64::NEG_INFINITY.to_bits());
        assert_eq!(f64s(f64x2_div(d, c))[0], 2.0f64.to_bits());
    }

    #[test]
    fn trunc_sat_f32x4() {
        let a = v32([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 3e9]);
        assert_eq!(
            i32x4_trunc_sat_f32x4_s(a),
            [0, i32::MAX, i32::MIN, i32::MAX].put()
        );
        assert_eq!(
            i32x4_trunc_sat_f32x4_u(a),
            [0, u32::MAX, 0, 3_000_000_000].put()
        );
        let b = v32([-1.5, 1.9, 5e9, -2147483648.0]);
        assert_eq!(
            i32x4_trunc_sat_f32x4_s(b),
            [-1, 1, i32::MAX, i32::MIN].put()
        );
        assert_eq!(i32x4_trunc_sat_f32x4_u(b), [0, 1, u32::MAX, 0].put());
        // -0.9 truncates to 0, not an underflow.
        assert_eq!(
            i32x4_trunc_sat_f32x4_u(v32([-0.9, 0.0, 0.0, 4294967040.0])),
            [0, 0, 0, 4294967040u32].put()
        );
    }

    #[test]
    fn trunc_sat_f64x2_zero() {
        let a = v64([f64::NAN, -2147483648.9]);
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(a), [0, i32::MIN, 0, 0].put());
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(a), 0);
        let b = v64([2147483647.9, 4294967296.0]);
        assert_eq!(
            i32x4_trunc_sat_f64x2_s_zero(b),
            [i32::MAX, i32::MAX, 0, 0].put()
        );
        assert_eq!(
            i32x4_trunc_sat_f64x2_u_zero(b),
            [2147483647u32, u32::MAX, 0, 0].put()
        );
        let c = v64([f64::NEG_INFINITY, 4294967295.5]);
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(c), [0, u32::MAX, 0, 0].put());
    }

    #[test]
    fn convert_i32x4() {
        let a = [-1, i32::MIN, 16777217, 3].put();
        assert_eq!(
            f32s(f32x4_convert_i32x4_s(a)),
            // 16777217 is a tie between 16777216 and 16777218: even wins.
            [-1.0f32, -2147483648.0, 16777216.0, 3.0].map(f32::to_bits)
        );
        assert_eq!(
            f32s(f32x4_convert_i32x4_u(a)),
            [4294967296.0f32, 2147483648.0, 16777216.0, 3.0].map(f32::to_bits)
        );
        assert_eq!(
            f32s(f32x4_convert_i32x4_u([16777219u32, 0, 0, 0].put()))[0],
            16777220.0f32.to_bits()
        );
    }

    #[test]
    fn convert_low_i32x4() {
        let a = [-1, i32::MIN, 7, 8].put();
        assert_eq!(
            f64s(f64x2_convert_low_i32x4_s(a)),
            [-1.0f64, -2147483648.0].map(f64::to_bits)
        );
        assert_eq!(
            f64s(f64x2_convert_low_i32x4_u(a)),
            [4294967295.0f64, 2147483648.0].map(f64::to_bits)
        );
    }

    #[test]
    fn demote_zero() {
        let a = v64([1.5, 1e300]);
        assert_eq!(
            f32s(f32x4_demote_f64x2_zero(a)),
            [1.5f32.to_bits(), f32::INFINITY.to_bits(), 0, 0]
        );
        // 1 + 2^-24 is a tie; it rounds to even (1.0).
        let b = v64([1.0 + f64::powi(2.0, -24), -1e-50]);
        assert_eq!(
            f32s(f32x4_demote_f64x2_zero(b)),
            [1.0f32.to_bits(), 1 << 31, 0, 0]
        );
        let c = [F64_SNAN, f64::NAN.to_bits() | 1 << 63].put();
        let r = f32s(f32x4_demote_f64x2_zero(c));
        assert!(is_quiet_nan32(r[0]) && is_quiet_nan32(r[1]), "{r:x?}");
        assert_eq!(&r[2..], &[0, 0]);
    }

    #[test]
    fn promote_low() {
        let a = v32([1.5, -0.0, 7.0, 8.0]);
        assert_eq!(
            f64s(f64x2_promote_low_f32x4(a)),
            [1.5f64.to_bits(), 1 << 63]
        );
        let b = [F32_SNAN, f32::MAX.to_bits(), 0, 0].put();
        let r = f64s(f64x2_promote_low_f32x4(b));
        assert!(is_quiet_nan64(r[0]), "{r:x?}");
        assert_eq!(r[1], f64::from(f32::MAX).to_bits());
    }

    #[test]
    fn swizzle_out_of_range_is_zero() {
        let a: U8 = from_fn(|i| 0xa0 + i as u8);
        let s: U8 = [15, 0, 16, 255, 0x80, 1, 2, 3, 17, 31, 32, 14, 5, 5, 0x7f, 0];
        let want: U8 = [
            0xaf, 0xa0, 0, 0, 0, 0xa1, 0xa2, 0xa3, 0, 0, 0, 0xae, 0xa5, 0xa5, 0, 0xa0,
        ];
        assert_eq!(i8x16_swizzle(a.put(), s.put()), want.put());
    }

    #[test]
    fn shuffle_picks_from_both() {
        let a: U8 = from_fn(|i| i as u8);
        let b: U8 = from_fn(|i| 0x10 + i as u8);
        let lanes = [31, 0, 16, 15, 17, 1, 30, 2, 0, 0, 20, 20, 8, 24, 7, 23];
        // Byte k of the 32-byte concatenation a ++ b is k here.
        assert_eq!(i8x16_shuffle(a.put(), b.put(), lanes), lanes.put());
        assert_eq!(i8x16_shuffle(v(0), v(u128::MAX), [16; 16]), u128::MAX);
    }

    #[test]
    fn splat_takes_low_slot_bits() {
        assert_eq!(i8x16_splat(0x1ff), u128::MAX);
        assert_eq!(
            i8x16_splat(0x0102),
            0x0202_0202_0202_0202_0202_0202_0202_0202
        );
        assert_eq!(
            i16x8_splat(0xdead_1234),
            0x1234_1234_1234_1234_1234_1234_1234_1234
        );
        assert_eq!(
            i32x4_splat(0xffff_ffff_8000_0001),
            [0x8000_0001u32; 4].put()
        );
        assert_eq!(
            i64x2_splat(0x0123_4567_89ab_cdef),
            0x0123_4567_89ab_cdef_0123_4567_89ab_cdef
        );
        // Float splats copy bits, signalling NaNs included.
        assert_eq!(f32x4_splat(u64::from(F32_SNAN)), [F32_SNAN; 4].put());
        assert_eq!(f64x2_splat(F64_SNAN), [F64_SNAN; 2].put());
    }

    #[test]
    fn extract_lane_slot_encoding() {
        let a: U8 = from_fn(|i| if i == 5 { 0x80 } else { i as u8 });
        // Sign-extended to i32 0xffffff80, then zero-extended to the slot.
        assert_eq!(i8x16_extract_lane_s(a.put(), 5), 0xffff_ff80);
        assert_eq!(i8x16_extract_lane_u(a.put(), 5), 0x80);
        assert_eq!(i8x16_extract_lane_s(a.put(), 15), 15);
        let b = [0, 0, 0, 0x8001u16, 0, 0, 0, 0x7fff].put();
        assert_eq!(i16x8_extract_lane_s(b, 3), 0xffff_8001);
        assert_eq!(i16x8_extract_lane_u(b, 3), 0x8001);
        assert_eq!(i16x8_extract_lane_s(b, 7), 0x7fff);
        let c = [1u32, 0xffff_ffff, 3, (-2.5f32).to_bits()].put();
        assert_eq!(i32x4_extract_lane(c, 1), 0xffff_ffff);
        assert_eq!(f32x4_extract_lane(c, 3), u64::from((-2.5f32).to_bits()));
        let d = [u64::MAX, F64_SNAN].put();
        assert_eq!(i64x2_extract_lane(d, 0), u64::MAX);
        assert_eq!(f64x2_extract_lane(d, 1), F64_SNAN);
    }

    #[test]
    fn replace_lane_changes_one_lane() {
        let a = u128::MAX;
        let mut want = [0xffu8; 16];
        want[9] = 0x34;
        assert_eq!(i8x16_replace_lane(v(a), 0xffff_1234, 9), want.put());
        let mut want = [0xffffu16; 8];
        want[7] = 0x1234;
        assert_eq!(i16x8_replace_lane(v(a), 0xffff_1234, 7), want.put());
        assert_eq!(
            i32x4_replace_lane(v(0), 0xffff_ffff_0000_0002, 2),
            [0u32, 0, 2, 0].put()
        );
        assert_eq!(
            f32x4_replace_lane(v(0), u64::from(F32_SNAN), 0),
            [F32_SNAN, 0, 0, 0].put()
        );
        assert_eq!(i64x2_replace_lane(v(a), 5, 1), [u64::MAX, 5].put());
        assert_eq!(f64x2_replace_lane(v(0), F64_SNAN, 0), [F64_SNAN, 0].put());
    }

    /// Checks each group's function type, and counts the entries.
    macro_rules! table_shape {
        (
            simd_unary { $($u:ident = $uf:path;)* }
            simd_binary { $($b:ident = $bf:path;)* }
            simd_ternary { $($t:ident = $tf:path;)* }
            simd_shift { $($s:ident = $sf:path;)* }
            simd_test { $($q:ident = $qf:path;)* }
            simd_splat { $($p:ident = $pf:path;)* }
            simd_extract { $($e:ident = $ef:path;)* }
            simd_replace { $($r:ident = $rf:path;)* }
        ) => {{
            let unary: &[(&str, fn(V128) -> V128)] = &[$((stringify!($u), $uf)),*];
            let binary: &[(&str, fn(V128, V128) -> V128)] = &[$((stringify!($b), $bf)),*];
            let ternary: &[(&str, fn(V128, V128, V128) -> V128)] = &[$((stringify!($t), $tf)),*];
            let shift: &[(&str, fn(V128, u32) -> V128)] = &[$((stringify!($s), $sf)),*];
            let test: &[(&str, fn(V128) -> u32)] = &[$((stringify!($q), $qf)),*];
            let splat: &[(&str, fn(u64) -> V128)] = &[$((stringify!($p), $pf)),*];
            let extract: &[(&str, fn(V128, u8) -> u64)] = &[$((stringify!($e), $ef)),*];
            let replace: &[(&str, fn(V128, u64, u8) -> V128)] = &[$((stringify!($r), $rf)),*];
            let names: Vec<&str> = unary.iter().map(|e| e.0)
                .chain(binary.iter().map(|e| e.0))
                .chain(ternary.iter().map(|e| e.0))
                .chain(shift.iter().map(|e| e.0))
                .chain(test.iter().map(|e| e.0))
                .chain(splat.iter().map(|e| e.0))
                .chain(extract.iter().map(|e| e.0))
                .chain(replace.iter().map(|e| e.0))
                .collect();
            let counts = [
                unary.len(), binary.len(), ternary.len(), shift.len(),
                test.len(), splat.len(), extract.len(), replace.len(),
            ];
            (counts, names)
        }};
    }

    #[test]
    fn table_has_every_operator_once() {
        let (counts, names) = crate::for_each_simd_op!(table_shape);
        assert_eq!(counts, [50, 120, 1, 12, 9, 6, 8, 6]);
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), 212);
    }
}
