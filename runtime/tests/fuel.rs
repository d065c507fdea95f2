//! Fuel: the same program consumes exactly the same fuel in every tier.

mod common;

use proptest::prelude::*;
use strata::{
    Config, Engine, Instance, Module, Store, StoreLimitsBuilder, Tier, TrapCode, Val, ValType,
};

fn engine(tier: Tier) -> Engine {
    Engine::new(Config::new().tier(tier).consume_fuel(true)).unwrap()
}

#[test]
fn the_cost_model_by_hand() {
    // const, const, add: 3 units, charged at `end`; the call costs 1 in
    // the caller; `nop`, `drop`, `block` and `end` cost nothing.
    let wat = r#"(module
      (func $add (result i32) i32.const 1 i32.const 2 i32.add)
      (func (export "add") (result i32) nop (block (result i32) (call $add)))
      (func (export "loop") (param i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))))"#;
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        store.set_fuel(100).unwrap();
        let add = inst.get_typed_func::<(), i32>(&mut store, "add").unwrap();
        assert_eq!(add.call(&mut store, ()).unwrap(), 3);
        // Caller: call (1). Callee: const, const, add (3).
        assert_eq!(store.get_fuel().unwrap(), 96, "{tier:?}");
        // Each iteration: get, const, add, set, get, get, lt_u, br_if = 8.
        store.set_fuel(1000).unwrap();
        let lp = inst.get_typed_func::<i32, ()>(&mut store, "loop").unwrap();
        lp.call(&mut store, 10).unwrap();
        assert_eq!(store.get_fuel().unwrap(), 1000 - 80, "{tier:?}");
    }
}

#[test]
fn running_out_traps_and_more_fuel_lets_the_store_go_on() {
    let wat = r#"(module
      (func (export "spin") (loop $l (br $l)))
      (func $r (export "recurse") (call $r))
      (func (export "one") (result i32) i32.const 1))"#;
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        // A fresh store has no fuel: the first entry check fails.
        let one = inst.get_typed_func::<(), i32>(&mut store, "one").unwrap();
        let e = one.call(&mut store, ()).unwrap_err();
        assert_eq!(e.as_trap().map(|t| t.code()), Some(TrapCode::OutOfFuel));
        for name in ["spin", "recurse"] {
            store.set_fuel(10_000).unwrap();
            let f = inst.get_typed_func::<(), ()>(&mut store, name).unwrap();
            let e = f.call(&mut store, ()).unwrap_err();
            assert_eq!(
                e.as_trap().map(|t| t.code()),
                Some(TrapCode::OutOfFuel),
                "{tier:?} {name}: {e}"
            );
            assert_eq!(store.get_fuel().unwrap(), 0);
        }
        store.set_fuel(5).unwrap();
        assert_eq!(one.call(&mut store, ()).unwrap(), 1);
    }
}

#[test]
fn fuel_needs_the_config() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    assert!(store.set_fuel(1).is_err());
    assert!(store.get_fuel().is_err());
}

/// What one call did: its outcome and the fuel left afterwards.
#[derive(Debug, PartialEq)]
enum Outcome {
    Returned(Vec<u64>),
    Trapped(Option<TrapCode>),
}

fn run_all(tier: Tier, wasm: &[u8]) -> Option<Vec<(String, Outcome, u64)>> {
    let engine = engine(tier);
    let module = Module::new(&engine, wasm).ok()?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(5_000).unwrap();
    // Growing and filling cost one operator's fuel however large: a
    // `table.grow` by 2^32 - 1 commits 32 GiB, a `memory.fill` after a
    // grow touches up to 4 GiB per memory. A generated module once took
    // this test to 24 GiB and the OOM killer on CI. Both tiers refuse a
    // grow past these limits alike, answering -1.
    store.limiter(
        StoreLimitsBuilder::new()
            .memory_size(16 << 20)
            .table_elements(1 << 16)
            .build(),
    );
    let inst = Instance::new(&mut store, &module, &[]).ok()?;
    let mut log = Vec::new();
    let exports: Vec<(String, strata::Func)> = module
        .exports()
        .filter_map(|(n, _)| Some((n.to_string(), inst.get_func(&mut store, n)?)))
        .collect();
    for (name, f) in exports {
        let ty = f.ty(&store).unwrap();
        let args: Vec<Val> = ty
            .params()
            .iter()
            .map(|t| match t {
                ValType::I32 => Val::I32(7),
                ValType::I64 => Val::I64(-3),
                other => Val::default_for(*other),
            })
            .collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let outcome = match f.call(&mut store, &args, &mut results) {
            Ok(()) => Outcome::Returned(
                results
                    .iter()
                    .map(|v| match v {
                        Val::I32(x) => *x as u32 as u64,
                        Val::I64(x) => *x as u64,
                        // NaN payloads may differ between tiers.
                        Val::F32(b) if f32::from_bits(*b).is_nan() => 1 << 40,
                        Val::F64(b) if f64::from_bits(*b).is_nan() => 1 << 40,
                        Val::F32(b) => u64::from(*b),
                        Val::F64(b) => *b,
                        _ => 0,
                    })
                    .collect(),
            ),
            Err(e) => Outcome::Trapped(e.as_trap().map(|t| t.code())),
        };
        log.push((name, outcome, store.get_fuel().unwrap()));
    }
    Some(log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Generated modules with loops and calls consume identical fuel in
    /// every tier, call by call.
    #[test]
    fn generated_modules_consume_the_same_fuel_in_every_tier(
        data in proptest::collection::vec(any::<u8>(), 1024..8192)
    ) {
        let mut u = arbitrary::Unstructured::new(&data);
        let config = wasm_smith::Config {
            max_imports: 0,
            export_everything: true,
            min_funcs: 2,
            ..common::smith_config()
        };
        if let Ok(m) = wasm_smith::Module::new(config, &mut u) {
            let wasm = m.to_bytes();
            let interp = run_all(Tier::Interpreter, &wasm);
            let jit = run_all(Tier::Jit, &wasm);
            // The tiers' stacks differ in depth (a heap stack of 100,000
            // frames against a native budget): a module that exhausts one
            // says nothing about fuel.
            let overflow = |log: &Option<Vec<(String, Outcome, u64)>>| {
                log.iter().flatten().any(|(_, o, _)| *o == Outcome::Trapped(Some(TrapCode::StackOverflow)))
            };
            if !overflow(&interp) && !overflow(&jit) {
                prop_assert_eq!(interp, jit);
            }
        }
    }
}
