//! Pairs of moves and `+ constant`s that the interpreter executes in one
//! dispatch (`strata_interp`'s `translator/pairs.rs`) compute what the two
//! instructions do, on every tier: the second's result stays in the
//! accumulator for the instruction after the pair, a second that reads the
//! first's result gets it, a loop header after a constant begins its own
//! pair, and the data a `v128` constant keeps in the instruction after it
//! is never paired away.

mod interp_common;

use interp_common::{instantiate, interp_translation};
use strata::Tier;
use strata_interp::op::Op;

const PROGRAM: &str = r#"
(module (memory (export "mem") 1)
  (func (export "pairs") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $p i32) (local $s i32) (local $i i32)
    (local.set $p (i32.const 64))
    (loop $l
      ;; Copy, Copy
      (local.set $a (local.get $i))
      (local.set $b (local.get $s))
      (local.set $s (i32.xor (local.get $s) (local.get $a)))
      ;; Copy, Const
      (local.set $c (local.get $b))
      (local.set $d (i32.const 7))
      (local.set $s (i32.xor (local.get $s) (local.get $c)))
      ;; Copy, + constant; the store after it reads the accumulator
      (local.set $a (local.get $c))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (i32.store (local.get $p) (i32.add (local.get $a) (local.get $d)))
      ;; Const, Copy
      (local.set $d (i32.const -3))
      (local.set $c (local.get $a))
      (local.set $s (i32.xor (local.get $s) (i32.add (local.get $c) (local.get $d))))
      ;; Const, Const
      (local.set $a (i32.const 11))
      (local.set $b (i32.const 13))
      (local.set $s (i32.xor (local.get $s) (local.get $b)))
      ;; Const, + constant
      (local.set $c (i32.const 5))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $s (i32.xor (local.get $s) (local.get $a)))
      ;; + constant, Copy
      (local.set $b (i32.add (local.get $b) (i32.const 2)))
      (local.set $d (local.get $c))
      (local.set $s (i32.xor (local.get $s) (local.get $d)))
      ;; + constant, Const
      (local.set $b (i32.add (local.get $b) (i32.const 3)))
      (local.set $a (i32.const 17))
      (local.set $s (i32.xor (local.get $s) (local.get $a)))
      ;; + constant, + constant (a loop's two induction variables)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $c (i32.add (local.get $c) (i32.const -9)))
      (local.set $s (i32.add (local.get $s) (i32.mul (local.get $a) (i32.add (local.get $b) (local.get $c)))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (local.get $p))))
  (func (export "target") (param $n i32) (result i32) (local $a i32) (local $i i32)
    (local.set $a (i32.const 100))
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (local.get $i)))
  (func (export "chained") (param $x i32) (result i32) (local $a i32) (local $b i32) (local $c i32)
    ;; The second reads the first's result (from the accumulator, before
    ;; pairing).
    (local.set $a (i32.add (local.get $x) (i32.const 5)))
    (local.set $b (local.get $a))
    (local.set $c (i32.mul (local.get $b) (local.get $x)))
    (local.set $a (local.get $x))
    (local.set $a (i32.add (local.get $a) (i32.const 9)))
    (local.set $c (i32.xor (local.get $c) (local.get $a)))
    (i32.add (local.get $c) (local.get $b)))
  (func (export "vector") (param $x i32) (result i64) (local $y i32) (local $z i32) (local $v v128)
    (local.set $v (v128.const i64x2 0x1111 0x2222))
    (local.set $y (local.get $x))
    (local.set $z (i32.const 5))
    (i64.add (i64x2.extract_lane 1 (local.get $v))
      (i64.extend_i32_u (i32.add (local.get $y) (local.get $z))))))

"#;

/// What `pairs` computes, step by step as the module does (its loop runs
/// at least once).
fn pairs_model(n: u32) -> u32 {
    let (mut s, mut i) = (0u32, 0u32);
    loop {
        let a = i;
        let b = s;
        s ^= a;
        let c = b;
        let d = 7u32;
        s ^= c;
        let a = c;
        // What the loop stores last is what the function loads at the end.
        let stored = a.wrapping_add(d);
        let d = -3i32 as u32;
        let c = a;
        s ^= c.wrapping_add(d);
        let a = 11u32;
        let b = 13u32;
        s ^= b;
        let c = 5u32;
        s = s.wrapping_add(1);
        s ^= a;
        let b = b.wrapping_add(2);
        let d = c;
        s ^= d;
        let b = b.wrapping_add(3);
        let a = 17u32;
        s ^= a;
        i = i.wrapping_add(1);
        let c = c.wrapping_sub(9);
        s = s.wrapping_add(a.wrapping_mul(b.wrapping_add(c)));
        if i >= n {
            return s.wrapping_add(stored);
        }
    }
}

#[test]
fn the_translator_pairs_every_kind() {
    let module = interp_translation(PROGRAM);
    let code = &module.func(0).unwrap().code;
    let has = |pred: fn(&Op) -> bool| code.iter().any(|i| pred(i.op()));
    assert!(has(|op| matches!(op, Op::CopyAndCopy { .. })));
    assert!(has(|op| matches!(op, Op::CopyAndConst { .. })));
    assert!(has(|op| matches!(op, Op::CopyAndI32AddImm { .. })));
    assert!(has(|op| matches!(op, Op::ConstAndCopy { .. })));
    assert!(has(|op| matches!(op, Op::ConstAndConst { .. })));
    assert!(has(|op| matches!(op, Op::ConstAndI32AddImm { .. })));
    assert!(has(|op| matches!(op, Op::I32AddImmAndCopy { .. })));
    assert!(has(|op| matches!(op, Op::I32AddImmAndConst { .. })));
    assert!(has(|op| matches!(op, Op::I32AddImmAndI32AddImm { .. })));
    // The loop header that follows a constant begins its own pair.
    let target = &module.func(1).unwrap().code;
    assert!(matches!(target[0].op(), Op::Const { .. }), "{target:?}");
    assert!(
        matches!(target[1].op(), Op::I32AddImmAndI32AddImm { .. }),
        "{target:?}"
    );
    // Seconds that read the first's result: each pair's second names the
    // first's destination.
    let chained = &module.func(2).unwrap().code;
    let reads_first = |at: usize| match (chained[at].op(), chained[at + 1].op()) {
        (Op::I32AddImmAndCopy { dst, .. }, Op::Copy { src, .. }) => dst == src,
        (Op::CopyAndI32AddImm { dst, .. }, Op::I32AddImm { a, .. }) => dst == a,
        _ => false,
    };
    assert_eq!(
        (0..chained.len() - 1).filter(|at| reads_first(*at)).count(),
        2,
        "{chained:?}"
    );
    // The `Const` that holds a `v128` constant's high half stays one.
    let vector = &module.func(3).unwrap().code;
    assert!(matches!(vector[0].op(), Op::ConstV128 { .. }), "{vector:?}");
    assert!(matches!(vector[1].op(), Op::Const { .. }), "{vector:?}");
}

#[test]
fn paired_instructions_compute_what_the_two_do_on_every_tier() {
    for tier in Tier::ALL {
        let (mut store, instance) = instantiate(tier, PROGRAM);
        let pairs = instance
            .get_typed_func::<i32, i32>(&mut store, "pairs")
            .unwrap();
        let target = instance
            .get_typed_func::<i32, i32>(&mut store, "target")
            .unwrap();
        let vector = instance
            .get_typed_func::<i32, i64>(&mut store, "vector")
            .unwrap();
        for n in [0u32, 1, 2, 7, 100, 1000] {
            let got = pairs.call(&mut store, n as i32).unwrap() as u32;
            assert_eq!(got, pairs_model(n), "{tier:?} pairs({n})");
            let iterations = n.max(1);
            assert_eq!(
                target.call(&mut store, n as i32).unwrap(),
                ((100 + 3 * iterations) * 1000 + iterations) as i32,
                "{tier:?} target({n})"
            );
        }
        let chained = instance
            .get_typed_func::<i32, i32>(&mut store, "chained")
            .unwrap();
        for x in [0i32, 1, -6, 77, i32::MAX, i32::MIN] {
            let a = x.wrapping_add(5);
            let b = a;
            let c = b.wrapping_mul(x) ^ x.wrapping_add(9);
            assert_eq!(
                chained.call(&mut store, x).unwrap(),
                c.wrapping_add(b),
                "{tier:?} chained({x})"
            );
        }
        for x in [0i32, 1, -6, i32::MAX] {
            let expected = 0x2222 + u64::from(x.wrapping_add(5) as u32);
            assert_eq!(
                vector.call(&mut store, x).unwrap(),
                expected as i64,
                "{tier:?} vector({x})"
            );
        }
    }
}
