/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_tracepoint.h - kernel.trace("NAME") probes.
 *
 * A tracepoint calls each registered probe as
 * probe(void *data, TP_PROTO args...). The translator (src/tracepoint.c)
 * generates one such callback per tracepoint probe, with the right number
 * of arguments, each narrowed to its type's size; the callback hands
 * them to stp_tracepoint_hit() with data = the probe's table entry.
 * stp_tracepoint_hit() claims the CPU's context like every other probe,
 * keeps the arguments where stp_tp_arg() ($name in the script) finds
 * them, and runs the handler. Tracepoint probes run with preemption off
 * (the tracepoint holds rcu_read_lock_sched or SRCU with preemption
 * disabled around the call on our kernels).
 *
 * Registration is by name: for_each_kernel_tracepoint() finds the
 * struct tracepoint of the kernel image (both it and
 * tracepoint_probe_register() are exported). After unregistering,
 * tracepoint_synchronize_unregister() waits until no CPU can still be
 * in a callback, before the module's code and data go away.
 */
#ifndef STP_TRACEPOINT_H
#define STP_TRACEPOINT_H

#include <linux/tracepoint.h>
#include <linux/percpu.h>
#include "stp_probes.h"

#ifndef STP_TP_MAXARGS
#define STP_TP_MAXARGS 16	/* arguments a tracepoint may have */
#endif

/* The arguments of the tracepoint hit being handled, per CPU. */
struct stp_tp_args {
	unsigned long a[STP_TP_MAXARGS];	/* narrowed, in order */
	int n;					/* how many */
};

STP_API unsigned long stp_tp_arg(struct stp_context *c, int i);
STP_API void stp_tracepoint_hit(void *data, const unsigned long *args, int n);

#ifdef STP_RT_BODY
static DEFINE_PER_CPU(struct stp_tp_args, stp_tp_args);

/*
 * $name of a tracepoint probe: argument i of the current hit. Only the
 * handler that owns this CPU's context reads it, so no other hit can
 * change it meanwhile.
 */
STP_API unsigned long stp_tp_arg(struct stp_context *c, int i)
{
	struct stp_tp_args *ta = this_cpu_ptr(&stp_tp_args);

	return i < ta->n ? ta->a[i] : 0;
}

/* Called by the generated callbacks: run the probe p for one hit. */
STP_API void stp_tracepoint_hit(void *data, const unsigned long *args, int n)
{
	const struct stp_probe *p = data;
	struct stp_tp_args *ta;
	struct stp_context *c;

	c = stp_claim(p, STP_SESSION_RUNNING, NULL, 0);
	if (!c)
		return;
	ta = this_cpu_ptr(&stp_tp_args);
	ta->n = min(n, STP_TP_MAXARGS);
	memcpy(ta->a, args, ta->n * sizeof(*args));
	p->handler(c);
	ta->n = 0;
	stp_release(c);
}

/* What stp_tracepoint_find() looks for, and what it found. */
struct stp_tp_lookup {
	const char *name;		/* tracepoint name */
	struct tracepoint *tp;		/* result */
};

static void stp_tp_visit(struct tracepoint *tp, void *priv)
{
	struct stp_tp_lookup *l = priv;

	if (!l->tp && !strcmp(tp->name, l->name))
		l->tp = tp;
}

/* The kernel image's tracepoint called name, or NULL. */
static __maybe_unused struct tracepoint *stp_tracepoint_find(const char *name)
{
	struct stp_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(stp_tp_visit, &l);
	return l.tp;
}

/*
 * Attach p's callback (p->tp_func) to the tracepoint p->symbol; *tpp
 * gets the tracepoint for stp_tracepoint_unregister(). 0 or -errno.
 */
static int stp_tracepoint_register(const struct stp_probe *p,
						  struct tracepoint **tpp)
{
	struct tracepoint *tp = stp_tracepoint_find(p->symbol);
	int rc;

	*tpp = NULL;
	if (!tp)
		return -ENOENT;
	rc = tracepoint_probe_register(tp, p->tp_func, (void *)p);
	if (rc)
		return rc;
	*tpp = tp;
	return 0;
}

static void stp_tracepoint_unregister(const struct stp_probe *p,
						     struct tracepoint *tp)
{
	if (tp)
		tracepoint_probe_unregister(tp, p->tp_func, (void *)p);
}

/* After unregistering: no CPU is in a callback any more. */
static void stp_tracepoint_sync(void)
{
	tracepoint_synchronize_unregister();
}

#endif /* STP_RT_BODY */
#endif /* STP_TRACEPOINT_H */
