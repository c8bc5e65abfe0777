/*
 * fuzz_regex.c - libFuzzer target for the regular expressions of =~:
 * the compiler (src/ere.c) and the matcher (runtime/stp_regex.h).
 *
 * An input is a pattern, a newline, and a string (up to MAXSTRINGLEN).
 * The pattern is compiled; when it compiles, the string is matched
 * with and without groups (the two must agree) and, for patterns
 * without backslashes or anchors (where glibc and SystemTap differ, or
 * glibc is wrong) and with few quantifiers (glibc's regcomp runs out
 * of memory on "a+++++..."), against glibc's regexec: the same match,
 * group 0, whenever glibc accepts the pattern too. Any crash, sanitizer report,
 * leak or disagreement is a bug; the input goes into the table of
 * testsuite/unit/regex_test.c.
 *
 *   make fuzz-regex FUZZ_SECONDS=60
 */
#include <regex.h>

#include "kshim.h"

#define STP_RE_NINSN ERE_MAX_INSN
#define STP_RE_NTHREADS ERE_MAX_INSN
#define STP_RE_NCAP (2 * ERE_MAX_GROUPS)
#include "arena.h"
#include "ere.h"
#include "stp_regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct stp_context ctx;
static struct stp_re_state state;
static struct stp_re_insn insn[ERE_MAX_INSN];
static u32 classes[1024][8];

/* The compiled program as the runtime's tables; NULL if too many sets. */
static const struct stp_re_prog *load(const struct regex *re,
				      struct stp_re_prog *p)
{
	static const u8 ops[] = {
		[ERE_CHAR] = STP_RE_CHAR, [ERE_ANY] = STP_RE_ANY,
		[ERE_CLASS] = STP_RE_CLASS, [ERE_BOL] = STP_RE_BOL,
		[ERE_EOL] = STP_RE_EOL, [ERE_SPLIT] = STP_RE_SPLIT,
		[ERE_JMP] = STP_RE_JMP, [ERE_SAVE] = STP_RE_SAVE,
		[ERE_MATCH] = STP_RE_MATCH,
	};

	if (re->nclasses > 1024)
		return NULL;
	for (int i = 0; i < re->ninsn; i++)
		insn[i] = (struct stp_re_insn){
			.op = ops[re->insn[i].op], .c = re->insn[i].c,
			.x = (u16)re->insn[i].x, .y = (u16)re->insn[i].y,
		};
	if (re->nclasses)
		memcpy(classes, re->classes, sizeof(u32[8]) * re->nclasses);
	*p = (struct stp_re_prog){
		.insn = insn, .classes = (const u32 (*)[8])classes,
		.ninsn = (u16)re->ninsn, .nthreads = (u16)re->nthreads,
		.ngroups = (u16)re->ngroups,
	};
	return p;
}

static void compare_glibc(const char *pat, const char *s, int ours)
{
	regex_t rx;
	regmatch_t m[1];

	int quantifiers = 0;

	for (const char *q = pat; *q; q++)
		quantifiers += strchr("*+?{", *q) != NULL;
	/* glibc's regcomp copies trees per quantifier: "a+++...+" is OOM */
	if (quantifiers > 6 || strpbrk(pat, "\\^$") ||
	    regcomp(&rx, pat, REG_EXTENDED))
		return;
	int theirs = !regexec(&rx, s, 1, m, 0);

	regfree(&rx);
	if (theirs != ours || (ours && (m[0].rm_so != state.last.caps[0] ||
					m[0].rm_eo != state.last.caps[1]))) {
		fprintf(stderr, "'%s' =~ '%s': ours %d (%d,%d), glibc %d\n",
			s, pat, ours, state.last.caps[0], state.last.caps[1],
			theirs);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	char s[MAXSTRINGLEN];
	struct stp_re_prog prog;
	const struct stp_re_prog *p;
	const char *err;
	int off;

	if (!nl)
		return 0;
	size_t plen = (size_t)(nl - (const char *)data);
	size_t slen = size - plen - 1;
	char *pat = arena_strndup((const char *)data, plen);

	if (slen >= sizeof(s))
		slen = sizeof(s) - 1;
	memcpy(s, nl + 1, slen);
	s[slen] = '\0';
	struct regex *re = ere_compile(pat, (int)plen, &err, &off);

	if (!re) {
		if (off < -1 || off > (int)plen || !err)
			abort();
		arena_reset();
		return 0;
	}
	p = load(re, &prog);
	if (p) {
		int with = stp_re_match(&ctx, p, s, &state, true, "f");
		int without = stp_re_match(&ctx, p, s, &state, false, "f");

		if (with != without || ctx.error)
			abort();
		if (with) {
			stp_re_match(&ctx, p, s, &state, true, "f");
			if (state.last.caps[0] < 0 ||
			    state.last.caps[1] < state.last.caps[0])
				abort();
		}
		if (strlen(pat) == plen)
			compare_glibc(pat, s, with);
	}
	arena_reset();
	return 0;
}
