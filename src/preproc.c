/*
 * preproc.c - conditionals and macros, between the lexer and the parser.
 *
 * The token array is copied to a new one. %( COND %? A %: B %) is
 * replaced by A or B, chosen by evaluating COND now; COND is a chain of
 * comparisons joined by && and || (with parentheses):
 *
 *     kernel_v >= "6.1"        version compare (kernel_v has no -suffix)
 *     kernel_vr == "6.1.0-*"   the full release; == and != glob-match
 *     arch == "x86_64"         runtime == "kernel"
 *     systemtap_v >= "4.0"     the SystemTap version we are compatible with
 *     systemtap_privilege == "stapdev"
 *     guru_mode == 1
 *     CONFIG_KPROBES == "y"    from the target kernel's .config
 *     $# > 1, 2 < 3            numbers compare as numbers
 *
 * @define NAME(a, b) %( BODY %) defines a macro; @NAME(x, y) expands
 * to BODY with @a and @b replaced by the argument tokens.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "preproc.h"

#define SYSTEMTAP_COMPAT_VERSION "4.8"

struct macro {
	const char *name;	/* interned, with the '@' */
	const char **params;	/* "@a", interned */
	int nparams;
	struct token *body;	/* body tokens */
	int nbody;
	struct macro *next;
};

struct pp {
	struct token *in;	/* current input token */
	struct token *out;	/* output array */
	int nout, cap;
	const struct pp_env *env;
	struct macro *macros;
	int depth;		/* macro expansion depth */
	bool failed;
};

static bool fail(struct pp *pp, const struct token *t, const char *msg);

static void emit(struct pp *pp, const struct token *t)
{
	if (t->kind == TOK_BADARG) {
		fail(pp, t, t->str);
		return;
	}
	if (pp->nout == pp->cap) {
		int ncap = pp->cap ? pp->cap * 2 : 256;
		struct token *n = arena_alloc(sizeof(*n) * (size_t)ncap);

		if (pp->nout)
			memcpy(n, pp->out, sizeof(*n) * (size_t)pp->nout);
		pp->out = n;
		pp->cap = ncap;
	}
	pp->out[pp->nout++] = *t;
}

static bool fail(struct pp *pp, const struct token *t, const char *msg)
{
	if (!pp->failed)
		diag_error(&t->pos, "%s", msg);
	pp->failed = true;
	return false;
}

/* Compare versions "6.1.0" style, numerically field by field. */
static int vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			long x = strtol(a, (char **)&a, 10);
			long y = strtol(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

static const char *kernel_v(const char *release)
{
	size_t n = strspn(release, "0123456789.");

	return arena_strndup(release, n);
}

/* The value of CONFIG_NAME in the kernel's .config: "y", "m", "" ... */
static const char *config_value(const struct pp_env *env, const char *name)
{
	if (!env->config)
		return "";
	FILE *f = fopen(env->config, "r");
	char line[512];
	size_t n = strlen(name);
	const char *v = "";

	if (!f)
		return "";
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) || line[n] != '=')
			continue;
		char *val = line + n + 1;

		val[strcspn(val, "\n")] = '\0';
		if (val[0] == '"' && val[strlen(val) - 1] == '"') {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		v = arena_strdup(val);
		break;
	}
	fclose(f);
	return v;
}

/* An operand: a name we know the value of, a string or a number. */
struct operand {
	bool is_num;
	int64_t num;
	const char *str;
	bool version;		/* compare as versions */
	bool glob;		/* == and != match globs */
};

static bool operand(struct pp *pp, struct operand *o)
{
	struct token *t = pp->in;

	memset(o, 0, sizeof(*o));
	if (t->kind == TOK_BADARG) {
		return fail(pp, t, t->str);
	} else if (t->kind == TOK_NUM) {
		o->is_num = true;
		o->num = t->num;
	} else if (t->kind == TOK_STR) {
		o->str = t->str;
	} else if (t->kind == TOK_PUNCT && !strcmp(t->text, "-") &&
		   t[1].kind == TOK_NUM) {
		pp->in++;
		o->is_num = true;
		o->num = -pp->in->num;
	} else if (t->kind == TOK_IDENT) {
		const char *n = t->text;

		if (!strcmp(n, "kernel_v")) {
			o->str = kernel_v(pp->env->release);
			o->version = true;
		} else if (!strcmp(n, "kernel_vr")) {
			o->str = pp->env->release;
			o->version = true;
			o->glob = true;
		} else if (!strcmp(n, "arch")) {
			o->str = pp->env->arch;
			o->glob = true;
		} else if (!strcmp(n, "runtime")) {
			o->str = "kernel";
			o->glob = true;
		} else if (!strcmp(n, "systemtap_v")) {
			o->str = SYSTEMTAP_COMPAT_VERSION;
			o->version = true;
		} else if (!strcmp(n, "systemtap_privilege")) {
			o->str = "stapdev";
			o->glob = true;
		} else if (!strcmp(n, "guru_mode")) {
			o->is_num = true;
			o->num = pp->env->guru;
		} else if (!strncmp(n, "CONFIG_", 7)) {
			o->str = config_value(pp->env, n);
			o->glob = true;
		} else {
			return fail(pp, t, arena_printf("unknown preprocessor "
				"name '%s' (expected kernel_v, kernel_vr, arch, "
				"runtime, systemtap_v, systemtap_privilege, "
				"guru_mode or CONFIG_*)", n));
		}
	} else {
		return fail(pp, t, "expected a preprocessor operand");
	}
	pp->in++;
	return true;
}

static bool cond_or(struct pp *pp, bool *v);

/* comparison: "(" cond ")" | operand OP operand | operand */
static bool comparison(struct pp *pp, bool *v)
{
	if (tok_is(pp->in, "(")) {
		pp->in++;
		if (!cond_or(pp, v))
			return false;
		if (!tok_is(pp->in, ")"))
			return fail(pp, pp->in, "expected ')' in a "
				    "preprocessor condition");
		pp->in++;
		return true;
	}
	if (tok_is(pp->in, "!")) {
		pp->in++;
		if (!comparison(pp, v))
			return false;
		*v = !*v;
		return true;
	}
	struct token *at = pp->in;
	struct operand a, b;

	if (!operand(pp, &a))
		return false;
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	const char *op = NULL;

	for (size_t i = 0; i < 6; i++)
		if (tok_is(pp->in, ops[i]))
			op = ops[i];
	if (!op) {
		/* a lone operand is true when non-zero / non-empty */
		*v = a.is_num ? a.num != 0 : a.str && *a.str;
		return true;
	}
	pp->in++;
	if (!operand(pp, &b))
		return false;
	int cmp;

	if (a.is_num != b.is_num)
		return fail(pp, at, "a preprocessor comparison needs two "
			    "numbers or two strings");
	if (a.is_num) {
		cmp = a.num < b.num ? -1 : a.num > b.num;
	} else if ((!strcmp(op, "==") || !strcmp(op, "!=")) &&
		   (a.glob || b.glob)) {
		bool m = fnmatch(b.str, a.str, 0) == 0 ||
			 fnmatch(a.str, b.str, 0) == 0;

		*v = op[0] == '=' ? m : !m;
		return true;
	} else if (a.version || b.version) {
		cmp = vercmp(a.str, b.str);
	} else {
		cmp = strcmp(a.str, b.str);
	}
	if (!strcmp(op, "=="))
		*v = cmp == 0;
	else if (!strcmp(op, "!="))
		*v = cmp != 0;
	else if (!strcmp(op, "<"))
		*v = cmp < 0;
	else if (!strcmp(op, "<="))
		*v = cmp <= 0;
	else if (!strcmp(op, ">"))
		*v = cmp > 0;
	else
		*v = cmp >= 0;
	return true;
}

static bool cond_and(struct pp *pp, bool *v)
{
	if (!comparison(pp, v))
		return false;
	while (tok_is(pp->in, "&&")) {
		bool w;

		pp->in++;
		if (!comparison(pp, &w))
			return false;
		*v = *v && w;
	}
	return true;
}

static bool cond_or(struct pp *pp, bool *v)
{
	if (!cond_and(pp, v))
		return false;
	while (tok_is(pp->in, "||")) {
		bool w;

		pp->in++;
		if (!cond_and(pp, &w))
			return false;
		*v = *v || w;
	}
	return true;
}

static void run(struct pp *pp, int stop_at_else);

/* Skip a branch, keeping nested %( %) balanced; stops before %: or %). */
static void skip(struct pp *pp)
{
	int depth = 0;

	for (; pp->in->kind != TOK_EOF; pp->in++) {
		if (tok_is(pp->in, "%("))
			depth++;
		else if (tok_is(pp->in, "%)") && depth-- == 0)
			return;
		else if (tok_is(pp->in, "%:") && depth == 0)
			return;
	}
}

/* %( cond %? then [%: else] %) */
static void conditional(struct pp *pp)
{
	struct token *start = pp->in++;
	bool v = false;

	if (!cond_or(pp, &v))
		return;
	if (!tok_is(pp->in, "%?")) {
		fail(pp, pp->in, "expected '%?' after the preprocessor "
		     "condition");
		return;
	}
	pp->in++;
	if (v)
		run(pp, 1);
	else
		skip(pp);
	if (tok_is(pp->in, "%:")) {
		pp->in++;
		if (v)
			skip(pp);
		else
			run(pp, 1);
	}
	if (!tok_is(pp->in, "%)")) {
		fail(pp, start, "unterminated preprocessor conditional "
		     "(missing '%)')");
		return;
	}
	pp->in++;
}

/* @define NAME[(params)] %( body %) */
static void define(struct pp *pp)
{
	struct token *at = pp->in++;
	struct macro *m = NEW(struct macro);

	if (pp->in->kind != TOK_IDENT) {
		fail(pp, at, "@define needs a macro name");
		return;
	}
	m->name = istr(arena_printf("@%s", pp->in->text));
	pp->in++;
	if (tok_is(pp->in, "(") && !pp->in->space_before) {
		pp->in++;
		m->params = arena_alloc(sizeof(char *) * 16);
		while (!tok_is(pp->in, ")")) {
			if (pp->in->kind != TOK_IDENT || m->nparams == 16) {
				fail(pp, pp->in, "expected a macro parameter "
				     "name");
				return;
			}
			m->params[m->nparams++] =
				istr(arena_printf("@%s", pp->in->text));
			pp->in++;
			if (tok_is(pp->in, ","))
				pp->in++;
		}
		pp->in++;
	}
	if (!tok_is(pp->in, "%(")) {
		fail(pp, pp->in, "expected '%(' to open the body of @define");
		return;
	}
	pp->in++;
	struct token *body = pp->in;
	int depth = 0;

	for (; pp->in->kind != TOK_EOF; pp->in++) {
		if (tok_is(pp->in, "%("))
			depth++;
		else if (tok_is(pp->in, "%)") && depth-- == 0)
			break;
	}
	if (pp->in->kind == TOK_EOF) {
		fail(pp, at, "unterminated @define body (missing '%)')");
		return;
	}
	m->body = body;
	m->nbody = (int)(pp->in - body);
	pp->in++;
	m->next = pp->macros;
	pp->macros = m;
}

static struct macro *find_macro(struct pp *pp, const char *name)
{
	for (struct macro *m = pp->macros; m; m = m->next)
		if (m->name == name)
			return m;
	return NULL;
}

/* Expand @NAME or @NAME(args) into the output, recursively. */
static void expand(struct pp *pp, struct macro *m)
{
	struct token *at = pp->in++;
	struct token *argv[16];
	int argn[16] = { 0 }, nargs = 0;

	if (m->nparams) {
		if (!tok_is(pp->in, "(")) {
			fail(pp, at, arena_printf("macro %s takes %d "
			     "argument%s", m->name, m->nparams,
			     m->nparams == 1 ? "" : "s"));
			return;
		}
		pp->in++;
		int depth = 0;

		argv[0] = pp->in;
		for (;; pp->in++) {
			struct token *t = pp->in;

			if (t->kind == TOK_EOF) {
				fail(pp, at, "unterminated macro arguments");
				return;
			}
			if (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{"))
				depth++;
			if ((tok_is(t, ")") || tok_is(t, ",")) && !depth) {
				if (nargs == 16) {
					fail(pp, t, "too many macro arguments");
					return;
				}
				argn[nargs] = (int)(t - argv[nargs]);
				nargs++;
				if (tok_is(t, ")"))
					break;
				argv[nargs] = t + 1;
				continue;
			}
			if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}"))
				depth--;
		}
		pp->in++;
		if (nargs != m->nparams) {
			fail(pp, at, arena_printf("macro %s takes %d argument%s"
			     " but %d %s given", m->name, m->nparams,
			     m->nparams == 1 ? "" : "s", nargs,
			     nargs == 1 ? "was" : "were"));
			return;
		}
	}
	if (++pp->depth > 100) {
		fail(pp, at, "macro expansion too deep (recursive @define?)");
		return;
	}
	/* substitute parameters, then preprocess the result */
	struct token *buf = arena_alloc(sizeof(*buf) * (size_t)(m->nbody * 4 + 64));
	int n = 0, cap = m->nbody * 4 + 63;

	for (int i = 0; i < m->nbody && n < cap; i++) {
		struct token *t = &m->body[i];
		int p;

		for (p = 0; p < m->nparams; p++)
			if (t->kind == TOK_AT && t->text == m->params[p])
				break;
		if (p == m->nparams) {
			buf[n++] = *t;
			continue;
		}
		for (int j = 0; j < argn[p] && n < cap; j++)
			buf[n++] = argv[p][j];
	}
	buf[n] = (struct token){ .kind = TOK_EOF, .pos = at->pos, .text = "" };
	struct token *save = pp->in;

	pp->in = buf;
	run(pp, 0);
	pp->in = save;
	pp->depth--;
}

/* Copy tokens, acting on %( and macros; stop at %: / %) when nested. */
static void run(struct pp *pp, int nested)
{
	while (pp->in->kind != TOK_EOF && !pp->failed) {
		struct token *t = pp->in;

		if (tok_is(t, "%(")) {
			conditional(pp);
		} else if (tok_is(t, "%?")) {
			fail(pp, t, "'%?' outside a preprocessor conditional");
		} else if (tok_is(t, "%:") || tok_is(t, "%)")) {
			if (nested)
				return;
			fail(pp, t, arena_printf("'%s' outside a preprocessor "
						 "conditional", t->text));
		} else if (t->kind == TOK_AT && !strcmp(t->text, "@define")) {
			define(pp);
		} else if (t->kind == TOK_AT && find_macro(pp, t->text)) {
			expand(pp, find_macro(pp, t->text));
		} else {
			emit(pp, t);
			pp->in++;
		}
	}
}

struct token *preproc_run(struct token *toks, int *count,
			  const struct pp_env *env)
{
	struct pp pp = { .in = toks, .env = env };
	bool any = false;

	for (int i = 0; i < *count; i++)
		if (toks[i].kind == TOK_AT || toks[i].kind == TOK_BADARG ||
		    (toks[i].kind == TOK_PUNCT && toks[i].text[0] == '%'))
			any = true;
	if (!any)
		return toks;
	run(&pp, 0);
	if (pp.failed)
		return NULL;
	emit(&pp, pp.in);	/* TOK_EOF */
	*count = pp.nout;
	return pp.out;
}
