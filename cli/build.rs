//! Links the `strata` binary with packed relative relocations where the
//! toolchain and C library support them.
//!
//! A position-independent executable is relocated at every start: the
//! dynamic loader reads each entry of `.rela.dyn` (24 bytes per pointer in
//! the binary's data: vtables, the interpreter's handler table, static
//! tables of Cranelift and wasmparser) and writes the pointer. `strata`
//! has about 15,000 of them, 362 KiB of entries that every start reads and
//! keeps resident. `-z pack-relative-relocs` (GNU ld 2.38, lld 15, glibc
//! 2.36) stores the relative ones as a bitmap (`.relr.dyn`): 6 KiB in all,
//! and the binary's peak resident memory about 300 KiB smaller on every
//! program, which is what an interpreter's footprint is compared by.
//!
//! The option is used only after a probe binary built with it, with the
//! same linker and flags as this build, links and runs here: a C library
//! older than 2.36 would refuse to load the result (the probe fails to
//! run, and the option is left out), and a linker that does not know it
//! ignores it. Cross builds skip it (the probe cannot run).

use std::path::PathBuf;
use std::process::Command;

const FLAG: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("TARGET") != var("HOST")
    {
        return;
    }
    if probe().is_some() {
        println!("cargo:rustc-link-arg-bins={FLAG}");
    }
}

/// Builds and runs an empty program linked with [`FLAG`]; `None` if either
/// fails.
fn probe() -> Option<()> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR")?);
    let src = out.join("relr_probe.rs");
    let bin = out.join("relr_probe");
    std::fs::write(&src, "fn main() {}\n").ok()?;
    let rustc = std::env::var_os("RUSTC")?;
    let mut cmd = Command::new(rustc);
    cmd.arg(&src).arg("-o").arg(&bin);
    // Link as the real build will: its flags and its linker.
    if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        cmd.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    if let Some(linker) = std::env::var_os("RUSTC_LINKER") {
        cmd.arg("-C").arg({
            let mut arg = std::ffi::OsString::from("linker=");
            arg.push(linker);
            arg
        });
    }
    let built = cmd
        .args(["-C", &format!("link-arg={FLAG}")])
        .output()
        .ok()?;
    if !built.status.success() {
        return None;
    }
    Command::new(&bin)
        .status()
        .ok()
        .filter(|s| s.success())
        .map(|_| ())
}
