//! On-stack replacement into loops nested in other loops.
//!
//! An OSR entry at an inner loop goes in through the headers of the loops
//! around it (`jit/src/translate/osr.rs`), or, where an enclosing loop
//! begins with values on the operand stack, straight into the innermost
//! loops that allow it. Whichever loop a frame is in when its function
//! gets hot, the entry must continue it exactly: finish the current
//! iteration of each enclosing loop, then run the later ones, and consume
//! the fuel the interpreter would. (That the entry keeps the function's
//! loop nest, which is what going in through the outer headers is for, is
//! checked on the Cranelift IR in `jit/src/compile.rs`'s tests.)

use std::sync::{Arc, Mutex};
use strata::{Config, Engine, Instance, Module, Store, Tier, TierUpEvent};

/// One pass's work: write a byte, hash the buffer (`$k1`), run a nested
/// loop (`$rows`, `$cols`). The functions below wrap it in pass loops of
/// different shapes.
const KERNELS: &str = r#"
      (i32.store8
        (i32.rem_u (i32.mul (local.get $p) (i32.const 7919)) (local.get $len))
        (i32.wrap_i64 (local.get $h)))
      (local.set $i (i32.const 0))
      (loop $k1
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $i)))
                               (i64.const 0x100000001b3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $k1 (i32.lt_u (local.get $i) (local.get $len))))
      (local.set $i (i32.const 0))
      (loop $rows
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $x (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $j))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $cols (i32.lt_u (local.get $j) (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $i) (i32.const 8))))
"#;

/// Passes over a buffer, all in one call, each running [`KERNELS`] and
/// folding both into the hash. `passes` is a plain pass loop;
/// `param_passes` has the pass number as the pass loop's parameter, so no
/// entry can go in through that loop (its inner loops still begin with an
/// empty stack); `wrapped_passes` has such a loop (run once per pass)
/// between the pass loop and the kernels, so an entry goes in below it,
/// though the pass loop itself would allow it.
fn program() -> String {
    let head = r#"(param $n i32) (param $len i32) (result i64)
    (local $p i32) (local $i i32) (local $j i32) (local $h i64) (local $x i32)"#;
    let fold = "(local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $x))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))";
    format!(
        r#"
(module
  (memory 1)
  (func (export "passes") {head}
    (loop $pass
      {KERNELS}
      {fold}
      (br_if $pass (i32.lt_u (local.get $p) (local.get $n))))
    (local.get $h))
  (func (export "param_passes") {head}
    (local.get $p)
    (loop $pass (param i32)
      (local.set $p)
      {KERNELS}
      {fold}
      (drop (br_if $pass (local.get $p) (i32.lt_u (local.get $p) (local.get $n)))))
    (local.get $h))
  (func (export "wrapped_passes") {head}
    (loop $pass
      (local.get $p)
      (loop $wrap (param i32)
        (drop)
        {KERNELS})
      {fold}
      (br_if $pass (i32.lt_u (local.get $p) (local.get $n))))
    (local.get $h))
)
"#
    )
}

/// What `passes` computes.
fn passes(n: u32, len: u32) -> u64 {
    let mut buf = vec![0u8; len as usize];
    let (mut h, mut x) = (0u64, 0u32);
    for p in 0..n {
        buf[(p.wrapping_mul(7919) % len) as usize] = h as u8;
        for b in &buf {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
        }
        for i in 0..8u32 {
            for j in 0..8u32 {
                x = x.wrapping_add(i * j);
            }
        }
        h = h.wrapping_add(u64::from(x));
    }
    h
}

/// The byte offsets of function `func`'s `loop` operators, in order:
/// `$pass`, (`$wrap`,) `$k1`, `$rows`, `$cols`.
fn loop_offsets(func: usize) -> Vec<u32> {
    let wasm = wat::parse_str(program()).unwrap();
    let mut funcs = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut loops = Vec::new();
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                let pos = ops.original_position() as u32;
                if let wasmparser::Operator::Loop { .. } = ops.read().unwrap() {
                    loops.push(pos);
                }
            }
            funcs.push(loops);
        }
    }
    funcs.swap_remove(func)
}

/// Runs `name(n, len)` once on a fresh engine of `tier` (tiered: compiling
/// on the spot after `threshold` calls and loop iterations), metered;
/// its result, the fuel it consumed and the loops OSR entries were made
/// for.
fn run_on(tier: Tier, name: &str, n: u32, len: u32, threshold: u32) -> (u64, u64, Vec<u32>) {
    const FUEL: u64 = 1 << 40;
    let events: Arc<Mutex<Vec<TierUpEvent>>> = Arc::default();
    let log = events.clone();
    let mut config = Config::new();
    config
        .tier(tier)
        .consume_fuel(true)
        .tier_up_threshold(threshold)
        .tier_up_synchronous(true)
        .on_tier_up(move |e| log.lock().unwrap().push(e.clone()));
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, program()).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance
        .get_typed_func::<(i32, i32), i64>(&mut store, name)
        .unwrap();
    let result = f.call(&mut store, (n as i32, len as i32)).unwrap() as u64;
    let consumed = FUEL - store.get_fuel().unwrap();
    let entries = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e.error.is_none(), "compile failed: {e:?}");
            e.loop_offset
        })
        .collect::<Vec<_>>();
    (result, consumed, entries.into_iter().flatten().collect())
}

/// [`run_on`] tiered, checking that it consumed the fuel the interpreter
/// does (an entry must not pay again for what the frame ran, nor skip
/// what it did not).
fn run(name: &str, n: u32, len: u32, threshold: u32) -> (u64, Vec<u32>) {
    let (result, consumed, entries) = run_on(Tier::Auto, name, n, len, threshold);
    let (_, interpreted, _) = run_on(Tier::Interpreter, name, n, len, threshold);
    assert_eq!(
        consumed, interpreted,
        "fuel of {name}({n}, {len}) at threshold {threshold}, entries {entries:?}"
    );
    (result, entries)
}

/// [`run`], checking its result against the model; the loop its first
/// OSR entry was made for.
fn first_entry(name: &str, n: u32, len: u32, threshold: u32) -> Option<u32> {
    let (got, entries) = run(name, n, len, threshold);
    assert_eq!(
        got,
        passes(n, len),
        "{name}({n}, {len}) at threshold {threshold}"
    );
    entries.first().copied()
}

#[test]
fn entries_at_inner_loops_finish_the_enclosing_iterations() {
    let [pass, k1, _rows, cols] = loop_offsets(0)[..] else {
        panic!("loops of passes")
    };
    // A long buffer: the budget runs out in `$k1`, one loop deep.
    assert_eq!(first_entry("passes", 20, 500, 100), Some(k1));
    // A short one: in `$cols`, two loops deep.
    assert_eq!(first_entry("passes", 20, 4, 40), Some(cols));
    // The first header: the pass loop itself.
    assert_eq!(first_entry("passes", 20, 4, 1), Some(pass));
}

#[test]
fn an_enclosing_loop_with_parameters_is_entered_past() {
    let [_pass, k1, _rows, cols] = loop_offsets(1)[..] else {
        panic!("loops of param_passes")
    };
    assert_eq!(first_entry("param_passes", 20, 500, 100), Some(k1));
    assert_eq!(first_entry("param_passes", 20, 4, 40), Some(cols));
}

#[test]
fn a_loop_with_parameters_between_stops_the_way_in() {
    let [_pass, _wrap, k1, _rows, cols] = loop_offsets(2)[..] else {
        panic!("loops of wrapped_passes")
    };
    assert_eq!(first_entry("wrapped_passes", 20, 500, 100), Some(k1));
    assert_eq!(first_entry("wrapped_passes", 20, 4, 40), Some(cols));
}

#[test]
fn every_threshold_gives_the_same_result() {
    for name in ["passes", "param_passes", "wrapped_passes"] {
        for threshold in [1, 2, 3, 7, 10, 33, 64, 65, 100, 250, 1000] {
            for (n, len) in [(1, 1), (3, 9), (12, 64), (30, 300)] {
                first_entry(name, n, len, threshold);
            }
        }
    }
}
