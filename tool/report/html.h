/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPORT_HTML_H
#define KB_REPORT_HTML_H

#include <jansson.h>
#include <stdio.h>

#include "report/model.h"

/* One self-contained page: no script, no external asset, inline SVG plots. */
int report_html(json_t *doc, FILE *f);

#endif
