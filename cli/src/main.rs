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
    /// Check that a module is valid; prints nothing if it is.
    Validate {
        /// The module (`.wasm` or `.wat`).
        file: PathBuf,
    },
    /// Run WebAssembly spec test scripts (`.wast`).
    Wast {
        /// The execution tier.
        #[arg(long, default_value = "interp", value_parser = parse_tier)]
        tier: Tier,
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
        Command::Validate { file } => validate(&file),
        Command::Wast {
            tier,
            features,
            files,
        } => wast_cmd::wast(tier, features == "2.0", &files),
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
