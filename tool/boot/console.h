/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_CONSOLE_H
#define KB_CONSOLE_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/* Worst last: a boot's verdict is the worst thing seen. */
enum verdict {
	V_CLEAN,
	V_KNOWN,	/* only what the series' table says this unfixed kernel shows (expect/known-*) */
	V_WARN,		/* WARNING:, lockdep splat, page cache invalidation failure */
	V_NO_INIT,	/* QEMU stopped before init ran */
	V_HANG,		/* killed at the timeout, or a task reported blocked */
	V_BUG,
	V_OOPS,
	V_PANIC,
};

const char *verdict_name(enum verdict v);

/* One console line that decides a verdict. */
struct finding {
	enum verdict verdict;
	const char *kind;	/* "panic", "oops", "bug", "kasan", "atomic-sleep", "warning", "lockdep",
				   "list", "hung-task", "pagecache" */
	size_t lineno;		/* 1-based, in the console log */
	char *line;
	struct strvec trace;	/* the lines of its report after it (call trace, lock chains) */
	char *known;		/* why the series' table expects it on this kernel, or NULL */
};

/* What the console says, as far as the guest protocol (guest.h) and the kernel go. */
struct console_report {
	bool reached_init;
	bool workload_started;
	bool workload_ended;
	int workload_exit;	/* valid when workload_ended */
	double guest_uptime_at_init;	/* the guest's own clock; -1 if unknown */
	json_t *result;		/* the workload's framed JSON; NULL if none */
	char *result_error;	/* why a frame did not parse; NULL if fine or absent */
	struct finding *findings;
	size_t nfindings;
	struct strvec tail;	/* the last console lines */
};

/* Reads a whole console log. */
void console_parse(const char *text, struct console_report *c);
void console_report_free(struct console_report *c);

/*
 * Marks the findings whose kind a known-defects table lists (its "known"
 * entries' "console" kinds, with their "why"): what the series fixes, shown
 * by the kernel it has not been applied to. Returns how many were marked.
 */
size_t console_mark_known(struct console_report *c, json_t *table);

/* The worst of the console's findings, the timeout and whether init ran. */
enum verdict console_verdict(const struct console_report *c, bool timed_out);

/* Whether the workload did what it was asked: "done", or what went wrong. */
const char *console_workload_status(const struct console_report *c);

/* The console's findings as the result JSON's "findings" array. */
json_t *console_findings_json(const struct console_report *c);

#endif
