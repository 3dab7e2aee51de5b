/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPORT_H
#define KB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/util.h"

/*
 * The report: what the result store (<work>/ports/, <work>/results/) says
 * about each kernel, judged stage by stage, as one JSON document (schema
 * "kbackport-report/1", see README) that the text and HTML renderers read.
 * Reference curves come from <series>/bench-reference.json when the series
 * has one.
 */

enum report_stage {
	RS_PORT,
	RS_BUILD,
	RS_BOOT,
	RS_BENCH,
	RS_DEBUG,	/* the debug flavour: lockdep, sleep-in-atomic, KASAN (results.h) */
	RS_POSTED,	/* the series as posted, without the local fixes: the evidence of their defect */
	RS_NR,
};

/* Reading the document: NULL-safe, as jansson is. */
static inline const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static inline json_t *jget(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* "port", "build", "boot", "bench", "debug", "posted". */
const char *report_stage_name(enum report_stage s);
/* The stage of a name; -1 if none. */
int report_stage_find(const char *name);
/* The exit code of a failing stage: 6, 7, 8, 9 (bench, debug and posted). */
int report_stage_exit(enum report_stage s);

/* The workloads the boot and bench stages run. */
#define REPORT_BOOT_WORKLOAD "smoke"
#define REPORT_BENCH_WORKLOAD "dio"
/* The debug and posted boots run the bench workload's checks, not its benchmarks. */
#define REPORT_CHECKS_APPEND "DIO_BENCH=none"
/* Bench rounds (base, patched, base, patched, ...) the matrix runs unless told. */
#define REPORT_BENCH_ROUNDS 2

/*
 * The document for these kernels of these series (names in the store;
 * every series, every kernel of each, when none given): one record per
 * kernel of a series, each with its "series".
 */
json_t *report_collect(const struct strvec *series, const struct strvec *kernels);

/*
 * 0 when every kernel in doc passed every stage in stages (a bit per
 * enum report_stage); else the exit code of the earliest stage that failed
 * or did not run; else, when a measurement was disturbed (a stage
 * "disturbed": neither pass nor fail), KB_EXIT_DISTURBED.
 */
int report_exit_code(json_t *doc, unsigned stages);


/* Names from a comma-separated list, each once. */
void report_names(const char *list, struct strvec *out);
/* Helpers shared by the renderers (report.c). */

/* The reference file's entry for a test, or NULL. */
json_t *report_reference_test(json_t *ref, const char *name);

struct report_cell {
	char column[48];
	const char *status;	/* "pass", "fail", "disturbed", "not-run", "incomplete", "info" */
	char *text;
};

#define REPORT_MAX_CELLS 20
/* The table row of one kernel record; returns the number of cells. */
size_t report_cells(json_t *kernel, struct report_cell *cells);
void report_cells_free(struct report_cell *cells, size_t n);
/* The table: columns by name, a row per kernel; a cell absent from a row has text NULL. */
struct report_table {
	struct strvec columns;
	size_t rows;
	struct report_cell (*cells)[REPORT_MAX_CELLS];
};
void report_table(json_t *doc, struct report_table *t);
void report_table_free(struct report_table *t);

/* "✔", "✘", "≈" (disturbed), "·" or "" for a status. */
const char *report_mark(const char *status);

#endif
