/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_SIGNALS_H
#define KB_SIGNALS_H

#include <stdbool.h>

/*
 * The stop signals (SIGINT, SIGTERM, SIGHUP) in one place. A command either
 * dies of them (the default), defers them around a step that must be atomic
 * (signals_hold), or catches them to clean up and stop on its own
 * (signals_catch). Both nest.
 */

/*
 * Defers the stop signals while hold is true, so an interrupt cannot leave a
 * lock file or a half-written state behind; a signal that arrived meanwhile is
 * delivered when the outermost hold ends.
 */
void signals_hold(bool hold);

/*
 * From the outermost signals_catch() to its signals_release(), a stop signal
 * is recorded (signals_caught) instead of killing us.
 */
void signals_catch(void);
void signals_release(void);

/* The first stop signal caught since the outermost signals_catch(); 0: none. */
int signals_caught(void);

/* In a forked child: stop signals back to their defaults, none held or caught. */
void signals_reset_in_child(void);

#endif
