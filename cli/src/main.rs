//! The `strata` command line.
//!
//! Follows wasmtime's conventions: `strata run FILE [ARGS...]` runs a
//! module's `_start` (or `--invoke NAME` with typed arguments), a trap
//! prints `Error: ` with its message and wasm backtrace and exits with 134.

mod run;
mod wast_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use strata::Tier;

#[derive(Parser)]
#[command(
    name = "strata",
    version,
    about = "A WebAssembly runtime with pluggable tiers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
        format!("unknown tier `{s}` (expected one of: {})", names.join(", "))
    })
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module (binary or text).
    Run(run::RunArgs),
    /// Compile a module ahead of time into an artifact that `strata run`
    /// maps and runs without compiling.
    Compile {
        /// The module (`.wasm` or `.wat`).
        file: PathBuf,
        /// Where to write the artifact (default: FILE with the extension
        /// `.cwasm`).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Call functions of the same module through its entry table (the
        /// artifact then runs only with `strata run --jit-call-table`).
        #[arg(long)]
        jit_call_table: bool,
    },
    /// Check that a module is valid; prints nothing if it is.
    Validate {
        /// The module (`.wasm` or `.wat`).
        file: PathBuf,
    },
    /// Run WebAssembly spec test scripts (`.wast`).
    Wast {
        /// The execution tier (`interp`, `jit`, `auto`), or `aot`: the JIT
        /// with every module written to an artifact and mapped back.
        #[arg(long, default_value = "interp", value_parser = wast_cmd::parse_wast_tier)]
        tier: wast_cmd::WastTier,
        /// With `--tier auto`: compile every function on the spot once it
        /// has run this many calls and loop iterations (1: after its first
        /// call, with loops entered through on-stack replacement) instead
        /// of in the background.
        #[arg(long, value_name = "N")]
        tier_up_eagerly: Option<u32>,
        /// Feature set: `2.0` for exactly WebAssembly 2.0; `all` for every
        /// feature Strata supports.
        #[arg(long, default_value = "all", value_parser = ["2.0", "all"])]
        features: String,
        /// The scripts.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compile {
            file,
            output,
            jit_call_table,
        } => compile(&file, output, !jit_call_table),
        Command::Validate { file } => validate(&file),
        Command::Wast {
            tier,
            features,
            tier_up_eagerly,
            files,
        } => wast_cmd::wast(tier, features == "2.0", tier_up_eagerly, &files),
    }
}

fn compile(file: &PathBuf, output: Option<PathBuf>, direct_calls: bool) -> ExitCode {
    let out = output.unwrap_or_else(|| file.with_extension("cwasm"));
    let result = (|| -> Result<(), strata::Error> {
        let mut config = strata::Config::new();
        config.tier(Tier::Jit).jit_direct_calls(direct_calls);
        let engine = strata::Engine::new(&config)?;
        let module = strata::Module::from_file(&engine, file)?;
        let bytes = module.serialize()?;
        // Write beside the target and rename over it: a file that some
        // process has mapped is never rewritten in place.
        let tmp = out.with_extension(format!("cwasm.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes)
            .and_then(|()| std::fs::rename(&tmp, &out))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                strata::Error::Usage(format!("cannot write {}: {e}", out.display()))
            })
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}: {e}", file.display());
            ExitCode::from(1)
        }
    }
}

fn validate(file: &PathBuf) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("Error: failed to read {}: {e}", file.display());
            return ExitCode::from(1);
        }
    };
    let engine = strata::Engine::default();
    match strata::Module::new(&engine, &bytes) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}: {e}", file.display());
            ExitCode::from(1)
        }
    }
}
