/*
 * parse.h - recursive-descent parser for scripts and tapset files.
 * Input: tokens from lex.h. Output: probes, functions, globals and
 * embedded C appended to a struct script (ast.h).
 * Stops at the first syntax error, as chibicc does.
 */
#ifndef PARSE_H
#define PARSE_H

#include "ast.h"
#include "preproc.h"

/*
 * Parse one file into s. from_tapset marks what it defines as library
 * code (embedded C allowed, unused parts dropped). Returns 0, or -1
 * after printing a diagnostic.
 */
int parse_file(struct script *s, const struct srcfile *file,
	       const struct lex_args *args, const struct pp_env *env,
	       bool from_tapset);

/* Read a whole file into a srcfile; NULL with errno set on failure. */
struct srcfile *parse_read_file(const char *path, const char *display);

#endif
