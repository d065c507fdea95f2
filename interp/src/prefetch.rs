//! Translating, on another core, the functions that a function just
//! translated is about to call.
//!
//! A lazy module translates each function on its first call, on the thread
//! that calls it, which waits. Lua's start-up runs 233 functions and spent
//! 5 ms of its 14 translating them, while the machine's other core sat idle
//! once validation was done. A function that was just translated is about
//! to run, and the functions it calls directly are the likeliest to be
//! called next, so [`Prefetcher::request`] queues them for one helper
//! thread, which translates them while the caller runs the function:
//!
//! ```text
//! caller:  translate main ─┬─ run main ── call init (translated) ── call parse ...
//! helper:                  └─ translate init ── translate parse ── ...
//! ```
//!
//! A function the helper has not reached yet is translated by its caller as
//! before (if both translate one, the first result is kept; both are the
//! same code; one waits for the other rather than translate a function
//! twice). The helper goes one call deep only: it does not queue the
//! callees of what it translates itself, which measured no faster on Lua
//! and did more work. A prefetched function that never runs costs its
//! translation and its memory, nothing more.
//!
//! The helper is one thread for the whole process, started on first use on
//! another core ([`strata_environ::placement`]); it holds only weak
//! references to modules, so a dropped module's queued functions are
//! skipped and freed. Only modules with enough code to be worth it use it
//! ([`PREFETCH_MIN_BYTES`]), and only on a host with more than one core.

use crate::LazySource;
use crate::translator::FuncTranslator;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};

/// Below this many bytes of code a module's functions are few and small,
/// and translating them on the caller costs less than a handoff.
pub(crate) const PREFETCH_MIN_BYTES: usize = 64 << 10;

/// At most this many queued functions; the oldest requests go first when
/// more come, since the caller has moved on from them.
const MAX_QUEUED: usize = 512;

/// A function to translate: its module and defined-function index.
type Job = (Weak<LazySource>, u32);

/// The process's prefetch queue and its helper.
pub(crate) struct Prefetcher {
    queue: Mutex<VecDeque<Job>>,
    ready: Condvar,
}

impl Prefetcher {
    /// The process's prefetcher, with its helper started; `None` if the
    /// helper cannot start (the caller then translates everything itself).
    pub(crate) fn get() -> Option<&'static Prefetcher> {
        static PREFETCHER: OnceLock<Option<&'static Prefetcher>> = OnceLock::new();
        *PREFETCHER.get_or_init(|| {
            let prefetcher: &'static Prefetcher = Box::leak(Box::new(Prefetcher {
                queue: Mutex::new(VecDeque::new()),
                ready: Condvar::new(),
            }));
            strata_environ::placement::spawn(
                std::thread::Builder::new().name("strata-prefetch".into()),
                move || prefetcher.work(),
            )
            .ok()
            .map(|_detached| prefetcher)
        })
    }

    /// Queues the defined functions `callees` of `source` that are not
    /// translated yet, ahead of older requests and in the order given.
    pub(crate) fn request(&self, source: &Arc<LazySource>, callees: &[u32]) {
        let Ok(mut queue) = self.queue.lock() else {
            return;
        };
        let before = queue.len();
        for &callee in callees.iter().rev() {
            if source
                .funcs
                .get(callee as usize)
                .is_some_and(|cell| cell.get().is_none())
            {
                queue.push_front((Arc::downgrade(source), callee));
            }
        }
        if queue.len() == before {
            return;
        }
        queue.truncate(MAX_QUEUED);
        drop(queue);
        self.ready.notify_one();
    }

    /// The helper's loop: translate queued functions, newest request
    /// first, forever (it idles on the condition variable).
    fn work(&self) {
        let mut translator = FuncTranslator::new();
        loop {
            let job = {
                let Ok(mut queue) = self.queue.lock() else {
                    return;
                };
                loop {
                    if let Some(job) = queue.pop_front() {
                        break job;
                    }
                    queue = match self.ready.wait(queue) {
                        Ok(q) => q,
                        Err(_) => return,
                    };
                }
            };
            if let Some(source) = job.0.upgrade() {
                // A function that fails to translate is left for its
                // caller, which reports the failure.
                let _ = source.translate_into(&mut translator, job.1 as usize, false);
            }
        }
    }
}
