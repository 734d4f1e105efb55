/*
 * wsx check's selection of cases (--case, --skip) and its reports: a
 * table, one JSON document, JUnit XML.
 */
#ifndef WSX_CHECK_REPORT_H
#define WSX_CHECK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "check/run.h"

struct chk_row {
	const struct chk_case *k;
	struct chk_result r;
};

/*
 * Does pattern name the case? A glob (fnmatch) on its id, or its group's
 * name, or an id prefix: "6.2" is every 6.2.*, "6" every 6.*.
 */
bool chk_match(const char *pattern, const char *id, const char *group);
/* Selected when some --case matches (or there is none) and no --skip. */
bool chk_selected(const struct chk_case *k, const char *const *cases,
		  size_t ncases, const char *const *skips, size_t nskips);

/* counts[v]: how many rows have verdict v. */
void chk_count(const struct chk_row *rows, size_t n,
	       size_t counts[CHK_NVERDICTS]);

/* "120 cases: 110 pass, 2 fail, ..." (no newline). */
void chk_summary(char *buf, size_t size, const size_t counts[CHK_NVERDICTS],
		 size_t n);

void chk_report_table(FILE *out, const struct chk_row *rows, size_t n,
		      bool colour, double secs);
/* 0, or -1 when the output failed. */
int chk_report_json(FILE *out, const char *url, const struct chk_row *rows,
		    size_t n, double secs);
int chk_report_junit(FILE *out, const char *url, const struct chk_row *rows,
		     size_t n, double secs);
/* s with & < > " ' and control characters escaped for XML, into out. */
void chk_xml_escape(char *out, size_t size, const char *s);

#endif
