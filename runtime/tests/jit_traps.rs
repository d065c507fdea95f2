//! Traps where compiled code tends to get them wrong, on every tier.
//!
//! Each test runs the same wasm on the interpreter and on the Cranelift
//! JIT and checks both against the WebAssembly spec (and so against each
//! other):
//!
//! - memory accesses at the edges of memory, of the 4 GiB index space and
//!   of the JIT's 32 MiB guard region, for every load and store width,
//!   with static offsets and with indices shifted left by 1-3 (the shape
//!   behind wasmtime's CVE-2023-26489), before and after `memory.grow`;
//! - traps inside wasm → host → wasm re-entry and host errors crossing
//!   wasm frames;
//! - traps on several threads at once, and many traps in one process;
//! - call stack exhaustion, and backtraces with names;
//! - a fault in host code still kills the process (the JIT's signal
//!   handler chains to the previous one), checked in a child process.

use std::fmt::Write as _;
use std::io::Write as _;
use strata::{
    Caller, Config, Engine, Error, Func, Instance, Linker, Memory, Module, Store, Tier, TrapCode,
    TypedFunc,
};

const PAGE: u64 = 65536;
/// The JIT's guard region after the 4 GiB index space.
const GUARD: u64 = 32 << 20;
const FOUR_GIB: u64 = 1 << 32;

/// A tier, and for the JIT the code generation: relying on guard pages
/// (the default) or checking every access, and calls within a module
/// through the entry table (the default) or direct.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Variant {
    tier: Tier,
    guard_pages: bool,
    direct_calls: bool,
}

/// The JIT as configured by default.
const JIT: Variant = Variant {
    tier: Tier::Jit,
    guard_pages: true,
    direct_calls: false,
};

impl std::fmt::Debug for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tier.name())?;
        if !self.guard_pages {
            f.write_str(" (no guard pages)")?;
        }
        if self.direct_calls {
            f.write_str(" (direct calls)")?;
        }
        Ok(())
    }
}

/// Every tier (the interpreter first), and the JIT's variants.
fn variants() -> Vec<Variant> {
    let mut all = Vec::new();
    for tier in Tier::ALL {
        let v = Variant {
            tier,
            guard_pages: true,
            direct_calls: false,
        };
        all.push(v);
        if tier == Tier::Jit {
            all.push(Variant {
                guard_pages: false,
                ..v
            });
            all.push(Variant {
                direct_calls: true,
                ..v
            });
        }
    }
    all
}

fn engine(v: Variant) -> Engine {
    Engine::new(
        Config::new()
            .tier(v.tier)
            .guard_pages(v.guard_pages)
            .jit_direct_calls(v.direct_calls),
    )
    .expect("engine")
}

fn trap_code<T: std::fmt::Debug>(r: &strata::Result<T>) -> Option<TrapCode> {
    r.as_ref().err().and_then(Error::as_trap).map(|t| t.code())
}

/// What a call did, comparable across tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Value(u64),
    Trap(TrapCode),
    Error(String),
}

impl Outcome {
    fn of(r: strata::Result<u64>) -> Outcome {
        match r {
            Ok(v) => Outcome::Value(v),
            Err(Error::Trap(t)) => Outcome::Trap(t.code()),
            Err(e) => Outcome::Error(e.to_string()),
        }
    }
}

// ---------------------------------------------------------------------
// 1. Bounds at the edges
// ---------------------------------------------------------------------

/// The wasm type an access moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
}

/// One load or store instruction.
#[derive(Debug, Clone, Copy)]
struct Access {
    op: &'static str,
    /// Bytes touched.
    size: u64,
    /// Sign-extending load.
    signed: bool,
    ty: Ty,
    store: bool,
}

const fn load(op: &'static str, size: u64, signed: bool, ty: Ty) -> Access {
    Access {
        op,
        size,
        signed,
        ty,
        store: false,
    }
}

const fn store(op: &'static str, size: u64, ty: Ty) -> Access {
    Access {
        op,
        size,
        signed: false,
        ty,
        store: true,
    }
}

/// Every load and store of WebAssembly 1.0/2.0 (less SIMD).
const ACCESSES: [Access; 23] = [
    load("i32.load", 4, false, Ty::I32),
    load("i64.load", 8, false, Ty::I64),
    load("f32.load", 4, false, Ty::F32),
    load("f64.load", 8, false, Ty::F64),
    load("i32.load8_s", 1, true, Ty::I32),
    load("i32.load8_u", 1, false, Ty::I32),
    load("i32.load16_s", 2, true, Ty::I32),
    load("i32.load16_u", 2, false, Ty::I32),
    load("i64.load8_s", 1, true, Ty::I64),
    load("i64.load8_u", 1, false, Ty::I64),
    load("i64.load16_s", 2, true, Ty::I64),
    load("i64.load16_u", 2, false, Ty::I64),
    load("i64.load32_s", 4, true, Ty::I64),
    load("i64.load32_u", 4, false, Ty::I64),
    store("i32.store", 4, Ty::I32),
    store("i64.store", 8, Ty::I64),
    store("f32.store", 4, Ty::F32),
    store("f64.store", 8, Ty::F64),
    store("i32.store8", 1, Ty::I32),
    store("i32.store16", 2, Ty::I32),
    store("i64.store8", 1, Ty::I64),
    store("i64.store16", 2, Ty::I64),
    store("i64.store32", 4, Ty::I64),
];

/// How an access computes its address from the function's two `i32`
/// parameters `base` and `idx`.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `base`
    Plain,
    /// `idx << k`
    Shl(u32),
    /// `base + (idx << k)`
    BaseShl(u32),
}

impl Form {
    fn wat(self) -> String {
        match self {
            Form::Plain => "(local.get 0)".into(),
            Form::Shl(k) => format!("(i32.shl (local.get 1) (i32.const {k}))"),
            Form::BaseShl(k) => {
                format!("(i32.add (local.get 0) (i32.shl (local.get 1) (i32.const {k})))")
            }
        }
    }

    /// The wasm address (before the static offset): 32-bit arithmetic.
    fn addr(self, base: u32, idx: u32) -> u32 {
        match self {
            Form::Plain => base,
            Form::Shl(k) => idx << k,
            Form::BaseShl(k) => base.wrapping_add(idx << k),
        }
    }
}

/// One exported function: an access, an address form and a static offset.
#[derive(Debug, Clone, Copy)]
struct Case {
    access: Access,
    form: Form,
    offset: u32,
}

impl Case {
    fn name(&self, i: usize) -> String {
        format!("f{i}")
    }

    fn describe(&self) -> String {
        format!(
            "{} offset={} address {:?}",
            self.access.op, self.offset, self.form
        )
    }

    /// A function `(param base i32) (param idx i32)` for loads (returning
    /// the loaded bits as i64) and `(param base i32) (param idx i32)
    /// (param value i64)` for stores.
    fn wat(&self, i: usize) -> String {
        let a = self.access;
        let access = format!("{} offset={}", a.op, self.offset);
        let addr = self.form.wat();
        let name = self.name(i);
        if a.store {
            let value = match a.ty {
                Ty::I32 => "(i32.wrap_i64 (local.get 2))",
                Ty::I64 => "(local.get 2)",
                Ty::F32 => "(f32.reinterpret_i32 (i32.wrap_i64 (local.get 2)))",
                Ty::F64 => "(f64.reinterpret_i64 (local.get 2))",
            };
            format!("(func (export \"{name}\") (param i32 i32 i64) ({access} {addr} {value}))\n")
        } else {
            let body = format!("({access} {addr})");
            let body = match a.ty {
                Ty::I32 => format!("(i64.extend_i32_u {body})"),
                Ty::I64 => body,
                Ty::F32 => format!("(i64.extend_i32_u (i32.reinterpret_f32 {body}))"),
                Ty::F64 => format!("(i64.reinterpret_f64 {body})"),
            };
            format!("(func (export \"{name}\") (param i32 i32) (result i64) {body})\n")
        }
    }
}

fn bounds_module(cases: &[Case]) -> String {
    let mut wat = String::from(
        "(module\n (memory (export \"mem\") 0)\n \
         (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n \
         (func (export \"size\") (result i32) (memory.size))\n",
    );
    for (i, c) in cases.iter().enumerate() {
        wat.push_str(&c.wat(i));
    }
    wat.push(')');
    wat
}

/// The bytes loads find in memory: two patterns, so that the top bit of
/// the loaded value is set in one and clear in the other, for every width.
const PATTERNS: [[u8; 8]; 2] = [
    [0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0x88],
    [0x81, 0x02, 0x83, 0x04, 0x85, 0x06, 0x87, 0x08],
];
/// What stores write (no byte is `SENTINEL`, and the f32/f64 views are
/// ordinary numbers, not NaNs).
const STORED: u64 = 0x4877_6655_4433_2211;
/// What surrounds a store's target before it runs.
const SENTINEL: u8 = 0xAA;

/// The value a load of `bytes` produces, as the test function returns it.
fn expected_load(a: Access, bytes: &[u8]) -> u64 {
    let raw = bytes
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, b)| acc | (u64::from(*b) << (8 * i)));
    let bits = 8 * a.size as u32;
    let ext = if a.signed && bits < 64 {
        (((raw << (64 - bits)) as i64) >> (64 - bits)) as u64
    } else {
        raw
    };
    match a.ty {
        Ty::I32 | Ty::F32 => ext & 0xffff_ffff,
        Ty::I64 | Ty::F64 => ext,
    }
}

#[derive(Clone, Copy)]
enum Callee {
    Load(TypedFunc<(i32, i32), i64>),
    Store(TypedFunc<(i32, i32, i64), ()>),
}

/// Runs one access and checks it against the spec: `ea = addr + offset`
/// (no wrapping), and the access traps exactly when `ea + size` exceeds
/// the memory's length. Loads must read what is there; stores must write
/// exactly their bytes, and a trapping store must write nothing.
fn check_access(
    store: &mut Store<()>,
    mem: Memory,
    case: &Case,
    callee: Callee,
    (base, idx): (u32, u32),
    outcomes: &mut Vec<Outcome>,
    failures: &mut Vec<String>,
) {
    let a = case.access;
    let len = mem.data_size(&*store) as u64;
    let ea = u64::from(case.form.addr(base, idx)) + u64::from(case.offset);
    let in_bounds = ea + a.size <= len;
    let what = format!(
        "{} with base={base:#x} idx={idx:#x} (ea={ea:#x}, memory {len:#x} bytes)",
        case.describe()
    );
    let (b, i) = (base as i32, idx as i32);
    match callee {
        Callee::Load(f) => {
            let patterns: &[[u8; 8]] = if in_bounds { &PATTERNS } else { &PATTERNS[..1] };
            for pattern in patterns {
                let bytes = &pattern[..a.size as usize];
                if in_bounds {
                    mem.write(&mut *store, ea as usize, bytes)
                        .expect("in bounds");
                }
                let outcome = Outcome::of(f.call(&mut *store, (b, i)).map(|v| v as u64));
                let expected = if in_bounds {
                    Outcome::Value(expected_load(a, bytes))
                } else {
                    Outcome::Trap(TrapCode::MemoryOutOfBounds)
                };
                if outcome != expected {
                    failures.push(format!("{what}: got {outcome:x?}, expected {expected:x?}"));
                }
                outcomes.push(outcome);
            }
        }
        Callee::Store(f) => {
            // Regions a wrong store could touch: around the target, the
            // end of memory (a partial write of a straddling store), the
            // start, and where a 32-bit wrapped address would land.
            let mut regions: Vec<(u64, u64)> = vec![
                (ea.saturating_sub(1), ea + a.size + 1),
                (len.saturating_sub(16), len),
                (0, 16),
                (ea % FOUR_GIB, ea % FOUR_GIB + a.size),
            ];
            for r in &mut regions {
                r.1 = r.1.min(len);
                r.0 = r.0.min(r.1);
            }
            for &(lo, hi) in &regions {
                let fill = vec![SENTINEL; (hi - lo) as usize];
                mem.write(&mut *store, lo as usize, &fill)
                    .expect("in bounds");
            }
            let result = f.call(&mut *store, (b, i, STORED as i64));
            let outcome = Outcome::of(result.map(|()| 0));
            let data = mem.data(&*store);
            let mut wrong = Vec::new();
            for &(lo, hi) in &regions {
                for at in lo..hi {
                    let expected = if in_bounds && (ea..ea + a.size).contains(&at) {
                        STORED.to_le_bytes()[(at - ea) as usize]
                    } else {
                        SENTINEL
                    };
                    let got = data[at as usize];
                    if got != expected {
                        wrong.push(format!("[{at:#x}]={got:#04x} (expected {expected:#04x})"));
                    }
                }
            }
            wrong.dedup();
            let expected = if in_bounds {
                Outcome::Value(0)
            } else {
                Outcome::Trap(TrapCode::MemoryOutOfBounds)
            };
            if outcome != expected {
                failures.push(format!("{what}: got {outcome:x?}, expected {expected:x?}"));
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "{what} ({outcome:x?}): memory afterwards: {}",
                    wrong.join(" ")
                ));
            }
            outcomes.push(outcome);
        }
    }
}

/// Memory sizes the accesses run at, in order: the module starts with 0
/// pages and grows (with `memory.grow` in wasm) to each of these.
const SIZES_IN_PAGES: [u64; 4] = [0, 1, 2, 65536];

/// Runs every case with every input from `inputs` at every memory size
/// of [`SIZES_IN_PAGES`], on every tier and JIT variant; checks each
/// access against the spec and every variant against the interpreter.
fn run_bounds(cases: &[Case], inputs: impl Fn(&Case, u64) -> Vec<(u32, u32)>) {
    let wat = bounds_module(cases);
    let mut failures = Vec::new();
    let mut all_outcomes = Vec::new();
    for variant in variants() {
        let engine = engine(variant);
        let module = Module::new(&engine, &wat).expect("bounds module compiles");
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).expect("instantiates");
        let mem = instance.get_memory(&mut store, "mem").expect("memory");
        // The default JIT code has no bounds checks for small offsets: it
        // relies on the memory's guard region.
        assert!(
            !(variant.tier == Tier::Jit && variant.guard_pages) || mem.is_guarded(&store),
            "{variant:?}: a 64-bit host reserves 4 GiB + guard"
        );
        let grow = instance
            .get_typed_func::<i32, i32>(&mut store, "grow")
            .expect("grow");
        let size = instance
            .get_typed_func::<(), i32>(&mut store, "size")
            .expect("size");
        let callees: Vec<Callee> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.name(i);
                if c.access.store {
                    Callee::Store(instance.get_typed_func(&mut store, &name).expect("store"))
                } else {
                    Callee::Load(instance.get_typed_func(&mut store, &name).expect("load"))
                }
            })
            .collect();
        let mut outcomes = Vec::new();
        let mut failures_here = Vec::new();
        let mut pages = 0;
        'sizes: for target in SIZES_IN_PAGES {
            if target > pages {
                let old = grow
                    .call(&mut store, (target - pages) as i32)
                    .expect("memory.grow runs");
                assert_eq!(
                    old as u64, pages,
                    "{variant:?}: memory.grow to {target} pages"
                );
                pages = target;
            }
            assert_eq!(size.call(&mut store, ()).unwrap() as u32 as u64, pages);
            let len = pages * PAGE;
            assert_eq!(mem.data_size(&store) as u64, len);
            // Loads first: a load at a wrong address is a clean failure,
            // while a store there could corrupt this process before the
            // test gets to say so.
            for stores in [false, true] {
                if stores && !failures_here.is_empty() {
                    break 'sizes;
                }
                for (case, callee) in cases.iter().zip(&callees) {
                    if case.access.store != stores {
                        continue;
                    }
                    for input in inputs(case, len) {
                        check_access(
                            &mut store,
                            mem,
                            case,
                            *callee,
                            input,
                            &mut outcomes,
                            &mut failures_here,
                        );
                    }
                }
            }
        }
        for f in failures_here {
            failures.push(format!("{variant:?}: {f}"));
        }
        all_outcomes.push(outcomes);
    }
    // Every variant against the interpreter, access by access.
    let total = all_outcomes[0].len();
    let mut disagreements = Vec::new();
    for (variant, outcomes) in variants().iter().zip(&all_outcomes).skip(1) {
        let n = outcomes
            .iter()
            .zip(&all_outcomes[0])
            .filter(|(a, b)| a != b)
            .count();
        if n > 0 || outcomes.len() != total {
            disagreements.push(format!(
                "{variant:?}: {n} of {} outcomes differ from the interpreter's {total}",
                outcomes.len()
            ));
        }
    }
    if !failures.is_empty() || !disagreements.is_empty() {
        let mut msg = format!(
            "{} accesses broke the spec (of {total} per variant); {}:\n",
            failures.len(),
            if disagreements.is_empty() {
                "all variants agree".to_string()
            } else {
                disagreements.join("; ")
            }
        );
        for f in failures.iter().take(40) {
            let _ = writeln!(msg, "  {f}");
        }
        panic!("{msg}");
    }
    assert!(total > 1000, "only {total} accesses ran");
}

/// Static offsets: small ones, around the guard region's size (where the
/// JIT switches from relying on the guard to an explicit check: at
/// `offset + size <= 32 MiB`), and up to `u32::MAX`.
const OFFSETS: [u64; 17] = [
    0,
    1,
    PAGE,
    GUARD - 9,
    GUARD - 8,
    GUARD - 7,
    GUARD - 4,
    GUARD - 3,
    GUARD - 2,
    GUARD - 1,
    GUARD,
    GUARD + 1,
    1 << 31,
    FOUR_GIB - GUARD,
    FOUR_GIB - 9,
    FOUR_GIB - 2,
    FOUR_GIB - 1,
];

fn push_u32(v: &mut Vec<u32>, x: u64) {
    if let Ok(x) = u32::try_from(x)
        && !v.contains(&x)
    {
        v.push(x);
    }
}

#[test]
fn static_offsets_at_memory_and_guard_edges() {
    let cases: Vec<Case> = ACCESSES
        .iter()
        .flat_map(|&access| {
            OFFSETS.iter().map(move |&offset| Case {
                access,
                form: Form::Plain,
                offset: offset as u32,
            })
        })
        .collect();
    run_bounds(&cases, |case, len| {
        let size = case.access.size;
        let offset = u64::from(case.offset);
        let mut addrs = Vec::new();
        // Effective addresses just below, at and just above the end of
        // memory, and at the ends of the index space and the guard.
        for ea in [
            0,
            1,
            len.saturating_sub(size + 1),
            len.saturating_sub(size),
            len.saturating_sub(size) + 1,
            len.saturating_sub(1),
            len,
            len + 1,
            len + size,
            FOUR_GIB - size,
            FOUR_GIB - 1,
            FOUR_GIB,
            FOUR_GIB + 8,
            FOUR_GIB + GUARD - size,
            FOUR_GIB + GUARD,
        ] {
            if ea >= offset {
                push_u32(&mut addrs, ea - offset);
            }
        }
        // Addresses whose sum with the offset wraps at 32 bits.
        for a in [0, 1, 1 << 31, FOUR_GIB - 1, FOUR_GIB - 8] {
            push_u32(&mut addrs, a);
        }
        if offset > 0 {
            push_u32(&mut addrs, FOUR_GIB - offset);
            push_u32(&mut addrs, (FOUR_GIB - offset + 8) % FOUR_GIB);
        }
        addrs.into_iter().map(|a| (a, 0)).collect()
    });
}

#[test]
fn shifted_indices_near_4_gib_wrap_at_32_bits() {
    let mut cases = Vec::new();
    for access in ACCESSES {
        for k in 1..=3 {
            for offset in [0, 4, GUARD as u32 - 8, GUARD as u32 + 8] {
                cases.push(Case {
                    access,
                    form: Form::Shl(k),
                    offset,
                });
            }
            for offset in [0, 8] {
                cases.push(Case {
                    access,
                    form: Form::BaseShl(k),
                    offset,
                });
            }
        }
    }
    run_bounds(&cases, |case, len| {
        let size = case.access.size;
        // The last address (before the offset) where the access fits.
        let last = len.saturating_sub(size + u64::from(case.offset));
        match case.form {
            Form::Plain => unreachable!(),
            Form::Shl(k) => {
                // idx << k wraps to 0 at `q`.
                let q = 1u64 << (32 - k);
                let mut idxs = Vec::new();
                for i in [
                    0,
                    1,
                    last >> k,
                    (last >> k) + 1,
                    len >> k,
                    (len >> k).saturating_sub(1),
                    (len.saturating_sub(size) >> k) + 1,
                    q / 2 - 1,
                    q / 2,
                    q - 1,
                    q,
                    q + 1,
                    q + (last >> k),
                    q + (last >> k) + 1,
                    q + (len >> k),
                    2 * q + 1,
                    3 * q + (last >> k),
                    (1 << 31) + 1,
                    FOUR_GIB - q + (last >> k),
                    FOUR_GIB - 2,
                    FOUR_GIB - 1,
                ] {
                    push_u32(&mut idxs, i);
                }
                idxs.into_iter().map(|i| (0, i)).collect()
            }
            Form::BaseShl(k) => {
                let q = 1u64 << (32 - k);
                let mut bases = Vec::new();
                for b in [
                    0,
                    8,
                    1 << k,
                    (1 << k) - 1,
                    last,
                    last + 1,
                    len,
                    1 << 31,
                    FOUR_GIB - 8,
                    FOUR_GIB - 1,
                ] {
                    push_u32(&mut bases, b);
                }
                let mut idxs = Vec::new();
                for i in [0, 1, q / 2, q - 1, q, q + 1, FOUR_GIB - 1] {
                    push_u32(&mut idxs, i);
                }
                bases
                    .iter()
                    .flat_map(|&b| idxs.iter().map(move |&i| (b, i)))
                    .collect()
            }
        }
    });
}

// ---------------------------------------------------------------------
// 2. Traps across wasm -> host -> wasm, and host errors
// ---------------------------------------------------------------------

#[derive(Default)]
struct Nest {
    down: Option<Func>,
    /// Trap codes the host saw from the wasm it called back.
    seen: Vec<Option<TrapCode>>,
}

const NEST_WAT: &str = r#"(module $nest
  (import "host" "reenter" (func $reenter (param i32 i32) (result i32)))
  (memory 1)
  ;; depth 0: fault; otherwise 1 + host(depth - 1) (the host calls back).
  (func $down (export "down") (param $depth i32) (param $kind i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (call $fault (i32.rem_u (local.get $kind) (i32.const 10))))
      (else (i32.add (i32.const 1)
        (call $reenter (i32.sub (local.get $depth) (i32.const 1)) (local.get $kind))))))
  ;; 0: unreachable, 1: divide by zero, 2: out of bounds, 3: 100
  (func $fault (param $kind i32) (result i32)
    (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 (local.get $kind)))
      unreachable)
      (return (i32.div_s (i32.const 1) (i32.sub (local.get $kind) (i32.const 1)))))
      (return (i32.load offset=65536 (i32.sub (local.get $kind) (i32.const 2)))))
    (i32.const 100))
  (func (export "ok") (result i32) (i32.const 7)))"#;

fn nest_instance(variant: Variant) -> (Store<Nest>, Instance) {
    let engine = engine(variant);
    let module = Module::new(&engine, NEST_WAT).expect("compiles");
    let mut store = Store::new(&engine, Nest::default());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "reenter",
            |mut caller: Caller<'_, Nest>, depth: i32, kind: i32| -> strata::Result<i32> {
                let down = caller.data().down.expect("set before the call");
                let down = down.typed::<(i32, i32), i32>(&caller)?;
                let result = down.call(&mut caller, (depth, kind));
                caller.data_mut().seen.push(trap_code(&result));
                match result {
                    Ok(v) => Ok(v),
                    // Kinds 10 and up: the host handles the inner trap.
                    Err(_) if kind >= 10 => Ok(-1000),
                    Err(e) => Err(e),
                }
            },
        )
        .expect("defines");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let down = instance.get_func(&mut store, "down").expect("down");
    store.data_mut().down = Some(down);
    (store, instance)
}

#[test]
fn traps_in_reentered_wasm_reach_the_outer_call() {
    let kinds = [
        (0, TrapCode::Unreachable),
        (1, TrapCode::IntegerDivisionByZero),
        (2, TrapCode::MemoryOutOfBounds),
    ];
    for variant in variants() {
        let (mut store, instance) = nest_instance(variant);
        let down = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "down")
            .unwrap();
        let ok = instance
            .get_typed_func::<(), i32>(&mut store, "ok")
            .unwrap();
        for depth in [0, 1, 3] {
            assert_eq!(
                down.call(&mut store, (depth, 3)).unwrap(),
                100 + depth,
                "{variant:?}: no trap at depth {depth}"
            );
            for (kind, code) in kinds {
                store.data_mut().seen.clear();
                let r = down.call(&mut store, (depth, kind));
                assert_eq!(
                    trap_code(&r),
                    Some(code),
                    "{variant:?}: kind {kind} at depth {depth}: {r:?}"
                );
                // Every host frame saw the trap come back from its callee.
                assert_eq!(
                    store.data().seen,
                    vec![Some(code); depth as usize],
                    "{variant:?}: kind {kind} at depth {depth}"
                );
                // The store works after the trap.
                assert_eq!(ok.call(&mut store, ()).unwrap(), 7, "{variant:?}");
                assert_eq!(down.call(&mut store, (2, 3)).unwrap(), 102, "{variant:?}");
            }
            if depth > 0 {
                // The innermost host frame swallows the trap and returns
                // -1000; the wasm frames above carry on.
                for (kind, _) in kinds {
                    let r = down.call(&mut store, (depth, kind + 10));
                    assert_eq!(
                        r.unwrap(),
                        -1000 + depth,
                        "{variant:?}: handled kind {kind}"
                    );
                }
            }
        }
        // Nested over and over, the trap machinery stays balanced.
        for i in 0..300 {
            let (kind, code) = kinds[i % 3];
            let r = down.call(&mut store, (2, kind));
            assert_eq!(trap_code(&r), Some(code), "{variant:?}: iteration {i}");
        }
        assert_eq!(down.call(&mut store, (3, 3)).unwrap(), 103, "{variant:?}");
    }
}

#[derive(Debug)]
struct HostFailure(u32);

impl std::fmt::Display for HostFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host failure {}", self.0)
    }
}

impl std::error::Error for HostFailure {}

#[test]
fn host_errors_propagate_through_wasm_frames() {
    let wat = r#"(module $m
      (import "host" "fail" (func $fail (param i32) (result i32)))
      (func $a (export "a") (param i32) (result i32) (i32.add (call $b (local.get 0)) (i32.const 1)))
      (func $b (param i32) (result i32) (i32.mul (call $c (local.get 0)) (i32.const 2)))
      (func $c (param i32) (result i32) (i32.sub (call $fail (local.get 0)) (i32.const 3))))"#;
    for variant in variants() {
        let engine = engine(variant);
        let module = Module::new(&engine, wat).expect("compiles");
        let mut store = Store::new(&engine, 0u32);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "fail",
                |mut caller: Caller<'_, u32>, x: i32| -> strata::Result<i32> {
                    *caller.data_mut() += 1;
                    if x < 0 {
                        Err(Error::new(HostFailure(x.unsigned_abs())))
                    } else {
                        Ok(x)
                    }
                },
            )
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let a = instance
            .get_typed_func::<i32, i32>(&mut store, "a")
            .unwrap();
        assert_eq!(a.call(&mut store, 10).unwrap(), 15, "{variant:?}");
        for n in 1..=50u32 {
            let err = a.call(&mut store, -(n as i32)).unwrap_err();
            assert!(err.as_trap().is_none(), "{variant:?}: not a trap: {err}");
            assert_eq!(
                err.downcast_ref::<HostFailure>().map(|h| h.0),
                Some(n),
                "{variant:?}: {err}"
            );
            assert_eq!(a.call(&mut store, 10).unwrap(), 15, "{variant:?}");
        }
        assert_eq!(*store.data(), 101, "{variant:?}");
    }
}

#[test]
fn host_errors_propagate_through_reentered_wasm() {
    // The host error is raised two re-entries deep and crosses host and
    // wasm frames on its way out.
    let wat = r#"(module
      (import "host" "again" (func $again (param i32) (result i32)))
      (import "host" "fail" (func $fail (result i32)))
      (func (export "go") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (call $fail))
          (else (i32.add (i32.const 1) (call $again (i32.sub (local.get 0) (i32.const 1))))))))"#;
    for variant in variants() {
        let engine = engine(variant);
        let module = Module::new(&engine, wat).expect("compiles");
        let mut store = Store::new(&engine, None::<Func>);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "again",
                |mut caller: Caller<'_, Option<Func>>, n: i32| -> strata::Result<i32> {
                    let go = caller.data().expect("set").typed::<i32, i32>(&caller)?;
                    go.call(&mut caller, n)
                },
            )
            .unwrap();
        linker
            .func_wrap("host", "fail", || -> strata::Result<i32> {
                Err(Error::new(HostFailure(77)))
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let go = instance
            .get_typed_func::<i32, i32>(&mut store, "go")
            .unwrap();
        *store.data_mut() = Some(go.func());
        for depth in [0, 1, 2] {
            let err = go.call(&mut store, depth).unwrap_err();
            assert!(err.as_trap().is_none(), "{variant:?}: {err}");
            assert_eq!(
                err.downcast_ref::<HostFailure>().map(|h| h.0),
                Some(77),
                "{variant:?} depth {depth}: {err}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// 3, 4. Traps on many threads, and many traps in one process
// ---------------------------------------------------------------------

const TRAPPY_WAT: &str = r#"(module
  (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store16 offset=3 (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "unreachable") (param i32) (result i32)
    (if (local.get 0) (then unreachable)) (i32.const 5))
  (func $rec (export "recurse") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))"#;

struct Trappy {
    load: TypedFunc<i32, i32>,
    store: TypedFunc<(i32, i32), ()>,
    div: TypedFunc<(i32, i32), i32>,
    unreachable: TypedFunc<i32, i32>,
    recurse: TypedFunc<i32, i32>,
}

fn trappy(variant: Variant) -> (Store<()>, Trappy) {
    let engine = engine(variant);
    let module = Module::new(&engine, TRAPPY_WAT).expect("compiles");
    let mut store = Store::new(&engine, ());
    let i = Instance::new(&mut store, &module, &[]).expect("instantiates");
    let t = Trappy {
        load: i.get_typed_func(&mut store, "load").unwrap(),
        store: i.get_typed_func(&mut store, "store").unwrap(),
        div: i.get_typed_func(&mut store, "div").unwrap(),
        unreachable: i.get_typed_func(&mut store, "unreachable").unwrap(),
        recurse: i.get_typed_func(&mut store, "recurse").unwrap(),
    };
    (store, t)
}

/// Traps of every kind, `rounds` times, checking each code; answers the
/// number of traps seen.
fn trap_loop(
    thread: usize,
    store: &mut Store<()>,
    t: &Trappy,
    rounds: usize,
    recurse_every: usize,
) -> usize {
    let mut traps = 0;
    let mut expect = |r: &strata::Result<i32>, code: TrapCode, what: &str| {
        assert_eq!(trap_code(r), Some(code), "thread {thread}: {what}: {r:?}");
        traps += 1;
    };
    for i in 0..rounds {
        let n = i as i32;
        let oob_load = t.load.call(&mut *store, 65533 + n % 4);
        expect(&oob_load, TrapCode::MemoryOutOfBounds, "load");
        let wrapped_load = t.load.call(&mut *store, -1 - n);
        expect(&wrapped_load, TrapCode::MemoryOutOfBounds, "load");
        let oob_store = t.store.call(&mut *store, (65532 + n % 3, n)).map(|()| 0);
        expect(&oob_store, TrapCode::MemoryOutOfBounds, "store");
        let div0 = t.div.call(&mut *store, (n, 0));
        expect(&div0, TrapCode::IntegerDivisionByZero, "div");
        let overflow = t.div.call(&mut *store, (i32::MIN, -1));
        expect(&overflow, TrapCode::IntegerOverflow, "div");
        let unreachable = t.unreachable.call(&mut *store, 1);
        expect(&unreachable, TrapCode::Unreachable, "unreachable");
        if i % recurse_every == 0 {
            let recursion = t.recurse.call(&mut *store, 0);
            expect(&recursion, TrapCode::StackOverflow, "recursion");
        }
        // Between the traps, ordinary calls still work. The store writes
        // bytes 3 and 4 after `at`; the load reads bytes 0..4.
        let v = (n * 7) & 0x7fff;
        let at = i32::from(i % 1000 == 0) * 8;
        t.store.call(&mut *store, (at, v)).unwrap();
        assert_eq!(t.div.call(&mut *store, (n * 6, 3)).unwrap(), n * 2);
        assert_eq!(t.unreachable.call(&mut *store, 0).unwrap(), 5);
        let loaded = t.load.call(&mut *store, at).unwrap() as u32;
        assert_eq!(loaded >> 24, (v & 0xff) as u32, "thread {thread}");
    }
    traps
}

#[test]
fn traps_on_several_threads_at_once() {
    // Each thread has its own engine, store and instance, on the JIT
    // (its variants in turn). Meanwhile one more thread keeps compiling,
    // trapping in and dropping modules, so code is registered and
    // unregistered while the others' traps look code up.
    const THREADS: usize = 4;
    const ROUNDS: usize = 2000;
    const RECURSE_EVERY: usize = 2;
    let barrier = std::sync::Barrier::new(THREADS + 1);
    let done = std::sync::atomic::AtomicBool::new(false);
    let (counts, churned): (Vec<usize>, usize) = std::thread::scope(|s| {
        let (barrier, done) = (&barrier, &done);
        let churn = s.spawn(move || {
            barrier.wait();
            let mut n = 0;
            while n < 2 || !done.load(std::sync::atomic::Ordering::Relaxed) {
                let (mut store, t) = trappy(JIT);
                let r = t.load.call(&mut store, -4 - n as i32);
                assert_eq!(trap_code(&r), Some(TrapCode::MemoryOutOfBounds), "churn");
                n += 1;
            }
            n
        });
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                s.spawn(move || {
                    barrier.wait();
                    let jits: Vec<Variant> = variants()
                        .into_iter()
                        .filter(|v| v.tier == Tier::Jit)
                        .collect();
                    let (mut store, t) = trappy(jits[thread % jits.len()]);
                    assert_eq!(t.div.call(&mut store, (9, 3)).unwrap(), 3);
                    trap_loop(thread, &mut store, &t, ROUNDS, RECURSE_EVERY)
                })
            })
            .collect();
        // Stop the churn even when a thread panicked, then report.
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let churned = churn.join().expect("the churning thread did not panic");
        let counts = results
            .into_iter()
            .map(|r| r.expect("the thread did not panic"))
            .collect();
        (counts, churned)
    });
    let per_thread = ROUNDS * 6 + ROUNDS / RECURSE_EVERY;
    assert_eq!(counts, vec![per_thread; THREADS]);
    assert!(churned >= 2);
}

#[test]
fn ten_thousand_traps_on_one_instance() {
    for variant in variants() {
        let (mut store, t) = trappy(variant);
        for i in 0..10_000i32 {
            let r = if i % 2 == 0 {
                t.load.call(&mut store, 65536 + i)
            } else {
                t.store.call(&mut store, (-i, i)).map(|()| 0)
            };
            assert_eq!(
                trap_code(&r),
                Some(TrapCode::MemoryOutOfBounds),
                "{variant:?}: trap {i}"
            );
            if i % 1000 == 999 {
                t.store.call(&mut store, (100, i)).unwrap();
                assert_eq!(t.load.call(&mut store, 103).unwrap() & 0xffff, i & 0xffff);
            }
        }
        assert_eq!(t.div.call(&mut store, (100, 7)).unwrap(), 14, "{variant:?}");
    }
}

// ---------------------------------------------------------------------
// 5. Stack exhaustion
// ---------------------------------------------------------------------

const RECURSION_WAT: &str = r#"(module
  (type $t (func (param i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $even_i $odd_i)
  (func $forever (export "forever") (param i64) (result i64)
    (i64.add (call $forever (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
  ;; A bigger frame: locals live across the call.
  (func $forever_fat (export "forever_fat") (param i64) (result i64)
    (local f64 f64 f64 f64 i64 i64 i64 i64)
    (local.set 1 (f64.convert_i64_s (local.get 0)))
    (local.set 5 (i64.mul (local.get 0) (i64.const 3)))
    (i64.add (i64.add (call $forever_fat (i64.add (local.get 0) (i64.const 1)))
                      (i64.trunc_f64_s (local.get 1)))
             (local.get 5)))
  ;; Mutual recursion, direct: even(n) = n == 0 || odd(n - 1)
  (func $even (export "even") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (call $even (i64.sub (local.get 0) (i64.const 1))))))
  ;; Mutual recursion through a table.
  (func $even_i (export "even_indirect") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_i (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  ;; sum(n) = n + sum(n - 1), not a tail call.
  (func $sum (export "sum") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (local.get 0) (call $sum (i64.sub (local.get 0) (i64.const 1))))))))"#;

fn recursion(variant: Variant) -> (Store<()>, Instance) {
    let engine = engine(variant);
    let module = Module::new(&engine, RECURSION_WAT).expect("compiles");
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).expect("instantiates");
    (store, instance)
}

/// Checks `r` is a `call stack exhausted` trap whose backtrace has at
/// least `min_frames` frames, all of functions named in `frames`.
fn assert_stack_exhausted(
    variant: Variant,
    what: &str,
    r: strata::Result<i64>,
    frames: &[&str],
    min_frames: usize,
) {
    let err = match r {
        Ok(v) => panic!("{variant:?}: {what} returned {v}"),
        Err(e) => e,
    };
    let trap = err
        .as_trap()
        .unwrap_or_else(|| panic!("{variant:?}: {what}: {err}"));
    let names: Vec<Option<&str>> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.as_deref())
        .collect();
    assert!(
        names.len() >= min_frames && names.iter().all(|n| n.is_some_and(|n| frames.contains(&n))),
        "{variant:?}: {what}: backtrace of {} frames: {:?}",
        names.len(),
        &names[..names.len().min(10)]
    );
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::StackOverflow),
        "{variant:?}: {what}: {err}"
    );
    assert!(
        err.to_string().contains("call stack exhausted"),
        "{variant:?}: {what}: {err}"
    );
}

#[test]
fn infinite_recursion_exhausts_the_call_stack() {
    for variant in variants() {
        let (mut store, instance) = recursion(variant);
        let sum = instance
            .get_typed_func::<i64, i64>(&mut store, "sum")
            .unwrap();
        for name in ["forever", "forever_fat"] {
            let f = instance
                .get_typed_func::<i64, i64>(&mut store, name)
                .unwrap();
            for _ in 0..3 {
                assert_stack_exhausted(variant, name, f.call(&mut store, 0), &[name], 2);
                assert_eq!(sum.call(&mut store, 10).unwrap(), 55, "{variant:?}");
            }
        }
    }
}

#[test]
fn mutual_recursion_exhausts_the_call_stack() {
    for variant in variants() {
        let (mut store, instance) = recursion(variant);
        for (name, frames) in [
            ("even", ["even", "odd"]),
            ("even_indirect", ["even_i", "odd_i"]),
        ] {
            let f = instance
                .get_typed_func::<i64, i64>(&mut store, name)
                .unwrap();
            assert_eq!(f.call(&mut store, 11).unwrap(), 0, "{variant:?} {name}");
            assert_eq!(f.call(&mut store, 1000).unwrap(), 1, "{variant:?} {name}");
            // Counting down from -1 never reaches 0.
            assert_stack_exhausted(variant, name, f.call(&mut store, -1), &frames, 2);
            assert_eq!(f.call(&mut store, 7).unwrap(), 0, "{variant:?} {name}");
        }
    }
}

#[test]
fn runaway_host_reentry_exhausts_the_call_stack() {
    // wasm -> host -> wasm -> host ... without end.
    let wat = r#"(module $m
      (import "host" "again" (func $again (param i64) (result i64)))
      (func $go (export "go") (param i64) (result i64)
        (i64.add (call $again (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))"#;
    for variant in variants() {
        let engine = engine(variant);
        let module = Module::new(&engine, wat).expect("compiles");
        let mut store = Store::new(&engine, (None::<Func>, 0i64));
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "again",
                |mut caller: Caller<'_, (Option<Func>, i64)>, n: i64| -> strata::Result<i64> {
                    let data = caller.data_mut();
                    data.1 = data.1.max(n);
                    let go = data.0.expect("set").typed::<i64, i64>(&caller)?;
                    go.call(&mut caller, n)
                },
            )
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let go = instance
            .get_typed_func::<i64, i64>(&mut store, "go")
            .unwrap();
        store.data_mut().0 = Some(go.func());
        for _ in 0..2 {
            store.data_mut().1 = 0;
            // Each host frame hands on the trap of the wasm it called, so
            // the backtrace may stop at the innermost host call.
            assert_stack_exhausted(variant, "host re-entry", go.call(&mut store, 0), &["go"], 1);
            let depth = store.data().1;
            assert!(
                depth >= 5,
                "{variant:?}: exhausted after {depth} re-entries"
            );
        }
    }
}

#[test]
fn moderate_recursion_depth_works() {
    for variant in variants() {
        let (mut store, instance) = recursion(variant);
        let sum = instance
            .get_typed_func::<i64, i64>(&mut store, "sum")
            .unwrap();
        for n in [1, 100, 1000] {
            assert_eq!(
                sum.call(&mut store, n).unwrap(),
                n * (n + 1) / 2,
                "{variant:?}: depth {n}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// 6. Backtraces
// ---------------------------------------------------------------------

#[test]
fn backtraces_name_the_frames_innermost_first() {
    let wat = r#"(module $bt
      (memory 1)
      (func $outer (export "outer") (param i32) (result i32)
        (i32.add (call $middle (local.get 0)) (i32.const 1)))
      (func $middle (param i32) (result i32)
        (i32.mul (call $inner (local.get 0)) (i32.const 2)))
      ;; 0: divide by zero, 1: unreachable, 2: out of bounds, else 100/x
      (func $inner (param i32) (result i32)
        (if (i32.eq (local.get 0) (i32.const 1)) (then unreachable))
        (if (i32.eq (local.get 0) (i32.const 2))
          (then (return (i32.load (i32.const 65536)))))
        (i32.div_u (i32.const 100) (local.get 0))))"#;
    let cases = [
        (0, TrapCode::IntegerDivisionByZero),
        (1, TrapCode::Unreachable),
        (2, TrapCode::MemoryOutOfBounds),
    ];
    for variant in variants() {
        let engine = engine(variant);
        let module = Module::new(&engine, wat).expect("compiles");
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let outer = instance
            .get_typed_func::<i32, i32>(&mut store, "outer")
            .unwrap();
        assert_eq!(outer.call(&mut store, 10).unwrap(), 21);
        for (arg, code) in cases {
            let err = outer.call(&mut store, arg).unwrap_err();
            let trap = err
                .as_trap()
                .unwrap_or_else(|| panic!("{variant:?}: {err}"));
            assert_eq!(trap.code(), code, "{variant:?}");
            let frames: Vec<(Option<&str>, Option<&str>, u32)> = trap
                .backtrace()
                .iter()
                .map(|f| {
                    (
                        f.module_name.as_deref(),
                        f.func_name.as_deref(),
                        f.func_index,
                    )
                })
                .collect();
            assert_eq!(
                frames,
                vec![
                    (Some("bt"), Some("inner"), 2),
                    (Some("bt"), Some("middle"), 1),
                    (Some("bt"), Some("outer"), 0),
                ],
                "{variant:?}: {code:?}:\n{trap}"
            );
            let text = trap.to_string();
            let (i, m, o) = (
                text.find("bt!inner"),
                text.find("bt!middle"),
                text.find("bt!outer"),
            );
            assert!(
                i.is_some() && i < m && m < o,
                "{variant:?}: printed backtrace:\n{text}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// 7. A fault in host code still crashes the process
// ---------------------------------------------------------------------

/// Set in the child process to the way it should crash.
const CHILD_ENV: &str = "STRATA_JIT_TRAPS_CHILD";
const CHILD_MARKER: &str = "jit_traps child: faulting now";

/// Writes through a null pointer. Only ever called in a child process
/// whose purpose is to die of it.
#[cfg(target_arch = "x86_64")]
fn write_through_null() {
    let null = std::hint::black_box(std::ptr::null_mut::<u8>());
    // SAFETY: this is deliberately not safe: it writes through a null
    // pointer so that the process dies by SIGSEGV. It runs only in the
    // child process `host_faults_outside_wasm_still_crash` spawns for
    // exactly that purpose. Inline assembly keeps the compiler (and the
    // debug-build precondition checks of `ptr::write`) from turning the
    // write into anything else.
    unsafe {
        std::arch::asm!("mov byte ptr [{p}], 1", p = in(reg) null, options(nostack));
    }
}

/// The child's side: run JIT code (installing the signal handler), show a
/// trap still works, then fault in host code as `mode` says.
#[cfg(target_arch = "x86_64")]
fn crashing_child(mode: &str) -> ! {
    // No core file for the crash this process is about to have.
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit with a valid, initialised struct.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
    }
    let engine = engine(JIT);
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "crash" (func $crash))
             (memory 1)
             (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
             (func (export "crash") call $crash))"#,
    )
    .expect("compiles");
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "crash", || {
            let _ =
                std::io::stderr().write_all(format!("{CHILD_MARKER} (in-host-call)\n").as_bytes());
            write_through_null();
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let load = instance
        .get_typed_func::<i32, i32>(&mut store, "load")
        .unwrap();
    let crash = instance
        .get_typed_func::<(), ()>(&mut store, "crash")
        .unwrap();
    assert_eq!(load.call(&mut store, 0).unwrap(), 0);
    let r = load.call(&mut store, 65536);
    assert_eq!(trap_code(&r), Some(TrapCode::MemoryOutOfBounds));
    match mode {
        "after-wasm" => {
            let _ = std::io::stderr().write_all(format!("{CHILD_MARKER} ({mode})\n").as_bytes());
            write_through_null();
        }
        "in-host-call" => {
            let r = crash.call(&mut store, ());
            let _ = std::io::stderr()
                .write_all(format!("jit_traps child: the fault came back as {r:?}\n").as_bytes());
        }
        other => panic!("unknown child mode {other}"),
    }
    let _ = std::io::stderr().write_all(b"jit_traps child: survived the fault\n");
    std::process::exit(0)
}

#[cfg(target_arch = "x86_64")]
#[test]
fn host_faults_outside_wasm_still_crash() {
    use std::os::unix::process::ExitStatusExt;
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        crashing_child(&mode);
    }
    let exe = std::env::current_exe().expect("the test binary");
    for mode in ["after-wasm", "in-host-call"] {
        let mut child = std::process::Command::new(&exe)
            .args([
                "host_faults_outside_wasm_still_crash",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, mode)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the child runs");
        // A handler that neither handles nor chains would re-run the
        // faulting write forever: give the child a deadline.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().expect("wait").is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let output = child.wait_with_output().expect("the child is gone");
                panic!(
                    "{mode}: the child hung after its fault:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let output = child.wait_with_output().expect("the child's output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stderr.contains(&format!("{CHILD_MARKER} ({mode})")),
            "{mode}: the child did not get to its fault ({:?}):\n{stdout}\n{stderr}",
            output.status
        );
        assert_eq!(
            output.status.signal(),
            Some(libc::SIGSEGV),
            "{mode}: the child should die by SIGSEGV, not {:?}:\n{stdout}\n{stderr}",
            output.status
        );
    }
}
