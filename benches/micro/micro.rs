//! Criterion micro-benchmarks of Strata's own costs:
//! `cargo bench --manifest-path benches/Cargo.toml`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use strata::{Caller, Config, Engine, Instance, Linker, Module, Store};

fn calls(c: &mut Criterion) {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "f" (func $f (param i32) (result i32)))
             (func (export "id") (param i32) (result i32) local.get 0)
             (func (export "call_host") (param i32) (result i32)
               (local $acc i32)
               (loop $l
                 (local.set $acc (call $f (local.get $acc)))
                 (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
               local.get $acc))"#,
    )
    .expect("module");
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "f", |_: Caller<'_, ()>, x: i32| x.wrapping_add(1))
        .expect("define");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let id = instance
        .get_typed_func::<i32, i32>(&mut store, "id")
        .expect("id");
    c.bench_function("host_to_wasm_call", |b| {
        b.iter(|| id.call(&mut store, 7).expect("call"))
    });
    let call_host = instance
        .get_typed_func::<i32, i32>(&mut store, "call_host")
        .expect("call_host");
    let mut g = c.benchmark_group("wasm_to_host_call");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("1000_calls", |b| {
        b.iter(|| call_host.call(&mut store, 1000).expect("call"))
    });
    g.finish();
}

fn instantiation(c: &mut Criterion) {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (data (i32.const 0) "hello")
             (table 4 funcref) (global (mut i32) (i32.const 1))
             (func $f) (elem (i32.const 0) $f $f)
             (func (export "run")))"#,
    )
    .expect("module");
    c.bench_function("instantiate_small_module", |b| {
        b.iter_batched(
            || Store::new(&engine, ()),
            |mut store| Instance::new(&mut store, &module, &[]).expect("instantiate"),
            BatchSize::SmallInput,
        )
    });
}

fn translation(c: &mut Criterion) {
    // A large synthetic module: many functions with loops, calls and memory.
    let mut wat = String::from("(module (memory 1)\n");
    for i in 0..2000 {
        wat.push_str(&format!(
            "(func $f{i} (param i32 i32) (result i32) (local i32)
               (loop $l
                 (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
                 (i32.store (local.get 1) (i32.mul (local.get 2) (i32.const {i})))
                 (br_if $l (i32.lt_u (local.get 2) (i32.const 1000))))
               (if (result i32) (local.get 0) (then (local.get 2)) (else (i32.const 0))))\n"
        ));
    }
    wat.push(')');
    let wasm = wat::parse_str(&wat).expect("wat");
    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Bytes(wasm.len() as u64));
    for (name, lazy) in [
        ("eager_validate_and_translate", false),
        ("lazy_validate_only", true),
    ] {
        let engine = Engine::new(Config::new().lazy_translation(lazy)).expect("engine");
        g.bench_function(name, |b| {
            b.iter(|| Module::new(&engine, &wasm).expect("module"))
        });
    }
    // The JIT: validate, then compile every function with Cranelift on all
    // cores.
    let engine = Engine::new(Config::new().tier(strata::Tier::Jit)).expect("engine");
    g.sample_size(10);
    g.bench_function("jit_validate_and_compile", |b| {
        b.iter(|| Module::new(&engine, &wasm).expect("module"))
    });
    g.finish();
}

fn memory_grow(c: &mut Criterion) {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (func (export "grow") (result i32) i32.const 1 memory.grow))"#,
    )
    .expect("module");
    c.bench_function("memory_grow_one_page", |b| {
        b.iter_batched(
            || {
                let mut store = Store::new(&engine, ());
                let inst = Instance::new(&mut store, &module, &[]).expect("instantiate");
                let grow = inst
                    .get_typed_func::<(), i32>(&mut store, "grow")
                    .expect("grow");
                (store, grow)
            },
            |(mut store, grow)| {
                for _ in 0..64 {
                    grow.call(&mut store, ()).expect("grow");
                }
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, calls, instantiation, translation, memory_grow);
criterion_main!(benches);
