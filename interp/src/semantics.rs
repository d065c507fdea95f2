//! Numeric semantics that need more than one Rust operator.

use strata_environ::TrapCode;

macro_rules! float_min_max {
    ($min:ident, $max:ident, $f:ty, $quiet_bit:expr) => {
        /// WebAssembly `min`: NaN if either operand is NaN; -0 is below +0.
        #[inline(always)]
        pub fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                // A NaN operand's payload with the quiet bit set, as the
                // spec asks. Rust does not promise that arithmetic quiets a
                // signaling NaN (Miri returns one unquieted), so set it.
                <$f>::from_bits((a + b).to_bits() | $quiet_bit)
            } else if a == b {
                // Equal but possibly zeros of different signs: prefer -0.
                <$f>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// WebAssembly `max`: NaN if either operand is NaN; +0 is above -0.
        #[inline(always)]
        pub fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                <$f>::from_bits((a + b).to_bits() | $quiet_bit)
            } else if a == b {
                <$f>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}
float_min_max!(f32_min, f32_max, f32, 1 << 22);
float_min_max!(f64_min, f64_max, f64, 1 << 51);

/// Rounding results are exact, but a NaN operand must come back quiet
/// (an "arithmetic NaN"); some libm routines pass signalling NaNs through.
pub trait Quiet: Copy {
    /// `result`, or `operand` made quiet if it is a NaN.
    fn quiet_nan_of(result: Self, operand: Self) -> Self;
}

impl Quiet for f32 {
    #[inline(always)]
    fn quiet_nan_of(result: f32, operand: f32) -> f32 {
        if operand.is_nan() {
            f32::from_bits(operand.to_bits() | 0x0040_0000)
        } else {
            result
        }
    }
}

impl Quiet for f64 {
    #[inline(always)]
    fn quiet_nan_of(result: f64, operand: f64) -> f64 {
        if operand.is_nan() {
            f64::from_bits(operand.to_bits() | 0x0008_0000_0000_0000)
        } else {
            result
        }
    }
}

/// See [`Quiet`].
#[inline(always)]
pub fn quiet<F: Quiet>(result: F, operand: F) -> F {
    F::quiet_nan_of(result, operand)
}

macro_rules! nearest {
    ($name:ident, $f:ty, $two_to_mantissa:expr) => {
        /// WebAssembly `nearest`: round to the nearest integer, ties to
        /// even, a NaN made quiet.
        ///
        /// `round_ties_even` is a call to libm's `rint` where SSE4.1 is not
        /// part of the target (baseline x86-64). Adding and subtracting
        /// 2^mantissa-bits rounds a smaller magnitude the same way in the
        /// default rounding mode; a larger one, an infinity or a NaN is
        /// already integral. The sign is put back so that -0.4 gives -0.
        #[inline(always)]
        pub fn $name(a: $f) -> $f {
            let m = a.abs();
            if m < $two_to_mantissa {
                ((m + $two_to_mantissa) - $two_to_mantissa).copysign(a)
            } else {
                quiet(a, a)
            }
        }
    };
}
nearest!(f32_nearest, f32, 8388608.0);
nearest!(f64_nearest, f64, 4503599627370496.0);

macro_rules! rounding {
    ($trunc:ident, $floor:ident, $ceil:ident, $f:ty, $i:ty, $two_to_mantissa:expr) => {
        /// WebAssembly `trunc`: toward zero, a NaN made quiet.
        ///
        /// Like [`f32_nearest`], without libm's call: a magnitude below
        /// 2^mantissa-bits goes through the integer conversion, which
        /// truncates; a larger one, an infinity or a NaN is integral.
        #[inline(always)]
        pub fn $trunc(a: $f) -> $f {
            if a.abs() < $two_to_mantissa {
                ((a as $i) as $f).copysign(a)
            } else {
                quiet(a, a)
            }
        }

        /// WebAssembly `floor`: the truncation less one below zero when
        /// inexact (-0.5 gives -1, -0 stays -0).
        #[inline(always)]
        pub fn $floor(a: $f) -> $f {
            let t = $trunc(a);
            if t > a { t - 1.0 } else { t }
        }

        /// WebAssembly `ceil`: the truncation plus one above zero when
        /// inexact (-0.5 gives -0).
        #[inline(always)]
        pub fn $ceil(a: $f) -> $f {
            let t = $trunc(a);
            if t < a { t + 1.0 } else { t }
        }
    };
}
rounding!(f32_trunc, f32_floor, f32_ceil, f32, i32, 8388608.0);
rounding!(f64_trunc, f64_floor, f64_ceil, f64, i64, 4503599627370496.0);

macro_rules! div_rem {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        /// Signed division; traps on zero and on `MIN / -1`.
        #[inline(always)]
        pub fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else if a == <$s>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }
        /// Unsigned division; traps on zero.
        #[inline(always)]
        pub fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_div(b).ok_or(TrapCode::IntegerDivisionByZero)
        }
        /// Signed remainder; traps on zero (`MIN % -1` is 0).
        #[inline(always)]
        pub fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        /// Unsigned remainder; traps on zero.
        #[inline(always)]
        pub fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_rem(b).ok_or(TrapCode::IntegerDivisionByZero)
        }
    };
}
div_rem!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
div_rem!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

// Trapping float-to-int conversions. Every f32 is exactly representable as
// an f64, so one set of range checks in f64 serves both source widths. The
// bounds are exclusive and exact powers of two (or one below them).
macro_rules! trunc {
    ($name:ident, $t:ty, $lower_exclusive:expr, $upper_exclusive:expr) => {
        /// Truncates toward zero; traps on NaN and out-of-range values.
        #[inline(always)]
        pub fn $name(a: f64) -> Result<$t, TrapCode> {
            if a.is_nan() {
                return Err(TrapCode::BadConversionToInteger);
            }
            if a <= $lower_exclusive || a >= $upper_exclusive {
                return Err(TrapCode::IntegerOverflow);
            }
            Ok(a as $t)
        }
    };
}
trunc!(trunc_i32, i32, -2147483649.0, 2147483648.0);
trunc!(trunc_u32, u32, -1.0, 4294967296.0);
trunc!(
    trunc_i64,
    i64,
    -9223372036854777856.0,
    9223372036854775808.0
);
trunc!(trunc_u64, u64, -1.0, 18446744073709551616.0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_zero_signs_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(f64_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn trunc_bounds() {
        assert_eq!(trunc_i32(-2147483648.9), Ok(i32::MIN));
        assert_eq!(trunc_i32(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(trunc_u32(-0.9), Ok(0));
        assert_eq!(trunc_u32(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(trunc_i64(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            trunc_i64(9223372036854775808.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(trunc_u64(f64::NAN), Err(TrapCode::BadConversionToInteger));
    }

    /// How many random bit patterns and how many small values (sixteenths
    /// either side of 0) the rounding tests compare: a sample under Miri,
    /// which is slow.
    fn sample_sizes() -> (usize, i32) {
        if cfg!(miri) {
            (500, 200)
        } else {
            (100_000, 40_000)
        }
    }

    /// A xorshift64 stream of bit patterns from `seed`.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn nearest_rounds_as_round_ties_even() {
        let (n, small) = sample_sizes();
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let f32s = [
            0.5f32, 1.5, 2.5, -0.5, -2.5, 0.49999997, 8388607.5, 8388608.0, -0.0, 1e30,
        ];
        for v in f32s
            .into_iter()
            .chain((0..n).map(|_| f32::from_bits(next() as u32)))
        {
            let want = v.round_ties_even();
            let got = f32_nearest(v);
            if v.is_nan() {
                assert!(got.is_nan() && got.to_bits() & 0x0040_0000 != 0, "{v:?}");
            } else {
                assert_eq!(got.to_bits(), want.to_bits(), "{v:?}");
            }
        }
        let f64s = [
            0.5f64,
            1.5,
            -2.5,
            -0.25,
            4503599627370495.5,
            4503599627370496.0,
            -0.0,
        ];
        for v in f64s
            .into_iter()
            .chain((0..n).map(|_| f64::from_bits(next())))
        {
            let want = v.round_ties_even();
            let got = f64_nearest(v);
            if v.is_nan() {
                assert!(got.is_nan() && got.to_bits() & (1 << 51) != 0, "{v:?}");
            } else {
                assert_eq!(got.to_bits(), want.to_bits(), "{v:?}");
            }
        }
        // Random bits are mostly far from the integers; small values too.
        for i in -small..small {
            let v = i as f32 / 16.0;
            assert_eq!(
                f32_nearest(v).to_bits(),
                v.round_ties_even().to_bits(),
                "{v}"
            );
            let v = f64::from(i) / 16.0;
            assert_eq!(
                f64_nearest(v).to_bits(),
                v.round_ties_even().to_bits(),
                "{v}"
            );
        }
    }

    #[test]
    fn trunc_floor_ceil_round_as_std() {
        let (n, small) = sample_sizes();
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        type Pair<F> = (fn(F) -> F, fn(F) -> F);
        let f32_ops: [Pair<f32>; 3] = [
            (f32_trunc, f32::trunc),
            (f32_floor, f32::floor),
            (f32_ceil, f32::ceil),
        ];
        let f64_ops: [Pair<f64>; 3] = [
            (f64_trunc, f64::trunc),
            (f64_floor, f64::floor),
            (f64_ceil, f64::ceil),
        ];
        let f32s: Vec<f32> = [
            -0.0f32, 0.5, -0.5, -1.0, 8388607.5, -8388607.5, 8388608.0, 1e30,
        ]
        .into_iter()
        .chain((0..n).map(|_| f32::from_bits(next() as u32)))
        .chain((-small..small).map(|i| i as f32 / 16.0))
        .collect();
        for v in f32s {
            for (ours, std) in f32_ops {
                let (got, want) = (ours(v), std(v));
                if v.is_nan() {
                    assert!(got.is_nan() && got.to_bits() & 0x0040_0000 != 0, "{v:?}");
                } else {
                    assert_eq!(got.to_bits(), want.to_bits(), "{v:?}");
                }
            }
        }
        let f64s: Vec<f64> = [-0.0f64, 0.5, -0.5, -4503599627370495.5, 4503599627370496.0]
            .into_iter()
            .chain((0..n).map(|_| f64::from_bits(next())))
            .chain((-small..small).map(|i| f64::from(i) / 16.0))
            .collect();
        for v in f64s {
            for (ours, std) in f64_ops {
                let (got, want) = (ours(v), std(v));
                if v.is_nan() {
                    assert!(got.is_nan() && got.to_bits() & (1 << 51) != 0, "{v:?}");
                } else {
                    assert_eq!(got.to_bits(), want.to_bits(), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(1, 0), Err(TrapCode::IntegerDivisionByZero));
    }
}
