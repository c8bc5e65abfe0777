/*
 * diag.c - the only place that prints user diagnostics.
 *
 * A diagnostic is a "file:line:col: kind: message" line, the source line
 * it refers to, and a caret line under the marked text. Tabs in the
 * source are copied into the caret line so the caret lines up whatever
 * the terminal's tab width.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

static int nerrors;
int diag_quiet_warnings;
static FILE *out;		/* where diagnostics go: stderr unless set */

void diag_set_output(FILE *f)
{
	out = f;
}

static FILE *dout(void)
{
	return out ? out : stderr;
}

static void show(const struct srcpos *pos, const char *kind,
		 const char *fmt, va_list ap)
{
	if (!pos || !pos->file) {
		fprintf(dout(), "stap: %s: ", kind);
		vfprintf(dout(), fmt, ap);
		fputc('\n', dout());
		return;
	}
	fprintf(dout(), "%s:%d:%d: %s: ", pos->file->name, pos->line,
		pos->col, kind);
	vfprintf(dout(), fmt, ap);
	fputc('\n', dout());

	/* The source line holding the position. */
	const char *text = pos->file->text;
	const char *start = pos->loc;

	while (start > text && start[-1] != '\n')
		start--;
	const char *end = strchr(pos->loc, '\n');

	if (!end)
		end = text + pos->file->len;
	fprintf(dout(), "%.*s\n", (int)(end - start), start);
	for (const char *p = start; p < pos->loc; p++)
		fputc(*p == '\t' ? '\t' : ' ', dout());
	fputc('^', dout());
	int n = pos->len;

	if (pos->loc + n > end)
		n = (int)(end - pos->loc);
	for (int i = 1; i < n; i++)
		fputc('~', dout());
	fputc('\n', dout());
}

void diag_error(const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	show(pos, "error", fmt, ap);
	va_end(ap);
	nerrors++;
}

/*
 * Has this warning been given already? An alias body copied into many
 * probes (syscall.*) would otherwise repeat it once per copy.
 */
static bool seen_warning(const struct srcpos *pos, const char *fmt,
			 va_list ap)
{
	static char *seen[1024];
	static int nseen;
	char buf[512];
	va_list ap2;

	va_copy(ap2, ap);
	int n = snprintf(buf, sizeof(buf), "%s:%d:%d:",
			 pos && pos->file ? pos->file->name : "", pos ?
			 pos->line : 0, pos ? pos->col : 0);

	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap2);
	va_end(ap2);
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], buf))
			return true;
	if (nseen < 1024)
		seen[nseen++] = strdup(buf);	/* outlives arena_reset() */
	return false;
}

void diag_warn(const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	if (diag_quiet_warnings)
		return;
	va_start(ap, fmt);
	if (seen_warning(pos, fmt, ap)) {
		va_end(ap);
		return;
	}
	show(pos, "warning", fmt, ap);
	va_end(ap);
}

void diag_note(const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	show(pos, "note", fmt, ap);
	va_end(ap);
}

void diag_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "stap: error: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

int diag_count(void)
{
	return nerrors;
}

void diag_ice(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "stap: internal error at %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
