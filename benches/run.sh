#!/usr/bin/env bash
# One command for the whole comparison:
#   benches/run.sh          # full run (about 40 minutes on 2 cores)
#   benches/run.sh --quick  # quick run (about 8 minutes)
# Installs the peer runtimes on first use (cached; see install-peers.sh),
# builds Strata and the programs, runs, and writes benches/results/latest.{md,svg}
# and latest-tiering.svg.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${STRATA_BENCH_CACHE:-$HOME/.cache/strata-bench}"
"$here/install-peers.sh"
# Strata as its users get it: `cargo install` run from outside the
# repository, so that nothing repo-local (a .cargo/config.toml, RUSTFLAGS
# set for this checkout) reaches the build. `--force`: without it, cargo
# keeps an installed binary of the same version, however old its code.
(cd "$CACHE" && env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
  cargo install --quiet --locked --force --path "$here/../cli" --root "$CACHE/strata" \
  --target-dir "$CACHE/strata-target")
cargo build --release --manifest-path "$here/Cargo.toml" --bin compare
"$here/target/release/compare" --strata "$CACHE/strata/bin/strata" --out "$here/results" "$@"
