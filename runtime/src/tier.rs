//! Tiered execution: every function starts in the interpreter and moves
//! to Cranelift's code once it is hot.
//!
//! A tiered module has both tiers' code. Its interpreter code counts down a
//! budget per function at function entry and loop headers
//! (`strata_interp::Tiering`); a function whose budget runs out is queued,
//! once, on the engine's compile threads ([`CompileQueue`]) while the guest
//! keeps running. [`TierState::compile`] then installs the native code:
//!
//! 1. `JitModule::compile_function` publishes it (executable, trap records
//!    registered) and stores its entry into the module's entry table, the
//!    slot compiled callers load;
//! 2. every live instance's `VMFuncRef::wasm_call` gets the entry (callers
//!    through imports and tables);
//! 3. the function's `FuncTier` becomes `Native` (interpreted callers and the
//!    array entry).
//!
//! Each step is one atomic store, so a caller sees either the old code or
//! the new; frames already running finish where they are, and no code is
//! freed before its module. A loop that keeps running inside one call is
//! moved by on-stack replacement: when a loop header finds its function
//! hot and already compiled (so this frame is one that started before and
//! is still running), an OSR entry for that loop is queued, and once it is
//! ready the interpreter hands its frame to it (`JitModule::compile_osr`).

use crate::config::TierUpEvent;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicPtr, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};
use strata_environ::ModuleInfo;
use strata_environ::vmcontext::VMFuncRef;
use strata_jit::JitModule;

const INTERPRETED: u8 = strata_interp::FuncTier::Interpreted as u8;
const QUEUED: u8 = strata_interp::FuncTier::Queued as u8;
const NATIVE: u8 = strata_interp::FuncTier::Native as u8;
const FAILED: u8 = strata_interp::FuncTier::Failed as u8;

/// A function entered at most this many times whose loop makes it hot has
/// long-running frames: its loops get OSR entries without waiting for
/// the function's own code.
const OSR_MAX_CALLS: u32 = 4;

/// The state of one OSR entry.
#[derive(Clone, Copy)]
enum Osr {
    Queued,
    Ready(usize),
    Failed,
}

/// Settings of a tiered module.
#[derive(Clone)]
pub(crate) struct TierSettings {
    /// Calls plus loop iterations before a function is compiled.
    pub(crate) threshold: u32,
    /// Compile on the thread that found the function hot, before it goes
    /// on (deterministic; for tests).
    pub(crate) synchronous: bool,
    pub(crate) log: Option<crate::config::TierUpLog>,
}

/// What compiling a tiered module's functions needs, shared by its
/// interpreter code (through [`strata_interp::TierUp`]) and the compile
/// jobs. It holds no engine, store or instance.
pub(crate) struct TierState {
    this: Weak<TierState>,
    info: Arc<ModuleInfo>,
    wasm: Arc<[u8]>,
    bodies: Box<[Range<usize>]>,
    pub(crate) jit: JitModule,
    /// Per defined function, shared with the interpreter, which calls
    /// native code once it reads `NATIVE`.
    state: Arc<[AtomicU8]>,
    osr: Mutex<HashMap<(u32, u32), Osr>>,
    /// The defined-function references of each live instance: `(first,
    /// count)`. Installing code updates them under this lock; instances
    /// register and unregister under it.
    instances: Mutex<Vec<(usize, usize)>>,
    queue: Arc<CompileQueue>,
    settings: TierSettings,
    created: Instant,
}

impl TierState {
    pub(crate) fn new(
        info: Arc<ModuleInfo>,
        wasm: Arc<[u8]>,
        bodies: Box<[Range<usize>]>,
        jit: JitModule,
        queue: Arc<CompileQueue>,
        settings: TierSettings,
    ) -> Arc<TierState> {
        let n = bodies.len();
        Arc::new_cyclic(|this| TierState {
            this: this.clone(),
            info,
            wasm,
            bodies,
            jit,
            state: (0..n).map(|_| AtomicU8::new(INTERPRETED)).collect(),
            osr: Mutex::new(HashMap::new()),
            instances: Mutex::new(Vec::new()),
            queue,
            settings,
            created: Instant::now(),
        })
    }

    /// Whether any function has native code.
    pub(crate) fn any_native(&self) -> bool {
        self.state
            .iter()
            .any(|s| s.load(Ordering::Acquire) == NATIVE)
    }

    /// The per-function states the interpreter checks before a call.
    pub(crate) fn shared_state(&self) -> Arc<[AtomicU8]> {
        self.state.clone()
    }

    /// Registers an instance's defined-function references and gives each
    /// its current native entry. They must stay valid until
    /// [`TierState::unregister`].
    pub(crate) fn register(&self, funcs: &mut [VMFuncRef]) {
        let mut list = self.instances.lock().unwrap_or_else(|e| e.into_inner());
        for (i, f) in funcs.iter_mut().enumerate() {
            f.wasm_call = std::ptr::NonNull::new(self.jit.wasm_call(i).cast_mut().cast());
        }
        list.push((funcs.as_mut_ptr() as usize, funcs.len()));
    }

    /// Forgets an instance's function references (it is being dropped).
    pub(crate) fn unregister(&self, first: *const VMFuncRef) {
        let mut list = self.instances.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|(p, _)| *p != first as usize);
    }

    fn submit(&self, job: Job) {
        if self.settings.synchronous {
            self.run(job);
        } else {
            self.queue.push(self.this.clone(), job);
        }
    }

    fn run(&self, job: Job) {
        // A panic in a job leaves the function interpreted.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job {
            Job::Function(defined) => self.compile(defined),
            Job::Osr(defined, offset) => self.compile_osr(defined, offset),
        }));
        if outcome.is_err() {
            match job {
                Job::Function(d) => self.state[d as usize].store(FAILED, Ordering::Release),
                Job::Osr(d, o) => {
                    let mut osr = self.osr.lock().unwrap_or_else(|e| e.into_inner());
                    osr.insert((d, o), Osr::Failed);
                }
            }
            self.report(job, Duration::ZERO, Err("the compile job panicked".into()));
        }
    }

    /// Compiles defined function `defined` and installs it.
    fn compile(&self, defined: u32) {
        let start = Instant::now();
        let range = &self.bodies[defined as usize];
        let result = self
            .jit
            .compile_function(&self.info, &self.wasm, range, defined);
        let took = start.elapsed();
        match result {
            Ok(entry) => {
                {
                    let list = self.instances.lock().unwrap_or_else(|e| e.into_inner());
                    for (first, count) in list.iter() {
                        if (defined as usize) < *count {
                            let f = (*first as *mut VMFuncRef).wrapping_add(defined as usize);
                            // SAFETY: registered references stay valid
                            // until unregistered, which takes this lock;
                            // `wasm_call` is an `Option<NonNull<_>>`, laid
                            // out as a pointer, and every concurrent access
                            // to it is this atomic store or a load by code.
                            unsafe {
                                let field = (&raw mut (*f).wasm_call).cast::<*mut u8>();
                                AtomicPtr::from_ptr(field)
                                    .store(entry.cast_mut(), Ordering::Release);
                            }
                        }
                    }
                }
                self.state[defined as usize].store(NATIVE, Ordering::Release);
                self.report(Job::Function(defined), took, Ok(()));
            }
            Err(e) => {
                self.state[defined as usize].store(FAILED, Ordering::Release);
                self.report(Job::Function(defined), took, Err(e));
            }
        }
    }

    fn compile_osr(&self, defined: u32, offset: u32) {
        let start = Instant::now();
        let range = &self.bodies[defined as usize];
        let result = self
            .jit
            .compile_osr(&self.info, &self.wasm, range, defined, offset);
        let took = start.elapsed();
        let entry = match &result {
            Ok(t) => Osr::Ready(*t),
            Err(_) => Osr::Failed,
        };
        self.osr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((defined, offset), entry);
        self.report(Job::Osr(defined, offset), took, result.map(|_| ()));
    }

    fn report(&self, job: Job, compile_time: Duration, result: Result<(), String>) {
        let Some(log) = &self.settings.log else {
            return;
        };
        let (defined, loop_offset) = match job {
            Job::Function(d) => (d, None),
            Job::Osr(d, o) => (d, Some(o)),
        };
        let func_index = self.info.num_imported_functions + defined;
        let event = TierUpEvent {
            module: self.info.name.clone(),
            func_index,
            func_name: self.info.function_name(func_index).map(str::to_owned),
            loop_offset,
            compile_time,
            at: self.created.elapsed(),
            error: result.err(),
        };
        (log.0)(&event);
    }
}

impl strata_interp::TierUp for TierState {
    fn hot(&self, defined: u32, offset: u32, calls: u32) -> (i32, Option<usize>) {
        let d = defined as usize;
        let Some(state) = self.state.get(d) else {
            return (i32::MAX, None);
        };
        // A function entered only a few times that got hot in a loop OSR
        // can enter needs that loop's entry, not its own code: its next
        // call may never come (a `main`), and compiling it would hold up
        // its callees on the compile threads. It is queued once calls make
        // it hot.
        let osr_only = offset != 0 && offset != u32::MAX && calls <= OSR_MAX_CALLS;
        if !osr_only
            && state
                .compare_exchange(INTERPRETED, QUEUED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.submit(Job::Function(defined));
        }
        let poll = self.settings.threshold.clamp(1, i32::MAX as u32) as i32;
        if state.load(Ordering::Acquire) == FAILED {
            return (i32::MAX, None);
        }
        // On-stack replacement is for frames that keep looping in the
        // interpreter: a function entered only a few times whose loop got
        // it hot (a `main`, a bytecode VM's dispatch loop), or a frame
        // still looping after its function got native code. A function
        // called often gets hot from its calls, and its next calls run
        // natively once it is compiled: no OSR entry for it.
        let long_running = calls <= OSR_MAX_CALLS || state.load(Ordering::Acquire) == NATIVE;
        if offset == 0 || offset == u32::MAX || !long_running {
            return (poll, None);
        }
        let key = (defined, offset);
        let known = {
            let mut osr = self.osr.lock().unwrap_or_else(|e| e.into_inner());
            let known = osr.get(&key).copied();
            if known.is_none() {
                osr.insert(key, Osr::Queued);
            }
            known
        };
        let known = match known {
            Some(k) => k,
            None => {
                self.submit(Job::Osr(defined, offset));
                // Compiled already when synchronous.
                let osr = self.osr.lock().unwrap_or_else(|e| e.into_inner());
                osr.get(&key).copied().unwrap_or(Osr::Queued)
            }
        };
        match known {
            Osr::Ready(t) => (poll, Some(t)),
            Osr::Queued | Osr::Failed => (poll, None),
        }
    }
}

/// A unit of background work.
#[derive(Clone, Copy, Debug)]
enum Job {
    /// Compile a defined function.
    Function(u32),
    /// Compile an OSR entry: defined function, loop offset.
    Osr(u32, u32),
}

/// The engine's compile threads and their queue. Threads start with the
/// first job; dropping the queue (with its engine and its modules) drops
/// what is still queued, and each thread exits after the job it is
/// running, if any.
pub(crate) struct CompileQueue {
    shared: Arc<QueueShared>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    max_threads: usize,
}

struct QueueShared {
    jobs: Mutex<Pending>,
    ready: Condvar,
}

#[derive(Default)]
struct Pending {
    jobs: VecDeque<(Weak<TierState>, Job)>,
    shutdown: bool,
    idle: usize,
}

impl CompileQueue {
    pub(crate) fn new(max_threads: usize) -> CompileQueue {
        CompileQueue {
            shared: Arc::new(QueueShared {
                jobs: Mutex::new(Pending::default()),
                ready: Condvar::new(),
            }),
            threads: Mutex::new(Vec::new()),
            max_threads: max_threads.max(1),
        }
    }

    fn push(&self, module: Weak<TierState>, job: Job) {
        {
            let mut pending = self.shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
            if pending.shutdown {
                return;
            }
            // A waiting loop gains most from its OSR entry: it goes first.
            match job {
                Job::Osr(..) => pending.jobs.push_front((module, job)),
                Job::Function(_) => pending.jobs.push_back((module, job)),
            }
            if pending.idle > 0 {
                self.shared.ready.notify_one();
                return;
            }
        }
        let mut threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
        if threads.len() < self.max_threads {
            let shared = self.shared.clone();
            // Beside the guest that queued the job, not behind it.
            let spawned = strata_environ::placement::spawn(
                std::thread::Builder::new().name("strata-compile".into()),
                move || worker(&shared),
            );
            // Without a thread the job waits for another one; with none at
            // all, functions simply stay interpreted.
            if let Ok(handle) = spawned {
                threads.push(handle);
            }
        }
        self.shared.ready.notify_one();
    }
}

fn worker(shared: &QueueShared) {
    loop {
        let next = {
            let mut pending = shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if pending.shutdown {
                    return;
                }
                if let Some(job) = pending.jobs.pop_front() {
                    break job;
                }
                pending.idle += 1;
                pending = shared
                    .ready
                    .wait(pending)
                    .unwrap_or_else(|e| e.into_inner());
                pending.idle -= 1;
            }
        };
        // A module dropped since the job was queued needs nothing.
        if let Some(module) = next.0.upgrade() {
            module.run(next.1);
        }
    }
}

impl Drop for CompileQueue {
    fn drop(&mut self) {
        {
            let mut pending = self.shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
            pending.shutdown = true;
            pending.jobs.clear();
        }
        self.shared.ready.notify_all();
        // Not joined: an idle thread sees the shutdown at once; a busy one
        // finishes its compile (which holds everything it uses) and then
        // exits. Waiting for it would make every exit pay for a compile
        // whose result nobody will run.
        self.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
