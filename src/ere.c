/*
 * ere.c - compile POSIX extended regular expressions (egrep syntax)
 * into a program for the runtime's Pike VM.
 *
 * Two steps. A recursive-descent parser builds a small tree:
 *
 *     alt:     concat ("|" concat)*
 *     concat:  repeat*
 *     repeat:  atom ("*" | "+" | "?" | "{" m ["," [n]] "}")*
 *     atom:    "(" alt ")" | "[" bracket "]" | "." | "^" | "$"
 *            | "\" char | char
 *
 * and code generation turns it into the instructions of Thompson's
 * construction, as in Russ Cox's "Regular Expression Matching: the
 * Virtual Machine Approach": SPLIT x, y prefers x, so the alternatives
 * and repetitions are tried in the order the runtime needs to pick
 * SystemTap's submatches (the first alternative, greedy repetition)
 * among the longest, leftmost matches.
 *
 * Counted repetition is expanded: a{2,4} is "a a (a (a)?)?". Every
 * limit (instructions, groups, counts, nesting) is checked here, so the
 * runtime can size its arrays from the program and never fail.
 *
 * As SystemTap: a backslash also escapes inside brackets ("[\]]"), and
 * a quantifier needs something to repeat (not "^*" or "(*a)"). Unlike
 * it: an unmatched ')' is an error rather than the end of the pattern,
 * back-references and counts over 255 are errors rather than patterns
 * that never match, and \d \w \s (\D \W \S) are the classes of GNU and
 * Perl rather than the letters.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "ere.h"

enum rkind {
	R_CHAR,			/* c */
	R_ANY,			/* . */
	R_CLASS,		/* [...]: cls */
	R_BOL,			/* ^ */
	R_EOL,			/* $ */
	R_CAT,			/* sub, sub->next, ... in sequence */
	R_ALT,			/* sub | sub->next | ... */
	R_REPEAT,		/* sub{min,max}; max -1 for no limit */
	R_GROUP,		/* ( sub ), subexpression number group */
};

struct rnode {
	enum rkind kind;	/* what it is */
	unsigned char c;	/* R_CHAR */
	int cls;		/* R_CLASS: index into classes */
	int min, max;		/* R_REPEAT */
	int group;		/* R_GROUP */
	int depth;		/* of the subtree: bounds the recursion */
	struct rnode *sub;	/* first child */
	struct rnode *next;	/* next sibling in a CAT or ALT */
};

#define MAX_DEPTH 200		/* tree depth: code generation recursion */

struct rparser {
	const char *p, *end;	/* what is left of the pattern */
	const char *start;	/* the pattern, for error offsets */
	struct regex *re;	/* classes and groups go here */
	int ccap;		/* classes allocated */
	const char *err;	/* the first error */
	int err_off;
	jmp_buf fail;		/* taken on the first error */
};

static void __attribute__((noreturn))
fail_at(struct rparser *rp, const char *at, const char *msg)
{
	rp->err = msg;
	rp->err_off = (int)(at - rp->start);
	longjmp(rp->fail, 1);
}

static struct rnode *node(enum rkind kind)
{
	struct rnode *n = NEW(struct rnode);

	n->kind = kind;
	return n;
}

static bool at_end(struct rparser *rp)
{
	return rp->p >= rp->end;
}

/* A new empty byte set; returns its index. */
static int new_class(struct rparser *rp)
{
	struct regex *re = rp->re;

	if (re->nclasses == rp->ccap) {
		int ncap = rp->ccap ? rp->ccap * 2 : 8;
		uint32_t (*c)[8] = arena_alloc(sizeof(*c) * (size_t)ncap);

		if (re->nclasses)
			memcpy(c, re->classes,
			       sizeof(*c) * (size_t)re->nclasses);
		re->classes = c;
		rp->ccap = ncap;
	}
	return re->nclasses++;
}

static void set_byte(uint32_t *set, int c)
{
	set[c >> 5] |= 1u << (c & 31);
}

/* The bytes of a named class ([:alpha:] ...), C locale. */
static bool in_named(const char *name, int c)
{
	bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	bool digit = c >= '0' && c <= '9';
	bool print = c >= 32 && c < 127;

	if (!strcmp(name, "alpha"))
		return upper || lower;
	if (!strcmp(name, "digit"))
		return digit;
	if (!strcmp(name, "alnum"))
		return upper || lower || digit;
	if (!strcmp(name, "upper"))
		return upper;
	if (!strcmp(name, "lower"))
		return lower;
	if (!strcmp(name, "space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (!strcmp(name, "blank"))
		return c == ' ' || c == '\t';
	if (!strcmp(name, "punct"))
		return print && c != ' ' && !upper && !lower && !digit;
	if (!strcmp(name, "print"))
		return print;
	if (!strcmp(name, "graph"))
		return print && c != ' ';
	if (!strcmp(name, "cntrl"))
		return c < 32 || c == 127;
	if (!strcmp(name, "xdigit"))
		return digit || (c >= 'a' && c <= 'f') ||
		       (c >= 'A' && c <= 'F');
	/* the \w class of GNU and Perl */
	if (!strcmp(name, "word"))
		return upper || lower || digit || c == '_';
	return false;
}

static bool is_class_name(const char *name)
{
	static const char *const names[] = {
		"alpha", "digit", "alnum", "upper", "lower", "space", "blank",
		"punct", "print", "graph", "cntrl", "xdigit",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void add_named(uint32_t *set, const char *name)
{
	for (int c = 0; c < 256; c++)
		if (in_named(name, c))
			set_byte(set, c);
}

/* \d \w \s and their complements, outside brackets. */
static struct rnode *escape_class(struct rparser *rp, char e)
{
	struct rnode *n = node(R_CLASS);
	uint32_t *set;
	const char *name = e == 'd' || e == 'D' ? "digit" :
			   e == 'w' || e == 'W' ? "word" : "space";

	n->cls = new_class(rp);
	set = rp->re->classes[n->cls];
	add_named(set, name);
	if (e >= 'A' && e <= 'Z')
		for (int i = 0; i < 8; i++)
			set[i] = ~set[i];
	return n;
}

/*
 * One member of a bracket expression: a byte, "\"-escaped byte,
 * [.c.] or [=c=] (single bytes only). Returns the byte.
 */
static int bracket_byte(struct rparser *rp)
{
	const char *at = rp->p;

	if (rp->p[0] == '\\') {
		if (rp->p + 1 >= rp->end)
			fail_at(rp, at, "trailing backslash");
		rp->p += 2;
		return (unsigned char)rp->p[-1];
	}
	if (rp->p[0] == '[' && rp->p + 1 < rp->end &&
	    (rp->p[1] == '.' || rp->p[1] == '=')) {
		char kind = rp->p[1];

		if (rp->end - rp->p >= 5 && rp->p[3] == kind &&
		    rp->p[4] == ']') {
			rp->p += 5;
			return (unsigned char)rp->p[-3];
		}
		fail_at(rp, at, kind == '.' ?
			"only single-character collating elements [.c.] "
			"are supported" :
			"only single-character equivalence classes [=c=] "
			"are supported");
	}
	return (unsigned char)*rp->p++;
}

/* bracket: "[" "^"? "]"? (byte | byte "-" byte | "[:" name ":]")* "]" */
static struct rnode *bracket(struct rparser *rp)
{
	const char *open = rp->p++;
	struct rnode *n = node(R_CLASS);
	bool negate = false, first = true;
	uint32_t *set;

	n->cls = new_class(rp);
	set = rp->re->classes[n->cls];
	if (!at_end(rp) && *rp->p == '^') {
		negate = true;
		rp->p++;
	}
	for (;;) {
		if (at_end(rp))
			fail_at(rp, open, "unclosed bracket expression "
				"(missing ']')");
		if (*rp->p == ']' && !first)
			break;
		first = false;
		if (rp->p[0] == '[' && rp->p + 1 < rp->end && rp->p[1] == ':') {
			const char *name = rp->p + 2, *q = name;

			while (q + 1 < rp->end && !(q[0] == ':' && q[1] == ']'))
				q++;
			if (q + 1 >= rp->end)
				fail_at(rp, rp->p, "unclosed character class "
					"(missing ':]')");
			const char *s = arena_strndup(name, (size_t)(q - name));

			if (!is_class_name(s))
				fail_at(rp, rp->p, arena_printf("unknown "
					"character class '[:%s:]'", s));
			add_named(set, s);
			rp->p = q + 2;
			continue;
		}
		const char *at = rp->p;
		int lo = bracket_byte(rp), hi = lo;

		if (rp->p + 1 < rp->end && rp->p[0] == '-' && rp->p[1] != ']') {
			rp->p++;
			hi = bracket_byte(rp);
			if (hi < lo)
				fail_at(rp, at, arena_printf("inverted range "
					"'%.*s' in a bracket expression",
					(int)(rp->p - at), at));
		}
		for (int c = lo; c <= hi; c++)
			set_byte(set, c);
	}
	rp->p++;
	if (negate)
		for (int i = 0; i < 8; i++)
			set[i] = ~set[i];
	return n;
}

static struct rnode *alt(struct rparser *rp);

/* A number of a {m,n} count. */
static int count(struct rparser *rp)
{
	const char *at = rp->p;
	int v = 0;

	if (at_end(rp) || *rp->p < '0' || *rp->p > '9')
		fail_at(rp, at, at_end(rp) ? "unclosed repetition count "
			"(missing '}')" : "expected a number in the "
			"repetition count");
	while (!at_end(rp) && *rp->p >= '0' && *rp->p <= '9') {
		v = v * 10 + (*rp->p++ - '0');
		if (v > ERE_MAX_REPEAT)
			fail_at(rp, at, "repetition count over 255");
	}
	return v;
}

/* The "{m}", "{m,}" or "{m,n}" after an atom; rp->p is at '{'. */
static void counts(struct rparser *rp, int *min, int *max)
{
	const char *open = rp->p++;

	*min = *max = count(rp);
	if (!at_end(rp) && *rp->p == ',') {
		rp->p++;
		*max = !at_end(rp) && *rp->p == '}' ? -1 : count(rp);
	}
	if (at_end(rp) || *rp->p != '}')
		fail_at(rp, at_end(rp) ? open : rp->p, at_end(rp) ?
			"unclosed repetition count (missing '}')" :
			"expected '}' to end the repetition count");
	rp->p++;
	if (*max >= 0 && *max < *min)
		fail_at(rp, open, "bad repetition count: the minimum is "
			"larger than the maximum");
}

/* atom: see the grammar at the top; NULL at a '|', ')' or the end */
static struct rnode *atom(struct rparser *rp)
{
	const char *at = rp->p;
	struct rnode *n;
	char c = *rp->p;

	switch (c) {
	case '|':
	case ')':
		return NULL;
	case '(':
		rp->p++;
		n = node(R_GROUP);
		if (rp->re->ngroups >= ERE_MAX_GROUPS)
			fail_at(rp, at, "more than 31 subexpressions");
		n->group = rp->re->ngroups++;
		n->sub = alt(rp);
		n->depth = n->sub->depth + 1;
		if (at_end(rp))
			fail_at(rp, at, "unmatched '(' (missing ')')");
		rp->p++;
		return n;
	case '[':
		return bracket(rp);
	case '.':
		rp->p++;
		return node(R_ANY);
	case '^':
		rp->p++;
		return node(R_BOL);
	case '$':
		rp->p++;
		return node(R_EOL);
	case '*':
	case '+':
	case '?':
	case '{':
		fail_at(rp, at, arena_printf("nothing to repeat before '%c'",
					     c));
	case '\\':
		if (rp->p + 1 >= rp->end)
			fail_at(rp, at, "trailing backslash");
		c = rp->p[1];
		rp->p += 2;
		if (c >= '1' && c <= '9')
			fail_at(rp, at, "back-references (\\1 ... \\9) are not "
				"supported");
		if (c && strchr("dDwWsS", c))
			return escape_class(rp, c);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			fail_at(rp, at, arena_printf("unknown escape '\\%c' "
				"(only \\d \\w \\s, \\D \\W \\S and escaped "
				"punctuation)", c));
		n = node(R_CHAR);
		n->c = (unsigned char)c;
		return n;
	default:
		rp->p++;
		n = node(R_CHAR);
		n->c = (unsigned char)c;
		return n;
	}
}

/* repeat: atom quantifier* */
static struct rnode *repeat(struct rparser *rp)
{
	struct rnode *n = atom(rp);

	if (!n)
		return NULL;
	while (!at_end(rp) && strchr("*+?{", *rp->p)) {
		const char *at = rp->p;
		struct rnode *r = node(R_REPEAT);

		if (n->kind == R_BOL || n->kind == R_EOL)
			fail_at(rp, at, arena_printf("'%c' cannot repeat the "
				"anchor '%c'", *at, n->kind == R_BOL ? '^' :
				'$'));
		r->depth = n->depth + 1;
		if (r->depth > MAX_DEPTH)
			fail_at(rp, at, "quantifiers nested too deeply");
		if (*at == '{') {
			counts(rp, &r->min, &r->max);
		} else {
			rp->p++;
			r->min = *at == '+' ? 1 : 0;
			r->max = *at == '?' ? 1 : -1;
		}
		r->sub = n;
		n = r;
	}
	return n;
}

/* concat: repeat* */
static struct rnode *concat(struct rparser *rp)
{
	struct rnode *n = node(R_CAT), **tail = &n->sub;

	while (!at_end(rp)) {
		struct rnode *r = repeat(rp);

		if (!r)
			break;
		*tail = r;
		tail = &r->next;
		if (r->depth >= n->depth)
			n->depth = r->depth + 1;
	}
	return n;
}

/* alt: concat ("|" concat)* */
static struct rnode *alt(struct rparser *rp)
{
	struct rnode *n = node(R_ALT), **tail = &n->sub;

	for (;;) {
		*tail = concat(rp);
		if ((*tail)->depth >= n->depth)
			n->depth = (*tail)->depth + 1;
		tail = &(*tail)->next;
		if (at_end(rp) || *rp->p != '|')
			return n;
		rp->p++;
	}
}

/* ---- code generation ---- */

struct emitter {
	struct regex *re;
	bool full;		/* over ERE_MAX_INSN: stop */
};

/* Append an instruction; -1 once the program is full. */
static int emit(struct emitter *e, enum ere_op op, int x, int y)
{
	struct regex *re = e->re;

	if (re->ninsn >= ERE_MAX_INSN) {
		e->full = true;
		return -1;
	}
	re->insn[re->ninsn] = (struct ere_insn){ .op = op, .x = x, .y = y };
	return re->ninsn++;
}

/*
 * Forward jumps are chained through their x (or y) fields until the
 * target is known: chain_add() adds one, resolve() patches all of them.
 */
static void chain_add(struct emitter *e, int at, int *chain, bool use_y)
{
	if (at < 0)
		return;
	if (use_y)
		e->re->insn[at].y = *chain;
	else
		e->re->insn[at].x = *chain;
	*chain = at;
}

static void resolve(struct emitter *e, int chain, bool use_y, int target)
{
	while (chain >= 0) {
		int *field = use_y ? &e->re->insn[chain].y :
				     &e->re->insn[chain].x;

		chain = *field;
		*field = target;
	}
}

static void gen(struct emitter *e, const struct rnode *n);

/*
 * sub{min,max}: min copies, then max - min optional ones, or a loop.
 * A loop is "a: sub; SPLIT a, out" (entered through "SPLIT a, out" when
 * min is 0), so that an iteration matching the empty string still
 * leaves by the loop's own SPLIT with its captures: (a*)* on "b" sets
 * group 1 to the empty string at 0, as SystemTap and Perl do.
 */
static void gen_repeat(struct emitter *e, const struct rnode *n)
{
	int i, start, s, chain = -1;

	if (n->max < 0) {
		for (i = 0; i + 1 < n->min && !e->full; i++)
			gen(e, n->sub);
		s = -1;
		if (n->min == 0)
			s = emit(e, ERE_SPLIT, 0, 0);
		start = e->re->ninsn;
		gen(e, n->sub);
		emit(e, ERE_SPLIT, start, e->re->ninsn + 1);
		if (s >= 0 && !e->full) {
			e->re->insn[s].x = s + 1;
			e->re->insn[s].y = e->re->ninsn;
		}
		return;
	}
	for (i = 0; i < n->min && !e->full; i++)
		gen(e, n->sub);
	/* SPLIT a, out; a: sub; SPLIT b, out; b: sub; out: */
	for (; i < n->max && !e->full; i++) {
		s = emit(e, ERE_SPLIT, 0, 0);
		if (s >= 0)
			e->re->insn[s].x = s + 1;
		chain_add(e, s, &chain, true);
		gen(e, n->sub);
	}
	if (!e->full)
		resolve(e, chain, true, e->re->ninsn);
}

/* a | b | c: SPLIT a, L1; a; JMP out; L1: SPLIT b, L2; b; JMP out; L2: c */
static void gen_alt(struct emitter *e, const struct rnode *n)
{
	int chain = -1;

	for (const struct rnode *s = n->sub; s && !e->full; s = s->next) {
		int sp = -1;

		if (s->next) {
			sp = emit(e, ERE_SPLIT, 0, 0);
			if (sp >= 0)
				e->re->insn[sp].x = sp + 1;
		}
		gen(e, s);
		if (s->next) {
			chain_add(e, emit(e, ERE_JMP, 0, 0), &chain, false);
			if (sp >= 0 && !e->full)
				e->re->insn[sp].y = e->re->ninsn;
		}
	}
	if (!e->full)
		resolve(e, chain, false, e->re->ninsn);
}

static void gen(struct emitter *e, const struct rnode *n)
{
	int at;

	if (e->full)
		return;
	switch (n->kind) {
	case R_CHAR:
		at = emit(e, ERE_CHAR, 0, 0);
		if (at >= 0)
			e->re->insn[at].c = n->c;
		break;
	case R_ANY:
		emit(e, ERE_ANY, 0, 0);
		break;
	case R_CLASS:
		emit(e, ERE_CLASS, n->cls, 0);
		break;
	case R_BOL:
		emit(e, ERE_BOL, 0, 0);
		break;
	case R_EOL:
		emit(e, ERE_EOL, 0, 0);
		break;
	case R_CAT:
		for (const struct rnode *s = n->sub; s; s = s->next)
			gen(e, s);
		break;
	case R_ALT:
		gen_alt(e, n);
		break;
	case R_REPEAT:
		gen_repeat(e, n);
		break;
	case R_GROUP:
		emit(e, ERE_SAVE, 2 * n->group, 0);
		gen(e, n->sub);
		emit(e, ERE_SAVE, 2 * n->group + 1, 0);
		break;
	}
}

struct regex *ere_compile(const char *pat, int len, const char **err,
			    int *err_off)
{
	struct regex *re = NEW(struct regex);
	struct rparser rp = {
		.p = pat, .end = pat + len, .start = pat, .re = re,
	};
	struct emitter e = { .re = re };
	struct rnode *tree;

	re->pattern = arena_strndup(pat, (size_t)len);
	re->len = len;
	re->ngroups = 1;
	if (setjmp(rp.fail)) {
		*err = rp.err;
		*err_off = rp.err_off;
		return NULL;
	}
	tree = alt(&rp);
	if (!at_end(&rp))	/* only a ')' stops alt() early */
		fail_at(&rp, rp.p, "unmatched ')'");

	re->insn = arena_alloc(sizeof(*re->insn) * ERE_MAX_INSN);
	emit(&e, ERE_SAVE, 0, 0);
	gen(&e, tree);
	emit(&e, ERE_SAVE, 1, 0);
	emit(&e, ERE_MATCH, 0, 0);
	if (e.full) {
		*err = arena_printf("too complex for the matcher (over %d "
				    "instructions once counts are expanded)",
				    ERE_MAX_INSN);
		*err_off = -1;
		return NULL;
	}
	for (int i = 0; i < re->ninsn; i++) {
		enum ere_op op = re->insn[i].op;

		if (op == ERE_CHAR || op == ERE_ANY || op == ERE_CLASS ||
		    op == ERE_MATCH)
			re->nthreads++;
	}
	return re;
}
