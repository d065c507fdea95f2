//! WASI conformance of `strata run`: C programs in `wasi/tests/programs`,
//! compiled here with `clang-19 --target=wasm32-wasi`, run on every tier with
//! the flags their manifest gives, checked for exit status and exact stdout.
//!
//! `.ci/run` installs clang-19, lld-19 and wasi-libc; without them this test
//! fails (it never skips).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Case {
    program: String,
    args: Vec<String>,
    env: Vec<String>,
    dir: Option<String>,
    stdin: Vec<u8>,
    exit: i32,
    stdout_file: String,
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push(b'\n'),
                Some('t') => out.push(b'\t'),
                Some('\\') => out.push(b'\\'),
                Some(o) => {
                    out.push(b'\\');
                    out.extend(o.to_string().bytes());
                }
                None => out.push(b'\\'),
            }
        } else {
            out.extend(c.to_string().bytes());
        }
    }
    out
}

fn parse_manifest(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("\n\n") {
        let mut case = Case {
            program: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            dir: None,
            stdin: Vec::new(),
            exit: 0,
            stdout_file: String::new(),
        };
        for line in block.lines() {
            let line = line.split(" #").next().unwrap_or("").trim_end();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "program" => case.program = value.to_string(),
                "args" => case.args = value.split_whitespace().map(str::to_string).collect(),
                "env" => case.env = value.split_whitespace().map(str::to_string).collect(),
                "dir" => case.dir = Some(value.to_string()),
                "stdin" => case.stdin = unescape(value),
                "exit" => case.exit = value.parse().expect("exit status is a number"),
                "stdout-file" => case.stdout_file = value.to_string(),
                _ => {}
            }
        }
        if !case.program.is_empty() {
            cases.push(case);
        }
    }
    cases
}

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasi/tests/programs")
}

fn compile(src: &Path, out: &Path) -> Result<(), String> {
    let o = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "-O2"])
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run clang-19 (install clang-19 lld-19 wasi-libc): {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "clang-19 failed on {}: {}",
            src.display(),
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// The tiers every program runs on; `aot` runs the artifact that
/// `strata compile` made of the program, `auto-1` the tiered default with
/// every function queued for compilation on its first call (so that the
/// program runs mixed, whatever the compile thread's pace).
const TIERS: [&str; 5] = ["interp", "jit", "aot", "auto", "auto-1"];

fn run_case(case: &Case, work: &Path, tier: &str) -> Result<(), String> {
    let src = programs_dir().join(&case.program);
    let wasm = work.join(case.program.replace(".c", ".wasm"));
    if !wasm.exists() {
        compile(&src, &wasm)?;
    }
    let sandbox = work.join(format!("sandbox-{tier}-{}", case.program));
    let _ = std::fs::remove_dir_all(&sandbox);
    std::fs::create_dir_all(&sandbox).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.arg("run");
    let program = if tier == "aot" {
        let cwasm = wasm.with_extension("cwasm");
        let o = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("compile")
            .arg(&wasm)
            .arg("-o")
            .arg(&cwasm)
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!(
                "strata compile {}: {}",
                wasm.display(),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        cwasm
    } else if tier == "auto-1" {
        cmd.args(["--tier", "auto", "--tier-up-threshold", "1"]);
        wasm.clone()
    } else {
        cmd.arg("--tier").arg(tier);
        wasm.clone()
    };
    if let Some(guest) = &case.dir {
        cmd.arg("--dir")
            .arg(format!("{}::{guest}", sandbox.display()));
    }
    for e in &case.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(&program).args(&case.args);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A host variable that must not leak into the guest.
    cmd.env("STRATA_HOST_SECRET", "leaked");
    // The JIT's compile cache stays in the test's folder.
    cmd.env("XDG_CACHE_HOME", work.join("sandbox-cache"));
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&case.stdin).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let expected = std::fs::read_to_string(programs_dir().join(&case.stdout_file))
        .map_err(|e| format!("{}: {e}", case.stdout_file))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            out.status.code(),
            case.exit
        ));
    }
    if stdout != expected {
        problems.push(format!(
            "stdout differs:\n--- expected\n{expected}--- got\n{stdout}"
        ));
    }
    // Nothing may appear beside the sandbox.
    let siblings: Vec<_> = std::fs::read_dir(work)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("sandbox-") && !n.ends_with(".wasm") && !n.ends_with(".cwasm"))
        .collect();
    if !siblings.is_empty() {
        problems.push(format!("files escaped the sandbox: {siblings:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} (tier {tier}): {}\nstderr: {}",
            case.program,
            problems.join("\n"),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn wasi_programs_behave_like_wasmtime() {
    let manifest = std::fs::read_to_string(programs_dir().join("manifest.txt")).expect("manifest");
    let cases = parse_manifest(&manifest);
    assert!(cases.len() >= 13, "the manifest lists every program");
    let work = std::env::temp_dir().join(format!("strata-wasi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    let failures: Vec<String> = TIERS
        .iter()
        .flat_map(|t| cases.iter().map(move |c| (t, c)))
        .filter_map(|(t, c)| run_case(c, &work, t).err())
        .collect();
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        cases.len() * TIERS.len(),
        failures.join("\n\n")
    );
}
