/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_MATRIX_H
#define KB_MATRIX_H

#include <stdbool.h>

#include "lib/util.h"

/*
 * The matrix: for every kernel, import → port → build base and patched →
 * vendor-config check → boot both (smoke) → the DIO workload on both,
 * base and patched in turn for each round → the debug flavour → the
 * series as posted when the port carries local fixes, each step a run of
 * kbackport's own command (which reuses its stored result when the inputs
 * are unchanged), scheduled so that at most `jobs` heavy steps (builds,
 * boots) run at once, light ones (import, port) beside them, and
 * measurements alone. Step records go to
 * <work>/results/<series>/<kernel>/matrix.json, step logs beside them.
 */
struct matrix_opts {
	const char *self;		/* the kbackport binary the steps run */
	const char *series;		/* the series directory every step gets as --series */
	const char *series_name;	/* its name in the store */
	const struct strvec *kernels;
	unsigned stages;		/* bits of enum report_stage */
	int jobs;			/* heavy steps at once */
	int rounds;			/* bench rounds, 1..BOOT_MAX_ROUNDS */
	const char *runner;		/* "qemu" | "ssh" (kbackport boot) | "lava" (kbackport lava --run-local) */
	const char *build_lock;		/* a file flock()ed around every build step; NULL: none */
	bool tty;			/* a live progress line instead of plain lines */
};

/*
 * Runs the selected steps. Returns 0 when every step ran to its end
 * (passed or failed: the report judges), or the 128 + signal that
 * interrupted it.
 */
int matrix_run(const struct matrix_opts *o);

#endif
