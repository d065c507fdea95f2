//! The interpreter's threaded dispatch runs in constant native stack.
//!
//! In optimized builds on x86-64 and AArch64 each instruction's handler
//! ends by calling the next one's, which LLVM must turn into a jump (see
//! `strata_interp::executor::handlers`). If any handler on a hot path kept
//! a real call, every instruction executed would leave a native frame
//! behind. This test runs millions of instructions of many kinds (arithmetic,
//! fused loads and stores, calls, `call_indirect`, `br_table`, `select`,
//! globals, floats, vectors, bulk memory, memory growth) in one call on a
//! thread with a small native stack, then checks the result against the
//! JIT's.

use strata::{Config, Engine, Linker, Module, Store, Tier};

const PROGRAM: &str = r#"
(module
  (memory 1)
  (global $g (mut i64) (i64.const 7))
  (table 2 funcref)
  (elem (i32.const 0) $twice $inc)
  (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $mix (param $x i32) (param $y i64) (result i64)
    (i64.add (i64.extend_i32_u (local.get $x)) (i64.rotl (local.get $y) (i64.const 5))))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $f f64) (local $v v128) (local $k i32)
    (loop $l
      ;; Fused address computations, stores and loads of several widths.
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2))
                 (local.get $i))
      (i64.store8 offset=2048 (i32.and (local.get $i) (i32.const 127)) (local.get $acc))
      (local.set $k (i32.load (i32.shl (i32.and (i32.add (local.get $i) (i32.const 3))
                                                 (i32.const 255)) (i32.const 2))))
      (local.set $acc (i64.add (local.get $acc)
        (i64.load8_u offset=2048 (i32.and (local.get $i) (i32.const 127)))))
      ;; Direct and indirect calls.
      (local.set $acc (call $mix (local.get $k) (local.get $acc)))
      (local.set $k (call_indirect (param i32) (result i32)
        (local.get $i) (i32.and (local.get $i) (i32.const 1))))
      ;; A jump table.
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.rem_u (local.get $i) (i32.const 3))))
        (local.set $k (i32.xor (local.get $k) (i32.const 0x55)))
        (br $b2))
        (local.set $k (i32.mul (local.get $k) (i32.const 3))))
      ;; select, globals, floats and vectors.
      (local.set $k (select (local.get $k) (i32.const 9) (i32.and (local.get $i) (i32.const 4))))
      (global.set $g (i64.xor (global.get $g) (i64.extend_i32_s (local.get $k))))
      (local.set $f (f64.add (f64.mul (local.get $f) (f64.const 0.5))
                             (f64.convert_i32_u (local.get $k))))
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $k))))
      (local.set $acc (i64.add (local.get $acc)
        (i64.add (global.get $g) (i64.trunc_sat_f64_u (local.get $f)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    ;; Cold paths once: bulk memory and growth return to the dispatch loop.
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 16))
    (drop (memory.grow (i32.const 1)))
    (i64.add (local.get $acc)
      (i64.add (i64.extend_i32_u (i32x4.extract_lane 2 (local.get $v)))
               (i64.extend_i32_u (i32.add (memory.size) (i32.load (i32.const 4))))))))
"#;

fn run(tier: Tier, n: i32) -> i64 {
    let mut config = Config::new();
    config.tier(tier);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, PROGRAM).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = inst.get_typed_func::<i32, i64>(&mut store, "run").unwrap();
    run.call(&mut store, n).unwrap()
}

#[test]
fn millions_of_instructions_run_in_a_small_native_stack() {
    const N: i32 = 300_000;
    // About 60 instructions per iteration: a handler that kept one native
    // frame per instruction would need gigabytes of stack.
    let interp = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| run(Tier::Interpreter, N))
        .unwrap()
        .join()
        .expect("the interpreter's thread failed");
    assert_eq!(interp, run(Tier::Jit, N));
}
