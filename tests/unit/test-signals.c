// SPDX-License-Identifier: GPL-2.0
/* signals.c: a stop signal held, caught, nested, and a child's defaults. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/signals.h"
#include "unit.h"

static int is_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

/* Caught inside the outermost catch only; a nested release keeps catching. */
static int test_catch_nested(const void *arg)
{
	struct sigaction now;

	(void)arg;
	signals_catch();
	signals_catch();
	CHECK(signals_caught() == 0);
	raise(SIGTERM);
	CHECK(signals_caught() == SIGTERM);
	raise(SIGINT);
	CHECK(signals_caught() == SIGTERM);	/* the first one */
	signals_release();
	raise(SIGHUP);				/* still caught: one level left */
	signals_release();
	sigaction(SIGTERM, NULL, &now);
	CHECK(now.sa_handler == SIG_DFL);
	signals_catch();
	CHECK(signals_caught() == 0);		/* a new catch starts clean */
	signals_release();
	return 0;
}

/* A held signal waits for the outermost hold to end, then arrives. */
static int test_hold(const void *arg)
{
	(void)arg;
	signals_catch();
	signals_hold(true);
	signals_hold(true);
	raise(SIGINT);
	CHECK(signals_caught() == 0);
	CHECK(is_pending(SIGINT));
	signals_hold(false);
	CHECK(signals_caught() == 0);
	signals_hold(false);
	CHECK(signals_caught() == SIGINT);
	signals_release();
	return 0;
}

/* A child forked inside a hold and a catch dies of SIGTERM as a program should. */
static int test_child_defaults(const void *arg)
{
	int status = 0;
	pid_t pid;

	(void)arg;
	signals_catch();
	signals_hold(true);
	pid = fork();
	if (!pid) {
		signals_reset_in_child();
		raise(SIGTERM);
		_exit(0);
	}
	signals_hold(false);
	signals_release();
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	return 0;
}

static const struct unit_case cases[] = {
	{ "catch: the first stop signal recorded, nesting, defaults restored", test_catch_nested, NULL },
	{ "hold: a signal deferred until the outermost hold ends", test_hold, NULL },
	{ "a forked child: stop signals default and unblocked", test_child_defaults, NULL },
};

SUITE(suite_signals, "signals", cases);
