// SPDX-License-Identifier: GPL-2.0
/*
 * A series on disk and on screen: series.yaml (libyaml), the patches in
 * git format-patch form, JSON (jansson) and the human summary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/text.h"
#include "mail/mbox.h"
#include "mail/series.h"
#include "lib/treepath.h"
#include "lib/yaml.h"

static char *iso_date(long long when)
{
	char buf[32];
	time_t t = (time_t)when;
	struct tm tm;

	if (when < 0)
		return NULL;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static long long parse_iso_date(const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;

	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (long long)timegm(&tm);
}

/* ---- YAML writer ---- */

static void yw_kint(struct yaml_out *w, const char *key, long long v)
{
	yaml_out_str(w, key);
	yaml_out_int(w, v);
}

static void yw_kdate(struct yaml_out *w, const char *key, long long when)
{
	char *d = iso_date(when);

	yaml_out_kv(w, key, d);
	free(d);
}

static char *person(const char *name, const char *email)
{
	if (!name)
		return NULL;
	return email ? xasprintf("%s <%s>", name, email) : xstrdup(name);
}

static void write_review(struct yaml_out *w, const struct review_item *r)
{
	yaml_out_map(w, true);
	yaml_out_kv(w, "reviewer", r->reviewer);
	yw_kdate(w, "date", r->when);
	if (r->hunk) {
		yw_kint(w, "hunk", r->hunk);
		yaml_out_kv(w, "file", r->file);
	}
	yaml_out_kv(w, "quote", r->quote);
	yaml_out_kv(w, "comment", r->comment);
	yaml_out_kv(w, "responder", r->responder);
	if (r->responder)
		yw_kdate(w, "response-date", r->response_when);
	yaml_out_kv(w, "response", r->response);
	yaml_out_kv(w, "resolution", r->resolution);
	yaml_out_kv(w, "status", "open");
	yaml_out_kv(w, "action", r->action);
	yaml_out_map(w, false);
}

static void write_trailers(struct yaml_out *w, const struct spatch *p, bool collected)
{
	bool any = false;

	for (size_t i = 0; i < p->ntrailers; i++)
		any |= p->trailers[i].collected == collected;
	if (!any)
		return;
	yaml_out_str(w, collected ? "collected" : "trailers");
	yaml_out_seq(w, true);
	for (size_t i = 0; i < p->ntrailers; i++) {
		char *t;

		if (p->trailers[i].collected != collected)
			continue;
		t = xasprintf("%s: %s", p->trailers[i].key, p->trailers[i].value);
		yaml_out_str(w, t);
		free(t);
	}
	yaml_out_seq(w, false);
}

static void write_patch(struct yaml_out *w, const struct spatch *p)
{
	char *author = person(p->author_name, p->author_email);

	yaml_out_map(w, true);
	yw_kint(w, "number", p->n);
	yaml_out_kv(w, "file", p->filename);
	yaml_out_kv(w, "subject", p->title);
	yaml_out_kv(w, "author", author);
	yw_kdate(w, "date", p->when);
	yaml_out_kv(w, "message-id", p->message_id);
	yaml_out_kv(w, "text", text_state_name(p->state));
	yaml_out_kv(w, "text-note", p->state_note);
	yaml_out_kv(w, "source", p->source);
	yaml_out_str(w, "files");
	yaml_out_seq(w, true);
	for (size_t i = 0; i < p->files.n; i++)
		yaml_out_str(w, p->files.v[i]);
	yaml_out_seq(w, false);
	write_trailers(w, p, false);
	write_trailers(w, p, true);
	if (p->nprereqs) {
		yaml_out_str(w, "prereqs");
		yaml_out_seq(w, true);
		for (size_t i = 0; i < p->nprereqs; i++) {
			yaml_out_map(w, true);
			yaml_out_kv(w, "commit", p->prereqs[i].commit);
			yaml_out_kv(w, "subject", p->prereqs[i].subject);
			yaml_out_kv(w, "cited", p->prereqs[i].cited);
			yaml_out_map(w, false);
		}
		yaml_out_seq(w, false);
	}
	if (p->nreviews) {
		yaml_out_str(w, "review");
		yaml_out_seq(w, true);
		for (size_t i = 0; i < p->nreviews; i++)
			write_review(w, &p->reviews[i]);
		yaml_out_seq(w, false);
	}
	yaml_out_map(w, false);
	free(author);
}

static void write_series_body(struct yaml_out *w, const struct series *s)
{
	yaml_out_map(w, true);
	yaml_out_kv(w, "name", s->name);
	yw_kint(w, "version", s->version);
	yaml_out_kv(w, "prefix", s->prefix);
	yaml_out_str(w, "cover");
	yaml_out_map(w, true);
	yaml_out_kv(w, "subject", s->cover_subject);
	yaml_out_kv(w, "author", s->cover_author);
	yw_kdate(w, "date", s->cover_when);
	yaml_out_kv(w, "message-id", s->cover_message_id);
	yaml_out_map(w, false);
	yaml_out_str(w, "sources");
	yaml_out_seq(w, true);
	for (size_t i = 0; i < s->nsources; i++) {
		char *f = xasprintf("archive/%s", s->sources[i].file);

		yaml_out_map(w, true);
		yaml_out_kv(w, "file", f);
		yaml_out_kv(w, "format", s->sources[i].format);
		yaml_out_map(w, false);
		free(f);
	}
	yaml_out_seq(w, false);
	yaml_out_str(w, "patches");
	yaml_out_seq(w, true);
	for (int i = 0; i < s->total; i++)
		write_patch(w, &s->patches[i]);
	yaml_out_seq(w, false);
	yaml_out_map(w, false);
}

static char *series_yaml(const struct series *s)
{
	struct yaml_out w;
	const char *problem;
	char *text;

	yaml_out_begin(&w, "# Written by 'kbackport series import'. Review items' 'action' may be\n"
			   "# edited (drop-hunk | revise | keep); the port follows it.\n");
	write_series_body(&w, s);
	text = yaml_out_end(&w, &problem);
	if (!text)
		error("cannot write series.yaml: %s", problem ? problem : "emitter failed");
	return text;
}

/* ---- git format-patch form ---- */

char *series_subject_tag(const struct series *s, int n)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "[%s", s->prefix ? s->prefix : "PATCH");
	if (s->version > 1)
		sb_addf(&sb, " v%d", s->version);
	if (s->total > 1)
		sb_addf(&sb, " %d/%d", n, s->total);
	sb_addc(&sb, ']');
	return sb_detach(&sb);
}

char *series_format_patch(const struct series *s, const struct spatch *p)
{
	struct strbuf sb = STRBUF_INIT;
	char *name = encode_header_words(p->author_name ? p->author_name : "unknown");
	char *tag = series_subject_tag(s, p->n);
	char date[64] = "Thu, 1 Jan 1970 00:00:00 +0000";
	time_t t = (time_t)p->when;
	struct tm tm;

	if (p->when >= 0) {
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	}
	sb_adds(&sb, "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n");
	sb_addf(&sb, "From: %s <%s>\n", name, p->author_email ? p->author_email : "unknown@unknown");
	sb_addf(&sb, "Date: %s\n", date);
	sb_addf(&sb, "Subject: %s %s\n", tag, p->title);
	if (p->message_id)
		sb_addf(&sb, "Message-ID: <%s>\n", p->message_id);
	if (!is_ascii(p->msg) || !is_ascii(p->diff))
		sb_adds(&sb, "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
			     "Content-Transfer-Encoding: 8bit\n");
	sb_addf(&sb, "\n%s", p->msg);
	if (p->ntrailers)
		sb_adds(&sb, "\n");
	for (size_t i = 0; i < p->ntrailers; i++)
		sb_addf(&sb, "%s: %s\n", p->trailers[i].key, p->trailers[i].value);
	sb_addf(&sb, "---\n%s", p->diff);
	sb_adds(&sb, "-- \nkbackport\n\n");
	free(name);
	free(tag);
	return sb_detach(&sb);
}

static int remove_stale_patches(const char *dir, const struct series *s)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return error("cannot open '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		bool keep = false;
		char *path;

		if (!ends_with(e->d_name, ".patch"))
			continue;
		for (int i = 0; i < s->total; i++)
			keep |= !strcmp(path_basename(s->patches[i].filename), e->d_name);
		if (keep)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (unlink(path) < 0)
			warning("cannot remove stale '%s': %s", path, strerror(errno));
		free(path);
	}
	closedir(d);
	return 0;
}

int series_write(const struct series *s, const char *dir)
{
	char *yaml = series_yaml(s);
	char **texts = xcalloc(s->total, sizeof(*texts));
	char *up = xasprintf("%s/upstream", dir);
	int ret = -1;

	if (!yaml)
		goto out;
	for (int i = 0; i < s->total; i++)
		texts[i] = series_format_patch(s, &s->patches[i]);
	if (mkdir_p(up) || remove_stale_patches(up, s))
		goto out;
	for (int i = 0; i < s->total; i++) {
		char *path = xasprintf("%s/%s", dir, s->patches[i].filename);
		int r = write_file_atomic(path, texts[i], strlen(texts[i]));

		free(path);
		if (r)
			goto out;
	}
	{
		char *path = xasprintf("%s/series.yaml", dir);

		ret = write_file_atomic(path, yaml, strlen(yaml));
		free(path);
	}
out:
	for (int i = 0; i < s->total; i++)
		free(texts[i]);
	free(texts);
	free(yaml);
	free(up);
	return ret;
}

/* ---- series.yaml reader: strict (yaml.h), it is the file users edit ---- */

/* A series of this many patches has no more review items per patch than this. */
#define SERIES_MAX_LIST 1000

/* An optional string field: absent or null stays NULL. */
static int opt_str(struct yfile *f, yaml_node_t *n, const char *key, char **out)
{
	*out = NULL;
	return n && yfile_scalar(n) ? yfile_str(f, n, key, out) : 0;
}

static int opt_date(struct yfile *f, yaml_node_t *n, const char *key, long long *out)
{
	const char *s = n ? yfile_scalar(n) : NULL;

	*out = -1;
	if (!s)
		return 0;
	*out = parse_iso_date(s);
	return *out < 0 ? yfile_bad(f, n, "invalid date '%s' for '%s' (want YYYY-MM-DDTHH:MM:SSZ)", s, key) : 0;
}

static int load_review(struct yfile *f, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "reviewer", "date", "hunk", "file", "quote", "comment", "responder",
					    "response-date", "response", "resolution", "status", "action" };
	enum { REVIEWER, DATE, HUNK, FILE_, QUOTE, COMMENT, RESPONDER, RESPONSE_DATE, RESPONSE, RESOLUTION,
	       STATUS, ACTION };
	static const char *const actions[] = { "drop-hunk", "revise", "keep" };
	static const char *const resolutions[] = { "agreed", "answered", "unanswered" };
	static const char *const statuses[] = { "open" };
	struct spatch *p = arg;
	struct review_item *r;
	yaml_node_t *v[ARRAY_SIZE(keys)];
	const char *e;
	long hunk = 0;

	p->reviews = xrealloc(p->reviews, (p->nreviews + 1) * sizeof(*p->reviews));
	r = &p->reviews[p->nreviews++];
	memset(r, 0, sizeof(*r));
	if (yfile_fields(f, n, "review[]", keys, ARRAY_SIZE(keys), 1u << REVIEWER, v) ||
	    yfile_str(f, v[REVIEWER], "review[].reviewer", &r->reviewer) ||
	    opt_date(f, v[DATE], "review[].date", &r->when) ||
	    (v[HUNK] && yfile_int(f, v[HUNK], "review[].hunk", 1, 100000, &hunk)) ||
	    opt_str(f, v[FILE_], "review[].file", &r->file) || opt_str(f, v[QUOTE], "review[].quote", &r->quote) ||
	    opt_str(f, v[COMMENT], "review[].comment", &r->comment) ||
	    opt_str(f, v[RESPONDER], "review[].responder", &r->responder) ||
	    opt_date(f, v[RESPONSE_DATE], "review[].response-date", &r->response_when) ||
	    opt_str(f, v[RESPONSE], "review[].response", &r->response) ||
	    (v[STATUS] && yfile_enum(f, v[STATUS], "review[].status", statuses, ARRAY_SIZE(statuses), &e)))
		return -1;
	r->hunk = (int)hunk;
	if (v[RESOLUTION] && yfile_scalar(v[RESOLUTION])) {
		if (yfile_enum(f, v[RESOLUTION], "review[].resolution", resolutions, ARRAY_SIZE(resolutions), &e))
			return -1;
		r->resolution = xstrdup(e);
	}
	/* what the port does: a typo must not silently mean "keep" */
	if (v[ACTION] && yfile_scalar(v[ACTION])) {
		if (yfile_enum(f, v[ACTION], "review[].action", actions, ARRAY_SIZE(actions), &e))
			return -1;
		r->action = xstrdup(e);
	}
	return 0;
}

static int load_prereq(struct yfile *f, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "commit", "subject", "cited" };
	static const char *const cited[] = { "commit", "Fixes" };
	struct spatch *p = arg;
	struct prereq *q;
	yaml_node_t *v[ARRAY_SIZE(keys)];
	const char *c;

	p->prereqs = xrealloc(p->prereqs, (p->nprereqs + 1) * sizeof(*p->prereqs));
	q = &p->prereqs[p->nprereqs++];
	memset(q, 0, sizeof(*q));
	if (yfile_fields(f, n, "prereqs[]", keys, ARRAY_SIZE(keys), 1u | 4u, v) ||
	    yfile_str(f, v[0], "prereqs[].commit", &q->commit) || opt_str(f, v[1], "prereqs[].subject", &q->subject) ||
	    yfile_enum(f, v[2], "prereqs[].cited", cited, ARRAY_SIZE(cited), &c))
		return -1;
	if (strspn(q->commit, "0123456789abcdef") != strlen(q->commit) || strlen(q->commit) < 7 ||
	    strlen(q->commit) > 40)
		return yfile_bad(f, v[0], "invalid commit id '%s' for 'prereqs[].commit'", q->commit);
	q->cited = xstrdup(c);
	return 0;
}

static int load_trailer(struct yfile *f, yaml_node_t *n, struct spatch *p, bool collected)
{
	const char *s = yfile_scalar(n), *colon = s ? strchr(s, ':') : NULL;
	struct trailer *t;

	if (!colon || colon == s)
		return yfile_bad(f, n, "expected a 'Key: value' trailer in '%s'", collected ? "collected" : "trailers");
	p->trailers = xrealloc(p->trailers, (p->ntrailers + 1) * sizeof(*p->trailers));
	t = &p->trailers[p->ntrailers++];
	t->key = xstrndup(s, colon - s);
	t->value = xstrdup(colon + 1 + (colon[1] == ' '));
	t->collected = collected;
	return 0;
}

static int load_own_trailer(struct yfile *f, yaml_node_t *n, void *arg)
{
	return load_trailer(f, n, arg, false);
}

static int load_collected_trailer(struct yfile *f, yaml_node_t *n, void *arg)
{
	return load_trailer(f, n, arg, true);
}

static int load_patch(struct yfile *f, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "number", "file", "subject", "author", "date", "message-id", "text",
					    "text-note", "source", "files", "trailers", "collected", "prereqs",
					    "review" };
	enum { NUMBER, FILE_, SUBJECT, AUTHOR, DATE, MESSAGE_ID, TEXT, TEXT_NOTE, SOURCE, FILES, TRAILERS,
	       COLLECTED, PREREQS, REVIEW };
	static const char *const states[] = { "clean", "recovered-from-quote", "whitespace-damaged" };
	struct series *s = arg;
	struct spatch *p;
	yaml_node_t *v[ARRAY_SIZE(keys)];
	const char *state = "clean";
	char *author = NULL;
	long number;
	int ret;

	s->patches = xrealloc(s->patches, (s->total + 1) * sizeof(*s->patches));
	p = &s->patches[s->total++];
	memset(p, 0, sizeof(*p));
	ret = yfile_fields(f, n, "patches[]", keys, ARRAY_SIZE(keys), 1u << NUMBER | 1u << FILE_ | 1u << SUBJECT, v) ||
	      yfile_int(f, v[NUMBER], "patches[].number", 1, SERIES_MAX_PATCHES, &number) ||
	      yfile_str(f, v[FILE_], "patches[].file", &p->filename) ||
	      yfile_str(f, v[SUBJECT], "patches[].subject", &p->title) ||
	      opt_str(f, v[AUTHOR], "patches[].author", &author) ||
	      opt_date(f, v[DATE], "patches[].date", &p->when) ||
	      opt_str(f, v[MESSAGE_ID], "patches[].message-id", &p->message_id) ||
	      (v[TEXT] && yfile_enum(f, v[TEXT], "patches[].text", states, ARRAY_SIZE(states), &state)) ||
	      opt_str(f, v[TEXT_NOTE], "patches[].text-note", &p->state_note) ||
	      opt_str(f, v[SOURCE], "patches[].source", &p->source) ||
	      (v[FILES] && yfile_strlist(f, v[FILES], "patches[].files", &p->files)) ||
	      (v[TRAILERS] && yfile_each(f, v[TRAILERS], "trailers", SERIES_MAX_LIST, load_own_trailer, p)) ||
	      (v[COLLECTED] && yfile_each(f, v[COLLECTED], "collected", SERIES_MAX_LIST, load_collected_trailer, p)) ||
	      (v[PREREQS] && yfile_each(f, v[PREREQS], "prereqs", SERIES_MAX_LIST, load_prereq, p)) ||
	      (v[REVIEW] && yfile_each(f, v[REVIEW], "review", SERIES_MAX_LIST, load_review, p)) ? -1 : 0;
	if (!ret) {
		p->n = (int)number;
		p->state = !strcmp(state, "recovered-from-quote") ? TEXT_FROM_QUOTE :
			   !strcmp(state, "whitespace-damaged") ? TEXT_DAMAGED : TEXT_CLEAN;
	}
	if (author)
		split_address(author, &p->author_name, &p->author_email);
	free(author);
	return ret;
}

static int load_source(struct yfile *f, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "file", "format" };
	static const char *const formats[] = { "mbox", "archive-page", "thread-view" };
	struct series *s = arg;
	yaml_node_t *v[ARRAY_SIZE(keys)];
	const char *fmt;
	char *file = NULL;

	if (yfile_fields(f, n, "sources[]", keys, ARRAY_SIZE(keys), 3u, v) ||
	    yfile_str(f, v[0], "sources[].file", &file) ||
	    yfile_enum(f, v[1], "sources[].format", formats, ARRAY_SIZE(formats), &fmt)) {
		free(file);
		return -1;
	}
	s->sources = xrealloc(s->sources, (s->nsources + 1) * sizeof(*s->sources));
	s->sources[s->nsources].file = xstrdup(path_basename(file));
	s->sources[s->nsources++].format = fmt;
	free(file);
	return 0;
}

static int load_cover(struct yfile *f, yaml_node_t *n, struct series *s)
{
	static const char *const keys[] = { "subject", "author", "date", "message-id" };
	yaml_node_t *v[ARRAY_SIZE(keys)];

	return yfile_fields(f, n, "cover", keys, ARRAY_SIZE(keys), 0, v) ||
	       opt_str(f, v[0], "cover.subject", &s->cover_subject) ||
	       opt_str(f, v[1], "cover.author", &s->cover_author) ||
	       opt_date(f, v[2], "cover.date", &s->cover_when) ||
	       opt_str(f, v[3], "cover.message-id", &s->cover_message_id) ? -1 : 0;
}

static int load_root(struct yfile *f, struct series *s)
{
	static const char *const keys[] = { "name", "version", "prefix", "cover", "sources", "patches" };
	enum { NAME, VERSION, PREFIX, COVER, SOURCES, PATCHES };
	yaml_node_t *v[ARRAY_SIZE(keys)];
	long version = 1;

	s->cover_when = -1;
	if (yfile_fields(f, yfile_root(f), "", keys, ARRAY_SIZE(keys), 1u << NAME | 1u << PATCHES, v) ||
	    yfile_str(f, v[NAME], "name", &s->name) ||
	    (v[VERSION] && yfile_int(f, v[VERSION], "version", 1, SERIES_MAX_VERSION, &version)) ||
	    opt_str(f, v[PREFIX], "prefix", &s->prefix) || (v[COVER] && load_cover(f, v[COVER], s)) ||
	    (v[SOURCES] && yfile_each(f, v[SOURCES], "sources", SERIES_MAX_LIST, load_source, s)) ||
	    yfile_each(f, v[PATCHES], "patches", SERIES_MAX_PATCHES, load_patch, s))
		return -1;
	s->version = (int)version;
	return 0;
}

/* What port turns into file names and indexes: numbered 1..N in order, files under upstream/. */
static int check_loaded(const char *path, const struct series *s)
{
	for (int i = 0; i < s->total; i++) {
		const struct spatch *p = &s->patches[i];
		const char *why = treepath_check(p->filename);

		if (p->n != i + 1)
			return error_code(KB_EXIT_BADINPUT, "'%s': patch %d has number %d (want 1 to %d in order)",
					  path, i + 1, p->n, s->total);
		if (!why && (!starts_with(p->filename, "upstream/") || !ends_with(p->filename, ".patch")))
			why = "it is not upstream/<name>.patch";
		if (why)
			return error_code(KB_EXIT_BADINPUT, "'%s': patch %d's file '%s' is refused: %s", path, i + 1,
					  p->filename, why);
	}
	return 0;
}

int series_load(const char *dir, struct series *s)
{
	char *path = xasprintf("%s/series.yaml", dir);
	struct yfile f;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = yfile_load(&f, path, "series description");
	if (!ret)
		ret = load_root(&f, s) || check_loaded(path, s) ? -1 : 0;
	yfile_free(&f);
	free(path);
	if (ret)
		series_free(s);
	return ret;
}

/* ---- JSON and the human summary ---- */

static json_t *jdate(long long when)
{
	char *d = iso_date(when);
	json_t *j = json_text(d);

	free(d);
	return j;
}

static json_t *review_json(const struct review_item *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "reviewer", json_text(r->reviewer));
	json_object_set_new(o, "date", jdate(r->when));
	json_object_set_new(o, "hunk", r->hunk ? json_integer(r->hunk) : json_null());
	json_object_set_new(o, "file", json_text(r->file));
	json_object_set_new(o, "quote", json_text(r->quote));
	json_object_set_new(o, "comment", json_text(r->comment));
	json_object_set_new(o, "responder", json_text(r->responder));
	json_object_set_new(o, "response", json_text(r->response));
	json_object_set_new(o, "resolution", json_text(r->resolution));
	json_object_set_new(o, "status", json_string("open"));
	json_object_set_new(o, "action", json_text(r->action));
	return o;
}

static json_t *patch_json(const struct spatch *p)
{
	json_t *o = json_object(), *a;
	char *author = person(p->author_name, p->author_email);

	json_object_set_new(o, "number", json_integer(p->n));
	json_object_set_new(o, "file", json_text(p->filename));
	json_object_set_new(o, "subject", json_text(p->title));
	json_object_set_new(o, "author", json_text(author));
	json_object_set_new(o, "date", jdate(p->when));
	json_object_set_new(o, "message_id", json_text(p->message_id));
	json_object_set_new(o, "text", json_string(text_state_name(p->state)));
	json_object_set_new(o, "text_note", json_text(p->state_note));
	json_object_set_new(o, "source", json_text(p->source));
	a = json_array();
	for (size_t i = 0; i < p->files.n; i++)
		json_array_append_new(a, json_text(p->files.v[i]));
	json_object_set_new(o, "files", a);
	a = json_array();
	for (size_t i = 0; i < p->ntrailers; i++) {
		json_t *t = json_object();

		json_object_set_new(t, "key", json_text(p->trailers[i].key));
		json_object_set_new(t, "value", json_text(p->trailers[i].value));
		json_object_set_new(t, "collected", json_boolean(p->trailers[i].collected));
		json_array_append_new(a, t);
	}
	json_object_set_new(o, "trailers", a);
	a = json_array();
	for (size_t i = 0; i < p->nprereqs; i++) {
		json_t *q = json_object();

		json_object_set_new(q, "commit", json_text(p->prereqs[i].commit));
		json_object_set_new(q, "subject", json_text(p->prereqs[i].subject));
		json_object_set_new(q, "cited", json_text(p->prereqs[i].cited));
		json_array_append_new(a, q);
	}
	json_object_set_new(o, "prereqs", a);
	a = json_array();
	for (size_t i = 0; i < p->nreviews; i++)
		json_array_append_new(a, review_json(&p->reviews[i]));
	json_object_set_new(o, "review", a);
	free(author);
	return o;
}

char *series_json(const struct series *s)
{
	json_t *o = json_object(), *a;
	char *out;

	json_object_set_new(o, "name", json_text(s->name));
	json_object_set_new(o, "version", json_integer(s->version));
	json_object_set_new(o, "cover_subject", json_text(s->cover_subject));
	json_object_set_new(o, "cover_message_id", json_text(s->cover_message_id));
	a = json_array();
	for (size_t i = 0; i < s->nsources; i++) {
		json_t *src = json_object();

		json_object_set_new(src, "file", json_text(s->sources[i].file));
		json_object_set_new(src, "format", json_text(s->sources[i].format));
		json_array_append_new(a, src);
	}
	json_object_set_new(o, "sources", a);
	a = json_array();
	for (int i = 0; i < s->total; i++)
		json_array_append_new(a, patch_json(&s->patches[i]));
	json_object_set_new(o, "patches", a);
	a = json_array();
	for (size_t i = 0; i < s->notes.n; i++)
		json_array_append_new(a, json_text(s->notes.v[i]));
	json_object_set_new(o, "notes", a);
	out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return out;
}

void series_print(const struct series *s, FILE *f)
{
	fprintf(f, "%s: v%d, %d patch%s", s->name, s->version, s->total, s->total == 1 ? "" : "es");
	if (s->cover_subject)
		fprintf(f, " - \"%s\"", s->cover_subject);
	fputc('\n', f);
	for (int i = 0; i < s->total; i++) {
		const struct spatch *p = &s->patches[i];

		fprintf(f, "  [%d/%d] %-20s %s\n", p->n, s->total, text_state_name(p->state), p->title);
		for (size_t k = 0; k < p->ntrailers; k++)
			if (p->trailers[k].collected)
				fprintf(f, "        + %s: %s (from a reply)\n", p->trailers[k].key,
					p->trailers[k].value);
		for (size_t k = 0; k < p->nprereqs; k++)
			fprintf(f, "        prereq %s (\"%s\") [%s]\n", p->prereqs[k].commit,
				p->prereqs[k].subject ? p->prereqs[k].subject : "", p->prereqs[k].cited);
		for (size_t k = 0; k < p->nreviews; k++) {
			const struct review_item *r = &p->reviews[k];

			fprintf(f, "        review: %s", r->reviewer);
			if (r->hunk)
				fprintf(f, " on hunk %d (%s)", r->hunk, r->file);
			fprintf(f, "; %s%s%s; action: %s\n", r->resolution,
				r->responder ? " by " : "", r->responder ? r->responder : "", r->action);
		}
	}
	for (size_t i = 0; i < s->notes.n; i++)
		fprintf(f, "note: %s\n", s->notes.v[i]);
}

void series_patch_files(const char *dir, struct strvec *out)
{
	dir_files(dir, ".patch", out);
}

void series_layer_files(const char *series_dir, const char *layer, const char *kernel, struct strvec *out)
{
	char *gdir = xasprintf("%s/%s", series_dir, layer);
	char *kdir = xasprintf("%s/%s/%s", series_dir, layer, kernel);
	struct strvec own = STRVEC_INIT;

	series_patch_files(gdir, out);
	series_patch_files(kdir, &own);
	for (size_t i = 0; i < own.n; i++) {
		size_t j;

		for (j = 0; j < out->n; j++)
			if (!strcmp(path_basename(out->v[j]), path_basename(own.v[i])))
				break;
		if (j < out->n) {
			free(out->v[j]);
			out->v[j] = own.v[i];
		} else {
			sv_push_owned(out, own.v[i]);
		}
		own.v[i] = NULL;
	}
	sv_release(&own);
	sv_sort_by_file_name(out);
	free(gdir);
	free(kdir);
}
