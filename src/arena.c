/*
 * arena.c - bump allocation in large blocks, string buffers, interning.
 *
 * Blocks are chained from a static head so LeakSanitizer sees them as
 * reachable. String buffers grow inside the arena too, so nothing is
 * freed and an early exit on an error leaks nothing; arena_reset() (for
 * the fuzzer) is the only free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "arena.h"

#define BLOCK_SIZE (1 << 20)

struct block {
	struct block *next;	/* older block */
	size_t used;		/* bytes handed out */
	size_t size;		/* bytes in data[] */
	max_align_t data[];	/* the memory */
};

static struct block *head;

static void oom(void)
{
	fprintf(stderr, "stap: out of memory\n");
	exit(2);
}

void *arena_alloc(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!head || head->used + size > head->size) {
		size_t n = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		struct block *b = calloc(1, sizeof(*b) + n);

		if (!b)
			oom();
		b->size = n;
		b->next = head;
		head = b;
	}
	void *p = (char *)head->data + head->used;

	head->used += size;
	return p;
}

char *arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);

	memcpy(p, s, n);
	return p;
}

char *arena_strdup(const char *s)
{
	return arena_strndup(s, strlen(s));
}

char *arena_printf(const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	return sb.buf ? sb.buf : arena_strdup("");
}

static void grow(struct strbuf *sb, size_t need)
{
	if (sb->len + need + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap * 2 : 256;

	while (cap < sb->len + need + 1)
		cap *= 2;
	char *p = arena_alloc(cap);

	if (sb->len)
		memcpy(p, sb->buf, sb->len);
	sb->buf = p;
	sb->cap = cap;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, int c)
{
	char ch = (char)c;

	sb_add(sb, &ch, 1);
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);

	va_end(ap2);
	grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* Open-addressing hash set of interned strings. */
static const char **itab;
static size_t icap, icount;

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

const char *intern(const char *s, size_t n)
{
	if (icount * 2 >= icap) {
		size_t ncap = icap ? icap * 2 : 1024;
		const char **nt = arena_alloc(ncap * sizeof(*nt));

		for (size_t i = 0; i < icap; i++) {
			if (!itab[i])
				continue;
			size_t j = hash(itab[i], strlen(itab[i])) & (ncap - 1);

			while (nt[j])
				j = (j + 1) & (ncap - 1);
			nt[j] = itab[i];
		}
		itab = nt;
		icap = ncap;
	}
	size_t j = hash(s, n) & (icap - 1);

	while (itab[j]) {
		if (strlen(itab[j]) == n && !memcmp(itab[j], s, n))
			return itab[j];
		j = (j + 1) & (icap - 1);
	}
	itab[j] = arena_strndup(s, n);
	icount++;
	return itab[j];
}

const char *istr(const char *s)
{
	return intern(s, strlen(s));
}

void arena_reset(void)
{
	while (head) {
		struct block *b = head;

		head = b->next;
		free(b);
	}
	itab = NULL;
	icap = 0;
	icount = 0;
}
