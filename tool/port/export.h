/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_EXPORT_H
#define KB_EXPORT_H

#include <git2.h>

#include "lib/util.h"

/* The header every exported message carries, and the line atop a quilt series. */
#define EXPORT_SOURCE_HEADER "X-Kbackport-Source"
#define EXPORT_SERIES_SOURCE "# source: "

/*
 * Writes commits (in order) as fmt "mbox" (dir/backport.mbox) or "quilt"
 * (dir/patches/series and DEP-3 headed patches), each file atomically;
 * source is the revision label the port was made on.
 */
int export_write(git_repository *repo, const git_oid *commits, size_t n, const char *fmt,
		 const char *dir, const char *source);

/* The revision label the exports in dir name (mbox first, then quilt); NULL if none does. */
char *export_source(const char *dir);

#endif
