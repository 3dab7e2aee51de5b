// SPDX-License-Identifier: GPL-2.0
/* The report document written in one of its formats (output.h). */
#include "report/output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/html.h"
#include "report/text.h"

static int render(json_t *doc, const char *format, FILE *f)
{
	if (!strcmp(format, "text"))
		return report_text(doc, f);
	if (!strcmp(format, "html"))
		return report_html(doc, f);
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS) || fputc('\n', f) == EOF)
		return error("cannot write the JSON report");
	return 0;
}

/* Writes through a temporary file, so FILE is whole or untouched. */
int report_write(json_t *doc, const char *format, const char *path)
{
	char *tmp;
	FILE *f;
	int ret;

	if (!path)
		return render(doc, format, stdout);
	tmp = xasprintf("%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		ret = error("cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return ret;
	}
	ret = render(doc, format, f);
	if (fclose(f) && !ret)
		ret = error("cannot write '%s': %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	if (ret)
		remove(tmp);
	free(tmp);
	return ret;
}
