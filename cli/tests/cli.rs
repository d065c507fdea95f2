//! The `strata` binary as a user runs it: bad input gives a clear error and
//! a non-zero exit, never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn strata(args: &[&str]) -> Output {
    strata_with_cache(args, &test_dir().join("cache"))
}

/// Runs `strata` with its compile cache in `cache` (never the user's).
fn strata_with_cache(args: &[&str], cache: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("the strata binary runs")
}

fn test_dir() -> PathBuf {
    std::env::temp_dir().join(format!("strata-cli-test-{}", std::process::id()))
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = test_dir();
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "strata panicked: {err}");
    assert_ne!(
        o.status.code(),
        Some(101),
        "exit code 101 means a panic: {err}"
    );
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn runs_the_fib_example() {
    let o = strata(&["run", &example("fib.wat"), "--invoke", "fib", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "6765\n");
}

#[test]
fn invoke_prints_each_result_on_its_own_line() {
    let wat = temp_file(
        "multi.wat",
        br#"(module (func (export "pair") (param i64 f64) (result i64 f64 i32)
              local.get 0 local.get 1 i32.const -7))"#,
    );
    let o = strata(&[
        "run",
        "--invoke",
        "pair",
        wat.to_str().unwrap(),
        "-5",
        "2.5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "-5\n2.5\n-7\n");
}

#[test]
fn trap_exits_134_with_message_and_named_backtrace() {
    let wat = temp_file(
        "trap.wat",
        br#"(module (func $inner unreachable) (func $outer (export "go") call $inner))"#,
    );
    let o = strata(&["run", wat.to_str().unwrap(), "--invoke", "go"]);
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(err.starts_with("Error: "), "{err}");
    assert!(err.contains("unreachable"), "{err}");
    let inner = err.find("inner").expect("backtrace names $inner");
    let outer = err.find("outer").expect("backtrace names $outer");
    assert!(inner < outer, "innermost frame first: {err}");
}

#[test]
fn deep_recursion_is_a_trap_not_a_crash() {
    let wat = temp_file("rec.wat", br#"(module (func $f (export "f") call $f))"#);
    let o = strata(&["run", wat.to_str().unwrap(), "--invoke", "f"]);
    assert_eq!(o.status.code(), Some(134));
    assert!(
        stderr(&o).contains("call stack exhausted"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn malformed_and_invalid_modules_are_rejected_cleanly() {
    let cases: [(&str, &[u8]); 5] = [
        ("garbage.wasm", b"this is not wasm"),
        ("truncated.wasm", b"\0asm\x01\0\0\0\x01\x05"),
        ("badversion.wasm", b"\0asm\x02\0\0\0"),
        ("invalid.wat", b"(module (func (result i32) i64.const 1))"),
        ("badtext.wat", b"(module (func (i32.add"),
    ];
    for (name, bytes) in cases {
        let path = temp_file(name, bytes);
        for cmd in ["run", "validate"] {
            let o = strata(&[cmd, path.to_str().unwrap()]);
            assert_no_panic(&o);
            assert_eq!(o.status.code(), Some(1), "{cmd} {name}: {}", stderr(&o));
            assert!(
                stderr(&o).starts_with("Error: "),
                "{cmd} {name}: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn validate_is_silent_for_a_valid_module() {
    let o = strata(&["validate", &example("fib.wat")]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        vec!["run"],
        vec!["frobnicate"],
        vec!["run", "--tier", "warp", "x.wasm"],
        vec!["wast", "--features", "9.9", "x.wast"],
    ] {
        let o = strata(&args);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = strata(&["run", "--invoke", "fib", &example("fib.wat"), "notanumber"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let o = strata(&["run", "/nonexistent/file.wasm"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn help_works_for_every_command() {
    for cmd in [
        &["--help"][..],
        &["run", "--help"],
        &["validate", "--help"],
        &["wast", "--help"],
    ] {
        let o = strata(cmd);
        assert!(o.status.success(), "{cmd:?}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage"));
    }
}

#[test]
fn wast_reports_counts_and_failures() {
    let script = temp_file(
        "mixed.wast",
        br#"(module (func (export "one") (result i32) i32.const 1))
            (assert_return (invoke "one") (i32.const 1))
            (assert_return (invoke "one") (i32.const 2))
            (assert_invalid (module (func (result i32))) "type mismatch")"#,
    );
    let o = strata(&["wast", script.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().last(), Some("3 passed, 1 failed"), "{out}");
    assert!(
        out.contains("mixed.wast:3:"),
        "failure names file and line: {out}"
    );
}

#[test]
fn compiled_artifacts_run_and_bad_ones_are_refused() {
    let out = temp_file("fib.cwasm", b"");
    let o = strata(&["compile", &example("fib.wat"), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let artifact = std::fs::read(&out).unwrap();
    assert!(artifact.starts_with(b"\x7fSTRATA"));
    let o = strata(&["run", out.to_str().unwrap(), "--invoke", "fib", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "6765\n");

    let o = strata(&["run", "--tier", "interp", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--tier jit"), "{}", stderr(&o));

    let mut flipped = artifact.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let bad = temp_file("flipped.cwasm", &flipped);
    let o = strata(&["run", bad.to_str().unwrap(), "--invoke", "fib", "20"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("corrupt artifact"), "{}", stderr(&o));

    let short = temp_file("short.cwasm", &artifact[..artifact.len() / 3]);
    let o = strata(&["run", short.to_str().unwrap(), "--invoke", "fib", "20"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("truncated artifact"), "{}", stderr(&o));

    // Compiled with the entry table: another configuration.
    let direct = temp_file("direct.cwasm", b"");
    let o = strata(&[
        "compile",
        "--jit-call-table",
        &example("fib.wat"),
        "-o",
        direct.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = strata(&["run", direct.to_str().unwrap(), "--invoke", "fib", "10"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("other settings"), "{}", stderr(&o));
    let o = strata(&[
        "run",
        "--jit-call-table",
        direct.to_str().unwrap(),
        "--invoke",
        "fib",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn cache_entries(cache: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache.join("strata"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn the_jit_keeps_compiled_code_in_the_cache() {
    let cache = test_dir().join("cache-behaviour");
    let _ = std::fs::remove_dir_all(&cache);
    let fib = example("fib.wat");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--tier", "jit"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[fib.as_str(), "--invoke", "fib", "15"]);
        let o = strata_with_cache(&args, &cache);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "610\n");
    };
    run(&["--no-cache"]);
    assert!(
        cache_entries(&cache).is_empty(),
        "--no-cache wrote an entry"
    );
    run(&[]);
    let entries = cache_entries(&cache);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let good = std::fs::read(&entries[0]).unwrap();
    // A second run maps the entry (and leaves it as it was).
    run(&[]);
    assert_eq!(std::fs::read(&entries[0]).unwrap(), good);
    let o = strata_with_cache(
        &["run", "--tier", "jit", "-v", &fib, "--invoke", "fib", "15"],
        &cache,
    );
    assert!(
        stderr(&o).contains("loaded from the cache"),
        "{}",
        stderr(&o)
    );
    // Two runs at once, both compiling and writing the same entry, both
    // succeed, and the entry is whole.
    std::fs::remove_file(&entries[0]).unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_strata"))
                .args(["run", "--tier", "jit", &fib, "--invoke", "fib", "15"])
                .env("XDG_CACHE_HOME", &cache)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn strata")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(o.status.success());
        assert_eq!(String::from_utf8_lossy(&o.stdout), "610\n");
    }
    assert_eq!(std::fs::read(&entries[0]).unwrap(), good);
    // A damaged entry is a miss: the run compiles and replaces it.
    let mut damaged = good.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0xff;
    std::fs::write(&entries[0], &damaged).unwrap();
    run(&[]);
    assert_eq!(std::fs::read(&entries[0]).unwrap(), good);
    let o = strata_with_cache(
        &["run", "--tier", "jit", "-v", &fib, "--invoke", "fib", "15"],
        &cache,
    );
    assert!(
        stderr(&o).contains("loaded from the cache"),
        "{}",
        stderr(&o)
    );
    // The interpreter never touches the cache, nor does the tiered default
    // unless asked to.
    let _ = std::fs::remove_dir_all(&cache);
    for tier in ["interp", "auto"] {
        let o = strata_with_cache(
            &["run", "--tier", tier, &fib, "--invoke", "fib", "15"],
            &cache,
        );
        assert!(o.status.success());
        assert!(cache_entries(&cache).is_empty());
    }
}

#[test]
fn the_tiered_default_reports_tier_ups_and_can_leave_a_warm_cache() {
    let cache = test_dir().join("cache-tiered");
    let _ = std::fs::remove_dir_all(&cache);
    let fib = example("fib.wat");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "-v", "--tier-up-threshold", "10"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[fib.as_str(), "--invoke", "fib", "30"]);
        let o = strata_with_cache(&args, &cache);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "832040\n");
        stderr(&o)
    };
    // Without a flag, `run` is tiered: it starts interpreted and reports
    // the function it compiles. It writes nothing to the cache.
    let log = run(&[]);
    assert!(log.contains("(auto): compiled"), "{log}");
    assert!(
        log.contains("tier-up at") && log.contains("`fib` compiled in"),
        "{log}"
    );
    assert!(cache_entries(&cache).is_empty());
    // Asked to, it leaves the whole module compiled in the cache, and the
    // next run starts from there, compiled from the first instruction.
    run(&["--cache-on-exit"]);
    assert_eq!(cache_entries(&cache).len(), 1);
    let log = run(&[]);
    assert!(log.contains("(auto): loaded from the cache"), "{log}");
    assert!(!log.contains("tier-up at"), "{log}");
}

#[test]
fn fuel_and_timeout_stop_an_endless_loop_on_every_tier() {
    let wat = temp_file(
        "spin.wat",
        br#"(module (func (export "_start") (loop $l (br $l))))"#,
    );
    for tier in ["interp", "jit"] {
        let o = strata(&[
            "run",
            "--tier",
            tier,
            "--fuel",
            "50000",
            wat.to_str().unwrap(),
        ]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(134), "{tier}: {}", stderr(&o));
        assert!(stderr(&o).contains("all fuel consumed"), "{}", stderr(&o));
        assert!(stderr(&o).contains("--fuel"), "{}", stderr(&o));

        let started = std::time::Instant::now();
        let o = strata(&[
            "run",
            "--tier",
            tier,
            "--timeout",
            "200ms",
            wat.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(134), "{tier}: {}", stderr(&o));
        assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
        assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
    // Enough fuel: the program finishes normally.
    let o = strata(&[
        "run",
        "--fuel",
        "1000",
        &example("fib.wat"),
        "--invoke",
        "fib",
        "5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = strata(&["run", "--timeout", "soon", &example("fib.wat")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a duration"), "{}", stderr(&o));
}

#[test]
fn max_memory_makes_memory_grow_fail() {
    let wat = temp_file(
        "grow.wat",
        br#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    for tier in ["interp", "jit"] {
        let run = |max: &str, pages: &str| {
            strata(&[
                "run",
                "--tier",
                tier,
                "--max-memory",
                max,
                "--invoke",
                "grow",
                wat.to_str().unwrap(),
                pages,
            ])
        };
        let o = run("128K", "1");
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "1\n");
        let o = run("128K", "2");
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "-1\n", "{tier}");
    }
    let o = strata(&["run", "--max-memory", "lots", wat.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}
