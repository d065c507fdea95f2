//! What the generated-module tests share.

/// `wasm-smith` limited to what Strata supports (WebAssembly 2.0, SIMD
/// included, and multi-memory: up to two memories) and to modules that instantiate without running
/// forever: no start function. Tests add their own limits on top.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        multi_value_enabled: true,
        max_memories: 2,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        // A start function may loop forever; instantiation runs it.
        allow_start_export: false,
        ..wasm_smith::Config::default()
    }
}
