//! Prints the interpreter code a module's functions translate to, for
//! looking at what the translator makes of a hot loop.
//!
//! ```text
//! cargo run --release -p strata-interp --example dump -- prog.wasm [FUNC_INDEX...]
//! ```
//!
//! Without indices it prints every defined function; each instruction is
//! shown with its position, so branch offsets can be followed by hand, and
//! an operand the instruction reads from the accumulator shows as `acc`.

use std::io::Write;
use std::sync::Arc;
use strata_environ::{ModuleEnvironment, supported_features};
use strata_interp::InterpCompiler;

fn main() {
    if let Err(e) = dump() {
        // A closed pipe is not worth a message.
        if !matches!(e.downcast_ref::<std::io::Error>(), Some(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            eprintln!("dump: {e}");
            std::process::exit(1);
        }
    }
}

fn dump() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: dump FILE.wasm [FUNC_INDEX...]")?;
    let wanted: Vec<u32> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let wasm: Arc<[u8]> = std::fs::read(&path)?.into();
    let mut compiler = InterpCompiler::new();
    let info = ModuleEnvironment::new(supported_features()).translate(&wasm, &mut compiler)?;
    let num_imported = info.num_imported_functions;
    let module = compiler.finish(Arc::new(info), wasm);
    // A closed pipe (`| head`) ends the listing quietly.
    let mut out = std::io::stdout().lock();
    for defined in 0..module.num_funcs() {
        let index = num_imported + defined as u32;
        if !wanted.is_empty() && !wanted.contains(&index) {
            continue;
        }
        let f = module
            .func(defined)
            .map_err(|e| format!("function {index}: {e}"))?;
        writeln!(
            out,
            "function {index}: {} params, {} locals, frame of {} slots",
            f.num_params, f.num_locals, f.frame_size
        )?;
        // An operand read from the accumulator shows as `acc`.
        let acc = format!(": {}", strata_interp::op::ACC);
        for (at, op) in f.code.iter().enumerate() {
            writeln!(
                out,
                "  {at:5}  {}",
                format!("{op:?}").replace(&acc, ": acc")
            )?;
        }
    }
    Ok(())
}
