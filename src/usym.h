/*
 * usym.h - the function symbols of a user-space program or shared
 * library, for process("PATH").function("NAME") probes without DWARF.
 * Input: an ELF file. Output: its functions with the file offsets
 * uprobes are placed at, and glob lookup.
 * The symbols come from .symtab, else .dynsym (a stripped file); the
 * offset of a function is where its first byte sits in the file: its
 * address less the address of the PT_LOAD segment that holds it, plus
 * that segment's file offset.
 */
#ifndef USYM_H
#define USYM_H

#include <stddef.h>
#include <stdint.h>

struct usym {
	const char *name;	/* the ELF symbol's name */
	uint64_t addr;		/* its link-time address */
	uint64_t offset;	/* its offset in the file */
};

struct usym_table {
	const char *path;	/* the file read */
	const char *build_id;	/* its GNU build id in hex, or NULL */
	uint64_t build_id_off;	/* file offset of that note's header */
	struct usym *syms;	/* sorted by name, then addr; distinct */
	size_t n;
};

/*
 * Read PATH's function symbols. Returns 0, or -1 with a one-line
 * reason in err (not there, not ELF, no symbols).
 */
int usym_load(const char *path, struct usym_table *t, char *err,
	      size_t errlen);

/*
 * Call fn for each function whose name matches the shell glob PATTERN
 * (fnmatch), in name order. Returns the number of matches.
 */
size_t usym_match(const struct usym_table *t, const char *pattern,
		  void (*fn)(const struct usym *s, void *arg), void *arg);

#endif
