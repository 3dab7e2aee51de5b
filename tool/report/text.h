/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPORT_TEXT_H
#define KB_REPORT_TEXT_H

#include <jansson.h>
#include <stdio.h>

#include "report/model.h"

/* The table, then every ✘ with its reason, each splat with its first trace lines, each stale result. */
int report_text(json_t *doc, FILE *f);

#endif
