//! Chooses how the interpreter dispatches (see `executor::handlers`).
//!
//! Tail dispatch needs LLVM to turn every handler's final call into a jump.
//! It does so reliably when optimizing for x86-64 and AArch64; an
//! unoptimized build would instead grow the native stack by one frame per
//! instruction executed. Everywhere else the handlers return to a loop.
//! `STRATA_INTERP_DISPATCH=loop` forces the portable loop (to test it).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(strata_tail_dispatch)");
    println!("cargo::rerun-if-env-changed=STRATA_INTERP_DISPATCH");
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimized = matches!(opt_level.as_str(), "2" | "3" | "s" | "z");
    let jumps = matches!(arch.as_str(), "x86_64" | "aarch64");
    let forced_loop = std::env::var("STRATA_INTERP_DISPATCH").is_ok_and(|v| v == "loop");
    if optimized && jumps && !forced_loop {
        println!("cargo::rustc-cfg=strata_tail_dispatch");
    }
}
