// SPDX-License-Identifier: GPL-2.0
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

char *fixture_file(const char *text)
{
	char *path = xstrdup("/tmp/kbackport-unit-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		die("cannot write fixture '%s'", path);
	close(fd);
	return path;
}

char *fixture_mail(const char *subject, const char *from, const char *date, const char *body)
{
	return xasprintf("From 1234567890abcdef Mon Sep 17 00:00:00 2001\n"
			 "From: %s\nDate: %s\nSubject: %s\n\n%s\n", from, date, subject, body);
}

char *fixture_patch_body(const char *msg, const char *trailers, const char *path, const char *added)
{
	return xasprintf("%s\n\n%s\n---\n %s | 1 +\n 1 file changed, 1 insertion(+)\n\n"
			 "diff --git a/%s b/%s\nindex 1111111..2222222 100644\n--- a/%s\n+++ b/%s\n"
			 "@@ -10,6 +10,7 @@ static int f(void)\n"
			 " \tint a;\n \tint b;\n \n+\t%s\n \ta = 1;\n \tb = 2;\n \treturn a + b;\n"
			 "-- \n2.43.0\n",
			 msg, trailers, path, path, path, path, path, added);
}
