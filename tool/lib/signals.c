// SPDX-License-Identifier: GPL-2.0
/* The stop signals: held, caught or default (signals.h). */
#include "lib/signals.h"

#include <signal.h>
#include <stddef.h>

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NR_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

static volatile sig_atomic_t caught;
static struct sigaction saved[NR_STOP];
static int hold_depth, catch_depth;

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NR_STOP; i++)
		sigaddset(set, stop_signals[i]);
}

void signals_hold(bool hold)
{
	sigset_t set;

	if (hold ? hold_depth++ : --hold_depth)
		return;
	stop_set(&set);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void on_stop(int sig)
{
	if (!caught)
		caught = sig;
}

void signals_catch(void)
{
	/* SA_RESTART: file I/O goes on; poll() still returns EINTR to notice it. */
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART };

	if (catch_depth++)
		return;
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (size_t i = 0; i < NR_STOP; i++)
		sigaction(stop_signals[i], &sa, &saved[i]);
}

void signals_release(void)
{
	if (--catch_depth)
		return;
	for (size_t i = 0; i < NR_STOP; i++)
		sigaction(stop_signals[i], &saved[i], NULL);
}

int signals_caught(void)
{
	return caught;
}

void signals_reset_in_child(void)
{
	sigset_t set;

	for (size_t i = 0; i < NR_STOP; i++)
		signal(stop_signals[i], SIG_DFL);
	/* the parent's holds and catches are not the child's */
	hold_depth = catch_depth = 0;
	caught = 0;
	stop_set(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}
