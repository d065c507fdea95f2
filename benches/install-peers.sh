#!/usr/bin/env bash
# Installs the runtimes Strata is compared with into a cache folder (never on
# CI's default path). One-time and slow: wasmtime builds for ~20 minutes on
# 2 cores. Safe to re-run: finished installs are skipped.
#
#   STRATA_BENCH_CACHE  where to install (default: ~/.cache/strata-bench)
#   JOBS                cargo build jobs (default: all cores)
set -uo pipefail
CACHE="${STRATA_BENCH_CACHE:-$HOME/.cache/strata-bench}"
JOBS="${JOBS:-$(nproc)}"
mkdir -p "$CACHE"
log() { printf '[install-peers] %s\n' "$*"; }

if ! command -v clang-19 >/dev/null || ! command -v node >/dev/null; then
  log "installing clang-19, wasi-libc and node"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 nodejs
fi

if [ -x "$CACHE/bin/wasmi_cli" ]; then
  log "wasmi_cli present"
else
  log "building wasmi_cli"
  cargo install wasmi_cli --locked --root "$CACHE" -j "$JOBS" || log "wasmi_cli FAILED"
fi

if [ -x "$CACHE/venv/bin/python" ] && "$CACHE/venv/bin/python" -c 'import wasm3' 2>/dev/null; then
  log "pywasm3 present"
else
  log "installing pywasm3"
  python3 -m venv "$CACHE/venv" && "$CACHE/venv/bin/pip" install -q pywasm3 || log "pywasm3 FAILED"
fi

if [ -x "$CACHE/bin/wasmtime" ]; then
  log "wasmtime present"
else
  log "building wasmtime-cli 48.0.8 (slow)"
  cargo install wasmtime-cli --version 48.0.8 --locked --root "$CACHE" -j "$JOBS" || log "wasmtime FAILED"
fi
log "done; peers in $CACHE"
