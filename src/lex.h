/*
 * lex.h - tokens of the script language.
 * Input: a source file. Output: an array of tokens ending in TOK_EOF.
 * Comments (#, //, block) are skipped; $N and @N command-line arguments
 * are substituted here; embedded C %{ %} becomes one token.
 */
#ifndef LEX_H
#define LEX_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

enum tok_kind {
	TOK_EOF,
	TOK_IDENT,		/* names and keywords */
	TOK_NUM,		/* integer literal */
	TOK_STR,		/* string literal (escapes decoded) */
	TOK_PUNCT,		/* operators and punctuation */
	TOK_TARGET,		/* $name: a target variable */
	TOK_AT,			/* @name: @cast, @defined, @entry, ... */
	TOK_EMBEDDED,		/* %{ ... %}: text holds the C */
	TOK_BADARG,		/* $N/@N past the arguments: str holds the
				   error, given only if the preprocessor
				   keeps the token (not in a branch not
				   taken, as in %( $# > 0 %? $1 %: 1 %)) */
};

struct token {
	enum tok_kind kind;	/* what it is */
	struct srcpos pos;	/* where, for diagnostics */
	const char *text;	/* interned spelling; C text for EMBEDDED */
	int64_t num;		/* value of TOK_NUM */
	const char *str;	/* decoded TOK_STR contents */
	int slen;		/* bytes in str */
	bool space_before;	/* whitespace or comment precedes it */
};

/* Command-line arguments for $1..$N and @1..@N. */
struct lex_args {
	int argc;		/* N */
	char **argv;		/* argv[0] is $1 */
};

/*
 * Tokenize file. On a lexical error prints a diagnostic and returns NULL.
 * *count receives the number of tokens including the final TOK_EOF.
 */
struct token *lex_file(const struct srcfile *file, const struct lex_args *args,
		       int *count);

/* Is tok the punctuator or keyword s? */
bool tok_is(const struct token *tok, const char *s);

#endif
