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

/* Send the buffered text as one stdout record and empty the buffer. */
static void stp_flush(struct stp_context *c)
{
	if (c->len) {
		stp_emit(STP_CHAN_STDOUT, c->buf, c->len);
		c->len = 0;
	}
}

/* printf() with kernel vsnprintf formats; returns the bytes appended. */
static __maybe_unused __printf(2, 3)
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

/* Append a plain string. */
static __maybe_unused void stp_print(struct stp_context *c, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		size_t room = STP_BUFSIZE - c->len;
		size_t k = min(n, room);

		memcpy(c->buf + c->len, s, k);
		c->len += k;
		s += k;
		n -= k;
		if (c->len == STP_BUFSIZE)
			stp_flush(c);
	}
}

#endif /* STP_PRINT_H */
