#!/usr/bin/env bash
# One command for the whole comparison:
#   benches/run.sh          # full run (about 40 minutes on 2 cores)
#   benches/run.sh --quick  # quick run (about 8 minutes)
# Installs the peer runtimes on first use (cached; see install-peers.sh),
# builds Strata and the programs, runs, and writes benches/results/latest.{md,svg}
# and latest-tiering.svg.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Build from the repository so that its .cargo/config.toml (threaded
# interpreter dispatch) applies.
cd "$here/.."
"$here/install-peers.sh"
cargo build --release --manifest-path "$here/../Cargo.toml" -p strata-cli
cargo build --release --manifest-path "$here/Cargo.toml" --bin compare
"$here/target/release/compare" --strata "$here/../target/release/strata" --out "$here/results" "$@"
