/*
 * kshim.h - just enough of the kernel API for runtime/ pure-logic
 * headers to build and run in userspace under the sanitizers.
 *
 * A runtime header that wants to be unit-tested includes its kernel
 * headers only under #ifdef __KERNEL__ and this file otherwise. What is
 * here mirrors the kernel's semantics where the headers rely on them:
 * vzalloc() returns zeroed memory, strscpy() always NUL-terminates and
 * returns -E2BIG when it cut the string, div64_s64() truncates toward
 * zero, fls64() numbers bits from 1.
 *
 * struct stp_context is cut down to what the pure-logic code touches:
 * the first error (message and location, as stp_error() keeps it) and
 * an output buffer that stp_printf()/stp_print() append to, so a test
 * can compare printed text exactly. stp_ctx_reset() empties both.
 */
#ifndef STP_KSHIM_H
#define STP_KSHIM_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512	/* as in runtime/stp_context.h */
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define __maybe_unused __attribute__((__unused__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define U32_MAX UINT32_MAX
#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX

static inline void *vzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

static inline void vfree(const void *p)
{
	free((void *)p);
}

/* Kernel strscpy(): bounded copy, always terminated, -E2BIG if cut. */
static inline long strscpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return -E2BIG;
	n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return (long)n;
}

#define stp_strscpy(dst, src, len) strscpy((dst), (src), (len))

static inline s64 div64_s64(s64 a, s64 b)
{
	return a / b;
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

/* Last set bit, counting from 1; 0 for 0. */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

#define STP_SHIM_OUTLEN 65536	/* test output buffer */

/* The part of the runtime's per-CPU context pure-logic code uses. */
struct stp_context {
	const char *error;		/* first error message, or NULL */
	const char *error_loc;		/* its script location */
	char errbuf[256];		/* where error points */
	size_t len;			/* bytes used in buf */
	char buf[STP_SHIM_OUTLEN];	/* all printed text, NUL-ended */
};

static __maybe_unused void stp_ctx_reset(struct stp_context *c)
{
	c->error = NULL;
	c->error_loc = NULL;
	c->len = 0;
	c->buf[0] = '\0';
}

/* Like the runtime's: the first error wins. */
static __maybe_unused __printf(3, 4)
void stp_error(struct stp_context *c, const char *loc, const char *fmt, ...)
{
	va_list ap;

	if (c->error)
		return;
	va_start(ap, fmt);
	vsnprintf(c->errbuf, sizeof(c->errbuf), fmt, ap);
	va_end(ap);
	c->error = c->errbuf;
	c->error_loc = loc;
}

/* Append formatted text; the test buffer is large, overflow aborts. */
static __maybe_unused __printf(2, 3)
int stp_printf(struct stp_context *c, const char *fmt, ...)
{
	size_t room = sizeof(c->buf) - c->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		abort();
	c->len += (size_t)n;
	return n;
}

static __maybe_unused void stp_print(struct stp_context *c, const char *s)
{
	stp_printf(c, "%s", s);
}

#endif /* STP_KSHIM_H */
