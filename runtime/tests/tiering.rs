//! Tiered execution (`Tier::Auto`): functions move from the interpreter to
//! compiled code while the guest runs, and nothing a program can observe
//! changes but its speed.
//!
//! - results, traps and backtraces across interpreted and compiled frames,
//!   on-stack replacement included;
//! - recursion that works in the interpreter keeps working when part of it
//!   is compiled (mixed recursion depth);
//! - background compiles reach every kind of caller, with many threads
//!   calling instances of one module while it tiers up;
//! - dropping the engine stops its compile threads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use strata::{Config, Engine, Instance, Module, Store, Tier, TierUpEvent, TrapCode};

const PROGRAM: &str = r#"
(module $prog
  (table 2 funcref)
  (elem (i32.const 0) $fib $sum_to)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  ;; One long loop in one call: only on-stack replacement can speed it up.
  (func $sum_to (export "sum_to") (param i32) (result i32)
    (local $acc i32) (local $x f64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32.add (local.get $acc) (local.get 0)))
        (local.set $x (f64.add (local.get $x) (f64.const 0.5)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $acc) (i32.trunc_f64_s (local.get $x))))
  ;; Through the table: callers reach new code via `VMFuncRef`s too.
  (func (export "fib_indirect") (param i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
  ;; Traps after `n` iterations, deep inside a loop that tiered up.
  (func $div_late (export "div_late") (param i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (i32.div_u (i32.const 1) (i32.sub (local.get $i) (local.get 0))))
  (func $outer (export "outer") (param i32) (result i32)
    (call $div_late (local.get 0)))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $ping (export "ping") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $pong (i32.sub (local.get 0) (i32.const 1)))))))
  (func $pong (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 2) (call $ping (i32.sub (local.get 0) (i32.const 1)))))))
)
"#;

fn fib(n: i32) -> i32 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

fn sum_to(n: i32) -> i32 {
    let acc = (1..=n).fold(0i32, |a, i| a.wrapping_add(i));
    acc.wrapping_add((f64::from(n) * 0.5) as i32)
}

type Events = Arc<Mutex<Vec<TierUpEvent>>>;

/// A tiered engine logging its tier-ups; `eager` compiles on the spot
/// after `threshold` calls and loop iterations.
fn engine(threshold: u32, eager: bool) -> (Engine, Events) {
    let events: Events = Arc::default();
    let log = events.clone();
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_up_threshold(threshold)
        .tier_up_synchronous(eager)
        .on_tier_up(move |e| log.lock().unwrap().push(e.clone()));
    (Engine::new(&config).unwrap(), events)
}

fn instance(engine: &Engine) -> (Store<()>, Instance) {
    let module = Module::new(engine, PROGRAM).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

fn call(store: &mut Store<()>, instance: &Instance, name: &str, arg: i32) -> strata::Result<i32> {
    let f = instance
        .get_typed_func::<i32, i32>(&mut *store, name)
        .unwrap();
    f.call(&mut *store, arg)
}

fn names(events: &Events) -> Vec<(String, bool)> {
    events
        .lock()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e.error.is_none(), "compile failed: {e:?}");
            (
                e.func_name.clone().unwrap_or_default(),
                e.loop_offset.is_some(),
            )
        })
        .collect()
}

#[test]
fn eager_tier_up_keeps_every_result() {
    let (engine, events) = engine(1, true);
    let (mut store, inst) = instance(&engine);
    for n in [0, 1, 2, 10, 20] {
        assert_eq!(call(&mut store, &inst, "fib", n).unwrap(), fib(n));
        assert_eq!(call(&mut store, &inst, "fib_indirect", n).unwrap(), fib(n));
    }
    for n in [0, 1, 1000, 100_000] {
        assert_eq!(call(&mut store, &inst, "sum_to", n).unwrap(), sum_to(n));
    }
    let log = names(&events);
    assert!(log.contains(&("fib".into(), false)), "{log:?}");
    // The first call of `sum_to` entered its loop through OSR.
    assert!(log.contains(&("sum_to".into(), true)), "{log:?}");
    assert!(log.contains(&("sum_to".into(), false)), "{log:?}");
}

#[test]
fn background_tier_up_reaches_compiled_code_while_running() {
    let (engine, events) = engine(50, false);
    let (mut store, inst) = instance(&engine);
    let deadline = Instant::now() + Duration::from_secs(60);
    // The compile thread installs `fib` while the guest keeps calling it.
    while !names(&events).contains(&("fib".into(), false)) {
        assert!(Instant::now() < deadline, "fib never tiered up");
        assert_eq!(call(&mut store, &inst, "fib", 15).unwrap(), fib(15));
    }
    for _ in 0..20 {
        assert_eq!(call(&mut store, &inst, "fib", 18).unwrap(), fib(18));
        assert_eq!(
            call(&mut store, &inst, "fib_indirect", 18).unwrap(),
            fib(18)
        );
    }
    // One long call: its loop moves to compiled code by OSR mid-call.
    assert_eq!(
        call(&mut store, &inst, "sum_to", 200_000_000).unwrap(),
        sum_to(200_000_000)
    );
    assert!(names(&events).contains(&("sum_to".into(), true)));
}

/// The function names of a trap's backtrace, innermost first.
fn frame_names(err: &strata::Error) -> Vec<String> {
    let trap = err.as_trap().expect("a trap");
    trap.backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect()
}

#[test]
fn traps_keep_their_backtraces_across_tiers() {
    for (threshold, eager) in [(1, true), (3, true), (u32::MAX, true)] {
        let (engine, _) = engine(threshold, eager);
        let (mut store, inst) = instance(&engine);
        // Cold: with threshold 1 the loop's first iteration enters its OSR
        // entry, where the trap happens, below an interpreted `outer`.
        let err = call(&mut store, &inst, "outer", 1000).unwrap_err();
        assert_eq!(
            frame_names(&err),
            ["div_late", "outer"],
            "cold, threshold {threshold}"
        );
        // Warm up so that `div_late` and `outer` are compiled (or not).
        for _ in 0..3 {
            assert_eq!(call(&mut store, &inst, "outer", 0).unwrap(), 1);
        }
        // Traps inside the loop's OSR entry or compiled code, or in the
        // interpreter: the same code and frames either way.
        let err = call(&mut store, &inst, "outer", 1000).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
        assert_eq!(
            frame_names(&err),
            ["div_late", "outer"],
            "threshold {threshold}"
        );
    }
}

/// Runs `f` on a thread with a large stack, as a program's main thread
/// would have (the CLI runs guests on one).
fn on_big_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn recursion_that_works_interpreted_works_when_it_tiers_up_midway() {
    on_big_stack(|| {
        // Close to the interpreter's 100,000-frame limit.
        const DEPTH: i32 = 90_000;
        let mut config = Config::new();
        config.tier(Tier::Interpreter);
        let interp = Engine::new(&config).unwrap();
        let (mut store, inst) = instance(&interp);
        assert_eq!(call(&mut store, &inst, "down", DEPTH).unwrap(), DEPTH);
        assert_eq!(
            call(&mut store, &inst, "ping", DEPTH).unwrap(),
            DEPTH / 2 * 3
        );
        // Compiled after 1,000 calls: the recursion runs on interpreted
        // frames, then on native ones below them.
        for threshold in [1, 1000, 40_000] {
            let (engine, events) = engine(threshold, true);
            let (mut store, inst) = instance(&engine);
            assert_eq!(call(&mut store, &inst, "down", DEPTH).unwrap(), DEPTH);
            assert_eq!(
                call(&mut store, &inst, "ping", DEPTH).unwrap(),
                DEPTH / 2 * 3
            );
            // The second time, all of it is compiled.
            assert_eq!(call(&mut store, &inst, "down", DEPTH).unwrap(), DEPTH);
            assert!(names(&events).contains(&("down".into(), false)));
        }
    });
}

#[test]
fn runaway_recursion_still_traps_when_tiered() {
    on_big_stack(|| {
        let (engine, _) = engine(100, true);
        let (mut store, inst) = instance(&engine);
        let err = call(&mut store, &inst, "down", i32::MAX).unwrap_err();
        assert_eq!(
            err.as_trap().map(|t| t.code()),
            Some(TrapCode::StackOverflow)
        );
        // The store is still usable.
        assert_eq!(call(&mut store, &inst, "down", 10).unwrap(), 10);
    });
}

#[test]
fn many_threads_call_one_module_while_it_tiers_up() {
    let (engine, events) = engine(200, false);
    let module = Module::new(&engine, PROGRAM).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let engine = engine.clone();
            let module = module.clone();
            std::thread::spawn(move || {
                for round in 0..6 {
                    // Fresh stores and instances come and go while code is
                    // installed into the live ones.
                    let mut store = Store::new(&engine, ());
                    let inst = Instance::new(&mut store, &module, &[]).unwrap();
                    for i in 0..30 {
                        let n = (t + round + i) % 18;
                        assert_eq!(call(&mut store, &inst, "fib", n).unwrap(), fib(n));
                        assert_eq!(call(&mut store, &inst, "fib_indirect", n).unwrap(), fib(n));
                        let m = 1000 * (i + 1);
                        assert_eq!(call(&mut store, &inst, "sum_to", m).unwrap(), sum_to(m));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    names(&events);
}

/// The compile threads of this process.
fn compile_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .is_ok_and(|c| c.trim() == "strata-compile")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn dropping_the_engine_stops_its_compile_threads() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return;
    }
    // Other tests' engines run compile threads in this process: count in a
    // child process that runs only this test.
    if std::env::var_os("STRATA_TIERING_CHILD").is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "dropping_the_engine_stops_its_compile_threads"])
            .args(["--nocapture", "--test-threads=1"])
            .env("STRATA_TIERING_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "{text}");
        return;
    }
    assert_eq!(compile_threads(), 0);
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_up_threshold(1)
        .compile_threads(2);
    let engine = Engine::new(&config).unwrap();
    {
        let (mut store, inst) = instance(&engine);
        for n in 0..5 {
            call(&mut store, &inst, "fib", n).unwrap();
        }
    }
    // A new thread names itself once it runs: give it time.
    let deadline = Instant::now() + Duration::from_secs(10);
    while compile_threads() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = compile_threads();
    assert!((1..=2).contains(&started), "{started} compile threads");
    drop(engine);
    // A thread busy compiling finishes that job first.
    let deadline = Instant::now() + Duration::from_secs(30);
    while compile_threads() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(compile_threads(), 0);
}
