/*
 * The reports' common parts (bench_report.h): the host line and the JSON
 * files' opening. Knows nothing of any allocator. Owns bench_machine.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench_report.h"

char bench_machine[256];

/* The first "model name" of /proc/cpuinfo, into model. */
static void cpu_model(char *model, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(model, len, "unknown CPU");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && v) {
			snprintf(model, len, "%s", v + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
}

void bench_describe_machine(void)
{
	char model[128];
	double load[3] = {0, 0, 0};
	struct utsname u;

	cpu_model(model, sizeof(model));
	getloadavg(load, 3);
	uname(&u);
	snprintf(bench_machine, sizeof(bench_machine),
		 "%.120s, %ld CPUs online, load %.2f %.2f %.2f, %.20s %.60s", model,
		 sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2], u.sysname, u.release);
}

void bench_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

FILE *bench_json_open(const char *path, const char *name)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "%s: cannot write %s\n", name, path);
		exit(1);
	}
	fprintf(f, "{\n  \"benchmark\": ");
	bench_json_string(f, name);
	fprintf(f, ",\n  \"machine\": ");
	bench_json_string(f, bench_machine);
	fprintf(f, ",\n");
	return f;
}

void bench_json_close(FILE *f, const char *path)
{
	fprintf(f, "}\n");
	if (fclose(f)) {
		fprintf(stderr, "cannot finish writing %s\n", path);
		exit(1);
	}
}

static void usage(const char *name, unsigned int reps_min, unsigned int reps_max,
		  unsigned int batches_max)
{
	fprintf(stderr, "usage: %s [--reps %u-%u] [--batches 10-%u] [--json FILE]\n", name,
		reps_min, reps_max, batches_max);
	exit(2);
}

const char *bench_parse_args(int argc, char **argv, unsigned int *reps, unsigned int reps_min,
			     unsigned int reps_max, unsigned int *batches, unsigned int batches_max)
{
	const char *json = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			*reps = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--batches") && i + 1 < argc)
			*batches = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else
			usage(argv[0], reps_min, reps_max, batches_max);
	}
	if (*reps < reps_min || *reps > reps_max || *batches < 10 || *batches > batches_max)
		usage(argv[0], reps_min, reps_max, batches_max);
	return json;
}
