// SPDX-License-Identifier: GPL-2.0
/*
 * Running external programs: fork + execvp of an argv vector, output
 * through a pipe, a deadline enforced by killing the program's whole
 * process group (make and QEMU start children of their own).
 */
#define _GNU_SOURCE
#include "lib/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/signals.h"

/* How long a program gets between SIGTERM and SIGKILL. */
#define RUN_KILL_GRACE 3.0

double run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *run_which(const char *program)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL, *found = NULL;

	if (strchr(program, '/'))
		return access(program, X_OK) ? NULL : xstrdup(program);
	dirs = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", program);
		struct stat st;

		if (!stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK))
			found = p;
		else
			free(p);
	}
	free(dirs);
	return found;
}

int run_require(const struct run_tool *tools, size_t n, int code)
{
	for (size_t i = 0; i < n; i++) {
		char *p = run_which(tools[i].program);

		if (!p)
			return error_code(code, "missing program '%s': install the Debian package '%s'",
					  tools[i].program, tools[i].package);
		free(p);
	}
	return 0;
}

static void child(const struct run_opts *o, int out_fd, int err_fd)
{
	int null_fd = open("/dev/null", O_RDONLY);
	int e;

	/* Its own process group, so a timeout can kill everything it starts. */
	setpgid(0, 0);
	signals_reset_in_child();
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		goto fail;
	if (o->dir && chdir(o->dir) < 0)
		goto fail;
	for (const char *const *v = o->env; v && *v; v++)
		if (putenv((char *)*v) < 0)
			goto fail;
	execvp(o->argv[0], (char *const *)o->argv);
fail:
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

struct sink {
	const struct run_opts *o;
	int fd;			/* the output file, or -1 */
	bool write_failed;
};

static void deliver(struct sink *s, const char *buf, size_t n)
{
	const char *p = buf;
	size_t left = n;

	while (s->fd >= 0 && left && !s->write_failed) {
		ssize_t w = write(s->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->write_failed = true;
			error("cannot write '%s': %s", s->o->out_path, strerror(errno));
			break;
		}
		p += w;
		left -= w;
	}
	if (s->o->out)
		sb_add(s->o->out, buf, n);
	if (s->o->on_output)
		s->o->on_output(buf, n, s->o->arg);
}

/* Reads the program's output until EOF, killing its group at the deadline. */
static void pump(const struct run_opts *o, pid_t pid, int fd, struct sink *s, struct run_result *r,
		 double start)
{
	double deadline = o->timeout > 0 ? start + o->timeout : 0, kill_at = 0;
	bool passed_on = false;
	char buf[65536];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double now = run_now(), until = kill_at ? kill_at : deadline;
		int ms = -1, rc;
		ssize_t n;

		/* Interrupted: the program and what it started stop too. */
		if (signals_caught() && !passed_on) {
			kill(-pid, signals_caught());
			passed_on = true;
		}
		if (until && now >= until) {
			if (kill_at) {
				kill(-pid, SIGKILL);
				kill_at = 0;
				deadline = 0;
			} else {
				r->timed_out = true;
				kill(-pid, SIGTERM);
				kill_at = now + RUN_KILL_GRACE;
			}
			continue;
		}
		if (until)
			ms = (int)((until - now) * 1000) + 1;
		rc = poll(&pfd, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		deliver(s, buf, n);
	}
}

int run(const struct run_opts *o, struct run_result *r)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, status = 0, child_errno = 0, ret = -1;
	struct sink s = { .o = o, .fd = -1 };
	double start = run_now();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (o->out_path) {
		s.fd = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (s.fd < 0)
			return error("cannot create '%s': %s", o->out_path, strerror(errno));
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		error("cannot create a pipe: %s", strerror(errno));
		goto cleanup;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		error("cannot start '%s': %s", o->argv[0], strerror(errno));
		goto cleanup;
	}
	if (!pid)
		child(o, out[1], err[1]);
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;

	signals_catch();
	pump(o, pid, out[0], &s, r, start);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	signals_release();

	r->seconds = run_now() - start;
	if (read(err[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno)) {
		error("cannot run '%s': %s", o->argv[0], strerror(child_errno));
		goto cleanup;
	}
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->signal = WTERMSIG(status);
	ret = s.write_failed ? -1 : 0;
cleanup:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (s.fd >= 0)
		close(s.fd);
	return ret;
}

int run_ok(const struct run_opts *o, struct run_result *r)
{
	if (run(o, r))
		return -1;
	if (r->timed_out)
		return error("'%s' did not finish within %.0f s", o->argv[0], o->timeout);
	if (r->signal)
		return error("'%s' was killed by signal %d", o->argv[0], r->signal);
	if (r->status)
		return error("'%s' failed with exit status %d%s%s", o->argv[0], r->status,
			     o->out_path ? "; see " : "", o->out_path ? o->out_path : "");
	return 0;
}
