//! The official WASI preview 1 test suite (`wasi-testsuite/`, copied from
//! upstream with its license), run as upstream's `SPECIFICATION.md` says:
//! one test per `*.wasm` case per tier.
//!
//! For each case the executor reads the `.json` beside it (legacy or
//! operation-based; a missing one means the defaults), copies the `root`
//! fixtures (if any) into a fresh temporary directory with every `*.cleanup`
//! file removed, preopens that copy as `/`, passes exactly the listed
//! arguments and environment (nothing of the host's), gives an empty stdin,
//! and compares the exit status with the expected one, and stdout and
//! stderr with the expected text where the specification gives it (as
//! upstream's runner does: an absent expectation is not checked).
//! There is no list of known failures: every case must pass.

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::path::{Path, PathBuf};
use strata::{Config, Engine, Linker, Module, Store, Tier};
use strata_wasi::{I32Exit, WasiCtx};

/// The three preview 1 folders of the suite.
const SUITES: [&str; 3] = [
    "assemblyscript/testsuite/wasm32-wasip1",
    "c/testsuite/wasm32-wasip1",
    "rust/testsuite/wasm32-wasip1",
];

/// What one case runs with and expects.
#[derive(Debug, Default)]
struct Spec {
    args: Vec<String>,
    env: Vec<(String, String)>,
    root: Option<String>,
    exit_code: i32,
    /// Compared only when the specification names it, as upstream's
    /// runner does (its validators skip an absent expectation).
    stdout: Option<String>,
    stderr: Option<String>,
}

fn strings(v: Option<&Value>) -> Result<Vec<String>, String> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or("argument is not a string".into())
            })
            .collect(),
        Some(other) => Err(format!("`args` is not a list: {other}")),
    }
}

fn env(v: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_string()))
                    .ok_or_else(|| format!("env value of {k} is not a string"))
            })
            .collect(),
        Some(other) => Err(format!("`env` is not an object: {other}")),
    }
}

fn text(v: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("`{what}` is not a string: {other}")),
    }
}

fn int(v: Option<&Value>) -> Result<i32, String> {
    match v {
        None => Ok(0),
        Some(v) => v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| format!("`exit_code` is not an i32: {v}")),
    }
}

/// Parses a specification in either of upstream's two forms.
fn parse_spec(json: &Value) -> Result<Spec, String> {
    let Some(ops) = json.get("operations") else {
        // The legacy form: one run and one wait, a read where a stream's
        // output is given.
        return Ok(Spec {
            args: strings(json.get("args"))?,
            env: env(json.get("env"))?,
            root: json.get("root").and_then(Value::as_str).map(str::to_string),
            exit_code: int(json.get("exit_code"))?,
            stdout: text(json.get("stdout"), "stdout")?,
            stderr: text(json.get("stderr"), "stderr")?,
        });
    };
    if let Some(p) = json.get("proposals").and_then(Value::as_array)
        && !p.is_empty()
    {
        return Err(format!("needs WASI proposals Strata does not offer: {p:?}"));
    }
    let ops = ops.as_array().ok_or("`operations` is not a list")?;
    let mut spec = Spec::default();
    let (mut runs, mut waits) = (0, 0);
    for op in ops {
        match op.get("type").and_then(Value::as_str) {
            Some("run") => {
                runs += 1;
                spec.args = strings(op.get("args"))?;
                spec.env = env(op.get("env"))?;
                spec.root = op.get("root").and_then(Value::as_str).map(str::to_string);
            }
            Some("wait") => {
                waits += 1;
                spec.exit_code = int(op.get("exit_code"))?;
            }
            Some("read") if runs > 0 => {
                let payload = Some(text(op.get("payload"), "payload")?.unwrap_or_default());
                match op.get("id").and_then(Value::as_str).unwrap_or("stdout") {
                    "stdout" => spec.stdout = payload,
                    "stderr" => spec.stderr = payload,
                    other => return Err(format!("read from unknown stream {other}")),
                }
            }
            other => return Err(format!("unsupported operation {other:?}")),
        }
    }
    if runs != 1 || waits != 1 {
        return Err("a case must have one `run` paired with one `wait`".into());
    }
    Ok(spec)
}

fn remove_cleanup_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ty = entry.file_type()?;
        if path.extension().is_some_and(|e| e == "cleanup") {
            if ty.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        } else if ty.is_dir() {
            remove_cleanup_files(&path)?;
        }
    }
    Ok(())
}

/// Copies `from` into `to` with write permission on everything (the
/// fixtures may be checked out read-only).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let dst = to.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &dst)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &dst)?;
        } else {
            std::fs::copy(entry.path(), &dst)?;
            let mut perms = std::fs::metadata(&dst)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&dst, perms)?;
        }
    }
    let mut perms = std::fs::metadata(to)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(to, perms)
}

fn run_case(tier: Tier, wasm: &Path) -> Result<(), Failed> {
    let json_path = wasm.with_extension("json");
    let spec = if json_path.exists() {
        let text = std::fs::read_to_string(&json_path)?;
        parse_spec(&serde_json::from_str(&text)?)?
    } else {
        Spec::default()
    };

    let mut config = Config::new();
    config.tier(tier);
    let engine = Engine::new(&config)?;
    let module = Module::from_file(&engine, wasm)?;
    let mut linker = Linker::new(&engine);
    strata_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;

    let mut builder = WasiCtx::builder();
    let name = wasm.file_name().unwrap_or_default().to_string_lossy();
    builder.arg(name).args(spec.args.iter().cloned());
    for (k, v) in &spec.env {
        builder.env(k, v);
    }
    builder.stdin_bytes(Vec::new());
    let stdout = builder.capture_stdout();
    let stderr = builder.capture_stderr();
    // The fixtures are copied afresh for every case (and tier), so cases
    // never see each other's leftovers, and the checkout is never written.
    let scratch = tempfile::tempdir()?;
    if let Some(root) = &spec.root {
        let copy = scratch.path().join("root");
        copy_tree(&wasm.parent().unwrap_or(Path::new(".")).join(root), &copy)?;
        remove_cleanup_files(&copy)?;
        builder.preopened_dir(&copy, "/")?;
    }
    let ctx = builder.build();

    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    let exit_code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => {
                let stderr = stderr.lock().map_err(|_| "poisoned")?;
                return Err(format!(
                    "the program failed: {e}\nits stderr:\n{}",
                    String::from_utf8_lossy(&stderr)
                )
                .into());
            }
        },
    };
    drop(store);
    if spec.root.is_some() {
        remove_cleanup_files(&scratch.path().join("root"))?;
    }

    let stdout = String::from_utf8_lossy(&stdout.lock().map_err(|_| "poisoned")?).into_owned();
    let stderr = String::from_utf8_lossy(&stderr.lock().map_err(|_| "poisoned")?).into_owned();
    let mut problems = Vec::new();
    if exit_code != spec.exit_code {
        problems.push(format!(
            "exit code {exit_code}, expected {}",
            spec.exit_code
        ));
    }
    if let Some(expected) = spec.stdout.filter(|e| *e != stdout) {
        problems.push(format!("stdout {stdout:?}, expected {expected:?}"));
    }
    if let Some(expected) = spec.stderr.filter(|e| *e != stderr) {
        problems.push(format!("stderr {stderr:?}, expected {expected:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn cases() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi-testsuite/tests");
    let mut out = Vec::new();
    for suite in SUITES {
        let dir = base.join(suite);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("the suite is missing at {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let args = Arguments::from_args();
    let cases = cases();
    assert_eq!(cases.len(), 72, "the suite has 72 preview 1 cases");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi-testsuite/tests");
    let mut trials = Vec::new();
    for tier in Tier::ALL {
        for wasm in &cases {
            let rel = wasm.strip_prefix(&base).unwrap_or(wasm);
            let lang = rel
                .components()
                .next()
                .map_or("", |c| c.as_os_str().to_str().unwrap_or_default());
            let stem = wasm.file_stem().unwrap_or_default().to_string_lossy();
            let name = format!("{}/{lang}/{stem}", tier.name());
            let wasm = wasm.clone();
            trials.push(Trial::test(name, move || run_case(tier, &wasm)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
