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
 * when staprun falls behind, new records are dropped and counted.
 */
#ifndef STP_TRANSPORT_H
#define STP_TRANSPORT_H

#include <linux/relay.h>
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include "stp_compat.h"

#define STP_CHAN_STDOUT 1
#define STP_CHAN_STDERR 2

/* Header of one record in a relay file. */
struct stp_rec {
	u32 len;		/* payload bytes, padding excluded */
	u16 chan;		/* STP_CHAN_STDOUT or STP_CHAN_STDERR */
	u16 pad;		/* zero */
	u64 seq;		/* global write order, from 1 */
};

/* Largest payload of one record: it must fit a sub-buffer with its header. */
#define STP_MAXREC (STP_SUBBUF_SIZE - sizeof(struct stp_rec) - 8)

static struct rchan *stp_chan;		/* the relay channel */
static atomic64_t stp_seq;		/* last sequence number handed out */
static atomic_t stp_dropped;		/* records lost because relay was full */

/* No-overwrite mode: refuse to start a new sub-buffer while all are full. */
static int stp_subbuf_start(struct rchan_buf *buf, void *subbuf,
			    void *prev_subbuf, size_t prev_padding)
{
	return !relay_buf_full(buf);
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
 */
static void stp_emit(int chan, const char *data, size_t len)
{
	struct stp_rec *r;
	unsigned long flags;
	size_t padded;

	if (!stp_chan || !len)
		return;
	if (len > STP_MAXREC)
		len = STP_MAXREC;
	padded = ALIGN(len, 8);
	local_irq_save(flags);
	r = relay_reserve(stp_chan, sizeof(*r) + padded);
	if (r) {
		r->len = len;
		r->chan = chan;
		r->pad = 0;
		r->seq = atomic64_inc_return(&stp_seq);
		memcpy(r + 1, data, len);
		memset((char *)(r + 1) + len, 0, padded - len);
	} else {
		atomic_inc(&stp_dropped);
	}
	local_irq_restore(flags);
}

/* Format a message onto the stderr channel (warnings and errors). */
static __printf(1, 2) void stp_emit_err(const char *fmt, ...)
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
	stp_chan = relay_open("trace", dir, STP_SUBBUF_SIZE, STP_N_SUBBUFS,
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

#endif /* STP_TRANSPORT_H */
