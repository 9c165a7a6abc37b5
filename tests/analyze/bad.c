/*
 * Planted bugs for the self-test of make analyze (scripts/analyze.py
 * --self-test): each tool must report its own, or the analysis of the
 * tree proves nothing. Never built into anything.
 */
#include <stddef.h>

struct node {
	int id;
};

/* clang's static analyzer: a null pointer dereference on one path. */
int planted_null_dereference(int have)
{
	struct node *n = NULL;
	struct node local = {1};

	if (have)
		n = &local;
	return n->id;
}

/* cppcheck: a write one past the end of an array. */
int planted_out_of_bounds(void)
{
	int a[4];
	int i;

	for (i = 0; i < 4; i++)
		a[i] = i;
	a[4] = 0;
	return a[0];
}
