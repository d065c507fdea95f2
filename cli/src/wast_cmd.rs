//! `strata wast`: spec scripts with per-file and total counts.

use std::path::PathBuf;
use std::process::ExitCode;
use strata::Tier;
use strata_spec_tests::{WastOptions, run_wast};

/// What `strata wast --tier` accepts: an execution tier, or `aot`: the
/// JIT, with every module written to an artifact file and mapped back
/// before it runs.
#[derive(Clone, Copy)]
pub enum WastTier {
    Tier(Tier),
    Aot,
}

pub fn parse_wast_tier(s: &str) -> Result<WastTier, String> {
    if s == "aot" {
        return Ok(WastTier::Aot);
    }
    crate::parse_tier(s)
        .map(WastTier::Tier)
        .map_err(|e| format!("{e}, or aot"))
}

pub fn wast(
    tier: WastTier,
    wasm_2_0: bool,
    tier_up_eagerly: Option<u32>,
    files: &[PathBuf],
) -> ExitCode {
    let tier_arg = tier;
    let (tier, aot_round_trip) = match tier {
        WastTier::Tier(t) => (t, false),
        WastTier::Aot => (Tier::Jit, true),
    };
    let options = WastOptions {
        tier,
        wasm_2_0,
        eager: false,
        jit_direct_calls: true,
        aot_round_trip,
        metered: false,
        tier_up_eagerly,
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let (mut tier_ups, mut osr_entries) = (0usize, 0usize);
    for file in files {
        let name = file.display().to_string();
        let source = match std::fs::read(file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                println!("{name}: cannot read: {e}");
                println!("{name}: 0 passed, 1 failed");
                failed += 1;
                continue;
            }
        };
        let report = run_wast(&name, &source, &options);
        for f in &report.failures {
            println!("{name}:{}: {}", f.line, f.message);
        }
        println!("{name}: {} passed, {} failed", report.passed, report.failed);
        passed += report.passed;
        failed += report.failed;
        tier_ups += report.tier_ups;
        osr_entries += report.osr_entries;
    }
    if let WastTier::Tier(Tier::Auto) = tier_arg {
        println!("tiered up: {tier_ups} functions, {osr_entries} on-stack-replacement entries");
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
