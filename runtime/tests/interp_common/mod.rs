//! What the tests of the interpreter's instruction forms share: the code a
//! module translates to, and an instance of it on any tier.

use std::sync::Arc;
use strata::{Config, Engine, Instance, Module, Store, Tier};

/// The interpreter's code for `wat`, translated eagerly, for tests that
/// check what the translator made of it.
pub fn interp_translation(wat: &str) -> strata_interp::InterpModule {
    let wasm: Arc<[u8]> = wat::parse_str(wat).unwrap().into();
    let mut compiler = strata_interp::InterpCompiler::new();
    let info = strata_environ::ModuleEnvironment::new(strata_environ::supported_features())
        .translate(&wasm, &mut compiler)
        .unwrap();
    compiler.finish(Arc::new(info), wasm)
}

/// A store on an engine of `tier` and an instance in it of `wat`, which
/// imports nothing.
pub fn instantiate(tier: Tier, wat: &str) -> (Store<()>, Instance) {
    let mut config = Config::new();
    config.tier(tier);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}
