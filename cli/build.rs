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
//! The option is used only after a probe binary built with it links and
//! runs here: an older linker ignores it, and an older C library would
//! refuse to load the result. Cross builds skip it (the probe cannot run).

use std::path::PathBuf;
use std::process::Command;

const FLAG: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
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
    let built = Command::new(rustc)
        .arg(&src)
        .arg("-o")
        .arg(&bin)
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
