/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPORT_OUTPUT_H
#define KB_REPORT_OUTPUT_H

#include <jansson.h>

/* doc as format (text, json, html) to path, through a temporary file; NULL: stdout. */
int report_write(json_t *doc, const char *format, const char *path);

#endif
