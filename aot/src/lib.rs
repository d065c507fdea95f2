//! Compiled modules as files: write once, map back, run without compiling.
//!
//! An artifact holds everything a [`JitModule`] is made of — the module's
//! metadata, its binary (data segments and names are read from it), the
//! code's layout and trap records, and the machine code itself — so that
//! loading one is a `mmap`, a few checks, and one `mprotect` of the code
//! pages to read+execute. Nothing is compiled, copied or relocated: the
//! JIT's code reaches everything through the VM context.
//!
//! # Format
//!
//! ```text
//! 0    magic "\x7fSTRATA\0"
//! 8    format version (u32 LE), 4 reserved bytes
//! 16   (offset, length) of the header, the metadata and the text (u64 LE each)
//! 64   header    (postcard: Strata version, target, CPU features,
//!                 settings hash, module hash)
//!      metadata  (postcard: ModuleInfo, module binary, code layout, options)
//!      padding to a page boundary
//!      text      (machine code, page-aligned)
//! end  CRC-32 of every byte before it (u32 LE)
//! ```
//!
//! # What the checks guarantee
//!
//! A file is refused — never run — when it is not an artifact, has another
//! format version, was written by another version of Strata, for another
//! target, with CPU features this host lacks, with other settings (the
//! settings hash covers the tier, optimization, guard strategy, call mode,
//! enabled wasm features and the VM-context layout), or is truncated or
//! altered (the checksum). These checks catch accidents: a stale cache, a
//! file copied to another machine, a bad disk. They do not make a file from
//! an untrusted source safe to run — anyone can write a file that passes
//! them — so loading stays `unsafe`, as in wasmtime.

pub mod cache;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use strata_environ::ModuleInfo;
use strata_jit::{CodeLayout, CompileOptions, JitModule};

/// The first bytes of every artifact.
pub const MAGIC: [u8; 8] = *b"\x7fSTRATA\0";

/// Changes whenever the layout of an artifact changes.
pub const FORMAT_VERSION: u32 = 1;

/// The version of Strata writing and reading artifacts.
pub const STRATA_VERSION: &str = env!("CARGO_PKG_VERSION");

const PREFIX_LEN: usize = 64;
const PAGE: usize = 4096;

/// Why an artifact was refused.
#[derive(Debug, thiserror::Error)]
pub enum AotError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a Strata artifact (no `\\x7fSTRATA` magic)")]
    NotAnArtifact,
    /// Another format version.
    #[error("artifact format version {found}, this Strata reads version {expected}")]
    FormatVersion { found: u32, expected: u32 },
    /// The file is shorter than its own table of contents says.
    #[error("truncated artifact: {0}")]
    Truncated(&'static str),
    /// The checksum does not match: the file was altered or damaged.
    #[error("corrupt artifact: checksum mismatch")]
    Corrupt,
    /// Written by another version of Strata.
    #[error("artifact written by Strata {found}, this is Strata {expected}")]
    StrataVersion { found: String, expected: String },
    /// Compiled for another target.
    #[error("artifact compiled for {found}, this host is {expected}")]
    Target { found: String, expected: String },
    /// Compiled for CPU features this host lacks.
    #[error("artifact needs CPU features this host lacks: {0}")]
    MissingCpuFeatures(String),
    /// Compiled with other settings.
    #[error(
        "artifact compiled with other settings (tier, optimization, guard pages, call mode, \
         wasm features or VM layout differ)"
    )]
    Settings,
    /// A part could not be decoded.
    #[error("malformed artifact: {0}")]
    Malformed(String),
    /// Reading or mapping the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The code could not be loaded.
    #[error("cannot load artifact code: {0}")]
    Load(String),
}

/// What the code depends on, checked before anything else is read.
#[derive(Serialize, Deserialize)]
struct Header {
    strata_version: String,
    triple: String,
    cpu_features: Vec<String>,
    settings_hash: [u8; 32],
    module_hash: [u8; 32],
}

/// What rebuilds the module around the code.
#[derive(Serialize, Deserialize)]
struct Metadata {
    info: ModuleInfo,
    wasm: Vec<u8>,
    layout: CodeLayout,
    options: CompileOptions,
}

/// A loaded artifact: the module's metadata, its binary and its code.
pub struct Artifact {
    /// The module's metadata.
    pub info: ModuleInfo,
    /// The module's binary.
    pub wasm: Vec<u8>,
    /// The module's code, ready to run.
    pub code: JitModule,
}

/// The SHA-256 of a module's binary: half of an artifact's cache key.
pub fn module_hash(wasm: &[u8]) -> [u8; 32] {
    Sha256::digest(wasm).into()
}

/// The SHA-256 of everything that changes the code compiled from a module
/// besides the module itself: the Strata and format versions, the target,
/// its CPU features and Cranelift settings, the compile options, the
/// enabled wasm features (`features`, their bits) and the VM-context layout.
///
/// # Errors
///
/// When the host is not a target Cranelift supports.
pub fn settings_hash(options: &CompileOptions, features: u64) -> Result<[u8; 32], AotError> {
    use strata_environ::vmcontext::{
        builtin_offsets, compiled_module_offsets, funcref_offsets, store_offsets, vmctx_offsets,
    };
    let target = strata_jit::target().map_err(AotError::Load)?;
    let layout = [
        vmctx_offsets::SIZE,
        vmctx_offsets::jit_code,
        vmctx_offsets::builtins,
        vmctx_offsets::memory0_base,
        vmctx_offsets::defined_globals,
        funcref_offsets::SIZE,
        funcref_offsets::wasm_call,
        store_offsets::SIZE,
        store_offsets::stack_limit,
        compiled_module_offsets::SIZE,
        builtin_offsets::memory_copy,
    ];
    let text = format!(
        "strata {STRATA_VERSION}; format {FORMAT_VERSION}; tier jit; target {}; cpu {:?}; \
         cranelift {}; options {options:?}; features {features:#x}; layout {layout:?}",
        target.triple, target.cpu_features, target.settings
    );
    Ok(Sha256::digest(text.as_bytes()).into())
}

/// Whether `bytes` start like an artifact.
pub fn is_artifact(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, AotError> {
    postcard::to_stdvec(value).map_err(|e| AotError::Malformed(e.to_string()))
}

/// Writes the artifact of a compiled module.
///
/// # Errors
///
/// When the host's target cannot be described or a part cannot be
/// encoded.
pub fn serialize(
    info: &ModuleInfo,
    wasm: &[u8],
    code: &JitModule,
    features: u64,
) -> Result<Vec<u8>, AotError> {
    let target = strata_jit::target().map_err(AotError::Load)?;
    let header = encode(&Header {
        strata_version: STRATA_VERSION.to_string(),
        triple: target.triple,
        cpu_features: target.cpu_features,
        settings_hash: settings_hash(&code.options(), features)?,
        module_hash: module_hash(wasm),
    })?;
    let meta = encode(&Metadata {
        info: info.clone(),
        wasm: wasm.to_vec(),
        layout: code.layout().clone(),
        options: code.options(),
    })?;
    let text = code.text();
    let header_off = PREFIX_LEN;
    let meta_off = header_off + header.len();
    let text_off = (meta_off + meta.len()).next_multiple_of(PAGE);
    let mut out = Vec::with_capacity(text_off + text.len() + 4);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    for (off, len) in [
        (header_off, header.len()),
        (meta_off, meta.len()),
        (text_off, text.len()),
    ] {
        out.extend_from_slice(&(off as u64).to_le_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    out.extend_from_slice(&header);
    out.extend_from_slice(&meta);
    out.resize(text_off, 0);
    out.extend_from_slice(text);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// The checked table of contents of an artifact.
struct Parts {
    meta: std::ops::Range<usize>,
    text: std::ops::Range<usize>,
}

fn u64_at(bytes: &[u8], at: usize) -> usize {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b) as usize
}

/// Checks everything about `bytes` that can be checked without running
/// it, in the order the errors are most useful: what it is, its format,
/// its integrity, then whether it fits this host and these settings.
fn check(bytes: &[u8], options: &CompileOptions, features: u64) -> Result<Parts, AotError> {
    if !is_artifact(bytes) {
        return Err(AotError::NotAnArtifact);
    }
    if bytes.len() < PREFIX_LEN + 4 {
        return Err(AotError::Truncated("shorter than its table of contents"));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(AotError::FormatVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let range = |i: usize| -> Result<std::ops::Range<usize>, AotError> {
        let (off, len) = (u64_at(bytes, 16 + 16 * i), u64_at(bytes, 24 + 16 * i));
        off.checked_add(len)
            .filter(|end| *end <= bytes.len() - 4)
            .map(|end| off..end)
            .ok_or(AotError::Truncated(
                "a section runs past the end of the file",
            ))
    };
    let (header, meta, text) = (range(0)?, range(1)?, range(2)?);
    if text.end != bytes.len() - 4 {
        return Err(AotError::Truncated(
            "the code does not end where the file does",
        ));
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err(AotError::Corrupt);
    }
    let header: Header = postcard::from_bytes(&bytes[header])
        .map_err(|e| AotError::Malformed(format!("header: {e}")))?;
    if header.strata_version != STRATA_VERSION {
        return Err(AotError::StrataVersion {
            found: header.strata_version,
            expected: STRATA_VERSION.to_string(),
        });
    }
    let target = strata_jit::target().map_err(AotError::Load)?;
    if header.triple != target.triple {
        return Err(AotError::Target {
            found: header.triple,
            expected: target.triple,
        });
    }
    let missing: Vec<&str> = header
        .cpu_features
        .iter()
        .filter(|f| !target.cpu_features.contains(f))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AotError::MissingCpuFeatures(missing.join(", ")));
    }
    if header.settings_hash != settings_hash(options, features)? {
        return Err(AotError::Settings);
    }
    Ok(Parts { meta, text })
}

fn metadata(bytes: &[u8], parts: &Parts) -> Result<Metadata, AotError> {
    let meta: Metadata = postcard::from_bytes(&bytes[parts.meta.clone()])
        .map_err(|e| AotError::Malformed(format!("metadata: {e}")))?;
    if meta.layout.funcs.len() != meta.info.num_defined_functions() as usize
        || meta.layout.num_imported_funcs != meta.info.num_imported_functions
    {
        return Err(AotError::Malformed(
            "the code does not match the module's functions".into(),
        ));
    }
    Ok(meta)
}

/// Maps the artifact at `path` and loads it: its code pages become
/// executable in place.
///
/// `options` and `features` are the engine's: an artifact compiled with
/// others is refused.
///
/// # Errors
///
/// Any [`AotError`]: the file is refused, never run.
///
/// # Safety
///
/// The file's code will be executed. The checks above refuse accidents,
/// not malice: only load files this Strata wrote, that nothing else could
/// have replaced. The file must not be modified while it is mapped
/// (artifacts are replaced by renaming a new file over them, never
/// rewritten in place).
pub unsafe fn deserialize_file(
    path: &Path,
    options: &CompileOptions,
    features: u64,
) -> Result<Artifact, AotError> {
    let file = std::fs::File::open(path)?;
    // SAFETY: a private, read-only mapping; the caller guarantees that the
    // file is not modified while mapped.
    let mapping = unsafe { memmap2::MmapOptions::new().map_copy_read_only(&file)? };
    let parts = check(&mapping, options, features)?;
    let meta = metadata(&mapping, &parts)?;
    // SAFETY: the checks passed and the caller vouches for the file.
    let code = unsafe {
        JitModule::from_file_mapping(mapping, parts.text, meta.layout, meta.options)
            .map_err(AotError::Load)?
    };
    Ok(Artifact {
        info: meta.info,
        wasm: meta.wasm,
        code,
    })
}

/// Loads an artifact from bytes in memory, copying its code into fresh
/// executable memory.
///
/// # Errors
///
/// Any [`AotError`]: the bytes are refused, never run.
///
/// # Safety
///
/// As [`deserialize_file`]: the bytes' code will be executed.
pub unsafe fn deserialize(
    bytes: &[u8],
    options: &CompileOptions,
    features: u64,
) -> Result<Artifact, AotError> {
    let parts = check(bytes, options, features)?;
    let meta = metadata(bytes, &parts)?;
    // SAFETY: the checks passed and the caller vouches for the bytes.
    let code = unsafe {
        JitModule::from_text(&bytes[parts.text], meta.layout, meta.options)
            .map_err(AotError::Load)?
    };
    Ok(Artifact {
        info: meta.info,
        wasm: meta.wasm,
        code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_jit::JitCompiler;

    const OPTIONS: CompileOptions = CompileOptions {
        guarded: true,
        guard_size: 32 << 20,
        direct_calls: false,
        epoch_checks: false,
        fuel: false,
        tiered: false,
    };
    const FEATURES: u64 = 0x1234;

    fn compiled() -> (ModuleInfo, Vec<u8>, JitModule) {
        let wasm = wat::parse_str(
            r#"(module (func (export "answer") (result i32) i32.const 42)
                       (func (export "fib") (param i32) (result i32)
                         (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                           (then (local.get 0))
                           (else (i32.add (call 1 (i32.sub (local.get 0) (i32.const 1)))
                                          (call 1 (i32.sub (local.get 0) (i32.const 2))))))))"#,
        )
        .unwrap();
        let env = strata_environ::ModuleEnvironment::new(wasmparser::WasmFeatures::default());
        let mut compiler = JitCompiler::new();
        let info = env.translate(&wasm, &mut compiler).unwrap();
        let code = compiler.finish(&info, &wasm, OPTIONS).unwrap();
        (info, wasm, code)
    }

    fn artifact() -> Vec<u8> {
        let (info, wasm, code) = compiled();
        serialize(&info, &wasm, &code, FEATURES).unwrap()
    }

    /// Replaces the header with `edit` applied, fixing the offsets and the
    /// checksum, as a writer with other settings would have.
    fn with_header(bytes: &[u8], edit: impl FnOnce(&mut Header)) -> Vec<u8> {
        let (hoff, hlen) = (u64_at(bytes, 16), u64_at(bytes, 24));
        let (moff, mlen) = (u64_at(bytes, 32), u64_at(bytes, 40));
        let (toff, tlen) = (u64_at(bytes, 48), u64_at(bytes, 56));
        let mut header: Header = postcard::from_bytes(&bytes[hoff..hoff + hlen]).unwrap();
        edit(&mut header);
        let header = postcard::to_stdvec(&header).unwrap();
        let meta = &bytes[moff..moff + mlen];
        let new_moff = PREFIX_LEN + header.len();
        assert!(new_moff + mlen <= toff, "the padding absorbs the change");
        let mut out = bytes[..PREFIX_LEN].to_vec();
        out[24..32].copy_from_slice(&(header.len() as u64).to_le_bytes());
        out[32..40].copy_from_slice(&(new_moff as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(meta);
        out.resize(toff, 0);
        out.extend_from_slice(&bytes[toff..toff + tlen]);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    #[test]
    fn round_trip_in_memory_and_from_a_file() {
        let bytes = artifact();
        // SAFETY: bytes this test just wrote.
        let a = unsafe { deserialize(&bytes, &OPTIONS, FEATURES) }.unwrap();
        assert_eq!(a.code.layout().funcs.len(), 2);
        assert_eq!(a.info.exports.len(), 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.cwasm");
        std::fs::write(&path, &bytes).unwrap();
        // SAFETY: a file this test just wrote.
        let b = unsafe { deserialize_file(&path, &OPTIONS, FEATURES) }.unwrap();
        assert_eq!(b.code.text(), a.code.text());
        assert_eq!(b.wasm, a.wasm);
    }

    #[test]
    fn not_an_artifact() {
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(b"\0asm\x01\0\0\0", &OPTIONS, FEATURES) };
        assert!(matches!(e, Err(AotError::NotAnArtifact)));
        // SAFETY: bytes this test wrote (or refused before anything runs).
        let e = unsafe { deserialize(b"", &OPTIONS, FEATURES) };
        assert!(matches!(e, Err(AotError::NotAnArtifact)));
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = artifact();
        for len in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
            // SAFETY: refused before anything could run.
            let e = unsafe { deserialize(&bytes[..len], &OPTIONS, FEATURES) };
            assert!(
                matches!(
                    e,
                    Err(AotError::Truncated(_) | AotError::NotAnArtifact | AotError::Corrupt)
                ),
                "truncated to {len}: {:?}",
                e.err()
            );
        }
    }

    #[test]
    fn every_bit_flip_is_refused() {
        let bytes = artifact();
        // Past the magic and version, where a flip is not refused as "not
        // an artifact" or "another format" first.
        for at in (16..bytes.len()).step_by(13) {
            let mut b = bytes.clone();
            b[at] ^= 1 << (at % 8);
            // SAFETY: refused before anything could run.
            let e = unsafe { deserialize(&b, &OPTIONS, FEATURES) };
            assert!(e.is_err(), "flipping a bit at {at} was not noticed");
        }
    }

    #[test]
    fn another_format_version_is_refused() {
        let mut bytes = artifact();
        bytes[8] = 99;
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(&bytes, &OPTIONS, FEATURES) };
        assert!(matches!(e, Err(AotError::FormatVersion { found: 99, .. })));
    }

    #[test]
    fn another_strata_version_is_refused() {
        let bytes = with_header(&artifact(), |h| h.strata_version = "0.0.1".into());
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(&bytes, &OPTIONS, FEATURES) };
        assert!(
            matches!(e, Err(AotError::StrataVersion { .. })),
            "{:?}",
            e.err()
        );
    }

    #[test]
    fn another_target_is_refused() {
        let bytes = with_header(&artifact(), |h| {
            h.triple = "aarch64-unknown-linux-gnu".into()
        });
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(&bytes, &OPTIONS, FEATURES) };
        assert!(matches!(e, Err(AotError::Target { .. })), "{:?}", e.err());
    }

    #[test]
    fn missing_cpu_features_are_refused() {
        let bytes = with_header(&artifact(), |h| h.cpu_features.push("has_quantum".into()));
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(&bytes, &OPTIONS, FEATURES) };
        match e {
            Err(AotError::MissingCpuFeatures(f)) => assert_eq!(f, "has_quantum"),
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn other_settings_are_refused() {
        let bytes = artifact();
        let other = CompileOptions {
            direct_calls: true,
            ..OPTIONS
        };
        // SAFETY: refused before anything could run.
        let e = unsafe { deserialize(&bytes, &other, FEATURES) };
        assert!(matches!(e, Err(AotError::Settings)));
        // SAFETY: bytes this test wrote (or refused before anything runs).
        let e = unsafe { deserialize(&bytes, &OPTIONS, FEATURES ^ 1) };
        assert!(matches!(e, Err(AotError::Settings)));
    }

    #[test]
    fn the_cache_hits_replaces_bad_entries_and_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache::Cache::new(dir.path(), 1 << 30);
        let (_, wasm, _) = compiled();
        let key = cache::Cache::key(&wasm, &OPTIONS, FEATURES).unwrap();
        // SAFETY: a folder only this test writes.
        assert!(unsafe { cache.load(&key, &OPTIONS, FEATURES) }.is_none());
        cache.store(&key, &artifact()).unwrap();
        // SAFETY: bytes this test wrote (or refused before anything runs).
        assert!(unsafe { cache.load(&key, &OPTIONS, FEATURES) }.is_some());
        // Another configuration is another key; a damaged entry is a miss.
        let other = CompileOptions {
            guarded: false,
            ..OPTIONS
        };
        assert_ne!(cache::Cache::key(&wasm, &other, FEATURES).unwrap(), key);
        let path = dir.path().join(format!("{key}.cwasm"));
        let mut damaged = std::fs::read(&path).unwrap();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0xff;
        std::fs::write(&path, &damaged).unwrap();
        // SAFETY: bytes this test wrote (or refused before anything runs).
        assert!(unsafe { cache.load(&key, &OPTIONS, FEATURES) }.is_none());
        cache.store(&key, &artifact()).unwrap();
        // SAFETY: bytes this test wrote (or refused before anything runs).
        assert!(unsafe { cache.load(&key, &OPTIONS, FEATURES) }.is_some());
        // A small limit evicts older entries, never the one just written.
        let small = cache::Cache::new(dir.path(), 1);
        small.store("other", &artifact()).unwrap();
        assert!(dir.path().join("other.cwasm").exists());
        assert!(!path.exists(), "the older entry was evicted");
        // No temporary files are left behind.
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn concurrent_writers_never_leave_a_bad_entry() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = artifact();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let cache = cache::Cache::new(dir.path(), 1 << 30);
                    for _ in 0..20 {
                        cache.store("same", &bytes).unwrap();
                        // SAFETY: a folder only this test writes.
                        assert!(unsafe { cache.load("same", &OPTIONS, FEATURES) }.is_some());
                    }
                });
            }
        });
    }
}
