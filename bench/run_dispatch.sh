#!/usr/bin/env bash
# Per-op dispatch cost of `c = a + b` on 16 floats, Minerva beside MXNet 1.9.1 and PyTorch in
# one interleaved run, using the peers' own script (shared/bench/peers). Prints the medians and
# the ratios to each peer. Peers' venvs: $VENVS/{mxnet,torch} (see shared/bench/README.md);
# a peer whose venv is missing is skipped and said so.
#   bash bench/run_dispatch.sh [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/bench/peers}"
VENVS="${VENVS:-$ROOT/../.venvs}"
ROUNDS="${1:-5}"
OUT="$(mktemp -d)"
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MXNET_CPU_WORKER_NTHREADS=1
for r in $(seq 1 "$ROUNDS"); do
  (cd "$PEERS" && "$ROOT/.venv/bin/python" bench_mxnet.py --module minerva --name minerva --only dispatch \
     --out "$OUT/minerva-$r.json" 2>/dev/null)
  [ -x "$VENVS/mxnet/bin/python" ] && (cd "$PEERS" && "$VENVS/mxnet/bin/python" bench_mxnet.py --only dispatch \
     --out "$OUT/mxnet-$r.json" 2>/dev/null)
  [ -x "$VENVS/torch/bin/python" ] && (cd "$PEERS" && "$VENVS/torch/bin/python" bench_torch.py --only dispatch \
     --out "$OUT/torch-$r.json" 2>/dev/null)
done
"$ROOT/.venv/bin/python" "$ROOT/bench/summarize.py" "$OUT" dispatch_add16_us | tee "$ROOT/bench/results-dispatch.md"
