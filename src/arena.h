/*
 * arena.h - process-lifetime memory and growable strings.
 * Every translator object (tokens, AST, symbols, generated text) comes
 * from one arena that is never freed: the translator runs once and
 * exits. arena_alloc() returns zeroed memory and never returns NULL.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stdarg.h>
#include <stddef.h>

void *arena_alloc(size_t size);
char *arena_strdup(const char *s);
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define NEW(type) ((type *)arena_alloc(sizeof(type)))

/*
 * Free everything, interned names included. Only for harnesses that
 * run the front end many times in one process (the fuzzer).
 */
void arena_reset(void);

/* A growable byte string; buf is always NUL-terminated. */
struct strbuf {
	char *buf;		/* contents */
	size_t len;		/* bytes used, without the NUL */
	size_t cap;		/* bytes allocated */
};

void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, int c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);

/* Intern: equal strings give the same pointer, so names compare with ==. */
const char *intern(const char *s, size_t n);
const char *istr(const char *s);	/* intern a C string */

#endif
