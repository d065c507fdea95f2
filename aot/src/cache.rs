//! The compile cache: artifacts kept on disk, keyed by what they were
//! compiled from.
//!
//! An entry's name is the SHA-256 of the module's binary and of every
//! setting that changes its code ([`crate::settings_hash`]: Strata version,
//! tier, target and CPU features, options, wasm features, VM layout), so a
//! module compiled differently is a different entry.
//!
//! - **Concurrency.** An entry is written to a temporary file in the cache
//!   folder and renamed over its name: readers see the old file or the new
//!   one, never a partial one, and a file some process has mapped is never
//!   rewritten in place (its inode lives on until unmapped).
//! - **Failures are misses.** An entry that fails any check (an older
//!   Strata, another configuration, a damaged file) is compiled again and
//!   replaced; I/O errors only cost the cache, never the run.
//! - **Bounded.** After each write, if the entries exceed the cache's size
//!   limit (512 MiB by default), the least recently used (by modification
//!   time, which a hit refreshes) are deleted until they fit in three
//!   quarters of it.

use crate::{AotError, Artifact};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use strata_jit::CompileOptions;

/// The default size limit of a cache folder.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

const SUFFIX: &str = "cwasm";

/// A cache folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

impl Cache {
    /// A cache in `dir`, holding at most `max_bytes` of artifacts.
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Cache {
        Cache {
            dir: dir.into(),
            max_bytes,
        }
    }

    /// The user's cache: `$XDG_CACHE_HOME/strata`, else
    /// `$HOME/.cache/strata`; `None` if neither variable is set.
    pub fn user_default() -> Option<Cache> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(Cache::new(base.join("strata"), DEFAULT_MAX_BYTES))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry name of a module compiled with these settings.
    ///
    /// # Errors
    ///
    /// When the host's target cannot be described.
    pub fn key(wasm: &[u8], options: &CompileOptions, features: u64) -> Result<String, AotError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(crate::module_hash(wasm));
        h.update(crate::settings_hash(options, features)?);
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{SUFFIX}"))
    }

    /// The entry `key`, if it is there and passes every check.
    ///
    /// # Safety
    ///
    /// As [`crate::deserialize_file`]: the cache folder must hold only
    /// files Strata wrote.
    pub unsafe fn load(
        &self,
        key: &str,
        options: &CompileOptions,
        features: u64,
    ) -> Option<Artifact> {
        let path = self.path(key);
        // SAFETY: the caller vouches for the folder; entries are only ever
        // replaced by rename, never modified in place.
        let artifact = unsafe { crate::deserialize_file(&path, options, features) }.ok()?;
        // A hit counts as a use for the size limit's eviction order.
        if let Ok(f) = std::fs::File::options().append(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(artifact)
    }

    /// Stores `bytes` as entry `key` (atomically), then enforces the size
    /// limit.
    ///
    /// # Errors
    ///
    /// When the folder or the file cannot be written.
    pub fn store(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let tmp = self
            .dir
            .join(format!(".{key}.{}.{nanos}.tmp", std::process::id()));
        let result =
            std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, self.path(key)));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        self.prune(key);
        Ok(())
    }

    /// Deletes the least recently used entries (never `keep`) while the
    /// entries exceed the size limit, down to three quarters of it.
    fn prune(&self, keep: &str) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = dir
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == SUFFIX))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return;
        }
        entries.sort();
        let target = self.max_bytes / 4 * 3;
        for (_, len, path) in entries {
            if total <= target {
                break;
            }
            if path.file_stem().is_some_and(|s| s == keep) {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}
