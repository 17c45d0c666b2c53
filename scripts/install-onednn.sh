#!/usr/bin/env bash
# Installs oneDNN 3.2, the tensor engine's library, into .dependencies/onednn-3.2 (lib/ and include/),
# where Package.swift compiles and links the engine against it (and the binaries load it from, by rpath).
#
# It comes from Intel's PyPI wheels of oneDNN 3.2 built with GNU OpenMP (it needs only libgomp1):
# onednn-cpu-gomp (the library) and onednn-devel-cpu-gomp (the headers), fetched with pip as a
# downloader only and checked against the SHA-256 hashes pinned below. Nothing is built from source.
#
# Called by scripts/setup.sh before the build. Idempotent: an installation whose files still match the
# hashes recorded when it was unpacked is kept; a missing, partial or altered one is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

version=2023.2.0
destination=.dependencies/onednn-3.2
library_wheel=onednn_cpu_gomp-$version-py2.py3-none-manylinux1_x86_64.whl
library_sha256=2f22a54d6a890ed14bfa185d42a4be65d8b5b1df85dc1f0f3a9abe31620416fb
headers_wheel=onednn_devel_cpu_gomp-$version-py2.py3-none-manylinux1_x86_64.whl
headers_sha256=9763c69e8c907e119056bd52ad918ca84ac9ba939d130a99dfa95ccca3e5e284

# Intact: every unpacked file matches SHA256SUMS (written last, so a partial unpack has none) and
# libdnnl.so still points to libdnnl.so.3.
if [ -f "$destination/SHA256SUMS" ] && [ "$(readlink "$destination/lib/libdnnl.so" || true)" = libdnnl.so.3 ] \
    && (cd "$destination" && sha256sum --quiet --strict -c SHA256SUMS > /dev/null 2>&1); then
    exit 0
fi

echo "setup: installing oneDNN 3.2 ($version wheels from PyPI) into $destination"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" \
    "onednn-cpu-gomp==$version" "onednn-devel-cpu-gomp==$version"
for pinned in "$library_wheel $library_sha256" "$headers_wheel $headers_sha256"; do
    read -r wheel sha256 <<< "$pinned"
    if [ ! -f "$work/$wheel" ]; then
        echo "setup: pip did not download $wheel (got: $(ls "$work"))" >&2
        exit 1
    fi
    if ! echo "$sha256  $work/$wheel" | sha256sum --quiet --strict -c - > /dev/null 2>&1; then
        echo "setup: $wheel has SHA-256 $(sha256sum "$work/$wheel" | cut -d' ' -f1), expected $sha256" >&2
        exit 1
    fi
done

# The wheels hold libdnnl.so, .so.3 and .so.3.2 as three identical copies: keep .so.3 (the soname the
# binaries record) and make libdnnl.so, which the linker looks for, a link to it.
staging=$work/onednn-3.2
mkdir -p "$staging/lib"
unzip -q -j "$work/$library_wheel" "onednn_cpu_gomp-$version.data/data/lib/libdnnl.so.3" \
    "onednn_cpu_gomp-$version.data/data/share/doc/onednn/LICENSE" \
    "onednn_cpu_gomp-$version.data/data/share/doc/onednn/THIRD-PARTY-PROGRAMS" -d "$staging/lib"
mv "$staging/lib/LICENSE" "$staging/lib/THIRD-PARTY-PROGRAMS" "$staging/"
ln -s libdnnl.so.3 "$staging/lib/libdnnl.so"
unzip -q "$work/$headers_wheel" "onednn_devel_cpu_gomp-$version.data/data/include/*" -d "$work/headers"
mv "$work/headers/onednn_devel_cpu_gomp-$version.data/data/include" "$staging/include"
(cd "$staging" && find lib include LICENSE THIRD-PARTY-PROGRAMS -type f -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)

rm -rf "$destination"
mkdir -p "$(dirname "$destination")"
mv "$staging" "$destination"
