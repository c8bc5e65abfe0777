/*
 * preproc.h - the script preprocessor: %( COND %? THEN %: ELSE %)
 * conditionals and @define macros, applied to a token array.
 * Input: tokens from lex.h and what the conditions may ask about (the
 * target kernel). Output: tokens with conditionals resolved and macros
 * expanded, ending in TOK_EOF.
 */
#ifndef PREPROC_H
#define PREPROC_H

#include "lex.h"

struct pp_env {
	const char *release;	/* kernel_vr, and kernel_v from it */
	const char *arch;	/* "x86_64" */
	const char *config;	/* path of the kernel's .config, or NULL */
	bool guru;		/* guru_mode */
};

/*
 * Returns the new token array (with *count updated), or NULL after a
 * diagnostic.
 */
struct token *preproc_run(struct token *toks, int *count,
			  const struct pp_env *env);

#endif
