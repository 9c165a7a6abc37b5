/*
 * What every benchmark's report shares (bench_report.c): the line that
 * names the host it ran on, and the start of its JSON results file, so
 * that the JSON files of bench/results all open alike ("benchmark", "machine") and
 * bench/plot.py finds the same keys in each. Main thread only.
 */
#ifndef BENCH_BENCH_REPORT_H
#define BENCH_BENCH_REPORT_H

#include <stdio.h>

/* "<CPU model>, <n> CPUs online, load <1> <5> <15>, <kernel>", measured now. */
extern char bench_machine[256];
void bench_describe_machine(void);

/*
 * Create path and write the opening brace, "benchmark" (name) and
 * "machine" (bench_machine) members, each line ending in a comma; the
 * caller writes the rest and bench_json_close() the end. Exits with a
 * message if path cannot be written.
 */
FILE *bench_json_open(const char *path, const char *name);
void bench_json_close(FILE *f, const char *path);

/*
 * The command line of the single-thread benchmarks (bench_peers,
 * bench_sweep): --reps R (reps_min..reps_max), --batches B
 * (10..batches_max) and --json FILE; anything else, or a value out of
 * range, prints the usage and exits with 2. Returns the JSON path or NULL.
 */
const char *bench_parse_args(int argc, char **argv, unsigned int *reps, unsigned int reps_min,
			     unsigned int reps_max, unsigned int *batches,
			     unsigned int batches_max);

/* s as a JSON string, quotes included. */
void bench_json_string(FILE *f, const char *s);

#endif /* BENCH_BENCH_REPORT_H */
