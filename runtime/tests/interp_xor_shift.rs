//! An `i32.xor` with a shift by a constant as one operand (`x ^ (y << k)`,
//! `x ^ (y >> k)`: the steps of xorshift generators and of many hashes)
//! is one interpreter instruction, `I32XorShl` or `I32XorShrU`
//! (`strata_interp`'s `translator/numeric.rs`). These tests check that the
//! translator forms it with the shift on either side and reads the
//! accumulator for either operand or both, and that every tier computes
//! what the two operators do.

mod interp_common;

use interp_common::{instantiate, interp_translation};
use strata::{Store, Tier};
use strata_interp::op::{ACC, Op};

const PROGRAM: &str = r#"
(module
  ;; A xorshift step: the second and third read their input, the first's
  ;; result, twice from the accumulator.
  (func (export "xorshift") (param $x i32) (result i32)
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
    (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
    (local.get $x))
  ;; The shift on the left; the other operand a local.
  (func (export "left") (param $x i32) (param $y i32) (result i32)
    (i32.xor (i32.shr_u (local.get $x) (i32.const 7)) (local.get $y)))
  ;; The other operand computed just before the shift: read from the
  ;; accumulator as the first operand.
  (func (export "first") (param $x i32) (param $y i32) (result i32)
    (i32.xor (i32.add (local.get $x) (i32.const 1)) (i32.shl (local.get $y) (i32.const 2))))
  ;; The shifted value computed just before the shift: read from the
  ;; accumulator as the second operand.
  (func (export "second") (param $x i32) (param $y i32) (result i32)
    (i32.xor (local.get $y) (i32.shr_u (i32.add (local.get $x) (i32.const 1)) (i32.const 31))))
  ;; Shift counts the fused form does not take (wasm uses them modulo 32)
  ;; and the edges it does.
  (func (export "edges") (param $x i32) (param $y i32) (result i32)
    (i32.add
      (i32.add
        (i32.xor (local.get $y) (i32.shl (local.get $x) (i32.const 35)))
        (i32.xor (local.get $y) (i32.shr_u (local.get $x) (i32.const -1))))
      (i32.add
        (i32.xor (local.get $y) (i32.shl (local.get $x) (i32.const 0)))
        (i32.xor (local.get $y) (i32.shr_u (local.get $x) (i32.const 31))))))
  ;; A signed shift is not fused.
  (func (export "signed") (param $x i32) (param $y i32) (result i32)
    (i32.xor (local.get $y) (i32.shr_s (local.get $x) (i32.const 3)))))
"#;

fn xorshift_model(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

fn edges_model(x: u32, y: u32) -> u32 {
    (y ^ (x << 3))
        .wrapping_add(y ^ (x >> 31))
        .wrapping_add(y ^ x)
        .wrapping_add(y ^ (x >> 31))
}

#[test]
fn the_translator_fuses_xor_with_a_constant_shift() {
    let module = interp_translation(PROGRAM);
    let ops = |f: usize| -> Vec<Op> {
        let code = &module.func(f).unwrap().code;
        code.iter().map(|i| *i.op()).collect()
    };
    let has = |f: usize, pred: &dyn Fn(&Op) -> bool| ops(f).iter().any(pred);
    let none = |f: usize, pred: &dyn Fn(&Op) -> bool| !ops(f).iter().any(pred);
    let shifts = |op: &Op| {
        matches!(
            op,
            Op::I32ShlImm { .. } | Op::I32ShrUImm { .. } | Op::I32Xor { .. }
        )
    };

    // xorshift: three fused steps, no separate shift or xor left; the
    // first reads its parameter from its slot, the other two read the
    // step before from the accumulator, twice.
    let xs = ops(0);
    assert!(xs.iter().all(|op| !shifts(op)), "{xs:?}");
    assert!(
        matches!(xs[0], Op::I32XorShl { shift: 13, a, b, .. } if a == b && a != ACC),
        "{xs:?}"
    );
    assert!(
        matches!(
            xs[1],
            Op::I32XorShrU {
                shift: 17,
                a: ACC,
                b: ACC,
                ..
            }
        ),
        "{xs:?}"
    );
    assert!(
        matches!(
            xs[2],
            Op::I32XorShl {
                shift: 5,
                a: ACC,
                b: ACC,
                ..
            }
        ),
        "{xs:?}"
    );
    // The shift on the left.
    assert!(has(1, &|op| matches!(op, Op::I32XorShrU { shift: 7, .. })));
    assert!(none(1, &shifts));
    // The other operand from the accumulator.
    assert!(has(2, &|op| matches!(
        op,
        Op::I32XorShl { shift: 2, a: ACC, b, .. } if *b != ACC
    )));
    // The shifted value from the accumulator.
    assert!(has(3, &|op| matches!(
        op,
        Op::I32XorShrU { shift: 31, a, b: ACC, .. } if *a != ACC
    )));
    // Counts outside 0..32 keep the two instructions; 0 and 31 fuse.
    assert!(has(4, &|op| matches!(op, Op::I32ShlImm { imm: 35, .. })));
    assert!(has(4, &|op| matches!(op, Op::I32ShrUImm { imm: -1, .. })));
    assert!(has(4, &|op| matches!(op, Op::I32XorShl { shift: 0, .. })));
    assert!(has(4, &|op| matches!(op, Op::I32XorShrU { shift: 31, .. })));
    // A signed shift stays a shift.
    assert!(has(5, &|op| matches!(op, Op::I32ShrSImm { .. })));
    assert!(none(5, &|op| matches!(
        op,
        Op::I32XorShl { .. } | Op::I32XorShrU { .. }
    )));
}

#[test]
fn fused_xor_shifts_compute_what_the_two_operators_do_on_every_tier() {
    let values = [
        0u32,
        1,
        2,
        0x8000_0000,
        0xffff_ffff,
        0x1234_5678,
        0x9e37_79b9,
        0x7fff_ffff,
        41,
    ];
    for tier in Tier::ALL {
        let (mut store, instance) = instantiate(tier, PROGRAM);
        let unary = instance
            .get_typed_func::<i32, i32>(&mut store, "xorshift")
            .unwrap();
        let binary = |name: &str, store: &mut Store<()>| {
            instance
                .get_typed_func::<(i32, i32), i32>(store, name)
                .unwrap()
        };
        let left = binary("left", &mut store);
        let first = binary("first", &mut store);
        let second = binary("second", &mut store);
        let edges = binary("edges", &mut store);
        let signed = binary("signed", &mut store);
        for &x in &values {
            // A chain of steps, as a generator runs.
            let mut s = x;
            for _ in 0..4 {
                let got = unary.call(&mut store, s as i32).unwrap() as u32;
                assert_eq!(got, xorshift_model(s), "{tier:?} xorshift({s:#x})");
                s = got;
            }
            for &y in &values {
                let call = |f: &strata::TypedFunc<(i32, i32), i32>, store: &mut Store<()>| {
                    f.call(store, (x as i32, y as i32)).unwrap() as u32
                };
                let case = format!("{tier:?} ({x:#x}, {y:#x})");
                assert_eq!(call(&left, &mut store), (x >> 7) ^ y, "left {case}");
                assert_eq!(
                    call(&first, &mut store),
                    x.wrapping_add(1) ^ (y << 2),
                    "first {case}"
                );
                assert_eq!(
                    call(&second, &mut store),
                    y ^ (x.wrapping_add(1) >> 31),
                    "second {case}"
                );
                assert_eq!(call(&edges, &mut store), edges_model(x, y), "edges {case}");
                assert_eq!(
                    call(&signed, &mut store),
                    y ^ ((x as i32) >> 3) as u32,
                    "signed {case}"
                );
            }
        }
    }
}
