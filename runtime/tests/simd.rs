//! `v128` values cross every boundary in every tier: parameters and
//! results (mixed with scalars, several at once), locals, globals, blocks
//! with parameters, `select`, `call_indirect`, host functions, and, in the
//! tiered engine, calls between interpreted and compiled frames and
//! on-stack replacement of a loop whose locals include vectors.

use strata::{Config, Engine, FuncType, Linker, Module, Store, Tier, Val, ValType};

const PROGRAM: &str = r#"
(module
  (import "host" "twist" (func $twist (param v128 i32) (result v128)))
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (table 1 funcref)
  (elem (i32.const 0) $mix)
  ;; Scalars and vectors interleaved, results too.
  (func $mix (export "mix") (param $a v128) (param $k i32) (param $b v128) (param $x f64)
        (result v128 f64 i32)
    (i32x4.add (local.get $a) (i32x4.splat (local.get $k)))
    (f64.add (local.get $x) (f64x2.extract_lane 1 (local.get $b)))
    (i8x16.extract_lane_u 15 (local.get $b)))
  ;; A long loop in one call, vectors in its locals: the tiered engine
  ;; enters it through on-stack replacement.
  (func $sum (export "sum") (param $n i32) (param $step v128) (result v128)
    (local $acc v128) (local $i i32) (local $scale f32)
    (local.set $scale (f32.const 1))
    (loop $l
      (local.set $acc (i32x4.add (local.get $acc) (local.get $step)))
      (local.set $step (i8x16.shuffle 1 2 3 0 5 6 7 4 9 10 11 8 13 14 15 12
                          (local.get $step) (local.get $step)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (f32x4.replace_lane 3 (local.get $acc) (local.get $scale)))
  ;; Blocks with vector parameters and results, select, globals, the host.
  (func (export "plumbing") (param $a v128) (param $c i32) (result v128)
    (local.get $a)
    (global.get $g)
    (block (param v128 v128) (result v128)
      (v128.xor))
    (global.set $g)
    (select (global.get $g) (local.get $a) (local.get $c))
    (call $twist (i32.const 3)))
  ;; Through the table, and the multi-value call of a compiled or
  ;; interpreted callee.
  (func (export "indirect") (param $a v128) (result v128)
    (call_indirect (param v128 i32 v128 f64) (result v128 f64 i32)
      (local.get $a) (i32.const 10) (local.get $a) (f64.const 0.5) (i32.const 0))
    (drop) (drop))
  (func (export "global") (result v128) (global.get $g))
)
"#;

fn lanes32(v: u128) -> [u32; 4] {
    std::array::from_fn(|i| (v >> (32 * i)) as u32)
}

fn from_lanes32(l: [u32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |acc, (i, x)| acc | (u128::from(*x) << (32 * i)))
}

/// `i32x4.add`.
fn add32(a: u128, b: u128) -> u128 {
    let (a, b) = (lanes32(a), lanes32(b));
    from_lanes32(std::array::from_fn(|i| a[i].wrapping_add(b[i])))
}

/// The loop of `sum`, in Rust.
fn sum(n: u32, mut step: u128) -> u128 {
    let mut acc = 0u128;
    for _ in 0..n.max(1) {
        acc = add32(acc, step);
        let b = step.to_le_bytes();
        let idx = [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12];
        step = u128::from_le_bytes(idx.map(|i| b[i]));
    }
    let mut l = lanes32(acc);
    l[3] = 1.0f32.to_bits();
    from_lanes32(l)
}

/// `host.twist`: rotate the vector by `k` bytes.
fn twist(v: u128, k: i32) -> u128 {
    v.rotate_left(8 * k as u32)
}

fn engines() -> Vec<(String, Engine)> {
    let mut out = Vec::new();
    for tier in Tier::ALL {
        let mut config = Config::new();
        config.tier(tier);
        out.push((tier.name().to_string(), Engine::new(&config).unwrap()));
    }
    // Every function compiled after its first call, loops through OSR.
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_up_threshold(1)
        .tier_up_synchronous(true);
    out.push(("auto-1".into(), Engine::new(&config).unwrap()));
    out
}

#[test]
fn v128_crosses_every_boundary_in_every_tier() {
    let a = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    let b = 0x8000_0000_7fff_ffff_4004_0000_0000_00ffu128;
    for (name, engine) in engines() {
        let module = Module::new(&engine, PROGRAM).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_new(
                "host",
                "twist",
                FuncType::new([ValType::V128, ValType::I32], [ValType::V128]),
                |_, args, results| {
                    let (Val::V128(v), Val::I32(k)) = (args[0], args[1]) else {
                        panic!("bad arguments {args:?}");
                    };
                    results[0] = Val::V128(twist(v, k));
                    Ok(())
                },
            )
            .unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();

        let mix = inst
            .get_typed_func::<(u128, i32, u128, f64), (u128, f64, i32)>(&mut store, "mix")
            .unwrap();
        // Twice: the second call runs compiled code in `auto-1`.
        for _ in 0..2 {
            let (v, x, byte) = mix.call(&mut store, (a, 5, b, 1.0)).unwrap();
            assert_eq!(v, add32(a, from_lanes32([5; 4])), "{name}");
            assert_eq!(x, 1.0 + f64::from_bits((b >> 64) as u64), "{name}");
            assert_eq!(byte, 0x80, "{name}");
        }

        let sum_f = inst
            .get_typed_func::<(i32, u128), u128>(&mut store, "sum")
            .unwrap();
        for n in [1, 7, 100_000] {
            assert_eq!(
                sum_f.call(&mut store, (n, a)).unwrap(),
                sum(n as u32, a),
                "{name} sum({n})"
            );
        }

        let plumbing = inst
            .get_typed_func::<(u128, i32), u128>(&mut store, "plumbing")
            .unwrap();
        let global = inst
            .get_typed_func::<(), u128>(&mut store, "global")
            .unwrap();
        let mut g = from_lanes32([1, 2, 3, 4]);
        for c in [0, 1, 0] {
            g ^= a;
            let picked = if c != 0 { g } else { a };
            assert_eq!(
                plumbing.call(&mut store, (a, c)).unwrap(),
                twist(picked, 3),
                "{name}"
            );
            assert_eq!(global.call(&mut store, ()).unwrap(), g, "{name}");
        }

        let indirect = inst
            .get_typed_func::<u128, u128>(&mut store, "indirect")
            .unwrap();
        for _ in 0..2 {
            assert_eq!(
                indirect.call(&mut store, b).unwrap(),
                add32(b, from_lanes32([10; 4])),
                "{name}"
            );
        }
    }
}
