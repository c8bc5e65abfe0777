/*
 * ere.h - regular expressions for =~ and !~, compiled when the script
 * is translated.
 * Input: the pattern, a string literal (POSIX extended syntax, as
 * egrep). Output: a program for the runtime's matcher
 * (runtime/stp_regex.h): the instructions of a Thompson NFA, which the
 * module runs as a Pike VM with arrays sized here, so a match never
 * allocates and takes at most (string length + 1) * ninsn steps.
 * Never prints; a syntax error comes back as a message and the offset
 * of the offending byte in the pattern.
 */
#ifndef ERE_H
#define ERE_H

#include <stdint.h>

/* Limits of one pattern; beyond them it is "too complex". */
#define ERE_MAX_INSN 1000	/* instructions */
#define ERE_MAX_GROUPS 32	/* groups, group 0 (the match) included */
#define ERE_MAX_REPEAT 255	/* largest count in {m,n}, as RE_DUP_MAX */

/* Instructions; gen.c names them STP_RE_* for the runtime. */
enum ere_op {
	ERE_CHAR,		/* the byte c, then next */
	ERE_ANY,			/* any byte */
	ERE_CLASS,		/* a byte in classes[x] */
	ERE_BOL,			/* only at the start of the string */
	ERE_EOL,			/* only at its end */
	ERE_SPLIT,		/* go on at x, and (less preferred) at y */
	ERE_JMP,			/* go on at x */
	ERE_SAVE,		/* record the position in capture slot x */
	ERE_MATCH,		/* the pattern matched */
};

struct ere_insn {
	enum ere_op op;		/* what it does */
	unsigned char c;	/* ERE_CHAR: the byte */
	int x;			/* target, class or capture slot */
	int y;			/* ERE_SPLIT: the second target */
};

struct regex {
	const char *pattern;	/* as written (decoded), NUL-terminated */
	int len;		/* bytes in pattern */
	struct ere_insn *insn;	/* the program; insn[0] is the start */
	int ninsn;
	uint32_t (*classes)[8];	/* 256-bit byte sets for ERE_CLASS */
	int nclasses;
	int ngroups;		/* subexpressions + 1 (group 0) */
	int nthreads;		/* consuming instructions: threads a step */
};

/*
 * Compile pat (len bytes, NULs allowed: they never match). Returns the
 * program, or NULL with *err set to a message and *err_off to the byte
 * of the pattern it is about (-1: the whole pattern).
 */
struct regex *ere_compile(const char *pat, int len, const char **err,
			    int *err_off);

#endif
