/* Selection and reports of wsx check; see report.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "check/report.h"

bool
chk_match(const char *pattern, const char *id, const char *group)
{
	char prefix[128];

	if (!fnmatch(pattern, id, 0) || !fnmatch(pattern, group, 0))
		return true;
	snprintf(prefix, sizeof(prefix), "%s.*", pattern);
	return !fnmatch(prefix, id, 0);
}

bool
chk_selected(const struct chk_case *k, const char *const *cases, size_t ncases,
	     const char *const *skips, size_t nskips)
{
	bool in = !ncases;

	for (size_t i = 0; i < ncases && !in; i++)
		in = chk_match(cases[i], k->id, k->group);
	for (size_t i = 0; i < nskips && in; i++)
		in = !chk_match(skips[i], k->id, k->group);
	return in;
}

void
chk_count(const struct chk_row *rows, size_t n, size_t counts[CHK_NVERDICTS])
{
	memset(counts, 0, CHK_NVERDICTS * sizeof(counts[0]));
	for (size_t i = 0; i < n; i++)
		counts[rows[i].r.verdict]++;
}

void
chk_summary(char *buf, size_t size, const size_t counts[CHK_NVERDICTS],
	    size_t n)
{
	snprintf(buf, size,
		 "%zu cases: %zu pass, %zu fail, %zu non-strict, %zu info, "
		 "%zu skipped",
		 n, counts[CHK_PASS], counts[CHK_FAIL], counts[CHK_NON_STRICT],
		 counts[CHK_INFO], counts[CHK_SKIPPED]);
}

static const char *
chk_colour(enum chk_verdict v)
{
	switch (v) {
	case CHK_PASS:
		return "\033[32m";
	case CHK_FAIL:
		return "\033[1;31m";
	case CHK_NON_STRICT:
		return "\033[33m";
	case CHK_INFO:
		return "\033[36m";
	default:
		return "\033[2m";
	}
}

void
chk_report_table(FILE *out, const struct chk_row *rows, size_t n, bool colour,
		 double secs)
{
	size_t counts[CHK_NVERDICTS];
	char line[256];
	const char *group = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct chk_row *w = &rows[i];

		if (!group || strcmp(group, w->k->group)) {
			group = w->k->group;
			fprintf(out, "%s%s\n", i ? "\n" : "", group);
		}
		fprintf(out, "  %-7s %s%-10s%s %s\n", w->k->id,
			colour ? chk_colour(w->r.verdict) : "",
			chk_verdict_name(w->r.verdict), colour ? "\033[0m" : "",
			w->k->desc);
		if (w->r.expected[0])
			fprintf(out, "%20sexpected: %s\n", "", w->r.expected);
		if (w->r.got[0])
			fprintf(out, "%20sgot: %s\n", "", w->r.got);
	}
	chk_count(rows, n, counts);
	chk_summary(line, sizeof(line), counts, n);
	fprintf(out, "\n%s (%.1f s)\n", line, secs);
}

int
chk_report_json(FILE *out, const char *url, const struct chk_row *rows,
		size_t n, double secs)
{
	cJSON *doc = cJSON_CreateObject(), *cases, *sum;
	size_t counts[CHK_NVERDICTS];
	char *text;
	int rc;

	cJSON_AddStringToObject(doc, "url", url);
	cases = cJSON_AddArrayToObject(doc, "cases");
	for (size_t i = 0; i < n; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "id", rows[i].k->id);
		cJSON_AddStringToObject(c, "group", rows[i].k->group);
		cJSON_AddStringToObject(c, "section", rows[i].k->section);
		cJSON_AddStringToObject(c, "description", rows[i].k->desc);
		cJSON_AddStringToObject(c, "verdict",
					chk_verdict_name(rows[i].r.verdict));
		cJSON_AddStringToObject(c, "expected", rows[i].r.expected);
		cJSON_AddStringToObject(c, "got", rows[i].r.got);
		cJSON_AddNumberToObject(c, "ms", (double)(rows[i].r.us / 1000));
		cJSON_AddItemToArray(cases, c);
	}
	chk_count(rows, n, counts);
	sum = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddNumberToObject(sum, "cases", (double)n);
	for (int v = 0; v < CHK_NVERDICTS; v++)
		cJSON_AddNumberToObject(sum, chk_verdict_name(v),
					(double)counts[v]);
	cJSON_AddNumberToObject(sum, "seconds", secs);
	text = cJSON_Print(doc);
	rc = text && fprintf(out, "%s\n", text) > 0 ? 0 : -1;
	free(text);
	cJSON_Delete(doc);
	return rc;
}

void
chk_xml_escape(char *out, size_t size, const char *s)
{
	size_t o = 0;

	if (!size)
		return;
	for (; *s; s++) {
		char tmp[8];
		const char *rep = tmp;
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				snprintf(tmp, sizeof(tmp), "?");
			else
				snprintf(tmp, sizeof(tmp), "%c", c);
		}
		size_t l = strlen(rep);

		if (o + l >= size)
			break;
		memcpy(out + o, rep, l);
		o += l;
	}
	out[o] = '\0';
}

int
chk_report_junit(FILE *out, const char *url, const struct chk_row *rows,
		 size_t n, double secs)
{
	size_t counts[CHK_NVERDICTS];
	char a[1024], b[1024];

	chk_count(rows, n, counts);
	chk_xml_escape(a, sizeof(a), url);
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"wsx check %s\" tests=\"%zu\" "
		"failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		a, n, counts[CHK_FAIL], counts[CHK_SKIPPED], secs);
	for (size_t i = 0; i < n;) {
		const char *group = rows[i].k->group;
		size_t j = i, fails = 0, skips = 0;
		uint64_t us = 0;

		for (; j < n && !strcmp(rows[j].k->group, group); j++) {
			fails += rows[j].r.verdict == CHK_FAIL;
			skips += rows[j].r.verdict == CHK_SKIPPED;
			us += rows[j].r.us;
		}
		fprintf(out,
			"  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" "
			"skipped=\"%zu\" time=\"%.3f\">\n",
			group, j - i, fails, skips, (double)us / 1e6);
		for (; i < j; i++) {
			const struct chk_row *w = &rows[i];

			chk_xml_escape(a, sizeof(a), w->k->desc);
			fprintf(out,
				"    <testcase classname=\"wsx.check.%s\" "
				"name=\"%s %s\" time=\"%.3f\"",
				group, w->k->id, a, (double)w->r.us / 1e6);
			if (w->r.verdict == CHK_PASS) {
				fprintf(out, "/>\n");
				continue;
			}
			fprintf(out, ">\n");
			chk_xml_escape(a, sizeof(a), w->r.expected);
			chk_xml_escape(b, sizeof(b), w->r.got);
			if (w->r.verdict == CHK_FAIL)
				fprintf(out,
					"      <failure message=\"expected %s; "
					"got %s\"/>\n",
					a, b);
			else if (w->r.verdict == CHK_SKIPPED)
				fprintf(out,
					"      <skipped message=\"%s\"/>\n", b);
			else
				fprintf(out,
					"      <system-out>%s: %s%s%s</system-out>\n",
					chk_verdict_name(w->r.verdict), b,
					a[0] ? "; expected " : "", a);
			fprintf(out, "    </testcase>\n");
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
	return ferror(out) ? -1 : 0;
}
