// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU boots through run(): the console is QEMU's stdout, captured to a
 * file and watched as it arrives for the guest's markers (to time the
 * boot); the deadline kills QEMU and the verdict becomes hang.
 */
#define _GNU_SOURCE
#include "boot/qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot/guest.h"
#include "lib/text.h"
#include "lib/run.h"

#define QEMU "qemu-system-x86_64"
/* A working KVM boots to the no-root panic in about a second; nested KVM hangs. */
#define PROBE_TIMEOUT 15.0
/* Console lines kept as evidence. */
#define TAIL_LINES 40

static const struct run_tool qemu_tools[] = {
	{ QEMU, "qemu-system-x86" },
};

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[V_CLEAN] = "clean", [V_WARN] = "warn", [V_NO_INIT] = "no-init", [V_HANG] = "hang",
		[V_BUG] = "bug", [V_OOPS] = "oops", [V_PANIC] = "panic",
	};

	return names[v];
}

/* ---- the console ----------------------------------------------------------- */

/* "[   12.345678] " printk timestamps: kernel lines, never the workload's. */
static bool is_kernel_line(const char *s)
{
	if (*s++ != '[')
		return false;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	while ((*s >= '0' && *s <= '9') || *s == '.')
		s++;
	return *s == ']';
}

/* The die() header of an oops on any architecture: "<what>: 0000 [#1]". */
static bool is_die_header(const char *s)
{
	const char *p = strstr(s, " [#");

	if (!p || p - s < 6 || p[-5] != ' ' || p[-6] != ':')
		return false;
	for (int i = 1; i <= 4; i++)
		if (!strchr("0123456789abcdef", p[-i]))
			return false;
	p += 3;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ']';
}

/*
 * What a message starts with, after the printk timestamp and caller id
 * ("[   12.345678] [    T1] "): kernel reports begin there, which keeps
 * messages that merely mention a word (e.g. "RETBleed: WARNING: ...") out.
 */
static const char *message_of(const char *line)
{
	const char *s = line;

	while (*s == '[') {
		const char *e = strchr(s, ']');

		if (!e || strspn(s + 1, " 0123456789.TC") != (size_t)(e - s - 1))
			break;
		s = e + 1;
		while (*s == ' ')
			s++;
	}
	return s;
}

static const struct {
	const char *start;
	enum verdict verdict;
	const char *kind;
} patterns[] = {
	{ "Kernel panic - not syncing", V_PANIC, "panic" },
	{ "Oops", V_OOPS, "oops" },
	{ "kernel BUG at", V_BUG, "bug" },
	{ "BUG: KASAN:", V_BUG, "kasan" },
	{ "BUG: sleeping function called from invalid context", V_BUG, "atomic-sleep" },
	{ "BUG: scheduling while atomic", V_BUG, "atomic-sleep" },
	{ "BUG:", V_BUG, "bug" },
	{ "INFO: task ", V_HANG, "hung-task" },	/* "... blocked for more than N seconds." */
	{ "watchdog: BUG: soft lockup", V_HANG, "soft-lockup" },
	{ "WARNING: possible circular locking dependency", V_WARN, "lockdep" },
	{ "WARNING: possible recursive locking detected", V_WARN, "lockdep" },
	{ "WARNING: inconsistent lock state", V_WARN, "lockdep" },
	{ "WARNING: possible irq lock inversion dependency", V_WARN, "lockdep" },
	{ "WARNING: suspicious RCU usage", V_WARN, "lockdep" },
	{ "WARNING: lock held when returning to user space", V_WARN, "lockdep" },
	{ "list_add corruption", V_WARN, "list" },
	{ "list_del corruption", V_WARN, "list" },
	{ "WARNING:", V_WARN, "warning" },
	{ "Page cache invalidation failure", V_WARN, "pagecache" },
};

static void add_finding(struct console_report *c, enum verdict v, const char *kind, const char *line,
			size_t lineno)
{
	struct finding *f;

	c->findings = xrealloc(c->findings, (c->nfindings + 1) * sizeof(*c->findings));
	f = &c->findings[c->nfindings++];
	f->verdict = v;
	f->kind = kind;
	f->lineno = lineno;
	f->line = xstrdup(line);
}

static void match_line(struct console_report *c, const char *line, size_t lineno)
{
	const char *msg = message_of(line);

	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
		if (!starts_with(msg, patterns[i].start))
			continue;
		if (patterns[i].verdict == V_HANG && !strcmp(patterns[i].kind, "hung-task") &&
		    !strstr(msg, " blocked for more than "))
			continue;
		add_finding(c, patterns[i].verdict, patterns[i].kind, line, lineno);
		return;
	}
	/* Before 6.9, x86 oopses other than page faults start with their trap name. */
	if (is_die_header(msg))
		add_finding(c, V_OOPS, "oops", line, lineno);
}

static void parse_result(struct console_report *c, const char *frame)
{
	json_error_t err;

	c->result = json_loads(frame, 0, &err);
	if (!c->result)
		c->result_error = xasprintf("the workload's result is not JSON: %s (line %d)", err.text,
					    err.line);
}

/*
 * The lines after a finding, up to the end of its report ("---[ end trace")
 * or TRACE_LINES: lockdep's chains and the call trace a reviewer needs.
 */
#define TRACE_LINES 60

static void trace_line(struct console_report *c, size_t *open, const char *line)
{
	struct finding *f;

	if (*open >= c->nfindings)
		return;
	f = &c->findings[*open];
	sv_push(&f->trace, line);
	if (strstr(line, "---[ end trace") || f->trace.n >= TRACE_LINES)
		*open = SIZE_MAX;
}

void console_parse(const char *text, struct console_report *c)
{
	struct strbuf frame = STRBUF_INIT;
	bool in_frame = false;
	size_t lineno = 0, open = SIZE_MAX, before;

	memset(c, 0, sizeof(*c));
	c->guest_uptime_at_init = -1;
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = xstrndup(p, eol - p);
		const char *s;

		lineno++;
		rtrim(line);
		s = line;
		if (starts_with(s, GUEST_RESULT_BEGIN)) {
			in_frame = true;
			sb_reset(&frame);
		} else if (in_frame && starts_with(s, GUEST_RESULT_END)) {
			in_frame = false;
			if (!c->result && !c->result_error)
				parse_result(c, sb_str(&frame));
		} else if (in_frame) {
			/* A kernel message can land inside the frame; it is not part of the result. */
			if (is_kernel_line(s))
				match_line(c, s, lineno);
			else
				sb_addf(&frame, "%s\n", s);
		} else if (starts_with(s, GUEST_MARK_INIT)) {
			const char *u = strstr(s, "uptime=");

			c->reached_init = true;
			if (u)
				c->guest_uptime_at_init = strtod(u + strlen("uptime="), NULL);
		} else if (starts_with(s, GUEST_MARK_START)) {
			c->workload_started = true;
		} else if (starts_with(s, GUEST_MARK_EXIT)) {
			const char *e = strstr(s, "exit=");

			c->workload_ended = true;
			c->workload_exit = e ? atoi(e + strlen("exit=")) : -1;
		} else {
			before = c->nfindings;
			match_line(c, s, lineno);
			if (c->nfindings > before)
				open = c->nfindings - 1;
			else
				trace_line(c, &open, s);
		}
		sv_push(&c->tail, line);
		if (c->tail.n > TAIL_LINES) {
			free(c->tail.v[0]);
			memmove(c->tail.v, c->tail.v + 1, c->tail.n * sizeof(*c->tail.v));
			c->tail.n--;
		}
		free(line);
		p = *eol ? eol + 1 : eol;
	}
	if (in_frame && !c->result_error)
		c->result_error = xstrdup("the workload's result frame never ended");
	sb_release(&frame);
}

void console_report_free(struct console_report *c)
{
	for (size_t i = 0; i < c->nfindings; i++) {
		free(c->findings[i].line);
		sv_release(&c->findings[i].trace);
	}
	free(c->findings);
	json_decref(c->result);
	free(c->result_error);
	sv_release(&c->tail);
	memset(c, 0, sizeof(*c));
}

/* ---- the accelerator ------------------------------------------------------- */

/* This host and this QEMU binary: a probe's answer holds while both stay. */
static char *probe_key(void)
{
	struct utsname u;
	struct stat st;
	char *qemu = run_which(QEMU), *key;

	if (uname(&u) < 0 || !qemu || stat(qemu, &st) < 0) {
		free(qemu);
		return NULL;
	}
	key = xasprintf("%s %s %s %lld %lld", u.nodename, u.release, qemu, (long long)st.st_size,
			(long long)st.st_mtime);
	free(qemu);
	return key;
}

static int probe_kvm(const char *kernel, bool *works, char **why)
{
	const char *argv[] = { QEMU, "-accel", "kvm", "-cpu", "host", "-smp", "1", "-m", "256",
			       "-nodefaults", "-nographic", "-serial", "stdio", "-no-reboot",
			       "-kernel", kernel, "-append", "console=ttyS0 panic=-1", NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out, .timeout = PROBE_TIMEOUT };
	struct run_result r;

	*works = false;
	if (run(&o, &r)) {
		sb_release(&out);
		return -1;
	}
	if (r.timed_out) {
		*why = xasprintf("KVM probe boot hung (killed after %.0f s)", PROBE_TIMEOUT);
	} else if (r.status || r.signal || !strstr(sb_str(&out), "Linux version")) {
		const char *o = sb_str(&out);

		*why = xasprintf("KVM probe boot failed (QEMU %s %d%s%.*s)", r.signal ? "killed by signal" :
				 "exit status", r.signal ? r.signal : r.status, *o ? ": " : "",
				 (int)strcspn(o, "\r\n"), o);
	} else {
		*works = true;
		*why = xasprintf("KVM probe boot finished in %.1f s", r.seconds);
	}
	sb_release(&out);
	return 0;
}

int qemu_accel(const char *kernel, char **accel, char **why)
{
	const char *env = getenv("KBACKPORT_ACCEL");
	char *cache_dir = xasprintf("%s/cache", work_dir()), *cache = xasprintf("%s/accel", cache_dir);
	char *key = NULL;
	struct strbuf stored = STRBUF_INIT, text = STRBUF_INIT;
	bool works;
	int ret = -1;

	*accel = *why = NULL;
	if (run_require(qemu_tools, ARRAY_SIZE(qemu_tools), KB_EXIT_BOOT))
		goto cleanup;
	if (env && *env) {
		if (strcmp(env, "kvm") && strcmp(env, "tcg")) {
			error_code(KB_EXIT_USAGE, "KBACKPORT_ACCEL is '%s'; it takes kvm or tcg", env);
			goto cleanup;
		}
		*accel = xstrdup(env);
		*why = xstrdup("from KBACKPORT_ACCEL");
		ret = 0;
		goto cleanup;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		*accel = xstrdup("tcg");
		*why = xasprintf("/dev/kvm is not usable: %s", strerror(errno));
		ret = 0;
		goto cleanup;
	}
	key = probe_key();
	/* The cache: "<key>\n<accel>\n<why>\n". */
	if (key && path_exists(cache) && !read_file(cache, &stored)) {
		char *nl = strchr(stored.buf, '\n'), *nl2 = nl ? strchr(nl + 1, '\n') : NULL;

		if (nl2 && (size_t)(nl - stored.buf) == strlen(key) && !memcmp(stored.buf, key, nl - stored.buf)) {
			*accel = xstrndup(nl + 1, nl2 - nl - 1);
			*why = xasprintf("cached probe: %s", nl2 + 1);
			rtrim(*why);
			ret = 0;
			goto cleanup;
		}
	}
	if (probe_kvm(kernel, &works, why))
		goto cleanup;
	*accel = xstrdup(works ? "kvm" : "tcg");
	if (key && !mkdir_p(cache_dir)) {
		sb_addf(&text, "%s\n%s\n%s\n", key, *accel, *why);
		write_file_atomic(cache, text.buf, text.len);
	}
	ret = 0;
cleanup:
	sb_release(&stored);
	sb_release(&text);
	free(key);
	free(cache);
	free(cache_dir);
	return ret;
}

/* ---- the boot ----------------------------------------------------------------- */

/* Times the guest's markers as the console arrives. */
struct watch {
	double start;
	struct strbuf partial;	/* the line being received */
	double init_at;
	double workload_at;
};

static void watch_line(struct watch *w, const char *line)
{
	if (w->init_at < 0 && starts_with(line, GUEST_MARK_INIT))
		w->init_at = run_now() - w->start;
	if (w->workload_at < 0 && starts_with(line, GUEST_MARK_START))
		w->workload_at = run_now() - w->start;
}

static void on_console(const char *data, size_t len, void *arg)
{
	struct watch *w = arg;

	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			sb_addc(&w->partial, data[i]);
			continue;
		}
		watch_line(w, sb_str(&w->partial));
		sb_reset(&w->partial);
	}
}

int qemu_scratch_disk(const char *path, int mib)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return error("cannot create '%s': %s", path, strerror(errno));
	if (ftruncate(fd, (off_t)mib << 20) < 0) {
		int e = errno;

		close(fd);
		return error("cannot size '%s': %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static void qemu_argv(const struct qemu_opts *o, struct strvec *argv)
{
	bool kvm = !strcmp(o->accel, "kvm");

	sv_push(argv, QEMU);
	sv_push(argv, "-accel");
	/* Multi-threaded TCG: one host thread per vCPU. */
	sv_push(argv, kvm ? "kvm" : "tcg,thread=multi");
	sv_push(argv, "-cpu");
	sv_push(argv, kvm ? "host" : "max");
	sv_push(argv, "-smp");
	sv_push_owned(argv, xasprintf("%d", o->smp));
	sv_push(argv, "-m");
	sv_push_owned(argv, xasprintf("%d", o->memory));
	/* No default NIC, VGA or CD-ROM: nothing to probe, and the console on stdout. */
	sv_push(argv, "-nodefaults");
	sv_push(argv, "-nographic");
	sv_push(argv, "-serial");
	sv_push(argv, "stdio");
	sv_push(argv, "-no-reboot");
	sv_push(argv, "-kernel");
	sv_push(argv, o->kernel);
	sv_push(argv, "-initrd");
	sv_push(argv, o->initrd);
	sv_push(argv, "-append");
	sv_push_owned(argv, xasprintf("console=ttyS0 panic=-1 %s", o->append ? o->append : ""));
	if (o->disk) {
		sv_push(argv, "-drive");
		sv_push_owned(argv, xasprintf("file=%s,if=virtio,format=raw,cache=unsafe", o->disk));
	}
}

enum verdict console_verdict(const struct console_report *c, bool timed_out)
{
	enum verdict v = V_CLEAN;

	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i].verdict > v)
			v = c->findings[i].verdict;
	if (timed_out && v < V_HANG)
		v = V_HANG;
	if (!c->reached_init && v < V_NO_INIT)
		v = V_NO_INIT;
	return v;
}

enum verdict boot_verdict(const struct boot_result *r)
{
	return console_verdict(&r->console, r->timed_out);
}

const char *console_workload_status(const struct console_report *c)
{
	if (!c->workload_started)
		return "not-run";
	if (!c->workload_ended)
		return "unfinished";
	if (c->workload_exit)
		return "failed";
	return c->result_error ? "bad-result" : "done";
}

json_t *console_findings_json(const struct console_report *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nfindings; i++) {
		const struct finding *f = &c->findings[i];
		char *text = utf8_sanitize(f->line);
		json_t *trace = json_array(), *o;

		for (size_t k = 0; k < f->trace.n; k++) {
			char *t = utf8_sanitize(f->trace.v[k]);

			json_array_append_new(trace, json_string(t));
			free(t);
		}
		o = json_pack("{s:s, s:s, s:i, s:s, s:o}", "kind", f->kind, "verdict", verdict_name(f->verdict),
			      "line", (int)f->lineno, "text", text, "trace", trace);
		free(text);
		json_array_append_new(a, o);
	}
	return a;
}

int qemu_boot(const struct qemu_opts *o, struct boot_result *r)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	struct watch w = { .partial = STRBUF_INIT, .init_at = -1, .workload_at = -1 };
	struct run_opts ro = { 0 };
	struct run_result rr;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (run_require(qemu_tools, ARRAY_SIZE(qemu_tools), KB_EXIT_BOOT))
		goto cleanup;
	qemu_argv(o, &argv);
	ro.argv = (const char *const *)argv.v;
	ro.out_path = o->console;
	ro.timeout = o->timeout;
	ro.on_output = on_console;
	ro.arg = &w;
	w.start = run_now();
	if (run(&ro, &rr))
		goto cleanup;
	if (w.partial.len)
		watch_line(&w, w.partial.buf);
	if (read_file(o->console, &text))
		goto cleanup;
	r->timed_out = rr.timed_out;
	r->qemu_status = rr.signal ? -1 : rr.status;
	r->total_seconds = rr.seconds;
	r->init_seconds = w.init_at;
	r->workload_seconds = w.workload_at;
	console_parse(text.buf, &r->console);
	/* QEMU refusing its arguments or the accelerator is not a kernel verdict. */
	if (!rr.timed_out && rr.status && !strstr(text.buf, "Linux version")) {
		error_code(KB_EXIT_BOOT, "QEMU failed (exit status %d) before the kernel started: %.300s",
			   rr.status, text.buf);
		goto cleanup;
	}
	r->verdict = boot_verdict(r);
	ret = 0;
cleanup:
	sv_release(&argv);
	sb_release(&text);
	sb_release(&w.partial);
	return ret;
}

void boot_result_free(struct boot_result *r)
{
	console_report_free(&r->console);
	memset(r, 0, sizeof(*r));
}
