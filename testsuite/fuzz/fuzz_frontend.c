/*
 * fuzz_frontend.c - libFuzzer target for the translator's front end.
 *
 * Each input is a script: it is lexed, preprocessed, parsed, elaborated
 * and, when that succeeds, translated to C, exactly as `stap -p3` would,
 * but without tapsets and against a kernel that does not exist (so
 * kernel.function points fail to resolve, as they should). The arena is
 * reset after every input. Any crash, sanitizer report or leak is a bug;
 * a reproducer goes into testsuite/errors/ or testsuite/parse/.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "gen.h"
#include "parse.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* diagnostics are expected; keep the fuzzer's output readable */
	if (!getenv("FUZZ_VERBOSE"))
		diag_set_output(fopen("/dev/null", "w"));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[] = { "1", "two" };
	struct session ss = {
		.release = "0.0.0-fuzz",
		.args = { .argc = 2, .argv = argv },
		.last_pass = 3,
	};
	struct pp_env env = { .release = ss.release, .arch = "x86_64" };
	struct srcfile f = { .name = "<fuzz>" };
	struct script s = { 0 };
	struct program prog = { 0 };

	f.text = arena_strndup((const char *)data, size);
	f.len = strlen(f.text);	/* the lexer stops at a NUL, as for files */
	if (parse_file(&s, &f, &ss.args, &env, false) == 0 &&
	    sema_check(&ss, &s, &prog) == 0) {
		struct strbuf c = { 0 };

		gen_module(&ss, &prog, &c);
	}
	arena_reset();
	return 0;
}
