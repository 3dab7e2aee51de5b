/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_LG2_H
#define KB_LG2_H

#include "lib/util.h"

/*
 * If rc < 0, reports "error: <fmt...>: <libgit2's message>" and returns -1
 * (kb_errcode KB_EXIT_FAIL); otherwise returns 0.
 */
__attribute__((format(printf, 2, 3))) int check_lg2(int rc, const char *fmt, ...);

/* Reports the last libgit2 error with exit code code; returns -1. */
__attribute__((format(printf, 2, 3))) int lg2_error(int code, const char *fmt, ...);

#endif
