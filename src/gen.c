/*
 * gen.c - translate the elaborated program into kernel C.
 *
 * Output order follows the kprobe sample: banner, runtime include,
 * frame structs (the per-CPU storage for locals), globals, embedded C,
 * functions, probe handlers, the probe table, module init/exit.
 *
 * Locals live in per-CPU frames, not on the kernel stack: a probe
 * handler's locals in frames->p, a script function's in
 * frames->f[depth], so recursion gets one frame per level. Each body
 * starts with a pointer `l` to its frame.
 *
 * Expressions become C expressions. A long is int64_t; a string is a
 * `const char *` into a frame, a global or a literal. Any operation that
 * makes a new string (concatenation, sprintf, a string function's
 * result) writes into a temporary buffer of the frame, l->tN; numbering
 * restarts at every expression statement, so a frame holds only as many
 * as the largest statement needs.
 *
 * Every statement is preceded by a comment with its source location and
 * text, counts against MAXACTION, and is followed by an error check: a
 * run-time error (set with stp_error) ends the probe handler.
 */
#include <stdio.h>
#include <string.h>

#include "ere.h"
#include "dwarf.h"
#include "gen.h"
#include "tracepoint.h"

#define STAP_VERSION "0.1"

struct gen {
	struct strbuf *out;	/* C text */
	int depth;		/* indentation */
	const struct session *ss;
	const struct program *prog;
	struct function *fn;	/* body being generated, or NULL */
	const char *err_label;	/* where an error goes: out or a catch */
	int nlabels;		/* unique numbers for labels and C names */
	int ntemps;		/* temporaries used by the current expression */
	int maxtemps;		/* most used by one statement of this body */
	struct probe *probe;	/* probe being generated, or NULL */
	bool at_entry;		/* generating the @entry saver */
	bool re_groups;		/* =~ records groups: matched() is used */
	struct symbol **counters;	/* per-CPU counters (see find_counters) */
	int ncounters;
	bool session_probe;	/* probe is begin/end/error only */
};

static void __attribute__((format(printf, 2, 3)))
emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (*fmt && *fmt != '#')
		for (int i = 0; i < g->depth; i++)
			sb_putc(g->out, '\t');
	va_start(ap, fmt);
	sb_vprintf(g->out, fmt, ap);
	va_end(ap);
	sb_putc(g->out, '\n');
}

static void blank(struct gen *g)
{
	sb_putc(g->out, '\n');
}

/* Append s as the body of a C string literal. */
static void c_escape(struct strbuf *sb, const char *s, int len, bool percent)
{
	for (int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			sb_putc(sb, '\\');
			sb_putc(sb, c);
		} else if (c == '\n') {
			sb_puts(sb, "\\n");
		} else if (c == '\t') {
			sb_puts(sb, "\\t");
		} else if (c == '%' && percent) {
			sb_puts(sb, "%%");
		} else if (c < 32 || c >= 127 || c == '?') {
			sb_printf(sb, "\\%03o", c);
		} else {
			sb_putc(sb, c);
		}
	}
}

static const char *c_string(const char *s, int len)
{
	struct strbuf sb = { 0 };

	sb_putc(&sb, '"');
	c_escape(&sb, s, len, false);
	sb_putc(&sb, '"');
	return sb.buf;
}

/* "file:line:col" of a token, as a C string literal. */
static const char *loc(const struct token *tok)
{
	const struct srcpos *p = &tok->pos;
	const char *s = arena_printf("%s:%d:%d", p->file->name, p->line,
				     p->col);

	return c_string(s, (int)strlen(s));
}

/* The source text at tok, up to the end of its line, for a comment. */
static const char *source_excerpt(const struct token *tok)
{
	struct strbuf sb = { 0 };
	const char *p = tok->pos.loc;
	int n = 0;

	while (*p && *p != '\n' && n < 60) {
		if (p[0] == '*' && p[1] == '/') {
			sb_puts(&sb, "* /");
			p += 2;
			n += 2;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			sb_puts(&sb, "/ *");
			p += 2;
			n += 2;
			continue;
		}
		sb_putc(&sb, *p == '\t' ? ' ' : *p);
		p++;
		n++;
	}
	while (sb.len && sb.buf[sb.len - 1] == ' ')
		sb.buf[--sb.len] = '\0';
	if (*p && *p != '\n')
		sb_puts(&sb, "...");
	return sb.buf ? sb.buf : "";
}

static const char *var_ref(const struct symbol *sym)
{
	if (sym->global)
		return arena_printf("g_%s", sym->name);
	return arena_printf("l->l_%s", sym->name);
}

static const char *new_temp(struct gen *g)
{
	int t = g->ntemps++;

	if (g->ntemps > g->maxtemps)
		g->maxtemps = g->ntemps;
	return arena_printf("l->t%d", t);
}

static const char *expr(struct gen *g, struct node *n);
static const char *handler_name(const struct probe *pr);

static const char *const stat_consts[] = {
	"STP_STAT_COUNT", "STP_STAT_SUM", "STP_STAT_MIN", "STP_STAT_MAX",
	"STP_STAT_AVG", "STP_STAT_VARIANCE",
};

static const char *stat_const(const char *op)
{
	static const char *const names[] = {
		"@count", "@sum", "@min", "@max", "@avg", "@variance",
	};

	for (int i = 0; i < 6; i++)
		if (!strcmp(op, names[i]))
			return stat_consts[i];
	ICE("statistic %s", op);
}

/* The keys of an array use as a compound literal of union stp_kv. */
static const char *keys(struct gen *g, struct node *args)
{
	struct strbuf sb = { 0 };

	sb_puts(&sb, "((const union stp_kv[]){ ");
	for (struct node *a = args; a; a = a->next)
		sb_printf(&sb, "{ .%c = %s }, ", a->ty == TY_STRING ? 's' : 'n',
			  expr(g, a));
	sb_puts(&sb, "})");
	return sb.buf;
}

static const char *overflow(const struct node *n)
{
	const struct symbol *sym = n->sym;

	if (sym->size)
		return arena_printf("stp_error(c, %s, \"Array overflow, check "
				    "size limit (%lld)\")", loc(n->tok),
				    (long long)sym->size);
	return arena_printf("stp_error(c, %s, \"Array overflow, check "
			    "MAXMAPENTRIES\")", loc(n->tok));
}

/* Pointer to the struct stp_stat of an aggregate use (may be NULL). */
static const char *stat_ptr(struct gen *g, struct node *agg)
{
	if (agg->kind == N_INDEX)
		return arena_printf("stp_map_get_stat(g_%s, %s)", agg->sym->name,
				    keys(g, agg->args));
	return arena_printf("stp_pstat_merge(g_%s)", agg->sym->name);
}

/* a[k] = v, a[k] op= v, a[k]++ and friends. */
static const char *array_assign(struct gen *g, struct node *n,
				struct node *idx, const char *op,
				const char *rv)
{
	const char *m = arena_printf("g_%s", idx->sym->name);
	const char *k = keys(g, idx->args);
	int u = g->nlabels++;

	if (idx->ty == TY_STRING) {
		if (!strcmp(op, ".="))
			return arena_printf("({ const union stp_kv *k%d = %s; "
				"const char *v%d = stp_concat(%s, "
				"stp_map_get_str(%s, k%d), %s); "
				"if (stp_map_set_str(%s, k%d, v%d)) %s; v%d; })",
				u, k, u, new_temp(g), m, u, rv, m, u, u,
				overflow(idx), u);
		return arena_printf("({ const char *v%d = %s; if "
				    "(stp_map_set_str(%s, %s, v%d)) %s; v%d; })",
				    u, rv, m, k, u, overflow(idx), u);
	}
	if (!strcmp(op, "=")) {
		return arena_printf("({ int64_t v%d = %s; if (stp_map_set_long"
				    "(%s, %s, v%d)) %s; v%d; })", u, rv, m, k,
				    u, overflow(idx), u);
	}
	if (!strcmp(op, "+=") || !strcmp(op, "-=")) {
		return arena_printf("({ int64_t r%d = 0; if (stp_map_add_long"
				    "(%s, %s, %s(%s), &r%d)) %s; r%d; })", u, m,
				    k, op[0] == '-' ? "-" : "", rv, u,
				    overflow(idx), u);
	}
	/* other operators: read, compute, write back */
	const char *bin;
	char o[4] = { 0 };

	memcpy(o, op, strlen(op) - 1);
	if (!strcmp(o, "/") || !strcmp(o, "%"))
		bin = arena_printf("stp_%s(c, v%d, %s, %s)",
				   o[0] == '/' ? "div" : "mod", u, rv,
				   loc(n->tok));
	else if (!strcmp(o, "<<"))
		bin = arena_printf("(int64_t)((uint64_t)v%d << ((%s) & 63))",
				   u, rv);
	else if (!strcmp(o, ">>"))
		bin = arena_printf("(v%d >> ((%s) & 63))", u, rv);
	else
		bin = arena_printf("(v%d %s (%s))", u, o, rv);
	return arena_printf("({ const union stp_kv *k%d = %s; int64_t v%d = "
			    "stp_map_get_long(%s, k%d); v%d = %s; if "
			    "(stp_map_set_long(%s, k%d, v%d)) %s; v%d; })", u,
			    k, u, m, u, u, bin, m, u, u, overflow(idx), u);
}

/* Arguments of a print-family call as ", a, b" with C casts. */
/* Can evaluating n change something (so argument order matters)? */
static bool has_effects(const struct node *n)
{
	for (; n; n = n->next) {
		/* side effects, and what can raise a run-time error */
		if (n->kind == N_ASSIGN || n->kind == N_INCDEC ||
		    n->kind == N_AGG || n->kind == N_STAT ||
		    (n->kind == N_CALL && n->fn) ||
		    (n->kind == N_EMBEDDED && !strstr(n->str, "/* pure */")) ||
		    (n->kind == N_BINARY && (n->op[0] == '/' ||
					     n->op[0] == '%')))
			return true;
		if (has_effects(n->lhs) || has_effects(n->rhs) ||
		    has_effects(n->cond) || has_effects(n->then) ||
		    has_effects(n->els) || has_effects(n->args))
			return true;
	}
	return false;
}

/*
 * Arguments are evaluated left to right, as in SystemTap: when any has
 * a side effect, each is first stored in a C variable of a statement
 * expression (declarations are sequenced), and the call uses those.
 * *pre receives the declarations ("" when not needed).
 */
static const char *arg_value(struct gen *g, struct node *a, const char *cast,
			     bool seq, struct strbuf *pre)
{
	const char *v = expr(g, a);

	if (!seq)
		return arena_printf("%s(%s)", cast, v);
	int u = g->nlabels++;

	sb_printf(pre, "%s a%d = %s(%s); ", a->ty == TY_STRING ?
		  "const char *" : *cast == '(' && cast[1] == 'i' ? "int" :
		  "long long", u, cast, v);
	return arena_printf("a%d", u);
}

static void print_args(struct gen *g, struct strbuf *sb, struct node *args,
		       bool seq, struct strbuf *pre)
{
	for (struct node *a = args; a; a = a->next)
		sb_printf(sb, ", %s", arg_value(g, a, a->ty == TY_STRING ? "" :
						"(long long)", seq, pre));
}

/*
 * printf/sprintf whose format has %b, %m or %M (sema encodes them as
 * "\001" CONV PRECISION "\002"): arguments go into variables first, then
 * the format is printed piece by piece, the ordinary pieces with
 * stp_printf (or appended to the sprintf result), these with the
 * runtime's stp_format.h.
 */
static const char *special_printf(struct gen *g, struct node *n)
{
	bool to_string = n->name[0] == 's';
	const char *t = to_string ? new_temp(g) : NULL;
	struct strbuf pre = { 0 }, body = { 0 }, seg = { 0 }, segargs = { 0 };
	struct node *a = n->args->next;
	const char *f = n->str;

	if (to_string)
		sb_printf(&body, "%s[0] = '\\0'; ", t);
	for (;;) {
		bool end = !*f;

		if ((end || (f[0] == '\001' && f[1] != '\001')) && seg.len) {
			if (to_string)
				sb_printf(&body, "scnprintf(%s + strlen(%s), "
					  "MAXSTRINGLEN - strlen(%s), \"%s\"%s); ",
					  t, t, t, seg.buf,
					  segargs.buf ? segargs.buf : "");
			else
				sb_printf(&body, "stp_printf(c, \"%s\"%s); ",
					  seg.buf, segargs.buf ? segargs.buf : "");
			seg.len = 0;
			seg.buf[0] = '\0';
			segargs.len = 0;
			if (segargs.buf)
				segargs.buf[0] = '\0';
		}
		if (end)
			break;
		if (f[0] == '\001' && f[1] == '\001') {
			c_escape(&seg, f, 1, false);	/* a literal \001 */
			f += 2;
			continue;
		}
		if (*f == '\001') {
			char conv = f[1];
			const char *prec = f + 2, *close = strchr(prec, '\002');
			const char *len = "1";

			if (*prec == '*') {
				len = arg_value(g, a, "(int)", true, &pre);
				a = a->next;
			} else if (close > prec) {
				len = arena_strndup(prec, (size_t)(close - prec));
			}
			const char *v = arg_value(g, a, "(long long)", true, &pre);

			a = a->next;
			if (conv == 'b')
				sb_printf(&body, "stp_print_binary(c, %s, %s); ", v,
					  len);
			else
				sb_printf(&body, "stp_format_memory(c, %s, %s, %s, "
					  "%s, %s); ", to_string ? t : "NULL", v, len,
					  conv == 'M' ? "true" : "false",
					  loc(n->tok));
			f = close + 1;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			int k = *f == '%' ? 2 : 1;

			c_escape(&seg, f, k, false);
			f += k;
			continue;
		}
		/* an ordinary directive: copy it, take its arguments */
		const char *d = f + 1;

		while (*d && !strchr("csdiouxX", *d))
			d++;
		for (const char *q = f; q < d; q++) {
			if (*q == '*') {
				sb_printf(&segargs, ", %s", arg_value(g, a,
					  "(int)", true, &pre));
				a = a->next;
			}
		}
		sb_printf(&segargs, ", %s", arg_value(g, a, *d == 's' ? "" :
			  *d == 'c' ? "(int)" : "(long long)", true, &pre));
		a = a->next;
		sb_add(&seg, f, (size_t)(d + 1 - f));
		f = d + 1;
	}
	return arena_printf("({ %sif (!c->error) { %s} %s; })",
			    pre.buf ? pre.buf : "", body.buf,
			    to_string ? t : "0");
}

/*
 * print, println, printd, printdln, log and their s- forms: build a
 * kernel format from the argument types.
 */
static const char *print_call(struct gen *g, struct node *n)
{
	const char *name = n->name;
	bool to_string = name[0] == 's';
	bool delim = strstr(name, "printd") != NULL;
	bool newline = strstr(name, "ln") != NULL || !strcmp(name, "log");
	struct node *args = delim ? n->args->next : n->args;
	struct strbuf fmt = { 0 }, sb = { 0 }, pre = { 0 };
	bool seq = has_effects(n->args);

	if (n->str && strchr(n->str, '\001'))
		return special_printf(g, n);
	if (!strcmp(name, "printf") || !strcmp(name, "sprintf")) {
		sb_putc(&fmt, '"');
		/* checked and converted to kernel directives by sema */
		c_escape(&fmt, n->str, n->slen, false);
		sb_putc(&fmt, '"');
		/* %c takes an int */
		args = n->args->next;
	} else {
		sb_putc(&fmt, '"');
		for (struct node *a = args; a; a = a->next) {
			sb_puts(&fmt, a->ty == TY_STRING ? "%s" : "%lld");
			if (delim && a->next)
				c_escape(&fmt, n->args->str, n->args->slen,
					 true);
		}
		if (newline)
			sb_puts(&fmt, "\\n");
		sb_putc(&fmt, '"');
	}
	if (!strcmp(name, "printf") || !strcmp(name, "sprintf")) {
		/* cast per directive: %c wants int, others long long */
		const char *f = n->str;

		for (struct node *a = args; a; a = a->next) {
			while (*f && !(f[0] == '%' && f[1] != '%'))
				f += f[0] == '%' ? 2 : 1;
			const char *d = f + 1;

			while (*d && !strchr("csdiouxX", *d))
				d++;
			int stars = 0;

			for (const char *q = f; q < d; q++)
				stars += *q == '*';
			for (; stars && a; stars--, a = a->next)
				sb_printf(&sb, ", %s", arg_value(g, a, "(int)",
								 seq, &pre));
			if (!a)
				break;
			sb_printf(&sb, ", %s", arg_value(g, a, *d == 's' ? "" :
				  *d == 'c' ? "(int)" : "(long long)", seq,
				  &pre));
			f = *d ? d + 1 : d;
		}
	} else {
		print_args(g, &sb, args, seq, &pre);
	}
	if (to_string) {
		const char *t = new_temp(g);

		return arena_printf("({ %sif (!c->error) snprintf(%s, "
				    "MAXSTRINGLEN, %s%s); else %s[0] = '\\0'; "
				    "%s; })", pre.buf ? pre.buf : "", t,
				    fmt.buf, sb.buf ? sb.buf : "", t, t);
	}
	/* an error in an argument ends the statement before printing */
	if (pre.buf)
		return arena_printf("({ %sc->error ? 0 : stp_printf(c, %s%s); "
				    "})", pre.buf, fmt.buf,
				    sb.buf ? sb.buf : "");
	return arena_printf("stp_printf(c, %s%s)", fmt.buf,
			    sb.buf ? sb.buf : "");
}

static const char *call(struct gen *g, struct node *n)
{
	if (!n->fn) {
		struct node *a = n->args;

		if (a && a->kind == N_STAT && !a->next && a->name[1] == 'h')
			return arena_printf("({ stp_stat_print_hist_at(c, %s, "
					    "%s); 0; })", stat_ptr(g, a->lhs),
					    loc(a->tok));
		return print_call(g, n);
	}

	struct strbuf sb = { 0 }, pre = { 0 };
	bool seq = has_effects(n->args);

	sb_printf(&sb, "fn_%s(c", n->fn->cname);
	if (n->fn->ret == TY_STRING)
		sb_printf(&sb, ", %s", new_temp(g));
	for (struct node *a = n->args; a; a = a->next)
		sb_printf(&sb, ", %s", arg_value(g, a, "", seq, &pre));
	sb_putc(&sb, ')');
	if (pre.buf)
		return arena_printf("({ %sc->error ? %s : %s; })", pre.buf,
				    n->fn->ret == TY_STRING ? "\"\"" : "0",
				    sb.buf);
	return sb.buf;
}

/* s =~ "re", s !~ "re": the runtime's matcher on the compiled pattern */
static const char *regex_match(struct gen *g, struct node *n)
{
	return arena_printf("(int64_t)%sstp_re_match(c, &stp_re_%d, %s, "
			    "STP_RE_STATE(c), %s, %s)",
			    n->op[0] == '!' ? "!" : "", (int)n->num - 1,
			    expr(g, n->lhs), g->re_groups ? "true" : "false",
			    loc(n->tok));
}

static const char *binary(struct gen *g, struct node *n)
{
	const char *op = n->op;

	if (!strcmp(op, "=~") || !strcmp(op, "!~"))
		return regex_match(g, n);

	const char *a = expr(g, n->lhs), *b = expr(g, n->rhs);

	if (!strcmp(op, "."))
		return arena_printf("stp_concat(%s, %s, %s)", new_temp(g), a, b);
	if (n->lhs->ty == TY_STRING)	/* comparison of strings */
		return arena_printf("(strcmp(%s, %s) %s 0)", a, b, op);
	if (!strcmp(op, "/"))
		return arena_printf("stp_div(c, %s, %s, %s)", a, b, loc(n->tok));
	if (!strcmp(op, "%"))
		return arena_printf("stp_mod(c, %s, %s, %s)", a, b, loc(n->tok));
	if (!strcmp(op, "<<"))
		return arena_printf("(int64_t)((uint64_t)(%s) << ((%s) & 63))",
				    a, b);
	if (!strcmp(op, ">>"))
		return arena_printf("((int64_t)(%s) >> ((%s) & 63))", a, b);
	if (!strcmp(op, "&&") || !strcmp(op, "||") || !strcmp(op, "<") ||
	    !strcmp(op, ">") || !strcmp(op, "<=") || !strcmp(op, ">=") ||
	    !strcmp(op, "==") || !strcmp(op, "!="))
		return arena_printf("(int64_t)((%s) %s (%s))", a, op, b);
	return arena_printf("((%s) %s (%s))", a, op, b);
}

static const char *target_ops(struct gen *g, struct node *n, const char *wv);

static const char *assign(struct gen *g, struct node *n)
{
	if (n->lhs->kind == N_INDEX)
		return array_assign(g, n, n->lhs, n->op, expr(g, n->rhs));
	if (n->lhs->kind == N_TARGET && n->lhs->ty == TY_STRING)
		/* procfs $value = s: the template stores stp_sv */
		return arena_printf("({ const char *stp_sv = %s; %s; })",
				    expr(g, n->rhs), n->lhs->str);
	if (n->lhs->kind == N_TARGET)
		return target_ops(g, n->lhs, expr(g, n->rhs));

	const char *lv = var_ref(n->lhs->sym);
	const char *rv = expr(g, n->rhs);
	const char *op = n->op;

	if (n->lhs->ty == TY_STRING) {
		if (!strcmp(op, ".="))
			return arena_printf("stp_concat(%s, %s, %s)", lv, lv, rv);
		return arena_printf("stp_strcpy(%s, %s)", lv, rv);
	}
	if (!strcmp(op, "/=") || !strcmp(op, "%="))
		return arena_printf("(%s = stp_%s(c, %s, %s, %s))", lv,
				    op[0] == '/' ? "div" : "mod", lv, rv,
				    loc(n->tok));
	if (!strcmp(op, "<<=") || !strcmp(op, ">>="))
		return arena_printf("(%s = %s)", lv,
				    op[0] == '<' ?
				    arena_printf("(int64_t)((uint64_t)%s << "
						 "((%s) & 63))", lv, rv) :
				    arena_printf("(%s >> ((%s) & 63))", lv,
						 rv));
	return arena_printf("(%s %s (%s))", lv, op, rv);
}

/*
 * A target expression: dwarf.c left a C template in n->str that reads
 * stp_tv[] (the @cast pointer, then non-literal [index] operands, in
 * order) and, for strings, writes stp_buf.
 */
static const char *target_ops(struct gen *g, struct node *n, const char *wv)
{
	struct strbuf sb = { 0 }, ops = { 0 };

	sb_puts(&sb, "({ ");
	if (wv)		/* $var = wv (guru): the template stores it */
		sb_printf(&sb, "const int64_t stp_wv = %s; ", wv);
	if (n->ty == TY_STRING)
		sb_printf(&sb, "char *stp_buf = %s; ", new_temp(g));
	if (n->lhs && !strcmp(n->name, "@cast"))
		sb_printf(&ops, "%s", expr(g, n->lhs));
	for (struct node *f = n->args; f; f = f->next)
		if (f->lhs && f->lhs->kind != N_NUM)
			sb_printf(&ops, "%s%s", ops.len ? ", " : "",
				  expr(g, f->lhs));
	if (ops.len)
		sb_printf(&sb, "const int64_t stp_tv[] = { %s }; ", ops.buf);
	if (wv)
		sb_printf(&sb, "(void)%s; stp_wv; })", n->str);
	else
		sb_printf(&sb, "%s; })", n->str);
	return sb.buf;
}

static const char *target(struct gen *g, struct node *n)
{
	return target_ops(g, n, NULL);
}

/*
 * %{ CODE %} as an expression: CODE is C with CONTEXT (c) in scope, as
 * in embedded-C functions; a string result is copied, since CODE may
 * point at memory that changes before the value is used.
 */
static const char *embedded_expr(struct gen *g, struct node *n)
{
	const char *t;

	if (n->ty != TY_STRING)
		return arena_printf("((int64_t)(%s))", n->str);
	t = new_temp(g);
	return arena_printf("({ stp_strscpy(%s, (%s), MAXSTRINGLEN); %s; })",
			    t, n->str, t);
}

static const char *expr(struct gen *g, struct node *n)
{
	switch (n->kind) {
	case N_NUM:
		if (n->num == INT64_MIN)
			return "(-9223372036854775807LL - 1)";
		return arena_printf("%lldLL", (long long)n->num);
	case N_STR:
		return c_string(n->str, n->slen);
	case N_EMBEDDED:
		return embedded_expr(g, n);
	case N_VAR:
		return var_ref(n->sym);
	case N_INDEX:
		if (n->ty == TY_STRING)
			return arena_printf("stp_map_get_str(g_%s, %s)",
					    n->sym->name, keys(g, n->args));
		return arena_printf("stp_map_get_long(g_%s, %s)", n->sym->name,
				    keys(g, n->args));
	case N_IN:
		return arena_printf("(int64_t)stp_map_exists(g_%s, %s)",
				    n->sym->name, keys(g, n->args));
	case N_AGG:
		if (n->lhs->kind == N_INDEX)
			return arena_printf("({ if (stp_map_add_stat(g_%s, %s, "
					    "%s)) %s; 0LL; })",
					    n->lhs->sym->name,
					    keys(g, n->lhs->args),
					    expr(g, n->rhs), overflow(n->lhs));
		return arena_printf("({ stp_pstat_add(g_%s, %s); 0LL; })",
				    n->lhs->sym->name, expr(g, n->rhs));
	case N_STAT:
		return arena_printf("stp_stat_get(c, %s, %s, %s)",
				    stat_ptr(g, n->lhs), stat_const(n->name),
				    loc(n->tok));
	case N_DEFINED:
		return n->num ? "1LL" : "0LL";
	case N_TARGET:
		/* .return probes read values saved at entry */
		if (n->entry_slot && !g->at_entry)
			return arena_printf("((struct %s_entry *)c->entry_data)"
					    "->s%d", handler_name(g->probe),
					    n->entry_slot);
		if (!strcmp(n->name, "@entry"))
			return expr(g, n->lhs);
		return target(g, n);
	case N_CALL:
		return call(g, n);
	case N_UNARY:
		if (!strcmp(n->op, "!"))
			return arena_printf("(int64_t)!(%s)", expr(g, n->lhs));
		return arena_printf("(%s(%s))", n->op, expr(g, n->lhs));
	case N_BINARY:
		return binary(g, n);
	case N_ASSIGN:
		return assign(g, n);
	case N_INCDEC:
		if (n->lhs->kind == N_INDEX) {
			const char *v = array_assign(g, n, n->lhs,
				n->op[0] == '+' ? "+=" : "-=", "1");

			if (n->prefix)
				return v;
			return arena_printf("(%s %s 1)", v,
					    n->op[0] == '+' ? "-" : "+");
		}
		if (n->prefix)
			return arena_printf("(%s%s)", n->op,
					    var_ref(n->lhs->sym));
		return arena_printf("(%s%s)", var_ref(n->lhs->sym), n->op);
	case N_TERNARY:
		return arena_printf("((%s) ? (%s) : (%s))", expr(g, n->cond),
				    expr(g, n->then), expr(g, n->els));
	default:
		ICE("cannot translate expression kind %d", n->kind);
	}
}

/* Start of one expression root: temporaries can be reused. */
static const char *root(struct gen *g, struct node *n)
{
	g->ntemps = 0;
	return expr(g, n);
}

static void stmt(struct gen *g, struct node *n);
static struct symbol *counter_add(const struct node *n);
static bool is_counter(const struct gen *g, const struct symbol *sym);
static bool needs_lock(const struct gen *g, const struct node *n);

/* n++, n += e ... on a per-CPU counter: add to this CPU's slot. */
static void counter_stmt(struct gen *g, struct node *n)
{
	const struct node *e = n->lhs;
	const char *name = e->lhs->sym->name;

	if (e->kind == N_INCDEC) {
		emit(g, "this_cpu_%s(*g_%s_pcpu);",
		     e->op[0] == '-' ? "dec" : "inc", name);
		return;
	}
	emit(g, "{");
	emit(g, "\tlong v = %s;", root(g, e->rhs));
	blank(g);
	emit(g, "\tif (!c->error)");
	emit(g, "\t\tthis_cpu_%s(*g_%s_pcpu, v);",
	     e->op[0] == '-' ? "sub" : "add", name);
	emit(g, "}");
	emit(g, "STP_CHECK(%s);", g->err_label);
}

static void stmt_prologue(struct gen *g, struct node *n)
{
	emit(g, "/* %s:%d:%d: %s */", n->tok->pos.file->name,
	     n->tok->pos.line, n->tok->pos.col, source_excerpt(n->tok));
	/* statements of the user's script are where tapset errors point */
	if (n->tok->pos.file->library)
		emit(g, "STP_ACTION(%s, %s);", loc(n->tok), g->err_label);
	else
		emit(g, "STP_STATEMENT(%s, %s);", loc(n->tok), g->err_label);
}

static void body(struct gen *g, struct node *n)
{
	emit(g, "{");
	g->depth++;
	if (n->kind == N_BLOCK) {
		for (struct node *s = n->body; s; s = s->next)
			stmt(g, s);
	} else {
		stmt(g, n);
	}
	g->depth--;
	emit(g, "}");
}

/*
 * foreach: sort (or take insertion order) once, then walk the map's
 * preallocated index, copying keys and value into the loop variables.
 */
static void foreach_stmt(struct gen *g, struct node *n)
{
	int u = g->nlabels++;
	const char *m = arena_printf("g_%s", n->sym->name);
	static const char *const sorts[] = {
		"@count", "@sum", "@min", "@max", "@avg",
	};
	const char *stat = "STP_STAT_COUNT";

	for (int i = 0; n->sort_stat && i < 5; i++)
		if (!strcmp(n->sort_stat, sorts[i]))
			stat = stat_consts[i];
	emit(g, "{");
	g->depth++;
	emit(g, "int n%d = stp_map_sort(%s, %d, %d, %s), i%d;", u, m,
	     n->sort_key, n->sort_dir, stat, u);
	if (n->cond) {
		emit(g, "int64_t lim%d = %s;", u, root(g, n->cond));
		emit(g, "STP_CHECK(%s);", g->err_label);
		emit(g, "if (lim%d < n%d)", u, u);
		emit(g, "\tn%d = lim%d < 0 ? 0 : (int)lim%d;", u, u, u);
	}
	blank(g);
	emit(g, "for (i%d = 0; i%d < n%d; i%d++) {", u, u, u, u);
	g->depth++;
	emit(g, "struct stp_map_entry *e%d = stp_map_at(%s, i%d);", u, m, u);
	blank(g);
	int i = 0;

	for (struct node *k = n->args; k; k = k->next, i++) {
		if (k->sym->ty == TY_STRING)
			emit(g, "stp_strcpy(%s, stp_map_key_str(e%d, %d));",
			     var_ref(k->sym), u, i);
		else
			emit(g, "%s = stp_map_key_long(e%d, %d);",
			     var_ref(k->sym), u, i);
	}
	if (n->lhs) {
		if (n->lhs->sym->ty == TY_STRING)
			emit(g, "stp_strcpy(%s, stp_map_val_str(e%d));",
			     var_ref(n->lhs->sym), u);
		else
			emit(g, "%s = stp_map_val_long(e%d);",
			     var_ref(n->lhs->sym), u);
	}
	body(g, n->body);
	emit(g, "STP_ACTION(%s, %s);", loc(n->tok), g->err_label);
	g->depth--;
	emit(g, "}");
	g->depth--;
	emit(g, "}");
	emit(g, "STP_CHECK(%s);", g->err_label);
}

/*
 * try/catch: errors inside the try block jump to its catch label
 * instead of ending the probe; the catch clears the error. abort()
 * goes on to the outer label.
 */
static void try_stmt(struct gen *g, struct node *n)
{
	int u = g->nlabels++;
	const char *outer = g->err_label;

	g->err_label = arena_printf("catch_%d", u);
	body(g, n->body);
	g->err_label = outer;
	emit(g, "goto try_end_%d;", u);
	g->depth--;
	emit(g, "catch_%d: __maybe_unused;", u);
	g->depth++;
	emit(g, "if (unlikely(c->aborted))");
	emit(g, "\tgoto %s;	/* abort() is not caught */", outer);
	emit(g, "if (c->error) {");
	g->depth++;
	if (n->lhs)
		emit(g, "snprintf(%s, MAXSTRINGLEN, c->error_loc ? "
		     "\"%%s near %%s\" : \"%%s\", c->error, c->error_loc);",
		     var_ref(n->lhs->sym));
	emit(g, "c->error = NULL;");
	g->depth--;
	emit(g, "}");
	body(g, n->els);
	g->depth--;
	emit(g, "try_end_%d: __maybe_unused;", u);
	g->depth++;
	emit(g, "STP_CHECK(%s);", g->err_label);
}

/* The tail call of the overload that 'next' in fn runs. */
static const char *call_next(const struct function *fn)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "fn_%s(c", fn->ovl_next->cname);
	if (fn->ret == TY_STRING)
		sb_puts(&sb, ", stp_retbuf");
	for (struct symbol *p = fn->params; p; p = p->next)
		sb_printf(&sb, ", a_%s", p->name);
	sb_putc(&sb, ')');
	return sb.buf;
}

/*
 * next: a probe ends; a function leaves its frame and runs the next
 * overload with the arguments it was given, or fails as the last one.
 */
static void next_stmt(struct gen *g, struct node *n)
{
	if (!g->fn)
		emit(g, "goto out;");
	else if (g->fn->ovl_next)
		emit(g, "goto stp_next;");
	else
		emit(g, "{ stp_error(c, %s, \"all functions exhausted\"); "
		     "goto out; }", loc(n->tok));
}

static void stmt(struct gen *g, struct node *n)
{
	switch (n->kind) {
	case N_BLOCK:
		for (struct node *s = n->body; s; s = s->next)
			stmt(g, s);
		return;
	case N_EMPTY:
		return;
	default:
		break;
	}
	stmt_prologue(g, n);
	switch (n->kind) {
	case N_EXPR:
		if (!g->session_probe && counter_add(n) &&
		    is_counter(g, counter_add(n))) {
			counter_stmt(g, n);
			break;
		}
		emit(g, "(void)%s;", root(g, n->lhs));
		emit(g, "STP_CHECK(%s);", g->err_label);
		break;
	case N_IF:
		emit(g, "if (%s)", root(g, n->cond));
		body(g, n->then);
		if (n->els) {
			emit(g, "else");
			body(g, n->els);
		}
		emit(g, "STP_CHECK(%s);", g->err_label);
		break;
	case N_WHILE:
		emit(g, "while (%s) {", root(g, n->cond));
		g->depth++;
		emit(g, "STP_CHECK(%s);", g->err_label);
		/* each iteration counts, or while (1) {} would never end */
		emit(g, "STP_ACTION(%s, %s);", loc(n->tok), g->err_label);
		body(g, n->body);
		g->depth--;
		emit(g, "}");
		emit(g, "STP_CHECK(%s);", g->err_label);
		break;
	case N_FOR: {
		const char *init = n->init ? root(g, n->init) : "";
		const char *cond = n->cond ? root(g, n->cond) : "";
		const char *inc = n->inc ? root(g, n->inc) : "";

		if (n->init && n->init->ty == TY_STRING)
			init = arena_printf("(void)%s", init);
		emit(g, "for (%s; %s; %s) {", init, cond,
		     n->inc ? arena_printf("(void)%s", inc) : "");
		g->depth++;
		emit(g, "STP_CHECK(%s);", g->err_label);
		/* first, so that continue cannot skip it */
		emit(g, "STP_ACTION(%s, %s);", loc(n->tok), g->err_label);
		body(g, n->body);
		g->depth--;
		emit(g, "}");
		emit(g, "STP_CHECK(%s);", g->err_label);
		break;
	}
	case N_BREAK:
		emit(g, "break;");
		break;
	case N_CONTINUE:
		emit(g, "continue;");
		break;
	case N_NEXT:
		next_stmt(g, n);
		break;
	case N_FOREACH:
		foreach_stmt(g, n);
		break;
	case N_TRY:
		try_stmt(g, n);
		break;
	case N_RETURN:
		if (n->lhs) {
			const char *v = root(g, n->lhs);

			if (g->fn->ret == TY_STRING)
				emit(g, "stp_strcpy(stp_retbuf, %s);", v);
			else
				emit(g, "ret = %s;", v);
			/* an error in the value goes to an enclosing catch */
			if (strcmp(g->err_label, "out"))
				emit(g, "STP_CHECK(%s);", g->err_label);
		}
		emit(g, "goto out;");
		break;
	case N_DELETE: {
		struct symbol *sym = n->lhs->sym;

		if (n->lhs->kind == N_INDEX) {
			g->ntemps = 0;
			emit(g, "stp_map_delete(g_%s, %s);", sym->name,
			     keys(g, n->lhs->args));
		} else if (sym->is_array) {
			emit(g, "stp_map_clear(g_%s);", sym->name);
		} else if (sym->ty == TY_STATS) {
			emit(g, "stp_pstat_clear(g_%s);", sym->name);
		} else if (sym->ty == TY_STRING)
			emit(g, "%s[0] = '\\0';", var_ref(sym));
		else
			emit(g, "%s = 0;", var_ref(sym));
		break;
	}
	default:
		ICE("cannot translate statement kind %d", n->kind);
	}
}

static const char *c_type(enum type ty)
{
	return ty == TY_STRING ? "const char *" : "int64_t ";
}

static void emit_locals_struct(struct gen *g, const char *name,
			       struct symbol *params, struct symbol *locals,
			       int ntemps)
{
	emit(g, "struct %s {", name);
	g->depth++;
	for (int pass = 0; pass < 2; pass++) {
		for (struct symbol *s = pass ? locals : params; s; s = s->next) {
			if (s->ty == TY_STRING)
				emit(g, "char l_%s[MAXSTRINGLEN];", s->name);
			else
				emit(g, "int64_t l_%s;", s->name);
		}
	}
	for (int i = 0; i < ntemps; i++)
		emit(g, "char t%d[MAXSTRINGLEN];", i);
	g->depth--;
	emit(g, "};");
}

static void init_locals(struct gen *g, struct symbol *locals)
{
	for (struct symbol *s = locals; s; s = s->next) {
		if (s->ty == TY_STRING)
			emit(g, "l->l_%s[0] = '\\0';", s->name);
		else
			emit(g, "l->l_%s = 0;", s->name);
	}
}

static const char *handler_name(const struct probe *pr)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "probe_%d", pr->index);
	int n = 0;

	for (struct pp_comp *c = pr->points->comps; c && n < 2; c = c->next) {
		sb_putc(&sb, '_');
		for (const char *p = c->name; *p; p++)
			sb_putc(&sb, (*p >= 'a' && *p <= 'z') ||
				(*p >= '0' && *p <= '9') ? *p : '_');
		n++;
	}
	return sb.buf;
}

/*
 * A .return probe's @entry values (and the $variables it reads, which
 * SystemTap takes at entry too): a struct of slots in each call's
 * kretprobe instance data, filled by NAME_entry when the function is
 * entered, read by the handler at return.
 */
static void gen_entry_saver(struct gen *sub, struct probe *pr,
			    struct strbuf *structs)
{
	const char *name = handler_name(pr);
	struct gen sg = *sub;

	sg.out = structs;
	sg.depth = 0;
	emit(&sg, "struct %s_entry {", name);
	for (int i = 0; i < pr->nentry; i++)
		emit(&sg, pr->entry[i]->ty == TY_STRING ?
		     "\tchar s%d[MAXSTRINGLEN];" : "\tint64_t s%d;", i + 1);
	emit(&sg, "};");

	emit(sub, "/* the values probe %s saves at function entry */", name);
	emit(sub, "static void %s_entry(struct stp_context *c, void *data)",
	     name);
	emit(sub, "{");
	sub->depth++;
	emit(sub, "struct %s_locals *l __maybe_unused = "
	     "&STP_FRAMES(c)->p.%s;", name, name);
	emit(sub, "struct %s_entry *e = data;", name);
	blank(sub);
	sub->at_entry = true;
	for (int i = 0; i < pr->nentry; i++) {
		struct node *n = pr->entry[i];
		const char *v = root(sub, n);

		emit(sub, "/* %s:%d:%d */", n->tok->pos.file->name,
		     n->tok->pos.line, n->tok->pos.col);
		if (n->ty == TY_STRING)
			emit(sub, "stp_strcpy(e->s%d, %s);", i + 1, v);
		else
			emit(sub, "e->s%d = %s;", i + 1, v);
	}
	sub->at_entry = false;
	sub->depth--;
	emit(sub, "}");
	blank(sub);
}

/*
 * Generate a body into its own buffer first: the number of temporaries
 * it needs is known only afterwards, and the locals struct goes before.
 */
static void gen_probe(struct gen *g, struct probe *pr, struct strbuf *structs,
		      struct strbuf *code)
{
	struct gen sub = *g;
	const char *name = handler_name(pr);

	sub.out = code;
	sub.fn = NULL;
	sub.probe = pr;
	sub.err_label = "out";
	sub.maxtemps = 0;
	sub.depth = 0;
	bool locking;

	if (pr->nentry)
		gen_entry_saver(&sub, pr, structs);
	emit(&sub, "/* %s:%d:%d: probe %s */", pr->tok->pos.file->name,
	     pr->tok->pos.line, pr->tok->pos.col,
	     source_excerpt(pr->points->tok));
	emit(&sub, "static void %s(struct stp_context *c)", name);
	emit(&sub, "{");
	sub.depth++;
	emit(&sub, "struct %s_locals *l __maybe_unused = "
	     "&STP_FRAMES(c)->p.%s;", name, name);
	blank(&sub);
	/* one lock guards all globals, taken only by probes touching them
	 * other than by adding to per-CPU counters */
	locking = pr->uses_globals &&
		  (g->session_probe || needs_lock(g, pr->cond) ||
		   needs_lock(g, pr->body));
	if (locking) {
		emit(&sub, "if (!stp_lock_globals(c))");
		emit(&sub, "\treturn;");
	}
	if (locking && g->session_probe)
		for (int i = 0; i < g->ncounters; i++)
			emit(&sub, "stp_counter_fold(&g_%s, g_%s_pcpu);",
			     g->counters[i]->name, g->counters[i]->name);
	init_locals(&sub, pr->locals);
	/* matched() sees only this hit's matches */
	if (g->prog->nregexes)
		emit(&sub, "STP_RE_STATE(c)->last.result = 0;");
	if (pr->cond) {
		emit(&sub, "if (!(%s))", root(&sub, pr->cond));
		emit(&sub, "\tgoto out;");
	}
	stmt(&sub, pr->body);
	sub.depth--;
	emit(&sub, "out: __maybe_unused;");
	sub.depth++;
	if (locking)
		emit(&sub, "stp_unlock_globals();");
	else
		emit(&sub, "return;");
	sub.depth--;
	emit(&sub, "}");
	blank(&sub);

	struct gen sg = *g;

	sg.out = structs;
	sg.depth = 0;
	emit_locals_struct(&sg, arena_printf("%s_locals", name), NULL,
			   pr->locals, sub.maxtemps);
}

/*
 * Per-CPU counters. A scalar long global that every probe other than
 * begin, end and error only adds to, in a statement of its own (n++,
 * n--, n += e, n -= e, e not reading n), and that no function touches,
 * is kept per CPU as well: those statements add to the running CPU's
 * slot (this_cpu_add: one instruction on x86, safe against a nested
 * hit) with no globals lock. Begin, end and error probes run when no
 * other probe can (before the probes are armed, after they are
 * disarmed): they fold the slots into the global first, then use it as
 * any other. A probe whose only globals are such adds takes no lock, so
 * the common "count in a probe, print at the end" costs a hit little
 * more than a bare kprobe. Embedded C in the script (guru mode) may
 * touch globals behind our back: then there are no counters.
 */
struct counter_scan {
	struct symbol **cand;	/* scalar long globals */
	bool *added, *other;	/* added to / used otherwise, by index */
	int n;
};

static int counter_index(const struct counter_scan *cs,
			 const struct symbol *sym)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->cand[i] == sym)
			return i;
	return -1;
}

/* Does n, or any node under it, use sym? */
static bool node_uses(const struct node *n, const struct symbol *sym)
{
	for (; n; n = n->next) {
		if (n->sym == sym)
			return true;
		if (node_uses(n->lhs, sym) || node_uses(n->rhs, sym) ||
		    node_uses(n->cond, sym) || node_uses(n->then, sym) ||
		    node_uses(n->els, sym) || node_uses(n->init, sym) ||
		    node_uses(n->inc, sym) || node_uses(n->body, sym) ||
		    node_uses(n->args, sym))
			return true;
	}
	return false;
}

/* The scalar long global statement n adds to (n++, n += e ...), or NULL. */
static struct symbol *counter_add(const struct node *n)
{
	const struct node *e = n->kind == N_EXPR ? n->lhs : NULL;
	struct symbol *sym;

	if (!e || (e->kind != N_INCDEC && (e->kind != N_ASSIGN ||
	    (strcmp(e->op, "+=") && strcmp(e->op, "-=")))))
		return NULL;
	if (e->lhs->kind != N_VAR || !(sym = e->lhs->sym) || !sym->global ||
	    sym->is_array || sym->ty != TY_LONG)
		return NULL;
	if (e->kind == N_ASSIGN && node_uses(e->rhs, sym))
		return NULL;
	return sym;
}

/* Note how the code under n uses the candidates; adds: n++ and n += e
 * count as adds (in a probe body), else as any other use. */
static void scan_counters(struct counter_scan *cs, const struct node *n,
			  bool adds)
{
	for (; n; n = n->next) {
		struct symbol *sym = adds ? counter_add(n) : NULL;
		int i;

		if (sym && (i = counter_index(cs, sym)) >= 0) {
			cs->added[i] = true;
			if (n->lhs->kind == N_ASSIGN)
				scan_counters(cs, n->lhs->rhs, adds);
			continue;
		}
		if (n->sym && (i = counter_index(cs, n->sym)) >= 0)
			cs->other[i] = true;
		scan_counters(cs, n->lhs, adds);
		scan_counters(cs, n->rhs, adds);
		scan_counters(cs, n->cond, adds);
		scan_counters(cs, n->then, adds);
		scan_counters(cs, n->els, adds);
		scan_counters(cs, n->init, adds);
		scan_counters(cs, n->inc, adds);
		scan_counters(cs, n->body, adds);
		scan_counters(cs, n->args, adds);
	}
}

/* Is every point of probe pr (from rp on: they are consecutive) begin,
 * end or error? */
static bool is_session_probe(const struct rprobe *rp)
{
	const struct probe *pr = rp->probe;

	for (; rp && rp->probe == pr; rp = rp->next)
		if (rp->kind != RP_BEGIN && rp->kind != RP_END &&
		    rp->kind != RP_ERROR)
			return false;
	return true;
}

static void find_counters(struct gen *g, const struct script *s)
{
	struct counter_scan cs = { 0 };
	const struct probe *last = NULL;
	int n = 0;

	for (struct embed *e = s->embeds; e; e = e->next)
		if (!e->from_tapset)
			return;
	for (struct function *fn = s->funcs; fn; fn = fn->next)
		if (fn->used && fn->embedded && !fn->from_tapset)
			return;
	for (struct symbol *gl = s->globals; gl; gl = gl->next)
		n++;
	cs.cand = arena_alloc(n * sizeof(*cs.cand) + 1);
	cs.added = arena_alloc(n * sizeof(bool) + 1);
	cs.other = arena_alloc(n * sizeof(bool) + 1);
	for (struct symbol *gl = s->globals; gl; gl = gl->next)
		if (!gl->is_array && gl->ty == TY_LONG &&
		    !(gl->unused && !g->ss->unoptimized))
			cs.cand[cs.n++] = gl;
	if (!cs.n)
		return;
	for (struct function *fn = s->funcs; fn; fn = fn->next)
		if (fn->used && fn->body)
			scan_counters(&cs, fn->body, false);
	for (struct rprobe *rp = g->prog->rprobes; rp; rp = rp->next) {
		if (rp->probe == last)
			continue;
		last = rp->probe;
		scan_counters(&cs, rp->probe->cond, false);
		for (int i = 0; i < rp->probe->nentry; i++)	/* @entry() */
			scan_counters(&cs, rp->probe->entry[i], false);
		if (!is_session_probe(rp))	/* there any use will do */
			scan_counters(&cs, rp->probe->body, true);
	}
	g->counters = arena_alloc(cs.n * sizeof(*g->counters));
	for (int i = 0; i < cs.n; i++)
		if (cs.added[i] && !cs.other[i])
			g->counters[g->ncounters++] = cs.cand[i];
}

static bool is_counter(const struct gen *g, const struct symbol *sym)
{
	for (int i = 0; i < g->ncounters; i++)
		if (g->counters[i] == sym)
			return true;
	return false;
}

/*
 * Does the code under n need the globals lock, counter adds aside?
 * As sema decides uses_globals: any global but the left side of a
 * scalar aggregate's <<<, or a call of a function that touches one.
 */
static bool needs_lock(const struct gen *g, const struct node *n)
{
	for (; n; n = n->next) {
		struct symbol *sym = counter_add(n);

		if (sym && is_counter(g, sym)) {
			if (n->lhs->kind == N_ASSIGN && needs_lock(g, n->lhs->rhs))
				return true;
			continue;
		}
		if (n->kind == N_AGG && n->lhs->kind == N_VAR && n->lhs->sym &&
		    n->lhs->sym->global && !n->lhs->sym->is_array) {
			if (needs_lock(g, n->rhs))
				return true;
			continue;
		}
		if ((n->sym && n->sym->global) ||
		    (n->kind == N_CALL && n->fn && n->fn->uses_globals))
			return true;
		if (needs_lock(g, n->lhs) || needs_lock(g, n->rhs) ||
		    needs_lock(g, n->cond) || needs_lock(g, n->then) ||
		    needs_lock(g, n->els) || needs_lock(g, n->init) ||
		    needs_lock(g, n->inc) || needs_lock(g, n->body) ||
		    needs_lock(g, n->args))
			return true;
	}
	return false;
}

/*
 * A kprobe (kretprobe) handler of its own for each probe body on kernel
 * functions: the runtime's claim and release inlined around a direct
 * call of the body, which is most of what makes a hit cheap. The points
 * of one probe are consecutive in the list.
 */
static void gen_kprobe_handlers(struct gen *g, const struct program *prog)
{
	const struct probe *last = NULL;
	bool kp = false, krp = false, any = false;

	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		if (rp->probe != last) {
			last = rp->probe;
			kp = krp = false;
		}
		if (rp->kind == RP_KPROBE && !kp) {
			kp = any = true;
			emit(g, "STP_KPROBE_HANDLER(%s)",
			     handler_name(rp->probe));
		} else if (rp->kind == RP_KRETPROBE && !krp) {
			krp = any = true;
			emit(g, "STP_KRETPROBE_HANDLER(%s)",
			     handler_name(rp->probe));
		}
	}
	if (any)
		blank(g);
}

static void fn_signature(struct strbuf *sb, const struct function *fn)
{
	sb_printf(sb, "static %sfn_%s(struct stp_context *c",
		  c_type(fn->ret), fn->cname);
	if (fn->ret == TY_STRING)
		sb_puts(sb, ", char *stp_retbuf");
	for (struct symbol *p = fn->params; p; p = p->next)
		sb_printf(sb, ", %sa_%s", c_type(p->ty), p->name);
	sb_putc(sb, ')');
}

static void gen_embedded_function(struct gen *g, struct function *fn,
				  struct strbuf *code)
{
	struct gen sub = *g;
	struct strbuf sig = { 0 };

	sub.out = code;
	sub.depth = 0;
	fn_signature(&sig, fn);
	emit(&sub, "/* %s:%d:%d: function %s (embedded C) */",
	     fn->tok->pos.file->name, fn->tok->pos.line, fn->tok->pos.col,
	     fn->name);
	emit(&sub, "%s", sig.buf);
	emit(&sub, "{");
	if (fn->ret == TY_STRING) {
		emit(&sub, "#define STAP_RETVALUE stp_retbuf");
		emit(&sub, "#define STAP_RETURN(v) do { "
		     "stp_strcpy(stp_retbuf, (v)); goto stp_ret; } while (0)");
		emit(&sub, "\tstp_retbuf[0] = '\\0';");
	} else {
		emit(&sub, "\tint64_t stp_retvalue = 0;");
		emit(&sub, "#define STAP_RETVALUE stp_retvalue");
		emit(&sub, "#define STAP_RETURN(v) do { stp_retvalue = (v); "
		     "goto stp_ret; } while (0)");
	}
	/* an error in a tapset function points at the user's statement */
	emit(&sub, "#define STAP_ERROR(...) do { stp_error(c, %s%s, "
	     "__VA_ARGS__); goto stp_ret; } while (0)",
	     fn->from_tapset ? "c->stmt_loc ? c->stmt_loc : " : "",
	     loc(fn->tok));
	for (struct symbol *p = fn->params; p; p = p->next)
		emit(&sub, "#define STAP_ARG_%s a_%s", p->name, p->name);
	if (fn->ovl_next)
		emit(&sub, "#define STAP_NEXT goto stp_next");
	else
		emit(&sub, "#define STAP_NEXT STAP_ERROR(\"all functions "
		     "exhausted\")");
	emit(&sub, "\t{");
	sb_puts(code, fn->embedded);
	sb_putc(code, '\n');
	emit(&sub, "\t}");
	emit(&sub, "\tgoto stp_ret;");
	emit(&sub, "stp_ret: __maybe_unused;");
	for (struct symbol *p = fn->params; p; p = p->next)
		emit(&sub, "#undef STAP_ARG_%s", p->name);
	emit(&sub, "#undef STAP_NEXT");
	emit(&sub, "#undef STAP_ERROR");
	emit(&sub, "#undef STAP_RETURN");
	emit(&sub, "#undef STAP_RETVALUE");
	emit(&sub, "\treturn %s;", fn->ret == TY_STRING ? "stp_retbuf" :
	     "stp_retvalue");
	if (fn->can_next && fn->ovl_next) {
		emit(&sub, "stp_next: __maybe_unused;");
		emit(&sub, "\treturn %s;", call_next(fn));
	}
	emit(&sub, "}");
	blank(&sub);
}

static void gen_function(struct gen *g, struct function *fn,
			 struct strbuf *structs, struct strbuf *code)
{
	if (!fn->body) {
		gen_embedded_function(g, fn, code);
		return;
	}
	struct gen sub = *g;
	struct strbuf sig = { 0 };

	sub.out = code;
	sub.fn = fn;
	sub.err_label = "out";
	sub.maxtemps = 0;
	sub.depth = 0;
	fn_signature(&sig, fn);
	emit(&sub, "/* %s:%d:%d: function %s */", fn->tok->pos.file->name,
	     fn->tok->pos.line, fn->tok->pos.col, fn->name);
	emit(&sub, "%s", sig.buf);
	emit(&sub, "{");
	sub.depth++;
	emit(&sub, "struct fn_%s_locals *l;", fn->cname);
	if (fn->ret == TY_STRING)
		emit(&sub, "const char *ret = stp_retbuf;");
	else
		emit(&sub, "int64_t ret = 0;");
	blank(&sub);
	emit(&sub, "if (unlikely(c->nesting >= MAXNESTING)) {");
	emit(&sub, "\tstp_error(c, %s, \"MAXNESTING exceeded\");",
	     loc(fn->tok));
	emit(&sub, "\treturn ret;");
	emit(&sub, "}");
	emit(&sub, "c->nesting++;");
	if (fn->ret == TY_STRING)
		emit(&sub, "stp_retbuf[0] = '\\0';");
	emit(&sub, "l = &STP_FRAMES(c)->f[c->nesting].fn_%s;", fn->cname);
	for (struct symbol *p = fn->params; p; p = p->next) {
		if (p->ty == TY_STRING)
			emit(&sub, "stp_strcpy(l->l_%s, a_%s);", p->name,
			     p->name);
		else
			emit(&sub, "l->l_%s = a_%s;", p->name, p->name);
	}
	init_locals(&sub, fn->locals);
	stmt(&sub, fn->body);
	sub.depth--;
	emit(&sub, "out: __maybe_unused;");
	sub.depth++;
	emit(&sub, "c->nesting--;");
	emit(&sub, "return ret;");
	sub.depth--;
	if (fn->can_next && fn->ovl_next) {
		emit(&sub, "stp_next: __maybe_unused;");
		emit(&sub, "\tc->nesting--;");
		emit(&sub, "\treturn %s;", call_next(fn));
	}
	emit(&sub, "}");
	blank(&sub);

	struct gen sg = *g;

	sg.out = structs;
	sg.depth = 0;
	emit_locals_struct(&sg, arena_printf("fn_%s_locals", fn->cname),
			   fn->params, fn->locals, sub.maxtemps);
}

static const char *const kind_consts[] = {
	[RP_BEGIN] = "STP_BEGIN", [RP_END] = "STP_END",
	[RP_ERROR] = "STP_ERROR", [RP_KPROBE] = "STP_KPROBE",
	[RP_KRETPROBE] = "STP_KRETPROBE", [RP_TIMER] = "STP_TIMER",
	[RP_PROFILE] = "STP_PROFILE", [RP_TRACEPOINT] = "STP_TRACEPOINT",
	[RP_UPROBE] = "STP_UPROBE", [RP_URETPROBE] = "STP_URETPROBE",
	[RP_PROC_BEGIN] = "STP_PROC_BEGIN", [RP_PROC_END] = "STP_PROC_END",
	[RP_PROCFS_READ] = "STP_PROCFS_READ",
	[RP_PROCFS_WRITE] = "STP_PROCFS_WRITE", [RP_PERF] = "STP_PERF",
};

static bool needs_maps(const struct script *s)
{
	for (struct symbol *gl = s->globals; gl; gl = gl->next)
		if (gl->is_array || gl->ty == TY_STATS)
			return true;
	return false;
}

static const char *type_const(enum type ty)
{
	return ty == TY_STRING ? "STP_T_STRING" :
	       ty == TY_STATS ? "STP_T_STAT" : "STP_T_LONG";
}

/*
 * Arrays and aggregates are allocated when the module loads (never in
 * a probe) and freed when it unloads.
 */
static void gen_global_storage(struct gen *g, const struct script *s)
{
	emit(g, "static void stp_globals_free(void)");
	emit(g, "{");
	g->depth++;
	for (struct symbol *gl = s->globals; gl; gl = gl->next) {
		if (gl->unused && !g->ss->unoptimized)
			continue;
		if (gl->is_array)
			emit(g, "stp_map_free(g_%s);", gl->name);
		else if (gl->ty == TY_STATS)
			emit(g, "stp_pstat_free(g_%s);", gl->name);
		else if (is_counter(g, gl))
			emit(g, "free_percpu(g_%s_pcpu);", gl->name);
	}
	g->depth--;
	emit(g, "}");
	blank(g);
	emit(g, "static int stp_globals_alloc(void)");
	emit(g, "{");
	g->depth++;
	for (int i = 0; i < g->ncounters; i++) {
		emit(g, "g_%s_pcpu = alloc_percpu(long);", g->counters[i]->name);
		emit(g, "if (!g_%s_pcpu)", g->counters[i]->name);
		emit(g, "\tgoto err_free;");
	}
	for (struct symbol *gl = s->globals; gl; gl = gl->next) {
		if (!gl->is_array && gl->ty != TY_STATS)
			continue;
		if (gl->unused && !g->ss->unoptimized)
			continue;
		const char *hist = "NULL";

		if (gl->ty == TY_STATS) {
			emit(g, "static const struct stp_hist_spec h_%s = "
			     "{ %d, %lldLL, %lldLL, %lldLL };", gl->name,
			     gl->hist, (long long)gl->hist_lo,
			     (long long)gl->hist_hi, (long long)gl->hist_step);
			hist = arena_printf("&h_%s", gl->name);
		}
		if (!gl->is_array) {
			emit(g, "g_%s = stp_pstat_new(%s);", gl->name, hist);
		} else {
			struct strbuf kt = { 0 };

			for (int i = 0; i < gl->nkeys; i++)
				sb_printf(&kt, "%s%s", i ? ", " : "",
					  type_const(gl->keyty[i]));
			emit(g, "static const int k_%s[] = { %s };", gl->name,
			     gl->nkeys ? kt.buf : "0");
			emit(g, "g_%s = stp_map_new(%s, %d, k_%s, %s, %s);",
			     gl->name, gl->size ? arena_printf("%lld",
			     (long long)gl->size) : "MAXMAPENTRIES",
			     gl->nkeys, gl->name, type_const(gl->ty), hist);
		}
		emit(g, "if (!g_%s)", gl->name);
		emit(g, "\tgoto err_free;");
	}
	emit(g, "return 0;");
	g->depth--;
	emit(g, "err_free: __maybe_unused;");
	emit(g, "\tstp_globals_free();");
	emit(g, "\treturn -ENOMEM;");
	emit(g, "}");
	blank(g);
}

static bool file_used(const struct script *s, const struct srcfile *file)
{
	for (struct function *fn = s->funcs; fn; fn = fn->next)
		if (fn->used && fn->tok->pos.file == file)
			return true;
	return false;
}

static const char *const re_ops[] = {
	[ERE_CHAR] = "STP_RE_CHAR", [ERE_ANY] = "STP_RE_ANY",
	[ERE_CLASS] = "STP_RE_CLASS", [ERE_BOL] = "STP_RE_BOL",
	[ERE_EOL] = "STP_RE_EOL", [ERE_SPLIT] = "STP_RE_SPLIT",
	[ERE_JMP] = "STP_RE_JMP", [ERE_SAVE] = "STP_RE_SAVE",
	[ERE_MATCH] = "STP_RE_MATCH",
};

/* One compiled pattern as const tables for runtime/stp_regex.h. */
static void gen_regex(struct gen *g, const struct regex *re, int i)
{
	const char *pat = c_string(re->pattern, re->len);
	struct strbuf sb = { 0 };

	/* the pattern in a comment: no end of comment in it */
	for (const char *p = pat; *p; p++) {
		sb_putc(&sb, *p);
		if (p[0] == '*' && p[1] == '/')
			sb_putc(&sb, ' ');
	}
	emit(g, "/* =~ %s */", sb.buf);
	if (re->nclasses) {
		emit(g, "static const u32 stp_re_%d_classes[][8] = {", i);
		for (int k = 0; k < re->nclasses; k++) {
			const uint32_t *w = re->classes[k];

			emit(g, "\t{ 0x%08x, 0x%08x, 0x%08x, 0x%08x,", w[0],
			     w[1], w[2], w[3]);
			emit(g, "\t  0x%08x, 0x%08x, 0x%08x, 0x%08x },", w[4],
			     w[5], w[6], w[7]);
		}
		emit(g, "};");
	}
	emit(g, "static const struct stp_re_insn stp_re_%d_insn[] = {", i);
	for (int k = 0; k < re->ninsn; k++) {
		const struct ere_insn *in = &re->insn[k];

		const char *c = arena_printf("%d", in->c);

		if (in->c >= 32 && in->c < 127)
			c = arena_printf(in->c == '\'' || in->c == '\\' ?
					 "'\\%c'" : "'%c'", in->c);
		emit(g, "\t/* %3d */ { %s, %s, %d, %d },", k, re_ops[in->op],
		     c, in->x, in->y);
	}
	emit(g, "};");
	emit(g, "static const struct stp_re_prog stp_re_%d = {", i);
	emit(g, "\t.insn = stp_re_%d_insn,", i);
	if (re->nclasses)
		emit(g, "\t.classes = stp_re_%d_classes,", i);
	emit(g, "\t.ninsn = %d, .nthreads = %d, .ngroups = %d,", re->ninsn,
	     re->nthreads, re->ngroups);
	emit(g, "};");
	blank(g);
}

/*
 * =~ patterns: the matcher's state sized for the largest, in the
 * frames (STP_RE_STATE), and each program as tables. Groups are only
 * recorded when the script reads them (matched(), ngroups()).
 */
static void gen_regexes(struct gen *g, const struct program *prog)
{
	int ninsn = 1, nthreads = 1, ncap = 2;

	for (struct function *fn = prog->script->funcs; fn; fn = fn->next)
		if (fn->used && (fn->name == istr("matched") ||
				 fn->name == istr("ngroups")))
			g->re_groups = true;
	if (!prog->nregexes)
		return;
	for (int i = 0; i < prog->nregexes; i++) {
		const struct regex *re = prog->regexes[i];

		if (re->ninsn > ninsn)
			ninsn = re->ninsn;
		if (re->nthreads > nthreads)
			nthreads = re->nthreads;
		if (g->re_groups && 2 * re->ngroups > ncap)
			ncap = 2 * re->ngroups;
	}
	emit(g, "/* Regular expressions (=~), run by stp_regex.h. */");
	emit(g, "#define STP_RE_NINSN %d", ninsn);
	emit(g, "#define STP_RE_NTHREADS %d", nthreads);
	emit(g, "#define STP_RE_NCAP %d", ncap);
	emit(g, "#define STP_RE_STATE(c) (&STP_FRAMES(c)->re)");
	emit(g, "#include \"stp_regex.h\"");
	blank(g);
	for (int i = 0; i < prog->nregexes; i++)
		gen_regex(g, prog->regexes[i], i);
}

/* Probes in modules ("m:f") or reads of module globals? */
static bool uses_modules(const struct program *prog)
{
	for (const struct rprobe *rp = prog->rprobes; rp; rp = rp->next)
		if (rp->symbol && strchr(rp->symbol, ':'))
			return true;
	return dwarf_uses_module_addrs(prog->dw);
}

/*
 * The probe families whose runtime the module includes only when the
 * script has such a probe (struct stp_family in stp_context.h): the
 * header, the desc field and the family it points at.
 */
static const struct family {
	const char *header, *field, *family;
	enum rprobe_kind kinds[4];
	int nkinds;
} families[] = {
	{ "stp_uprobes.h", "uprobes", "stp_uprobe_family",
	  { RP_UPROBE, RP_URETPROBE, RP_PROC_BEGIN, RP_PROC_END }, 4 },
	{ "stp_perf.h", "perf", "stp_perf_family", { RP_PERF }, 1 },
	{ "stp_procfs.h", "procfs", "stp_procfs_family",
	  { RP_PROCFS_READ, RP_PROCFS_WRITE }, 2 },
};

static bool uses_family(const struct program *prog, const struct family *f)
{
	for (const struct rprobe *rp = prog->rprobes; rp; rp = rp->next)
		for (int i = 0; i < f->nkinds; i++)
			if (rp->kind == f->kinds[i])
				return true;
	return false;
}

void gen_module(const struct session *ss, const struct program *prog,
		struct strbuf *out)
{
	struct gen g = { .out = out, .ss = ss, .prog = prog };
	struct script *s = prog->script;
	struct strbuf structs = { 0 }, code = { 0 }, protos = { 0 };
	int i = 0;

	/*
	 * Sema is done with names: a private global's C name gets its
	 * place in the list, as two files may each have a private x.
	 */
	for (struct symbol *gl = s->globals; gl; gl = gl->next, i++)
		if (gl->priv)
			gl->name = arena_printf("%s__p%d", gl->name, i);
	emit(&g, "/*");
	emit(&g, " * Generated by stap %s from %s", STAP_VERSION,
	     ss->script_file ? ss->script_file : "<input>");
	emit(&g, " * for kernel %s. Do not edit: edit the script.", ss->release);
	emit(&g, " */");
	emit(&g, "#include \"stp_runtime.h\"");
	emit(&g, "#include \"stp_deref.h\"");
	if (needs_maps(s))
		emit(&g, "#include \"stp_map.h\"");
	emit(&g, "#include \"stp_format.h\"");
	for (size_t k = 0; k < sizeof(families) / sizeof(*families); k++)
		if (uses_family(prog, &families[k]))
			emit(&g, "#include \"%s\"", families[k].header);
	blank(&g);
	emit(&g, "/* Count a statement against MAXACTION; leave on error. */");
	emit(&g, "#define STP_ACTION(loc, label) do { \\");
	emit(&g, "\t\tif (unlikely(++c->actions > MAXACTION)) { \\");
	emit(&g, "\t\t\tstp_error(c, loc, \"MAXACTION exceeded\"); \\");
	emit(&g, "\t\t\tgoto label; \\");
	emit(&g, "\t\t} \\");
	emit(&g, "\t} while (0)");
	emit(&g, "#define STP_STATEMENT(loc, label) do { \\");
	emit(&g, "\t\tc->stmt_loc = loc; \\");
	emit(&g, "\t\tSTP_ACTION(loc, label); \\");
	emit(&g, "\t} while (0)");
	emit(&g, "#define STP_CHECK(label) do { \\");
	emit(&g, "\t\tif (unlikely(c->error)) \\");
	emit(&g, "\t\t\tgoto label; \\");
	emit(&g, "\t} while (0)");
	emit(&g, "#define CONTEXT c");
	blank(&g);
	gen_regexes(&g, prog);

	/* bodies first, into their own buffers: they size the frames */
	for (struct function *fn = s->funcs; fn; fn = fn->next) {
		if (!fn->used)
			continue;
		gen_function(&g, fn, &structs, &code);
		fn_signature(&protos, fn);
		sb_puts(&protos, ";\n");
	}
	struct probe *last = NULL;

	find_counters(&g, s);
	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		if (rp->probe == last)
			continue;
		last = rp->probe;
		g.session_probe = is_session_probe(rp);
		gen_probe(&g, rp->probe, &structs, &code);
	}

	emit(&g, "/* Locals of each probe and function, in per-CPU frames. */");
	if (structs.len)
		sb_add(out, structs.buf, structs.len);
	blank(&g);
	emit(&g, "struct stp_frames {");
	g.depth++;
	emit(&g, "union {");
	last = NULL;
	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		if (rp->probe == last)
			continue;
		last = rp->probe;
		const char *name = handler_name(rp->probe);

		emit(&g, "\tstruct %s_locals %s;", name, name);
	}
	emit(&g, "} p;");
	emit(&g, "union {");
	emit(&g, "\tchar none;");
	for (struct function *fn = s->funcs; fn; fn = fn->next)
		if (fn->used && fn->body)
			emit(&g, "\tstruct fn_%s_locals fn_%s;", fn->cname,
			     fn->cname);
	emit(&g, "} f[MAXNESTING + 1];");
	if (prog->nregexes)
		emit(&g, "struct stp_re_state re;	/* =~, last match */");
	g.depth--;
	emit(&g, "};");
	emit(&g, "#define STP_FRAMES(c) ((struct stp_frames *)(c)->frames)");
	blank(&g);

	if (s->globals)
		emit(&g, "/* Globals */");
	for (struct symbol *gl = s->globals; gl; gl = gl->next) {
		if (gl->unused && !ss->unoptimized)
			continue;
		if (gl->is_array)
			emit(&g, "static struct stp_map *g_%s;", gl->name);
		else if (gl->ty == TY_STATS)
			emit(&g, "static struct stp_pstat *g_%s;", gl->name);
		else if (gl->ty == TY_STRING)
			emit(&g, "static char g_%s[MAXSTRINGLEN] __maybe_unused%s;", gl->name,
			     gl->init ? arena_printf(" = %s",
				c_string(gl->init->str, gl->init->slen)) : "");
		else
			emit(&g, "static long g_%s __maybe_unused%s;", gl->name,
			     gl->init ? arena_printf(" = %lldL",
				(long long)gl->init->num) : "");
		if (is_counter(&g, gl))
			emit(&g, "static long __percpu *g_%s_pcpu;	"
			     "/* probes add here */", gl->name);
		/* settable at load time: staprun MODULE.ko name=value, stap -G */
		if (gl->priv)
			continue;	/* not even by name outside its file */
		if (!gl->is_array && gl->ty == TY_STRING)
			emit(&g, "module_param_string(%s, g_%s, MAXSTRINGLEN, 0);",
			     gl->name, gl->name);
		else if (!gl->is_array && gl->ty == TY_LONG)
			emit(&g, "module_param_named(%s, g_%s, long, 0);",
			     gl->name, gl->name);
	}
	blank(&g);

	for (struct embed *e = s->embeds; e; e = e->next) {
		if (e->from_tapset && !file_used(s, e->file))
			continue;
		emit(&g, "/* %s:%d: embedded C */", e->tok->pos.file->name,
		     e->tok->pos.line);
		sb_puts(out, e->code);
		blank(&g);
	}
	if (protos.len) {
		emit(&g, "/* Functions */");
		sb_add(out, protos.buf, protos.len);
		blank(&g);
	}
	sb_add(out, code.buf, code.len);
	gen_kprobe_handlers(&g, prog);

	/* kernel.trace callbacks: the arguments, narrowed, to the runtime */
	int ntp = 0;

	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next, ntp++) {
		if (!rp->tp)
			continue;
		sb_puts(out, tracepoint_callback(rp->tp,
						 arena_printf("stp_tp_cb_%d", ntp)));
		blank(&g);
	}
	emit(&g, "static struct stp_probe stp_probes[] = {");
	g.depth++;
	ntp = 0;
	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next, ntp++) {
		emit(&g, "{");
		g.depth++;
		emit(&g, ".kind = %s,", kind_consts[rp->kind]);
		emit(&g, ".pp = %s,", c_string(rp->pp, (int)strlen(rp->pp)));
		if (rp->symbol) {
			emit(&g, ".symbol = %s,", c_string(rp->symbol,
						(int)strlen(rp->symbol)));
			emit(&g, ".offset = 0x%llx,",
			     (unsigned long long)rp->offset);
			emit(&g, ".func = %s,", c_string(rp->func,
						(int)strlen(rp->func)));
		}
		if (rp->build_id)
			emit(&g, ".build_id = \"%s\",", rp->build_id);
		if (rp->build_id_off)
			emit(&g, ".build_id_off = 0x%llx,",
			     (unsigned long long)rp->build_id_off);
		emit(&g, ".handler = %s,", handler_name(rp->probe));
		if (rp->kind == RP_KPROBE)
			emit(&g, ".kp_handler = %s_kp,", handler_name(rp->probe));
		else if (rp->kind == RP_KRETPROBE)
			emit(&g, ".rp_handler = %s_krp,",
			     handler_name(rp->probe));
		if (rp->kind == RP_KRETPROBE && rp->maxactive)
			emit(&g, ".maxactive = %lld,", (long long)rp->maxactive);
		if (rp->kind == RP_KRETPROBE && rp->probe->nentry) {
			emit(&g, ".entry = %s_entry,", handler_name(rp->probe));
			emit(&g, ".data_size = sizeof(struct %s_entry),",
			     handler_name(rp->probe));
		}
		if (rp->tp)
			emit(&g, ".tp_func = stp_tp_cb_%d,", ntp);
		if (rp->order)
			emit(&g, ".order = %lld,", (long long)rp->order);
		if (rp->period_ns)
			emit(&g, ".period_ns = %lldLL,", (long long)rp->period_ns);
		if (rp->randomize_ns)
			emit(&g, ".randomize_ns = %lldLL,",
			     (long long)rp->randomize_ns);
		if (rp->period_jiffies)
			emit(&g, ".period_jiffies = %lld,",
			     (long long)rp->period_jiffies);
		if (rp->randomize_jiffies)
			emit(&g, ".randomize_jiffies = %lld,",
			     (long long)rp->randomize_jiffies);
		if (rp->mode)
			emit(&g, ".mode = 0%o,", rp->mode);
		if (rp->kind == RP_PERF)
			emit(&g, ".perf_type = %lld, .perf_config = 0x%llxULL, "
			     ".perf_sample = %lldULL,", (long long)rp->perf_type,
			     (unsigned long long)rp->perf_config,
			     (long long)rp->perf_sample);
		g.depth--;
		emit(&g, "},");
	}
	g.depth--;
	emit(&g, "};");
	blank(&g);
	emit(&g, "static const struct stp_module_desc stp_desc = {");
	emit(&g, "\t.script = %s,", c_string(ss->script_file ?
					     ss->script_file : "<input>",
					     (int)strlen(ss->script_file ?
					     ss->script_file : "<input>")));
	emit(&g, "\t.probes = stp_probes,");
	emit(&g, "\t.nprobes = ARRAY_SIZE(stp_probes),");
	emit(&g, "\t.frames_size = sizeof(struct stp_frames),");
	if (uses_modules(prog))
		emit(&g, "\t.modules = true,	/* see stp_modules.h */");
	for (size_t k = 0; k < sizeof(families) / sizeof(*families); k++)
		if (uses_family(prog, &families[k]))
			emit(&g, "\t.%s = &%s,", families[k].field,
			     families[k].family);
	emit(&g, "};");
	blank(&g);
	gen_global_storage(&g, s);
	emit(&g, "static int __init stp_init(void)");
	emit(&g, "{");
	emit(&g, "\tint rc = stp_globals_alloc();");
	blank(&g);
	emit(&g, "\tif (rc)");
	emit(&g, "\t\treturn rc;");
	emit(&g, "\trc = stp_module_init(&stp_desc);");
	emit(&g, "\tif (rc)");
	emit(&g, "\t\tstp_globals_free();");
	emit(&g, "\treturn rc;");
	emit(&g, "}");
	blank(&g);
	emit(&g, "static void __exit stp_exit(void)");
	emit(&g, "{");
	emit(&g, "\tstp_module_exit();");
	emit(&g, "\tstp_globals_free();");
	emit(&g, "}");
	blank(&g);
	emit(&g, "module_init(stp_init);");
	emit(&g, "module_exit(stp_exit);");
	emit(&g, "MODULE_LICENSE(\"GPL\");");
	emit(&g, "MODULE_DESCRIPTION(\"stap probe module\");");
}
