// SPDX-License-Identifier: GPL-2.0
/*
 * Everything libgit2: the imported kernel trees under <work>/trees/.
 */
#define _GNU_SOURCE
#include "git/repo.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "git/source.h"
#include "lib/lg2.h"
#include "lib/signals.h"
#include "lib/store.h"
#include "lib/treepath.h"

/*
 * The tree lock: an flock on <work>/trees/<name>.lock, beside the tree (a
 * file inside it would be part of the work tree). flock goes with the
 * process, so the lock of a killed kbackport is free at once; the file only
 * says who held it last. Held again by the same process, it nests.
 */
static struct {
	char *name;
	int fd;
	int depth;
} tree_lock = { NULL, -1, 0 };

int repo_lock(const char *name, const char *what)
{
	char *dir = store_path("trees");
	char *path = store_tree_lock(name);
	struct strbuf holder = STRBUF_INIT;
	char *me;
	int fd, ret = -1;

	if (tree_lock.depth) {
		if (strcmp(tree_lock.name, name)) {
			ret = error("cannot lock tree '%s' while holding '%s'", name, tree_lock.name);
			goto out;
		}
		tree_lock.depth++;
		ret = 0;
		goto out;
	}
	if (mkdir_p(dir))
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK && !read_file(path, &holder))
			rtrim(holder.buf);
		error_code(KB_EXIT_FAIL, "tree '%s' is in use by %s: wait for it to finish, or stop it",
			   name, holder.len ? holder.buf : "another kbackport");
		close(fd);
		goto out;
	}
	me = xasprintf("pid %d (kbackport %s)\n", (int)getpid(), what);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, me, strlen(me), 0) < 0)
		warning("cannot write '%s': %s", path, strerror(errno));
	free(me);
	tree_lock.name = xstrdup(name);
	tree_lock.fd = fd;
	tree_lock.depth = 1;
	ret = 0;
out:
	sb_release(&holder);
	free(path);
	free(dir);
	return ret;
}

void repo_unlock(const char *name)
{
	if (!tree_lock.depth || strcmp(tree_lock.name, name) || --tree_lock.depth)
		return;
	close(tree_lock.fd);
	free(tree_lock.name);
	tree_lock.name = NULL;
	tree_lock.fd = -1;
}

int repo_try_open_tree(const char *name, git_repository **out, git_oid *base)
{
	char *path = store_tree(name);
	git_repository *repo = NULL;
	int ret = 1;

	if (!is_dir(path))
		goto cleanup;
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    git_reference_name_to_id(base, repo, REPO_BASE_REF) < 0) {
		git_error_clear();
		goto cleanup;
	}
	ret = 0;
	if (out) {
		*out = repo;
		repo = NULL;
	}
cleanup:
	git_repository_free(repo);
	free(path);
	return ret;
}

int repo_open_tree(const char *name, git_repository **out)
{
	git_oid base;
	char *path;
	int ret = repo_try_open_tree(name, out, &base);

	if (ret <= 0)
		return ret;
	path = store_tree(name);
	error_code(KB_EXIT_NOINPUT, "kernel tree '%s' is not imported (no %s with %s); run 'kbackport kernels import %s'",
		   name, path, REPO_BASE_REF, name);
	free(path);
	return -1;
}

static const char *repo_where(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);

	return wd ? wd : git_repository_path(repo);
}

int repo_base_commit(git_repository *repo, git_oid *out)
{
	return check_lg2(git_reference_name_to_id(out, repo, REPO_BASE_REF),
			 "cannot resolve '%s' in '%s'", REPO_BASE_REF, repo_where(repo));
}

int repo_dirty_files(git_repository *repo, struct strvec *out)
{
	git_status_options opts;
	git_status_list *list = NULL;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (check_lg2(git_status_list_new(&list, repo, &opts), "cannot read the work tree status"))
		return -1;
	for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;

		if (d)
			sv_push(out, d->new_file.path ? d->new_file.path : d->old_file.path);
	}
	git_status_list_free(list);
	return 0;
}

/* The value of "name = value" at the start of a line of a Makefile, or NULL. */
static char *make_var(const char *text, size_t len, const char *name)
{
	const char *p = text, *end = text + len;
	size_t n = strlen(name);

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *q = p + n;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > n && !memcmp(p, name, n)) {
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '=')
				return trim_dup(q + 1, eol - q - 1);
		}
		p = eol + 1;
	}
	return NULL;
}

static char *makefile_version(const char *text, size_t len)
{
	char *v = make_var(text, len, "VERSION");
	char *p = make_var(text, len, "PATCHLEVEL");
	char *s = make_var(text, len, "SUBLEVEL");
	char *x = make_var(text, len, "EXTRAVERSION");
	char *ret = NULL;

	if (v && p && s && *v && *p && *s)
		ret = xasprintf("%s.%s.%s%s", v, p, s, x ? x : "");
	free(v);
	free(p);
	free(s);
	free(x);
	return ret;
}

int repo_kernel_version(git_repository *repo, const git_oid *commit, char **out)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int ret = -1;

	git_oid_tostr(hex, sizeof(hex), commit);
	if (check_lg2(git_commit_lookup(&c, repo, commit), "cannot read commit '%s'", hex) ||
	    check_lg2(git_commit_tree(&tree, c), "cannot read the tree of '%s'", hex) ||
	    check_lg2(git_tree_entry_bypath(&te, tree, "Makefile"), "cannot find 'Makefile' in '%s'", hex) ||
	    check_lg2(git_blob_lookup(&blob, repo, git_tree_entry_id(te)),
		      "cannot read 'Makefile' in '%s'", hex))
		goto cleanup;
	*out = makefile_version(git_blob_rawcontent(blob), git_blob_rawsize(blob));
	if (!*out) {
		error_code(KB_EXIT_BADINPUT, "no kernel version in 'Makefile' of '%s'", hex);
		goto cleanup;
	}
	ret = 0;
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

/* Ahead of the loose (1) and packed (2) backends, so every write lands here. */
#define MEMPACK_PRIORITY 999

int repo_write_in_memory(git_repository *repo)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	int ret = -1;

	if (check_lg2(git_repository_odb(&odb, repo), "cannot open the objects of '%s'", repo_where(repo)) ||
	    check_lg2(git_mempack_new(&mem), "cannot keep objects in memory for '%s'", repo_where(repo)))
		goto cleanup;
	if (check_lg2(git_odb_add_backend(odb, mem, MEMPACK_PRIORITY), "cannot keep objects in memory for '%s'",
		      repo_where(repo)))
		goto cleanup;
	mem = NULL;	/* the odb owns it now */
	ret = 0;
cleanup:
	if (mem)
		mem->free(mem);
	git_odb_free(odb);
	return ret;
}

bool repo_source_present(const struct kernel_desc *k)
{
	git_repository *src = NULL;
	git_object *obj = NULL;
	struct source_rev rev;
	bool ok;

	if (k->source == KSRC_DEBIAN_PACKAGE) {
		if (source_resolve(k, false, &rev))
			return false;
		ok = rev.tarball && access(rev.tarball, R_OK) == 0;
		source_rev_free(&rev);
		return ok;
	}
	ok = git_repository_open_ext(&src, k->git_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0 &&
	     git_revparse_single(&obj, src, k->git_ref) == 0;
	git_error_clear();
	git_object_free(obj);
	git_repository_free(src);
	return ok;
}

/* Progress of one import, passed through libgit2's callbacks. */
struct progress {
	import_progress_fn fn;
	size_t files;
};

static void step(struct progress *p, size_t files)
{
	p->files = files;
	if (p->fn)
		p->fn(files);
}

/* Points both base refs at commit and HEAD at the base branch. */
static int set_base(git_repository *repo, const git_oid *commit, const char *log)
{
	git_reference *ref = NULL, *branch = NULL;
	int ret = -1;

	if (check_lg2(git_reference_create(&ref, repo, REPO_BASE_REF, commit, 1, log),
		      "cannot create '%s' in '%s'", REPO_BASE_REF, repo_where(repo)) ||
	    check_lg2(git_reference_create(&branch, repo, REPO_BASE_BRANCH, commit, 1, log),
		      "cannot create '%s' in '%s'", REPO_BASE_BRANCH, repo_where(repo)) ||
	    check_lg2(git_repository_set_head(repo, REPO_BASE_BRANCH),
		      "cannot set HEAD to '%s' in '%s'", REPO_BASE_BRANCH, repo_where(repo)))
		goto cleanup;
	ret = 0;
cleanup:
	git_reference_free(branch);
	git_reference_free(ref);
	return ret;
}

static void checkout_progress(const char *path, size_t done, size_t total, void *payload)
{
	(void)path;
	(void)total;
	step(payload, done);
}

static int import_git(const struct kernel_desc *k, const char *dir, struct progress *p,
		      struct import_result *res)
{
	git_clone_options opts;
	git_checkout_options co;
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	char *log = xasprintf("kbackport: import %s@%s", k->git_path, k->git_ref);
	int ret = -1;

	if (check_lg2(git_clone_options_init(&opts, GIT_CLONE_OPTIONS_VERSION), "cannot set up a clone") ||
	    check_lg2(git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION), "cannot set up a checkout"))
		goto cleanup;
	/* The clone's default branch is not the base: check out only once, below. */
	opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	co.progress_cb = checkout_progress;
	co.progress_payload = p;
	if (source_git_commit(k, &res->commit) ||
	    check_lg2(git_clone(&repo, k->git_path, dir, &opts), "cannot clone '%s'", k->git_path) ||
	    check_lg2(git_commit_lookup(&commit, repo, &res->commit),
		      "cannot find '%s' in the clone of '%s'", k->git_ref, k->git_path) ||
	    set_base(repo, &res->commit, log) ||
	    check_lg2(git_checkout_head(repo, &co), "cannot check out '%s' in '%s'", k->git_ref, dir))
		goto cleanup;
	ret = 0;
cleanup:
	git_commit_free(commit);
	git_repository_free(repo);
	free(log);
	return ret;
}

/* One tarball being turned into a repository, object by object. */
struct tar_import {
	const char *tarball;
	const char *dir;		/* the repository's work tree */
	int dirfd;			/* files are written here; -1: objects only (an update) */
	git_repository *repo;
	git_odb *odb;
	struct strbuf data;		/* the content of the current file */
	git_index_entry *ents;		/* with the stat data of the written files */
	size_t nents, alloc;
	struct strvec links;		/* path, target, path, target, ... */
	struct progress *progress;
};

static int tar_error(struct tar_import *t, struct archive *a)
{
	const char *msg = archive_error_string(a);

	return error_code(KB_EXIT_BADINPUT, "cannot read '%s': %s", t->tarball,
			  msg ? msg : "unexpected end of data");
}

/*
 * Creates the missing parents of path under dirfd. Each must end up a real
 * directory: a symlink from the tarball must not lead a write out of the tree.
 */
static int make_parents(int dirfd, const char *path)
{
	char *p = xstrdup(path);
	struct stat st;
	int ret = 0;

	for (char *s = strchr(p, '/'); s && !ret; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, p, 0755) < 0 && errno != EEXIST)
			ret = -1;
		else if (fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

/* A file that already exists means a duplicate or conflicting tarball entry. */
static int create_error(struct tar_import *t, const char *path)
{
	int code = errno == EEXIST || errno == ENOTDIR ? KB_EXIT_BADINPUT : KB_EXIT_FAIL;

	return error_code(code, "cannot create '%s' from '%s': %s", path, t->tarball, strerror(errno));
}

static int write_work_file(struct tar_import *t, const char *path, mode_t mode, struct stat *st)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
	const char *p = t->data.buf;
	size_t left = t->data.len;
	int fd = openat(t->dirfd, path, flags, mode);

	if (fd < 0 && errno == ENOENT && !make_parents(t->dirfd, path))
		fd = openat(t->dirfd, path, flags, mode);
	if (fd < 0)
		return create_error(t, path);
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0) {
			close(fd);
			return error("cannot write '%s/%s': %s", t->dir, path, strerror(errno));
		}
		p += n;
		left -= n;
	}
	if (fstat(fd, st) < 0 || close(fd) < 0)
		return error("cannot write '%s/%s': %s", t->dir, path, strerror(errno));
	return 0;
}

static void add_entry(struct tar_import *t, const char *path, const git_oid *id, uint32_t mode,
		      const struct stat *st)
{
	git_index_entry *e;

	if (t->nents == t->alloc) {
		t->alloc = t->alloc * 2 + 1024;
		t->ents = xrealloc(t->ents, t->alloc * sizeof(*t->ents));
	}
	e = &t->ents[t->nents++];
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	git_oid_cpy(&e->id, id);
	e->path = xstrdup(path);
	step(t->progress, t->nents);
	if (!st)
		return;
	/* The stat data lets git status trust the file without hashing it. */
	e->ctime.seconds = st->st_ctim.tv_sec;
	e->ctime.nanoseconds = st->st_ctim.tv_nsec;
	e->mtime.seconds = st->st_mtim.tv_sec;
	e->mtime.nanoseconds = st->st_mtim.tv_nsec;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->file_size = st->st_size;
}

static int read_data(struct tar_import *t, struct archive *a, struct archive_entry *e)
{
	size_t size = archive_entry_size(e);

	sb_reset(&t->data);
	sb_grow(&t->data, size);
	while (t->data.len < size) {
		la_ssize_t n = archive_read_data(a, t->data.buf + t->data.len, size - t->data.len);

		if (n <= 0)
			return tar_error(t, a);
		t->data.len += n;
	}
	return 0;
}

static int import_file(struct tar_import *t, struct archive *a, struct archive_entry *e,
		       const char *path)
{
	bool exec = archive_entry_perm(e) & 0111;
	struct stat st;
	git_oid id;

	if (read_data(t, a, e) ||
	    check_lg2(git_odb_write(&id, t->odb, t->data.buf, t->data.len, GIT_OBJECT_BLOB),
		      "cannot store '%s' in '%s'", path, t->dir) ||
	    (t->dirfd >= 0 && write_work_file(t, path, exec ? 0755 : 0644, &st)))
		return -1;
	add_entry(t, path, &id, exec ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB,
		  t->dirfd >= 0 ? &st : NULL);
	return 0;
}

static int import_entry(struct tar_import *t, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	const char *slash = name ? strchr(name, '/') : NULL;
	const char *path = slash ? slash + 1 : "";
	mode_t type = archive_entry_filetype(e);
	const char *why;

	/* git tracks no directories; writing a file creates its parents. */
	if (type == AE_IFDIR)
		return 0;
	if ((why = treepath_check(path)))
		return error_code(KB_EXIT_BADINPUT, "unsafe path '%s' in '%s': %s", name ? name : "", t->tarball, why);
	if (archive_entry_hardlink(e))
		return error_code(KB_EXIT_BADINPUT, "cannot import hard link '%s' in '%s'", name,
				  t->tarball);
	if (type == AE_IFLNK) {
		/* Made last, so no file is ever written through one. */
		sv_push(&t->links, path);
		sv_push(&t->links, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
		return 0;
	}
	if (type != AE_IFREG)
		return error_code(KB_EXIT_BADINPUT, "cannot import special file '%s' in '%s'", name,
				  t->tarball);
	return import_file(t, a, e, path);
}

static int read_entries(struct tar_import *t, struct archive *a)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return tar_error(t, a);
		if (signals_caught())
			return error("import from '%s' interrupted", t->tarball);
		if (import_entry(t, a, e))
			return -1;
	}
	return 0;
}

static int import_links(struct tar_import *t)
{
	for (size_t i = 0; i + 1 < t->links.n; i += 2) {
		const char *path = t->links.v[i], *target = t->links.v[i + 1];
		struct stat st;
		git_oid id;

		if (check_lg2(git_odb_write(&id, t->odb, target, strlen(target), GIT_OBJECT_BLOB),
			      "cannot store '%s' in '%s'", path, t->dir))
			return -1;
		if (t->dirfd < 0) {
			add_entry(t, path, &id, GIT_FILEMODE_LINK, NULL);
			continue;
		}
		if (make_parents(t->dirfd, path) || symlinkat(target, t->dirfd, path) < 0)
			return create_error(t, path);
		if (fstatat(t->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return error("cannot stat '%s/%s': %s", t->dir, path, strerror(errno));
		add_entry(t, path, &id, GIT_FILEMODE_LINK, &st);
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const git_index_entry *)a)->path, ((const git_index_entry *)b)->path);
}

/*
 * Adding in index order appends instead of inserting into the middle. An
 * update builds its tree in an index of its own: the tree's index stays
 * the old one's until the checkout moves both.
 */
static int write_index(struct tar_import *t, git_oid *tree)
{
	git_index *index = NULL;
	bool update = t->dirfd < 0;
	int ret = -1;

	qsort(t->ents, t->nents, sizeof(*t->ents), cmp_entry);
	if (update ? check_lg2(git_index_new(&index), "cannot make an index for '%s'", t->dir)
		   : check_lg2(git_repository_index(&index, t->repo), "cannot open the index of '%s'", t->dir))
		goto cleanup;
	for (size_t i = 0; i < t->nents; i++)
		if (check_lg2(git_index_add(index, &t->ents[i]), "cannot add '%s' to the index of '%s'",
			      t->ents[i].path, t->dir))
			goto cleanup;
	if (update) {
		if (check_lg2(git_index_write_tree_to(tree, index, t->repo), "cannot write the tree of '%s'", t->dir))
			goto cleanup;
		ret = 0;
		goto cleanup;
	}
	/* Tree first: writing it caches the tree ids that the index then saves. */
	if (check_lg2(git_index_write_tree(tree, index), "cannot write the tree of '%s'", t->dir) ||
	    check_lg2(git_index_write(index), "cannot write the index of '%s'", t->dir))
		goto cleanup;
	ret = 0;
cleanup:
	git_index_free(index);
	return ret;
}

/*
 * Same revision, same commit id: the author, date and message derive from
 * the revision alone, not from where its tarball was found or fetched.
 */
static int commit_import(struct tar_import *t, const struct source_rev *rev, time_t when,
			 const git_oid *tree_id, git_oid *out)
{
	char *msg = xasprintf("Import %s\n\nUnmodified source from %s.\n", rev->label,
			      path_basename(t->tarball));
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	int ret = -1;

	if (check_lg2(git_signature_new(&sig, "kbackport import", "kbackport@localhost", when, 0),
		      "cannot make the signature for '%s'", t->dir) ||
	    check_lg2(git_tree_lookup(&tree, t->repo, tree_id), "cannot read the tree of '%s'", t->dir) ||
	    check_lg2(git_commit_create(out, t->repo, NULL, sig, sig, NULL, msg, tree, 0, NULL),
		      "cannot commit in '%s'", t->dir))
		goto cleanup;
	ret = 0;
cleanup:
	git_tree_free(tree);
	git_signature_free(sig);
	free(msg);
	return ret;
}

/*
 * A second loose backend ahead of the default one: zlib level 1 and no
 * fsync make writing ~90k blobs several times faster. Nothing is lost on
 * a crash that the temporary directory does not throw away anyway.
 */
static int add_fast_backend(struct tar_import *t)
{
	char *objects = xasprintf("%sobjects", git_repository_path(t->repo));
	git_odb_backend *be = NULL;
	int ret = -1;

	if (check_lg2(git_repository_odb(&t->odb, t->repo), "cannot open the objects of '%s'", t->dir) ||
	    check_lg2(git_odb_backend_loose(&be, objects, 1, 0, 0, 0),
		      "cannot open '%s'", objects))
		goto cleanup;
	if (check_lg2(git_odb_add_backend(t->odb, be, 100), "cannot use '%s'", objects)) {
		be->free(be);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(objects);
	return ret;
}

static int open_archive(struct tar_import *t, struct archive **out)
{
	struct archive *a = archive_read_new();

	if (!a)
		die("out of memory");
	*out = a;
	if (archive_read_support_filter_xz(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_filename(a, t->tarball, 1 << 20) != ARCHIVE_OK)
		return tar_error(t, a);
	return 0;
}

/*
 * The import writes ~90k loose objects: without this, the first git command a
 * user (or a test) runs in the tree starts an automatic gc that repacks them all.
 */
static int no_auto_gc(git_repository *repo)
{
	git_config *cfg = NULL;
	int ret = check_lg2(git_repository_config(&cfg, repo), "cannot open the repository config") ||
		  check_lg2(git_config_set_int32(cfg, "gc.auto", 0), "cannot set gc.auto") ? -1 : 0;

	git_config_free(cfg);
	return ret;
}

static int init_repo(struct tar_import *t)
{
	if (check_lg2(git_repository_init(&t->repo, t->dir, 0), "cannot create repository '%s'", t->dir) ||
	    no_auto_gc(t->repo) || add_fast_backend(t))
		return -1;
	t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return error("cannot open '%s': %s", t->dir, strerror(errno));
	return 0;
}

static void tar_import_release(struct tar_import *t)
{
	for (size_t i = 0; i < t->nents; i++)
		free((char *)t->ents[i].path);
	free(t->ents);
	sv_release(&t->links);
	sb_release(&t->data);
	if (t->dirfd >= 0)
		close(t->dirfd);
	git_odb_free(t->odb);
	git_repository_free(t->repo);
}

/* refs/kbackport/revisions/<version>: every revision the tree was at stays reachable. */
static int keep_revision(git_repository *repo, const char *version, const git_oid *commit)
{
	char *name = xasprintf("refs/kbackport/revisions/%s", version);
	git_reference *ref = NULL;
	int ret;

	/* git refuses '~' and ':' in ref names; Debian versions have both */
	for (char *c = name + strlen("refs/kbackport/revisions/"); *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-", *c))
			*c = '_';
	ret = check_lg2(git_reference_create(&ref, repo, name, commit, 1, "kbackport: import"),
			"cannot create '%s' in '%s'", name, repo_where(repo));
	git_reference_free(ref);
	free(name);
	return ret;
}

static int tarball_time(const struct source_rev *rev, time_t *when)
{
	struct stat st;

	if (!rev->tarball || stat(rev->tarball, &st) < 0)
		return error_code(KB_EXIT_NOINPUT, "cannot open '%s': %s",
				  rev->tarball ? rev->tarball : "(no tarball)", strerror(errno));
	*when = st.st_mtime;
	return 0;
}

static int import_tarball(const struct source_rev *rev, const char *dir, struct progress *p,
			  struct import_result *res)
{
	struct tar_import t = { .tarball = rev->tarball, .dir = dir, .dirfd = -1, .progress = p };
	struct archive *a = NULL;
	char *log = xasprintf("kbackport: import %s", rev->label);
	time_t when;
	git_oid tree;
	int ret = -1;

	if (tarball_time(rev, &when) || open_archive(&t, &a) || init_repo(&t) || read_entries(&t, a) ||
	    import_links(&t) || write_index(&t, &tree) ||
	    commit_import(&t, rev, when, &tree, &res->commit) ||
	    set_base(t.repo, &res->commit, log) || keep_revision(t.repo, rev->version, &res->commit))
		goto cleanup;
	ret = 0;
cleanup:
	archive_read_free(a);
	tar_import_release(&t);
	free(log);
	return ret;
}

/* A tree must be clean before its base moves: nothing the user changed is overwritten. */
static int check_clean(git_repository *repo, const char *name)
{
	struct strvec dirty = STRVEC_INIT;
	int ret = repo_dirty_files(repo, &dirty);

	if (!ret && dirty.n)
		ret = error_code(KB_EXIT_FAIL, "cannot move tree '%s' to a new revision: '%s'%s changed (a port "
				 "stopped on a conflict?): finish or discard the changes first", name, dirty.v[0],
				 dirty.n > 1 ? " and other files are" : " is");
	sv_release(&dirty);
	return ret;
}

/* Moves the base to commit and checks it out: only the files that differ are written. */
static int switch_base(git_repository *repo, const git_oid *commit, const char *log)
{
	git_checkout_options co;
	int ret;

	if (check_lg2(git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION), "cannot set up a checkout"))
		return -1;
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	signals_hold(true);
	ret = set_base(repo, commit, log) ||
	      check_lg2(git_checkout_head(repo, &co), "cannot check out the new base in '%s'", repo_where(repo)) ? -1 : 0;
	signals_hold(false);
	return ret;
}

/*
 * A new revision of an imported tree: its objects go into the same
 * repository (most exist already), its tree is built in memory, and the
 * base moves only when all of it is there. Branches made on the old base
 * stay, and the old base keeps its refs/kbackport/revisions/ ref.
 */
static int update_tarball(const struct kernel_desc *k, const struct source_rev *rev, git_repository *repo,
			  struct progress *p, struct import_result *res)
{
	struct tar_import t = { .tarball = rev->tarball, .dir = repo_where(repo), .dirfd = -1, .repo = repo,
				.progress = p };
	struct archive *a = NULL;
	char *log = xasprintf("kbackport: import %s", rev->label);
	time_t when;
	git_oid tree;
	int ret = -1;

	if (check_clean(repo, k->name) || tarball_time(rev, &when) || open_archive(&t, &a) ||
	    add_fast_backend(&t) || read_entries(&t, a) || import_links(&t) || write_index(&t, &tree) ||
	    commit_import(&t, rev, when, &tree, &res->commit) || signals_caught() ||
	    keep_revision(repo, rev->version, &res->commit) || switch_base(repo, &res->commit, log))
		goto cleanup;
	ret = 0;
cleanup:
	archive_read_free(a);
	t.repo = NULL;		/* the caller's */
	tar_import_release(&t);
	free(log);
	return ret;
}

int repo_tree_revision(git_repository *repo, const struct kernel_desc *k, struct source_rev *out)
{
	git_commit *c = NULL;
	git_oid base;
	char *prefix;
	const char *msg;

	memset(out, 0, sizeof(*out));
	if (repo_base_commit(repo, &base))
		return -1;
	if (k->source == KSRC_GIT) {
		out->version = xstrdup(git_oid_tostr_s(&base));
		out->label = xasprintf("%s@%s %s", k->git_path, k->git_ref, out->version);
		return 0;
	}
	if (check_lg2(git_commit_lookup(&c, repo, &base), "cannot read the base of '%s'", repo_where(repo)))
		return -1;
	msg = git_commit_message(c);
	prefix = xasprintf("Import %s ", k->package);
	/* an import by kbackport says which revision it was; anything else is unknown */
	if (starts_with(msg, prefix)) {
		out->label = xstrndup(msg + strlen("Import "), strcspn(msg, "\n") - strlen("Import "));
		out->version = xstrdup(source_label_version(out->label));
	}
	free(prefix);
	git_commit_free(c);
	return 0;
}

/* A git source that moved: imported afresh beside the old tree, which it then replaces. */
static int reimport_git(const struct kernel_desc *k, const char *final, const char *tmp, struct progress *p,
			struct import_result *res)
{
	char *old = xasprintf("%s.old", tmp);
	int ret = remove_tree(old) || import_git(k, tmp, p, res) ? -1 : 0;

	if (!ret && signals_caught())
		ret = error("import of '%s' interrupted", k->name);
	signals_hold(true);
	if (!ret && rename(final, old) < 0)
		ret = error("cannot rename '%s' to '%s': %s", final, old, strerror(errno));
	if (!ret && rename(tmp, final) < 0) {
		ret = error("cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
		rename(old, final);
	}
	signals_hold(false);
	remove_tree(ret ? tmp : old);
	free(old);
	return ret;
}

static int import_new(const struct kernel_desc *k, const struct source_rev *rev, const char *final,
		      const char *tmp, struct progress *p, struct import_result *res)
{
	int ret;

	if (path_exists(final))
		return error("cannot import '%s': '%s' exists without %s (remove it first)", k->name, final,
			     REPO_BASE_REF);
	ret = k->source == KSRC_GIT ? import_git(k, tmp, p, res) : import_tarball(rev, tmp, p, res);
	if (!ret && signals_caught())
		ret = error("import of '%s' interrupted", k->name);
	if (!ret && rename(tmp, final) < 0)
		ret = error("cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
	if (ret)
		remove_tree(tmp);
	return ret;
}

/* The tree exists: nothing to do at the same revision, else it moves to rev. */
static int import_over(const struct kernel_desc *k, const struct source_rev *rev, git_repository *repo,
		       const char *final, const char *tmp, struct progress *p, struct import_result *res)
{
	struct source_rev have;

	if (repo_tree_revision(repo, k, &have))
		return -1;
	if (have.version && !strcmp(have.version, rev->version)) {
		res->already = true;
		source_rev_free(&have);
		return 0;
	}
	res->previous = have.label ? xstrdup(have.label) : xstrdup("an unknown revision");
	source_rev_free(&have);
	if (k->source == KSRC_GIT)
		return reimport_git(k, final, tmp, p, res);
	return update_tarball(k, rev, repo, p, res);
}

int repo_import(const struct kernel_desc *k, import_progress_fn progress,
		struct import_result *res)
{
	char *trees = store_path("trees");
	char *final = store_tree(k->name);
	char *tmp = xasprintf("%s/.%s.tmp", trees, k->name);
	struct progress p = { .fn = progress };
	git_repository *repo = NULL;
	struct source_rev rev;
	struct timespec t0, t1;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&rev, 0, sizeof(rev));
	if (repo_lock(k->name, "kernels import")) {
		free(tmp);
		free(final);
		free(trees);
		return -1;
	}
	if (source_resolve(k, true, &rev))
		goto fail;
	if (!rev.version) {
		error_code(KB_EXIT_NOINPUT, "cannot open '%s': %s", rev.tarball, strerror(ENOENT));
		goto fail;
	}
	res->label = xstrdup(rev.label);
	ret = repo_try_open_tree(k->name, &repo, &res->commit);
	/* A leftover of an import killed before it could clean up. */
	if (ret < 0 || remove_tree(tmp) || mkdir_p(trees))
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	signals_catch();
	if (ret)
		ret = import_new(k, &rev, final, tmp, &p, res);
	else
		ret = import_over(k, &rev, repo, final, tmp, &p, res);
	signals_release();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->files = p.files;
	res->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	goto cleanup;
fail:
	ret = -1;
cleanup:
	repo_unlock(k->name);
	git_repository_free(repo);
	source_rev_free(&rev);
	free(tmp);
	free(final);
	free(trees);
	return ret;
}

void import_result_free(struct import_result *res)
{
	free(res->label);
	free(res->previous);
	memset(res, 0, sizeof(*res));
}
