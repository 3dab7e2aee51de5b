/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_RUN_H
#define KB_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/*
 * The one way kbackport runs an external program: an argv vector (never a
 * shell string), stdin from /dev/null, stdout and stderr merged and
 * captured, an optional timeout after which the program and everything it
 * started are killed.
 */
struct run_opts {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *dir;		/* working directory; NULL: ours */
	const char *const *env;		/* "NAME=value" set on top of ours; NULL-terminated or NULL */
	const char *out_path;		/* output written here (truncated first); NULL: not kept in a file */
	struct strbuf *out;		/* output appended here; NULL: not kept in memory */
	double timeout;			/* seconds; 0: none */
	/* Called with each piece of output as it arrives (after it is stored). */
	void (*on_output)(const char *data, size_t len, void *arg);
	void *arg;
};

struct run_result {
	int status;		/* exit status; -1 when killed by a signal */
	int signal;		/* the signal that killed it, 0 if none */
	bool timed_out;		/* killed by us after opts.timeout */
	double seconds;		/* wall time */
};

/*
 * Runs the program to its end (or the timeout). Returns 0 when it ran,
 * whatever its status; -1 (reported) when it could not be started, e.g.
 * not installed.
 */
int run(const struct run_opts *o, struct run_result *r);

/* Like run(), and a status other than 0 is an error naming the program. */
int run_ok(const struct run_opts *o, struct run_result *r);

/* A program and the Debian package that provides it. */
struct run_tool {
	const char *program;
	const char *package;
};

/*
 * Every program in PATH; otherwise an error naming the first missing one
 * and its package, and kb_errcode set to code.
 */
int run_require(const struct run_tool *tools, size_t n, int code);

/* The full path of program in PATH, or NULL. */
char *run_which(const char *program);

/* Seconds on a monotonic clock, for measuring. */
double run_now(void);

#endif
