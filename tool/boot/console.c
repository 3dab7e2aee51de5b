// SPDX-License-Identifier: GPL-2.0
/*
 * Judging a console: what the kernel reported (panic, oops, BUG, KASAN,
 * sleeping in atomic, lockdep, WARNING, hung task) with the lines of each
 * report, and what the guest's init and workload said through the markers
 * of guest.h. The qemu, ssh and lava runners all read consoles through it.
 */
#define _GNU_SOURCE
#include "boot/console.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/guest.h"
#include "lib/text.h"

/* Console lines kept as evidence. */
#define TAIL_LINES 40

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[V_CLEAN] = "clean", [V_KNOWN] = "known", [V_WARN] = "warn", [V_NO_INIT] = "no-init", [V_HANG] = "hang",
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
	memset(f, 0, sizeof(*f));
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
		free(c->findings[i].known);
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

size_t console_mark_known(struct console_report *c, json_t *table)
{
	json_t *entry;
	size_t i, marked = 0;

	json_array_foreach(json_object_get(table, "known"), i, entry) {
		const char *kind = json_string_value(json_object_get(entry, "console"));
		const char *why = json_string_value(json_object_get(entry, "why"));

		for (size_t k = 0; kind && k < c->nfindings; k++) {
			struct finding *f = &c->findings[k];

			if (f->known || strcmp(f->kind, kind))
				continue;
			f->known = xstrdup(why ? why : "listed in the known-defects table");
			marked++;
		}
	}
	return marked;
}

enum verdict console_verdict(const struct console_report *c, bool timed_out)
{
	enum verdict v = V_CLEAN;

	for (size_t i = 0; i < c->nfindings; i++) {
		enum verdict f = c->findings[i].known ? V_KNOWN : c->findings[i].verdict;

		if (f > v)
			v = f;
	}
	if (timed_out && v < V_HANG)
		v = V_HANG;
	if (!c->reached_init && v < V_NO_INIT)
		v = V_NO_INIT;
	return v;
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
		o = json_pack("{s:s, s:s, s:i, s:s, s:o, s:o}", "kind", f->kind, "verdict", verdict_name(f->verdict),
			      "line", (int)f->lineno, "text", text, "trace", trace,
			      "known", f->known ? json_string(f->known) : json_null());
		free(text);
		json_array_append_new(a, o);
	}
	return a;
}
