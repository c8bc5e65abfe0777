/*
 * regex_test.c - the regular expressions of =~: src/ere.c compiles,
 * runtime/stp_regex.h matches, here in userspace under the sanitizers.
 *
 * 1. A table of patterns, strings and results, written as
 *    "1 (start,end) (start,end)..." (group 0 first, -1 for a group that
 *    took no part) or "0". The results are SystemTap 4.8's, taken from
 *    the matcher its translator generates for each pattern, except
 *    where marked: SystemTap puts the end of a match that ends at '$'
 *    one past the string, and in one ambiguous alternation it picks a
 *    later alternative; here the first alternative wins, always.
 * 2. Syntax errors: message and offset.
 * 3. matched() and ngroups() through stp_re_group / stp_re_ngroups,
 *    and matching without groups giving the same answers.
 * 4. Against glibc's regexec (POSIX leftmost-longest), for many random
 *    patterns over a small alphabet: the same match (group 0) whenever
 *    both accept the pattern.
 * 5. Bounds: the biggest program, a pathological pattern on the longest
 *    string, patterns over the limits rejected.
 */
/* test: link src/ere.c src/arena.c */
#include <regex.h>

#include "kshim.h"

#define STP_RE_NINSN ERE_MAX_INSN
#define STP_RE_NTHREADS ERE_MAX_INSN
#define STP_RE_NCAP (2 * ERE_MAX_GROUPS)
#include "ere.h"
#include "stp_regex.h"

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("%s:%d: CHECK(%s) failed\n", __FILE__,	\
			       __LINE__, #cond);			\
			failures++;					\
		}							\
	} while (0)

static struct stp_context ctx;
static struct stp_re_state state;	/* big: static */

/* The translator's program as the runtime's tables. */
struct prog {
	struct stp_re_prog p;
	struct stp_re_insn insn[ERE_MAX_INSN];
	u32 classes[64][8];
};

static const u8 ops[] = {
	[ERE_CHAR] = STP_RE_CHAR, [ERE_ANY] = STP_RE_ANY,
	[ERE_CLASS] = STP_RE_CLASS, [ERE_BOL] = STP_RE_BOL,
	[ERE_EOL] = STP_RE_EOL, [ERE_SPLIT] = STP_RE_SPLIT,
	[ERE_JMP] = STP_RE_JMP, [ERE_SAVE] = STP_RE_SAVE,
	[ERE_MATCH] = STP_RE_MATCH,
};

static struct prog *load(const struct regex *re)
{
	static struct prog pr;

	if (re->nclasses > 64)
		abort();
	for (int i = 0; i < re->ninsn; i++)
		pr.insn[i] = (struct stp_re_insn){
			.op = ops[re->insn[i].op], .c = re->insn[i].c,
			.x = (u16)re->insn[i].x, .y = (u16)re->insn[i].y,
		};
	if (re->nclasses)
		memcpy(pr.classes, re->classes,
		       sizeof(u32[8]) * re->nclasses);
	pr.p = (struct stp_re_prog){
		.insn = pr.insn, .classes = (const u32 (*)[8])pr.classes,
		.ninsn = (u16)re->ninsn, .nthreads = (u16)re->nthreads,
		.ngroups = (u16)re->ngroups,
	};
	return &pr;
}

static struct regex *compile(const char *pat)
{
	const char *err;
	int off;
	struct regex *re = ere_compile(pat, (int)strlen(pat), &err, &off);

	if (!re)
		printf("'%s': unexpected error at %d: %s\n", pat, off, err);
	return re;
}

/* "1 (s,e) ..." or "0" for pattern on s, with groups. */
static const char *run(const char *pat, const char *s)
{
	static char out[1024];
	struct regex *re = compile(pat);
	struct prog *pr;
	int len = 0;

	if (!re)
		return "ERR";
	pr = load(re);
	stp_ctx_reset(&ctx);
	if (!stp_re_match(&ctx, &pr->p, s, &state, true, "t")) {
		CHECK(!stp_re_match(&ctx, &pr->p, s, &state, false, "t"));
		return "0";
	}
	len += snprintf(out, sizeof(out), "1");
	for (int g = 0; g < re->ngroups; g++)
		len += snprintf(out + len, sizeof(out) - len, " (%d,%d)",
				state.last.caps[2 * g],
				state.last.caps[2 * g + 1]);
	CHECK(stp_re_match(&ctx, &pr->p, s, &state, false, "t"));
	CHECK(!ctx.error);
	return out;
}

static const struct {
	const char *pat, *s, *want;
} table[] = {
	{ "abc", "xabcx", "1 (1,4)" },
	{ "abc", "ab", "0" },
	{ "", "", "1 (0,0)" },
	{ "", "abc", "1 (0,0)" },
	{ "a|ab", "xaby", "1 (1,3)" },
	{ "ab|a", "xaby", "1 (1,3)" },
	{ "str(ing)", "an example string", "1 (11,17) (14,17)" },
	{ "(a*)(b*)", "xaabbb", "1 (0,0) (0,0) (0,0)" },
	{ "(a*)(b*)", "aabbb", "1 (0,5) (0,2) (2,5)" },
	{ "(a*)(a*)", "aaa", "1 (0,3) (0,3) (3,3)" },
	{ "(a|b)*", "xab", "1 (0,0) (-1,-1)" },
	{ "(a|b)*c", "abac", "1 (0,4) (2,3)" },
	{ "(a|ab)(c|bcd)(d*)", "abcd", "1 (0,4) (0,1) (1,4) (4,4)" },
	{ "((a)|b)+", "ab", "1 (0,2) (1,2) (0,1)" },
	{ "(a)|(b)", "b", "1 (0,1) (-1,-1) (0,1)" },
	{ "()", "a", "1 (0,0) (0,0)" },
	{ "a{2,3}", "aaaa", "1 (0,3)" },
	{ "a{2}", "aaaa", "1 (0,2)" },
	{ "a{2,}", "aaaaa", "1 (0,5)" },
	{ "a{0}", "a", "1 (0,0)" },
	{ "a{0,0}b", "ab", "1 (1,2)" },
	{ "(a){0}", "a", "1 (0,0) (-1,-1)" },
	{ "x*", "abc", "1 (0,0)" },
	{ "x+", "abc", "0" },
	{ "x?y", "zy", "1 (1,2)" },
	{ "^foo$", "foo", "1 (0,3)" },		/* SystemTap: (0,4) */
	{ "^foo$", "foox", "0" },
	{ "^foo", "xfoo", "0" },
	{ "foo$", "foox", "0" },
	{ "^", "abc", "1 (0,0)" },
	{ "$", "abc", "1 (3,3)" },		/* SystemTap: (3,4) */
	{ "a$|b", "ab", "1 (1,2)" },
	{ "(^a)", "ba", "0" },
	{ "(^|x)a", "xa", "1 (0,2) (0,1)" },
	{ "(^|x)a", "a", "1 (0,1) (0,0)" },
	{ "x^", "x", "0" },
	{ "a$b", "ab", "0" },
	{ "x*$", "axx", "1 (1,3)" },		/* SystemTap: (1,4) */
	{ "a|", "b", "1 (0,0)" },
	{ "|a", "b", "1 (0,0)" },
	{ "[[:digit:]]+", "ab123c", "1 (2,5)" },
	{ "[[:alpha:]]+", "12abC3", "1 (2,5)" },
	{ "[[:space:]]", "a b", "1 (1,2)" },
	{ "[[:upper:]][[:lower:]]+", "xHello", "1 (1,6)" },
	{ "[[:xdigit:]]+", "xyzBeEf0g", "1 (3,8)" },
	{ "[[:punct:]]+", "ab.,!c", "1 (2,5)" },
	{ "[[:alnum:]_]+", "-foo_1-", "1 (1,6)" },
	{ "[]a]", "]", "1 (0,1)" },
	{ "[^]a]", "b", "1 (0,1)" },
	{ "[^]a]", "]a", "0" },
	{ "[a-]", "-", "1 (0,1)" },
	{ "[a-c-e]", "d", "0" },
	{ "[%--]", "-", "1 (0,1)" },
	{ "[^a-z]+", "abc123def", "1 (3,6)" },
	{ "[.a.]", "a", "1 (0,1)" },
	{ "[[.a.]]", "a", "1 (0,1)" },		/* SystemTap: no match */
	{ "[[=-=]x]", "-", "1 (0,1)" },		/* SystemTap: no match */
	{ "[\\]]", "]", "1 (0,1)" },
	{ "a.c", "abc", "1 (0,3)" },
	{ "a.c", "a\nc", "1 (0,3)" },
	{ "a.c", "ac", "0" },
	{ ".", "", "0" },
	{ "\\.", "a.b", "1 (1,2)" },
	{ "a\\+", "a+", "1 (0,2)" },
	{ "\\(", "(", "1 (0,1)" },
	{ "a**", "aaa", "1 (0,3)" },
	{ "a+?", "aa", "1 (0,2)" },
	{ "(a+|b)*", "ab", "1 (0,2) (1,2)" },
	{ "(a|b|c)+", "xcabz", "1 (1,4) (3,4)" },
	{ "(ab|a)(bc|c)", "abc", "1 (0,3) (0,2) (2,3)" }, /* SystemTap: a, bc */
	{ "(a*)+", "b", "1 (0,0) (0,0)" },
	{ "(a*)*", "b", "1 (0,0) (0,0)" },
	{ "(a|)+b", "aab", "1 (0,3) (1,2)" },
	{ "([a-c]*)x", "abcx", "1 (0,4) (0,3)" },
	{ "(foo|foobar)baz", "foobarbaz", "1 (0,9) (0,6)" },
	{ "(.*)=(.*)", "key=val=x", "1 (0,9) (0,7) (8,9)" },
	{ "([^=]*)=(.*)", "key=val=x", "1 (0,9) (0,3) (4,9)" },
	{ "^(/[^/]*)+$", "/usr/bin/ls", "1 (0,11) (8,11)" }, /* (0,12) */
	{ "\\.so(\\.[0-9]+)*$", "libc.so.6", "1 (4,9) (7,9)" }, /* (4,10) */
	{ "[0-9]{1,3}(\\.[0-9]{1,3}){3}", "ip 10.0.0.255 x",
	  "1 (3,13) (9,13)" },
	{ "^(s|n)sh?d$", "sshd", "1 (0,4) (0,1)" },	/* (0,5) */
	{ "b{1,2}", "abbbc", "1 (1,3)" },
	{ "(ab){2}", "abababab", "1 (0,4) (2,4)" },
	{ "(a(b)?)+", "aba", "1 (0,3) (2,3) (1,2)" },
	/* the GNU/Perl classes, which SystemTap takes as letters */
	{ "\\d+", "ab123", "1 (2,5)" },
	{ "\\w+", "-ab_1 c", "1 (1,5)" },
	{ "\\s", "a\tb", "1 (1,2)" },
	{ "\\D\\W\\S", "a1b", "0" },
	{ "\\D\\W\\S", "a .x", "1 (0,3)" },
	/* bytes above 127, and the first/last of the byte range */
	{ "[\x80-\xff]+", "a\xc3\xa9z", "1 (1,3)" },
	{ "[^a]", "\x01", "1 (0,1)" },
};

static void check_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const char *got = run(table[i].pat, table[i].s);

		if (strcmp(got, table[i].want)) {
			printf("'%s' =~ '%s': got \"%s\", expected \"%s\"\n",
			       table[i].s, table[i].pat, got, table[i].want);
			failures++;
		}
	}
}

static const struct {
	const char *pat;
	int off;		/* byte the error is about */
	const char *msg;	/* start of the message */
} errors[] = {
	{ "(", 0, "unmatched '('" },
	{ "ab(c(d)", 2, "unmatched '('" },
	{ "a)", 1, "unmatched ')'" },
	{ "a{2,1}", 1, "bad repetition count" },
	{ "[z-a]", 1, "inverted range 'z-a'" },
	{ "\\1", 0, "back-references" },
	{ "*a", 0, "nothing to repeat before '*'" },
	{ "a|+b", 2, "nothing to repeat before '+'" },
	{ "(?a)", 1, "nothing to repeat before '?'" },
	{ "{", 0, "nothing to repeat before '{'" },
	{ "[[:foo:]]", 1, "unknown character class '[:foo:]'" },
	{ "[[:alpha:]", 0, "unclosed bracket" },
	{ "[[:alpha", 1, "unclosed character class" },
	{ "[a", 0, "unclosed bracket" },
	{ "[]", 0, "unclosed bracket" },
	{ "a{1", 1, "unclosed repetition count" },
	{ "a{1,2x", 5, "expected '}'" },
	{ "a{x}", 2, "expected a number" },
	{ "a{,2}", 2, "expected a number" },
	{ "a{256}", 2, "repetition count over 255" },
	{ "\\", 0, "trailing backslash" },
	{ "[\\", 1, "trailing backslash" },
	{ "^*", 1, "'*' cannot repeat the anchor '^'" },
	{ "a$+", 2, "'+' cannot repeat the anchor '$'" },
	{ "\\q", 0, "unknown escape '\\q'" },
	{ "[[.ab.]]", 1, "only single-character collating" },
	{ "x{255}{255}", -1, "too complex for the matcher" },
	{ "(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)"
	  "(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(b)", 93,
	  "more than 31 subexpressions" },
};

static void check_errors(void)
{
	char deep[256];

	/* one quantifier too many for the compiler's recursion */
	memset(deep, '*', sizeof(deep));
	deep[0] = 'a';
	deep[202] = '\0';
	{
		const char *err = NULL;
		int off = -1;

		CHECK(!ere_compile(deep, 202, &err, &off) && off == 201 &&
		      !strcmp(err, "quantifiers nested too deeply"));
	}
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
		const char *err = NULL;
		int off = -1;
		const char *pat = errors[i].pat;

		if (ere_compile(pat, (int)strlen(pat), &err, &off)) {
			printf("'%s': compiled, expected an error\n", pat);
			failures++;
			continue;
		}
		if (strncmp(err, errors[i].msg, strlen(errors[i].msg)) ||
		    off != errors[i].off) {
			printf("'%s': error at %d \"%s\", expected at %d "
			       "\"%s...\"\n", pat, off, err, errors[i].off,
			       errors[i].msg);
			failures++;
		}
	}
}

/* matched() and ngroups() of the runtime. */
static void check_groups(void)
{
	char out[MAXSTRINGLEN];
	struct regex *re = compile("str(ing)|(q)");
	struct prog *pr = load(re);

	CHECK(stp_re_match(&ctx, &pr->p, "an example string", &state, true,
			   "t"));
	CHECK(stp_re_ngroups(&state) == 3);
	CHECK(stp_re_group(&state, 0, out) == 0 && !strcmp(out, "string"));
	CHECK(stp_re_group(&state, 1, out) == 0 && !strcmp(out, "ing"));
	CHECK(stp_re_group(&state, 2, out) == 0 && !strcmp(out, ""));
	CHECK(stp_re_group(&state, 3, out) == -ERANGE && !*out);
	CHECK(stp_re_group(&state, -1, out) == -ERANGE);
	/* a failed match forgets the last one */
	CHECK(!stp_re_match(&ctx, &pr->p, "nothing", &state, true, "t"));
	CHECK(stp_re_group(&state, 0, out) == -ENOENT);
	CHECK(stp_re_ngroups(&state) == -ENOENT);
	/* no state: no regex in the script */
	CHECK(stp_re_group(NULL, 0, out) == -ENOENT);
	CHECK(stp_re_ngroups(NULL) == -ENOENT);
	/* the matched string can be the last match's own copy */
	CHECK(stp_re_match(&ctx, &pr->p, "xstring", &state, true, "t"));
	CHECK(stp_re_match(&ctx, &pr->p, state.last.str, &state, true, "t"));
	CHECK(stp_re_group(&state, 0, out) == 0 && !strcmp(out, "string"));
}

/* Random patterns over a, b against glibc's regexec. */
static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 16) % n;
}

static void gen_pattern(char *p, int depth)
{
	static const char *const atoms[] = {
		"a", "b", ".", "[ab]", "[^a]", "",
	};
	int n = 1 + (int)rnd(3);

	for (int i = 0; i < n; i++) {
		if (depth < 3 && !rnd(3)) {
			strcat(p, "(");
			gen_pattern(p, depth + 1);
			if (!rnd(2)) {
				strcat(p, "|");
				gen_pattern(p, depth + 1);
			}
			strcat(p, ")");
		} else {
			strcat(p, atoms[rnd(ARRAY_SIZE(atoms))]);
		}
		switch (rnd(8)) {
		case 0: strcat(p, "*"); break;
		case 1: strcat(p, "+"); break;
		case 2: strcat(p, "?"); break;
		case 3: strcat(p, "{1,2}"); break;
		default: break;
		}
	}
}

static void check_against_glibc(void)
{
	int compared = 0;

	for (int i = 0; i < 20000; i++) {
		char pat[512] = "", s[16];
		const char *err;
		int off, n = (int)rnd(8);
		regex_t rx;
		regmatch_t m[1];

		/*
		 * Anchors only at the ends: glibc gets '^' and '$' inside
		 * repeated groups wrong ("(^.|.a)*" on "bb" gives (0,2)).
		 */
		if (!rnd(4))
			strcat(pat, "^");
		gen_pattern(pat, 0);
		if (!rnd(4))
			strcat(pat, "$");
		for (int k = 0; k < n; k++)
			s[k] = "ab"[rnd(2)];
		s[n] = '\0';
		struct regex *re = ere_compile(pat, (int)strlen(pat), &err,
						 &off);

		if (!re || regcomp(&rx, pat, REG_EXTENDED)) {
			if (re == NULL && !regcomp(&rx, pat, REG_EXTENDED))
				regfree(&rx);
			continue;
		}
		struct prog *pr = load(re);
		int ours = stp_re_match(&ctx, &pr->p, s, &state, true, "t");
		int theirs = !regexec(&rx, s, 1, m, 0);

		if (ours != theirs || (ours &&
		    (state.last.caps[0] != m[0].rm_so ||
		     state.last.caps[1] != m[0].rm_eo))) {
			printf("'%s' =~ '%s': ours %d (%d,%d), glibc %d "
			       "(%d,%d)\n", s, pat, ours, state.last.caps[0],
			       state.last.caps[1], theirs, (int)m[0].rm_so,
			       (int)m[0].rm_eo);
			failures++;
		}
		regfree(&rx);
		compared++;
	}
	CHECK(compared > 10000);
}

/* Limits: the biggest program runs; the worst input stays bounded. */
static void check_bounds(void)
{
	char s[MAXSTRINGLEN], pat[64];
	struct regex *re;
	struct prog *pr;

	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	re = compile("(a*)*(a|aa)*b");
	pr = load(re);
	CHECK(!stp_re_match(&ctx, &pr->p, s, &state, true, "t"));
	/* as large as it gets: about ERE_MAX_INSN instructions */
	snprintf(pat, sizeof(pat), "(a?){%d}a*$", ERE_MAX_INSN / 4 - 10);
	re = compile(pat);
	CHECK(re && re->ninsn > ERE_MAX_INSN * 3 / 4);
	if (re) {
		pr = load(re);
		CHECK(stp_re_match(&ctx, &pr->p, s, &state, true, "t"));
		CHECK(state.last.caps[0] == 0 &&
		      state.last.caps[1] == MAXSTRINGLEN - 1);
	}
	/* a program larger than the state it is given is refused */
	pr = load(compile("abc"));
	pr->p.ninsn = STP_RE_NINSN + 1;
	stp_ctx_reset(&ctx);
	CHECK(!stp_re_match(&ctx, &pr->p, "abc", &state, true, "here"));
	CHECK(ctx.error && !strcmp(ctx.error_loc, "here"));
}

int main(void)
{
	check_table();
	check_errors();
	check_groups();
	check_against_glibc();
	check_bounds();
	if (failures)
		printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
