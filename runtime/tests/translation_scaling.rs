//! Module bytes alone must not stall Strata: the interpreter translates
//! every function body in time linear in its size, whatever its shape.
//!
//! Each shape below is built large enough that translation with quadratic
//! work would take minutes (the operand stack holds up to 200,000 entries,
//! and a quadratic translator rescans it at every `local.set` or block
//! boundary), while linear work takes well under a second in a release
//! build and a few seconds in a debug one. The limit is far between the
//! two, so only a quadratic can reach it; it is not a speed measurement.

use std::fmt::Write as _;
use std::time::{Duration, Instant};
use strata::{Config, Engine, Instance, Module, Store, Tier};

/// Far above linear, far below quadratic (see the module docs).
const LIMIT: Duration = Duration::from_secs(30);

/// Elements of each shape.
const N: usize = 200_000;

/// A module whose exported function `f` has `body` and `locals` i32
/// locals besides its i32 parameter.
fn module(locals: usize, body: &str) -> Vec<u8> {
    let wat = format!(
        "(module (func (export \"f\") (param i32) {} {body}))",
        if locals > 0 {
            format!("(local {})", "i32 ".repeat(locals))
        } else {
            String::new()
        }
    );
    wat::parse_str(&wat).expect("valid text")
}

fn repeat(n: usize, s: &str) -> String {
    let mut out = String::with_capacity(n * s.len());
    for _ in 0..n {
        out.push_str(s);
    }
    out
}

/// Translates `wasm` on the interpreter, eagerly and lazily (a call
/// translates the function), and checks each within [`LIMIT`].
fn assert_linear(shape: &str, wasm: &[u8]) {
    for lazy in [false, true] {
        let mut config = Config::new();
        config.tier(Tier::Interpreter).lazy_translation(lazy);
        let engine = Engine::new(&config).unwrap();
        let start = Instant::now();
        let module = Module::new(&engine, wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_typed_func::<i32, ()>(&mut store, "f").unwrap();
        f.call(&mut store, 1).unwrap();
        let took = start.elapsed();
        assert!(
            took < LIMIT,
            "{shape} ({} KiB, lazy: {lazy}) took {took:?}: translation is not linear",
            wasm.len() / 1024
        );
    }
}

#[test]
fn many_gets_then_many_sets_of_one_local() {
    let body = repeat(N, "local.get 0 ") + &repeat(N, "block end ") + &repeat(N, "local.set 0 ");
    assert_linear("gets, blocks, sets", &module(0, &body));
}

#[test]
fn references_to_locals_across_many_block_boundaries() {
    // Each block boundary must materialize the new reference, not rescan
    // the deep stack of older ones.
    let body = repeat(N, "local.get 0 block end ") + &repeat(N, "drop ");
    assert_linear("get + block, repeated", &module(0, &body));
}

#[test]
fn many_ifs_over_a_deep_stack() {
    let body = repeat(N / 2, "local.get 0 ")
        + &repeat(N / 2, "local.get 0 if end ")
        + &repeat(N / 2, "drop ");
    assert_linear("ifs over a deep stack", &module(0, &body));
}

#[test]
fn many_locals_each_set_while_referenced() {
    // A reference to each of many locals on the stack, then each local
    // set: every `local.set` has exactly one entry to preserve.
    // wasmparser allows 50,000 locals.
    let locals = 40_000;
    let mut body = String::new();
    for i in 1..=locals {
        let _ = write!(body, "local.get {i} ");
    }
    for i in 1..=locals {
        let _ = write!(body, "i32.const {i} local.set {i} ");
    }
    body.push_str(&repeat(locals, "drop "));
    assert_linear("many locals", &module(locals, &body));
}

#[test]
fn deep_block_nesting() {
    let body = repeat(N / 2, "block ") + "local.get 0 drop " + &repeat(N / 2, "end ");
    assert_linear("deeply nested blocks", &module(0, &body));
}

#[test]
fn huge_br_table() {
    // One `br_table` with as many targets as there are enclosing blocks.
    let depth = N / 4;
    let targets: String = (0..depth).fold(String::new(), |mut s, i| {
        let _ = write!(s, "{} ", i % depth);
        s
    });
    let body = repeat(depth, "block ")
        + &format!("local.get 0 br_table {targets} 0 ")
        + &repeat(depth, "end ");
    assert_linear("huge br_table", &module(0, &body));
}
