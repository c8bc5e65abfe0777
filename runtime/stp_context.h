/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_context.h - tunables, the probe table types and the per-CPU context.
 *
 * A generated module describes its probes in a table of struct stp_probe
 * and hands it to the runtime in a struct stp_module_desc. Every probe
 * hit runs its handler with a struct stp_context: there is exactly one
 * per possible CPU, allocated at module init, so handlers never allocate.
 * The context also carries the CPU's print buffer and the "frames" area
 * where generated code keeps probe locals and function arguments
 * (desc->frames_size bytes per CPU).
 *
 * The session moves through the states below; a probe handler only runs
 * when the session is in the state its kind expects (begin in STARTING,
 * kernel probes in RUNNING, end in STOPPING, error probes in ERROR).
 */
#ifndef STP_CONTEXT_H
#define STP_CONTEXT_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/kallsyms.h>

/* Tunables: override any of them with -DNAME=value (stap -D NAME=value). */
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512	/* bytes in a script string, NUL included */
#endif
#ifndef MAXACTION
#define MAXACTION 1000		/* statements per probe hit (checked by generated code) */
#endif
#ifndef MAXNESTING
#define MAXNESTING 10		/* script function call depth */
#endif
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 100		/* tries of the globals lock before skipping */
#endif
#ifndef TRYLOCKDELAY
#define TRYLOCKDELAY 10		/* microseconds between those tries */
#endif
#ifndef MAXERRORS
#define MAXERRORS 0		/* errors tolerated before the session ends */
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100		/* skipped probes tolerated before the session ends */
#endif
#ifndef STP_BUFSIZE
#define STP_BUFSIZE 8192	/* per-CPU print buffer */
#endif
#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20		/* frames printed by a backtrace */
#endif
#ifndef STP_SUBBUF_SIZE
#define STP_SUBBUF_SIZE 65536	/* relay sub-buffer; a record must fit in one */
#endif
#ifndef STP_N_SUBBUFS
#define STP_N_SUBBUFS 32	/* relay sub-buffers per CPU: 2 MB */
#endif

/*
 * Overload protection, as SystemTap: on each CPU, once every
 * STP_OVERLOAD_INTERVAL cycles, the session ends with an error if kernel
 * and timer probes took more than STP_OVERLOAD_THRESHOLD cycles of that
 * interval. -DSTP_NO_OVERLOAD turns it off.
 *
 * Reading the cycle counter twice per hit is a large part of a cheap
 * probe's cost, so only every STP_OVERLOAD_SAMPLE-th hit on a CPU is
 * timed and counts STP_OVERLOAD_SAMPLE times: a probe that eats the CPU
 * does so on most of its hits, and the estimate is as good as the
 * measure for any load that lasts a whole interval. A power of two;
 * -DSTP_OVERLOAD_SAMPLE=1 times every hit.
 */
#ifndef STP_OVERLOAD_INTERVAL
#define STP_OVERLOAD_INTERVAL 1000000000LL
#endif
#ifndef STP_OVERLOAD_THRESHOLD
#define STP_OVERLOAD_THRESHOLD 500000000LL
#endif
#ifndef STP_OVERLOAD_SAMPLE
#define STP_OVERLOAD_SAMPLE 16
#endif
#if !defined(STP_NO_OVERLOAD) && !defined(STAP_NO_OVERLOAD)
#define STP_OVERLOAD
#endif

#define STP_ERRLEN 256		/* bytes of a formatted error message */

/* What a probe is attached to. */
enum stp_probe_kind {
	STP_BEGIN,		/* runs on "start", before kernel probes are armed */
	STP_END,		/* runs on "stop", unless errors ended the session */
	STP_ERROR,		/* runs on "stop" instead of end, after errors */
	STP_KPROBE,		/* kernel.function("x") / .statement */
	STP_KRETPROBE,		/* kernel.function("x").return */
	STP_TIMER,		/* timer.s/ms/us/ns/hz/jiffies: one timer */
	STP_PROFILE,		/* timer.profile: every tick on every CPU */
	STP_TRACEPOINT,		/* kernel.trace("name"): .symbol names it */
	STP_UPROBE,		/* process("path").function("x"): .symbol
				 * is the path, .offset the file offset */
	STP_URETPROBE,		/* process("path").function("x").return */
	STP_PROC_BEGIN,		/* process[("path")].begin: .symbol is the
				 * path, or NULL for every process */
	STP_PROC_END,		/* process[("path")].end */
	STP_PROCFS_READ,	/* procfs("path").read: .symbol is the path,
				 * .offset the buffer size (0: MAXSTRINGLEN) */
	STP_PROCFS_WRITE,	/* procfs("path").write */
	STP_PERF,		/* perf.type(T).config(C): a perf counter on
				 * every CPU, run every .perf_sample events */
};

/* Session states, in the order a session goes through them. */
enum stp_session_state {
	STP_SESSION_STARTING,	/* loaded; begin probes run here */
	STP_SESSION_RUNNING,	/* kernel probes fire */
	STP_SESSION_ERROR,	/* MAXERRORS exceeded: probes off, exit requested */
	STP_SESSION_STOPPING,	/* end probes run here */
	STP_SESSION_STOPPED,	/* everything flushed; waiting for rmmod */
};

struct stp_context;
struct kprobe;
struct kretprobe_instance;
struct pt_regs;

/* One entry of the generated probe table. */
struct stp_probe {
	enum stp_probe_kind kind;	/* what it attaches to */
	const char *pp;			/* probe point as written, for messages */
	const char *symbol;		/* kallsyms name kprobes resolves */
	unsigned long offset;		/* byte offset from symbol */
	const char *func;		/* what probefunc() returns */
	void (*handler)(struct stp_context *c);	/* generated body */
	int order;			/* begin/end/error: run order, low first */
	int64_t period_ns;		/* STP_TIMER on an hrtimer: period */
	int64_t randomize_ns;		/* +- this much, uniformly */
	long period_jiffies;		/* STP_TIMER on a timer_list (jiffies) */
	long randomize_jiffies;		/* +- this many jiffies */
	/* STP_KRETPROBE reading @entry values: saved at function entry */
	void (*entry)(struct stp_context *c, void *data);
	size_t data_size;		/* bytes of saved values per call */
	int maxactive;			/* STP_KRETPROBE: .maxactive(N), or 0 */
	void *tp_func;			/* STP_TRACEPOINT: generated callback */
	const char *build_id;		/* module probes: debuginfo's, hex;
					 * process probes: the program's */
	unsigned long build_id_off;	/* process probes: file offset of
					 * the build id note */
	/* STP_KPROBE/STP_KRETPROBE: a handler made for this probe's body
	 * (STP_KPROBE_HANDLER), NULL for the generic one */
	int (*kp_handler)(struct kprobe *kp, struct pt_regs *regs);
	int (*rp_handler)(struct kretprobe_instance *ri, struct pt_regs *regs);
	unsigned int mode;		/* procfs: the file mode bits it adds */
	u32 perf_type;			/* perf: perf_event_attr .type, */
	u64 perf_config;		/* .config */
	u64 perf_sample;		/* and .sample_period */
};

/*
 * A probe family the core reaches through pointers, so that a module
 * carries (and imports the kernel symbols of) only the families its
 * script uses: the generated desc points at those, each defined in its
 * header (stp_uprobes.h, stp_perf.h, stp_procfs.h), which the generated
 * C includes only then. Any pointer may be NULL.
 */
struct stp_kprobe;
struct stp_module_desc;
struct stp_family {
	int (*arm)(struct stp_kprobe *k);	/* register one probe */
	void (*disarm)(struct stp_kprobe *k);	/* unregister it */
	void (*sync)(void);	/* after disarming: no handler runs */
	int (*start)(const struct stp_module_desc *desc);	/* module init */
	void (*stop)(void);	/* module exit (also after a failed init) */
};

/* What the generated module hands to stp_module_init(). */
struct stp_module_desc {
	const char *script;		/* script file name, for messages */
	const struct stp_probe *probes;	/* the probe table */
	unsigned int nprobes;		/* entries in probes */
	size_t frames_size;		/* sizeof(struct stp_frames) */
	bool modules;			/* module probes or globals: arm the
					 * module notifier (stp_modules.h) */
	const struct stp_family *uprobes;	/* process(...) probes */
	const struct stp_family *perf;		/* perf.* probes */
	const struct stp_family *procfs;	/* procfs(...) probes */
};

/* Per-CPU probe context; the fields up to "frames" are for generated code. */
struct stp_context {
	const struct stp_probe *probe;	/* probe being run: pp, func */
	struct pt_regs *regs;		/* NULL in begin/end/error */
	void *entry_data;		/* .return: the @entry values */
	struct kretprobe_instance *ri;	/* set in .return probes */
	int is_return;			/* 1 in .return probes */
	const char *error;		/* set by stp_error(), first one wins */
	const char *error_loc;		/* "file.stp:3:5" */
	const char *stmt_loc;		/* the user statement running, for
					 * errors raised inside tapsets */
	long actions;			/* statements run in this hit */
	int nesting;			/* function call depth */
	bool aborted;			/* abort(): error is set, not catchable */
	char *procfs_buf;		/* procfs probes: $value, else NULL */
	size_t procfs_size;		/* its bytes, NUL included */
	void *frames;			/* frames_size bytes, this CPU's */

	/* Private to the runtime from here on. */
	/*
	 * What keeps a kernel or timer probe hit from simply running, in
	 * one word that each hit tests once (stp_claim()): busy (a handler
	 * owns the context; only this CPU writes it), dead (kernel probes
	 * must not run: the session is not running, or exit() was called;
	 * written by any CPU, see stp_set_live()) and due (time this hit for
	 * overload protection; set by the release of the hit before).
	 */
	union {
		struct {
			u8 busy;
			u8 dead;
			u8 due;
		};
		u32 gate;
	};
	unsigned int hits;		/* hits on this CPU, for sampling */
	unsigned long probe_addr;	/* kprobe address, 0 if not a kprobe */
	bool overload_check;		/* count this hit against overload */
	u64 cycles_start;		/* get_cycles() when the hit began */
	u64 cycles_base;		/* start of this CPU's overload interval */
	u64 cycles_sum;			/* cycles spent in probes since then */
	unsigned int len;		/* bytes used in buf */
	char errbuf[STP_ERRLEN];	/* where error points after stp_error() */
	char symbuf[KSYM_SYMBOL_LEN];	/* scratch for symbol names */
	char buf[STP_BUFSIZE];		/* print buffer, flushed to relay chan 1 */
};

#endif /* STP_CONTEXT_H */
