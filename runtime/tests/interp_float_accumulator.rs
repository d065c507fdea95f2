//! The interpreter's float accumulator (`strata_interp`'s
//! `executor/accumulator.rs`): an `f64` result stays in a register for the
//! instruction after it. Every shape that reads it computes what the
//! separate operators do, on every tier: either operand of a binary
//! instruction (the second of a subtraction or division too), a unary
//! one, a comparison, a store's value, a fused multiply-add
//! with the result as one factor or both, a load's result, and a loop
//! header, which a branch reaches and so must read its slot.

use std::sync::Arc;
use strata::{Config, Engine, Instance, Module, Store, Tier};
use strata_interp::op::{ACC, FACC, Op};

const PROGRAM: &str = r#"
(module (memory (export "mem") 1)
  ;; Either operand of a binary instruction, and a unary one.
  (func (export "chain") (param $x f64) (param $y f64) (result f64)
    (local $t f64)
    (local.set $t (f64.sqrt (f64.add (f64.mul (local.get $x) (local.get $x))
                                     (f64.mul (local.get $y) (local.get $y)))))
    (local.set $t (f64.sub (local.get $y) (f64.mul (local.get $t) (local.get $x))))
    (local.set $t (f64.div (local.get $x) (f64.add (local.get $t) (f64.const 0.5))))
    (f64.sub (f64.mul (local.get $t) (local.get $y)) (local.get $x)))
  ;; Multiply-adds: the result as both factors, as the first, as the
  ;; second, and the product first or second in the sum.
  (func (export "fused") (param $x f64) (param $y f64) (result f64)
    (local $c f64) (local $d f64)
    (local.set $c (f64.mul (local.get $x) (f64.const 3)))
    (local.set $d (f64.sub (local.get $x) (local.get $y)))
    (local.set $c (f64.add (local.get $c) (f64.mul (local.get $d) (local.get $d))))
    (local.set $d (f64.add (local.get $y) (f64.const 1.25)))
    (local.set $c (f64.add (f64.mul (local.get $d) (local.get $d)) (local.get $c)))
    (local.set $d (f64.mul (local.get $x) (f64.const -2)))
    (local.set $c (f64.add (local.get $c) (f64.mul (local.get $d) (local.get $y))))
    (local.set $d (f64.div (local.get $y) (f64.const 7)))
    (local.set $c (f64.add (f64.mul (local.get $x) (local.get $d)) (local.get $c)))
    (local.get $c))
  ;; Stores of a result, at a computed and at a constant address, and
  ;; loads whose value the next instruction reads.
  (func (export "memory") (param $x f64) (param $y f64) (param $p i32) (result f64)
    (f64.store (local.get $p) (f64.mul (local.get $x) (local.get $y)))
    (f64.store offset=8 (local.get $p) (f64.sub (local.get $x) (local.get $y)))
    (f64.store (i32.const 16) (f64.add (local.get $x) (local.get $y)))
    (f64.add (f64.mul (f64.load (local.get $p)) (local.get $x))
             (f64.sub (local.get $y) (f64.load offset=8 (local.get $p)))))
  ;; A comparison that branches on a result, and conversions in a chain.
  (func (export "compare") (param $x f64) (param $y f64) (result i32)
    (block $b
      (br_if $b (f64.gt (local.get $y) (f64.mul (local.get $x) (local.get $x))))
      (return (i32.trunc_sat_f64_s (f64.sqrt (f64.convert_i32_s (i32.trunc_sat_f64_s (local.get $x)))))))
    (i32.trunc_sat_f64_s (f64.promote_f32 (f32.mul (f32.demote_f64 (local.get $x)) (f32.const 1.5)))))
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
    (local.get $s)))
"#;

fn chain(x: f64, y: f64) -> f64 {
    let t = (x * x + y * y).sqrt();
    let t = y - t * x;
    let t = x / (t + 0.5);
    t * y - x
}

fn fused(x: f64, y: f64) -> f64 {
    let c = x * 3.0;
    let d = x - y;
    let c = c + d * d;
    let d = y + 1.25;
    let c = d * d + c;
    let d = x * -2.0;
    let c = c + d * y;
    let d = y / 7.0;
    x * d + c
}

/// What `memory` returns, and the three values it stores.
fn memory(x: f64, y: f64) -> (f64, [f64; 3]) {
    ((x * y) * x + (y - (x - y)), [x * y, x - y, x + y])
}

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

/// Compares bit patterns, so that a NaN equals itself and -0 differs
/// from +0.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn the_translator_reads_f64_results_from_the_float_accumulator() {
    let wasm: Arc<[u8]> = wat::parse_str(PROGRAM).unwrap().into();
    let mut compiler = strata_interp::InterpCompiler::new();
    let info = strata_environ::ModuleEnvironment::new(strata_environ::supported_features())
        .translate(&wasm, &mut compiler)
        .unwrap();
    let module = compiler.finish(Arc::new(info), wasm);
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
    // chain
    assert!(has(0, &|op| matches!(op, Op::F64Sqrt { a: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Sub { b: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Div { b: ACC, .. })));
    assert!(has(0, &|op| matches!(op, Op::F64Sub { a: ACC, .. })));
    // fused
    assert!(has(1, &|op| matches!(
        op,
        Op::F64AddMul { a: ACC, b: ACC, .. } | Op::F64MulAdd { a: ACC, b: ACC, .. }
    )));
    assert!(has(1, &|op| matches!(
        op,
        Op::F64AddMul { a: ACC, b, .. } | Op::F64MulAdd { a: ACC, b, .. } if *b != ACC
    )));
    // memory
    assert!(has(2, &|op| matches!(op, Op::Store64 { value: FACC, .. })));
    assert!(has(2, &|op| matches!(
        op,
        Op::Store64Abs { value: FACC, .. }
    )));
    assert!(has(2, &|op| matches!(op, Op::F64Mul { a: ACC, .. })));
    // compare
    assert!(has(3, &|op| matches!(op, Op::F64Gt { b: ACC, .. })));
    assert!(has(3, &|op| matches!(op, Op::F64Sqrt { a: ACC, .. })));
    // header: the loop's first instruction reads its slot.
    let header = code(4);
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
    ];
    for tier in Tier::ALL {
        let mut config = Config::new();
        config.tier(tier);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, PROGRAM).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let chain_fn = instance
            .get_typed_func::<(f64, f64), f64>(&mut store, "chain")
            .unwrap();
        let fused_fn = instance
            .get_typed_func::<(f64, f64), f64>(&mut store, "fused")
            .unwrap();
        let memory_fn = instance
            .get_typed_func::<(f64, f64, i32), f64>(&mut store, "memory")
            .unwrap();
        let compare_fn = instance
            .get_typed_func::<(f64, f64), i32>(&mut store, "compare")
            .unwrap();
        let header_fn = instance
            .get_typed_func::<(f64, i32), f64>(&mut store, "header")
            .unwrap();
        let mem = instance.get_memory(&mut store, "mem").unwrap();
        for &x in &values {
            for &y in &values {
                let got = chain_fn.call(&mut store, (x, y)).unwrap();
                assert!(same(got, chain(x, y)), "{tier:?} chain({x}, {y}) = {got}");
                let got = fused_fn.call(&mut store, (x, y)).unwrap();
                assert!(same(got, fused(x, y)), "{tier:?} fused({x}, {y}) = {got}");
                let got = compare_fn.call(&mut store, (x, y)).unwrap();
                assert_eq!(got, compare(x, y), "{tier:?} compare({x}, {y})");
                let p = 64;
                let got = memory_fn.call(&mut store, (x, y, p)).unwrap();
                let (want, stored) = memory(x, y);
                assert!(same(got, want), "{tier:?} memory({x}, {y}) = {got}");
                let bytes = mem.data(&store);
                let read = |at: usize| f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                for (at, want) in [(64, stored[0]), (72, stored[1]), (16, stored[2])] {
                    assert!(
                        same(read(at), want),
                        "{tier:?} memory({x}, {y}) stored {} at {at}",
                        read(at)
                    );
                }
            }
            for n in [0u32, 1, 2, 10] {
                let got = header_fn.call(&mut store, (x, n as i32)).unwrap();
                assert!(same(got, header(x, n)), "{tier:?} header({x}, {n}) = {got}");
            }
        }
    }
}
