// SPDX-License-Identifier: GPL-2.0
/*
 * Debian packages: installed versions (dpkg-query) and fetching a version
 * from the archive with apt under a private configuration (see debian.h).
 */
#define _GNU_SOURCE
#include "lib/debian.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/run.h"

/* Lists older than this are fetched again before a version is looked up. */
#define LISTS_MAX_AGE (6 * 3600)
/* apt and dpkg-deb on a slow mirror: a kernel source package is ~150 MB. */
#define APT_TIMEOUT 1800.0

static const struct run_tool apt_tools[] = {
	{ "apt-get", "apt" },
	{ "apt-cache", "apt" },
	{ "dpkg-deb", "dpkg" },
};

bool deb_valid_package(const char *s)
{
	if (strlen(s) < 2 || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789+.-") == strlen(s);
}

bool deb_valid_version(const char *s)
{
	const char *colon = strchr(s, ':');
	const char *up = colon ? colon + 1 : s;

	if (colon && (colon == s || strspn(s, "0123456789") != (size_t)(colon - s)))
		return false;
	if (*up < '0' || *up > '9' || strlen(s) > 128)
		return false;
	return strspn(up, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-") ==
	       strlen(up);
}

bool deb_valid_suite(const char *s)
{
	return *s >= 'a' && *s <= 'z' && strlen(s) <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

char *deb_installed_version(const char *package)
{
	const char *argv[] = { "dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", package, NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out, .timeout = 60 };
	struct run_result r;
	char *version = NULL;

	if (!run(&o, &r) && !r.status && starts_with(sb_str(&out), "installed ")) {
		version = xstrdup(out.buf + strlen("installed "));
		rtrim(version);
		if (!*version) {
			free(version);
			version = NULL;
		}
	}
	sb_release(&out);
	return version;
}

/* This system's codename, from /etc/os-release; NULL if it names none. */
static char *host_codename(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	char *name = NULL;

	if (!path_exists("/etc/os-release") || read_file("/etc/os-release", &sb))
		return NULL;
	p = strstr(sb.buf, "VERSION_CODENAME=");
	if (p && (p == sb.buf || p[-1] == '\n')) {
		p += strlen("VERSION_CODENAME=");
		name = xstrndup(p, strcspn(p, "\n\""));
		if (!deb_valid_suite(name)) {
			free(name);
			name = NULL;
		}
	}
	sb_release(&sb);
	return name;
}

static int suites_of(const char *suite, struct strvec *out)
{
	char *codename;

	if (suite) {
		sv_push(out, suite);
		return 0;
	}
	codename = host_codename();
	if (!codename)
		return error_code(KB_EXIT_BADINPUT,
				  "no Debian suite given and '/etc/os-release' names no codename: set source.suite");
	sv_push(out, codename);
	sv_push_owned(out, xasprintf("%s-security", codename));
	free(codename);
	return 0;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* A private apt: sources list, lists and archives under <cache>/apt/<suites>. */
struct apt {
	struct strvec suites;
	char *root;
	struct strvec opts;	/* -o settings that make apt use only root */
};

static int apt_setup(struct apt *a, const char *suite)
{
	struct strbuf name = STRBUF_INIT, list = STRBUF_INIT;
	const char *keyring = env_or("KBACKPORT_DEBIAN_KEYRING", "/usr/share/keyrings/debian-archive-keyring.gpg");
	char *path;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	if (run_require(apt_tools, ARRAY_SIZE(apt_tools), KB_EXIT_FAIL) || suites_of(suite, &a->suites))
		goto out;
	for (size_t i = 0; i < a->suites.n; i++) {
		const char *s = a->suites.v[i];
		bool security = ends_with(s, "-security");
		const char *mirror = security ? env_or("KBACKPORT_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security")
					      : env_or("KBACKPORT_DEBIAN_MIRROR", "http://deb.debian.org/debian");

		sb_addf(&name, "%s%s", i ? "+" : "", s);
		sb_addf(&list, "deb [signed-by=%s] %s %s main\n", keyring, mirror, s);
	}
	a->root = xasprintf("%s/apt/%s", cache_dir(), name.buf);
	path = xasprintf("%s/state/lists/partial", a->root);
	ret = mkdir_p(path);
	free(path);
	path = xasprintf("%s/cache/archives/partial", a->root);
	ret = ret ? ret : mkdir_p(path);
	free(path);
	path = xasprintf("%s/sources.list", a->root);
	ret = ret ? ret : write_file_atomic(path, list.buf, list.len);
	sv_push_owned(&a->opts, xasprintf("Dir::Etc::SourceList=%s", path));
	free(path);
	path = xasprintf("%s/state/status", a->root);
	if (!ret && !path_exists(path))
		ret = write_file_atomic(path, "", 0);
	sv_push_owned(&a->opts, xasprintf("Dir::State::status=%s", path));
	free(path);
	sv_push(&a->opts, "Dir::Etc::SourceParts=/nonexistent");
	sv_push(&a->opts, "Dir::Etc::Preferences=/nonexistent");
	sv_push(&a->opts, "Dir::Etc::PreferencesParts=/nonexistent");
	sv_push_owned(&a->opts, xasprintf("Dir::State=%s/state", a->root));
	sv_push_owned(&a->opts, xasprintf("Dir::Cache=%s/cache", a->root));
	sv_push(&a->opts, "Acquire::Languages=none");
	/* root's own directory: apt's _apt sandbox user could not write there */
	if (!geteuid())
		sv_push(&a->opts, "APT::Sandbox::User=root");
out:
	sb_release(&name);
	sb_release(&list);
	return ret;
}

static void apt_release(struct apt *a)
{
	sv_release(&a->suites);
	sv_release(&a->opts);
	free(a->root);
}

/* A suite the archive has no Release file for: the kernel's YAML names a suite Debian does not have. */
static int missing_suite(const struct apt *a, const char *apt_output)
{
	for (size_t i = 0; i < a->suites.n; i++) {
		char *needle = xasprintf(" %s Release' does not have a Release file", a->suites.v[i]);
		bool missing = strstr(apt_output, needle);

		free(needle);
		if (missing)
			return error_code(KB_EXIT_BADINPUT,
					  "suite '%s' is not in Debian's archive: its mirror has no Release file for it",
					  a->suites.v[i]);
	}
	return 0;
}

/* Runs an apt program with a's settings and args; its output in out (may be NULL). */
static int apt_run(const struct apt *a, const char *prog, const char *const *args, const char *dir,
		   struct strbuf *out)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf log = STRBUF_INIT;
	/* apt's own words, not a translation: a missing suite is told apart by them */
	static const char *const c_locale[] = { "LC_ALL=C", NULL };
	struct run_opts o = { .dir = dir, .env = c_locale, .out = out ? out : &log, .timeout = APT_TIMEOUT };
	struct run_result r;
	const char *verb = NULL;
	int ret;

	sv_push(&argv, prog);
	for (size_t i = 0; i < a->opts.n; i++) {
		sv_push(&argv, "-o");
		sv_push(&argv, a->opts.v[i]);
	}
	for (; *args; args++) {
		if (!verb && **args != '-')
			verb = *args;
		sv_push(&argv, *args);
	}
	sv_push_owned(&argv, NULL);
	o.argv = (const char *const *)argv.v;
	ret = run(&o, &r);
	if (!ret && (r.status || r.timed_out)) {
		const struct strbuf *text = out ? out : &log;
		const char *e = strstr(sb_str(text), "E: ");
		char *line = e ? xstrndup(e + 3, strcspn(e + 3, "\n")) : NULL;

		ret = missing_suite(a, sb_str(text));
		if (!ret)
			ret = error("'%s %s' failed%s%s", prog, verb ? verb : "", line ? ": " : "", line ? line : "");
		free(line);
	}
	sb_release(&log);
	sv_release(&argv);
	return ret;
}

/* Fetches the suites' lists when they are missing or older than LISTS_MAX_AGE (force: always). */
static int apt_update(const struct apt *a, bool force)
{
	static const char *const args[] = { "-q", "update", NULL };
	char *stamp = xasprintf("%s/updated", a->root);
	struct stat st;
	int ret = 0;

	if (force || stat(stamp, &st) || time(NULL) - st.st_mtime > LISTS_MAX_AGE) {
		ret = apt_run(a, "apt-get", args, NULL, NULL);
		if (!ret)
			ret = write_file_atomic(stamp, "", 0);
	}
	free(stamp);
	return ret;
}

/* "pkg | version | url suite/main amd64 Packages" lines: the versions, in order. */
static void parse_madison(const char *text, struct strvec *out)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *bar = strchr(l, '|');
		const char *eol = l + strcspn(l, "\n");
		char *v;

		if (!bar || bar > eol)
			continue;
		v = trim_dup(bar + 1, strcspn(bar + 1, "|\n"));
		if (deb_valid_version(v) && !sv_contains(out, v))
			sv_push(out, v);
		free(v);
	}
}

static int apt_versions(const struct apt *a, const char *package, struct strvec *out)
{
	const char *const args[] = { "madison", package, NULL };
	struct strbuf text = STRBUF_INIT;
	int ret = apt_run(a, "apt-cache", args, NULL, &text);

	if (!ret)
		parse_madison(sb_str(&text), out);
	sb_release(&text);
	return ret;
}

/* ':' of an epoch is kept: the directory name is ours, never split on it. */
char *deb_unpacked(const char *package, const char *version)
{
	char *dir = xasprintf("%s/debian/%s_%s", cache_dir(), package, version);

	if (is_dir(dir))
		return dir;
	free(dir);
	return NULL;
}

/* The one .deb apt-get download left in dir. */
static char *downloaded(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && (e = readdir(d)))
		if (ends_with(e->d_name, ".deb") && !found)
			found = xasprintf("%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	return found;
}

static int unpack(const char *deb, const char *dest)
{
	char *tmp = xasprintf("%s.tmp", dest);
	const char *argv[] = { "dpkg-deb", "-x", deb, tmp, NULL };
	struct run_opts o = { .argv = argv, .timeout = APT_TIMEOUT };
	struct run_result r;
	int ret = remove_tree(tmp) || mkdir_p(tmp) || run_ok(&o, &r) ? -1 : 0;

	if (!ret && rename(tmp, dest) < 0)
		ret = error("cannot rename '%s' to '%s': %s", tmp, dest, strerror(errno));
	if (ret)
		remove_tree(tmp);
	free(tmp);
	return ret;
}

/* version NULL: the suites offer no version of the package at all. */
static int gone_error(const char *package, const char *version, const struct apt *a,
		      const struct strvec *offered)
{
	struct strbuf sb = STRBUF_INIT, suites = STRBUF_INIT;

	for (size_t i = 0; i < offered->n && i < 6; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", offered->v[i]);
	for (size_t i = 0; i < a->suites.n; i++)
		sb_addf(&suites, "%s%s", i ? ", " : "", a->suites.v[i]);
	if (version)
		error_code(KB_EXIT_NOINPUT, "%s %s is not in Debian's archive (%s) any more: it offers %s",
			   package, version, suites.buf, offered->n ? sb.buf : "no version of it");
	else
		error_code(KB_EXIT_NOINPUT, "package '%s' is not in Debian's archive (%s): no version of it there",
			   package, suites.buf);
	sb_release(&sb);
	sb_release(&suites);
	return -1;
}

/* What the suites offer of package; their lists fetched again when they lack version (NULL: any). */
static int offered_versions(const struct apt *a, const char *package, const char *version, struct strvec *out)
{
	int ret = apt_update(a, false) || apt_versions(a, package, out) ? -1 : 0;

	/* Lists a few hours old may predate the version asked for. */
	if (!ret && (version ? !sv_contains(out, version) : !out->n)) {
		sv_release(out);
		ret = apt_update(a, true) || apt_versions(a, package, out) ? -1 : 0;
	}
	if (!ret && (version ? !sv_contains(out, version) : !out->n))
		ret = gone_error(package, version, a, out);
	return ret;
}

/* The version to fetch: the pin if the suites offer it, else the newest they offer. */
static int pick_version(const struct apt *a, const char *package, const char *version, char **out)
{
	struct strvec offered = STRVEC_INIT;
	int ret = offered_versions(a, package, version, &offered);

	if (!ret)
		*out = xstrdup(version ? version : offered.v[0]);
	sv_release(&offered);
	return ret;
}

int deb_archive_versions(const char *package, const char *suite, struct strvec *out)
{
	struct apt a;
	int ret = apt_setup(&a, suite);

	if (!ret)
		ret = offered_versions(&a, package, NULL, out);
	apt_release(&a);
	return ret;
}

int deb_fetch(const char *package, const char *version, const char *suite, char **dir, char **got)
{
	struct apt a;
	char *want = NULL, *spec = NULL, *dl = NULL, *deb = NULL;
	int ret;

	*dir = *got = NULL;
	if (version && (*dir = deb_unpacked(package, version))) {
		*got = xstrdup(version);
		return 0;
	}
	ret = apt_setup(&a, suite);
	if (!ret)
		ret = pick_version(&a, package, version, &want);
	if (!ret && (*dir = deb_unpacked(package, want)))
		goto done;
	if (!ret) {
		const char *args[] = { "-q", "download", NULL, NULL };

		spec = xasprintf("%s=%s", package, want);
		args[2] = spec;
		dl = xasprintf("%s/download", a.root);
		ret = remove_tree(dl) || mkdir_p(dl) || apt_run(&a, "apt-get", args, dl, NULL) ? -1 : 0;
	}
	if (!ret && !(deb = downloaded(dl)))
		ret = error("apt-get download %s left no package in '%s'", spec, dl);
	if (!ret) {
		*dir = xasprintf("%s/debian/%s_%s", cache_dir(), package, want);
		ret = unpack(deb, *dir);
	}
	if (dl)
		remove_tree(dl);
done:
	if (!ret)
		*got = xstrdup(want);
	else {
		free(*dir);
		*dir = NULL;
	}
	free(want);
	free(spec);
	free(dl);
	free(deb);
	apt_release(&a);
	return ret;
}
