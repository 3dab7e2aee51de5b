/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_TREEPATH_H
#define KB_TREEPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The one gate every path from input passes before it becomes a file name:
 * paths in patches (diff headers, renames, copies), spatch output, series.yaml
 * `file:`, tarball entries, export names. git's rules for a tree path, and
 * the spellings other filesystems fold to ".git":
 *   - relative, not empty, at most TREEPATH_MAX bytes, components at most 255;
 *   - no empty, "." or ".." component, no backslash, no control character;
 *   - no ".git" component in any case, nor what NTFS folds to it (".git.",
 *     ".git ", ".git:stream", "git~1") or HFS+ ignores inside it (zero-width
 *     and direction marks, U+200C-200F, 202A-202E, 206A-206F, FEFF).
 * Writes go through no symlink: each component is opened with O_NOFOLLOW.
 */

#define TREEPATH_MAX 4096

/* NULL when path is a safe tree path, else why not (a static string). */
const char *treepath_check(const char *path);

/*
 * Writes data to root/path atomically (a temporary file in the same
 * directory, then renamed): missing parents are created, and a component
 * that is a symlink is refused (an error naming it, kb_errcode
 * KB_EXIT_BADINPUT), as is a path treepath_check() refuses. mode: 0644 or 0755.
 */
int treepath_write(const char *root, const char *path, const void *data, size_t len, mode_t mode);

#endif
