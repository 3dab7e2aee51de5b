// SPDX-License-Identifier: GPL-2.0
/*
 * The matrix scheduler. Each step is a child running one kbackport command
 * through run() (argv, output to the step's log): the commands keep the
 * cache keys, so a step whose inputs did not change returns at once, and an
 * interrupted matrix resumes by running again. A child per step also keeps
 * a command's die() from taking the matrix down, and lets a build of one
 * kernel overlap the import and port of the next.
 */
#define _GNU_SOURCE
#include "report/matrix.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot/record.h"
#include "lib/run.h"
#include "lib/signals.h"
#include "lib/store.h"
#include "report/model.h"

/* light: beside anything but a measurement; heavy: `jobs` at once; alone: nothing beside it. */
enum weight { W_LIGHT, W_HEAVY, W_ALONE };

struct step_def {
	const char *name;	/* of a step per round: the round is added, bench-base-2 */
	enum report_stage stage;
	enum weight weight;
	const char *variant;
	const char *workload;	/* boot steps */
	const char *result;	/* the file it writes in the store: port.json, or one of variant's; NULL: the tree */
	const char *append;	/* boot steps: kernel arguments for the workload, or NULL */
	bool per_round;		/* one step per bench round, the round's record as result */
};

static const struct step_def defs[] = {
	{ "import", RS_PORT, W_LIGHT, NULL, NULL, NULL, NULL, false },
	{ "port", RS_PORT, W_LIGHT, NULL, NULL, "port.json", NULL, false },
	{ "build-base", RS_BUILD, W_HEAVY, "base", NULL, "build.json", NULL, false },
	{ "build-patched", RS_BUILD, W_HEAVY, "patched", NULL, "build.json", NULL, false },
	{ "vendor-check", RS_BUILD, W_HEAVY, "patched", NULL, "vendor-check.json", NULL, false },
	{ "boot-base", RS_BOOT, W_HEAVY, "base", REPORT_BOOT_WORKLOAD, REPORT_BOOT_WORKLOAD ".json", NULL, false },
	{ "boot-patched", RS_BOOT, W_HEAVY, "patched", REPORT_BOOT_WORKLOAD, REPORT_BOOT_WORKLOAD ".json", NULL, false },
	/* consecutive: base and patched alternate round after round (ABAB), so a slow spell hits both */
	{ "bench-base", RS_BENCH, W_ALONE, "base", REPORT_BENCH_WORKLOAD, REPORT_BENCH_WORKLOAD ".json", NULL, true },
	{ "bench-patched", RS_BENCH, W_ALONE, "patched", REPORT_BENCH_WORKLOAD, REPORT_BENCH_WORKLOAD ".json", NULL,
	  true },
	{ "build-debug", RS_DEBUG, W_HEAVY, "debug", NULL, "build.json", NULL, false },
	/* the correctness suite and the NOWAIT table under lockdep and KASAN; no fio */
	{ "boot-debug", RS_DEBUG, W_HEAVY, "debug", REPORT_BENCH_WORKLOAD, REPORT_BENCH_WORKLOAD ".json",
	  REPORT_CHECKS_APPEND, false },
	/* the series as posted, before the local fixes: the checks that show their defect; no fio */
	{ "build-posted", RS_POSTED, W_HEAVY, "posted", NULL, "build.json", NULL, false },
	{ "boot-posted", RS_POSTED, W_HEAVY, "posted", REPORT_BENCH_WORKLOAD, REPORT_BENCH_WORKLOAD ".json",
	  REPORT_CHECKS_APPEND, false },
};

enum step_state { S_WAITING, S_RUNNING, S_PASS, S_FAIL, S_SKIPPED, S_INTERRUPTED };
static const char *const state_names[] = { "waiting", "running", "pass", "fail", "skipped", "interrupted" };

struct step {
	const struct step_def *def;
	char *name;		/* the def's, with the round of a step per round */
	int round;		/* 1 for a step not per round */
	enum step_state state;
	pid_t pid;
	double start, seconds;
	double finished;	/* wall clock, for the report to compare with result files */
	double result_mtime;	/* before the step; -1: no file */
	bool reused;
	int exit;
	char *log, *result, *why;
	struct strvec argv;
};

struct kernel_run {
	const char *name;
	struct step *steps;
	size_t n, next;		/* steps[next] is the one to start */
};

struct matrix {
	const struct matrix_opts *o;
	struct kernel_run *k;
	size_t nk;
	double start, last_beat;
	int running[3];		/* per weight */
	bool live_shown;
};

/* Installed only so that a step's end interrupts the wait in matrix_run(). */
static void on_child(int sig)
{
	(void)sig;
}

static double mtime(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void step_argv(const struct matrix_opts *o, const char *k, const struct step_def *d, int round,
		      struct strvec *v)
{
	sv_push(v, o->self);
	if (!strcmp(d->name, "import")) {
		sv_push(v, "kernels");
		sv_push(v, "import");
		sv_push(v, k);
		return;
	}
	if (d->workload) {
		bool lava = !strcmp(o->runner, "lava");

		sv_push(v, lava ? "lava" : "boot");
		sv_push(v, k);
		sv_push(v, "--variant");
		sv_push(v, d->variant);
		sv_push(v, "--workload");
		sv_push(v, d->workload);
		sv_push(v, "--series");
		sv_push(v, o->series);
		if (d->append) {
			sv_push(v, "--append");
			sv_push(v, d->append);
		}
		/* round 1 is the boot as it always was: the same command, the same stored result */
		if (round > 1) {
			sv_push(v, "--round");
			sv_push_owned(v, xasprintf("%d", round));
		}
		if (lava)
			sv_push(v, "--run-local");
		return;
	}
	sv_push(v, d->variant ? "build" : "port");
	sv_push(v, k);
	if (d->variant) {
		sv_push(v, "--variant");
		sv_push(v, d->variant);
	}
	if (!strcmp(d->name, "vendor-check"))
		sv_push(v, "--vendor-check");
	sv_push(v, "--series");
	sv_push(v, o->series);
}

/* Where in the store the step's result lands (store.h; a round's record, record.h). */
static char *result_path(const struct matrix_opts *o, const struct step_def *d, int round, const char *k)
{
	char *dir, *path, *name;

	if (!d->result)
		return store_tree(k);
	dir = d->variant ? store_results_dir(o->series_name, k, d->variant) : store_port_dir(o->series_name, k);
	name = d->per_round ? boot_record_name(d->workload, round, ".json") : xstrdup(d->result);
	path = dir ? xasprintf("%s/%s", dir, name) : NULL;
	free(name);
	free(dir);
	return path;
}

static int add_step(struct matrix *m, struct kernel_run *kr, const char *dir, const struct step_def *d, int round)
{
	struct step *s = &kr->steps[kr->n++];

	s->def = d;
	s->round = round;
	s->name = d->per_round ? xasprintf("%s-%d", d->name, round) : xstrdup(d->name);
	s->log = xasprintf("%s/%s.log", dir, s->name);
	s->result = result_path(m->o, d, round, kr->name);
	if (!s->result)
		return -1;
	step_argv(m->o, kr->name, d, round, &s->argv);
	return 0;
}

static int kernel_setup(struct matrix *m, struct kernel_run *kr, const char *name)
{
	char *kdir = store_kernel_dir(m->o->series_name, name);
	char *dir = kdir ? xasprintf("%s/matrix", kdir) : NULL;
	int ret = 0;

	free(kdir);
	kr->name = name;
	kr->steps = xcalloc(ARRAY_SIZE(defs) * m->o->rounds, sizeof(*kr->steps));
	if (!dir || mkdir_p(dir)) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(defs) && !ret; i++) {
		size_t group = 1;

		if (!(m->o->stages & (1u << defs[i].stage)))
			continue;
		if (!defs[i].per_round) {
			ret = add_step(m, kr, dir, &defs[i], 1);
			continue;
		}
		while (i + group < ARRAY_SIZE(defs) && defs[i + group].per_round)
			group++;
		for (int r = 1; r <= m->o->rounds && !ret; r++)
			for (size_t j = 0; j < group && !ret; j++)
				ret = add_step(m, kr, dir, &defs[i + j], r);
		i += group - 1;
	}
	free(dir);
	return ret;
}

/* ---- records ---------------------------------------------------------------- */

static json_t *step_json(const struct step *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "name", s->name,
			      "stage", report_stage_name(s->def->stage), "status", state_names[s->state],
			      "argv", results_strv(&s->argv), "log", s->log, "result", s->result,
			      "why", results_str(s->why));

	if (s->def->per_round)
		json_object_set_new(o, "round", json_integer(s->round));
	if (s->state == S_RUNNING)
		json_object_set_new(o, "pid", json_integer(s->pid));
	if (s->state == S_PASS || s->state == S_FAIL || s->state == S_INTERRUPTED) {
		json_object_set_new(o, "exit", json_integer(s->exit));
		json_object_set_new(o, "seconds", json_real(s->seconds));
		json_object_set_new(o, "reused", json_boolean(s->reused));
		json_object_set_new(o, "finished", json_real(s->finished));
	}
	return o;
}

/* <work>/results/<series>/<kernel>/matrix.json: this run's steps so far. */
static int write_record(struct matrix *m, struct kernel_run *kr)
{
	char *dir = store_kernel_dir(m->o->series_name, kr->name);
	char *path = dir ? xasprintf("%s/matrix.json", dir) : NULL;
	json_t *steps = json_array(), *o;
	int ret;

	for (size_t i = 0; i < kr->n; i++)
		json_array_append_new(steps, step_json(&kr->steps[i]));
	o = json_pack("{s:s, s:o, s:s, s:i, s:o}", "kernel", kr->name, "series", results_str(m->o->series),
		      "runner", m->o->runner, "jobs", m->o->jobs, "steps", steps);
	ret = path ? results_write(path, o) : -1;
	json_decref(o);
	free(path);
	free(dir);
	return ret;
}

/* ---- progress ----------------------------------------------------------------- */

static void clock_str(char *buf, size_t n, double s)
{
	int t = (int)s;

	snprintf(buf, n, "%d:%02d", t / 60, t % 60);
}

static void clear_live(struct matrix *m)
{
	if (m->live_shown)
		fputs("\r\033[K", stdout);
	m->live_shown = false;
}

__attribute__((format(printf, 2, 3))) static void say(struct matrix *m, const char *fmt, ...)
{
	char when[16];
	va_list ap;

	clear_live(m);
	clock_str(when, sizeof(when), run_now() - m->start);
	printf("[%6s] ", when);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* On a terminal: one line naming what runs, redrawn; elsewhere a line a minute. */
static void live(struct matrix *m)
{
	struct strbuf sb = STRBUF_INIT;
	char when[16], took[16];
	double now = run_now();

	if (!m->o->tty && now - m->last_beat < 60)
		return;
	m->last_beat = now;
	for (size_t i = 0; i < m->nk; i++)
		for (size_t j = 0; j < m->k[i].n; j++) {
			struct step *s = &m->k[i].steps[j];

			if (s->state != S_RUNNING)
				continue;
			clock_str(took, sizeof(took), now - s->start);
			sb_addf(&sb, "%s%s %s %s", sb.len ? ", " : "", m->k[i].name, s->name, took);
		}
	if (!sb.len) {
		sb_release(&sb);
		return;
	}
	if (m->o->tty) {
		clock_str(when, sizeof(when), now - m->start);
		printf("\r\033[K[%6s] running: %.*s", when, 150, sb.buf);
		m->live_shown = true;
		fflush(stdout);
	} else {
		say(m, "running: %s", sb.buf);
	}
	sb_release(&sb);
}

/* The last non-empty line of a log: what a failed command said last. */
static char *last_line(const char *log)
{
	struct strbuf sb = STRBUF_INIT;
	char *line = NULL, *p;

	if (read_file(log, &sb))
		return NULL;
	rtrim(sb.buf);
	p = strrchr(sb.buf, '\n');
	line = xstrdup(p ? p + 1 : sb.buf);
	sb_release(&sb);
	return *line ? line : (free(line), NULL);
}

/* ---- running steps ---------------------------------------------------------------- */

/* The child: the step's command to its end, its status as ours. */
static void worker(const struct matrix_opts *o, struct step *s)
{
	struct run_opts ro = { .argv = (const char *const *)s->argv.v, .out_path = s->log };
	struct run_result rr;

	signals_reset_in_child();
	/* the matrix gone (killed), the step goes too: run() passes SIGTERM to the command */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(128 + SIGTERM);
	if (o->build_lock && s->def->stage == RS_BUILD && lock_file(o->build_lock) < 0)
		_exit(KB_EXIT_FAIL);
	if (run(&ro, &rr))
		_exit(127);
	_exit(rr.signal ? 128 + rr.signal : rr.status);
}

static int start(struct matrix *m, struct kernel_run *kr)
{
	struct step *s = &kr->steps[kr->next];
	struct strbuf cmd = STRBUF_INIT;

	s->result_mtime = mtime(s->result);
	s->start = run_now();
	/* the command as one would type it */
	sb_adds(&cmd, "kbackport");
	for (size_t i = 1; i < s->argv.n; i++)
		sb_addf(&cmd, " %s", s->argv.v[i]);
	say(m, "%s %s: %s", kr->name, s->name, cmd.buf);
	sb_release(&cmd);
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		return error("cannot start a step: %s", strerror(errno));
	if (!s->pid)
		worker(m->o, s);
	s->state = S_RUNNING;
	m->running[s->def->weight]++;
	kr->next++;
	return write_record(m, kr);
}

static bool can_start(const struct matrix *m, const struct step *s)
{
	int all = m->running[W_LIGHT] + m->running[W_HEAVY] + m->running[W_ALONE];

	if (m->running[W_ALONE])
		return false;
	switch (s->def->weight) {
	case W_LIGHT:
		return !m->running[W_LIGHT];
	case W_HEAVY:
		return m->running[W_HEAVY] < m->o->jobs;
	default:
		return !all;
	}
}

static bool busy(const struct kernel_run *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		if (kr->steps[i].state == S_RUNNING)
			return true;
	return false;
}

/* A failed step ends its kernel's later stages; the rest of its own stage still runs. */
static void skip_after(struct matrix *m, struct kernel_run *kr, const struct step *failed)
{
	/* the debug and posted kernels are checks of their own: nothing after them needs them */
	if (failed->def->stage == RS_DEBUG || failed->def->stage == RS_POSTED)
		return;
	for (size_t i = kr->next; i < kr->n; i++) {
		struct step *s = &kr->steps[i];

		if (s->def->stage == failed->def->stage || s->state != S_WAITING)
			continue;
		s->state = S_SKIPPED;
		free(s->why);
		s->why = xasprintf("not run: %s failed", failed->name);
		say(m, "%s %s: skipped (%s failed)", kr->name, s->name, failed->name);
	}
}

static void finish(struct matrix *m, struct kernel_run *kr, struct step *s, int status)
{
	char took[32];

	s->seconds = run_now() - s->start;
	s->finished = wall_now();
	m->running[s->def->weight]--;
	s->exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	s->reused = s->result_mtime >= 0 && mtime(s->result) == s->result_mtime;
	snprintf(took, sizeof(took), "%.1f s", s->seconds);
	if (signals_caught()) {
		s->state = S_INTERRUPTED;
		say(m, "%s %s: interrupted after %s", kr->name, s->name, took);
	} else if (!s->exit) {
		s->state = S_PASS;
		say(m, "%s %s: ok%s (%s)", kr->name, s->name, s->reused ? ", stored result reused" : "", took);
	} else {
		s->state = S_FAIL;
		s->why = last_line(s->log);
		say(m, "%s %s: FAILED, exit %d (%s): %s; log %s", kr->name, s->name, s->exit, took,
		    s->why ? s->why : "no output", s->log);
		skip_after(m, kr, s);
	}
	write_record(m, kr);
}

static void reap(struct matrix *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < m->nk; i++)
			for (size_t j = 0; j < m->k[i].n; j++)
				if (m->k[i].steps[j].state == S_RUNNING && m->k[i].steps[j].pid == pid)
					finish(m, &m->k[i], &m->k[i].steps[j], status);
}

/*
 * The series as posted is worth booting only when the port carries local
 * fixes: else patched is that series. Asked when the step is due, after
 * this matrix's port step wrote port.json.
 */
static bool posted_differs(const struct matrix *m, const struct kernel_run *kr)
{
	json_t *port = store_read(m->o->series_name, kr->name, STORE_PORT, "port.json");
	const char *posted = jstr(port, "posted"), *tip = jstr(port, "tip");
	/* no port.json: the step runs and says what is missing */
	bool differs = !port || (posted && tip && strcmp(posted, tip));

	json_decref(port);
	return differs;
}

static void skip_posted(struct matrix *m, struct kernel_run *kr)
{
	for (size_t i = kr->next; i < kr->n; i++) {
		struct step *s = &kr->steps[i];

		if (s->def->stage != RS_POSTED || s->state != S_WAITING)
			continue;
		s->state = S_SKIPPED;
		free(s->why);
		s->why = xstrdup("no local fixes: patched is the series as posted");
		say(m, "%s %s: skipped (%s)", kr->name, s->name, s->why);
	}
	write_record(m, kr);
}

/* Starts what may start, kernels in order; a step that must run alone holds back the later kernels. */
static int schedule(struct matrix *m)
{
	for (size_t i = 0; i < m->nk; i++) {
		struct kernel_run *kr = &m->k[i];

		if (kr->next < kr->n && !busy(kr) && kr->steps[kr->next].state == S_WAITING &&
		    kr->steps[kr->next].def->stage == RS_POSTED && !posted_differs(m, kr))
			skip_posted(m, kr);
		while (kr->next < kr->n && kr->steps[kr->next].state == S_SKIPPED)
			kr->next++;
		if (busy(kr) || kr->next >= kr->n)
			continue;
		if (can_start(m, &kr->steps[kr->next])) {
			if (start(m, kr))
				return -1;
		} else if (kr->steps[kr->next].def->weight == W_ALONE) {
			break;
		}
	}
	return 0;
}

static bool done(const struct matrix *m)
{
	for (size_t i = 0; i < m->nk; i++)
		for (size_t j = 0; j < m->k[i].n; j++)
			if (m->k[i].steps[j].state == S_WAITING || m->k[i].steps[j].state == S_RUNNING)
				return false;
	return true;
}

static void stop_all(struct matrix *m)
{
	for (size_t i = 0; i < m->nk; i++)
		for (size_t j = 0; j < m->k[i].n; j++)
			if (m->k[i].steps[j].state == S_RUNNING)
				kill(m->k[i].steps[j].pid, SIGTERM);
	while (m->running[W_LIGHT] + m->running[W_HEAVY] + m->running[W_ALONE]) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0 && errno != EINTR)
			break;
		for (size_t i = 0; pid > 0 && i < m->nk; i++)
			for (size_t j = 0; j < m->k[i].n; j++)
				if (m->k[i].steps[j].state == S_RUNNING && m->k[i].steps[j].pid == pid)
					finish(m, &m->k[i], &m->k[i].steps[j], status);
	}
}

int matrix_run(const struct matrix_opts *o)
{
	struct matrix m = { .o = o, .start = run_now() };
	struct sigaction chld = { .sa_handler = on_child }, old_chld;
	int ret = 0;

	m.last_beat = m.start;
	m.nk = o->kernels->n;
	m.k = xcalloc(m.nk ? m.nk : 1, sizeof(*m.k));
	for (size_t i = 0; i < m.nk; i++)
		if (kernel_setup(&m, &m.k[i], o->kernels->v[i]))
			ret = -1;
	signals_catch();
	sigaction(SIGCHLD, &chld, &old_chld);
	while (!ret && !done(&m) && !signals_caught()) {
		if (schedule(&m)) {
			ret = -1;
			break;
		}
		poll(NULL, 0, o->tty ? 250 : 1000);
		reap(&m);
		live(&m);
	}
	if (signals_caught() || ret)
		stop_all(&m);
	clear_live(&m);
	sigaction(SIGCHLD, &old_chld, NULL);
	signals_release();
	if (signals_caught() && !ret) {
		say(&m, "interrupted (signal %d): run the matrix again to resume", (int)signals_caught());
		ret = 128 + signals_caught();
	}
	for (size_t i = 0; i < m.nk; i++) {
		for (size_t j = 0; j < m.k[i].n; j++) {
			free(m.k[i].steps[j].name);
			free(m.k[i].steps[j].log);
			free(m.k[i].steps[j].result);
			free(m.k[i].steps[j].why);
			sv_release(&m.k[i].steps[j].argv);
		}
		free(m.k[i].steps);
	}
	free(m.k);
	return ret;
}
