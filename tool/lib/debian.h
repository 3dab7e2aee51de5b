/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_DEBIAN_H
#define KB_DEBIAN_H

#include "lib/util.h"

/*
 * Debian packages as a source of kernel trees: the version of an installed
 * package, and any version a suite of Debian's archive still offers,
 * fetched with apt under a private configuration (its own sources list,
 * lists and cache in <cache>/apt/<suites>/), so the system's apt sources
 * and state never change and nothing is installed: `apt-get download`,
 * then `dpkg-deb -x` into <cache>/debian/. apt checks the archive's
 * signatures against debian-archive-keyring as it does for the system.
 *
 * Suites: the one given, or this system's own codename and its -security
 * suite. Mirrors: $KBACKPORT_DEBIAN_MIRROR (http://deb.debian.org/debian)
 * and, for *-security suites, $KBACKPORT_DEBIAN_SECURITY_MIRROR
 * (http://deb.debian.org/debian-security).
 */

/* Debian policy's package names: [a-z0-9][a-z0-9+.-]+. */
bool deb_valid_package(const char *s);
/* Debian versions: [epoch:]upstream[-revision], [0-9A-Za-z.+~:-] starting with a digit. */
bool deb_valid_version(const char *s);
/* Suite names: bookworm, bullseye-security, ... */
bool deb_valid_suite(const char *s);

/* The version of an installed package, or NULL (quietly) when it is not installed. */
char *deb_installed_version(const char *package);

/* The versions of package the suites offer, newest first (apt's order). */
int deb_archive_versions(const char *package, const char *suite, struct strvec *out);

/*
 * Makes package at version (NULL: the newest the suites offer) available
 * unpacked: *dir gets <cache>/debian/<package>_<version>, *got the version.
 * A version the suites no longer offer is an error listing those they do
 * (kb_errcode KB_EXIT_NOINPUT). Already unpacked: nothing fetched.
 */
int deb_fetch(const char *package, const char *version, const char *suite, char **dir, char **got);

/* Where an already fetched package at version is unpacked, or NULL. */
char *deb_unpacked(const char *package, const char *version);

#endif
