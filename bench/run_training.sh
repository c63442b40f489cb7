#!/usr/bin/env bash
# Gluon training throughput (MLP, LeNet, the CIFAR-10 CNN; images/s, higher is better), the
# symbolic MLP executor and LeNet batch-1 latency: Minerva beside MXNet 1.9.1 and PyTorch in one
# interleaved run with the peers' own script (shared/bench/peers). Peers' venvs: $VENVS/{mxnet,
# torch} (shared/bench/README.md); MXNet falls back to the oracle venv `make setup` installs; a
# peer whose venv is missing is skipped and said so.
#   bash bench/run_training.sh [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/bench/peers}"
VENVS="${VENVS:-$ROOT/../.venvs}"
ROUNDS="${1:-3}"
ONLY="mlp,lenet,cifar,symbolic,latency"
OUT="$(mktemp -d)"
MXNET_PY="$VENVS/mxnet/bin/python"
[ -x "$MXNET_PY" ] || MXNET_PY="$ROOT/.oracle-venv/bin/python"
TORCH_PY="$VENVS/torch/bin/python"
export OMP_NUM_THREADS=2 MXNET_CPU_WORKER_NTHREADS=1
[ -x "$MXNET_PY" ] || echo "MXNet 1.9.1 not installed: skipped"
[ -x "$TORCH_PY" ] || echo "PyTorch not installed in $VENVS/torch: skipped"
for r in $(seq 1 "$ROUNDS"); do
  (cd "$PEERS" && "$ROOT/.venv/bin/python" bench_mxnet.py --module minerva --name minerva --only "$ONLY" \
     --out "$OUT/minerva-$r.json" >/dev/null)
  [ -x "$MXNET_PY" ] && (cd "$PEERS" && "$MXNET_PY" bench_mxnet.py --only "$ONLY" --out "$OUT/mxnet-$r.json" \
     >/dev/null 2>&1)
  [ -x "$TORCH_PY" ] && (cd "$PEERS" && "$TORCH_PY" bench_torch.py --only mlp,lenet,cifar,latency \
     --out "$OUT/torch-$r.json" >/dev/null 2>&1)
done
{
  for metrics in "mlp_hybrid_img_s mlp_eager_img_s" "lenet_hybrid_img_s lenet_eager_img_s" \
      "cifar_hybrid_img_s cifar_eager_img_s" "mlp_imperative_img_s" "lenet_imperative_img_s" \
      "symbolic_mlp_fwdbwd_ms" "lenet_infer_b1_hybrid_us lenet_infer_b1_eager_us"; do
    set -- $metrics
    echo "### $1"
    "$ROOT/.venv/bin/python" "$ROOT/bench/summarize.py" "$OUT" "$@"
    echo
  done
} | tee "$ROOT/bench/results-training.md"
