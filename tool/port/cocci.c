// SPDX-License-Identifier: GPL-2.0
/*
 * Coccinelle rules: their headers, the survey that probes a tree for the
 * symbols and signatures a rule depends on, and spatch runs.
 */
#define _GNU_SOURCE
#include "port/cocci.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/branch.h"
#include "lib/run.h"

#define SPATCH_TIMEOUT 300

static const struct run_tool spatch_tool[] = { { "spatch", "coccinelle" } };

/* spatch options a rule may ask for; anything else could change what spatch writes. */
static const char *const allowed_options[] = {
	"--no-includes", "--include-headers", "--local-includes", "--all-includes",
};

const char *cocci_api_dir(void)
{
	const char *d = getenv("KBACKPORT_COCCI_API");

	return d && *d ? d : "cocci/api";
}

static int parse_probe(const char *path, int line, const char *s, struct cocci_probe *p)
{
	char kind[16], sym[128], op[3] = "", where[256], in[4];
	int n = 0, got;

	memset(p, 0, sizeof(*p));
	if (starts_with(s, "params ")) {
		got = sscanf(s, "%15s %127s %2s %d %3s %255s", kind, sym, op, &n, in, where);
		if (got != 6 || strcmp(in, "in") ||
		    (strcmp(op, "<") && strcmp(op, ">") && strcmp(op, "==") && strcmp(op, "!=")))
			goto bad;
		p->kind = PROBE_PARAMS;
		memcpy(p->op, op, sizeof(p->op));
		p->n = n;
	} else {
		got = sscanf(s, "%15s %127s %3s %255s", kind, sym, in, where);
		if (got != 4 || strcmp(in, "in") || (strcmp(kind, "absent") && strcmp(kind, "present")))
			goto bad;
		p->kind = strcmp(kind, "absent") ? PROBE_PRESENT : PROBE_ABSENT;
	}
	p->symbol = xstrdup(sym);
	p->path = xstrdup(where);
	return 0;
bad:
	return error_code(KB_EXIT_BADINPUT,
			  "bad probe in '%s' line %d: '%s' (want 'absent|present SYMBOL in PATH' or "
			  "'params FUNCTION <|>|==|!= N in PATH')", path, line, s);
}

static int add_probe(const char *path, int line, const char *s, struct cocci_probe **v, size_t *n)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	if (parse_probe(path, line, s, &(*v)[*n]))
		return -1;
	(*n)++;
	return 0;
}

static int add_options(const char *path, int line, const char *s, struct strvec *out)
{
	char *copy = xstrdup(s), *save = NULL;
	int ret = 0;

	for (char *w = strtok_r(copy, " \t", &save); w && !ret; w = strtok_r(NULL, " \t", &save)) {
		bool ok = false;

		for (size_t i = 0; i < ARRAY_SIZE(allowed_options); i++)
			ok |= !strcmp(w, allowed_options[i]);
		if (ok)
			sv_push(out, w);
		else
			ret = error_code(KB_EXIT_BADINPUT, "option '%s' not allowed in '%s' line %d", w, path, line);
	}
	free(copy);
	return ret;
}

/* One "// Key: value" header line. */
static int header_line(struct cocci_rule *r, int line, const char *s, bool *comments)
{
	static const char *const levels[] = { "High", "Moderate", "Low" };

	if (starts_with(s, "Confidence:")) {
		free(r->confidence);
		r->confidence = trim_dup(s + 11, strlen(s + 11));
		for (size_t i = 0; i < ARRAY_SIZE(levels); i++)
			if (!strcmp(r->confidence, levels[i]))
				return 0;
		return error_code(KB_EXIT_BADINPUT, "bad Confidence '%s' in '%s' line %d (High, Moderate or Low)",
				  r->confidence, r->path, line);
	}
	if (starts_with(s, "Comments:"))
		*comments = true;
	else if (starts_with(s, "Needed-if:"))
		return add_probe(r->path, line, s + 11, &r->needed_if, &r->nneeded_if);
	else if (starts_with(s, "Uses:"))
		return add_probe(r->path, line, s + 6, &r->uses, &r->nuses);
	else if (starts_with(s, "Otherwise:"))
		r->otherwise = trim_dup(s + 10, strlen(s + 10));
	else if (starts_with(s, "Options:"))
		return add_options(r->path, line, s + 8, &r->options);
	return 0;
}

int cocci_rule_parse(const char *path, const char *text, struct cocci_rule *r)
{
	struct strbuf summary = STRBUF_INIT;
	const char *s = text, *base = path_basename(path);
	bool comments = false;
	int line = 0, ret = 0;

	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	r->name = ends_with(base, ".cocci") ? xstrndup(base, strlen(base) - 6) : xstrdup(base);
	while (*s && !ret) {
		const char *end = strchrnul(s, '\n');
		char *l = xstrndup(s, end - s);
		bool code;

		line++;
		rtrim(l);
		code = *l && !starts_with(l, "//");
		if (starts_with(l, "///"))
			sb_addf(&summary, "%s%s", summary.len ? " " : "", l + 3 + strspn(l + 3, " "));
		else if (starts_with(l, "// "))
			ret = header_line(r, line, l + 3, &comments);
		free(l);
		if (code)
			break;	/* the header ends at the first line of code */
		s = *end ? end + 1 : end;
	}
	r->summary = sb_detach(&summary);
	if (!ret && (!*r->summary || !r->confidence || !comments))
		ret = error_code(KB_EXIT_BADINPUT, "rule '%s' lacks its header (/// lines, // Confidence:, // Comments:)",
				 path);
	if (ret)
		cocci_rule_free(r);
	return ret;
}

int cocci_rule_load(const char *path, struct cocci_rule *r)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_file(path, &sb);

	if (ret)
		kb_errcode = KB_EXIT_NOINPUT;
	else
		ret = cocci_rule_parse(path, sb.buf, r);
	sb_release(&sb);
	return ret;
}

static void probes_free(struct cocci_probe *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].symbol);
		free(v[i].path);
	}
	free(v);
}

void cocci_rule_free(struct cocci_rule *r)
{
	free(r->path);
	free(r->name);
	free(r->summary);
	free(r->confidence);
	free(r->otherwise);
	sv_release(&r->options);
	probes_free(r->needed_if, r->nneeded_if);
	probes_free(r->uses, r->nuses);
	memset(r, 0, sizeof(*r));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cocci_rules_load(const char *dir, struct cocci_rule **out, size_t *n)
{
	struct strvec names = STRVEC_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	*out = NULL;
	*n = 0;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && ends_with(e->d_name, ".cocci"))
			sv_push(&names, e->d_name);
	if (d)
		closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), by_name);
	*out = xcalloc(names.n + 1, sizeof(**out));
	for (size_t i = 0; i < names.n && !ret; i++) {
		char *path = xasprintf("%s/%s", dir, names.v[i]);

		ret = cocci_rule_load(path, &(*out)[*n]);
		if (!ret)
			(*n)++;
		free(path);
	}
	sv_release(&names);
	if (ret) {
		cocci_rules_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

void cocci_rules_free(struct cocci_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cocci_rule_free(&v[i]);
	free(v);
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The next occurrence of sym as a whole identifier at or after s. */
static const char *find_ident(const char *text, const char *s, const char *sym)
{
	size_t n = strlen(sym);

	for (s = strstr(s, sym); s; s = strstr(s + 1, sym))
		if ((s == text || !ident_char(s[-1])) && !ident_char(s[n]))
			return s;
	return NULL;
}

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

/*
 * The parameter count of a declaration or definition of sym at s: the
 * name is not a call (nothing but a type before it on its line) and its
 * ')' is followed by ';' or '{'. -1 if s is not one.
 */
static int decl_params(const char *text, const char *s, const char *sym)
{
	const char *bol = s, *p = s + strlen(sym);
	const char *open;
	int depth = 0, commas = 0;
	char *params;
	bool none;

	while (bol > text && bol[-1] != '\n')
		bol--;
	for (const char *q = bol; q < s; q++)
		if (*q == '=' || *q == '(' || *q == ',')
			return -1;
	if (strstr(bol, "return") && strstr(bol, "return") < s)
		return -1;
	p += strspn(p, " \t");
	if (*p != '(')
		return -1;
	for (open = p; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
		else if (*p == ',' && depth == 1)
			commas++;
	}
	if (!*p)
		return -1;
	params = trim_dup(open + 1, p - open - 1);
	none = !*params || !strcmp(params, "void");
	free(params);
	p++;
	p += strspn(p, " \t\n");
	if (*p != ';' && *p != '{')
		return -1;
	return none ? 0 : commas + 1;
}

static bool compare(int a, const char *op, int b)
{
	if (!strcmp(op, "<"))
		return a < b;
	if (!strcmp(op, ">"))
		return a > b;
	if (!strcmp(op, "=="))
		return a == b;
	return a != b;
}

bool cocci_probe_eval(const struct cocci_probe *p, const char *text, bool exists, char **evidence)
{
	const char *s;

	if (!exists) {
		/* a tree without the file has nothing the rule could adapt */
		*evidence = xasprintf("%s: no such file", p->path);
		return false;
	}
	if (p->kind != PROBE_PARAMS) {
		s = find_ident(text, text, p->symbol);
		if (s)
			*evidence = xasprintf("%s:%d: %s present", p->path, line_of(text, s), p->symbol);
		else
			*evidence = xasprintf("%s: %s absent", p->path, p->symbol);
		return (s != NULL) == (p->kind == PROBE_PRESENT);
	}
	for (s = find_ident(text, text, p->symbol); s; s = find_ident(text, s + 1, p->symbol)) {
		int n = decl_params(text, s, p->symbol);

		if (n >= 0) {
			*evidence = xasprintf("%s:%d: %s() takes %d parameter%s", p->path, line_of(text, s),
					      p->symbol, n, n == 1 ? "" : "s");
			return compare(n, p->op, p->n);
		}
	}
	*evidence = xasprintf("%s: no declaration of %s()", p->path, p->symbol);
	return false;
}

static int eval_probes(git_repository *repo, const git_oid *commit, const struct cocci_probe *v, size_t n,
		       struct strvec *evidence, bool *all)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	*all = true;
	for (size_t i = 0; i < n && !ret; i++) {
		bool exists;
		char *ev;

		sb_reset(&sb);
		ret = branch_read_file(repo, commit, v[i].path, &sb, &exists);
		if (ret)
			break;
		*all &= cocci_probe_eval(&v[i], sb.buf ? sb.buf : "", exists, &ev);
		sv_push_owned(evidence, ev);
	}
	sb_release(&sb);
	return ret;
}

int cocci_survey(git_repository *repo, const git_oid *commit, const struct cocci_rule *r,
		 struct cocci_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (eval_probes(repo, commit, r->needed_if, r->nneeded_if, &v->evidence, &v->needed) ||
	    eval_probes(repo, commit, r->uses, r->nuses, &v->evidence, &v->usable))
		return -1;
	/* a rule without probes is one a series asked for by name, never one the tree asks for */
	v->needed &= r->nneeded_if > 0;
	return 0;
}

void cocci_verdict_free(struct cocci_verdict *v)
{
	sv_release(&v->evidence);
}

/* spatch's own complaint: the first line that is not its chatter, and where. */
static char *spatch_complaint(const char *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = out, *where = strstr(out, "File \"");

	while (*s) {
		const char *end = strchrnul(s, '\n');

		if (end > s && !isspace((unsigned char)*s) && !starts_with(s, "Warning:") &&
		    !starts_with(s, "warning:") && !starts_with(s, "init_defs")) {
			char *l = xstrndup(s, end - s);

			rtrim(l);
			sb_adds(&sb, l);
			free(l);
			break;
		}
		s = *end ? end + 1 : end;
	}
	if (where) {
		const char *line = strstr(where, "line ");

		if (line)
			sb_addf(&sb, "%s%.*s", sb.len ? " at " : "", (int)strcspn(line, ","), line);
	}
	if (!sb.len)
		sb_adds(&sb, "no message");
	return sb_detach(&sb);
}

static int spatch_failed(const struct cocci_rule *r, const char *file, const struct strbuf *out,
			 const struct run_result *res)
{
	char *why;

	if (res->timed_out)
		return error_code(KB_EXIT_FAIL, "spatch timed out after %d s: rule '%s' on '%s'", SPATCH_TIMEOUT,
				  r->path, file);
	why = spatch_complaint(out->buf ? out->buf : "");
	if (!strcmp(file, r->path))
		error_code(KB_EXIT_BADINPUT, "spatch failed: rule '%s' does not parse: %s", r->path, why);
	else
		error_code(KB_EXIT_BADINPUT, "spatch failed: rule '%s' on '%s': %s", r->path, file, why);
	free(why);
	return -1;
}

int cocci_check_rule(const struct cocci_rule *r)
{
	const char *argv[] = { "spatch", "--parse-cocci", "-D", "patch", r->path, NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out, .timeout = SPATCH_TIMEOUT };
	struct run_result res;
	int ret = run_require(spatch_tool, ARRAY_SIZE(spatch_tool), KB_EXIT_FAIL);

	if (!ret)
		ret = run(&o, &res);
	if (!ret && (res.status || res.timed_out))
		ret = spatch_failed(r, r->path, &out, &res);
	sb_release(&out);
	return ret;
}

static void include_args(const char *tree, const struct strvec *files, struct strvec *argv)
{
	static const char *const dirs[] = {
		"include", "include/uapi", "arch/x86/include", "arch/x86/include/uapi",
	};
	struct strvec seen = STRVEC_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		sv_push(argv, "-I");
		sv_push_owned(argv, xasprintf("%s/%s", tree, dirs[i]));
	}
	/* a file's own directory, for its "local.h" includes */
	for (size_t i = 0; i < files->n; i++) {
		const char *slash = strrchr(files->v[i], '/');
		char *dir = slash ? xstrndup(files->v[i], slash - files->v[i]) : xstrdup(".");

		if (!sv_contains(&seen, dir)) {
			sv_push(&seen, dir);
			sv_push(argv, "-I");
			sv_push_owned(argv, xasprintf("%s/%s", tree, dir));
		}
		free(dir);
	}
	sv_release(&seen);
}

/* Keeps the diff lines of spatch's output; headers become a/<path>, b/<path>. */
static void clean_diff(const char *out, struct strbuf *diff)
{
	const char *s = out;
	bool in = false;
	char *path = NULL;

	while (*s) {
		const char *end = strchrnul(s, '\n');
		char *l = xstrndup(s, end - s);

		if (starts_with(l, "--- ")) {
			free(path);
			path = trim_dup(l + 4, strcspn(l + 4, "\t"));
			sb_addf(diff, "--- a/%s\n", path);
			in = true;
		} else if (in && starts_with(l, "+++ ")) {
			sb_addf(diff, "+++ b/%s\n", path);
		} else if (in && (strchr(" +-\\", l[0]) || starts_with(l, "@@"))) {
			sb_addf(diff, "%s\n", l);
		}
		free(l);
		s = *end ? end + 1 : end;
	}
	free(path);
}

int cocci_spatch(const struct cocci_rule *r, const char *dir, const struct strvec *files,
		 const char *tree, struct strbuf *diff)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct run_result res;
	char *sp = realpath(r->path, NULL);
	int ret = run_require(spatch_tool, ARRAY_SIZE(spatch_tool), KB_EXIT_FAIL);

	if (ret || !sp) {
		free(sp);
		return ret ? ret : error_code(KB_EXIT_NOINPUT, "cannot open rule '%s'", r->path);
	}
	sv_push(&argv, "spatch");
	sv_push(&argv, "--very-quiet");
	sv_push(&argv, "--sp-file");
	sv_push(&argv, sp);
	sv_push(&argv, "-D");
	sv_push(&argv, "patch");
	for (size_t i = 0; i < r->options.n; i++)
		sv_push(&argv, r->options.v[i]);
	if (tree && !sv_contains(&r->options, "--no-includes"))
		include_args(tree, files, &argv);
	for (size_t i = 0; i < files->n; i++)
		sv_push(&argv, files->v[i]);
	argv.v = xrealloc(argv.v, (argv.n + 1) * sizeof(*argv.v));
	argv.v[argv.n] = NULL;
	{
		struct run_opts o = { .argv = (const char *const *)argv.v, .dir = dir, .out = &out,
				      .timeout = SPATCH_TIMEOUT };

		ret = run(&o, &res);
	}
	if (!ret && (res.status || res.timed_out))
		ret = spatch_failed(r, files->n == 1 ? files->v[0] : dir, &out, &res);
	else if (!ret)
		clean_diff(out.buf ? out.buf : "", diff);
	sb_release(&out);
	sv_release(&argv);
	free(sp);
	return ret;
}
