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

/// Bodies are validated after the module is decoded, on several threads
/// when the code is large. An invalid module must still be rejected with
/// the error a serial validation reports first, on every tier and in both
/// translation modes.
#[test]
fn large_module_reports_its_first_invalid_body() {
    let mut wat = String::from("(module\n");
    for i in 0..2000 {
        if i == 400 || i == 1500 {
            // A type error: an i64 where the result is an i32.
            wat.push_str("(func (result i32) (i64.const 1))\n");
        } else {
            wat.push_str("(func (param i32) (result i32) (local.get 0)");
            for k in 0..12 {
                wat.push_str(&format!(" (i32.add (i32.const {k}))"));
            }
            wat.push_str(")\n");
        }
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).expect("wat");
    assert!(
        bytes.len() > 64 << 10,
        "large enough for parallel validation"
    );
    let Err(serial) = wasmparser::Validator::new().validate_all(&bytes) else {
        panic!("the module is invalid");
    };
    for tier in strata::Tier::ALL {
        for lazy in [false, true] {
            let engine =
                Engine::new(Config::new().tier(tier).lazy_translation(lazy)).expect("engine");
            match Module::new(&engine, &bytes) {
                Err(strata::Error::Compile(e)) => {
                    assert_eq!(
                        (e.offset, e.message.as_str()),
                        (serial.offset(), serial.message()),
                        "{tier:?}, lazy {lazy}"
                    );
                }
                Err(e) => panic!("{tier:?}: not a compile error: {e}"),
                Ok(_) => panic!("{tier:?}: an invalid module was accepted"),
            }
        }
    }
}
