//! Starting a helper thread on a core its starter is not using.
//!
//! Strata starts helpers while the starting thread stays busy: validation
//! threads while the decoding thread validates its own share, compile
//! threads while the guest runs. The helper is only worth having if it
//! runs beside its starter at once. Linux often queues a new thread on its
//! parent's core until the load balancer moves it; on the 2-core benchmark
//! machine a helper started by a busy thread waited 1–3 ms for its first
//! instruction in about half the runs, longer than the whole validation of
//! Lua's 245 KB of code that it was meant to share.
//!
//! [`spawn`] therefore narrows the new thread's CPU set
//! to the cores its starter is not on, which makes the kernel move it at
//! once (about 0.1 ms to its first instruction, measured the same way).
//! The helper's first step widens the set back to what it inherited, so
//! the narrowing is a starting place only and never a pinning.
//!
//! The two threads agree through one atomic state, because either may run
//! first: if the helper starts before its starter narrowed its set, the
//! starter leaves it alone; if it starts while the starter is narrowing, it
//! waits for that to finish before it widens the set again.
//!
//! It takes a [`JoinHandle`]: a scoped thread's handle has no pthread to
//! place. Off Linux it is a plain spawn.

use std::io;
use std::thread::{Builder, JoinHandle};

/// Spawns `f` on a new thread, as [`Builder::spawn`] does, starting it on
/// another core than the caller's when there is one.
///
/// # Errors
///
/// As [`Builder::spawn`]: the thread could not be created.
pub fn spawn<F, T>(builder: Builder, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (starter, helper) = imp::handshake();
    let handle = builder.spawn(move || {
        helper.settle();
        f()
    })?;
    starter.place(&handle);
    Ok(handle)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::os::unix::thread::JoinHandleExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};

    /// Neither thread has acted yet.
    const FRESH: u8 = 0;
    /// The starter is narrowing the helper's CPU set.
    const PLACING: u8 = 1;
    /// The helper started first; the starter must not narrow its set.
    const STARTED: u8 = 2;
    /// The starter is done with the helper's CPU set.
    const PLACED: u8 = 3;

    /// The starter's half of the handshake.
    pub(super) struct Starter {
        state: Arc<AtomicU8>,
    }

    /// The helper's half: the CPU set it inherited, to widen back to.
    pub(super) struct Helper {
        state: Arc<AtomicU8>,
        inherited: Option<libc::cpu_set_t>,
    }

    pub(super) fn handshake() -> (Starter, Helper) {
        let state = Arc::new(AtomicU8::new(FRESH));
        (
            Starter {
                state: state.clone(),
            },
            Helper {
                state,
                inherited: own_cpu_set(),
            },
        )
    }

    impl Starter {
        /// Narrows the helper's CPU set to the cores the caller is not on,
        /// unless the helper is already running.
        pub(super) fn place<T>(self, thread: &std::thread::JoinHandle<T>) {
            if self
                .state
                .compare_exchange(FRESH, PLACING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                return;
            }
            if let Some(others) = other_cores() {
                // SAFETY: `thread` is a joinable thread (its handle is
                // borrowed, so it has been neither joined nor detached),
                // hence a live pthread; `others` is an initialized set of
                // the size passed.
                unsafe {
                    libc::pthread_setaffinity_np(
                        thread.as_pthread_t(),
                        std::mem::size_of::<libc::cpu_set_t>(),
                        &others,
                    );
                }
            }
            self.state.store(PLACED, Ordering::Release);
        }
    }

    impl Helper {
        /// Called first on the helper: takes back the inherited CPU set if
        /// the starter narrowed it.
        pub(super) fn settle(self) {
            loop {
                match self.state.compare_exchange(
                    FRESH,
                    STARTED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => return,
                    Err(PLACED) => break,
                    // The starter is between its two steps: two system
                    // calls away from `PLACED`.
                    Err(_) => std::thread::yield_now(),
                }
            }
            if let Some(set) = self.inherited {
                // SAFETY: pid 0 is the calling thread; `set` is an
                // initialized set of the size passed.
                unsafe {
                    libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
                }
            }
        }
    }

    /// The calling thread's CPU set, if the kernel tells it.
    pub(super) fn own_cpu_set() -> Option<libc::cpu_set_t> {
        // SAFETY: an all-zero `cpu_set_t` is a valid (empty) set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        // SAFETY: pid 0 is the calling thread; `set` is writable and of
        // the size passed.
        let r =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
        (r == 0).then_some(set)
    }

    /// The calling thread's CPU set without the core it runs on, if that
    /// leaves any.
    fn other_cores() -> Option<libc::cpu_set_t> {
        let mut set = own_cpu_set()?;
        // SAFETY: no preconditions; it returns -1 on failure.
        let current = unsafe { libc::sched_getcpu() };
        let current = usize::try_from(current).ok()?;
        if current >= libc::CPU_SETSIZE as usize {
            return None;
        }
        // SAFETY: `current` is below `CPU_SETSIZE`, the set's capacity.
        unsafe { libc::CPU_CLR(current, &mut set) };
        // SAFETY: `set` is an initialized set.
        (unsafe { libc::CPU_COUNT(&set) } > 0).then_some(set)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub(super) struct Starter;
    pub(super) struct Helper;

    pub(super) fn handshake() -> (Starter, Helper) {
        (Starter, Helper)
    }

    impl Starter {
        pub(super) fn place<T>(self, _thread: &std::thread::JoinHandle<T>) {}
    }

    impl Helper {
        pub(super) fn settle(self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helper_runs_its_work_and_returns_its_result() {
        let handle = spawn(Builder::new(), || 6 * 7).unwrap();
        assert_eq!(handle.join().unwrap(), 42);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_helper_ends_with_the_cpu_set_it_inherited() {
        fn own_set() -> Vec<usize> {
            let set = imp::own_cpu_set().expect("the thread's CPU set");
            (0..libc::CPU_SETSIZE as usize)
                // SAFETY: `c` is below the set's capacity.
                .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
                .collect()
        }
        let inherited = own_set();
        // Many helpers, so that both orders of the handshake occur.
        for _ in 0..50 {
            let seen = spawn(Builder::new(), own_set).unwrap().join().unwrap();
            assert_eq!(seen, inherited);
        }
    }
}
