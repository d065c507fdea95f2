//! Stopping a guest from outside: epoch deadlines, in every tier.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use strata::{
    Config, Engine, Error, Instance, Linker, Module, Store, Tier, TrapCode, UpdateDeadline,
};

const GUEST: &str = r#"(module (memory 1)
  (func (export "spin") (loop $l (br $l)))
  (func $r (export "recurse") (call $r))
  (func (export "fill") (local i32)
    (loop $l
      (i32.store (i32.and (local.get 0) (i32.const 0xfffc)) (local.get 0))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br $l)))
  (func (export "count") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br $l)))
    (local.get 1)))"#;

fn engine(tier: Tier) -> Engine {
    Engine::new(Config::new().tier(tier).epoch_interruption(true)).unwrap()
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    e.as_trap().map(|t| t.code())
}

#[test]
fn endless_loops_and_recursion_stop_at_the_deadline() {
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, GUEST).unwrap();
        for name in ["spin", "recurse", "fill"] {
            let mut store = Store::new(&engine, ());
            let inst = Instance::new(&mut store, &module, &[]).unwrap();
            let f = inst.get_typed_func::<(), ()>(&mut store, name).unwrap();
            store.set_epoch_deadline(1);
            let timer = {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(50));
                    engine.increment_epoch();
                })
            };
            let started = Instant::now();
            let err = f.call(&mut store, ()).unwrap_err();
            timer.join().unwrap();
            let code = trap_code(&err);
            // Endless recursion may exhaust the stack before the deadline.
            if name == "recurse" {
                assert!(
                    matches!(code, Some(TrapCode::Interrupt | TrapCode::StackOverflow)),
                    "{tier:?} {name}: {err}"
                );
            } else {
                assert_eq!(code, Some(TrapCode::Interrupt), "{tier:?} {name}: {err}");
                assert!(started.elapsed() < Duration::from_secs(10));
            }
        }
    }
}

#[test]
fn a_passed_deadline_stops_recursion_at_the_next_call() {
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, GUEST).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let f = inst
            .get_typed_func::<(), ()>(&mut store, "recurse")
            .unwrap();
        let err = f.call(&mut store, ()).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::Interrupt), "{tier:?}");
        // With a new deadline the store runs again.
        store.set_epoch_deadline(10);
        let count = inst
            .get_typed_func::<i32, i32>(&mut store, "count")
            .unwrap();
        assert_eq!(count.call(&mut store, 1000).unwrap(), 1000, "{tier:?}");
    }
}

#[test]
fn without_a_deadline_nothing_is_interrupted() {
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, GUEST).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        for _ in 0..5 {
            engine.increment_epoch();
        }
        let count = inst
            .get_typed_func::<i32, i32>(&mut store, "count")
            .unwrap();
        assert_eq!(
            count.call(&mut store, 100_000).unwrap(),
            100_000,
            "{tier:?}"
        );
    }
}

#[test]
fn the_callback_extends_the_deadline_then_interrupts_or_fails() {
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(&engine, GUEST).unwrap();
        let mut store = Store::new(&engine, 0u32);
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut cx| {
            *cx.data_mut() += 1;
            Ok(if *cx.data() < 3 {
                UpdateDeadline::Continue(1)
            } else {
                UpdateDeadline::Interrupt
            })
        });
        // A ticker advances the epoch until the guest is stopped.
        let stop = Arc::new(AtomicU32::new(0));
        let ticker = {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::spawn(move || {
                while stop.load(Ordering::Relaxed) == 0 {
                    std::thread::sleep(Duration::from_millis(5));
                    engine.increment_epoch();
                }
            })
        };
        let spin = inst.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
        let err = spin.call(&mut store, ()).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::Interrupt), "{tier:?}");
        assert_eq!(*store.data(), 3, "{tier:?}: the callback ran three times");

        // A failing callback's error is the call's error.
        #[derive(Debug)]
        struct Quota;
        impl std::fmt::Display for Quota {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("quota exceeded")
            }
        }
        impl std::error::Error for Quota {}
        store.epoch_deadline_callback(|_| Err(Error::new(Quota)));
        store.set_epoch_deadline(1);
        let err = spin.call(&mut store, ()).unwrap_err();
        assert!(err.downcast_ref::<Quota>().is_some(), "{tier:?}: {err}");
        stop.store(1, Ordering::Relaxed);
        ticker.join().unwrap();
    }
}

#[test]
fn a_start_function_is_interrupted_during_instantiation() {
    for tier in Tier::ALL {
        let engine = engine(tier);
        let module = Module::new(
            &engine,
            r#"(module (func $s (loop $l (br $l))) (start $s))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let err = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::Interrupt), "{tier:?}");
    }
}
