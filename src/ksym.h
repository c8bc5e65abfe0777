/*
 * ksym.h - the target kernel's function symbols, for probe resolution
 * without DWARF.
 * Input: a kernel release. Output: a table of probeable text symbols,
 * glob lookup and "did you mean" suggestions.
 * Sources, best first: /proc/kallsyms when the release is the running
 * kernel; the vmlinux ELF symtab from Debian's -dbg package
 * (/usr/lib/debug/boot/vmlinux-REL, through libelf); a System.map
 * (/usr/lib/debug/boot/System.map-REL, then /boot/System.map-REL unless
 * it is Debian's placeholder).
 */
#ifndef KSYM_H
#define KSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	const char *name;	/* symbol as kallsyms knows it: "foo.isra.0" */
	const char *func;	/* script-level name: "foo" (suffix cut) */
	uint64_t addr;		/* link-time (or running) address */
	uint64_t size;		/* bytes, 0 when unknown */
	bool unique;		/* no other text symbol has this name */
};

struct ksym_table {
	const char *release;	/* kernel release it describes */
	const char *source;	/* file it was read from, for messages */
	struct ksym *syms;	/* sorted by func, then addr */
	size_t n;		/* entries */
	uint64_t stext;		/* address of _stext, 0 when unknown */
};

/*
 * Load the table for RELEASE. Returns 0, or -1 with a one-line reason
 * (naming the package to install) in err.
 */
int ksym_load(const char *release, struct ksym_table *t, char *err,
	      size_t errlen);

/*
 * Call fn for each probeable function whose script-level name matches
 * the shell glob PATTERN (fnmatch), in name order, one call per distinct
 * symbol. Returns the number of matches.
 */
size_t ksym_match(const struct ksym_table *t, const char *pattern,
		  void (*fn)(const struct ksym *s, void *arg), void *arg);

/*
 * Fill out[] with up to max names close to PATTERN (names containing
 * it or starting with it, then by edit distance), best first, distinct.
 * Returns how many were written.
 */
size_t ksym_suggest(const struct ksym_table *t, const char *pattern,
		    const char **out, size_t max);

/*
 * Load the table from one given file instead of searching: a vmlinux
 * ELF file, a System.map or a kallsyms dump. RELEASE is only recorded.
 * Returns 0, or -1 with the reason in err. For tests and overrides.
 */
int ksym_load_file(struct ksym_table *t, const char *release,
		   const char *path, char *err, size_t errlen);

/*
 * Build t->syms and t->n from n raw symbols (name, addr, size set),
 * taking ownership of the malloc'd array: drop padding, thunk and
 * ".cold" symbols, apply "_kbl_addr_foo" blacklist records (which drop
 * every symbol of func foo), set func and unique, and sort. Loaders use
 * it; tests use it to build small tables.
 */
void ksym_build(struct ksym_table *t, struct ksym *syms, size_t n);

#endif
