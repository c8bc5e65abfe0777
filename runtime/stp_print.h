/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_print.h - the per-CPU print buffer behind print()/printf().
 *
 * Handlers append formatted text to their context's buffer; the runtime
 * flushes it as one stdout record after the handler returns, so the
 * output of one probe hit stays together. When an append does not fit,
 * the buffer is flushed first and the text formatted again into the
 * empty buffer; text longer than the whole buffer is cut.
 */
#ifndef STP_PRINT_H
#define STP_PRINT_H

#include <linux/kernel.h>
#include <linux/string.h>
#include "stp_context.h"
#include "stp_transport.h"

STP_API void stp_flush(struct stp_context *c);
STP_API __printf(2, 3) int stp_printf(struct stp_context *c,
				     const char *fmt, ...);
STP_API void stp_print_bytes(struct stp_context *c, const void *p, size_t n);
STP_API void stp_print(struct stp_context *c, const char *s);

#ifdef STP_RT_BODY
/* Send the buffered text as one stdout record and empty the buffer. */
STP_API void stp_flush(struct stp_context *c)
{
	if (c->len) {
		stp_emit(STP_CHAN_STDOUT, c->buf, c->len);
		c->len = 0;
	}
}

/* printf() with kernel vsnprintf formats; returns the bytes appended. */
STP_API __printf(2, 3)
int stp_printf(struct stp_context *c, const char *fmt, ...)
{
	size_t room = STP_BUFSIZE - c->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, room, fmt, ap);
	va_end(ap);
	if (n < room) {
		c->len += n;
		return n;
	}
	if (c->len) {
		/* Did not fit behind earlier text: flush, then start over. */
		stp_flush(c);
		va_start(ap, fmt);
		n = vsnprintf(c->buf, STP_BUFSIZE, fmt, ap);
		va_end(ap);
	}
	if (n >= STP_BUFSIZE)
		n = STP_BUFSIZE - 1;	/* cut: longer than the buffer */
	c->len = n;
	return n;
}

/* Append n raw bytes (NULs included), flushing when the buffer fills. */
STP_API void stp_print_bytes(struct stp_context *c, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		size_t k = min(n, (size_t)(STP_BUFSIZE - c->len));

		memcpy(c->buf + c->len, s, k);
		c->len += k;
		s += k;
		n -= k;
		if (c->len == STP_BUFSIZE)
			stp_flush(c);
	}
}

/* Append a plain string. */
STP_API void stp_print(struct stp_context *c, const char *s)
{
	stp_print_bytes(c, s, strlen(s));
}

#endif /* STP_RT_BODY */
#endif /* STP_PRINT_H */
