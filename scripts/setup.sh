#!/usr/bin/env bash
# Installs everything the toolkit needs on Debian bookworm, then builds it in release mode.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libturbojpeg0-dev libpng-dev zlib1g-dev libsvm-dev libxgboost-dev libdnnl-dev libopenblas-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

echo "setup: building (release)"
swift build -c release --product leukemia
