//! The directive interpreter.

use crate::spectest::define_spectest;
use std::collections::HashMap;
use strata::{Config, Engine, Error, ExternRef, Instance, Linker, Module, Store, Tier, Val};
use wast::core::{NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::{F32, F64, Id, Span};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// How to run a script.
#[derive(Debug, Clone, Default)]
pub struct WastOptions {
    /// The execution tier.
    pub tier: Tier,
    /// Accept exactly the Wasm 2.0 feature set instead of everything Strata
    /// supports.
    pub wasm_2_0: bool,
    /// Translate every function up front instead of on first call.
    pub eager: bool,
    /// Compiled calls within a module jump straight to the callee
    /// (`Config::jit_direct_calls`).
    pub jit_direct_calls: bool,
    /// Every compiled module goes through an AOT artifact file: serialized,
    /// written, and mapped back with `Module::deserialize_file` before it
    /// is instantiated.
    pub aot_round_trip: bool,
    /// Meter everything: fuel (with plenty of it) and epoch checks (with no
    /// deadline), so that the metering code runs without changing results;
    /// the report counts the fuel consumed.
    pub metered: bool,
    /// With [`Tier::Auto`]: compile each function on the thread that finds
    /// it hot after this many calls and loop iterations (1: after its first
    /// call, with every loop entered through on-stack replacement), so that
    /// interpreted and compiled functions mix deterministically; `None`
    /// keeps the defaults (background compiles).
    pub tier_up_eagerly: Option<u32>,
}

/// One failed directive.
#[derive(Debug, Clone)]
pub struct Failure {
    /// 1-based line of the directive.
    pub line: usize,
    /// What was expected and what happened.
    pub message: String,
}

/// The outcome of one script.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// Directives that behaved as expected.
    pub passed: usize,
    /// Directives that did not.
    pub failed: usize,
    /// Details of each failure.
    pub failures: Vec<Failure>,
    /// Fuel the script consumed, when metered.
    pub fuel_consumed: u64,
    /// With [`Tier::Auto`]: functions that got native code, and
    /// on-stack-replacement entries compiled. A tier-up that fails is a
    /// failure of the script.
    pub tier_ups: usize,
    /// See [`FileReport::tier_ups`].
    pub osr_entries: usize,
}

/// Runs the script `source` (named `name` in messages).
pub fn run_wast(name: &str, source: &str, options: &WastOptions) -> FileReport {
    let mut report = FileReport::default();
    // The suite names exports with bidirectional-control characters on
    // purpose (names.wast); the lexer must accept them.
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            report.fail(1, format!("{name}: cannot lex script: {e}"));
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_text(source);
            report.fail(1, format!("cannot parse script: {e}"));
            return report;
        }
    };
    let mut ctx = match Context::new(options) {
        Ok(c) => c,
        Err(e) => {
            report.fail(1, format!("cannot set up the runtime: {e}"));
            return report;
        }
    };
    for directive in wast.directives {
        let line = line_of(source, directive.span());
        match ctx.run(directive) {
            Ok(()) => report.passed += 1,
            Err(message) => report.fail(line, message),
        }
    }
    let events = std::mem::take(&mut *ctx.tier_log.lock().unwrap_or_else(|e| e.into_inner()));
    for e in events {
        match (&e.error, e.loop_offset) {
            (Some(err), _) => report.fail(
                0,
                format!("tier-up of function {} failed: {err}", e.func_index),
            ),
            (None, Some(_)) => report.osr_entries += 1,
            (None, None) => report.tier_ups += 1,
        }
    }
    if options.metered {
        report.fuel_consumed = METERED_FUEL - ctx.store.get_fuel().unwrap_or(0);
    }
    report
}

/// The fuel a metered script starts with: more than any script uses.
const METERED_FUEL: u64 = 1 << 50;

impl FileReport {
    fn fail(&mut self, line: usize, message: String) {
        self.failed += 1;
        self.failures.push(Failure { line, message });
    }
}

fn line_of(source: &str, span: Span) -> usize {
    span.linecol_in(source).0 + 1
}

struct Context {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Instance>,
    named: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    aot_round_trip: bool,
    tier_log: std::sync::Arc<std::sync::Mutex<Vec<strata::TierUpEvent>>>,
}

type Outcome = Result<(), String>;

impl Context {
    fn new(options: &WastOptions) -> Result<Context, Error> {
        let mut config = Config::new();
        config.tier(options.tier);
        config.lazy_translation(!options.eager);
        config.jit_direct_calls(options.jit_direct_calls);
        config.consume_fuel(options.metered);
        config.epoch_interruption(options.metered);
        if let Some(threshold) = options.tier_up_eagerly {
            config
                .tier_up_threshold(threshold)
                .tier_up_synchronous(true);
        }
        if options.wasm_2_0 {
            config.wasm_2_0();
        }
        let tier_log: std::sync::Arc<std::sync::Mutex<Vec<strata::TierUpEvent>>> =
            std::sync::Arc::default();
        let log = std::sync::Arc::clone(&tier_log);
        config.on_tier_up(move |e: &strata::TierUpEvent| {
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(e.clone());
        });
        let engine = Engine::new(&config)?;
        let aot_round_trip = options.aot_round_trip;
        let mut store = Store::new(&engine, ());
        if options.metered {
            store.set_fuel(METERED_FUEL)?;
        }
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut linker, &mut store, &engine)?;
        Ok(Context {
            engine,
            store,
            linker,
            current: None,
            named: HashMap::new(),
            definitions: HashMap::new(),
            aot_round_trip,
            tier_log,
        })
    }

    fn run(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut quote) => {
                let id = quote.name();
                let module = self.compile(&mut quote)?;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(instance);
                if let Some(id) = id {
                    self.named.insert(id.name().to_string(), instance);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut quote) => {
                let id = quote.name();
                let module = self.compile(&mut quote)?;
                if let Some(id) = id {
                    self.definitions.insert(id.name().to_string(), module);
                }
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = module
                    .and_then(|m| self.definitions.get(m.name()))
                    .cloned()
                    .ok_or("unknown module definition")?;
                let inst = self
                    .linker
                    .instantiate(&mut self.store, &def)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(inst);
                if let Some(id) = instance {
                    self.named.insert(id.name().to_string(), inst);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module)?;
                self.linker
                    .instance(&mut self.store, name, inst)
                    .map(|_| ())
                    .map_err(|e| format!("register failed: {e}"))
            }
            WastDirective::Invoke(invoke) => self
                .invoke(&invoke)
                .map(|_| ())
                .map_err(|e| format!("invoke failed: {e}")),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self
                    .execute(exec)
                    .map_err(|e| format!("expected a return, got: {e}"))?;
                self.check_results(&results, &got)
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec) {
                Ok(vals) => Err(format!("expected trap `{message}`, got return {vals:?}")),
                Err(e) => check_trap(&e, message),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(vals) => Err(format!(
                    "expected exhaustion `{message}`, got return {vals:?}"
                )),
                Err(e) => check_trap(&e, message),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => self.expect_rejection(&mut module, "invalid", message),
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.expect_rejection(&mut module, "malformed", message),
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let bytes = encode_wat(&mut module)?;
                let module = self.load(bytes).map_err(|e| {
                    format!("expected unlinkable module, but it failed to compile: {e}")
                })?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Err(format!(
                        "expected unlinkable module (`{message}`), but it linked"
                    )),
                    Err(Error::Link(_)) => Ok(()),
                    Err(e) => Err(format!("expected a link error (`{message}`), got: {e}")),
                }
            }
            other => Err(format!("unsupported directive at {:?}", other.span())),
        }
    }

    fn compile(&self, quote: &mut QuoteWat<'_>) -> Result<Module, String> {
        let bytes = quote
            .encode()
            .map_err(|e| format!("cannot encode module: {e}"))?;
        self.load(bytes)
            .map_err(|e| format!("module failed to compile: {e}"))
    }

    /// Compiles a module, through an artifact file if the options ask so.
    fn load(&self, bytes: Vec<u8>) -> Result<Module, Error> {
        let module = Module::new(&self.engine, bytes)?;
        if !self.aot_round_trip {
            return Ok(module);
        }
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("strata-spec-{}-{n}.cwasm", std::process::id()));
        std::fs::write(&path, module.serialize()?)
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
        // SAFETY: a file this process just wrote, in its own name.
        let loaded = unsafe { Module::deserialize_file(&self.engine, &path) };
        // The mapping keeps the file's contents alive after the unlink.
        let _ = std::fs::remove_file(&path);
        loaded
    }

    fn expect_rejection(&self, quote: &mut QuoteWat<'_>, kind: &str, message: &str) -> Outcome {
        let bytes = match quote.encode() {
            Ok(b) => b,
            // Rejected by the text parser: that is Strata's text front end.
            Err(_) => return Ok(()),
        };
        match Module::new(&self.engine, bytes) {
            Ok(_) => Err(format!(
                "expected {kind} module (`{message}`), but it compiled"
            )),
            Err(Error::Compile(_) | Error::Text(_)) => Ok(()),
            Err(e) => Err(format!(
                "expected {kind} module (`{message}`), got a different error: {e}"
            )),
        }
    }

    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module instantiated".to_string()),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, Error> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(mut wat) => {
                let bytes = encode_wat(&mut wat).map_err(Error::Usage)?;
                let module = self.load(bytes)?;
                self.linker.instantiate(&mut self.store, &module)?;
                Ok(Vec::new())
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module).map_err(Error::Usage)?;
                let g = inst
                    .get_global(&mut self.store, global)
                    .ok_or_else(|| Error::Usage(format!("no global `{global}`")))?;
                Ok(vec![g.get(&mut self.store)?])
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, Error> {
        let inst = self.instance(invoke.module).map_err(Error::Usage)?;
        let func = inst
            .get_func(&mut self.store, invoke.name)
            .ok_or_else(|| Error::Usage(format!("no function `{}`", invoke.name)))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(self.arg(arg)?);
        }
        let ty = func.ty(&self.store)?;
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut self.store, &args, &mut results)?;
        Ok(results)
    }

    fn arg(&mut self, arg: &WastArg<'_>) -> Result<Val, Error> {
        let WastArg::Core(core) = arg else {
            return Err(Error::Usage("component arguments are not supported".into()));
        };
        Ok(match core {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
            WastArgCore::RefNull(wast::core::HeapType::Abstract {
                ty: wast::core::AbstractHeapType::Extern,
                ..
            }) => Val::ExternRef(None),
            WastArgCore::RefNull(_) => Val::FuncRef(None),
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut self.store, *n))),
            other => return Err(Error::Usage(format!("unsupported argument {other:?}"))),
        })
    }

    fn check_results(&self, expected: &[WastRet<'_>], got: &[Val]) -> Outcome {
        if expected.len() != got.len() {
            return Err(format!("expected {} results, got {got:?}", expected.len()));
        }
        for (i, (e, g)) in expected.iter().zip(got).enumerate() {
            let WastRet::Core(e) = e else {
                return Err("component results are not supported".into());
            };
            if !self.matches(e, g) {
                return Err(format!("result {i}: expected {e:?}, got {g:?}"));
            }
        }
        Ok(())
    }

    fn matches(&self, expected: &WastRetCore<'_>, got: &Val) -> bool {
        match (expected, got) {
            (WastRetCore::I32(e), Val::I32(g)) => e == g,
            (WastRetCore::I64(e), Val::I64(g)) => e == g,
            (WastRetCore::F32(e), Val::F32(g)) => match_f32(e, *g),
            (WastRetCore::F64(e), Val::F64(g)) => match_f64(e, *g),
            (WastRetCore::V128(e), Val::V128(g)) => match_v128(e, *g),
            (WastRetCore::RefNull(_), Val::FuncRef(None) | Val::ExternRef(None)) => true,
            (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
            (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
            (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => r
                .data(&self.store)
                .ok()
                .and_then(|d| d.downcast_ref::<u32>())
                .is_some_and(|v| v == n),
            _ => false,
        }
    }
}

fn encode_wat(wat: &mut Wat<'_>) -> Result<Vec<u8>, String> {
    wat.encode()
        .map_err(|e| format!("cannot encode module: {e}"))
}

/// Lane by lane, float lanes by their NaN patterns.
fn match_v128(expected: &V128Pattern, got: u128) -> bool {
    let bytes = got.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&bytes[i * n..(i + 1) * n]);
        u64::from_le_bytes(b)
    };
    match expected {
        V128Pattern::I8x16(e) => e
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 1) == u64::from(*v as u8)),
        V128Pattern::I16x8(e) => e
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 2) == u64::from(*v as u16)),
        V128Pattern::I32x4(e) => e
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 4) == u64::from(*v as u32)),
        V128Pattern::I64x2(e) => e.iter().enumerate().all(|(i, v)| lane(i, 8) == *v as u64),
        V128Pattern::F32x4(e) => e
            .iter()
            .enumerate()
            .all(|(i, p)| match_f32(p, lane(i, 4) as u32)),
        V128Pattern::F64x2(e) => e.iter().enumerate().all(|(i, p)| match_f64(p, lane(i, 8))),
    }
}

fn match_f32(expected: &NanPattern<F32>, got: u32) -> bool {
    match expected {
        NanPattern::CanonicalNan => got & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => got & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == got,
    }
}

fn match_f64(expected: &NanPattern<F64>, got: u64) -> bool {
    match expected {
        NanPattern::CanonicalNan => got & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => got & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == got,
    }
}

fn check_trap(error: &Error, message: &str) -> Outcome {
    match error.as_trap() {
        Some(trap) => {
            let msg = trap.code().message();
            if message.contains(msg) || msg.contains(message) {
                Ok(())
            } else {
                Err(format!("expected trap `{message}`, got trap `{msg}`"))
            }
        }
        None => Err(format!("expected trap `{message}`, got error: {error}")),
    }
}
