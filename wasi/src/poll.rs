//! `poll_oneoff`: clock subscriptions and descriptor readiness.

use crate::ctx::{FdKind, Stdio, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::guest::GuestMemory;
use crate::preview1::{clock_id, now};
use std::os::fd::AsRawFd;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCK_ABSTIME: u16 = 1;

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
}

/// Waits for the first of the subscriptions and reports every one ready.
pub fn poll_oneoff(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    subs: u32,
    out: u32,
    nsubs: u32,
    nevents: u32,
) -> WasiResult<()> {
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    mem.slice(subs, nsubs.checked_mul(48).ok_or(Errno::Fault)?)?;
    mem.slice(out, nsubs.checked_mul(32).ok_or(Errno::Fault)?)?;
    let mut ready: Vec<Event> = Vec::new();
    // (userdata, remaining ns) per clock.
    let mut clocks: Vec<(u64, u64)> = Vec::new();
    // (userdata, kind, host fd) per descriptor the host must poll.
    let mut waits: Vec<(u64, u8, libc::c_int)> = Vec::new();
    for i in 0..nsubs {
        let base = subs + i * 48;
        let userdata = mem.read_u64(base)?;
        let tag = mem.read_u8(base + 8)?;
        match tag {
            EVENTTYPE_CLOCK => {
                let id = mem.read_u32(base + 16)?;
                let timeout = mem.read_u64(base + 24)?;
                let flags = mem.read_u16(base + 40)?;
                let clock = match clock_id(id) {
                    Ok(c) => c,
                    Err(error) => {
                        ready.push(Event {
                            userdata,
                            error,
                            kind: EVENTTYPE_CLOCK,
                            nbytes: 0,
                        });
                        continue;
                    }
                };
                let remaining = if flags & SUBCLOCK_ABSTIME != 0 {
                    timeout.saturating_sub(now(clock)?)
                } else {
                    timeout
                };
                clocks.push((userdata, remaining));
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
                let fd = mem.read_u32(base + 16)?;
                let entry = match ctx.entry(fd).and_then(|e| {
                    if matches!(e.kind, FdKind::Dir { .. }) {
                        Ok(e)
                    } else {
                        e.require(crate::rights::POLL_FD_READWRITE).map(|()| e)
                    }
                }) {
                    Ok(e) => e,
                    Err(e) => {
                        ready.push(Event {
                            userdata,
                            error: e,
                            kind: tag,
                            nbytes: 0,
                        });
                        continue;
                    }
                };
                match &mut entry.kind {
                    FdKind::File(f) => {
                        // Regular files are always ready; report what is
                        // left to read.
                        let nbytes = if tag == EVENTTYPE_FD_READ {
                            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                            let pos = std::io::Seek::stream_position(f).unwrap_or(0);
                            len.saturating_sub(pos)
                        } else {
                            0
                        };
                        ready.push(Event {
                            userdata,
                            error: Errno::Success,
                            kind: tag,
                            nbytes,
                        });
                    }
                    FdKind::Dir { fd, .. } => {
                        let _ = fd.as_raw_fd();
                        ready.push(Event {
                            userdata,
                            error: Errno::Badf,
                            kind: tag,
                            nbytes: 0,
                        });
                    }
                    FdKind::Stdio(Stdio::Inherit, raw) => waits.push((userdata, tag, *raw)),
                    FdKind::Stdio(_, _) => {
                        ready.push(Event {
                            userdata,
                            error: Errno::Success,
                            kind: tag,
                            nbytes: 0,
                        });
                    }
                }
            }
            _ => return Err(Errno::Inval),
        }
    }

    let start = now(libc::CLOCK_MONOTONIC)?;
    loop {
        let elapsed = now(libc::CLOCK_MONOTONIC)?.saturating_sub(start);
        let mut timeout_ms: libc::c_int = -1;
        if !ready.is_empty() {
            timeout_ms = 0;
        } else if let Some(min) = clocks.iter().map(|c| c.1).min() {
            let left = min.saturating_sub(elapsed);
            timeout_ms = left.div_ceil(1_000_000).min(i32::MAX as u64) as libc::c_int;
        }
        let mut pollfds: Vec<libc::pollfd> = waits
            .iter()
            .map(|(_, kind, fd)| libc::pollfd {
                fd: *fd,
                events: if *kind == EVENTTYPE_FD_READ {
                    libc::POLLIN
                } else {
                    libc::POLLOUT
                },
                revents: 0,
            })
            .collect();
        // SAFETY: `pollfds` is a valid array of its length.
        let r = unsafe {
            libc::poll(
                pollfds.as_mut_ptr(),
                pollfds.len() as libc::nfds_t,
                timeout_ms,
            )
        };
        if r < 0 {
            let e = Errno::last();
            if e == Errno::Intr {
                continue;
            }
            return Err(e);
        }
        for (p, (userdata, kind, _)) in pollfds.iter().zip(&waits) {
            if p.revents != 0 {
                let error = if p.revents & libc::POLLNVAL != 0 {
                    Errno::Badf
                } else {
                    Errno::Success
                };
                ready.push(Event {
                    userdata: *userdata,
                    error,
                    kind: *kind,
                    nbytes: 0,
                });
            }
        }
        let elapsed = now(libc::CLOCK_MONOTONIC)?.saturating_sub(start);
        if ready.is_empty() {
            for (userdata, remaining) in &clocks {
                if *remaining <= elapsed {
                    ready.push(Event {
                        userdata: *userdata,
                        error: Errno::Success,
                        kind: EVENTTYPE_CLOCK,
                        nbytes: 0,
                    });
                }
            }
        }
        if !ready.is_empty() {
            break;
        }
    }

    for (i, ev) in ready.iter().enumerate() {
        let buf = mem.slice_mut(out + i as u32 * 32, 32)?;
        buf.fill(0);
        buf[0..8].copy_from_slice(&ev.userdata.to_le_bytes());
        buf[8..10].copy_from_slice(&(ev.error as u16).to_le_bytes());
        buf[10] = ev.kind;
        buf[16..24].copy_from_slice(&ev.nbytes.to_le_bytes());
    }
    mem.write_u32(nevents, ready.len() as u32)
}
