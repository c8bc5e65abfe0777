/*
 * gen.h - translation: the elaborated program becomes one C file for
 * a kernel module, written against runtime/stp_runtime.h (see
 * doc/runtime-abi.md).
 * Input: the program from sema.h. Output: C text. Never touches the
 * filesystem.
 */
#ifndef GEN_H
#define GEN_H

#include "arena.h"
#include "sema.h"

/* Translate prog into C source, appended to out. */
void gen_module(const struct session *ss, const struct program *prog,
		struct strbuf *out);

#endif
