// SPDX-License-Identifier: GPL-2.0
/*
 * The guest initramfs. gen_init_cpio takes a list of entries and needs no
 * root for device nodes or ownership; the programs come from the host's
 * Debian packages, with the shared libraries ldd says they load.
 */
#define _GNU_SOURCE
#include "boot/guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/store.h"
#include "lib/run.h"

static const struct run_tool guest_tools[] = {
	{ "busybox", "busybox-static" },
	{ "fio", "fio" },
	{ "mkfs.ext4", "e2fsprogs" },
	{ "dmsetup", "dmsetup" },
	{ "ldd", "libc-bin" },
};

/* Where each program goes in the guest. */
static const struct {
	const char *program;
	const char *dest;
} guest_programs[] = {
	{ "busybox", "/bin/busybox" },
	{ "fio", "/usr/bin/fio" },
	{ "mkfs.ext4", "/sbin/mkfs.ext4" },
	{ "dmsetup", "/sbin/dmsetup" },		/* dm-delay targets */
};

const char *guest_dir(void)
{
	const char *d = getenv("KBACKPORT_GUEST_DIR");

	return d && *d ? d : "tool/guest";
}

/* mkfs.ext4 lives in sbin, which a user's PATH may lack. */
static char *find_program(const char *program)
{
	static const char *const sbins[] = { "/usr/sbin", "/sbin" };
	char *p = run_which(program);

	for (size_t i = 0; !p && i < ARRAY_SIZE(sbins); i++) {
		char *q = xasprintf("%s/%s", sbins[i], program);

		if (!access(q, X_OK))
			p = q;
		else
			free(q);
	}
	return p;
}

int guest_require_tools(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(guest_tools); i++) {
		char *p = find_program(guest_tools[i].program);

		if (!p)
			return error_code(KB_EXIT_BOOT, "missing program '%s': install the Debian package '%s'",
					  guest_tools[i].program, guest_tools[i].package);
		free(p);
	}
	return 0;
}

/* ---- workloads ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the built-in workloads, sorted. */
static void builtin_workloads(struct strvec *out)
{
	char *dir = xasprintf("%s/workloads", guest_dir());
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && ends_with(e->d_name, ".sh"))
			sv_push_owned(out, xstrndup(e->d_name, strlen(e->d_name) - 3));
	if (d)
		closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	free(dir);
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-' && *s != '_')
			return false;
	return true;
}

static int unknown_workload(const char *arg)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf list = STRBUF_INIT;

	builtin_workloads(&names);
	for (size_t i = 0; i < names.n; i++)
		sb_addf(&list, "%s%s", i ? ", " : "", names.v[i]);
	error_code(KB_EXIT_NOINPUT, "unknown workload '%s' (built-in: %s; or give a script file)", arg,
		   names.n ? list.buf : "none");
	sb_release(&list);
	sv_release(&names);
	return -1;
}

int guest_workload_find(const char *arg, struct guest_workload *w)
{
	const char *base = path_basename(arg);

	memset(w, 0, sizeof(*w));
	if (!path_exists(arg) && !strchr(arg, '/') && !strchr(arg, '.')) {
		char *p = xasprintf("%s/workloads/%s.sh", guest_dir(), arg);

		w->path = valid_name(arg) ? realpath(p, NULL) : NULL;
		free(p);
		if (!w->path)
			return unknown_workload(arg);
		w->name = xstrdup(arg);
		w->builtin = true;
		return 0;
	}
	if (!path_exists(arg))
		return error_code(KB_EXIT_NOINPUT, "workload file '%s' does not exist", arg);
	if (is_dir(arg) || access(arg, R_OK))
		return error_code(KB_EXIT_NOINPUT, "workload file '%s' is not a readable file", arg);
	w->name = ends_with(base, ".sh") ? xstrndup(base, strlen(base) - 3) : xstrdup(base);
	/* The name becomes a guest path, a kernel argument and a result file name. */
	if (!valid_name(w->name)) {
		error_code(KB_EXIT_BADINPUT, "workload file '%s': its name may hold only letters, digits, '-' and '_'",
			   arg);
		guest_workload_free(w);
		return -1;
	}
	w->path = realpath(arg, NULL);
	if (!w->path) {
		error_code(KB_EXIT_NOINPUT, "cannot resolve workload file '%s': %s", arg, strerror(errno));
		guest_workload_free(w);
		return -1;
	}
	if (strpbrk(w->path, " \t\n")) {
		error_code(KB_EXIT_BADINPUT, "workload file '%s': gen_init_cpio cannot take a path with whitespace",
			   w->path);
		guest_workload_free(w);
		return -1;
	}
	return 0;
}

void guest_workload_free(struct guest_workload *w)
{
	free(w->name);
	free(w->path);
	memset(w, 0, sizeof(*w));
}

/* ---- the image -------------------------------------------------------------- */

struct image {
	struct strvec dirs;	/* guest directories */
	struct strvec files;	/* "dest\tsrc\tmode" */
	struct strvec dests;	/* the files' guest paths, to take each once */
};

static void add_dir(struct image *im, const char *dest)
{
	char *p = xstrdup(dest);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (!sv_contains(&im->dirs, p))
			sv_push(&im->dirs, p);
		*s = '/';
	}
	if (!sv_contains(&im->dirs, p))
		sv_push(&im->dirs, p);
	free(p);
}

static void add_file(struct image *im, const char *dest, const char *src, int mode)
{
	char *parent;

	if (sv_contains(&im->dests, dest))
		return;
	parent = xstrndup(dest, strrchr(dest, '/') - dest);
	if (*parent)
		add_dir(im, parent);
	free(parent);
	sv_push(&im->dests, dest);
	sv_push_owned(&im->files, xasprintf("%s\t%s\t%04o", dest, src, mode));
}

/* The shared libraries ldd lists for binary (and the dynamic loader), at the same paths. */
static int add_libraries(struct image *im, const char *binary)
{
	const char *argv[] = { "ldd", binary, NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out };
	struct run_result r;
	int ret = -1;

	if (run(&o, &r))
		goto cleanup;
	/* A static binary: ldd says so and exits 1. */
	if (strstr(sb_str(&out), "not a dynamic executable")) {
		ret = 0;
		goto cleanup;
	}
	if (r.status) {
		error_code(KB_EXIT_BOOT, "ldd failed on '%s': %s", binary, sb_str(&out));
		goto cleanup;
	}
	for (const char *p = out.buf; *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = trim_dup(p, eol - p);
		char *arrow = strstr(line, "=> "), *path = arrow ? arrow + 3 : line;

		if (strstr(line, "not found")) {
			error_code(KB_EXIT_BOOT, "'%s' needs a library that is not installed: %s", binary, line);
			free(line);
			goto cleanup;
		}
		if (*path == '/') {
			*strchrnul(path, ' ') = '\0';
			add_file(im, path, path, 0755);
		}
		free(line);
		p = *eol ? eol + 1 : eol;
	}
	ret = 0;
cleanup:
	sb_release(&out);
	return ret;
}

/*
 * Where workloads plug in: what these directories hold goes into the image
 * whole. The guest programs are built by guest.mk (if there is one) into
 * <work>/guest/bin.
 */
static const struct {
	const char *dir;	/* under guest_dir(), or under the work directory if in_work */
	bool in_work;
	const char *dest;
	bool programs;		/* executables: their shared libraries come too */
} guest_trees[] = {
	{ "fio", false, "/kb/fio", false },	/* fio job files */
	{ "guest/bin", true, "/usr/bin", true },	/* the guest programs */
};

/* Every regular file of dir as dest/<name>; a missing dir adds nothing. */
/* gen_init_cpio's list is words and lines: a name or path with a blank or control character would add entries. */
static bool list_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int add_tree(struct image *im, const char *dir, const char *dest, bool programs)
{
	struct strvec names = STRVEC_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	while (d && (e = readdir(d))) {
		char *src = xasprintf("%s/%s", dir, e->d_name);

		if (e->d_name[0] != '.' && !is_dir(src))
			sv_push(&names, e->d_name);
		free(src);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < names.n && !ret; i++) {
		char *src = xasprintf("%s/%s", dir, names.v[i]), *abs = realpath(src, NULL);
		char *to = xasprintf("%s/%s", dest, names.v[i]);

		if (abs && (!list_safe(names.v[i]) || !list_safe(abs))) {
			/* the name itself is not printed: it may hold a newline */
			ret = error_code(KB_EXIT_BADINPUT, "cannot pack a file of '%s' into the image: its name or path "
					 "has a blank or control character", dir);
		} else if (abs) {
			add_file(im, to, abs, programs ? 0755 : 0644);
			if (programs)
				ret = add_libraries(im, abs);
		}
		free(abs);
		free(to);
		free(src);
	}
	sv_release(&names);
	return ret;
}

/* make -f <guest_dir>/guest.mk guest-progs, when the guest has programs to build. */
static int build_programs(void)
{
	char *mk = xasprintf("%s/guest.mk", guest_dir());
	const char *argv[] = { "make", "--no-print-directory", "-f", mk, "guest-progs", NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out };
	struct run_result r;
	int ret = 0;

	if (path_exists(mk) && (run(&o, &r) || r.status))
		ret = error_code(KB_EXIT_BOOT, "cannot build the guest programs ('make -f %s guest-progs'): %s", mk,
				 sb_str(&out));
	sb_release(&out);
	free(mk);
	return ret;
}

static int add_workloads(struct image *im, const struct guest_workload *w, const char *series_dir)
{
	char *expect = xasprintf("%s/expect", series_dir);
	struct strvec names = STRVEC_INIT;
	int ret = 0;

	builtin_workloads(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *dest = xasprintf("/kb/workloads/%s.sh", names.v[i]);
		char *src = xasprintf("%s/workloads/%s.sh", guest_dir(), names.v[i]);
		char *abs = realpath(src, NULL);

		/* A user's file of the same name replaces the built-in. */
		if (abs && (w->builtin || strcmp(names.v[i], w->name)))
			add_file(im, dest, abs, 0755);
		free(abs);
		free(src);
		free(dest);
	}
	sv_release(&names);
	if (!w->builtin) {
		char *dest = xasprintf("/kb/workloads/%s.sh", w->name);

		add_file(im, dest, w->path, 0755);
		free(dest);
	}
	for (size_t i = 0; i < ARRAY_SIZE(guest_trees) && !ret; i++) {
		char *dir = guest_trees[i].in_work ? store_path(guest_trees[i].dir) :
			    xasprintf("%s/%s", guest_dir(), guest_trees[i].dir);

		ret = add_tree(im, dir, guest_trees[i].dest, guest_trees[i].programs);
		free(dir);
	}
	/* tables workloads compare against */
	if (!ret)
		ret = add_tree(im, expect, "/kb/expect", false);
	free(expect);
	return ret;
}

static int collect(struct image *im, const struct guest_workload *w, const char *series_dir)
{
	static const char *const dirs[] = { "/dev", "/proc", "/sys", "/tmp", "/mnt", "/etc", "/root" };
	char *init = xasprintf("%s/init", guest_dir()), *init_abs = realpath(init, NULL);
	int ret = -1;

	if (!init_abs) {
		error_code(KB_EXIT_NOINPUT, "guest init '%s' is missing", init);
		goto cleanup;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		add_dir(im, dirs[i]);
	add_file(im, "/init", init_abs, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(guest_programs); i++) {
		char *p = find_program(guest_programs[i].program), *real = p ? realpath(p, NULL) : NULL;
		int rc = -1;

		if (real) {
			add_file(im, guest_programs[i].dest, real, 0755);
			rc = add_libraries(im, real);
		} else {
			error_code(KB_EXIT_BOOT, "cannot find '%s' for the guest", guest_programs[i].program);
		}
		free(real);
		free(p);
		if (rc)
			goto cleanup;
	}
	/* mke2fs's defaults come from here; without it they would differ from the host's. */
	if (path_exists("/etc/mke2fs.conf"))
		add_file(im, "/etc/mke2fs.conf", "/etc/mke2fs.conf", 0644);
	ret = add_workloads(im, w, series_dir);
cleanup:
	free(init);
	free(init_abs);
	return ret;
}

/* The gen_init_cpio list, and the key: every entry's guest path, mode and content hash. */
static int describe(struct image *im, struct strbuf *list, struct strbuf *key)
{
	if (im->dirs.n)
		qsort(im->dirs.v, im->dirs.n, sizeof(*im->dirs.v), cmp_str);
	if (im->files.n)
		qsort(im->files.v, im->files.n, sizeof(*im->files.v), cmp_str);
	for (size_t i = 0; i < im->dirs.n; i++) {
		sb_addf(list, "dir %s 0755 0 0\n", im->dirs.v[i]);
		sb_addf(key, "dir %s\n", im->dirs.v[i]);
	}
	/* init writes to the console before it mounts devtmpfs. */
	sb_adds(list, "nod /dev/console 0600 0 0 c 5 1\nnod /dev/null 0666 0 0 c 1 3\n");
	sb_adds(key, "nod console null\n");
	for (size_t i = 0; i < im->files.n; i++) {
		char *f = xstrdup(im->files.v[i]);
		char *src = strchr(f, '\t') + 1, *mode = strchr(src, '\t') + 1;
		results_hash h;

		src[-1] = mode[-1] = '\0';
		if (results_hash_file(src, h)) {
			free(f);
			return -1;
		}
		sb_addf(list, "file %s %s %s 0 0\n", f, src, mode);
		sb_addf(key, "file %s %s %s\n", f, mode, h);
		free(f);
	}
	return 0;
}

/* Images kept: each is ~90 MiB and any change to a guest file makes a new one. */
#define KEEP_IMAGES 4

struct image_file {
	char *path;
	time_t mtime;
};

static int newest_first(const void *a, const void *b)
{
	const struct image_file *x = a, *y = b;

	return (x->mtime < y->mtime) - (x->mtime > y->mtime);
}

/* Deletes all but the KEEP_IMAGES most recently used images (and their lists). */
static void prune_images(const char *dir)
{
	struct image_file *files = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		struct stat st;
		char *p;

		if (!starts_with(e->d_name, "initramfs-") || !ends_with(e->d_name, ".cpio"))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (stat(p, &st) < 0) {
			free(p);
			continue;
		}
		files = xrealloc(files, (n + 1) * sizeof(*files));
		files[n].path = p;
		files[n++].mtime = st.st_mtime;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(files, n, sizeof(*files), newest_first);
	for (size_t i = 0; i < n; i++) {
		if (i >= KEEP_IMAGES) {
			char *list = xasprintf("%.*s.list", (int)(strlen(files[i].path) - 5), files[i].path);

			unlink(files[i].path);
			unlink(list);
			free(list);
		}
		free(files[i].path);
	}
	free(files);
}

int guest_image(const char *gen_init_cpio, const struct guest_workload *w, const char *series_dir, char **path,
		bool *cached)
{
	struct image im = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	struct strbuf list = STRBUF_INIT, key = STRBUF_INIT;
	char *dir = store_path("images"), *list_path = NULL, *tmp = NULL;
	const char *argv[] = { gen_init_cpio, "-t", "0", NULL, NULL };
	struct run_opts o = { .argv = argv };
	struct run_result r;
	results_hash h;
	int ret = -1;

	*path = NULL;
	*cached = false;
	if (!path_exists(gen_init_cpio)) {
		error_code(KB_EXIT_BOOT, "no '%s': the kernel build makes it (CONFIG_BLK_DEV_INITRD=y)", gen_init_cpio);
		goto cleanup;
	}
	if (guest_require_tools() || build_programs() || collect(&im, w, series_dir) || describe(&im, &list, &key) ||
	    results_hash_buf(key.buf, key.len, h) || mkdir_p(dir))
		goto cleanup;
	*path = xasprintf("%s/initramfs-%.16s.cpio", dir, h);
	if (path_exists(*path)) {
		/* Marks it used, for prune_images(). */
		utimensat(AT_FDCWD, *path, NULL, 0);
		*cached = true;
		ret = 0;
		goto cleanup;
	}
	list_path = xasprintf("%s/initramfs-%.16s.list", dir, h);
	tmp = xasprintf("%s.tmp%ld", *path, (long)getpid());
	if (write_file_atomic(list_path, list.buf, list.len))
		goto cleanup;
	argv[3] = list_path;
	o.out_path = tmp;
	if (run_ok(&o, &r)) {
		kb_errcode = KB_EXIT_BOOT;
		goto cleanup;
	}
	if (rename(tmp, *path) < 0) {
		error("cannot rename '%s' to '%s': %s", tmp, *path, strerror(errno));
		goto cleanup;
	}
	prune_images(dir);
	ret = 0;
cleanup:
	if (tmp)
		unlink(tmp);
	if (ret) {
		free(*path);
		*path = NULL;
	}
	sv_release(&im.dirs);
	sv_release(&im.files);
	sv_release(&im.dests);
	sb_release(&list);
	sb_release(&key);
	free(dir);
	free(list_path);
	free(tmp);
	return ret;
}
