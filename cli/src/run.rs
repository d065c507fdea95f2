//! `strata run`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use strata::{Config, Engine, Error, Func, Linker, Module, Store, Tier, Val, ValType};
use strata_wasi::{I32Exit, WasiCtx};

/// Exit status of a run that trapped, as wasmtime uses it.
const TRAP_EXIT: u8 = 134;

#[derive(Args)]
pub struct RunArgs {
    /// The execution tier: `auto` (the default: start interpreted, compile
    /// hot functions in the background), `interp` or `jit`; an artifact
    /// from `strata compile` runs compiled.
    #[arg(long, value_parser = crate::parse_tier)]
    tier: Option<Tier>,
    /// With `--tier auto`: calls plus loop iterations after which a
    /// function is compiled.
    #[arg(long, value_name = "N")]
    tier_up_threshold: Option<u32>,
    /// With `--tier auto`: when the program ends after functions tiered
    /// up, compile the whole module into the cache, so that the next run
    /// starts compiled.
    #[arg(long)]
    cache_on_exit: bool,
    /// With `--tier auto`: how many threads compile hot functions.
    #[arg(long, value_name = "N")]
    compile_threads: Option<usize>,
    /// Do not keep compiled code in (or load it from) the cache folder
    /// (`$XDG_CACHE_HOME/strata`, used by compiling tiers).
    #[arg(long)]
    no_cache: bool,
    /// Report on stderr how the module's code was obtained and how long it
    /// took (compiled, from the cache, or from an artifact), and with
    /// `--tier auto` each function as it tiers up.
    #[arg(short, long)]
    verbose: bool,
    /// Stop the guest after this long (`500ms`, `2s`, `1m`): a timer thread
    /// advances the engine's epoch, and the guest traps with `interrupt`
    /// at its next function entry or loop header.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<std::time::Duration>,
    /// Give the guest this much fuel (one unit per wasm operator, the same
    /// in every tier); it traps with `all fuel consumed` when it runs out.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Cap each linear memory at this many bytes (`64K`, `16M`, `1G`): a
    /// `memory.grow` past it answers -1 to the guest.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Call this exported function instead of `_start`; the arguments after
    /// the module are its parameters.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// Give the guest a host directory, as `HOST_DIR[::GUEST_DIR]`.
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]")]
    dirs: Vec<String>,
    /// Set a guest environment variable: `NAME=VAL`, or `NAME` to pass the
    /// host's value through.
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,
    /// JIT: call functions of the same module through the module's entry
    /// table instead of directly (see `Config::jit_direct_calls`).
    #[arg(long)]
    jit_call_table: bool,
    /// The module (`.wasm` or `.wat`).
    file: PathBuf,
    /// Arguments for the program (or for the `--invoke`d function).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(args: RunArgs) -> ExitCode {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<I32Exit>() {
                // wasmtime's convention: statuses beyond a byte mean failure.
                return ExitCode::from(u8::try_from(exit.0).unwrap_or(1));
            }
            eprintln!("Error: {e}");
            if let (Some(t), Some(limit)) = (e.as_trap(), args.timeout)
                && t.code() == strata::TrapCode::Interrupt
            {
                eprintln!("(stopped by --timeout {limit:?})");
            }
            if let (Some(t), Some(fuel)) = (e.as_trap(), args.fuel)
                && t.code() == strata::TrapCode::OutOfFuel
            {
                eprintln!("(the guest used all {fuel} units of --fuel)");
            }
            if e.as_trap().is_some() {
                ExitCode::from(TRAP_EXIT)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// `-v`'s line for a function that tiered up.
fn log_tier_up(e: &strata::TierUpEvent) {
    let name = match &e.func_name {
        Some(n) => format!("function {} `{n}`", e.func_index),
        None => format!("function {}", e.func_index),
    };
    let what = match e.loop_offset {
        Some(off) => format!("{name}: on-stack-replacement entry at loop @{off:#x}"),
        None => name,
    };
    match &e.error {
        None => eprintln!(
            "strata: tier-up at {:.1?}: {what} compiled in {:.2?}",
            e.at, e.compile_time
        ),
        Some(err) => eprintln!(
            "strata: tier-up at {:.1?}: {what} stays interpreted: {err}",
            e.at
        ),
    }
}

fn run_inner(args: &RunArgs) -> Result<ExitCode, Error> {
    let artifact = is_artifact_file(&args.file)?;
    let tier = match (args.tier, artifact) {
        (None, false) => Tier::Auto,
        (None | Some(Tier::Auto), true) => Tier::Jit,
        (Some(Tier::Interpreter), true) => {
            return Err(Error::Usage(format!(
                "{} is compiled code (from `strata compile`): run it with `--tier jit`",
                args.file.display()
            )));
        }
        (Some(t), _) => t,
    };
    let mut config = Config::new();
    config.tier(tier);
    config.jit_direct_calls(!args.jit_call_table);
    if tier != Tier::Interpreter && !args.no_cache {
        config.cache_user_default();
    }
    if let Some(n) = args.tier_up_threshold {
        config.tier_up_threshold(n);
    }
    config.cache_tiered_on_drop(args.cache_on_exit);
    if let Some(n) = args.compile_threads {
        config.compile_threads(n);
    }
    if args.verbose {
        config.on_tier_up(log_tier_up);
    }
    config.epoch_interruption(args.timeout.is_some());
    config.consume_fuel(args.fuel.is_some());
    let engine = Engine::new(&config)?;
    let started = std::time::Instant::now();
    let module = if artifact {
        // SAFETY: the user asked to run this file, as they would run any
        // program; its checks refuse files from another Strata, host or
        // configuration, and damaged ones.
        unsafe { Module::deserialize_file(&engine, &args.file)? }
    } else {
        // A read error names the file already.
        Module::from_file(&engine, &args.file).map_err(|e| match e {
            Error::Usage(message) => Error::Usage(message),
            e => Error::Usage(format!("{}: {e}", args.file.display())),
        })?
    };
    if args.verbose {
        let how = match module.code_origin() {
            strata::CodeOrigin::Compiled => "compiled",
            strata::CodeOrigin::Cache => "loaded from the cache",
            strata::CodeOrigin::Artifact => "loaded from the artifact",
        };
        eprintln!(
            "strata: {} ({}): {how} in {:.2?}",
            args.file.display(),
            tier.name(),
            started.elapsed()
        );
    }
    let mut store = Store::new(&engine, wasi_ctx(args)?);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel)?;
    }
    if let Some(bytes) = args.max_memory {
        store.limiter(strata::StoreLimitsBuilder::new().memory_size(bytes).build());
    }
    if let Some(timeout) = args.timeout {
        store.set_epoch_deadline(1);
        let engine = engine.clone();
        // Detached: the process ends with the guest, and the timer only
        // ever advances the epoch.
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            engine.increment_epoch();
        });
    }
    let mut linker = Linker::new(&engine);
    strata_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let func_name = match &args.invoke {
        Some(name) => name.clone(),
        None => {
            if instance.get_func(&mut store, "_start").is_none() {
                return Ok(ExitCode::SUCCESS);
            }
            "_start".to_string()
        }
    };
    let func = instance
        .get_func(&mut store, &func_name)
        .ok_or_else(|| Error::Usage(format!("no exported function named `{func_name}`")))?;
    let call_args = if args.invoke.is_some() {
        parse_args(&func, &store, &args.args)?
    } else {
        Vec::new()
    };
    let results = call(&func, &mut store, &call_args)?;
    for r in results {
        println!("{}", format_val(&r));
    }
    Ok(ExitCode::SUCCESS)
}

/// A size in bytes such as `65536`, `64K`, `16M` or `1G`.
fn parse_size(s: &str) -> Result<usize, String> {
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size (for example 65536, 64K, 16M, 1G)"))
}

/// A duration such as `250ms`, `2s`, `1.5s` or `3m`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (num, unit) = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (for example 500ms, 2s, 1m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use ms, s, m or h)")),
    };
    std::time::Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

/// Whether `path` starts with an artifact's magic.
fn is_artifact_file(path: &std::path::Path) -> Result<bool, Error> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path)
        .map_err(|e| Error::Usage(format!("failed to read {}: {e}", path.display())))?;
    let n = f
        .read(&mut head)
        .map_err(|e| Error::Usage(format!("failed to read {}: {e}", path.display())))?;
    Ok(Module::is_artifact(&head[..n]))
}

fn wasi_ctx(args: &RunArgs) -> Result<WasiCtx, Error> {
    let mut b = WasiCtx::builder();
    b.inherit_stdio();
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    b.arg(name);
    if args.invoke.is_none() {
        b.args(args.args.iter().cloned());
    }
    for env in &args.envs {
        match env.split_once('=') {
            Some((k, v)) => {
                b.env(k, v);
            }
            None => {
                if let Ok(v) = std::env::var(env) {
                    b.env(env.as_str(), v);
                }
            }
        }
    }
    for dir in &args.dirs {
        let (host, guest) = dir.split_once("::").unwrap_or((dir.as_str(), dir.as_str()));
        b.preopened_dir(host, guest)
            .map_err(|e| Error::Usage(format!("--dir {dir}: {e}")))?;
    }
    Ok(b.build())
}

fn call<T>(func: &Func, store: &mut Store<T>, args: &[Val]) -> Result<Vec<Val>, Error> {
    let ty = func.ty(&*store)?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    func.call(store, args, &mut results)?;
    Ok(results)
}

fn parse_args<T>(func: &Func, store: &Store<T>, args: &[String]) -> Result<Vec<Val>, Error> {
    let ty = func.ty(store)?;
    if ty.params().len() != args.len() {
        return Err(Error::Usage(format!(
            "function of type `{ty}` needs {} arguments, {} given",
            ty.params().len(),
            args.len()
        )));
    }
    ty.params()
        .iter()
        .zip(args)
        .map(|(t, a)| parse_val(*t, a))
        .collect()
}

fn parse_int<T: TryFrom<i128>>(s: &str) -> Option<T> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    T::try_from(if neg { -v } else { v }).ok()
}

fn parse_val(ty: ValType, s: &str) -> Result<Val, Error> {
    let bad = || Error::Usage(format!("invalid {ty} argument `{s}`"));
    Ok(match ty {
        // Accept the unsigned spelling of large values too, as wasmtime does.
        ValType::I32 => Val::I32(
            parse_int::<i32>(s)
                .or_else(|| parse_int::<u32>(s).map(|v| v as i32))
                .ok_or_else(bad)?,
        ),
        ValType::I64 => Val::I64(
            parse_int::<i64>(s)
                .or_else(|| parse_int::<u64>(s).map(|v| v as i64))
                .ok_or_else(bad)?,
        ),
        ValType::F32 => Val::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Val::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
        _ => {
            return Err(Error::Usage(format!(
                "cannot pass a {ty} from the command line"
            )));
        }
    })
}

fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::V128(x) => format!("{x:#034x}"),
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "<funcref>".to_string(),
        Val::ExternRef(Some(_)) => "<externref>".to_string(),
    }
}
