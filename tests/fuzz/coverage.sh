#!/bin/sh
# Line coverage of one fuzz target over a corpus, for "make fuzz-coverage"
# (tests/fuzz/Makefile): run the coverage build of the target once over
# every input of the corpus (libFuzzer -runs=0), merge the raw profile,
# and print llvm-cov's summary of the files the target is about, then one
# line: "<target>: <covered>/<lines> lines (<percent>) over <n> inputs".
#
#   coverage.sh BINARY CORPUS_DIR PROFILE_DIR SRCTREE "FILES..."

set -eu
bin=$1 corpus=$2 profdir=$3 srctree=$4 files=$5
name=$(basename "$bin")
mkdir -p "$profdir"
rm -f "$profdir/$name".*
inputs=$(ls "$corpus" | wc -l)
LLVM_PROFILE_FILE="$profdir/$name.%p.profraw" "$bin" -runs=0 "$corpus" >/dev/null 2>&1
llvm-profdata-14 merge -sparse -o "$profdir/$name.profdata" "$profdir/$name".*.profraw
# shellcheck disable=SC2086
llvm-cov-14 report "$bin" -instr-profile="$profdir/$name.profdata" $files \
	| sed "s|$srctree/||" > "$profdir/$name.txt"
cat "$profdir/$name.txt"
awk -v n="$name" -v k="$inputs" '$1 == "TOTAL" {
	lines = $8; missed = $9
	printf "%s: %d/%d lines (%s) over %d inputs\n", n, lines - missed, lines, $10, k
}' "$profdir/$name.txt"
