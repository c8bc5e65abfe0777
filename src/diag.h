/*
 * diag.h - user diagnostics with file:line:col and a caret line, and
 * internal errors.
 * Every error a user can cause goes through diag_error(); it prints
 *
 *     file.stp:4:11: error: unknown variable 'cnt'
 *         counts[cnt]++
 *                ^~~
 *
 * Exit codes: 0 success, 1 user error, 2 internal error.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>
#include <stddef.h>

/* Where a token came from; the source text stays alive for carets. */
struct srcfile {
	const char *name;	/* as the user gave it, or "<input>" for -e */
	const char *text;	/* whole file, NUL-terminated */
	size_t len;		/* bytes in text */
	bool library;		/* a tapset file: no warnings about it */
};

struct srcpos {
	const struct srcfile *file;	/* NULL: no position */
	int line, col;		/* 1-based */
	const char *loc;	/* points into file->text */
	int len;		/* length of the marked text */
};

void diag_error(const struct srcpos *pos, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_warn(const struct srcpos *pos, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_note(const struct srcpos *pos, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print an error without a position ("stap: error: ...") */
void diag_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Number of errors reported so far. */
int diag_count(void);

/* Internal error: prints the C location and aborts. */
#define ICE(...) diag_ice(__FILE__, __LINE__, __VA_ARGS__)
void diag_ice(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* Send diagnostics elsewhere (the fuzzer discards them). */
#include <stdio.h>
void diag_set_output(FILE *f);

/* Suppress warnings (-w). */
extern int diag_quiet_warnings;

#endif
