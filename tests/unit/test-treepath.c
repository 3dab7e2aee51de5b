// SPDX-License-Identifier: GPL-2.0
/* treepath.c: the path gate, every spelling; writes through no symlink. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/treepath.h"
#include "unit.h"
#include "lib/util.h"

struct pcase {
	const char *path;
	const char *why;	/* NULL: accepted */
};

static int run_case(const void *arg)
{
	const struct pcase *c = arg;
	const char *got = treepath_check(c->path);

	if (!c->why)
		CHECK_STR(got ? got : "(accepted)", "(accepted)");
	else
		CHECK_STR(got, c->why);
	return 0;
}

#define OK(label, p) { label, run_case, &(const struct pcase){ p, NULL } }
#define NO(label, p, w) { label, run_case, &(const struct pcase){ p, w } }
#define DOTGIT "it names the repository's .git"

static char long_component[300], long_path[TREEPATH_MAX + 8];

static int test_lengths(const void *arg)
{
	(void)arg;
	memset(long_component, 'a', sizeof(long_component) - 1);
	CHECK_STR(treepath_check(long_component), "a component is longer than 255 bytes");
	long_component[255] = '\0';
	CHECK(!treepath_check(long_component));
	for (size_t i = 0; i + 2 < sizeof(long_path); i += 2)
		memcpy(long_path + i, "d/", 2);
	long_path[sizeof(long_path) - 2] = 'x';
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK_STR(treepath_check(long_path), "it is too long");
	return 0;
}

/* A symlink anywhere on the way is refused; nothing is written where it points. */
static int test_write(const void *arg)
{
	char root[] = "/tmp/kb-unit-treepath-XXXXXX", out[] = "/tmp/kb-unit-outside-XXXXXX";
	char *link, *target, *made;
	struct strbuf sb = STRBUF_INIT;
	int ret = 1;

	(void)arg;
	if (!mkdtemp(root) || !mkdtemp(out))
		return 1;
	link = xasprintf("%s/fs", root);
	target = xasprintf("%s/pwned", out);
	made = xasprintf("%s/a/b/c.txt", root);
	if (symlink(out, link))
		goto done;
	kb_errcode = 0;
	if (treepath_write(root, "fs/pwned", "x", 1, 0644) != -1 || kb_errcode != KB_EXIT_BADINPUT ||
	    path_exists(target))
		goto done;
	if (treepath_write(root, "../pwned", "x", 1, 0644) != -1 || path_exists(target))
		goto done;
	if (treepath_write(root, "a/b/c.txt", "hi\n", 3, 0644) || read_file(made, &sb) || strcmp(sb.buf, "hi\n"))
		goto done;
	/* a symlink as the last component is replaced, never followed */
	unlink(made);
	if (symlink(target, made) || treepath_write(root, "a/b/c.txt", "ok", 2, 0644) || path_exists(target))
		goto done;
	ret = 0;
done:
	sb_release(&sb);
	remove_tree(root);
	remove_tree(out);
	free(link);
	free(target);
	free(made);
	return ret;
}

static const struct unit_case cases[] = {
	OK("a kernel path", "fs/ext4/inode.c"),
	OK("a dot file", "fs/.gitignore"),
	OK("a name that only starts like .git", ".github/workflows/x.yml"),
	OK("a name that only ends like .git", "tools/x.git"),
	OK("dots inside a name", "a..b/c...d"),
	OK("git~2 is not .git's short name", "git~2/x"),
	NO("empty", "", "it is empty"),
	NO("absolute", "/etc/passwd", "it is absolute"),
	NO("..", "..", "it has a '.' or '..' component"),
	NO("../ first", "../x", "it has a '.' or '..' component"),
	NO("/.. inside", "a/../../x", "it has a '.' or '..' component"),
	NO(". component", "a/./b", "it has a '.' or '..' component"),
	NO("empty component", "a//b", "it has an empty component"),
	NO("trailing slash", "a/b/", "it ends in '/'"),
	NO("backslash", "a\\..\\b", "it has a backslash"),
	NO("control character", "a\tb", "it has a control character"),
	NO("DEL", "a\x7f", "it has a control character"),
	NO(".git", ".git/config", DOTGIT),
	NO(".git alone", ".git", DOTGIT),
	NO(".GIT", ".GIT/hooks/pre-commit", DOTGIT),
	NO(".Git inside", "fs/.Git/x", DOTGIT),
	NO("NTFS trailing dot", ".git./config", DOTGIT),
	NO("NTFS trailing dots and spaces", ".git . ./config", DOTGIT),
	NO("NTFS stream", ".git::$INDEX_ALLOCATION/config", DOTGIT),
	NO("NTFS short name", "GIT~1/config", DOTGIT),
	NO("NTFS short name, lower case", "git~1", DOTGIT),
	NO("HFS+ zero-width non-joiner", ".g\xe2\x80\x8cit/config", DOTGIT),
	NO("HFS+ left-to-right mark", ".gi\xe2\x80\x8et/config", DOTGIT),
	NO("HFS+ direction embedding", "\xe2\x80\xaa.git/config", DOTGIT),
	NO("HFS+ inhibit swapping", ".git\xe2\x81\xaa/config", DOTGIT),
	NO("HFS+ byte order mark", "\xef\xbb\xbf.GIT/config", DOTGIT),
	{ "lengths: component 255, path 4096", test_lengths, NULL },
	{ "writes: no symlink on the way, parents made, last-component link replaced", test_write, NULL },
};

SUITE(suite_treepath, "treepath", cases);
