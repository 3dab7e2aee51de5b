// SPDX-License-Identifier: GPL-2.0
/* The path gate: tree paths from input checked, and written through no symlink (treepath.h). */
#define _GNU_SOURCE
#include "lib/treepath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

#define COMPONENT_MAX 255

/* Length of the HFS+-ignorable code point at s (UTF-8), or 0. */
static size_t hfs_ignorable(const unsigned char *s, size_t left)
{
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x8c && s[2] <= 0x8f) || (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3;
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xaa && s[2] <= 0xaf)
		return 3;
	if (left >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	return 0;
}

/*
 * The component as the filesystems that fold names would see it: HFS+'s
 * ignorable code points dropped, ASCII lower-cased, and NTFS's trailing
 * dots and spaces and ":stream" suffix cut.
 */
static void folded(const char *c, size_t n, char *out)
{
	size_t k = 0, cut;

	for (size_t i = 0; i < n;) {
		size_t skip = hfs_ignorable((const unsigned char *)c + i, n - i);

		if (skip) {
			i += skip;
			continue;
		}
		out[k++] = c[i] >= 'A' && c[i] <= 'Z' ? c[i] - 'A' + 'a' : c[i];
		i++;
	}
	out[k] = '\0';
	cut = strcspn(out, ":");
	out[cut] = '\0';
	while (cut && (out[cut - 1] == '.' || out[cut - 1] == ' '))
		out[--cut] = '\0';
}

static bool is_dotgit(const char *c, size_t n)
{
	char f[COMPONENT_MAX + 1];

	folded(c, n, f);
	return !strcmp(f, ".git") || !strcmp(f, "git~1");
}

const char *treepath_check(const char *path)
{
	size_t len = strlen(path);

	if (!len)
		return "it is empty";
	if (len > TREEPATH_MAX)
		return "it is too long";
	if (path[0] == '/')
		return "it is absolute";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "it has a control character";
		if (*p == '\\')
			return "it has a backslash";
	}
	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");

		if (!n)
			return "it has an empty component";
		if (n > COMPONENT_MAX)
			return "a component is longer than 255 bytes";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "it has a '.' or '..' component";
		if (is_dotgit(c, n))
			return "it names the repository's .git";
		c += n;
		if (*c && !*++c)
			return "it ends in '/'";
	}
	return NULL;
}

/*
 * Opens the directory that holds path's last component, creating missing
 * directories and following no symlink; *last points into path.
 */
static int open_parent(const char *root, const char *path, const char **last)
{
	const char *why = treepath_check(path);
	int dfd;

	if (why)
		return error_code(KB_EXIT_BADINPUT, "refused path '%s': %s", path, why);
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return error("cannot open '%s': %s", root, strerror(errno));
	for (const char *c = path;;) {
		size_t n = strcspn(c, "/");
		char *name;
		int fd, err;

		if (!c[n]) {
			*last = c;
			return dfd;
		}
		name = xstrndup(c, n);
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && (!mkdirat(dfd, name, 0755) || errno == EEXIST))
			fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		free(name);
		close(dfd);
		if (fd < 0 && (err == ELOOP || err == ENOTDIR))
			return error_code(KB_EXIT_BADINPUT, "refused to write '%s' under '%s': '%.*s' is a symlink "
					  "or not a directory", path, root, (int)(c - path + n), path);
		if (fd < 0)
			return error("cannot open '%.*s' under '%s': %s", (int)(c - path + n), path, root,
				     strerror(err));
		dfd = fd;
		c += n + 1;
	}
}

int treepath_write(const char *root, const char *path, const void *data, size_t len, mode_t mode)
{
	const char *last = NULL, *p = data;
	int dfd = open_parent(root, path, &last), fd, ret = -1;
	char *tmp;

	if (dfd < 0)
		return -1;
	tmp = xasprintf(".%s.kbackport-%d", last, (int)getpid());
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		error("cannot create '%s' under '%s': %s", path, root, strerror(errno));
		goto out;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		p += n;
		len -= n;
	}
	if (close(fd) < 0 || len)
		error("cannot write '%s' under '%s': %s", path, root, strerror(errno));
	/* renameat replaces a symlink at last itself, never what it points to */
	else if (renameat(dfd, tmp, dfd, last) < 0)
		error("cannot write '%s' under '%s': %s", path, root, strerror(errno));
	else
		ret = 0;
	if (ret)
		unlinkat(dfd, tmp, 0);
out:
	free(tmp);
	close(dfd);
	return ret;
}
