//! The embedding API as a Rust program uses it.

use strata::{
    Caller, Engine, Error, Extern, ExternRef, Func, FuncType, Global, GlobalType, Instance, Linker,
    Memory, MemoryType, Module, Store, StoreLimitsBuilder, TrapCode, Val, ValType,
};

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, wat).expect("test module compiles")
}

#[test]
fn handles_refuse_the_wrong_store() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 7))"#,
    );
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let inst = Instance::new(&mut a, &m, &[]).unwrap();
    let f = inst.get_func(&mut a, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut a, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(7));
    assert!(matches!(
        f.call(&mut b, &[], &mut out),
        Err(Error::Usage(_))
    ));
    assert!(f.typed::<(), i32>(&b).is_err());

    let g = Global::new(
        &mut a,
        GlobalType {
            content: ValType::I32,
            mutable: true,
        },
        Val::I32(1),
    )
    .unwrap();
    assert!(g.get(&mut b).is_err());
    let importer = module(&engine, r#"(module (import "m" "g" (global (mut i32))))"#);
    assert!(matches!(
        Instance::new(&mut b, &importer, &[Extern::Global(g)]),
        Err(Error::Usage(_))
    ));
    assert!(
        inst.get_func(&mut b, "f").is_none(),
        "an instance of another store has no exports here"
    );
}

#[test]
fn typed_funcs_check_their_signature() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (func (export "add") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add))"#,
    );
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let add = inst
        .get_typed_func::<(i64, i64), i64>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
    assert!(
        inst.get_typed_func::<(i32, i32), i32>(&mut store, "add")
            .is_err()
    );
    let f = inst.get_func(&mut store, "add").unwrap();
    let mut out = [Val::I64(0)];
    assert!(
        f.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut out)
            .is_err()
    );
}

#[test]
fn host_functions_see_the_callers_memory_and_data() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
             (import "env" "sum" (func $sum (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "\01\02\03\04")
             (func (export "run") (result i32) i32.const 16 i32.const 4 call $sum))"#,
    );
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "sum",
            |mut caller: Caller<'_, u32>, ptr: i32, len: i32| -> i32 {
                *caller.data_mut() += 1;
                let mem = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .unwrap();
                let bytes = &mem.data(&caller)[ptr as usize..(ptr + len) as usize];
                bytes.iter().map(|b| i32::from(*b)).sum()
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &m).unwrap();
    let run = inst.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 10);
    assert_eq!(*store.data(), 1);
}

#[test]
fn host_and_wasm_can_reenter_each_other() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
             (import "env" "back" (func $back (param i32) (result i32)))
             (func $down (export "down") (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0))
                 (then (i32.const 0))
                 (else (i32.add (i32.const 1) (call $back (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let mut store = Store::new(&engine, None::<Func>);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "back",
            |mut caller: Caller<'_, Option<Func>>, n: i32| -> strata::Result<i32> {
                let down = caller.data().expect("set before the call");
                let mut out = [Val::I32(0)];
                down.call(&mut caller, &[Val::I32(n)], &mut out)?;
                Ok(out[0].i32().unwrap_or(-1))
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &m).unwrap();
    let down = inst.get_func(&mut store, "down").unwrap();
    *store.data_mut() = Some(down);
    let mut out = [Val::I32(0)];
    // Each round trip uses native stack (a lot in debug builds); a few
    // levels must work, and the budget bounds them (see the next test).
    down.call(&mut store, &[Val::I32(6)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(6));
}

#[test]
fn runaway_host_reentry_is_a_trap() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (import "env" "again" (func $again)) (func (export "go") call $again))"#,
    );
    let mut store = Store::new(&engine, None::<Func>);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "again",
            |mut caller: Caller<'_, Option<Func>>| -> strata::Result<()> {
                let go = caller.data().expect("set");
                go.call(&mut caller, &[], &mut [])
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &m).unwrap();
    let go = inst.get_func(&mut store, "go").unwrap();
    *store.data_mut() = Some(go);
    let err = go.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::StackOverflow),
        "{err}"
    );
}

#[test]
fn traps_carry_code_and_named_backtrace_and_the_store_stays_usable() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module $mod
             (func $deep (param i32) (result i32) local.get 0 call $deep)
             (func $div (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
             (func (export "recurse") (result i32) i32.const 0 call $deep))"#,
    );
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let div = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "div")
        .unwrap();
    let err = div.call(&mut store, (1, 0)).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
    assert_eq!(trap.backtrace()[0].func_name.as_deref(), Some("div"));
    assert_eq!(trap.backtrace()[0].module_name.as_deref(), Some("mod"));

    let rec = inst
        .get_typed_func::<(), i32>(&mut store, "recurse")
        .unwrap();
    let err = rec.call(&mut store, ()).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::StackOverflow)
    );
    assert_eq!(
        div.call(&mut store, (9, 3)).unwrap(),
        3,
        "the store works after a trap"
    );
}

#[derive(Debug)]
struct Custom(u8);
impl std::fmt::Display for Custom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "custom {}", self.0)
    }
}
impl std::error::Error for Custom {}

#[test]
fn host_errors_come_back_unchanged() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (import "env" "fail" (func $f)) (func (export "go") call $f))"#,
    );
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "fail", || -> strata::Result<()> {
            Err(Error::new(Custom(9)))
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &m).unwrap();
    let go = inst.get_func(&mut store, "go").unwrap();
    let err = go.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.downcast_ref::<Custom>().map(|c| c.0), Some(9));
}

#[test]
fn store_limits_cap_memory_growth() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimitsBuilder::new().memory_size(3 * 65536).build());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "past the store's limit"
    );
    let mem = inst.get_memory(&mut store, "m").unwrap();
    assert_eq!(mem.size(&store), 3);
    if cfg!(target_pointer_width = "64") {
        assert!(mem.is_guarded(&store), "64-bit hosts reserve 4 GiB + guard");
    }
}

#[test]
fn memories_globals_and_externrefs_cross_the_boundary() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
             (import "host" "mem" (memory 1))
             (import "host" "counter" (global $c (mut i32)))
             (func (export "bump") (result i32)
               (global.set $c (i32.add (global.get $c) (i32.load (i32.const 8))))
               global.get $c)
             (func (export "id") (param externref) (result externref) local.get 0))"#,
    );
    let mut store = Store::new(&engine, ());
    let mem = Memory::new(
        &mut store,
        MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
        },
    )
    .unwrap();
    mem.write(&mut store, 8, &5i32.to_le_bytes()).unwrap();
    assert!(mem.write(&mut store, 65535, &[1, 2]).is_err());
    let counter = Global::new(
        &mut store,
        GlobalType {
            content: ValType::I32,
            mutable: true,
        },
        Val::I32(100),
    )
    .unwrap();
    let inst = Instance::new(&mut store, &m, &[mem.into(), counter.into()]).unwrap();
    let bump = inst.get_typed_func::<(), i32>(&mut store, "bump").unwrap();
    assert_eq!(bump.call(&mut store, ()).unwrap(), 105);
    assert_eq!(counter.get(&mut store).unwrap(), Val::I32(105));

    let id = inst.get_func(&mut store, "id").unwrap();
    let r = ExternRef::new(&mut store, String::from("hello"));
    let mut out = [Val::ExternRef(None)];
    id.call(&mut store, &[Val::ExternRef(Some(r))], &mut out)
        .unwrap();
    let Val::ExternRef(Some(back)) = out[0] else {
        panic!("expected an externref")
    };
    assert_eq!(
        back.data(&store)
            .unwrap()
            .downcast_ref::<String>()
            .map(String::as_str),
        Some("hello")
    );
}

#[test]
fn linker_reports_missing_and_mismatched_imports() {
    let engine = Engine::default();
    let m = module(&engine, r#"(module (import "env" "f" (func (param i32))))"#);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let err = linker.instantiate(&mut store, &m).unwrap_err();
    assert!(
        matches!(err, Error::Link(ref s) if s.contains("env::f")),
        "{err}"
    );
    linker
        .func_new("env", "f", FuncType::new([ValType::I64], []), |_, _, _| {
            Ok(())
        })
        .unwrap();
    let err = linker.instantiate(&mut store, &m).unwrap_err();
    assert!(matches!(err, Error::Link(_)), "{err}");
}

#[test]
fn host_functions_called_directly_and_through_tables() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
             (type $t (func (param i32) (result i32)))
             (table (export "t") 2 funcref)
             (func (export "call") (param i32 i32) (result i32)
               local.get 1 local.get 0 call_indirect (type $t)))"#,
    );
    let mut store = Store::new(&engine, ());
    let triple = Func::wrap(&mut store, |x: i32| x * 3);
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let table = inst.get_table(&mut store, "t").unwrap();
    table
        .set(&mut store, 1, Val::FuncRef(Some(triple)))
        .unwrap();
    let call = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "call")
        .unwrap();
    assert_eq!(call.call(&mut store, (1, 14)).unwrap(), 42);
    let err = call.call(&mut store, (0, 1)).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::IndirectCallToNull)
    );
    assert_eq!(
        triple
            .typed::<i32, i32>(&store)
            .unwrap()
            .call(&mut store, 5)
            .unwrap(),
        15
    );
    assert_eq!(table.grow(&mut store, 3, Val::FuncRef(None)).unwrap(), 2);
    assert_eq!(table.size(&store).unwrap(), 5);
}

#[test]
fn fused_address_arithmetic_wraps_like_i32_add() {
    // The interpreter fuses `i32.add` + `load offset=0` into one
    // instruction; the address must still wrap at 32 bits, so these loads
    // read address 4 instead of trapping.
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (memory 1) (data (i32.const 4) "\2a\00\00\00")
             (func (export "imm") (param i32) (result i32)
               (i32.load (i32.add (local.get 0) (i32.const 8))))
             (func (export "idx") (param i32 i32) (result i32)
               (i32.load8_u (i32.add (local.get 0) (local.get 1))))
             (func (export "offset") (param i32) (result i32)
               (i32.load offset=8 (local.get 0))))"#,
    );
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let imm = inst.get_typed_func::<i32, i32>(&mut store, "imm").unwrap();
    assert_eq!(imm.call(&mut store, -4).unwrap(), 42);
    let idx = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "idx")
        .unwrap();
    assert_eq!(idx.call(&mut store, (-12, 16)).unwrap(), 42);
    // A static offset does not wrap: this one is out of bounds.
    let offset = inst
        .get_typed_func::<i32, i32>(&mut store, "offset")
        .unwrap();
    let err = offset.call(&mut store, -4).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::MemoryOutOfBounds)
    );
}

#[test]
fn fused_array_indexing_matches_add_and_shift() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (memory 1) (data (i32.const 8) "\07\00\00\00\09\00\00\00")
             (func (export "addr") (param i32 i32) (result i32)
               (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
             (func (export "elem") (param i32 i32) (result i32)
               (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))))"#,
    );
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let addr = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "addr")
        .unwrap();
    assert_eq!(addr.call(&mut store, (100, 3)).unwrap(), 112);
    assert_eq!(
        addr.call(&mut store, (-4, i32::MIN)).unwrap(),
        -4,
        "shift and add wrap"
    );
    let elem = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "elem")
        .unwrap();
    assert_eq!(elem.call(&mut store, (8, 1)).unwrap(), 9);
    assert_eq!(
        elem.call(&mut store, (12, 0x4000_0000 - 1)).unwrap(),
        7,
        "wraps to address 8"
    );
    let err = elem.call(&mut store, (65532, 1)).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code()),
        Some(TrapCode::MemoryOutOfBounds)
    );
}

/// The interpreter fuses `(x >> k) & mask` into one instruction, and
/// `base + ((x >> k) & mask)`, `(x & mask) << j` and `((x >> k) & mask) <<
/// j` into one more when the mask's bits are contiguous (a bytecode VM
/// decoding a register operand or scaling its opcode). Every shape,
/// including masks with holes, bits the shifts clear and shift counts of
/// 32 or more, computes what the separate operators do, in every tier.
#[test]
fn fused_bit_fields_match_shift_and_mask() {
    // (shift, mask, scale): contiguous masks, one with a hole, one reaching
    // past the bits the shift leaves, shift counts that wrap, a field of
    // all 32 bits, and scales that push bits past bit 31.
    let shapes: [(u32, u32, u32); 8] = [
        (3, 0xff0, 2),
        (12, 0xff0, 0),
        (7, 0xff, 4),
        (4, 0xf0f, 1),
        (28, 0xfff0, 30),
        (35, 0x3c, 33),
        (0, u32::MAX, 3),
        (0, 0x7f, 2),
    ];
    let mut funcs = String::new();
    for (i, (shift, mask, scale)) in shapes.iter().enumerate() {
        let field =
            format!("(i32.and (i32.shr_u (local.get 1) (i32.const {shift})) (i32.const {mask}))");
        funcs.push_str(&format!(
            r#"(func (export "field{i}") (param i32 i32) (result i32) {field})
               (func (export "base_first{i}") (param i32 i32) (result i32)
                 (i32.add (local.get 0) {field}))
               (func (export "field_first{i}") (param i32 i32) (result i32)
                 (i32.add {field} (local.get 0)))
               (func (export "scaled{i}") (param i32 i32) (result i32)
                 (i32.shl {field} (local.get 0)))
               (func (export "shl_k{i}") (param i32 i32) (result i32)
                 (i32.shl {field} (i32.const {scale})))
               (func (export "and_shl_k{i}") (param i32 i32) (result i32)
                 (i32.shl (i32.and (local.get 1) (i32.const {mask})) (i32.const {scale})))
               (func (export "scaled_k{i}") (param i32 i32) (result i32)
                 (i32.add (local.get 0) (i32.shl {field} (i32.const {scale}))))
               (func (export "and_scaled{i}") (param i32 i32) (result i32)
                 (i32.add (local.get 0) (i32.shl (i32.and (local.get 1) (i32.const {mask})) (i32.const {scale}))))
               (func (export "load{i}") (param i32 i32) (result i32)
                 (i32.load8_u (i32.add (local.get 0) (i32.and (i32.shr_u (local.get 1) (i32.const {shift})) (i32.const {mask})))))
            "#
        ));
    }
    let wat = format!(
        r#"(module (memory 1) (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f") {funcs})"#
    );
    let inputs = [0u32, 1, 0x8000_0000, 0xdead_beef, u32::MAX, 0x0123_4567];
    let bases = [0u32, 16, 0xffff_fff0];
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, &wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        for (i, (shift, mask, scale)) in shapes.iter().enumerate() {
            let get = |store: &mut Store<()>, name: &str| {
                inst.get_typed_func::<(i32, i32), i32>(store, &format!("{name}{i}"))
                    .unwrap()
            };
            let field_fn = get(&mut store, "field");
            let base_first = get(&mut store, "base_first");
            let field_first = get(&mut store, "field_first");
            let load = get(&mut store, "load");
            let scaled = get(&mut store, "scaled");
            let scaled_k = get(&mut store, "scaled_k");
            let shl_k = get(&mut store, "shl_k");
            let and_shl_k = get(&mut store, "and_shl_k");
            let and_scaled = get(&mut store, "and_scaled");
            for x in inputs {
                let field = x.wrapping_shr(*shift) & mask;
                let what = format!("{tier:?}: x {x:#x} shift {shift} mask {mask:#x}");
                let got = field_fn.call(&mut store, (0, x as i32)).unwrap();
                assert_eq!(got as u32, field, "{what}");
                for k in [0u32, 1, 4, 31, 32, 35] {
                    let got = scaled.call(&mut store, (k as i32, x as i32)).unwrap();
                    assert_eq!(got as u32, field.wrapping_shl(k), "{what} << {k}");
                }
                let got = shl_k.call(&mut store, (0, x as i32)).unwrap();
                assert_eq!(got as u32, field.wrapping_shl(*scale), "{what} << {scale}");
                let got = and_shl_k.call(&mut store, (0, x as i32)).unwrap();
                let want = (x & mask).wrapping_shl(*scale);
                assert_eq!(got as u32, want, "{what}: and, << {scale}");
                for base in bases {
                    let got = scaled_k.call(&mut store, (base as i32, x as i32)).unwrap();
                    let want = base.wrapping_add(field.wrapping_shl(*scale));
                    assert_eq!(got as u32, want, "{what} scale {scale} base {base:#x}");
                    let got = and_scaled
                        .call(&mut store, (base as i32, x as i32))
                        .unwrap();
                    let want = base.wrapping_add((x & mask).wrapping_shl(*scale));
                    assert_eq!(got as u32, want, "{what} and, scale {scale} base {base:#x}");
                    let sum = base.wrapping_add(field);
                    let got = base_first
                        .call(&mut store, (base as i32, x as i32))
                        .unwrap();
                    assert_eq!(got as u32, sum, "{what} base {base:#x}");
                    let got = field_first
                        .call(&mut store, (base as i32, x as i32))
                        .unwrap();
                    assert_eq!(got as u32, sum, "{what} base {base:#x}");
                    // The data segment holds each byte's own address.
                    match load.call(&mut store, (base as i32, x as i32)) {
                        Ok(v) if sum < 16 => assert_eq!(v as u32, sum, "{what}"),
                        Ok(v) if sum < 65536 => assert_eq!(v, 0, "{what}"),
                        Ok(v) => panic!("{what}: read {v} at {sum:#x}"),
                        Err(e) => {
                            assert!(sum >= 65536, "{what}: {e}");
                            assert_eq!(
                                e.as_trap().map(|t| t.code()),
                                Some(TrapCode::MemoryOutOfBounds)
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The interpreter takes the load that computes a `br_table`'s index (and
/// a constant added to it) into the table, as a bytecode VM dispatches on
/// the opcode it just read. Every shape — byte and word loads, with an
/// offset, at a wrapping `base + constant`, with a bias added or
/// subtracted, and one whose value is also kept in a local — branches as
/// the separate operators do, in every tier, including indices past the
/// table (the default), a bias that wraps below zero, and loads past the
/// memory (a trap).
#[test]
fn br_table_on_a_loaded_index_matches_the_separate_operators() {
    let shapes: [(&str, &str); 8] = [
        ("load8", "(i32.load8_u (local.get 0))"),
        ("load8_offset", "(i32.load8_u offset=3 (local.get 0))"),
        (
            "load8_minus",
            "(i32.sub (i32.load8_u (local.get 0)) (i32.const 2))",
        ),
        (
            "load8_plus",
            "(i32.add (i32.load8_u (local.get 0)) (i32.const -1))",
        ),
        (
            "load8_at",
            "(i32.load8_u (i32.add (local.get 0) (i32.const 4)))",
        ),
        ("load32", "(i32.load (local.get 0))"),
        (
            "load32_at_minus",
            "(i32.sub (i32.load (i32.add (local.get 0) (i32.const 8))) (i32.const 1))",
        ),
        ("kept", "(local.tee 1 (i32.load8_u (local.get 0)))"),
    ];
    let mut funcs = String::new();
    for (name, index) in shapes {
        funcs.push_str(&format!(
            r#"(func (export "{name}") (param i32) (result i32) (local i32)
                 (block (block (block (block
                   (br_table 0 1 2 3 {index}))
                   (return (i32.const 10)))
                   (return (i32.const 11)))
                   (return (i32.const 12)))
                 (i32.const 13))
            "#
        ));
    }
    let bytes: [u8; 16] = [
        0, 1, 2, 3, 250, 255, 7, 1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
    ];
    let data: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    let wat = format!(r#"(module (memory 1) (data (i32.const 0) "{data}") {funcs})"#);
    let mut mem = vec![0u8; 65536];
    mem[..16].copy_from_slice(&bytes);
    let byte = |ea: u64| mem.get(ea as usize).map(|b| u32::from(*b));
    let word = |ea: u64| {
        (ea + 4 <= 65536)
            .then(|| u32::from_le_bytes(mem[ea as usize..ea as usize + 4].try_into().unwrap()))
    };
    // The index each shape computes, or `None` for a load out of bounds.
    let index = |name: &str, x: u32| -> Option<u32> {
        let x64 = u64::from(x);
        match name {
            "load8" | "kept" => byte(x64),
            "load8_offset" => byte(x64 + 3),
            "load8_minus" => byte(x64).map(|v| v.wrapping_sub(2)),
            "load8_plus" => byte(x64).map(|v| v.wrapping_add(u32::MAX)),
            "load8_at" => byte(u64::from(x.wrapping_add(4))),
            "load32" => word(x64),
            "load32_at_minus" => word(u64::from(x.wrapping_add(8))).map(|v| v.wrapping_sub(1)),
            _ => unreachable!(),
        }
    };
    let addresses = [
        0u32,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        12,
        65532,
        65533,
        65535,
        65536,
        u32::MAX - 3,
        u32::MAX,
    ];
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, &wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        for (name, _) in shapes {
            let f = inst.get_typed_func::<i32, i32>(&mut store, name).unwrap();
            for x in addresses {
                let got = f.call(&mut store, x as i32);
                match index(name, x) {
                    Some(i) => {
                        let want = 10 + i.min(3) as i32;
                        assert_eq!(got.unwrap(), want, "{tier:?} {name}({x:#x}): index {i}");
                    }
                    None => {
                        let err = got.expect_err("a load out of bounds traps");
                        assert_eq!(
                            err.as_trap().map(|t| t.code()),
                            Some(TrapCode::MemoryOutOfBounds),
                            "{tier:?} {name}({x:#x})"
                        );
                    }
                }
            }
        }
    }
}

/// The interpreter passes an integer result to the next instruction in a
/// register (the accumulator) as well as in its slot. Only an instruction
/// reached by falling through from its producer may read it: here a
/// branch and a loop's back edge reach readers of a slot with another value
/// in the accumulator, a `select` (whose `Operand` follows it) produces and
/// consumes, and loads, stores, divisions, 64-bit operators, a return, a
/// global, a `br_table` and an indexed load read it, with traps. Every
/// tier must give what Rust computes.
#[test]
fn operands_from_the_accumulator_match_their_slots() {
    let wat = r#"(module (memory 1)
        (func (export "join") (param i32 i32) (result i32) (local i32)
          (local.set 2 (i32.mul (local.get 1) (i32.const 3)))
          (block
            (br_if 0 (i32.and (local.get 0) (i32.const 1)))
            (local.set 2 (i32.add (local.get 1) (i32.const 100))))
          (i32.add (local.get 2) (i32.const 7)))
        (func (export "loop") (param i32 i32) (result i32) (local i32)
          (local.set 2 (local.get 1))
          (loop
            (local.set 2 (i32.add (local.get 2) (i32.const 3)))
            (br_if 0 (i32.lt_u (i32.and (local.get 2) (i32.const 255)) (local.get 0))))
          (local.get 2))
        (func (export "select") (param i32 i32) (result i32)
          (i32.add
            (select (local.get 0) (local.get 1) (i32.and (local.get 0) (i32.const 1)))
            (i32.const 5)))
        (func (export "memory") (param i32 i32) (result i32)
          (i32.store offset=4 (i32.and (local.get 0) (i32.const 0xfff0))
            (i32.mul (local.get 1) (local.get 1)))
          (i32.div_u
            (i32.load offset=4 (i32.and (local.get 0) (i32.const 0xfff0)))
            (i32.sub (local.get 1) (i32.const 1))))
        (func (export "far") (param i32 i32) (result i32)
          (i32.load (i32.xor (local.get 0) (local.get 1))))
        (func (export "wide") (param i32 i32) (result i32)
          (i32.wrap_i64 (i64.shr_u
            (i64.add (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 0x100000001))
                     (i64.extend_i32_s (local.get 1)))
            (i64.const 7))))
        (global $g (mut i32) (i32.const 0))
        (func (export "ret") (param i32 i32) (result i32)
          (i32.sub (local.get 0) (local.get 1)))
        (func (export "global") (param i32 i32) (result i32)
          (global.set $g (i32.xor (local.get 0) (local.get 1)))
          (i32.add (global.get $g) (i32.const 1)))
        (func (export "switch") (param i32 i32) (result i32)
          (block (block (block
            (br_table 0 1 2 (i32.and (local.get 0) (local.get 1))))
            (return (i32.const 10)))
            (return (i32.const 11)))
          (i32.const 12))
        (func (export "index") (param i32 i32) (result i32)
          (i32.load (i32.add (local.get 0)
            (i32.shl (i32.and (local.get 1) (i32.const 0xff)) (i32.const 2))))))"#;
    let join = |a: u32, b: u32| {
        let x = if a & 1 != 0 {
            b.wrapping_mul(3)
        } else {
            b.wrapping_add(100)
        };
        Some(x.wrapping_add(7))
    };
    let looping = |a: u32, b: u32| {
        let mut x = b;
        loop {
            x = x.wrapping_add(3);
            if (x & 255) >= a {
                return Some(x);
            }
        }
    };
    let select = |a: u32, b: u32| Some(if a & 1 != 0 { a } else { b }.wrapping_add(5));
    let memory = |_a: u32, b: u32| b.wrapping_mul(b).checked_div(b.wrapping_sub(1));
    // Memory is zero but where `memory` stored; `far` runs on a fresh instance.
    let far = |a: u32, b: u32| ((u64::from(a ^ b) + 4) <= 65536).then_some(0);
    let wide = |a: u32, b: u32| {
        let x = u64::from(a)
            .wrapping_mul(0x1_0000_0001)
            .wrapping_add(i64::from(b as i32) as u64);
        Some((x >> 7) as u32)
    };
    let ret = |a: u32, b: u32| Some(a.wrapping_sub(b));
    let global = |a: u32, b: u32| Some((a ^ b).wrapping_add(1));
    let switch = |a: u32, b: u32| Some(10 + (a & b).min(2));
    let index = |a: u32, b: u32| {
        let ea = a.wrapping_add((b & 0xff) << 2);
        (u64::from(ea) + 4 <= 65536).then_some(0)
    };
    type Expect = fn(u32, u32) -> Option<u32>;
    let funcs: [(&str, Expect, TrapCode); 10] = [
        ("join", join, TrapCode::Unreachable),
        ("loop", looping, TrapCode::Unreachable),
        ("select", select, TrapCode::Unreachable),
        ("memory", memory, TrapCode::IntegerDivisionByZero),
        ("far", far, TrapCode::MemoryOutOfBounds),
        ("wide", wide, TrapCode::Unreachable),
        ("ret", ret, TrapCode::Unreachable),
        ("global", global, TrapCode::Unreachable),
        ("switch", switch, TrapCode::Unreachable),
        ("index", index, TrapCode::MemoryOutOfBounds),
    ];
    let values = [
        0u32,
        1,
        2,
        3,
        7,
        100,
        200,
        255,
        0xfff0,
        65532,
        65533,
        u32::MAX,
    ];
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, wat);
        for (name, expect, trap) in funcs {
            let mut store = Store::new(&engine, ());
            let inst = Instance::new(&mut store, &m, &[]).unwrap();
            let f = inst
                .get_typed_func::<(i32, i32), i32>(&mut store, name)
                .unwrap();
            for a in values {
                // `loop` ends only for a bound a byte can reach.
                let a = if name == "loop" { a.min(255) } else { a };
                for b in values {
                    let got = f.call(&mut store, (a as i32, b as i32));
                    match expect(a, b) {
                        Some(want) => assert_eq!(
                            got.map_err(|e| e.to_string()),
                            Ok(want as i32),
                            "{tier:?} {name}({a:#x}, {b:#x})"
                        ),
                        None => assert_eq!(
                            got.expect_err("traps").as_trap().map(|t| t.code()),
                            Some(trap),
                            "{tier:?} {name}({a:#x}, {b:#x})"
                        ),
                    }
                }
            }
        }
    }
}

/// A bytecode loop whose cases jump back to a `br_table` dispatch (which
/// the interpreter copies into each case), with a conditional exit and a
/// call inside the copied header: every tier must run the programs as a
/// Rust model of the VM does.
#[test]
fn copied_dispatch_headers_run_as_the_loop() {
    let wat = r#"(module (memory (export "mem") 1)
        (func $tick (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "run") (param $len i32) (result i32)
          (local $pc i32) (local $acc i32) (local $steps i32)
          (block $done
            (loop $next
              ;; the header: count, stop at the end, fetch and dispatch
              (local.set $steps (call $tick (local.get $steps)))
              (br_if $done (i32.ge_u (local.get $pc) (local.get $len)))
              (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
              (block $halt (block $dbl (block $sub (block $add
                (br_table $add $sub $dbl $halt
                  (i32.load8_u offset=0 (i32.sub (local.get $pc) (i32.const 1)))))
                ;; add: the next byte is the operand
                (local.set $acc (i32.add (local.get $acc)
                  (i32.load8_u (local.get $pc))))
                (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                (br $next))
                ;; sub
                (local.set $acc (i32.sub (local.get $acc)
                  (i32.load8_u (local.get $pc))))
                (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                (br $next))
                ;; dbl
                (local.set $acc (i32.shl (local.get $acc) (i32.const 1)))
                (br $next))
              ;; halt (and any other opcode)
              (return (i32.add (i32.mul (local.get $acc) (i32.const 1000))
                               (local.get $steps)))))
          (i32.add (i32.mul (local.get $acc) (i32.const 1000)) (local.get $steps))))"#;
    // The model: (acc * 1000 + header executions), wrapping.
    let model = |code: &[u8]| -> i32 {
        let (mut pc, mut acc, mut steps) = (0usize, 0i32, 0i32);
        loop {
            steps += 1;
            if pc >= code.len() {
                break;
            }
            pc += 1;
            match code[pc - 1] {
                0 => {
                    acc = acc.wrapping_add(i32::from(code.get(pc).copied().unwrap_or(0)));
                    pc += 1;
                }
                1 => {
                    acc = acc.wrapping_sub(i32::from(code.get(pc).copied().unwrap_or(0)));
                    pc += 1;
                }
                2 => acc = acc.wrapping_shl(1),
                _ => break,
            }
        }
        acc.wrapping_mul(1000).wrapping_add(steps)
    };
    let programs: [&[u8]; 5] = [
        &[],
        &[0, 5, 2, 2, 1, 3],
        &[0, 7, 2, 3, 0, 9],
        &[2, 0, 200, 2, 2, 2, 1, 1, 0, 255, 0, 255],
        &[
            0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
            2, 2, 0, 3, 9,
        ],
    ];
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, wat);
        for code in programs {
            let mut store = Store::new(&engine, ());
            let inst = Instance::new(&mut store, &m, &[]).unwrap();
            let mem = inst.get_memory(&mut store, "mem").unwrap();
            mem.write(&mut store, 0, code).unwrap();
            let run = inst.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
            assert_eq!(
                run.call(&mut store, code.len() as i32).unwrap(),
                model(code),
                "{tier:?} {code:?}"
            );
        }
    }
}

/// `v128` values moved whole (one 16-byte copy or constant in the
/// interpreter) through every path that moves them: constants, locals,
/// block and `if` results and parameters, branches, multi-value returns,
/// calls and `select`, with a shuffle by a constant mask. Both halves must
/// arrive, on every tier.
#[test]
fn v128_moves_keep_both_halves() {
    let wat = r#"(module
        (func $pair (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
        (func (export "consts") (param i32) (result v128)
          (i32x4.add
            (v128.const i32x4 1 2 3 4)
            (i32x4.splat (local.get 0))))
        (func (export "locals") (param v128 v128) (result v128) (local v128 v128)
          (local.set 2 (local.get 0))
          (local.set 3 (local.get 2))
          (local.set 2 (local.get 1))
          (i64x2.sub (local.get 3) (local.get 2)))
        (func (export "blocks") (param v128 i32) (result v128)
          (block (result v128)
            (local.get 0)
            (br_if 0 (local.get 1))
            (drop)
            (v128.const i64x2 0x1111111122222222 0x3333333344444444)))
        (func (export "ifs") (param v128 i32) (result v128)
          (local.get 0)
          (if (param v128) (result v128) (local.get 1)
            (then (i8x16.add (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
            (else (v128.not))))
        (func (export "swap") (param v128 v128) (result v128)
          (call $pair (local.get 0) (local.get 1))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31))
        (func (export "choose") (param v128 v128 i32) (result v128)
          (select (local.get 0) (local.get 1) (local.get 2)))
        (func (export "loop") (param v128 i32) (result v128) (local v128)
          (local.set 2 (v128.const i32x4 7 7 7 7))
          (loop
            (local.set 2 (i32x4.add (local.get 2) (local.get 0)))
            (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
          (local.get 2)))"#;
    let lanes = |v: u128| -> [u32; 4] { std::array::from_fn(|i| (v >> (32 * i)) as u32) };
    let join = |l: [u32; 4]| -> u128 { l.iter().rev().fold(0, |v, &x| v << 32 | u128::from(x)) };
    let a: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
    let b: u128 = 0xdead_beef_0000_0001_8000_0000_ffff_fffe;
    let bytes_add1 = |v: u128| u128::from_le_bytes(v.to_le_bytes().map(|x| x.wrapping_add(1)));
    let i64_sub = |x: u128, y: u128| {
        let lo = (x as u64).wrapping_sub(y as u64);
        let hi = ((x >> 64) as u64).wrapping_sub((y >> 64) as u64);
        u128::from(lo) | u128::from(hi) << 64
    };
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        let consts = inst
            .get_typed_func::<u32, u128>(&mut store, "consts")
            .unwrap();
        for x in [0u32, 5, u32::MAX] {
            let want = join([1, 2, 3, 4].map(|l: u32| l.wrapping_add(x)));
            assert_eq!(
                consts.call(&mut store, x).unwrap(),
                want,
                "{tier:?} consts({x})"
            );
        }
        let locals = inst
            .get_typed_func::<(u128, u128), u128>(&mut store, "locals")
            .unwrap();
        assert_eq!(
            locals.call(&mut store, (a, b)).unwrap(),
            i64_sub(a, b),
            "{tier:?} locals"
        );
        let blocks = inst
            .get_typed_func::<(u128, u32), u128>(&mut store, "blocks")
            .unwrap();
        assert_eq!(
            blocks.call(&mut store, (a, 1)).unwrap(),
            a,
            "{tier:?} blocks taken"
        );
        assert_eq!(
            blocks.call(&mut store, (a, 0)).unwrap(),
            0x3333_3333_4444_4444_1111_1111_2222_2222,
            "{tier:?} blocks"
        );
        let ifs = inst
            .get_typed_func::<(u128, u32), u128>(&mut store, "ifs")
            .unwrap();
        assert_eq!(
            ifs.call(&mut store, (a, 1)).unwrap(),
            bytes_add1(a),
            "{tier:?} then"
        );
        assert_eq!(ifs.call(&mut store, (a, 0)).unwrap(), !a, "{tier:?} else");
        // `pair` swaps; the shuffle takes the low half of `b` and the high
        // half of `a`.
        let swap = inst
            .get_typed_func::<(u128, u128), u128>(&mut store, "swap")
            .unwrap();
        let want = (b & u128::from(u64::MAX)) | (a >> 64 << 64);
        assert_eq!(
            swap.call(&mut store, (a, b)).unwrap(),
            want,
            "{tier:?} swap"
        );
        let choose = inst
            .get_typed_func::<(u128, u128, u32), u128>(&mut store, "choose")
            .unwrap();
        assert_eq!(
            choose.call(&mut store, (a, b, 1)).unwrap(),
            a,
            "{tier:?} select a"
        );
        assert_eq!(
            choose.call(&mut store, (a, b, 0)).unwrap(),
            b,
            "{tier:?} select b"
        );
        let looping = inst
            .get_typed_func::<(u128, u32), u128>(&mut store, "loop")
            .unwrap();
        let want = join(lanes(a).map(|l| l.wrapping_mul(3).wrapping_add(7)));
        assert_eq!(
            looping.call(&mut store, (a, 3)).unwrap(),
            want,
            "{tier:?} loop"
        );
    }
}

/// The interpreter's code for `wat`, translated eagerly, for tests that
/// check what the translator made of it.
fn interp_translation(wat: &str) -> strata_interp::InterpModule {
    let wasm: std::sync::Arc<[u8]> = wat::parse_str(wat).unwrap().into();
    let mut compiler = strata_interp::InterpCompiler::new();
    let info = strata_environ::ModuleEnvironment::new(strata_environ::supported_features())
        .translate(&wasm, &mut compiler)
        .unwrap();
    compiler.finish(std::sync::Arc::new(info), wasm)
}

/// A branch on a bitwise `and` (`if (x & FLAG)`, `if (!(x & y))`) is one
/// bit-test instruction in the interpreter, in both senses, with an
/// immediate or a second operand, and reading the accumulator.
#[test]
fn bit_test_branches_follow_the_and() {
    let wat = r#"(module (memory (export "mem") 1)
      (func (export "flags") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $x i32)
        (loop $l
          (local.set $x (i32.load8_u (local.get $i)))
          (if (i32.and (local.get $x) (i32.const 4))
            (then (local.set $s (i32.add (local.get $s) (i32.const 3)))))
          (if (i32.eqz (i32.and (local.get $x) (i32.const 2)))
            (then (local.set $s (i32.xor (local.get $s) (i32.const 5)))))
          (block $b (br_if $b (i32.and (local.get $x) (local.get $i)))
            (local.set $s (i32.add (local.get $s) (i32.const 7))))
          (block $b (br_if $b (i32.eqz (i32.and (local.get $x) (local.get $n))))
            (local.set $s (i32.mul (local.get $s) (i32.const 3))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (local.get $n))))
        (local.get $s)))"#;
    let interp = interp_translation(wat);
    // (The accumulator reads as its slot number, `op::ACC`.)
    let code = format!("{:?}", interp.func(0).unwrap().code)
        .replace(&format!(": {}", strata_interp::op::ACC), ": acc");
    for test in [
        "BrI32AndEqzImm { a: acc",
        "BrI32AndNezImm",
        "BrI32AndNez {",
        "BrI32AndEqz {",
    ] {
        assert!(code.contains(test), "no {test} in {code}");
    }
    assert!(
        !code.contains("I32And {") && !code.contains("I32AndImm"),
        "{code}"
    );
    let bytes: Vec<u8> = (0..300u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let model = |n: u32| -> i32 {
        let (mut i, mut s) = (0u32, 0i32);
        loop {
            let x = u32::from(bytes[i as usize]);
            if x & 4 != 0 {
                s = s.wrapping_add(3);
            }
            if x & 2 == 0 {
                s ^= 5;
            }
            if x & i == 0 {
                s = s.wrapping_add(7);
            }
            if x & n != 0 {
                s = s.wrapping_mul(3);
            }
            i += 1;
            if i >= n {
                return s;
            }
        }
    };
    for tier in strata::Tier::ALL {
        let mut config = strata::Config::new();
        config.tier(tier);
        let engine = Engine::new(&config).unwrap();
        let m = module(&engine, wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        let mem = inst.get_memory(&mut store, "mem").unwrap();
        mem.write(&mut store, 0, &bytes).unwrap();
        let flags = inst
            .get_typed_func::<i32, i32>(&mut store, "flags")
            .unwrap();
        for n in [1u32, 2, 3, 16, 255, 300] {
            assert_eq!(
                flags.call(&mut store, n as i32).unwrap(),
                model(n),
                "{tier:?} flags({n})"
            );
        }
    }
}

/// The interpreter fuses an integer multiply feeding an add into one
/// instruction (`I32AddMul`, `I64AddMul`); it must wrap as the two
/// operators do, in either operand order, and leave its result for the
/// instruction after it (the accumulator) and in a local.
#[test]
fn integer_multiply_adds_wrap_as_the_separate_operators() {
    let wat = r#"(module
      (func (export "add_mul32") (param i32 i32 i32) (result i32)
        (i32.add (local.get 2) (i32.mul (local.get 0) (local.get 1))))
      (func (export "mul_add32") (param i32 i32 i32) (result i32)
        (i32.add (i32.mul (local.get 0) (local.get 1)) (local.get 2)))
      (func (export "add_mul64") (param i64 i64 i64) (result i64)
        (i64.add (local.get 2) (i64.mul (local.get 0) (local.get 1))))
      (func (export "mul_add64") (param i64 i64 i64) (result i64)
        (i64.add (i64.mul (local.get 0) (local.get 1)) (local.get 2)))
      (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s)
            (i32.mul (local.get $i) (i32.add (local.get $i) (i32.const -7)))))
          (local.set $s (i32.xor (local.get $s) (i32.const 0x5a5a)))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (local.get $n))))
        (local.get $s)))"#;
    // The fusion happens (so that this test checks it).
    let interp = interp_translation(wat);
    for (f, fused) in [
        (0, "I32AddMul"),
        (1, "I32AddMul"),
        (2, "I64AddMul"),
        (3, "I64AddMul"),
        (4, "I32AddMul"),
    ] {
        let code = format!("{:?}", interp.func(f).unwrap().code);
        assert!(code.contains(fused), "function {f}: {code}");
    }
    let i32s = [
        0,
        1,
        -1,
        7,
        -7,
        46341,
        65536,
        i32::MAX,
        i32::MIN,
        0x1234_5678,
    ];
    let i64s = [
        0,
        1,
        -1,
        3,
        1 << 32,
        i64::MAX,
        i64::MIN,
        0x1234_5678_9abc_def0,
        -(1 << 40),
    ];
    for tier in strata::Tier::ALL {
        let mut config = strata::Config::new();
        config.tier(tier);
        let engine = Engine::new(&config).unwrap();
        let m = module(&engine, wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        // Both widths, both operand orders, against Rust's wrapping ops.
        macro_rules! check {
            ($t:ty, $values:expr, [$($name:literal),*]) => {$(
                let f = inst
                    .get_typed_func::<($t, $t, $t), $t>(&mut store, $name)
                    .unwrap();
                for a in $values {
                    for b in $values {
                        for c in [0, -3, <$t>::MIN, <$t>::MAX] {
                            let want = c.wrapping_add(a.wrapping_mul(b));
                            assert_eq!(
                                f.call(&mut store, (a, b, c)).unwrap(),
                                want,
                                "{tier:?} {}({a}, {b}, {c})",
                                $name
                            );
                        }
                    }
                }
            )*};
        }
        check!(i32, i32s, ["add_mul32", "mul_add32"]);
        check!(i64, i64s, ["add_mul64", "mul_add64"]);
        let sum = inst.get_typed_func::<i32, i32>(&mut store, "sum").unwrap();
        for n in [0, 1, 2, 10, 1000] {
            let mut s = 0i32;
            let mut i = 0i32;
            loop {
                s = s.wrapping_add(i.wrapping_mul(i.wrapping_add(-7))) ^ 0x5a5a;
                i += 1;
                if i as u32 >= n as u32 {
                    break;
                }
            }
            assert_eq!(sum.call(&mut store, n).unwrap(), s, "{tier:?} sum({n})");
        }
    }
}

/// The interpreter fuses a float multiply feeding an add into one
/// instruction (`c + a * b` and `a * b + c`). It must round twice, as the
/// two operators do: the inputs include products whose exact value a fused
/// multiply-add would keep (the result would not be 0), NaNs, infinities
/// and signed zeros; the shapes include a constant addend, an addend that
/// is the local the result goes to, two products added, and the same in
/// `f32x4` and `f64x2` lanes.
#[test]
fn fused_multiply_add_rounds_as_the_separate_operators() {
    let mut funcs = String::new();
    for t in ["f32", "f64"] {
        funcs.push_str(&format!(
            r#"(func (export "{t}_add_mul") (param {t} {t} {t}) (result {t})
                 ({t}.add (local.get 2) ({t}.mul (local.get 0) (local.get 1))))
               (func (export "{t}_mul_add") (param {t} {t} {t}) (result {t})
                 ({t}.add ({t}.mul (local.get 0) (local.get 1)) (local.get 2)))
               (func (export "{t}_const") (param {t} {t} {t}) (result {t})
                 ({t}.add ({t}.const 1.5) ({t}.mul (local.get 0) (local.get 1))))
               (func (export "{t}_into_addend") (param {t} {t} {t}) (result {t})
                 (local.set 2 ({t}.add (local.get 2) ({t}.mul (local.get 0) (local.get 1))))
                 (local.get 2))
               (func (export "{t}_two_products") (param {t} {t} {t}) (result {t})
                 ({t}.add ({t}.mul (local.get 0) (local.get 1)) ({t}.mul (local.get 2) (local.get 0))))
               (func (export "{t}_temps_const_last") (param {t} {t} {t}) (result {t})
                 ({t}.add ({t}.mul ({t}.add (local.get 0) ({t}.const 0)) ({t}.sub (local.get 1) ({t}.const 0)))
                          ({t}.const 1.5)))
               (func (export "{t}_temps_const_first") (param {t} {t} {t}) (result {t})
                 ({t}.add ({t}.const 1.5)
                          ({t}.mul ({t}.add (local.get 0) ({t}.const 0)) ({t}.sub (local.get 1) ({t}.const 0)))))
            "#
        ));
    }
    for (t, v) in [("f32", "f32x4"), ("f64", "f64x2")] {
        let product = format!("({v}.mul ({v}.splat (local.get 0)) ({v}.splat (local.get 1)))");
        let cst = format!(
            "(v128.const {v} {})",
            vec!["1.5"; if t == "f32" { 4 } else { 2 }].join(" ")
        );
        funcs.push_str(&format!(
            r#"(func (export "{t}_lanes_add_mul") (param {t} {t} {t}) (result {t})
                 ({v}.extract_lane 1 ({v}.add ({v}.splat (local.get 2)) {product})))
               (func (export "{t}_lanes_mul_add") (param {t} {t} {t}) (result {t}) (local v128)
                 (local.set 3 ({v}.splat (local.get 2)))
                 ({v}.extract_lane 1 ({v}.add {product} (local.get 3))))
               (func (export "{t}_lanes_into_addend") (param {t} {t} {t}) (result {t}) (local v128)
                 (local.set 3 ({v}.splat (local.get 2)))
                 (local.set 3 ({v}.add (local.get 3) {product}))
                 ({v}.extract_lane 1 (local.get 3)))
               (func (export "{t}_lanes_const_first") (param {t} {t} {t}) (result {t})
                 ({v}.extract_lane 1 ({v}.add {cst} {product})))
               (func (export "{t}_lanes_const_last") (param {t} {t} {t}) (result {t})
                 ({v}.extract_lane 1 ({v}.add {product} {cst})))
            "#
        ));
    }
    let wat = format!("(module {funcs})");
    let e32 = 1.0 + f32::EPSILON * 2048.0; // 1 + 2^-12
    let e64 = 1.0 + f64::EPSILON * 33_554_432.0; // 1 + 2^-27
    let f32_cases: [(f32, f32, f32); 7] = [
        (e32, e32, -(e32 * e32)),
        (3.0, -0.5, 0.25),
        (-0.0, 5.0, 0.0),
        (f32::INFINITY, 0.0, 1.0),
        (f32::NAN, 1.0, 2.0),
        (1e30, 1e30, -f32::INFINITY),
        (f32::MIN_POSITIVE, 0.5, -0.0),
    ];
    let f64_cases: [(f64, f64, f64); 7] = [
        (e64, e64, -(e64 * e64)),
        (3.0, -0.5, 0.25),
        (-0.0, 5.0, 0.0),
        (f64::INFINITY, 0.0, 1.0),
        (f64::NAN, 1.0, 2.0),
        (1e300, 1e300, -f64::INFINITY),
        (f64::MIN_POSITIVE, 0.5, -0.0),
    ];
    // NaN payloads are not specified; anything else must match bit for bit.
    fn same32(got: f32, want: f32) -> bool {
        (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits()
    }
    fn same64(got: f64, want: f64) -> bool {
        (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits()
    }
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, &wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        for (a, b, c) in f32_cases {
            let p = a * b;
            let wants = [
                ("f32_add_mul", c + p),
                ("f32_mul_add", p + c),
                ("f32_const", 1.5 + p),
                ("f32_into_addend", c + p),
                ("f32_two_products", p + c * a),
                ("f32_temps_const_last", (a + 0.0) * (b - 0.0) + 1.5),
                ("f32_temps_const_first", 1.5 + (a + 0.0) * (b - 0.0)),
                ("f32_lanes_add_mul", c + p),
                ("f32_lanes_mul_add", p + c),
                ("f32_lanes_into_addend", c + p),
                ("f32_lanes_const_first", 1.5 + p),
                ("f32_lanes_const_last", p + 1.5),
            ];
            for (name, want) in wants {
                let f = inst
                    .get_typed_func::<(f32, f32, f32), f32>(&mut store, name)
                    .unwrap();
                let got = f.call(&mut store, (a, b, c)).unwrap();
                assert!(
                    same32(got, want),
                    "{tier:?} {name}({a:e}, {b:e}, {c:e}) = {got:e}, want {want:e}"
                );
            }
        }
        for (a, b, c) in f64_cases {
            let p = a * b;
            let wants = [
                ("f64_add_mul", c + p),
                ("f64_mul_add", p + c),
                ("f64_const", 1.5 + p),
                ("f64_into_addend", c + p),
                ("f64_two_products", p + c * a),
                ("f64_temps_const_last", (a + 0.0) * (b - 0.0) + 1.5),
                ("f64_temps_const_first", 1.5 + (a + 0.0) * (b - 0.0)),
                ("f64_lanes_add_mul", c + p),
                ("f64_lanes_mul_add", p + c),
                ("f64_lanes_into_addend", c + p),
                ("f64_lanes_const_first", 1.5 + p),
                ("f64_lanes_const_last", p + 1.5),
            ];
            for (name, want) in wants {
                let f = inst
                    .get_typed_func::<(f64, f64, f64), f64>(&mut store, name)
                    .unwrap();
                let got = f.call(&mut store, (a, b, c)).unwrap();
                assert!(
                    same64(got, want),
                    "{tier:?} {name}({a:e}, {b:e}, {c:e}) = {got:e}, want {want:e}"
                );
            }
        }
        // Two roundings: a fused multiply-add would give 2^-24 and 2^-54.
        assert_eq!((e32 * e32 - e32 * e32).to_bits(), 0);
        assert_ne!(e32.mul_add(e32, -(e32 * e32)), 0.0);
        assert_ne!(e64.mul_add(e64, -(e64 * e64)), 0.0);
    }
}

/// The interpreter folds `index - k` into its `br_table` (as a `switch`
/// whose first case is `k` compiles); the subtraction still wraps, so an
/// index below `k` takes the default, in every tier.
#[test]
fn br_table_on_a_biased_index_wraps_to_the_default() {
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(
            &engine,
            r#"(module
                 (func (export "sw") (param i32) (result i32)
                   (block (block (block
                     (br_table 0 1 2 (i32.sub (local.get 0) (i32.const 5))))
                     (return (i32.const 10)))
                     (return (i32.const 11)))
                   (i32.const 12))
                 (func (export "sw_up") (param i32) (result i32)
                   (block (block
                     (br_table 0 1 (i32.add (local.get 0) (i32.const 3))))
                     (return (i32.const 20)))
                   (i32.const 21)))"#,
        );
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        let sw = inst.get_typed_func::<i32, i32>(&mut store, "sw").unwrap();
        for (arg, want) in [
            (5, 10),
            (6, 11),
            (7, 12),
            (8, 12),
            (4, 12),
            (0, 12),
            (i32::MIN, 12),
        ] {
            assert_eq!(
                sw.call(&mut store, arg).unwrap(),
                want,
                "{tier:?}: sw({arg})"
            );
        }
        let up = inst
            .get_typed_func::<i32, i32>(&mut store, "sw_up")
            .unwrap();
        for (arg, want) in [(-3, 20), (-2, 21), (0, 21), (-4, 21), (i32::MAX, 21)] {
            assert_eq!(
                up.call(&mut store, arg).unwrap(),
                want,
                "{tier:?}: sw_up({arg})"
            );
        }
    }
}

#[test]
fn a_panicking_host_function_is_an_error_not_an_abort() {
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(
            &engine,
            r#"(module (import "env" "boom" (func $f (param i32)))
                 (func (export "go") (param i32) (call $f (local.get 0)))
                 (func (export "ok") (result i32) i32.const 7))"#,
        );
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("env", "boom", |n: i32| {
                if n > 0 {
                    panic!("host says no to {n}");
                }
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &m).unwrap();
        let go = inst.get_typed_func::<i32, ()>(&mut store, "go").unwrap();
        let err = go.call(&mut store, 3).unwrap_err();
        assert!(
            err.to_string()
                .contains("host function panicked: host says no to 3"),
            "{tier:?}: {err}"
        );
        // The store is still usable.
        go.call(&mut store, 0).unwrap();
        let ok = inst.get_typed_func::<(), i32>(&mut store, "ok").unwrap();
        assert_eq!(ok.call(&mut store, ()).unwrap(), 7, "{tier:?}");
    }
}

#[test]
fn a_resource_limiter_refuses_grows_and_the_store_goes_on() {
    struct Budget {
        bytes_left: usize,
        refused: std::sync::Arc<std::sync::atomic::AtomicU32>,
    }
    impl strata::ResourceLimiter for Budget {
        fn memory_growing(&mut self, current: usize, desired: usize, _: Option<usize>) -> bool {
            let more = desired - current;
            if more <= self.bytes_left {
                self.bytes_left -= more;
                true
            } else {
                self.refused
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                false
            }
        }
        fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> bool {
            desired <= 10
        }
    }
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(
            &engine,
            r#"(module (memory 1) (table 1 funcref)
                 (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
                 (func (export "tgrow") (param i32) (result i32)
                   (table.grow (ref.null func) (local.get 0)))
                 (func (export "size") (result i32) memory.size))"#,
        );
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut store = Store::new(&engine, ());
        store.resource_limiter(Budget {
            bytes_left: 3 * 65536,
            refused: refused.clone(),
        });
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
        let tgrow = inst
            .get_typed_func::<i32, i32>(&mut store, "tgrow")
            .unwrap();
        let size = inst.get_typed_func::<(), i32>(&mut store, "size").unwrap();
        // The first page came out of the budget at instantiation.
        assert_eq!(grow.call(&mut store, 2).unwrap(), 1, "{tier:?}");
        assert_eq!(
            grow.call(&mut store, 1).unwrap(),
            -1,
            "{tier:?}: over budget"
        );
        assert_eq!(refused.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(size.call(&mut store, ()).unwrap(), 3, "{tier:?}");
        assert_eq!(tgrow.call(&mut store, 9).unwrap(), 1, "{tier:?}");
        assert_eq!(tgrow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(
            grow.call(&mut store, 0).unwrap(),
            3,
            "{tier:?}: still usable"
        );
    }
}

#[test]
fn many_results_cross_every_kind_of_call() {
    // More results of one kind than fit in registers (the JIT returns the
    // rest through a return area), through direct, indirect and host calls.
    let wat = r#"(module
      (type $t (func (result i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 f64 f64 f64 f64 f64 f64 f64 f64 f64)))
      (import "host" "many" (func $h (type $t)))
      (table 1 funcref) (elem (i32.const 0) $g)
      (func $g (type $t)
        i32.const 1 i32.const 2 i32.const 3 i32.const 4 i32.const 5
        i32.const 6 i32.const 7 i32.const 8 i32.const 9 i32.const 10
        f64.const 1 f64.const 2 f64.const 3 f64.const 4 f64.const 5
        f64.const 6 f64.const 7 f64.const 8 f64.const 9)
      (func $sum (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 f64 f64 f64 f64 f64 f64 f64 f64 f64) (result i32)
        (local $i i32) (local $acc i32)
        (i32.add (local.get 0) (local.get 9))
        (i32.trunc_f64_s (f64.add (local.get 10) (local.get 18)))
        i32.add)
      (func (export "direct") (result i32) (call $sum (call $g)))
      (func (export "indirect") (result i32) (call $sum (call_indirect (type $t) (i32.const 0))))
      (func (export "host") (result i32) (call $sum (call $h))))"#;
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, wat);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let ty = FuncType::new(
            [],
            std::iter::repeat_n(ValType::I32, 10).chain(std::iter::repeat_n(ValType::F64, 9)),
        );
        linker
            .func_new("host", "many", ty, |_, _, results| {
                for (i, r) in results.iter_mut().enumerate() {
                    *r = if i < 10 {
                        Val::I32(i as i32 + 1)
                    } else {
                        Val::F64((i as f64 - 9.0).to_bits())
                    };
                }
                Ok(())
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &m).unwrap();
        for name in ["direct", "indirect", "host"] {
            let f = inst.get_typed_func::<(), i32>(&mut store, name).unwrap();
            // 1 + 10 + (1.0 + 9.0)
            assert_eq!(f.call(&mut store, ()).unwrap(), 21, "{tier:?} {name}");
        }
    }
}

#[test]
fn a_refused_grow_can_stop_the_guest_instead_of_answering_minus_one() {
    let wat = r#"(module (memory 1 2) (table 1 3 funcref)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;
    for tier in strata::Tier::ALL {
        for trap in [false, true] {
            let engine =
                Engine::new(strata::Config::new().tier(tier).trap_on_grow_failure(trap)).unwrap();
            let m = module(&engine, wat);
            let mut store = Store::new(&engine, ());
            let inst = Instance::new(&mut store, &m, &[]).unwrap();
            let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
            let tgrow = inst
                .get_typed_func::<i32, i32>(&mut store, "tgrow")
                .unwrap();
            assert_eq!(grow.call(&mut store, 1).unwrap(), 1, "{tier:?}");
            assert_eq!(tgrow.call(&mut store, 2).unwrap(), 1, "{tier:?}");
            let (g, t) = (grow.call(&mut store, 1), tgrow.call(&mut store, 1));
            if trap {
                let e = g.unwrap_err();
                assert!(
                    e.to_string().contains("memory.grow by 1 refused"),
                    "{tier:?}: {e}"
                );
                let e = t.unwrap_err();
                assert!(
                    e.to_string().contains("table.grow by 1 refused"),
                    "{tier:?}: {e}"
                );
            } else {
                assert_eq!(g.unwrap(), -1, "{tier:?}");
                assert_eq!(t.unwrap(), -1, "{tier:?}");
            }
            // Either way the store goes on.
            assert_eq!(grow.call(&mut store, 0).unwrap(), 2, "{tier:?}");
        }
    }
}

/// The JIT turns `i32.eqz` of a float comparison into the complemented
/// comparison (`!(x < y)` is "unordered or x >= y"): a NaN operand makes
/// every ordered comparison false, so its negation true, as a value and as
/// a branch condition, in every tier.
#[test]
fn negated_float_comparisons_hold_for_nan() {
    type Holds = fn(f64, f64) -> bool;
    let ops: [(&str, Holds); 6] = [
        ("eq", |a, b| a == b),
        ("ne", |a, b| a != b),
        ("lt", |a, b| a < b),
        ("gt", |a, b| a > b),
        ("le", |a, b| a <= b),
        ("ge", |a, b| a >= b),
    ];
    let mut wat = String::from("(module\n");
    for ty in ["f32", "f64"] {
        for (op, _) in &ops {
            wat.push_str(&format!(
                "(func (export \"{ty}.{op}\") (param {ty} {ty}) (result i32)
                   (i32.eqz ({ty}.{op} (local.get 0) (local.get 1))))
                 (func (export \"{ty}.{op}.br\") (param {ty} {ty}) (result i32)
                   (block (br_if 0 (i32.eqz ({ty}.{op} (local.get 0) (local.get 1))))
                     (return (i32.const 7)))
                   (i32.const 9))\n"
            ));
        }
    }
    wat.push(')');
    let values = [
        f64::NAN,
        -f64::NAN,
        0.0,
        -0.0,
        1.5,
        -2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for tier in strata::Tier::ALL {
        let engine = Engine::new(strata::Config::new().tier(tier)).unwrap();
        let m = module(&engine, &wat);
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        for (op, holds) in &ops {
            let f32v = inst
                .get_typed_func::<(f32, f32), i32>(&mut store, &format!("f32.{op}"))
                .unwrap();
            let f32b = inst
                .get_typed_func::<(f32, f32), i32>(&mut store, &format!("f32.{op}.br"))
                .unwrap();
            let f64v = inst
                .get_typed_func::<(f64, f64), i32>(&mut store, &format!("f64.{op}"))
                .unwrap();
            let f64b = inst
                .get_typed_func::<(f64, f64), i32>(&mut store, &format!("f64.{op}.br"))
                .unwrap();
            for a in values {
                for b in values {
                    let negated = !holds(a, b);
                    let want_v = i32::from(negated);
                    let want_b = if negated { 9 } else { 7 };
                    let (x, y) = (a as f32, b as f32);
                    let ctx = format!("{tier:?}: {op}({a}, {b})");
                    assert_eq!(f32v.call(&mut store, (x, y)).unwrap(), want_v, "f32 {ctx}");
                    assert_eq!(
                        f32b.call(&mut store, (x, y)).unwrap(),
                        want_b,
                        "f32 br {ctx}"
                    );
                    assert_eq!(f64v.call(&mut store, (a, b)).unwrap(), want_v, "f64 {ctx}");
                    assert_eq!(
                        f64b.call(&mut store, (a, b)).unwrap(),
                        want_b,
                        "f64 br {ctx}"
                    );
                }
            }
        }
    }
}

#[test]
fn modules_load_from_binary_and_text_files() {
    let dir = std::env::temp_dir().join(format!("strata-from-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text =
        r#"(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 3 i32.mul))"#;
    let binary = dir.join("m.wasm");
    let source = dir.join("m.wat");
    std::fs::write(&binary, wat::parse_str(text).unwrap()).unwrap();
    std::fs::write(&source, text).unwrap();
    for tier in strata::Tier::ALL {
        let mut config = strata::Config::new();
        config.tier(tier);
        let engine = Engine::new(&config).unwrap();
        for path in [&binary, &source] {
            let m = Module::from_file(&engine, path).unwrap();
            let mut store = Store::new(&engine, ());
            let inst = Instance::new(&mut store, &m, &[]).unwrap();
            let f = inst.get_typed_func::<i32, i32>(&mut store, "f").unwrap();
            assert_eq!(f.call(&mut store, 14).unwrap(), 42, "{tier:?} {path:?}");
        }
        let missing = dir.join("missing.wasm");
        match Module::from_file(&engine, &missing) {
            Err(Error::Usage(m)) => assert!(m.contains("failed to read"), "{m}"),
            other => panic!("a missing file loaded: {other:?}"),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
