/*
 * dwarf.h - debuginfo through libdw: probe points by source location,
 * prologue analysis, and target variables translated into C.
 * Input: a kernel release (and module names), probe point specs, and
 * N_TARGET nodes of the AST. Output: concrete probe addresses as
 * symbol+offset, and C templates that read pt_regs and memory through
 * runtime/stp_deref.h.
 * Reads /usr/lib/debug; never prints diagnostics itself: every failure
 * comes back as a message for the caller (sema.c) to report.
 */
#ifndef DWARF_H
#define DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "ksym.h"

struct dwarf_session;		/* opened debuginfo files, by module */
struct dwarf_point;		/* one resolved probe address (opaque) */

/* What a kernel.function / kernel.statement / module(...) point asks. */
struct dwarf_spec {
	const char *module;	/* NULL: the kernel; else a module glob */
	const char *func;	/* function glob */
	const char *file;	/* source file glob, or NULL */
	int line_lo, line_hi;	/* line range; 0 none; :* is 1..INT_MAX */
	bool rel_line;		/* "+N": relative to the declaration line */
	bool statement;		/* .statement: probe lines, not functions */
	bool call;		/* .call: out-of-line instances only */
	bool inline_only;	/* .inline: inlined instances only */
	bool ret;		/* .return: kretprobe at the entry */
	bool exported;		/* .exported: EXPORT_SYMBOL'd only */
	bool entry;		/* function probes at the entry pc, not after
				 * the prologue (no target variables read) */
};

/*
 * Split "func[@file[:line|:N-M|:*|+N]]" into sp->func, file and lines
 * (the other fields are left alone). Returns 0, or -1 with *err set.
 */
int dwarf_parse_spec(const char *pattern, struct dwarf_spec *sp,
		     const char **err);

/* What a resolved point tells sema.c for its struct rprobe. */
struct dwarf_place {
	const char *pp;		/* kernel.function("f@file:line")... */
	const char *func;	/* function name, for probefunc() */
	const char *symbol;	/* kprobe symbol_name: "f", "_stext" */
	uint64_t offset;	/* kprobe offset from symbol */
	uint64_t addr;		/* link-time address probed */
	struct dwarf_point *pt;	/* for dwarf_target() */
	const char *build_id;	/* a module's, in hex, or NULL */
};

/*
 * Open the debuginfo of RELEASE lazily; ksyms (may be NULL) is the
 * kernel's probeable symbol table, which filters out what kprobes
 * refuses and names the symbol each address is probed from.
 */
struct dwarf_session *dwarf_new(const char *release,
				const struct ksym_table *ksyms);

/*
 * Keep each debuginfo file's function index (which compile unit
 * defines which functions) under DIR/dwarf/BUILD-ID.idx, built on first
 * use, so later resolutions open only the CUs that can match.
 */
void dwarf_set_cache(struct dwarf_session *ds, const char *dir);

/* Did a target expression read a module's global (stp_modules.h)? */
bool dwarf_uses_module_addrs(const struct dwarf_session *ds);

/* What the index did in this run ("built ...", "...: N CUs"), or NULL. */
const char *dwarf_index_note(const struct dwarf_session *ds);

/* Give the session the kernel's symbol table once it is loaded. */
void dwarf_use_ksyms(struct dwarf_session *ds, const struct ksym_table *ksyms);

/*
 * Is there debuginfo for the kernel (module NULL) or a module? When not,
 * err says which package to install.
 */
bool dwarf_available(struct dwarf_session *ds, const char *module,
		     char *err, size_t errlen);

/*
 * kprobe.module("M").function("F"): call fn for each function symbol
 * matching F of each module matching M (found as module(...) finds
 * them, but read from the symbol table only: no DWARF needed). Returns
 * the number of calls, or -1 with err when no module file matches.
 */
int dwarf_module_funcs(struct dwarf_session *ds, const char *module,
		       const char *func,
		       void (*fn)(const char *kname, const char *name,
				  void *arg),
		       void *arg, char *err, size_t errlen);

/*
 * Call fn for every probe place that spec matches, in address order
 * within each file. Returns the number of places, or -1 with the reason
 * in err.
 */
int dwarf_resolve(struct dwarf_session *ds, const struct dwarf_spec *spec,
		  void (*fn)(const struct dwarf_place *pl, void *arg),
		  void *arg, char *err, size_t errlen);

/*
 * Type a target expression (N_TARGET: $var, $var->f[i], $$parms,
 * $var$, &$var, $return, @cast, @var) at point pt (NULL outside kernel
 * probes) and set n->str to a C template for gen.c: an expression that
 * may use `c` (the context), `stp_tv[k]` (the k-th operand: @cast's
 * pointer first, then the [index] expressions of the chain in order)
 * and, for string results, `stp_buf` (a MAXSTRINGLEN buffer). loc is
 * the C string literal of the script location for run-time errors.
 * Returns TY_LONG or TY_STRING, or TY_UNKNOWN with *err set.
 */
enum type dwarf_target(struct dwarf_session *ds, const struct dwarf_point *pt,
		       struct node *n, const char *loc, const char **err);

/* " $file:struct file* $buf:char*" for stap -L, "" when none. */
const char *dwarf_list_vars(struct dwarf_session *ds,
			    const struct dwarf_point *pt);

/* Does the target expression need registers of an entry (in .return)? */
bool dwarf_point_is_return(const struct dwarf_point *pt);

#endif
