//! The interpreter's float accumulators (`strata_interp`'s
//! `executor/accumulator.rs`): an `f64` or `f32` result stays in a
//! register for the instruction after it. Every shape that reads it computes what the
//! separate operators do, on every tier: either operand of a binary
//! instruction (the second of a subtraction or division too), a unary
//! one, a comparison, a store's value, a fused multiply-add
//! with the result as one factor or both, a load's result, and a loop
//! header, which a branch reaches and so must read its slot.

mod interp_common;

use interp_common::{instantiate, interp_translation};
use strata::{Store, Tier};
use strata_interp::op::{ACC, FACC, Op};

/// The functions written for each float width: `FT` is `f32` or `f64`,
/// `W` its width in bytes.
const PER_WIDTH: &str = r#"
  ;; Either operand of a binary instruction, and a unary one.
  (func (export "chain_FT") (param $x FT) (param $y FT) (result FT)
    (local $t FT)
    (local.set $t (FT.sqrt (FT.add (FT.mul (local.get $x) (local.get $x))
                                     (FT.mul (local.get $y) (local.get $y)))))
    (local.set $t (FT.sub (local.get $y) (FT.mul (local.get $t) (local.get $x))))
    (local.set $t (FT.div (local.get $x) (FT.add (local.get $t) (FT.const 0.5))))
    (FT.sub (FT.mul (local.get $t) (local.get $y)) (local.get $x)))
  ;; Multiply-adds: the result as both factors, as the first, as the
  ;; second, and the product first or second in the sum; each one's result
  ;; read from the register by the instruction after it.
  (func (export "fused_FT") (param $x FT) (param $y FT) (result FT)
    (local $c FT) (local $d FT)
    (local.set $c (FT.mul (local.get $x) (FT.const 3)))
    (local.set $d (FT.sub (local.get $x) (local.get $y)))
    (local.set $c (FT.add (local.get $c) (FT.mul (local.get $d) (local.get $d))))
    (local.set $c (FT.sub (local.get $c) (local.get $x)))
    (local.set $d (FT.add (local.get $y) (FT.const 1.25)))
    (local.set $c (FT.add (FT.mul (local.get $d) (local.get $d)) (local.get $c)))
    (local.set $c (FT.add (local.get $c) (local.get $y)))
    (local.set $d (FT.mul (local.get $x) (FT.const -2)))
    (local.set $c (FT.add (local.get $c) (FT.mul (local.get $d) (local.get $y))))
    (local.set $c (FT.mul (local.get $c) (local.get $y)))
    (local.set $d (FT.div (local.get $y) (FT.const 7)))
    (local.set $c (FT.add (FT.mul (local.get $x) (local.get $d)) (local.get $c)))
    (FT.sub (local.get $c) (local.get $y)))
  ;; Stores of a result, at a computed and at a constant address, and
  ;; loads whose value the next instruction reads.
  (func (export "memory_FT") (param $x FT) (param $y FT) (param $p i32) (result FT)
    (FT.store (local.get $p) (FT.mul (local.get $x) (local.get $y)))
    (FT.store offset=W (local.get $p) (FT.sub (local.get $x) (local.get $y)))
    (FT.store (i32.const 16) (FT.add (local.get $x) (local.get $y)))
    (FT.add (FT.mul (FT.load (local.get $p)) (local.get $x))
             (FT.sub (local.get $y) (FT.load offset=W (local.get $p)))))
"#;

/// The functions written for `f64` only.
const F64_ONLY: &str = r#"
  ;; A comparison that branches on a result, and conversions in a chain.
  (func (export "compare") (param $x f64) (param $y f64) (result i32)
    (block $b
      (br_if $b (f64.gt (local.get $y) (f64.mul (local.get $x) (local.get $x))))
      (return (i32.trunc_sat_f64_s (f64.sqrt (f64.convert_i32_s (i32.trunc_sat_f64_s (local.get $x)))))))
    (i32.trunc_sat_f64_s (f64.promote_f32 (f32.mul (f32.demote_f64 (local.get $x)) (f32.const 1.5)))))
  ;; Exact bits through the register (a NaN's payload, signalling or
  ;; not), and reinterpretations: a float result read as an integer, an
  ;; integer result read as a float.
  (func (export "bits") (param $x f64) (param $p i32) (result i64)
    (f64.store (local.get $p) (f64.neg (local.get $x)))
    (i64.store offset=8 (local.get $p) (i64.reinterpret_f64 (f64.abs (local.get $x))))
    (f64.store offset=16 (local.get $p)
      (f64.copysign (f64.reinterpret_i64 (i64.xor (i64.reinterpret_f64 (local.get $x)) (i64.const 1)))
                    (local.get $x)))
    (i64.add (i64.reinterpret_f64 (f64.neg (f64.abs (local.get $x)))) (i64.const 0)))
  (func (export "bits32") (param $x f32) (param $p i32) (result i32)
    (f32.store (local.get $p) (f32.neg (local.get $x)))
    (i32.add (i32.reinterpret_f32 (f32.abs (local.get $x))) (i32.const 0)))
  ;; The loop header's addition follows a multiplication into the same
  ;; local when the loop is entered, but not when the branch reaches it.
  (func (export "header") (param $x f64) (param $n i32) (result f64)
    (local $s f64) (local $i i32)
    (local.set $s (f64.mul (local.get $x) (f64.const 2)))
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.const 1)))
      (local.set $s (f64.mul (local.get $s) (f64.const 0.75)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
"#;

/// The module: `PER_WIDTH` for `f64`, then for `f32`, then `F64_ONLY`.
fn program() -> String {
    format!(
        "(module (memory (export \"mem\") 1) {} {} {})",
        PER_WIDTH
            .replace("FT", "f64")
            .replace("offset=W", "offset=8"),
        PER_WIDTH
            .replace("FT", "f32")
            .replace("offset=W", "offset=4"),
        F64_ONLY
    )
}

/// The models of the functions written for each width.
macro_rules! models {
    ($t:ident, $chain:ident, $fused:ident, $memory:ident) => {
        fn $chain(x: $t, y: $t) -> $t {
            let t = (x * x + y * y).sqrt();
            let t = y - t * x;
            let t = x / (t + 0.5);
            t * y - x
        }

        fn $fused(x: $t, y: $t) -> $t {
            let c = x * 3.0;
            let d = x - y;
            let c = c + d * d;
            let c = c - x;
            let d = y + 1.25;
            let c = d * d + c;
            let c = c + y;
            let d = x * -2.0;
            let c = c + d * y;
            let c = c * y;
            let d = y / 7.0;
            let c = x * d + c;
            c - y
        }

        /// What `memory` returns, and the three values it stores.
        fn $memory(x: $t, y: $t) -> ($t, [$t; 3]) {
            ((x * y) * x + (y - (x - y)), [x * y, x - y, x + y])
        }
    };
}
models!(f64, chain64, fused64, memory64);
models!(f32, chain32, fused32, memory32);

fn compare(x: f64, y: f64) -> i32 {
    if y > x * x {
        ((x as f32) * 1.5f32) as f64 as i32
    } else {
        f64::from(x as i32).sqrt() as i32
    }
}

fn header(x: f64, n: u32) -> f64 {
    let mut s = x * 2.0;
    for _ in 0..n.max(1) {
        s = (s + 1.0) * 0.75;
    }
    s
}

/// Compares bit patterns, so that -0 differs from +0 (a NaN equals any
/// NaN: which NaN an operation returns is not deterministic).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn same32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn the_translator_reads_float_results_from_the_float_accumulators() {
    let module = interp_translation(&program());
    let code = |f: usize| -> Vec<Op> {
        module
            .func(f)
            .unwrap()
            .code
            .iter()
            .map(|i| *i.op())
            .collect()
    };
    let has = |f: usize, pred: &dyn Fn(&Op) -> bool| code(f).iter().any(pred);
    // chain_f64, chain_f32
    assert!(has(0, &|op| matches!(op, Op::F64Sqrt { a: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Sub { b: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Div { b: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Sub { a: ACC, .. })));
    assert!(has(3, &|op| matches!(op, Op::F32Sqrt { a: ACC, .. })));
    assert!(has(3, &|op| matches!(op, Op::F32Sub { b: ACC, .. })));
    assert!(has(3, &|op| matches!(op, Op::F32Div { b: ACC, .. })));
    assert!(has(3, &|op| matches!(op, Op::F32Sub { a: ACC, .. })));
    // fused_f64, fused_f32: one factor and both.
    assert!(has(1, &|op| matches!(
        op,
        Op::F64AddMul { a: ACC, b: ACC, .. } | Op::F64MulAdd { a: ACC, b: ACC, .. }
    )));
    assert!(has(1, &|op| matches!(
        op,
        Op::F64AddMul { a: ACC, b, .. } | Op::F64MulAdd { a: ACC, b, .. } if *b != ACC
    )));
    assert!(has(4, &|op| matches!(
        op,
        Op::F32AddMul { a: ACC, b: ACC, .. } | Op::F32MulAdd { a: ACC, b: ACC, .. }
    )));
    assert!(has(4, &|op| matches!(
        op,
        Op::F32AddMul { a: ACC, b, .. } | Op::F32MulAdd { a: ACC, b, .. } if *b != ACC
    )));
    assert!(has(1, &|op| matches!(
        op,
        Op::F64AddMul { a, b: ACC, .. } | Op::F64MulAdd { a, b: ACC, .. } if *a != ACC
    )));
    assert!(has(4, &|op| matches!(
        op,
        Op::F32AddMul { a, b: ACC, .. } | Op::F32MulAdd { a, b: ACC, .. } if *a != ACC
    )));
    // memory_f64, memory_f32: stores of a result, and loads read after.
    assert!(has(2, &|op| matches!(op, Op::Store64 { value: FACC, .. })));
    assert!(has(2, &|op| matches!(
        op,
        Op::Store64Abs { value: FACC, .. }
    )));
    assert!(has(2, &|op| matches!(op, Op::F64Mul { a: ACC, .. })));
    assert!(has(5, &|op| matches!(op, Op::Store32 { value: FACC, .. })));
    assert!(has(5, &|op| matches!(
        op,
        Op::Store32Abs { value: FACC, .. }
    )));
    assert!(has(5, &|op| matches!(op, Op::F32Mul { a: ACC, .. })));
    // compare: a comparison and conversions.
    assert!(has(6, &|op| matches!(op, Op::F64Gt { b: ACC, .. })));
    assert!(has(6, &|op| matches!(op, Op::F64Sqrt { a: ACC, .. })));
    assert!(has(6, &|op| matches!(op, Op::F64PromoteF32 { a: ACC, .. })));
    // bits, bits32: stores of a result.
    assert!(has(7, &|op| matches!(op, Op::Store64 { value: FACC, .. })));
    assert!(has(8, &|op| matches!(op, Op::Store32 { value: FACC, .. })));
    // header: the loop's first instruction reads its slot.
    let header = code(9);
    let first_add = header
        .iter()
        .position(|op| matches!(op, Op::F64Add { .. }))
        .unwrap_or_else(|| panic!("{header:?}"));
    assert!(
        !matches!(
            header[first_add],
            Op::F64Add { a: ACC, .. } | Op::F64Add { b: ACC, .. }
        ),
        "{header:?}"
    );
}

#[test]
fn float_accumulator_reads_compute_what_the_operators_do_on_every_tier() {
    let values = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        3.75,
        1e300,
        -1e-300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        7.0,
        12.5,
        1e30,
        -3e-39,
    ];
    let wat = program();
    // NaNs with payloads, signalling and quiet, of either sign.
    let nans = [
        0x7ff0_0000_0000_0001u64,
        0xfff4_0000_0000_1234,
        0x7ff8_0000_0000_00ab,
        0xfff8_0000_0000_0000,
    ];
    for tier in Tier::ALL {
        let (mut store, instance) = instantiate(tier, &wat);
        let f64s = |store: &mut Store<()>, name: &str| {
            instance
                .get_typed_func::<(f64, f64), f64>(store, name)
                .unwrap()
        };
        let f32s = |store: &mut Store<()>, name: &str| {
            instance
                .get_typed_func::<(f32, f32), f32>(store, name)
                .unwrap()
        };
        let chain_f64 = f64s(&mut store, "chain_f64");
        let fused_f64 = f64s(&mut store, "fused_f64");
        let chain_f32 = f32s(&mut store, "chain_f32");
        let fused_f32 = f32s(&mut store, "fused_f32");
        let memory_f64 = instance
            .get_typed_func::<(f64, f64, i32), f64>(&mut store, "memory_f64")
            .unwrap();
        let memory_f32 = instance
            .get_typed_func::<(f32, f32, i32), f32>(&mut store, "memory_f32")
            .unwrap();
        let compare_fn = instance
            .get_typed_func::<(f64, f64), i32>(&mut store, "compare")
            .unwrap();
        let header_fn = instance
            .get_typed_func::<(f64, i32), f64>(&mut store, "header")
            .unwrap();
        let bits_fn = instance
            .get_typed_func::<(f64, i32), i64>(&mut store, "bits")
            .unwrap();
        let bits32_fn = instance
            .get_typed_func::<(f32, i32), i32>(&mut store, "bits32")
            .unwrap();
        let mem = instance.get_memory(&mut store, "mem").unwrap();
        for bits in nans {
            check_bits(&mut store, mem, tier, &bits_fn, &bits32_fn, bits);
        }
        for &x in &values {
            for &y in &values {
                let got = chain_f64.call(&mut store, (x, y)).unwrap();
                assert!(
                    same(got, chain64(x, y)),
                    "{tier:?} chain_f64({x}, {y}) = {got}"
                );
                let got = fused_f64.call(&mut store, (x, y)).unwrap();
                assert!(
                    same(got, fused64(x, y)),
                    "{tier:?} fused_f64({x}, {y}) = {got}"
                );
                let got = compare_fn.call(&mut store, (x, y)).unwrap();
                assert_eq!(got, compare(x, y), "{tier:?} compare({x}, {y})");
                let (x32, y32) = (x as f32, y as f32);
                let got = chain_f32.call(&mut store, (x32, y32)).unwrap();
                assert!(
                    same32(got, chain32(x32, y32)),
                    "{tier:?} chain_f32({x32}, {y32}) = {got}"
                );
                let got = fused_f32.call(&mut store, (x32, y32)).unwrap();
                assert!(
                    same32(got, fused32(x32, y32)),
                    "{tier:?} fused_f32({x32}, {y32}) = {got}"
                );

                let got = memory_f64.call(&mut store, (x, y, 64)).unwrap();
                let (want, stored) = memory64(x, y);
                assert!(same(got, want), "{tier:?} memory_f64({x}, {y}) = {got}");
                let bytes = mem.data(&store);
                let read = |at: usize| f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                for (at, want) in [(64, stored[0]), (72, stored[1]), (16, stored[2])] {
                    assert!(
                        same(read(at), want),
                        "{tier:?} memory_f64({x}, {y}) stored {} at {at}",
                        read(at)
                    );
                }

                let got = memory_f32.call(&mut store, (x32, y32, 64)).unwrap();
                let (want, stored) = memory32(x32, y32);
                assert!(
                    same32(got, want),
                    "{tier:?} memory_f32({x32}, {y32}) = {got}"
                );
                let bytes = mem.data(&store);
                let read = |at: usize| f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
                for (at, want) in [(64, stored[0]), (68, stored[1]), (16, stored[2])] {
                    assert!(
                        same32(read(at), want),
                        "{tier:?} memory_f32({x32}, {y32}) stored {} at {at}",
                        read(at)
                    );
                }
            }
            check_bits(&mut store, mem, tier, &bits_fn, &bits32_fn, x.to_bits());
            for n in [0u32, 1, 2, 10] {
                let got = header_fn.call(&mut store, (x, n as i32)).unwrap();
                assert!(same(got, header(x, n)), "{tier:?} header({x}, {n}) = {got}");
            }
        }
    }
}

/// Runs `bits` and `bits32` on the value whose bits are `x` (and, for
/// `bits32`, on its low and high halves as an `f32`) and checks every bit
/// of what they return and store.
fn check_bits(
    store: &mut Store<()>,
    mem: strata::Memory,
    tier: Tier,
    bits_fn: &strata::TypedFunc<(f64, i32), i64>,
    bits32_fn: &strata::TypedFunc<(f32, i32), i32>,
    x: u64,
) {
    const SIGN: u64 = 1 << 63;
    let p = 128;
    let got = bits_fn
        .call(&mut *store, (f64::from_bits(x), p as i32))
        .unwrap() as u64;
    assert_eq!(got, x | SIGN, "{tier:?} bits({x:#x})");
    let read = |store: &Store<()>, at: usize| {
        u64::from_le_bytes(mem.data(store)[at..at + 8].try_into().unwrap())
    };
    assert_eq!(read(store, p), x ^ SIGN, "{tier:?} bits({x:#x}) neg");
    assert_eq!(read(store, p + 8), x & !SIGN, "{tier:?} bits({x:#x}) abs");
    assert_eq!(
        read(store, p + 16),
        ((x ^ 1) & !SIGN) | (x & SIGN),
        "{tier:?} bits({x:#x}) copysign"
    );
    for half in [x as u32, (x >> 32) as u32] {
        let got = bits32_fn
            .call(&mut *store, (f32::from_bits(half), p as i32))
            .unwrap() as u32;
        assert_eq!(got, half & !(1 << 31), "{tier:?} bits32({half:#x})");
        let stored = u32::from_le_bytes(mem.data(&*store)[p..p + 4].try_into().unwrap());
        assert_eq!(stored, half ^ (1 << 31), "{tier:?} bits32({half:#x}) neg");
    }
}
