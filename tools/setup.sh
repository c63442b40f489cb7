#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian bookworm machine: system packages, the .venv with the
# Python packages, and the data sets of shared/DATA.md. Installs only what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv"

need_apt=()
for pkg in cmake ninja-build g++ pkg-config libopenblas-dev libgtest-dev abigail-tools; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" - <<'PY' || "$VENV/bin/pip" install -q "numpy" "cffi>=1.17" "pytest" "scikit-build-core" "ruff"
import importlib.util, sys
sys.exit(0 if all(importlib.util.find_spec(m) for m in ("numpy", "cffi", "pytest", "scikit_build_core")) else 1)
PY
# The source tree's python/ on the venv's path, so `import minerva` works after `make build`.
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$ROOT/python" > "$SITE/minerva-source-tree.pth"
