/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_transport.h - records into relay channels on debugfs.
 *
 * All output leaves the module as records in one relay channel with a
 * buffer per possible CPU, visible as /sys/kernel/debug/MODNAME/traceN.
 * A record is a struct stp_rec header followed by len payload bytes,
 * padded with zeros to a multiple of 8 so the next header is aligned.
 * The header carries the output channel (1 stdout, 2 stderr) and a
 * sequence number from one global counter, so staprun can merge the
 * per-CPU files back into the order the records were written.
 *
 * A record is reserved and filled with interrupts off on the writing CPU,
 * so it never straddles a relay sub-buffer and is never interleaved with
 * another record of the same CPU. The channel runs in no-overwrite mode:
 * when staprun falls behind, new records are dropped and counted (records,
 * bytes and the lines they held), and the counts reach staprun through
 * the ctl file so the loss is reported exactly.
 *
 * Module parameters set by staprun: stp_bufsize (MB per CPU, -b or
 * stap -s; 0 keeps STP_N_SUBBUFS * STP_SUBBUF_SIZE) and stp_flight (-F:
 * flight recorder, overwrite mode: the newest output is kept until a
 * staprun attaches, older records are overwritten, not counted).
 * A module built with -DSTP_BULKMODE (stap -b) says so in its .modinfo
 * (stp_bulk=1) and ctl; staprun then writes each CPU to its own file.
 */
#ifndef STP_TRANSPORT_H
#define STP_TRANSPORT_H

#include <linux/relay.h>
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include "stp_compat.h"

#define STP_CHAN_STDOUT 1
#define STP_CHAN_STDERR 2
#define STP_CHAN_SYSTEM 3	/* a command for staprun to run: system() */

/* Header of one record in a relay file. */
struct stp_rec {
	u32 len;		/* payload bytes, padding excluded */
	u16 chan;		/* STP_CHAN_STDOUT, _STDERR or _SYSTEM */
	u16 pad;		/* zero */
	u64 seq;		/* global write order, from 1 */
};

/* Largest payload of one record: it must fit a sub-buffer with its header. */
#define STP_MAXREC (STP_SUBBUF_SIZE - sizeof(struct stp_rec) - 8)

#ifdef STP_BULKMODE
#define STP_BULK 1
#else
#define STP_BULK 0
#endif

STP_API void stp_emit(int chan, const char *data, size_t len);
STP_API __printf(1, 2) void stp_emit_err(const char *fmt, ...);

#ifdef STP_RT_BODY
static struct rchan *stp_chan;		/* the relay channel */
static atomic64_t stp_seq;		/* last sequence number handed out */
static atomic_t stp_dropped;		/* records lost because relay was full */
static atomic64_t stp_dropped_bytes;	/* their payload bytes */
static atomic64_t stp_dropped_lines;	/* newlines in their payloads */

static int stp_bufsize;			/* MB per CPU; 0: the default */
module_param(stp_bufsize, int, 0444);
MODULE_PARM_DESC(stp_bufsize, "relay buffer per CPU in MB (staprun -b)");
static bool stp_flight;			/* flight recorder: overwrite */
module_param(stp_flight, bool, 0444);
MODULE_PARM_DESC(stp_flight, "flight recorder mode (staprun -F)");

#ifdef STP_BULKMODE
MODULE_INFO(stp_bulk, "1");
#endif

/*
 * No-overwrite mode: refuse to start a new sub-buffer while all are full.
 * Flight recorder mode: always go on, overwriting the oldest.
 */
static int stp_subbuf_start(struct rchan_buf *buf, void *subbuf,
			    void *prev_subbuf, size_t prev_padding)
{
	return stp_flight || !relay_buf_full(buf);
}

/* Count a lost record and what it held. */
static void stp_count_drop(const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	long lines = 0;

	while ((p = memchr(p, '\n', end - p))) {
		lines++;
		p++;
	}
	atomic_inc(&stp_dropped);
	atomic64_add(len, &stp_dropped_bytes);
	atomic64_add(lines, &stp_dropped_lines);
}

static struct dentry *stp_create_buf_file(const char *filename,
					  struct dentry *parent, umode_t mode,
					  struct rchan_buf *buf, int *is_global)
{
	struct dentry *d;

	d = debugfs_create_file(filename, 0400, parent, buf,
				&relay_file_operations);
	return stp_dentry_bad(d) ? NULL : d;
}

static int stp_remove_buf_file(struct dentry *dentry)
{
	debugfs_remove(dentry);
	return 0;
}

static const struct rchan_callbacks stp_relay_callbacks = {
	.subbuf_start = stp_subbuf_start,
	.create_buf_file = stp_create_buf_file,
	.remove_buf_file = stp_remove_buf_file,
};

/*
 * Append one record to the current CPU's relay buffer. Callable from any
 * context, probe handlers included; never sleeps. Payloads longer than
 * STP_MAXREC are cut.
 *
 * This is relay_write() done by hand: the record is copied into the
 * sub-buffer first and buf->offset moves past it afterwards, so staprun,
 * reading on another CPU, never sees a reserved but unfilled record (as
 * it could with relay_reserve()). When the sub-buffer is full,
 * relay_switch_subbuf() moves to the next one, or returns 0 when all are
 * full (no-overwrite mode): the record is then dropped and counted.
 */
STP_API void stp_emit(int chan, const char *data, size_t len)
{
	struct rchan_buf *buf;
	struct stp_rec r;
	unsigned long flags;
	size_t padded, total;
	char *dst;

	if (!stp_chan || !len)
		return;
	if (len > STP_MAXREC)
		len = STP_MAXREC;
	padded = ALIGN(len, 8);
	total = sizeof(r) + padded;
	local_irq_save(flags);
	buf = *this_cpu_ptr(stp_chan->buf);
	if (unlikely(buf->offset + total > stp_chan->subbuf_size) &&
	    !relay_switch_subbuf(buf, total)) {
		stp_count_drop(data, len);
		local_irq_restore(flags);
		return;
	}
	r.len = len;
	r.chan = chan;
	r.pad = 0;
	r.seq = atomic64_inc_return(&stp_seq);
	dst = (char *)buf->data + buf->offset;
	memcpy(dst, &r, sizeof(r));
	memcpy(dst + sizeof(r), data, len);
	memset(dst + sizeof(r) + len, 0, padded - len);
	smp_wmb();	/* the record before the offset that publishes it */
	WRITE_ONCE(buf->offset, buf->offset + total);
	local_irq_restore(flags);
}

/* Format a message onto the stderr channel (warnings and errors). */
STP_API __printf(1, 2) void stp_emit_err(const char *fmt, ...)
{
	char msg[STP_ERRLEN];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	stp_emit(STP_CHAN_STDERR, msg, n);
}

/* Open the relay channel "trace" under dir: files trace0..traceN. */
static int stp_transport_open(struct dentry *dir)
{
	size_t n = STP_N_SUBBUFS;

	if (stp_bufsize < 0 || stp_bufsize > 4095)
		return -EINVAL;
	if (stp_bufsize)
		n = max_t(size_t, 2, ((size_t)stp_bufsize << 20) /
				     STP_SUBBUF_SIZE);
	stp_chan = relay_open("trace", dir, STP_SUBBUF_SIZE, n,
			      &stp_relay_callbacks, NULL);
	return stp_chan ? 0 : -ENOMEM;
}

static void stp_transport_close(void)
{
	struct rchan *chan = stp_chan;

	stp_chan = NULL;
	if (chan)
		relay_close(chan);
}

#endif /* STP_RT_BODY */
#endif /* STP_TRANSPORT_H */
