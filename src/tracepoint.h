/*
 * tracepoint.h - the target kernel's tracepoints, for kernel.trace("...").
 * Input: a kernel release. Output: every tracepoint of the kernel image
 * with its system ("sched") and its arguments (names, C types, sizes),
 * glob matching, the typing of $name / $$parms in a tracepoint probe,
 * and the C callback a tracepoint calls.
 * Reads the BTF and data of the -dbg vmlinux (libelf); never prints.
 */
#ifndef TRACEPOINT_H
#define TRACEPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

/* One argument of a tracepoint, after its hidden "void *__data". */
struct tp_arg {
	const char *name;	/* as in TP_PROTO: "prev" */
	const char *type;	/* C type for stap -L: "struct file*" */
	int size;		/* bytes in the register: 1, 2, 4 or 8 */
	bool is_signed;		/* sign-extend when narrower than 8 */
	unsigned int btf_id;	/* its BTF type, for ->member */
};

struct tracepoint {
	const char *name;	/* "sched_switch" */
	bool func;		/* a kernel function at its entry, from BTF
				 * (tracepoint_func): arguments in the
				 * calling convention's registers */
	const char *system;	/* "sched"; "" for a bare tracepoint */
	int nargs;		/* entries in args */
	struct tp_arg *args;	/* in call order */
	const void *btf;	/* kernel BTF (tracepoint.c), for -> */
};

struct tp_table {
	const char *release;	/* kernel it describes */
	const char *source;	/* file read, for messages */
	struct tracepoint *tps;	/* sorted by name */
	size_t n;		/* entries */
	const void *btf;	/* the kernel's BTF, for tracepoint_func() */
};

/*
 * Load the tracepoints of RELEASE. Returns 0, or -1 with a one-line
 * reason (naming the package to install) in err.
 */
int tracepoint_load(const char *release, struct tp_table *t, char *err,
		    size_t errlen);

/*
 * Call fn for each tracepoint that PATTERN names: "NAME" or
 * "SYSTEM:NAME", each part a shell glob. Returns the number of matches.
 */
size_t tracepoint_match(const struct tp_table *t, const char *pattern,
			void (*fn)(const struct tracepoint *tp, void *arg),
			void *arg);

/*
 * Type the target expression n ($name, $name->member[i]..., $$parms) of
 * a probe on tp and set n->str to the C that reads it: a long from the
 * context's tracepoint arguments, or memory they point to (members found
 * in BTF, read fault-tolerantly; errors name loc); a char array or $$parms
 * is a string. Returns TY_UNKNOWN with a message in *err otherwise.
 */
enum type tracepoint_target(const struct tracepoint *tp, struct node *n,
			    const char *loc, const char **err);

/*
 * The parameters of kernel function NAME from the BTF of t, as a
 * tracepoint whose arguments are read from the registers at the
 * function's entry (going beyond SystemTap: $param and $param->member
 * without DWARF). Parameters after one that is not passed in a register
 * of its own (a struct by value) are left out. NULL when BTF has no
 * such function.
 */
const struct tracepoint *tracepoint_func(const struct tp_table *t,
					 const char *name);

/* " $prev:struct task_struct* $next:..." for stap -L. */
const char *tracepoint_list_vars(const struct tracepoint *tp);

/*
 * The C definition of the callback the kernel calls for tp:
 *   static void NAME(void *data, unsigned long a0, ...)
 * which narrows each argument to its size and hands them, with data
 * (the probe's table entry), to the runtime's stp_tracepoint_hit().
 */
const char *tracepoint_callback(const struct tracepoint *tp,
				const char *name);

#endif
