#!/bin/sh
# Run one libFuzzer target for "make fuzz" (tests/fuzz/Makefile):
#   1. replay every seed on its own; a seed that fails (the regression
#      input of a bug not fixed yet) is copied to the artifacts and left
#      out of the scratch corpus, so it cannot stop the run;
#   2. fuzz for the given time in fork mode on a scratch copy of the
#      passing seeds (the seed corpus itself is never written), saving
#      every failing input and going on after it;
#   3. exit 1 if step 1 or 2 saved anything, listing it.
# Reproduce a saved input with FUZZ_CONSOLE=1 <binary> <file>.
#
#   run-fuzzer.sh BINARY SEED_DIR OUT_DIR SECONDS MAX_LEN [JOBS]

set -u
bin=$1 seeds=$2 out=$3 seconds=$4 max_len=$5 jobs=${6:-1}
name=$(basename "$bin")
corpus=$out/corpus/$name
artifacts=$out/artifacts/$name

rm -rf "$corpus" "$artifacts"
mkdir -p "$corpus" "$artifacts" || exit 1

for f in "$seeds"/*; do
	[ -f "$f" ] || continue
	if "$bin" "$f" >/dev/null 2>&1; then
		cp "$f" "$corpus/"
	else
		echo "  FAIL     $name seed $(basename "$f")"
		cp "$f" "$artifacts/seed-$(basename "$f")"
	fi
done

echo "  FUZZ     $name for $seconds s, $(ls "$corpus" | wc -l) seeds"
"$bin" -fork="$jobs" -ignore_crashes=1 -max_len="$max_len" -max_total_time="$seconds" \
	-artifact_prefix="$artifacts/" "$corpus" || exit 1

if [ -n "$(ls "$artifacts")" ]; then
	echo "fuzz: $name: failing inputs in $artifacts:" >&2
	ls "$artifacts" >&2
	echo "reproduce one with: FUZZ_CONSOLE=1 $bin $artifacts/<file>" >&2
	exit 1
fi
