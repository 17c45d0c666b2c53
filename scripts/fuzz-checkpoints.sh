#!/usr/bin/env bash
# Fuzzes the WeightFiles readers (PyTorch checkpoints, safetensors, the restricted unpickler) with
# libFuzzer and AddressSanitizer. Usage: scripts/fuzz-checkpoints.sh [seconds, default 180]
# The corpus (seeded with the test fixtures) and any crashing inputs stay in .build-fuzz/.
set -euo pipefail
seconds="${1:-180}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${FUZZ_WORK:-$root/.build-fuzz}"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$root"/Tests/WeightFilesTests/Fixtures/*.pt "$root"/Tests/WeightFilesTests/Fixtures/*.pth \
   "$root"/Tests/WeightFilesTests/Fixtures/*.safetensors "$work/corpus/"
for checkpoint in "$root"/Tests/WeightFilesTests/Fixtures/*_zip.pt; do  # bare pickles, for the zip-wrapping mode
    unzip -p "$checkpoint" '*/data.pkl' > "$work/corpus/$(basename "$checkpoint" .pt).pkl"
done

mapfile -t sources < <(find "$root/Sources/WeightFiles" -name '*.swift' | sort)
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name WeightFilesFuzz \
    "${sources[@]}" "$root"/Fuzz/*.swift -o "$work/checkpoint-fuzzer"

# -timeout flags inputs that take over 10 s (e.g. accidental quadratic work); -rss_limit_mb bounds memory.
"$work/checkpoint-fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus"
