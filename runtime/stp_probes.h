/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_probes.h - the session: probe registration, running handlers,
 * errors, skipped probes and the globals lock.
 *
 * Every handler runs through stp_claim()/stp_release(). Claiming checks
 * that the session is in the state the probe kind runs in, takes this
 * CPU's context (a probe that fires while the context is busy, e.g. a
 * kprobe hit from inside another handler, is skipped and counted) and
 * resets it. Releasing flushes the print buffer, reports the first error
 * of the hit on stderr as "ERROR: <msg> near <loc>" and frees the
 * context. Once more than MAXERRORS errors (or MAXSKIPPED skipped probes)
 * happened, the session goes to STP_SESSION_ERROR: kernel probes stop
 * running, staprun is asked to stop, and "stop" runs the error probes
 * instead of the end probes.
 *
 * A probe that fires while this CPU's context is busy (reentrancy) is
 * skipped and counted apart, as in SystemTap: such skips do not count
 * against MAXSKIPPED. Kernel and timer probes are also timed for overload
 * protection (see STP_OVERLOAD in stp_context.h).
 *
 * "start" (from the ctl file) runs the begin probes in order and then
 * registers the kprobes and kretprobes by symbol name and offset and
 * starts the timers; a probe the kernel refuses is reported and the
 * others keep running. "disarm" unregisters them; "stop" disarms if that
 * was not done, runs end (or error) probes and prints the error and skip
 * counts. All run in process context with the ctl mutex held.
 *
 * Timers: timer.s/ms/us/ns/hz are one hrtimer each (hard interrupt
 * context, so the interrupted registers are c->regs), timer.jiffies one
 * timer_list (softirq, no registers); each re-arms itself with its period
 * plus a uniform random spread of +-randomize. timer.profile is one
 * pinned hrtimer per online CPU firing every tick (TICK_NSEC).
 */
#ifndef STP_PROBES_H
#define STP_PROBES_H

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/hrtimer.h>
#include <linux/timer.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <asm/irq_regs.h>
#include <linux/timex.h>
#include <linux/cpu.h>
#include "stp_context.h"
#include "stp_print.h"
#include "stp_compat.h"

/* One of the per-CPU hrtimers of a timer.profile probe. */
struct stp_ptimer {
	struct hrtimer t;			/* pinned to its CPU */
	const struct stp_probe *probe;		/* the timer.profile entry */
	bool started;				/* hrtimer_start() was done */
};

/* Registration state of one kernel or timer probe of the table. */
struct stp_kprobe {
	union {
		struct kprobe kp;		/* STP_KPROBE */
		struct kretprobe rp;		/* STP_KRETPROBE */
		struct hrtimer hrt;		/* STP_TIMER, period_ns */
		struct timer_list tl;		/* STP_TIMER, period_jiffies */
		struct stp_ptimer *pt;		/* STP_PROFILE: nr_cpu_ids */
		struct tracepoint *tp;		/* STP_TRACEPOINT */
		struct stp_uprobe *up;		/* STP_UPROBE ... STP_PROC_END */
		struct perf_event **pe;		/* STP_PERF: nr_cpu_ids */
	} u;
	const struct stp_probe *probe;		/* its table entry */
	bool registered;			/* kernel accepted it */
};

/* What generated code and the inline functions below use of the core. */
STP_API_VAR atomic_t stp_state;
STP_API_VAR atomic_t stp_skip_reentrant;
STP_API_VAR atomic_t stp_globals_lock;
#ifdef STP_RT_SPLIT
DECLARE_PER_CPU(struct stp_context *, stp_cpu_context);
#endif
STP_API void stp_request_exit(void);
STP_API void stp_fail_session(void);
STP_API __printf(3, 4) void stp_error(struct stp_context *c, const char *loc,
				     const char *fmt, ...);
STP_API bool stp_lock_globals_slow(void);
STP_API void stp_abort(struct stp_context *c);
STP_API void stp_counter_fold(long *g, long __percpu *pcpu);
STP_API void stp_release_slow(struct stp_context *c);
STP_API_VAR const struct stp_module_desc *stp_desc_p;	/* the generated table */

/* How many returns a kretprobe follows at once when the script says not. */
static inline int stp_kretprobe_maxactive(void)
{
	return max_t(int, 10, 2 * num_possible_cpus());
}

#ifdef STP_RT_BODY
STP_API_DEF const struct stp_module_desc *stp_desc_p;
static struct stp_context *stp_contexts;	/* nr_cpu_ids contexts */
static char *stp_frames;			/* nr_cpu_ids frame areas */
static size_t stp_frame_stride;			/* bytes per CPU in stp_frames */
static struct stp_kprobe *stp_kprobes;		/* one per table entry */

STP_API_DEF atomic_t stp_state = ATOMIC_INIT(STP_SESSION_STARTING);
static atomic_t stp_exit_requested;		/* exit() called or errors */
static atomic_t stp_nerrors;			/* errors reported */
static atomic_t stp_nskipped;			/* skips counted against MAXSKIPPED */
static atomic_t stp_skip_lock;			/* of which: globals lock timeout */
STP_API_DEF atomic_t stp_skip_reentrant;		/* context busy; not in stp_nskipped */
static atomic_t stp_overloaded;			/* overload protection tripped */
static bool stp_started;			/* "start" was done */
static bool stp_disarmed;			/* probes were unregistered */
STP_API_DEF atomic_t stp_globals_lock;		/* 1 while a handler has the globals */

#ifndef STP_RT_SPLIT
static
#endif
DEFINE_PER_CPU(struct stp_context *, stp_cpu_context);

/*
 * Kernel and timer probes may run (live) while the session is running
 * and exit() was not called: every context's gate says so (dead), which
 * is what a hit tests. Whatever ends the running state clears it first
 * (stp_request_exit(), stp_fail_session(), "stop", unload). Contexts
 * exist from module init to exit.
 */
static void stp_set_live(int live)
{
	unsigned int cpu;

	if (!stp_contexts)
		return;
	for_each_possible_cpu(cpu)
		WRITE_ONCE(stp_contexts[cpu].dead, !live);
}

/*
 * What exit() does: ask staprun (which polls ctl) to stop the session.
 * From now on no new kernel or timer probe hit runs.
 */
STP_API void stp_request_exit(void)
{
	atomic_set(&stp_exit_requested, 1);
	smp_mb();	/* pairs with stp_go_live() */
	stp_set_live(0);
}

/* The session is running: let kernel probes in, unless exit() came first. */
static void stp_go_live(void)
{
	stp_set_live(1);
	smp_mb();	/* pairs with stp_request_exit() */
	if (atomic_read(&stp_exit_requested))
		stp_set_live(0);
}

/*
 * abort(): exit(), and the current handler ends at once. It unwinds
 * like an error (generated code leaves at the next check of c->error),
 * which try/catch does not catch and release does not report.
 */
STP_API void stp_abort(struct stp_context *c)
{
	stp_request_exit();
	c->aborted = true;
	c->error = "abort()";
	c->error_loc = NULL;
}

/* Too many errors or skips: stop kernel probes and ask for exit. */
STP_API void stp_fail_session(void)
{
	stp_set_live(0);
	atomic_cmpxchg(&stp_state, STP_SESSION_STARTING, STP_SESSION_ERROR);
	atomic_cmpxchg(&stp_state, STP_SESSION_RUNNING, STP_SESSION_ERROR);
	stp_request_exit();
}

static void stp_count_skip(void)
{
	if (atomic_inc_return(&stp_nskipped) == MAXSKIPPED + 1) {
		stp_emit_err("ERROR: Skipped too many probes, check MAXSKIPPED\n");
		stp_fail_session();
	}
}

/*
 * Record a run-time error in the current hit. Only the first one is kept;
 * generated code checks c->error after each call that can fail and skips
 * the rest of the handler.
 */
STP_API __printf(3, 4)
void stp_error(struct stp_context *c, const char *loc, const char *fmt, ...)
{
	va_list ap;

	if (c->error)
		return;
	va_start(ap, fmt);
	vscnprintf(c->errbuf, sizeof(c->errbuf), fmt, ap);
	va_end(ap);
	c->error = c->errbuf;
	c->error_loc = loc;
}

#endif /* STP_RT_BODY */

/*
 * The lock of the script's globals: one flag, taken with one cmpxchg.
 * Only probe handlers take it, with preemption off and this CPU's
 * context claimed, so a nested hit on this CPU (interrupt, NMI) is
 * skipped before it gets here: no deadlock, and no need for a spinlock's
 * preemption and lockdep bookkeeping, nor for turning interrupts off
 * (an interrupt on the holder's CPU delays the other CPUs only by its
 * own length, and its probes are skipped as reentrant either way, since
 * the context stays claimed until after the unlock).
 *
 * A busy lock is tried MAXTRYLOCK more times, TRYLOCKDELAY us apart;
 * false means the lock was not had: the handler must be skipped, and
 * the skip is counted here.
 */
static __always_inline bool stp_trylock_globals(void)
{
	return atomic_cmpxchg_acquire(&stp_globals_lock, 0, 1) == 0;
}

#ifdef STP_RT_BODY
STP_API noinline bool stp_lock_globals_slow(void)
{
	int i;

	for (i = 0; i < MAXTRYLOCK; i++) {
		udelay(TRYLOCKDELAY);
		if (stp_trylock_globals())
			return true;
	}
	atomic_inc(&stp_skip_lock);
	stp_count_skip();
	return false;
}

#endif /* STP_RT_BODY */

static __always_inline bool stp_lock_globals(struct stp_context *c)
{
	return likely(stp_trylock_globals()) || stp_lock_globals_slow();
}

static __always_inline void stp_unlock_globals(void)
{
	atomic_set_release(&stp_globals_lock, 0);
}

#ifdef STP_RT_BODY
/*
 * A per-CPU counter (see find_counters in src/gen.c): add the CPU slots
 * into the global and zero them. Begin, end and error probes do this,
 * with the globals lock held, when no other probe runs.
 */
STP_API void stp_counter_fold(long *g, long __percpu *pcpu)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		long *p = per_cpu_ptr(pcpu, cpu);

		*g += *p;
		*p = 0;
	}
}

#endif /* STP_RT_BODY */

/*
 * Claim this CPU's context for probe p if the session is in state, with
 * the hit's registers (NULL if none) and kprobe address (0 if none).
 * Preemption must be off. NULL means: do not run the handler.
 *
 * Inlined into every handler: this is the cost of each hit. The context
 * is this CPU's and preemption is off, so only an interrupt or NMI on
 * this CPU can come between the test of busy and its setting, and such
 * a nested hit runs to its end (busy back at 0) before this one goes on:
 * a plain flag with compiler barriers is enough, no atomic.
 *
 * Only what every hit sets is stored here. The rest is zero whenever the
 * context is free: the kretprobe fields are cleared by their runner,
 * the error by stp_report_error(), overload_check by the overload check,
 * and nesting comes back to 0 as the functions return.
 */
static __always_inline struct stp_context *
stp_claim(const struct stp_probe *p, int state, struct pt_regs *regs,
	  unsigned long addr)
{
	struct stp_context *c;

	if (state != STP_SESSION_RUNNING &&
	    atomic_read(&stp_state) != state)
		return NULL;
	c = this_cpu_read(stp_cpu_context);
	if (!c)
		__builtin_unreachable();	/* set at load for every CPU */
	if (state != STP_SESSION_RUNNING) {
		if (unlikely(READ_ONCE(c->busy))) {
			atomic_inc(&stp_skip_reentrant);
			return NULL;
		}
	} else if (unlikely(READ_ONCE(c->gate))) {
		/* one test for: busy, not running (dead), overload sample */
		if (READ_ONCE(c->dead))
			return NULL;	/* not yet, or exit() was called */
		if (c->busy) {
			atomic_inc(&stp_skip_reentrant);
			return NULL;
		}
		c->due = 0;
#ifdef STP_OVERLOAD
		c->overload_check = true;
		c->cycles_start = get_cycles();
#endif
	}
	WRITE_ONCE(c->busy, 1);
	barrier();	/* nothing below moves before busy is set */
	c->probe = p;
	c->regs = regs;
	c->probe_addr = addr;
	c->stmt_loc = NULL;	/* the body's first statement may fold */
	c->actions = 0;		/* these stores */
	return c;
}

#ifdef STP_RT_BODY
/*
 * Overload protection (SystemTap's algorithm): add this hit's cycles to
 * the CPU's sum; once an interval has passed, fail the session if the sum
 * went over the threshold, and start a new interval.
 */
static void stp_check_overload(struct stp_context *c)
{
#ifdef STP_OVERLOAD
	u64 now = get_cycles();
	u64 interval;

	c->overload_check = false;

	c->cycles_sum += (now - c->cycles_start) * STP_OVERLOAD_SAMPLE;
	interval = now > c->cycles_base ? now - c->cycles_base :
		   STP_OVERLOAD_INTERVAL + 1;
	if (interval <= STP_OVERLOAD_INTERVAL)
		return;
	if (c->cycles_sum > STP_OVERLOAD_THRESHOLD &&
	    atomic_inc_return(&stp_overloaded) == 1) {
		stp_emit_err("ERROR: probe overhead exceeded threshold\n");
		atomic_inc(&stp_nerrors);
		stp_fail_session();
	}
	c->cycles_base = now;
	c->cycles_sum = 0;
#endif
}

/* The hit's error, reported once the handler is done, and cleared. */
static void stp_report_error(struct stp_context *c)
{
	if (c->aborted) {	/* not an error: nothing to say or count */
		c->aborted = false;
		c->error = NULL;
		return;
	}
	if (c->error_loc)
		stp_emit_err("ERROR: %s near %s\n", c->error, c->error_loc);
	else
		stp_emit_err("ERROR: %s\n", c->error);
	c->error = NULL;
	c->error_loc = NULL;
	if (atomic_inc_return(&stp_nerrors) > MAXERRORS)
		stp_fail_session();
}

/*
 * What a hit may leave to do: output, an error, an overload sample; and
 * every STP_OVERLOAD_SAMPLE-th hit on this CPU, have the next one timed.
 */
STP_API noinline void stp_release_slow(struct stp_context *c)
{
	if (c->len)
		stp_flush(c);
	if (c->error)
		stp_report_error(c);
	if (c->overload_check)
		stp_check_overload(c);
#ifdef STP_OVERLOAD
	if (!(c->hits & (STP_OVERLOAD_SAMPLE - 1)))
		c->due = 1;
#endif
}

#endif /* STP_RT_BODY */

/*
 * After the handler: flush output, report its error, free the context.
 * Inlined like stp_claim(); one test for the rare work, out of line.
 */
static __always_inline void stp_release(struct stp_context *c)
{
#ifdef STP_OVERLOAD
	bool due = !(++c->hits & (STP_OVERLOAD_SAMPLE - 1));
#else
	bool due = false;
#endif

	if (unlikely(c->len | (unsigned long)c->error | c->overload_check |
		     due))
		stp_release_slow(c);
	barrier();	/* everything above is done before busy is cleared */
	WRITE_ONCE(c->busy, 0);
}

/* A kprobe hit running handler (a constant where this is inlined). */
static __always_inline int stp_kprobe_run(struct kprobe *kp,
					  struct pt_regs *regs,
					  void (*handler)(struct stp_context *))
{
	struct stp_kprobe *k = container_of(kp, struct stp_kprobe, u.kp);
	struct stp_context *c;

	c = stp_claim(k->probe, STP_SESSION_RUNNING, regs,
		      (unsigned long)kp->addr);
	if (!c)
		return 0;
	handler(c);
	stp_release(c);
	return 0;
}

/* A kretprobe hit running handler. */
static __always_inline int stp_kretprobe_run(struct kretprobe_instance *ri,
					     struct pt_regs *regs,
					     void (*handler)(struct stp_context *))
{
	struct kretprobe *rp = stp_kretprobe_of(ri);
	struct stp_kprobe *k;
	struct stp_context *c;

	if (!rp)
		return 0;
	k = container_of(rp, struct stp_kprobe, u.rp);
	c = stp_claim(k->probe, STP_SESSION_RUNNING, regs, 0);
	if (!c)
		return 0;
	c->ri = ri;
	c->is_return = 1;
	if (k->probe->entry)
		c->entry_data = ri->data;
	handler(c);
	c->ri = NULL;		/* zero whenever the context is free */
	c->is_return = 0;
	c->entry_data = NULL;
	stp_release(c);
	return 0;
}

/*
 * The handlers kprobes call. gen.c emits STP_KPROBE_HANDLER(fn) (and
 * STP_KRETPROBE_HANDLER) for each probe body on kernel functions: one
 * function that claims, runs fn and releases with no indirect call, so
 * a hit costs little more than the bare kprobe. The generic handlers
 * below run whatever the table says, for entries without one.
 */
#define STP_KPROBE_HANDLER(fn)						\
static int fn##_kp(struct kprobe *kp, struct pt_regs *regs)		\
{									\
	return stp_kprobe_run(kp, regs, fn);				\
}
#define STP_KRETPROBE_HANDLER(fn)					\
static int fn##_krp(struct kretprobe_instance *ri, struct pt_regs *regs) \
{									\
	return stp_kretprobe_run(ri, regs, fn);				\
}

#ifdef STP_RT_BODY
static int stp_kprobe_handler(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *k = container_of(kp, struct stp_kprobe, u.kp);

	return stp_kprobe_run(kp, regs, k->probe->handler);
}

static int stp_kretprobe_handler(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct kretprobe *rp = stp_kretprobe_of(ri);

	if (!rp)
		return 0;
	return stp_kretprobe_run(ri, regs, container_of(rp, struct stp_kprobe,
							u.rp)->probe->handler);
}

/*
 * Entry of a function with a .return probe that reads @entry values:
 * evaluate them into this call's instance data. Non-zero tells kprobes
 * not to watch this return (the values could not be saved).
 */
static int stp_kretprobe_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct kretprobe *rp = stp_kretprobe_of(ri);
	struct stp_kprobe *k;
	struct stp_context *c;

	if (!rp)
		return 1;
	k = container_of(rp, struct stp_kprobe, u.rp);
	c = stp_claim(k->probe, STP_SESSION_RUNNING, regs, 0);
	if (!c)
		return 1;
	memset(ri->data, 0, k->probe->data_size);
	k->probe->entry(c, ri->data);
	stp_release(c);
	return 0;
}

/* A timer or profile hit: run p with regs (may be NULL). */
static void stp_timer_hit(const struct stp_probe *p, struct pt_regs *regs)
{
	struct stp_context *c = stp_claim(p, STP_SESSION_RUNNING, regs, 0);

	if (!c)
		return;
	p->handler(c);
	stp_release(c);
}

/* Should a timer re-arm itself? Not once the session is ending. */
static bool stp_timers_live(void)
{
	return !READ_ONCE(this_cpu_read(stp_cpu_context)->dead);
}

/* period +- spread, uniformly (spread < period, checked by stap). */
static u64 stp_jitter(u64 period, u64 spread)
{
	if (!spread)
		return period;
	return period - spread + get_random_u64() % (2 * spread + 1);
}

static enum hrtimer_restart stp_hrtimer_fn(struct hrtimer *t)
{
	struct stp_kprobe *k = container_of(t, struct stp_kprobe, u.hrt);
	const struct stp_probe *p = k->probe;

	if (!stp_timers_live())
		return HRTIMER_NORESTART;
	stp_timer_hit(p, get_irq_regs());
	hrtimer_forward_now(t, ns_to_ktime(stp_jitter(p->period_ns,
						      p->randomize_ns)));
	return HRTIMER_RESTART;
}

static void stp_jtimer_fn(struct timer_list *t)
{
	struct stp_kprobe *k = container_of(t, struct stp_kprobe, u.tl);
	const struct stp_probe *p = k->probe;

	if (!stp_timers_live())
		return;
	stp_timer_hit(p, NULL);
	mod_timer(t, jiffies + stp_jitter(p->period_jiffies,
					  p->randomize_jiffies));
}

static enum hrtimer_restart stp_profile_fn(struct hrtimer *t)
{
	struct stp_ptimer *pt = container_of(t, struct stp_ptimer, t);

	if (!stp_timers_live())
		return HRTIMER_NORESTART;
	stp_timer_hit(pt->probe, get_irq_regs());
	hrtimer_forward_now(t, ns_to_ktime(TICK_NSEC));
	return HRTIMER_RESTART;
}

/* Runs on the CPU the profile timer belongs to (IPI): start it there. */
static void stp_profile_start_here(void *arg)
{
	struct stp_ptimer *pt = arg;

	hrtimer_start(&pt->t, ns_to_ktime(TICK_NSEC), HRTIMER_MODE_REL_PINNED);
	pt->started = true;
}

/* timer.profile: a pinned hrtimer on every online CPU. */
static int stp_profile_register(struct stp_kprobe *k)
{
	unsigned int cpu;

	k->u.pt = kcalloc(nr_cpu_ids, sizeof(*k->u.pt), GFP_KERNEL);
	if (!k->u.pt)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct stp_ptimer *pt = &k->u.pt[cpu];

		pt->probe = k->probe;
		stp_hrtimer_setup(&pt->t, stp_profile_fn, CLOCK_MONOTONIC,
				  HRTIMER_MODE_REL_PINNED);
		smp_call_function_single(cpu, stp_profile_start_here, pt, 1);
	}
	cpus_read_unlock();
	return 0;
}

static void stp_profile_unregister(struct stp_kprobe *k)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (k->u.pt[cpu].started)
			hrtimer_cancel(&k->u.pt[cpu].t);
	kfree(k->u.pt);
	k->u.pt = NULL;
}

/* Run every probe of kind in .order order (table order among equals). */
static void stp_run_kind(enum stp_probe_kind kind, int state)
{
	const struct stp_probe *probes = stp_desc_p->probes;
	unsigned int n = stp_desc_p->nprobes;
	int last_order = 0, last_idx = -1;
	unsigned int i;

	for (;;) {
		int best = -1;

		/* The next probe after (last_order, last_idx). */
		for (i = 0; i < n; i++) {
			const struct stp_probe *p = &probes[i];

			if (p->kind != kind)
				continue;
			if (last_idx >= 0 && (p->order < last_order ||
			    (p->order == last_order && (int)i <= last_idx)))
				continue;
			if (best < 0 || p->order < probes[best].order)
				best = i;
		}
		if (best < 0)
			break;
		last_order = probes[best].order;
		last_idx = best;

		preempt_disable();
		{
			struct stp_context *c = stp_claim(&probes[best], state,
							  NULL, 0);

			if (c) {
				probes[best].handler(c);
				stp_release(c);
			}
		}
		preempt_enable();
		cond_resched();
	}
}


/* Register one timer probe and start it. */
static int stp_timer_register(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;

	if (p->kind == STP_PROFILE)
		return stp_profile_register(k);
	if (p->period_jiffies > 0) {
		timer_setup(&k->u.tl, stp_jtimer_fn, 0);
		mod_timer(&k->u.tl, jiffies + stp_jitter(p->period_jiffies,
							 p->randomize_jiffies));
		return 0;
	}
	if (p->period_ns <= 0)
		return -EINVAL;
	stp_hrtimer_setup(&k->u.hrt, stp_hrtimer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_REL);
	hrtimer_start(&k->u.hrt, ns_to_ktime(stp_jitter(p->period_ns,
							p->randomize_ns)),
		      HRTIMER_MODE_REL);
	return 0;
}

/* Stop a timer probe; it no longer re-arms (the session is not running). */
static void stp_timer_unregister(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;

	if (p->kind == STP_PROFILE)
		stp_profile_unregister(k);
	else if (p->period_jiffies > 0)
		timer_delete_sync(&k->u.tl);
	else
		hrtimer_cancel(&k->u.hrt);
}

/* kernel.trace probes, in stp_tracepoint.h (it needs stp_claim() from here). */
struct tracepoint;
static int stp_tracepoint_register(const struct stp_probe *p,
				   struct tracepoint **tpp);
static void stp_tracepoint_unregister(const struct stp_probe *p,
				      struct tracepoint *tp);
static void stp_tracepoint_sync(void);

/*
 * process(...) and perf probes: their families (stp_uprobes.h,
 * stp_perf.h), which the desc has when the script uses them.
 */
static const struct stp_family *stp_family_of(const struct stp_probe *p)
{
	switch (p->kind) {
	case STP_UPROBE:
	case STP_URETPROBE:
	case STP_PROC_BEGIN:
	case STP_PROC_END:
		return stp_desc_p->uprobes;
	case STP_PERF:
		return stp_desc_p->perf;
	default:
		return NULL;
	}
}

/*
 * Probes in loadable modules ("module:symbol"), in stp_modules.h: armed
 * now when the module is loaded, else when it comes.
 */
static bool stp_is_module_probe(const struct stp_probe *p);
static void stp_modules_arm(void);
static void stp_modules_disarm(void);

/* Register a kprobe or kretprobe entry; 0 or the kernel's error. */
static int stp_kprobe_arm(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;

	memset(&k->u, 0, sizeof(k->u));
	if (p->kind == STP_KPROBE && !*p->symbol) {
		/* kernel.statement(ADDR).absolute (guru mode) */
		k->u.kp.addr = (kprobe_opcode_t *)p->offset;
		k->u.kp.pre_handler = p->kp_handler ?: stp_kprobe_handler;
		return register_kprobe(&k->u.kp);
	}
	if (p->kind == STP_KPROBE) {
		k->u.kp.symbol_name = p->symbol;
		k->u.kp.offset = p->offset;
		k->u.kp.pre_handler = p->kp_handler ?: stp_kprobe_handler;
		return register_kprobe(&k->u.kp);
	}
	k->u.rp.kp.symbol_name = p->symbol;
	k->u.rp.kp.offset = p->offset;
	k->u.rp.handler = p->rp_handler ?: stp_kretprobe_handler;
	if (p->entry) {
		k->u.rp.entry_handler = stp_kretprobe_entry;
		k->u.rp.data_size = p->data_size;
	}
	k->u.rp.maxactive = p->maxactive ?: stp_kretprobe_maxactive();
	return register_kretprobe(&k->u.rp);
}

/* Unregister it; returns the kretprobe's missed count. */
static int stp_kprobe_disarm(struct stp_kprobe *k)
{
	if (k->probe->kind == STP_KPROBE) {
		unregister_kprobe(&k->u.kp);
		return 0;
	}
	unregister_kretprobe(&k->u.rp);
	return k->u.rp.nmissed;
}

static bool stp_is_armed_kind(enum stp_probe_kind kind)
{
	return kind == STP_KPROBE || kind == STP_KRETPROBE ||
	       kind == STP_TIMER || kind == STP_PROFILE ||
	       kind == STP_TRACEPOINT || kind == STP_UPROBE ||
	       kind == STP_URETPROBE || kind == STP_PROC_BEGIN ||
	       kind == STP_PROC_END || kind == STP_PERF;
}

/* Register every kernel and timer probe; failures are reported, not fatal. */
static void stp_register_probes(void)
{
	unsigned int i;

	for (i = 0; i < stp_desc_p->nprobes; i++) {
		const struct stp_probe *p = &stp_desc_p->probes[i];
		const struct stp_family *f = stp_family_of(p);
		struct stp_kprobe *k = &stp_kprobes[i];
		int rc;

		if (!stp_is_armed_kind(p->kind))
			continue;
		memset(&k->u, 0, sizeof(k->u));
		k->probe = p;
		if (stp_is_module_probe(p))
			continue;	/* stp_modules_arm() below */
		if (p->kind == STP_TIMER || p->kind == STP_PROFILE)
			rc = stp_timer_register(k);
		else if (p->kind == STP_TRACEPOINT)
			rc = stp_tracepoint_register(p, &k->u.tp);
		else if (f)
			rc = f->arm(k);
		else if (p->kind == STP_KPROBE || p->kind == STP_KRETPROBE)
			rc = stp_kprobe_arm(k);
		else
			rc = -EINVAL;	/* a family the desc lacks */
		if (rc) {
			stp_emit_err("WARNING: probe %s registration failed: %d\n",
				     p->pp, rc);
			continue;
		}
		k->registered = true;
	}
	stp_modules_arm();
}

static void stp_unregister_probes(void)
{
	unsigned int i;
	int missed = 0;
	bool tracepoints = false;

	if (!stp_kprobes)
		return;
	stp_modules_disarm();	/* the module probes, and no more come */
	for (i = 0; i < stp_desc_p->nprobes; i++) {
		struct stp_kprobe *k = &stp_kprobes[i];
		const struct stp_family *f;

		if (!k->registered)
			continue;	/* k->probe is set only if armed */
		f = stp_family_of(k->probe);
		if (k->probe->kind == STP_TIMER ||
		    k->probe->kind == STP_PROFILE) {
			stp_timer_unregister(k);
		} else if (k->probe->kind == STP_TRACEPOINT) {
			stp_tracepoint_unregister(k->probe, k->u.tp);
			tracepoints = true;
		} else if (f) {
			f->disarm(k);
		} else {
			missed += stp_kprobe_disarm(k);
		}
		k->registered = false;
	}
	if (tracepoints)
		stp_tracepoint_sync();	/* no CPU is in a callback */
	/* no task or CPU is in a handler of these any more */
	if (stp_desc_p->uprobes && stp_desc_p->uprobes->sync)
		stp_desc_p->uprobes->sync();
	if (stp_desc_p->perf && stp_desc_p->perf->sync)
		stp_desc_p->perf->sync();
	if (missed)
		stp_emit_err("WARNING: Number of missed return probes: %d\n",
			     missed);
}

/* ctl "start": begin probes, then arm the kernel probes. */
static int stp_session_start(void)
{
	if (stp_started)
		return -EBUSY;
	stp_started = true;
	stp_run_kind(STP_BEGIN, STP_SESSION_STARTING);
	if (atomic_cmpxchg(&stp_state, STP_SESSION_STARTING,
			   STP_SESSION_RUNNING) != STP_SESSION_STARTING)
		return 0;	/* errors in begin: nothing to arm */
	stp_go_live();
	if (!atomic_read(&stp_exit_requested) && !stp_disarmed)
		stp_register_probes();
	return 0;
}

/*
 * ctl "disarm": unregister the kernel and timer probes, so staprun can
 * drain what they wrote before the end probes add theirs.
 */
static int stp_session_disarm(void)
{
	if (!stp_disarmed) {
		stp_disarmed = true;
		stp_unregister_probes();
	}
	return 0;
}

/* The end-of-session report on stderr, as SystemTap words it. */
static void stp_report(void)
{
	int errors = atomic_read(&stp_nerrors);
	int skipped = atomic_read(&stp_nskipped);
	int reentrant = atomic_read(&stp_skip_reentrant);
	int lock = atomic_read(&stp_skip_lock);

	if (!errors && !skipped && !reentrant)
		return;
	stp_emit_err("WARNING: Number of errors: %d, skipped probes: %d\n",
		     errors, skipped);
	if (lock)
		stp_emit_err("WARNING: Skipped due to global lock timeout: %d\n",
			     lock);
	if (reentrant)
		stp_emit_err("WARNING: Skipped due to reentrancy: %d\n",
			     reentrant);
	if (skipped > lock)
		stp_emit_err("WARNING: Skipped due to other causes: %d\n",
			     skipped - lock);
}

/* ctl "stop": disarm, run end (or error) probes, report the counts. */
static int stp_session_stop(void)
{
	int old;

	stp_set_live(0);
	stp_session_disarm();
	old = atomic_cmpxchg(&stp_state, STP_SESSION_RUNNING,
			     STP_SESSION_STOPPING);
	if (old == STP_SESSION_STARTING)
		old = atomic_cmpxchg(&stp_state, STP_SESSION_STARTING,
				     STP_SESSION_STOPPING);
	if (old == STP_SESSION_STOPPING || old == STP_SESSION_STOPPED)
		return 0;
	if (old == STP_SESSION_ERROR)
		stp_run_kind(STP_ERROR, STP_SESSION_ERROR);
	else
		stp_run_kind(STP_END, STP_SESSION_STOPPING);
	atomic_set(&stp_state, STP_SESSION_STOPPED);
	stp_report();
	return 0;
}

#endif /* STP_RT_BODY */

#endif /* STP_PROBES_H */
