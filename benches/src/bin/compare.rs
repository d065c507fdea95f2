//! Runs Strata and the runtimes users would choose instead on the same
//! programs, interleaved, in one run on one machine, and reports medians as
//! ratios to the native build.
//!
//! Usage: `compare --strata PATH [--quick] [--reps N] [--out DIR] [--only
//! prog,...] [--runtimes name,...]`
//! (`benches/run.sh` builds everything and calls this).
//!
//! For every program and runtime it runs the work (`N`) and a start-up-only
//! run (`0`: read, validate, compile, instantiate, libc start-up, no work).
//! Cold start is the start-up run's wall time; execution is the difference;
//! total is the work run's wall time; peak RSS comes from `wait4`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Opts {
    quick: bool,
    reps: usize,
    strata: PathBuf,
    cache: PathBuf,
    out: PathBuf,
    only: Vec<String>,
    /// Runtime names to run (all when empty), e.g. the tiering comparison's
    /// `native,strata-auto,strata-interp,strata-jit,wasmtime,wasmi,node`.
    runtimes: Vec<String>,
}

fn parse_opts() -> Result<Opts, String> {
    let mut opts = Opts {
        quick: false,
        reps: 0,
        strata: PathBuf::from("target/release/strata"),
        cache: std::env::var_os("STRATA_BENCH_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/strata-bench")
            }),
        out: PathBuf::from("results"),
        only: Vec::new(),
        runtimes: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => opts.quick = true,
            "--reps" => {
                opts.reps = value("--reps")?
                    .parse()
                    .map_err(|e| format!("--reps: {e}"))?
            }
            "--strata" => opts.strata = PathBuf::from(value("--strata")?),
            "--cache" => opts.cache = PathBuf::from(value("--cache")?),
            "--out" => opts.out = PathBuf::from(value("--out")?),
            "--only" => opts.only = value("--only")?.split(',').map(str::to_string).collect(),
            "--runtimes" => {
                opts.runtimes = value("--runtimes")?
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--help" | "-h" => {
                println!(
                    "compare --strata PATH [--quick] [--reps N] [--out DIR] [--only prog,prog] [--runtimes name,name]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if opts.reps == 0 {
        opts.reps = if opts.quick { 3 } else { 5 };
    }
    Ok(opts)
}

/// One benchmark program, built for wasm and natively.
struct Program {
    name: String,
    wasm: PathBuf,
    native: PathBuf,
    work_args: Vec<String>,
    start_args: Vec<String>,
    expected: String,
    wasm_bytes: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Native,
    StrataInterp,
    StrataJit,
    StrataCached,
    StrataAot,
    StrataAuto,
    StrataInterpFuel,
    StrataJitFuel,
    StrataInterpEpoch,
    StrataJitEpoch,
    Wasmtime,
    WasmtimeCwasm,
    Wasmi,
    Wasm3,
    Node,
}

struct Runtime {
    kind: Kind,
    name: &'static str,
    program: PathBuf,
    prefix: Vec<String>,
    version: String,
    missing: Option<String>,
    /// Environment the runtime's commands get.
    env: Vec<(&'static str, PathBuf)>,
}

#[derive(Clone, Copy, Default)]
struct Sample {
    wall: f64,
    rss_kib: u64,
}

fn run(cmd: &mut Command) -> Result<(Sample, String, i32), String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut out = String::new();
    let _ = stdout.read_to_string(&mut out);
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid out-buffer.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; `status` and `usage` are writable.
    let r = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    let err = err_reader.join().unwrap_or_default();
    if r < 0 {
        return Err("wait4 failed".into());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code != 0 {
        let tail: String = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .chars()
            .take(120)
            .collect();
        return Err(format!("exit {code}: {tail}"));
    }
    Ok((
        Sample {
            wall,
            rss_kib: usage.ru_maxrss as u64,
        },
        out,
        code,
    ))
}

fn sh(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn checksum_line(out: &str) -> Option<String> {
    out.lines()
        .find(|l| l.starts_with("checksum:"))
        .map(str::to_string)
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The C sources in `dir`, sorted.
fn c_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    Ok(sources)
}

/// The programs of `benches/programs`, and those of `programs/simd`
/// twice: built as scalar wasm (`name`) and with `-msimd128`
/// (`name-simd`), both checked against one native build.
fn build_c_programs(build: &Path, quick: bool) -> Result<Vec<Program>, String> {
    let mut programs = Vec::new();
    let dir = bench_dir().join("programs");
    let builds = c_sources(&dir)?
        .into_iter()
        .map(|src| (src, false))
        .chain(c_sources(&dir.join("simd"))?.into_iter().map(|src| (src, true)));
    for (src, simd) in builds {
        let name = src
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let native = build.join(format!("{name}.native"));
        sh(Command::new("gcc")
            .arg("-O2")
            .arg(&src)
            .arg("-o")
            .arg(&native)
            .arg("-lm"))?;
        let work_args = vec![if quick {
            "q".to_string()
        } else {
            "1".to_string()
        }];
        let (_, out, _) = run(Command::new(&native).args(&work_args))?;
        let expected =
            checksum_line(&out).ok_or(format!("{name}: native build printed no checksum"))?;
        let variants: &[(&str, &[&str])] = if simd {
            &[("", &[]), ("-simd", &["-msimd128"])]
        } else {
            &[("", &[])]
        };
        for (suffix, flags) in variants {
            let name = format!("{name}{suffix}");
            let wasm = build.join(format!("{name}.wasm"));
            sh(Command::new("clang-19")
                .args(["--target=wasm32-wasi", "-O2", "-mbulk-memory"])
                .args(*flags)
                .arg(&src)
                .arg("-o")
                .arg(&wasm))?;
            programs.push(Program {
                wasm_bytes: std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0),
                name,
                wasm,
                native: native.clone(),
                work_args: work_args.clone(),
                start_args: vec!["0".to_string()],
                expected: expected.clone(),
            });
        }
    }
    Ok(programs)
}

/// Lua 5.4 from the `lupa` sdist on PyPI: a large real program.
fn build_lua(build: &Path, cache: &Path, quick: bool) -> Result<Program, String> {
    let tarball = cache.join("lupa-2.8.tar.gz");
    if !tarball.exists() {
        // The PyPI simple index lists every file of the project.
        let meta = sh(Command::new("curl").args(["-sfL", "https://pypi.org/simple/lupa/"]))?;
        let url = meta
            .split(['"', '#'])
            .find(|s| {
                s.starts_with("https://files.pythonhosted.org") && s.ends_with("lupa-2.8.tar.gz")
            })
            .ok_or("no lupa 2.8 sdist on PyPI")?
            .to_string();
        sh(Command::new("curl")
            .args(["-sfL", "-o"])
            .arg(&tarball)
            .arg(&url))?;
    }
    let src_root = build.join("lupa");
    if !src_root.join("lupa-2.8").exists() {
        std::fs::create_dir_all(&src_root).map_err(|e| e.to_string())?;
        sh(Command::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&src_root))?;
    }
    let lua = src_root.join("lupa-2.8/third-party/lua54");
    let sources: Vec<PathBuf> = std::fs::read_dir(&lua)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "c")
                && !["ltests.c", "luac.c", "onelua.c"]
                    .contains(&p.file_name().and_then(|n| n.to_str()).unwrap_or(""))
        })
        .collect();
    let stub = bench_dir().join("lua/wasi-stub");
    let wasm = build.join("lua.wasm");
    let native = build.join("lua.native");
    sh(Command::new("clang-19")
        .args([
            "--target=wasm32-wasi",
            "-O2",
            "-D_WASI_EMULATED_SIGNAL",
            "-D_WASI_EMULATED_PROCESS_CLOCKS",
        ])
        .args([
            "-DLUAI_THROW(L,c)=abort()",
            "-DLUAI_TRY(L,c,a)={a}",
            "-Dluai_jmpbuf=int",
            "-DLUA_TMPNAMBUFSIZE=32",
            "-Dlua_tmpnam(b,e)={e=1;}",
        ])
        .arg("-I")
        .arg(&stub)
        .args(&sources)
        .arg(stub.join("wasi_missing.c"))
        .arg("-o")
        .arg(&wasm)
        .args(["-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"]))?;
    sh(Command::new("gcc")
        .args(["-O2", "-DLUA_USE_LINUX"])
        .args(&sources)
        .arg("-o")
        .arg(&native)
        .arg("-lm"))?;
    let script =
        std::fs::read_to_string(bench_dir().join("lua/bench.lua")).map_err(|e| e.to_string())?;
    // lua.c rejects an `-e` chunk that starts with `-` (as a comment does).
    let chunk = format!("\n{script}");
    let args = |n: u32| {
        vec![
            "-e".to_string(),
            format!("N={n}"),
            "-e".to_string(),
            chunk.clone(),
        ]
    };
    let work_args = args(if quick { 2 } else { 10 });
    let (_, out, _) = run(Command::new(&native).args(&work_args))?;
    let expected = checksum_line(&out).ok_or("lua: native build printed no checksum")?;
    Ok(Program {
        name: "lua".into(),
        wasm_bytes: std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0),
        wasm,
        native,
        work_args,
        start_args: args(0),
        expected,
    })
}

/// Runtimes that only measure the cost of metering (left out of the chart
/// and the summary against peers).
fn is_metered(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::StrataInterpFuel | Kind::StrataJitFuel | Kind::StrataInterpEpoch | Kind::StrataJitEpoch
    )
}

fn runtimes(opts: &Opts) -> Vec<Runtime> {
    let cache = &opts.cache;
    let version = |prog: &Path, args: &[&str]| -> Result<String, String> {
        let out = Command::new(prog)
            .args(args)
            .output()
            .map_err(|e| format!("not installed ({e})"))?;
        if !out.status.success() {
            return Err("does not run".into());
        }
        let s = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        Ok(s.lines().next().unwrap_or("").trim().to_string())
    };
    let mk = |kind, name, program: PathBuf, prefix: Vec<&str>, probe: &[&str]| {
        let v = version(&program, probe);
        Runtime {
            kind,
            name,
            prefix: prefix.into_iter().map(str::to_string).collect(),
            version: v.clone().unwrap_or_default(),
            missing: v.err(),
            program,
            env: Vec::new(),
        }
    };
    let wasmtime = cache.join("bin/wasmtime");
    let python = cache.join("venv/bin/python");
    let wasm3_script = bench_dir().join("wasm3_wasi.py");
    let node_script = bench_dir().join("node_wasi.mjs");
    let mut list = vec![
        mk(
            Kind::Native,
            "native",
            PathBuf::from("gcc"),
            vec![],
            &["--version"],
        ),
        mk(
            Kind::StrataInterp,
            "strata-interp",
            opts.strata.clone(),
            vec!["run", "--tier", "interp"],
            &["--version"],
        ),
        // Compiling every time, as `wasmtime run` without a cache does.
        mk(
            Kind::StrataJit,
            "strata-jit",
            opts.strata.clone(),
            vec!["run", "--tier", "jit", "--no-cache"],
            &["--version"],
        ),
        // The default: tiered, without a cache (as wasmtime's is measured).
        mk(
            Kind::StrataAuto,
            "strata-auto",
            opts.strata.clone(),
            vec!["run", "--no-cache"],
            &["--version"],
        ),
        // The default of a compiling tier from the second start on: the
        // code is mapped from the compile cache.
        mk(
            Kind::StrataCached,
            "strata-cached",
            opts.strata.clone(),
            vec!["run", "--tier", "jit"],
            &["--version"],
        ),
        // Metering on, to measure its cost against the same tier without.
        mk(
            Kind::StrataInterpFuel,
            "strata-interp+fuel",
            opts.strata.clone(),
            vec!["run", "--tier", "interp", "--fuel", "1000000000000000000"],
            &["--version"],
        ),
        mk(
            Kind::StrataJitFuel,
            "strata-jit+fuel",
            opts.strata.clone(),
            vec!["run", "--tier", "jit", "--no-cache", "--fuel", "1000000000000000000"],
            &["--version"],
        ),
        mk(
            Kind::StrataInterpEpoch,
            "strata-interp+epoch",
            opts.strata.clone(),
            vec!["run", "--tier", "interp", "--timeout", "1h"],
            &["--version"],
        ),
        mk(
            Kind::StrataJitEpoch,
            "strata-jit+epoch",
            opts.strata.clone(),
            vec!["run", "--tier", "jit", "--no-cache", "--timeout", "1h"],
            &["--version"],
        ),
        // An artifact from `strata compile`, like wasmtime's `.cwasm`.
        mk(
            Kind::StrataAot,
            "strata-aot",
            opts.strata.clone(),
            vec!["run"],
            &["--version"],
        ),
        mk(
            Kind::Wasmtime,
            "wasmtime",
            wasmtime.clone(),
            vec!["run", "-C", "cache=n"],
            &["--version"],
        ),
        mk(
            Kind::WasmtimeCwasm,
            "wasmtime-cwasm",
            wasmtime,
            vec!["run", "--allow-precompiled"],
            &["--version"],
        ),
        mk(
            Kind::Wasmi,
            "wasmi",
            cache.join("bin/wasmi"),
            vec![],
            &["--version"],
        ),
        mk(
            Kind::Wasm3,
            "wasm3",
            python.clone(),
            vec![],
            &["-c", "import wasm3; print('pywasm3')"],
        ),
        mk(
            Kind::Node,
            "node",
            PathBuf::from("node"),
            vec!["--no-warnings"],
            &["--version"],
        ),
    ];
    for rt in &mut list {
        if rt.kind == Kind::StrataCached {
            rt.env.push(("XDG_CACHE_HOME", cache.join("strata-xdg-cache")));
        }
        match rt.kind {
            Kind::Wasm3 => rt.prefix.push(wasm3_script.to_string_lossy().into_owned()),
            Kind::Node => rt.prefix.push(node_script.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    list
}

fn command(rt: &Runtime, prog: &Program, args: &[String]) -> Command {
    let mut cmd;
    match rt.kind {
        Kind::Native => {
            cmd = Command::new(&prog.native);
        }
        Kind::WasmtimeCwasm => {
            cmd = Command::new(&rt.program);
            cmd.args(&rt.prefix).arg(prog.wasm.with_extension("cwasm"));
        }
        Kind::StrataAot => {
            cmd = Command::new(&rt.program);
            cmd.args(&rt.prefix)
                .arg(prog.wasm.with_extension("strata.cwasm"));
        }
        _ => {
            cmd = Command::new(&rt.program);
            cmd.args(&rt.prefix).arg(&prog.wasm);
        }
    }
    cmd.args(args);
    for (k, v) in &rt.env {
        cmd.env(k, v);
    }
    cmd
}

#[derive(Default)]
struct Cell {
    work: Vec<Sample>,
    start: Vec<Sample>,
    error: Option<String>,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Stats {
    total: f64,
    start: f64,
    exec: f64,
    spread: f64,
    start_spread: f64,
    rss_mib: f64,
}

fn stats(cell: &Cell) -> Option<Stats> {
    if cell.error.is_some() || cell.work.is_empty() {
        return None;
    }
    let total = median(cell.work.iter().map(|s| s.wall).collect());
    let start = median(cell.start.iter().map(|s| s.wall).collect());
    let spread = |v: &[Sample], mid: f64| {
        let lo = v.iter().map(|s| s.wall).fold(f64::INFINITY, f64::min);
        let hi = v.iter().map(|s| s.wall).fold(0.0, f64::max);
        (hi - lo) / mid
    };
    Some(Stats {
        total,
        start,
        exec: (total - start).max(1e-4),
        spread: spread(&cell.work, total),
        start_spread: spread(&cell.start, start),
        rss_mib: cell.work.iter().map(|s| s.rss_kib).max().unwrap_or(0) as f64 / 1024.0,
    })
}

fn fmt_secs(s: f64) -> String {
    if s < 0.01 {
        format!("{:.1}ms", s * 1000.0)
    } else {
        format!("{s:.3}s")
    }
}

fn geomean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}

fn svg_chart(
    programs: &[Program],
    rts: &[Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
) -> String {
    let wasm_rts: Vec<&Runtime> = rts
        .iter()
        .filter(|r| r.kind != Kind::Native && !is_metered(r.kind))
        .collect();
    svg_panel(
        programs,
        &wasm_rts,
        table,
        |s| s.exec,
        "Execution time relative to native (log scale, lower is better)",
    )
}

/// Tiering's trade-off in one picture: start-up (time to first output)
/// and total time, each relative to native, for the tiered default, the
/// tiers it sits between, and the peers' defaults.
fn svg_tiering_chart(
    programs: &[Program],
    rts: &[Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
) -> String {
    let shown: Vec<&Runtime> = rts
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                Kind::StrataAuto
                    | Kind::StrataInterp
                    | Kind::StrataJit
                    | Kind::Wasmtime
                    | Kind::Wasmi
                    | Kind::Node
            )
        })
        .collect();
    let start = svg_panel(
        programs,
        &shown,
        table,
        |s| s.start,
        "Start-up: time to first output, relative to native",
    );
    let total = svg_panel(
        programs,
        &shown,
        table,
        |s| s.total,
        "Total time relative to native (log scale, lower is better)",
    );
    let height = |svg: &str| {
        svg.split("height=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .and_then(|h| h.parse::<f64>().ok())
            .unwrap_or(600.0)
    };
    let h = height(&start).max(height(&total));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1520\" height=\"{h}\">\n<svg x=\"0\" y=\"0\">{start}</svg>\n<svg x=\"760\" y=\"0\">{total}</svg>\n</svg>\n"
    )
}

/// One chart: `metric` of each runtime relative to native, log scale, one
/// group of bars per program.
fn svg_panel(
    programs: &[Program],
    wasm_rts: &[&Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
    metric: fn(&Stats) -> f64,
    title: &str,
) -> String {
    let colors = [
        "#d62728", "#8c564b", "#e377c2", "#7f7f7f", "#1f77b4", "#aec7e8", "#2ca02c", "#ff7f0e", "#9467bd",
    ];
    let bar_h = 9.0;
    let group_h = bar_h * wasm_rts.len() as f64 + 12.0;
    let left = 90.0;
    let width = 760.0;
    let plot_w = width - left - 20.0;
    let top = 40.0;
    let height = top + group_h * programs.len() as f64 + 30.0 + 18.0 * wasm_rts.len() as f64;
    // The axis starts below 1× so that a runtime faster than the native
    // build keeps a visible bar.
    let (min_ratio, max_ratio): (f64, f64) = (0.25, 1000.0);
    let x = |r: f64| {
        left + plot_w * ((r.max(min_ratio) / min_ratio).ln() / (max_ratio / min_ratio).ln()).min(1.0)
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="18" font-size="14">{title}</text>"#
    );
    for tick in [0.25, 0.5, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0] {
        let tx = x(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{:.1}" stroke="#ddd"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle">{tick}×</text>"##,
            top + group_h * programs.len() as f64,
            top - 4.0
        );
    }
    for (pi, prog) in programs.iter().enumerate() {
        let gy = top + group_h * pi as f64;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            gy + group_h / 2.0,
            prog.name
        );
        let native = table
            .get(&(pi, Kind::Native))
            .and_then(stats)
            .map(|s| metric(&s));
        for (ri, rt) in wasm_rts.iter().enumerate() {
            let y = gy + 4.0 + bar_h * ri as f64;
            let ratio = match (table.get(&(pi, rt.kind)).and_then(stats), native) {
                (Some(st), Some(n)) => metric(&st) / n,
                _ => {
                    // A failed (or unmeasured) run is marked, not left blank.
                    if table.get(&(pi, rt.kind)).is_some_and(|c| c.error.is_some()) {
                        let _ = writeln!(
                            s,
                            r##"<text x="{:.1}" y="{:.1}" font-size="8" fill="{}">failed: {}</text>"##,
                            left + 2.0,
                            y + bar_h - 2.0,
                            colors[ri % colors.len()],
                            rt.name
                        );
                    }
                    continue;
                }
            };
            let _ = writeln!(
                s,
                r#"<rect x="{left}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: {ratio:.1}×</title></rect>"#,
                (x(ratio) - left).max(1.0),
                bar_h - 1.0,
                colors[ri % colors.len()],
                prog.name,
                rt.name
            );
        }
    }
    let ly = top + group_h * programs.len() as f64 + 20.0;
    for (ri, rt) in wasm_rts.iter().enumerate() {
        let y = ly + 18.0 * ri as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{left}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            y - 10.0,
            colors[ri % colors.len()],
            left + 18.0,
            y,
            rt.name
        );
    }
    s.push_str("</svg>\n");
    s
}

fn main() {
    let opts = match parse_opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("compare: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = real_main(&opts) {
        eprintln!("compare: {e}");
        std::process::exit(1);
    }
}

/// Start-up runs per program, runtime and round.
const START_RUNS_PER_ROUND: usize = 3;

fn real_main(opts: &Opts) -> Result<(), String> {
    let build = opts.out.join("build");
    std::fs::create_dir_all(&build).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&opts.cache).map_err(|e| e.to_string())?;
    eprintln!("building programs...");
    let mut programs = build_c_programs(&build, opts.quick)?;
    match build_lua(&build, &opts.cache, opts.quick) {
        Ok(p) => programs.push(p),
        Err(e) => eprintln!("lua: not built: {e}"),
    }
    if !opts.only.is_empty() {
        programs.retain(|p| opts.only.contains(&p.name));
    }
    let mut rts = runtimes(opts);
    if !opts.runtimes.is_empty() {
        rts.retain(|r| opts.runtimes.iter().any(|n| n == r.name));
    }
    if let Some(wt) = rts
        .iter()
        .find(|r| r.kind == Kind::Wasmtime && r.missing.is_none())
    {
        for p in &programs {
            let _ = sh(Command::new(&wt.program)
                .arg("compile")
                .arg(&p.wasm)
                .arg("-o")
                .arg(p.wasm.with_extension("cwasm")));
        }
    }
    for rt in rts.iter().filter(|r| r.missing.is_none()) {
        match rt.kind {
            Kind::StrataAot => {
                for p in &programs {
                    let _ = sh(Command::new(&rt.program)
                        .arg("compile")
                        .arg(&p.wasm)
                        .arg("-o")
                        .arg(p.wasm.with_extension("strata.cwasm")));
                }
            }
            Kind::StrataCached => {
                // A fresh cache, filled by one untimed run of each program.
                for (_, dir) in &rt.env {
                    let _ = std::fs::remove_dir_all(dir);
                }
                for p in &programs {
                    let _ = run(&mut command(rt, p, &p.start_args));
                }
            }
            _ => {}
        }
    }
    for rt in &rts {
        match &rt.missing {
            Some(why) => eprintln!("{:>15}: MISSING ({why})", rt.name),
            None => eprintln!("{:>15}: {}", rt.name, rt.version),
        }
    }

    let mut table: BTreeMap<(usize, Kind), Cell> = BTreeMap::new();
    // Within a round, the runtimes the tiering table compares run back to
    // back (see `run_rank`), so that each round gives them one paired
    // sample under the same machine conditions.
    let mut run_order: Vec<&Runtime> = rts.iter().filter(|r| r.missing.is_none()).collect();
    run_order.sort_by_key(|r| run_rank(r.kind));
    for rep in 0..opts.reps {
        eprintln!("round {}/{}", rep + 1, opts.reps);
        for (pi, prog) in programs.iter().enumerate() {
            for rt in run_order.iter().copied() {
                let cell = table.entry((pi, rt.kind)).or_default();
                if cell.error.is_some() {
                    continue;
                }
                let work = run(&mut command(rt, prog, &prog.work_args));
                // Start-up runs are short and noisy: three per round.
                let starts: Result<Vec<Sample>, String> = (0..START_RUNS_PER_ROUND)
                    .map(|_| run(&mut command(rt, prog, &prog.start_args)).map(|r| r.0))
                    .collect();
                match (work, starts) {
                    (Ok((w, out, _)), Ok(starts)) => {
                        if checksum_line(&out).as_deref() != Some(prog.expected.as_str()) {
                            cell.error = Some(format!("wrong checksum: {:?}", checksum_line(&out)));
                        } else {
                            cell.work.push(w);
                            cell.start.extend(starts);
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => cell.error = Some(e),
                }
            }
        }
    }

    let report = render(opts, &programs, &rts, &table);
    println!("{report}");
    // A quick run never overwrites the full run's results.
    let stem = if opts.quick { "latest-quick" } else { "latest" };
    let md_path = opts.out.join(format!("{stem}.md"));
    let svg_path = opts.out.join(format!("{stem}.svg"));
    std::fs::write(&md_path, &report).map_err(|e| e.to_string())?;
    std::fs::write(&svg_path, svg_chart(&programs, &rts, &table)).map_err(|e| e.to_string())?;
    let tiering_path = opts.out.join(format!("{stem}-tiering.svg"));
    std::fs::write(&tiering_path, svg_tiering_chart(&programs, &rts, &table))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {}, {} and {}",
        md_path.display(),
        svg_path.display(),
        tiering_path.display()
    );
    Ok(())
}

/// Where a runtime runs within a round: the tiered default first, then
/// the tiers and peer defaults it is compared with (the compiled ones
/// before the interpreters, whose runs take longest), then the rest. On a
/// shared machine the speed drifts over seconds to minutes (a native
/// build's runs spread by 30%, while two runs back to back differ by
/// about 5%), so runs close in time make fair pairs.
fn run_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Native => 0,
        Kind::StrataAuto => 1,
        Kind::Wasmtime => 2,
        Kind::StrataJit => 3,
        Kind::Node => 4,
        Kind::StrataInterp => 5,
        Kind::Wasmi => 6,
        _ => 7,
    }
}

/// The median over rounds of `a`'s time over `b`'s in the same round (the
/// i-th sample of each): the runs of one round were taken close together
/// (see [`run_rank`]), so the machine's slow drift cancels out of each
/// ratio, where a ratio of two medians keeps it.
fn paired_ratio(a: &[Sample], b: &[Sample]) -> Option<f64> {
    let ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(_, b)| b.wall > 0.0)
        .map(|(a, b)| a.wall / b.wall)
        .collect();
    (!ratios.is_empty()).then(|| median(ratios))
}

/// The tiered default against both ends of its trade-off and the peers'
/// defaults: start-up (time to first output, from the start-up run) and
/// total time (the work run), per program.
fn tiering_section(
    md: &mut String,
    programs: &[Program],
    rts: &[Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
) {
    let get = |pi: usize, kind: Kind| table.get(&(pi, kind)).and_then(stats);
    // A cell's samples, when it has any and did not fail.
    let samples = |pi: usize, kind: Kind| {
        table
            .get(&(pi, kind))
            .filter(|c| c.error.is_none() && !c.work.is_empty())
    };
    let name = |kind: Kind| {
        rts.iter()
            .find(|r| r.kind == kind && r.missing.is_none())
            .map(|r| r.name)
    };
    let peers = [Kind::Wasmtime, Kind::Wasmi, Kind::Node];
    let _ = writeln!(md, "## Tiered execution (the default)\n");
    let _ = writeln!(
        md,
        "`strata-auto` (no cache) as a multiple of the interpreter's and the JIT's time and of each peer's default, per program: start-up is the time to first output (the start-up run), total is the work run's wall time. Each figure is the median over rounds of the ratio of the two runs of one round, taken one after the other, which cancels the machine's slow drift (a ratio of medians would keep it). Below 1× is better for `strata-auto`. The chart is `*-tiering.svg`.\n"
    );
    let mut header = String::from("| program | start / interp | total / jit |");
    let mut rule = String::from("|---|---:|---:|");
    for p in peers {
        if let Some(n) = name(p) {
            let _ = write!(header, " start / {n} | total / {n} |");
            rule.push_str("---:|---:|");
        }
    }
    let _ = writeln!(md, "{header}\n{rule}");
    let fmt = |r: Option<f64>| r.map_or("–".to_string(), |r| format!("{r:.2}×"));
    // (start-up ratio, total ratio) of the tiered default to `kind`.
    let ratios = |pi: usize, kind: Kind| {
        let (Some(auto), Some(other)) = (samples(pi, Kind::StrataAuto), samples(pi, kind)) else {
            return ("–".to_string(), "–".to_string());
        };
        (
            fmt(paired_ratio(&auto.start, &other.start)),
            fmt(paired_ratio(&auto.work, &other.work)),
        )
    };
    for (pi, prog) in programs.iter().enumerate() {
        let auto = get(pi, Kind::StrataAuto);
        if auto.is_none() {
            let failed = table
                .get(&(pi, Kind::StrataAuto))
                .is_some_and(|c| c.error.is_some());
            let _ = writeln!(
                md,
                "| {} | {} |",
                prog.name,
                if failed { "failed¹" } else { "no data" }
            );
            continue;
        }
        let _ = write!(
            md,
            "| {} | {} | {} |",
            prog.name,
            ratios(pi, Kind::StrataInterp).0,
            ratios(pi, Kind::StrataJit).1
        );
        for p in peers {
            if name(p).is_some() {
                let (start, total) = ratios(pi, p);
                let _ = write!(md, " {start} | {total} |");
            }
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md);
}

/// What SIMD buys: each `-simd` program's execution time as a fraction of
/// its scalar build's, per runtime, and the SIMD builds against the peers.
fn simd_section(
    md: &mut String,
    programs: &[Program],
    rts: &[Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
) {
    let pairs: Vec<(usize, usize)> = programs
        .iter()
        .enumerate()
        .filter_map(|(si, p)| {
            let scalar = p.name.strip_suffix("-simd")?;
            let pi = programs.iter().position(|q| q.name == scalar)?;
            Some((pi, si))
        })
        .collect();
    if pairs.is_empty() {
        return;
    }
    let wasm_rts: Vec<&Runtime> = rts
        .iter()
        .filter(|r| r.kind != Kind::Native && r.missing.is_none())
        .collect();
    let exec = |pi: usize, kind: Kind| table.get(&(pi, kind)).and_then(stats).map(|s| s.exec);
    let _ = writeln!(md, "## SIMD\n");
    let _ = writeln!(
        md,
        "The programs of `programs/simd`, built as scalar wasm and with `-msimd128` (`-simd`). Speed-up: the scalar build's execution time over the SIMD build's, per runtime (above 1× means SIMD pays). Then the SIMD build's execution time per runtime, as a multiple of `strata-jit`'s and `strata-auto`'s.\n"
    );
    let mut header = String::from("| program |");
    let mut rule = String::from("|---|");
    for r in &wasm_rts {
        let _ = write!(header, " {} |", r.name);
        rule.push_str("---:|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    let cell = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.2}×"));
    for &(pi, si) in &pairs {
        let _ = write!(md, "| {} speed-up |", programs[pi].name);
        for r in &wasm_rts {
            let v = match (exec(pi, r.kind), exec(si, r.kind)) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                _ => None,
            };
            let _ = write!(md, " {} |", cell(v));
        }
        let _ = writeln!(md);
    }
    for base in [Kind::StrataJit, Kind::StrataAuto] {
        for &(_, si) in &pairs {
            let _ = write!(md, "| {} / {} |", programs[si].name, base_name(rts, base));
            for r in &wasm_rts {
                let v = match (exec(si, r.kind), exec(si, base)) {
                    (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                    _ => None,
                };
                let _ = write!(md, " {} |", cell(v));
            }
            let _ = writeln!(md);
        }
    }
    let _ = writeln!(md);
}

fn base_name(rts: &[Runtime], kind: Kind) -> &'static str {
    rts.iter().find(|r| r.kind == kind).map_or("?", |r| r.name)
}

fn render(
    opts: &Opts,
    programs: &[Program],
    rts: &[Runtime],
    table: &BTreeMap<(usize, Kind), Cell>,
) -> String {
    let mut md = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let _ = writeln!(md, "# Strata benchmark results\n");
    let _ = writeln!(
        md,
        "Mode: {}, {} interleaved rounds; {cores} cores, {cpu}. Medians; `±` is the spread (max−min)/median of the run the figure comes from (the start-up run for cold start, the work run otherwise). Ratios are to the native (`gcc -O2`) build measured in the same run.\n",
        if opts.quick { "quick" } else { "full" },
        opts.reps
    );
    let _ = writeln!(md, "Runtimes:\n");
    for rt in rts {
        match &rt.missing {
            Some(why) => {
                let _ = writeln!(md, "- {}: **missing** ({why})", rt.name);
            }
            None => {
                let _ = writeln!(md, "- {}: {}", rt.name, rt.version);
            }
        }
    }
    let _ = writeln!(md);
    let metrics: [(&str, &str); 4] = [
        ("exec", "Execution time (work run minus start-up run)"),
        (
            "start",
            "Cold start (start-up run: read, validate, compile, instantiate, libc start-up)",
        ),
        ("total", "Total wall time"),
        ("rss", "Peak RSS (MiB)"),
    ];
    for (key, title) in metrics {
        let _ = writeln!(md, "## {title}\n");
        let mut header = String::from("| program | wasm size |");
        let mut rule = String::from("|---|---:|");
        for rt in rts {
            let _ = write!(header, " {} |", rt.name);
            rule.push_str("---:|");
        }
        let _ = writeln!(md, "{header}\n{rule}");
        for (pi, prog) in programs.iter().enumerate() {
            let native = table.get(&(pi, Kind::Native)).and_then(stats);
            let _ = write!(md, "| {} | {} KiB |", prog.name, prog.wasm_bytes / 1024);
            for rt in rts {
                let cell = table.get(&(pi, rt.kind));
                let text = match (cell, &rt.missing) {
                    (_, Some(_)) => "missing".to_string(),
                    (Some(c), _) if c.error.is_some() => "failed¹".to_string(),
                    (Some(c), _) => match stats(c) {
                        Some(st) => {
                            let (v, base) = match key {
                                "exec" => (st.exec, native.as_ref().map(|n| n.exec)),
                                "start" => (st.start, native.as_ref().map(|n| n.start)),
                                "total" => (st.total, native.as_ref().map(|n| n.total)),
                                _ => (st.rss_mib, None),
                            };
                            let spread = if key == "start" {
                                st.start_spread
                            } else {
                                st.spread
                            };
                            match (key, base) {
                                ("rss", _) => format!("{v:.1}"),
                                (_, Some(b)) if rt.kind != Kind::Native => format!(
                                    "{} ±{:.0}% ({:.1}×)",
                                    fmt_secs(v),
                                    spread * 100.0,
                                    v / b
                                ),
                                _ => format!("{} ±{:.0}%", fmt_secs(v), spread * 100.0),
                            }
                        }
                        None => "no data".to_string(),
                    },
                    (None, _) => "no data".to_string(),
                };
                let _ = write!(md, " {text} |");
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md);
    }
    let failures: Vec<String> = table
        .iter()
        .filter_map(|((pi, kind), c)| {
            let rt = rts.iter().find(|r| r.kind == *kind)?;
            c.error
                .as_ref()
                .map(|e| format!("- {} on {}: {}", rt.name, programs[*pi].name, e))
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(
            md,
            "¹ Failed runs (excluded from every figure):\n\n{}\n",
            failures.join("\n")
        );
    }
    let _ = writeln!(md, "## Cost of metering\n");
    let _ = writeln!(
        md,
        "Execution time with fuel (`--fuel`) or epoch checks (`--timeout`) on, as a multiple of the same tier with both off (geometric mean over programs):\n"
    );
    for (base, metered) in [
        (Kind::StrataInterp, Kind::StrataInterpFuel),
        (Kind::StrataInterp, Kind::StrataInterpEpoch),
        (Kind::StrataJit, Kind::StrataJitFuel),
        (Kind::StrataJit, Kind::StrataJitEpoch),
    ] {
        let ratios: Vec<f64> = (0..programs.len())
            .filter_map(|pi| {
                let a = table.get(&(pi, metered)).and_then(stats)?;
                let b = table.get(&(pi, base)).and_then(stats)?;
                Some(a.exec / b.exec)
            })
            .collect();
        if let Some(rt) = rts.iter().find(|r| r.kind == metered)
            && !ratios.is_empty()
        {
            let _ = writeln!(md, "- {}: {:.2}×", rt.name, geomean(&ratios));
        }
    }
    let _ = writeln!(md);
    tiering_section(&mut md, programs, rts, table);
    simd_section(&mut md, programs, rts, table);
    let _ = writeln!(md, "## Summary\n");
    for tier in rts
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                Kind::StrataAuto | Kind::StrataInterp | Kind::StrataJit | Kind::StrataCached
            ) && r.missing.is_none()
        })
    {
        let mut parts = Vec::new();
        for peer in rts
            .iter()
            .filter(|r| r.kind != tier.kind && r.missing.is_none() && !is_metered(r.kind))
        {
            let (mut exec, mut start) = (Vec::new(), Vec::new());
            for pi in 0..programs.len() {
                if let (Some(a), Some(b)) = (
                    table.get(&(pi, tier.kind)).and_then(stats),
                    table.get(&(pi, peer.kind)).and_then(stats),
                ) {
                    exec.push(a.exec / b.exec);
                    start.push(a.start / b.start);
                }
            }
            parts.push(format!(
                "{:.2}× {}'s execution time, {:.2}× its cold start",
                geomean(&exec),
                peer.name,
                geomean(&start)
            ));
        }
        let _ = writeln!(
            md,
            "**{}** (geometric mean over programs): {}.\n",
            tier.name,
            parts.join("; ")
        );
    }
    md
}
