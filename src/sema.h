/*
 * sema.h - elaboration: resolve probe points, names and types.
 * Input: the AST from parse.h and the session. Output: the same AST,
 * annotated (types, symbols, callees, used functions), and the list of
 * concrete probes to register.
 * Never prints C; reads the target kernel's symbol table (ksym.h).
 */
#ifndef SEMA_H
#define SEMA_H

#include <stdint.h>

#include "ast.h"
#include "session.h"

struct dwarf_point;
struct dwarf_session;
struct regex;
struct tracepoint;

enum rprobe_kind {
	RP_BEGIN,
	RP_END,
	RP_ERROR,
	RP_KPROBE,
	RP_KRETPROBE,
	RP_TIMER,		/* timer.ms(N) ...: period_ns or period_jiffies */
	RP_PROFILE,		/* timer.profile: every tick on every CPU */
	RP_TRACEPOINT,		/* kernel.trace("NAME"): symbol is the name */
	RP_UPROBE,		/* process("PATH").function("NAME"): symbol
				 * is PATH, offset the function's in the file */
	RP_URETPROBE,		/* the same, .return */
	RP_PROC_BEGIN,		/* process[("PATH")].begin: symbol is PATH
				 * or NULL */
	RP_PROC_END,		/* process[("PATH")].end */
	RP_PROCFS_READ,		/* procfs("PATH").read: symbol is PATH,
				 * offset the buffer size (0: MAXSTRINGLEN) */
	RP_PROCFS_WRITE,	/* procfs("PATH").write */
	RP_PERF,		/* perf.type(T).config(C).sample(N): a perf
				 * event counter on every CPU */
};

/* One concrete probe the module registers or runs. */
struct rprobe {
	struct probe *probe;	/* whose handler runs */
	enum rprobe_kind kind;
	const char *pp;		/* canonical point, what pp() returns */
	const char *from;	/* the point as written, for -p2 */
	const char *symbol;	/* kprobe symbol_name */
	uint64_t offset;	/* kprobe offset from symbol */
	const char *func;	/* function name for probefunc() */
	struct dwarf_point *dw;	/* debuginfo of the place (dwarf.h), or NULL */
	const char *build_id;	/* module probes: the debuginfo's, hex;
				 * process probes: the program's */
	uint64_t build_id_off;	/* process probes: the note's file offset */
	const struct tracepoint *tp;	/* kernel.trace: its tracepoint, or NULL */
	const struct tracepoint *btf_fn;	/* a function at entry without
					 * DWARF: its BTF parameters, or NULL */
	int64_t order;		/* begin(N) / end(N) */
	int64_t period_ns, randomize_ns;	/* hrtimer timers */
	int64_t period_jiffies, randomize_jiffies;	/* timer.jiffies */
	int64_t maxactive;	/* kretprobe: .maxactive(N), 0 for the default */
	int mode;		/* procfs: the permission bits it adds */
	int64_t perf_type, perf_sample;	/* perf: event type, sample period */
	uint64_t perf_config;	/* perf: the event of that type */
	struct rprobe *next;
};

struct program {
	struct script *script;	/* annotated AST */
	struct rprobe *rprobes;	/* in registration order */
	int nrprobes;
	int nprobes;		/* probes with at least one point */
	int nfuncs;		/* functions used */
	int nglobals;
	const char *ksym_source;	/* symbol table used, or NULL */
	struct dwarf_session *dw;	/* debuginfo opened, or NULL */
	struct regex **regexes;	/* =~ patterns (ere.h); a node's num is
				 * its index + 1 */
	int nregexes;
};

/*
 * Elaborate. Returns 0, or -1 after reporting errors (up to 20).
 */
int sema_check(const struct session *ss, struct script *s,
	       struct program *prog);

/* Print the resolved program (stap -p2). */
void sema_print(FILE *out, const struct program *prog);

/* The same, plus each probe's and function's locals (--dump=sema). */
void sema_dump(FILE *out, const struct program *prog);

/*
 * For stap -L: " name:type ..." of the variables an alias sets, in the
 * order it sets them, for a probe expanded from an alias (else "").
 */
const char *sema_alias_vars(const struct probe *pr);

/* Builtin output functions handled by the translator itself. */
bool sema_is_builtin(const char *name);

#endif
