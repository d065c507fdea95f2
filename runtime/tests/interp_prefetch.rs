//! A lazy interpreter module with much code has a helper thread translate
//! the callees of each function translated on a call, before they are
//! called (`strata_interp`'s `prefetch.rs`). These tests check that the
//! helper does so, one call deep only, that its code is the code a call
//! would have translated, and that programs give the same results with it.

use std::sync::Arc;
use std::time::{Duration, Instant};
use strata::{Config, Engine, Instance, Module, Store, Tier, Val};

/// Functions in the generated module: enough code (about 100 KiB) for the
/// prefetcher to be used.
const FUNCS: u32 = 400;

/// A module of [`FUNCS`] functions. Each mixes its argument through a
/// chain of arithmetic, and function `i` calls `i + 1` and `i + 2` when
/// its argument is odd (a chain of calls that ends at the last two), so
/// that whether a callee runs depends on the data. `run` calls function 0.
fn generated_module() -> String {
    let mut wat = String::from("(module\n");
    for i in 0..FUNCS {
        wat.push_str(&format!(
            "(func $f{i} (param $x i32) (result i32) (local $y i32)\n"
        ));
        wat.push_str(&format!(
            "  (local.set $y (i32.add (local.get $x) (i32.const {i})))\n"
        ));
        for k in 0..20 {
            wat.push_str(&format!(
                "  (local.set $y (i32.xor (i32.mul (local.get $y) (i32.const {})) (i32.shr_u (local.get $y) (i32.const {}))))\n",
                2 * k + 3,
                k % 7 + 1
            ));
        }
        for callee in [i + 1, i + 2] {
            if callee < FUNCS {
                wat.push_str(&format!(
                    "  (if (i32.and (local.get $x) (i32.const 1)) (then (local.set $y (i32.add (local.get $y) (call $f{callee} (i32.shr_u (local.get $x) (i32.const 1)))))))\n"
                ));
            }
        }
        wat.push_str("  (local.get $y))\n");
    }
    wat.push_str("(func (export \"run\") (param i32) (result i32) (call $f0 (local.get 0))))\n");
    wat
}

/// The generated module translated lazily by the interpreter.
fn lazy_module() -> strata_interp::InterpModule {
    lazy_module_prefetching(true)
}

fn lazy_module_prefetching(prefetch: bool) -> strata_interp::InterpModule {
    let wasm: Arc<[u8]> = wat::parse_str(generated_module()).unwrap().into();
    assert!(wasm.len() > 64 << 10, "the module is too small to prefetch");
    let mut compiler = strata_interp::InterpCompiler::new_lazy().with_prefetch(prefetch);
    let info = strata_environ::ModuleEnvironment::new(strata_environ::supported_features())
        .translate(&wasm, &mut compiler)
        .unwrap();
    compiler.finish(Arc::new(info), wasm)
}

/// Waits (up to a generous limit) until `done` holds.
fn eventually(done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    done()
}

#[test]
fn the_callees_of_a_function_translated_on_a_call_are_translated_ahead() {
    let module = lazy_module();
    assert!((0..module.num_funcs()).all(|f| !module.is_translated(f)));
    // Function 0's first call translates it; it calls functions 1 and 2.
    module.func(0).unwrap();
    if strata_environ::available_cores() < 2 {
        // One core: no helper, nothing else is translated.
        std::thread::sleep(Duration::from_millis(50));
        assert!((1..module.num_funcs()).all(|f| !module.is_translated(f)));
        return;
    }
    assert!(
        eventually(|| module.is_translated(1) && module.is_translated(2)),
        "the callees of function 0 were not prefetched"
    );
    // One call deep only: the callees of what the helper translated wait
    // for their own callers.
    std::thread::sleep(Duration::from_millis(50));
    assert!((3..module.num_funcs()).all(|f| !module.is_translated(f)));
    // A call of a prefetched function finds its code: nothing is
    // translated on the call, so nothing more is queued.
    module.func(1).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert!(!module.is_translated(3));
    // Function 3's translation on a call queues 4 and 5.
    module.func(3).unwrap();
    assert!(eventually(
        || module.is_translated(4) && module.is_translated(5)
    ));
}

#[test]
fn without_prefetching_only_calls_translate() {
    let module = lazy_module_prefetching(false);
    module.func(0).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert!(module.is_translated(0));
    assert!((1..module.num_funcs()).all(|f| !module.is_translated(f)));
}

#[test]
fn prefetched_code_is_the_code_a_call_translates() {
    let prefetched = lazy_module();
    prefetched.func(0).unwrap();
    if strata_environ::available_cores() >= 2 {
        assert!(eventually(
            || prefetched.is_translated(1) && prefetched.is_translated(2)
        ));
    }
    let on_call = lazy_module();
    for f in [0, 1, 2] {
        let a = format!("{:?}", prefetched.func(f).unwrap().code);
        let b = format!("{:?}", on_call.func(f).unwrap().code);
        assert_eq!(a, b, "function {f}");
    }
}

/// `run(x)` on an engine of `tier`, with lazy translation or not.
fn run_all(tier: Tier, lazy: bool, inputs: &[i32], threads: usize) -> Vec<i32> {
    let mut config = Config::new();
    config.tier(tier);
    config.lazy_translation(lazy);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, generated_module()).unwrap();
    let chunks: Vec<&[i32]> = inputs.chunks(inputs.len().div_ceil(threads)).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (engine, module) = (&engine, &module);
                s.spawn(move || {
                    let mut store = Store::new(engine, ());
                    let instance = Instance::new(&mut store, module, &[]).unwrap();
                    let run = instance.get_func(&mut store, "run").unwrap();
                    chunk
                        .iter()
                        .map(|&x| {
                            let mut r = [Val::I32(0)];
                            run.call(&mut store, &[Val::I32(x)], &mut r).unwrap();
                            match r {
                                [Val::I32(v)] => v,
                                _ => panic!("unexpected results {r:?}"),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

#[test]
fn programs_give_the_same_results_with_prefetching_on_many_threads() {
    // Inputs whose low bits send calls down different chains.
    let inputs: Vec<i32> = (0..64)
        .map(|i: i32| i.wrapping_mul(0x0101_0ace) ^ (i << 3))
        .collect();
    let eager = run_all(Tier::Interpreter, false, &inputs, 1);
    assert_eq!(run_all(Tier::Interpreter, true, &inputs, 4), eager);
    assert_eq!(run_all(Tier::Jit, false, &inputs, 1), eager);
}

/// The helper threads of this process that are named `name`.
#[cfg(target_os = "linux")]
fn threads_named(name: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end() == name)
        .count()
}

#[cfg(target_os = "linux")]
#[test]
fn the_helper_exits_when_idle_and_starts_again_for_new_work() {
    if strata_environ::available_cores() < 2 {
        return;
    }
    let module = lazy_module();
    module.func(0).unwrap();
    assert!(eventually(|| module.is_translated(1)));
    // Other tests of this file may queue work meanwhile; once all are
    // done, the helper exits.
    assert!(
        eventually(|| threads_named("strata-prefetch") == 0),
        "the helper stayed after its work"
    );
    module.func(1).unwrap();
    module.func(3).unwrap();
    assert!(eventually(|| module.is_translated(4)));
}
