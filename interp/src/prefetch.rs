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
//! before; one the helper is translating at that moment is waited for (one
//! thread translates a function at a time). The helper goes one call deep
//! only: it does not queue the
//! callees of what it translates itself, which measured no faster on Lua
//! and did more work. A prefetched function that never runs costs its
//! translation and its memory, nothing more.
//!
//! The helper is one thread for the whole process, started when work comes
//! on another core ([`strata_environ::placement`]) and gone once it has
//! been idle for [`IDLE_EXIT`]; it holds only weak references to modules,
//! so a dropped module's queued functions are skipped and freed. Only
//! modules with enough code to be worth it use it ([`PREFETCH_MIN_BYTES`]),
//! and only on a host with more than one core.

use crate::LazySource;
use crate::translator::FuncTranslator;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Duration;

/// Below this many bytes of code a module's functions are few and small,
/// and translating them on the caller costs less than a handoff.
pub(crate) const PREFETCH_MIN_BYTES: usize = 64 << 10;

/// At most this many queued functions; the oldest requests are dropped
/// first when more come, since the caller has moved on from them.
const MAX_QUEUED: usize = 512;

/// A helper with nothing to do for this long exits; the next request
/// starts another. An idle process keeps no thread of Strata's, and a
/// start-up's requests come far closer together than this.
const IDLE_EXIT: Duration = Duration::from_millis(500);

/// A function to translate: its module and defined-function index.
type Job = (Weak<LazySource>, u32);

/// The queue, and whether a helper is running to empty it.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    helper_running: bool,
}

/// The process's prefetch queue and its helper.
pub(crate) struct Prefetcher {
    queue: Mutex<Queue>,
    ready: Condvar,
}

impl Prefetcher {
    /// The process's prefetcher.
    pub(crate) fn get() -> &'static Prefetcher {
        static PREFETCHER: OnceLock<Prefetcher> = OnceLock::new();
        PREFETCHER.get_or_init(|| Prefetcher {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
        })
    }

    /// Queues the defined functions `callees` of `source` that are not
    /// translated yet, ahead of older requests and in the order given,
    /// and starts a helper if none is running. If none can start, the
    /// functions wait for their callers.
    pub(crate) fn request(&'static self, source: &Arc<LazySource>, callees: &[u32]) {
        let Ok(mut queue) = self.queue.lock() else {
            return;
        };
        let before = queue.jobs.len();
        for &callee in callees.iter().rev() {
            if source
                .funcs
                .get(callee as usize)
                .is_some_and(|cell| cell.get().is_none())
            {
                queue.jobs.push_front((Arc::downgrade(source), callee));
            }
        }
        if queue.jobs.len() == before {
            return;
        }
        queue.jobs.truncate(MAX_QUEUED);
        if !queue.helper_running {
            let started = strata_environ::placement::spawn(
                std::thread::Builder::new().name("strata-prefetch".into()),
                move || self.work(),
            );
            match started {
                // Detached: it exits by itself once idle.
                Ok(_detached) => queue.helper_running = true,
                Err(_) => queue.jobs.clear(),
            }
        }
        drop(queue);
        self.ready.notify_one();
    }

    /// The helper's loop: translate queued functions, newest request
    /// first, until the queue stays empty for [`IDLE_EXIT`].
    fn work(&self) {
        let mut translator = FuncTranslator::new();
        loop {
            let job = {
                let Ok(mut queue) = self.queue.lock() else {
                    return;
                };
                loop {
                    if let Some(job) = queue.jobs.pop_front() {
                        break job;
                    }
                    let (q, timeout) = match self.ready.wait_timeout(queue, IDLE_EXIT) {
                        Ok(waited) => waited,
                        Err(_) => return,
                    };
                    queue = q;
                    if timeout.timed_out() && queue.jobs.is_empty() {
                        queue.helper_running = false;
                        return;
                    }
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
