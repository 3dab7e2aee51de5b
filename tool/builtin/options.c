// SPDX-License-Identifier: GPL-2.0
/* Options declared once: getopt's table and the usage text (options.h). */
#define _GNU_SOURCE
#include "builtin/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define MAX_OPTIONS 32
/* getopt_long() returns LONG_VAL + i for options[i] given by its long name. */
#define LONG_VAL 0x100
/* Usage lines longer than this are wrapped. */
#define USAGE_WIDTH 100
/* An option wider than this ("--name ARG") has its help on the next line. */
#define OPTION_WIDTH 22

static size_t count(const struct kb_option *options)
{
	size_t n = 0;

	while (options && options[n].name)
		n++;
	return n;
}

static const struct kb_option *find(const struct kb_usage *u, const char *name, size_t len)
{
	for (const struct kb_option *o = u->options; o && o->name; o++) {
		if (len == 2 && name[0] == '-' && o->letter == name[1])
			return o;
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

/* Does form name option o ({name} or {-x})? */
static bool form_has(const char *form, const struct kb_option *o)
{
	char *braced = xasprintf("{%s}", o->name);
	char letter[] = { '{', '-', o->letter, '}', '\0' };
	bool has = strstr(form, braced) || (o->letter && strstr(form, letter));

	free(braced);
	return has;
}

/* The subcommand a form is of: its second word, brackets dropped ("kernels [list]": "list"). */
static bool form_of(const char *form, const char *sub)
{
	const char *p = strchr(form, ' ');
	size_t n;

	if (!p)
		return false;
	p += 1 + (p[1] == '[');
	n = strcspn(p, " ]");
	return strlen(sub) == n && !strncmp(p, sub, n);
}

/* Mistakes in a table are the program's: caught on every run, so by any test of the command. */
static void check(const struct kb_usage *u)
{
	size_t n = count(u->options);

	if (n > MAX_OPTIONS)
		die("usage of '%s' has %zu options, more than %d", u->name, n, MAX_OPTIONS);
	for (size_t i = 0; i < n; i++) {
		const struct kb_option *o = &u->options[i];
		bool shown = false;

		if (!strcmp(o->name, "help") || o->letter == 'h' || o->val <= 0 || o->val >= LONG_VAL ||
		    o->val == 'h' || o->val == '?' || o->val == ':')
			die("usage of '%s': option '--%s' has a name, letter or value kb_getopt() reserves", u->name,
			    o->name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(o->name, u->options[k].name) || o->val == u->options[k].val ||
			    (o->letter && o->letter == u->options[k].letter))
				die("usage of '%s': options '--%s' and '--%s' clash", u->name, u->options[k].name,
				    o->name);
		for (size_t f = 0; u->forms[f] && !shown; f++)
			shown = form_has(u->forms[f], o);
		if (!shown)
			die("usage of '%s': option '--%s' is in none of its forms", u->name, o->name);
	}
	for (size_t f = 0; u->forms[f]; f++)
		free(kb_usage_form(u, u->forms[f]));
}

int usage_error(const struct kb_usage *u)
{
	kb_usage_print(stderr, u);
	return KB_EXIT_USAGE;
}

int usage_subcommand(int argc, char **argv, const struct kb_usage *u)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		kb_usage_print(stdout, u);
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-')
		error("unknown option '%s'", argv[1]);
	else if (argc > 1)
		error("unknown subcommand '%s %s'", u->name, argv[1]);
	return usage_error(u);
}

/* What getopt_long() stopped on, said the way our errors are. */
static void bad_option(int c, int argc, char **argv, const struct kb_usage *u)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (c == ':')
		error("option '%s' needs a value", arg);
	else if (optopt >= LONG_VAL)
		error("option '--%s' takes no value", u->options[optopt - LONG_VAL].name);
	else if (optopt)
		error("unknown option '-%c'", optopt);
	else
		error("unknown option '%.*s'", (int)strcspn(arg, "="), arg);
}

int kb_getopt(int argc, char **argv, const struct kb_usage *u)
{
	struct option lo[MAX_OPTIONS + 2];
	char shorts[2 * MAX_OPTIONS + 4] = ":h";
	bool all = !strcmp(argv[0], u->name);
	size_t n = 0, s = strlen(shorts);
	int c;

	check(u);
	for (size_t i = 0; i < count(u->options); i++) {
		const struct kb_option *o = &u->options[i];
		bool takes = all;

		for (size_t f = 0; u->forms[f] && !takes; f++)
			takes = form_of(u->forms[f], argv[0]) && form_has(u->forms[f], o);
		if (!takes)
			continue;
		lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, LONG_VAL + (int)i };
		if (o->letter) {
			shorts[s++] = o->letter;
			if (o->arg)
				shorts[s++] = ':';
		}
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[s] = '\0';
	opterr = 0;
	optopt = 0;
	c = getopt_long(argc, argv, shorts, lo, NULL);
	if (c == 'h') {
		kb_usage_print(stdout, u);
		exit(0);
	}
	if (c == '?' || c == ':') {
		bad_option(c, argc, argv, u);
		exit(usage_error(u));
	}
	if (c >= LONG_VAL)
		return u->options[c - LONG_VAL].val;
	for (const struct kb_option *o = u->options; c > 0 && o && o->name; o++)
		if (o->letter == c)
			return o->val;
	return c;
}

char *kb_usage_form(const struct kb_usage *u, const char *form)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = form; *p;) {
		const char *end = strchr(p, '}');
		const struct kb_option *o;
		size_t n;

		if (*p != '{') {
			n = strcspn(p, "{");
			sb_add(&sb, p, n);
			p += n;
			continue;
		}
		if (!end)
			die("usage of '%s': no '}' in form '%s'", u->name, form);
		n = end - p - 1;
		o = find(u, p + 1, n);
		if (!o)
			die("usage of '%s' names an option '%.*s' it does not have", u->name, (int)n, p + 1);
		if (p[1] == '-')
			sb_addf(&sb, "-%c", o->letter);
		else
			sb_addf(&sb, "--%s", o->name);
		if (o->arg)
			sb_addf(&sb, " %s", o->arg);
		p = end + 1;
	}
	return sb_detach(&sb);
}

/* line, wrapped at spaces outside brackets and quotes after its first indent columns, the rest indented. */
static void print_wrapped(FILE *f, const char *line, size_t indent)
{
	size_t len = strlen(line), depth = 0, from = 0, col = 0;
	bool *breaks = xcalloc(len + 1, sizeof(*breaks));
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\'')
			quoted = !quoted;
		else if (!quoted && (line[i] == '[' || line[i] == '('))
			depth++;
		else if (!quoted && (line[i] == ']' || line[i] == ')') && depth)
			depth--;
		else if (line[i] == ' ' && !quoted && !depth && i > indent)
			breaks[i] = true;
	}
	while (col + len - from > USAGE_WIDTH) {
		size_t cut = 0;

		for (size_t i = from; i < len && (!cut || col + i - from <= USAGE_WIDTH); i++)
			if (breaks[i])
				cut = i;
		if (!cut)
			break;
		fprintf(f, "%.*s\n%*s", (int)(cut - from), line + from, (int)indent, "");
		from = cut + 1;
		col = indent;
	}
	fprintf(f, "%s\n", line + from);
	free(breaks);
}

void kb_usage_print(FILE *f, const struct kb_usage *u)
{
	size_t w = 0;

	check(u);
	for (size_t i = 0; u->forms[i]; i++) {
		char *form = kb_usage_form(u, u->forms[i]);
		char *line = xasprintf("%s kbackport %s", i ? "   or:" : "usage:", form);

		print_wrapped(f, line, strlen("usage: kbackport ") + strlen(u->name) + 1);
		free(line);
		free(form);
	}
	if (u->text)
		fprintf(f, "\n%s\n", u->text);
	if (count(u->options))
		fputs("\noptions:\n", f);
	/* "  -o, --output DIR" and its help beside it, or below it when that is wider than the column */
	for (const struct kb_option *o = u->options; o && o->name; o++) {
		size_t n = strlen(o->name) + (o->arg ? strlen(o->arg) + 1 : 0);

		w = n > w && n <= OPTION_WIDTH ? n : w;
	}
	for (const struct kb_option *o = u->options; o && o->name; o++) {
		char *left = xasprintf("%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");

		if (o->letter)
			fprintf(f, "  -%c, --%-*s", o->letter, (int)w, left);
		else
			fprintf(f, "      --%-*s", (int)w, left);
		if (strlen(left) > w)
			fprintf(f, "\n%*s", (int)w + 8, "");
		fprintf(f, "  %s\n", o->help);
		free(left);
	}
}

int option_count(const char *name, const char *value, int max, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 1 || n > max)
		return error("--%s takes a number from 1 to %d, not '%s'", name, max, value);
	*out = (int)n;
	return 0;
}
