/*
 * parse.c - recursive-descent parser.
 *
 * Each grammar rule is a function named after it, with the rule in a
 * comment above. Expression precedence follows SystemTap's, lowest
 * first:
 *
 *     assignment   = += -= *= /= %= <<= >>= &= ^= |= .=   (right)
 *     ternary      ?:                                      (right)
 *     logical or   ||
 *     logical and  &&
 *     bit or       |
 *     bit xor      ^
 *     bit and      &
 *     in           [k] in a
 *     comparison   < > <= >= == != =~ !~
 *     shift        << >>
 *     concat       .
 *     additive     + -
 *     multiplicative * / %
 *     unary        - + ! ~ ++ --
 *     postfix      ++ --
 *
 * Semicolons between statements are optional, as in SystemTap.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parse.h"

struct parser {
	struct token *tok;	/* current token */
	struct script *s;	/* output */
	bool from_tapset;	/* library file */
	bool guru;		/* -g: embedded C allowed in scripts */
	const struct srcfile *file;
};

/* Raised by every syntax error: the parser stops at the first. */
#include <setjmp.h>
static jmp_buf fail;

static void __attribute__((noreturn, format(printf, 2, 3)))
error_at(struct token *tok, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = { 0 };

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	diag_error(&tok->pos, "%s", sb.buf);
	longjmp(fail, 1);
}

static const char *describe(struct token *tok)
{
	switch (tok->kind) {
	case TOK_EOF:
		return "end of input";
	case TOK_STR:
		return "string literal";
	case TOK_NUM:
		return "number";
	case TOK_EMBEDDED:
		return "embedded C";
	default:
		return arena_printf("'%s'", tok->text);
	}
}

static bool peek(struct parser *p, const char *s)
{
	return tok_is(p->tok, s);
}

static bool peek_at(struct parser *p, int ahead, const char *s)
{
	struct token *t = p->tok;

	for (int i = 0; i < ahead; i++) {
		if (t->kind == TOK_EOF)
			return false;
		t++;
	}
	return tok_is(t, s);
}

static bool accept(struct parser *p, const char *s)
{
	if (!peek(p, s))
		return false;
	p->tok++;
	return true;
}

static struct token *expect(struct parser *p, const char *s)
{
	if (!peek(p, s))
		error_at(p->tok, "expected '%s' but found %s", s,
			 describe(p->tok));
	return p->tok++;
}

static const char *const keywords[] = {
	"probe", "global", "private", "function", "if", "else", "while",
	"for", "foreach", "in", "limit", "break", "continue", "return",
	"next", "delete", "try", "catch",
};

static bool is_keyword(const char *s)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
		if (!strcmp(s, keywords[i]))
			return true;
	return false;
}

static struct token *expect_ident(struct parser *p, const char *what)
{
	if (p->tok->kind != TOK_IDENT || is_keyword(p->tok->text))
		error_at(p->tok, "expected %s but found %s", what,
			 describe(p->tok));
	return p->tok++;
}

static struct node *new_node(enum node_kind kind, struct token *tok)
{
	struct node *n = NEW(struct node);

	n->kind = kind;
	n->tok = tok;
	n->tmp = -1;
	return n;
}

static struct node *expr(struct parser *p);
static struct node *stmt(struct parser *p);
static struct node *block(struct parser *p);

/* args: "(" [expr ("," expr)*] ")" */
static struct node *call_args(struct parser *p)
{
	struct node head = { 0 }, *cur = &head;

	expect(p, "(");
	if (!accept(p, ")")) {
		do {
			cur = cur->next = expr(p);
		} while (accept(p, ","));
		expect(p, ")");
	}
	return head.next;
}

/* keys: "[" expr ("," expr)* "]" */
static struct node *index_keys(struct parser *p)
{
	struct node head = { 0 }, *cur = &head;

	expect(p, "[");
	do {
		cur = cur->next = expr(p);
	} while (accept(p, ","));
	expect(p, "]");
	return head.next;
}

static const char *const stat_ops[] = {
	"@count", "@sum", "@min", "@max", "@avg", "@variance",
	"@hist_linear", "@hist_log",
};

/* A string literal operand of @cast / @var. */
static struct node *str_arg(struct parser *p, const char *what)
{
	struct token *tok = p->tok;
	struct node *n;

	if (tok->kind != TOK_STR)
		error_at(tok, "%s needs a string literal here, found %s", what,
			 describe(tok));
	p->tok++;
	n = new_node(N_STR, tok);
	n->str = tok->str;
	n->slen = tok->slen;
	return n;
}

/*
 * target_expr: "@cast" "(" expr "," STR ("," STR)? ")"
 *            | "@var" "(" STR ("," STR)? ")" | "@entry" "(" expr ")"
 */
static struct node *target_expr(struct parser *p, struct token *tok)
{
	struct node *n = new_node(N_TARGET, tok);

	n->name = tok->text;
	expect(p, "(");
	if (!strcmp(tok->text, "@var")) {
		n->rhs = str_arg(p, "@var");
		if (accept(p, ","))	/* the module */
			n->rhs->next = str_arg(p, "@var");
	} else if (!strcmp(tok->text, "@entry")) {
		n->lhs = expr(p);
	} else {
		n->lhs = expr(p);
		expect(p, ",");
		n->rhs = str_arg(p, "@cast");
		if (accept(p, ","))
			n->rhs->next = str_arg(p, "@cast");
	}
	expect(p, ")");
	return n;
}

/* target_chain: ("->" IDENT | "[" expr "]")* ("$" | "$$")? after a target */
static struct node *target_chain(struct parser *p, struct node *n)
{
	struct node head = { 0 }, *cur = &head;

	for (;;) {
		struct token *tok = p->tok;

		if (accept(p, "->")) {
			cur = cur->next = new_node(N_FIELD, tok);
			cur->name = expect_ident(p, "a member name")->text;
		} else if (accept(p, "[")) {
			cur = cur->next = new_node(N_FIELD, tok);
			cur->lhs = expr(p);
			expect(p, "]");
		} else {
			break;
		}
	}
	n->args = head.next;
	/* a trailing $ or $$ pretty-prints: $p->member$ */
	if (n->args && p->tok->kind == TOK_PUNCT && tok_is(p->tok, "$")) {
		n->num = 1;
		p->tok++;
	} else if (n->args && p->tok->kind == TOK_TARGET &&
		   !strcmp(p->tok->text, "$$")) {
		n->num = 2;
		p->tok++;
	}
	return n;
}

/*
 * @choose_defined(A, B) is @defined(A) ? A : B, as SystemTap's macro
 * expands it; sema keeps only the branch @defined picks, so that the
 * other may name a target variable that does not exist here.
 */
static struct node *choose_defined(struct parser *p, struct token *tok)
{
	struct node *a = call_args(p), *n;
	int nargs = 0;

	for (struct node *x = a; x; x = x->next)
		nargs++;
	if (nargs != 2)
		error_at(tok, "@choose_defined takes 2 arguments (A if it is "
			 "defined, else B) but %d %s given", nargs,
			 nargs == 1 ? "was" : "were");
	n = new_node(N_TERNARY, tok);
	n->cond = new_node(N_DEFINED, tok);
	n->els = a->next;
	a->next = NULL;
	n->cond->lhs = ast_clone(a);
	n->then = a;
	return n;
}

/*
 * at_expr: STAT_OP "(" expr ("," expr)* ")" | "@defined" "(" expr ")"
 *        | "@choose_defined" "(" expr "," expr ")"
 *        | target_expr target_chain
 */
static struct node *at_expr(struct parser *p)
{
	struct token *tok = p->tok++;
	struct node *n;

	if (!strcmp(tok->text, "@cast") || !strcmp(tok->text, "@var") ||
	    !strcmp(tok->text, "@entry"))
		return target_chain(p, target_expr(p, tok));
	if (!strcmp(tok->text, "@defined")) {
		n = new_node(N_DEFINED, tok);
		expect(p, "(");
		n->lhs = expr(p);
		expect(p, ")");
		return n;
	}
	if (!strcmp(tok->text, "@choose_defined"))
		return choose_defined(p, tok);
	for (size_t i = 0; i < sizeof(stat_ops) / sizeof(*stat_ops); i++) {
		if (strcmp(tok->text, stat_ops[i]))
			continue;
		n = new_node(N_STAT, tok);
		n->name = tok->text;
		n->args = call_args(p);
		if (!n->args)
			error_at(tok, "%s needs an aggregate", tok->text);
		n->lhs = n->args;
		n->args = n->args->next;
		n->lhs->next = NULL;
		return n;
	}
	error_at(tok, "unknown operator '%s' (expected @count, @sum, @min, "
		 "@max, @avg, @variance, @hist_linear, @hist_log, "
		 "@defined or @choose_defined)", tok->text);
}

/*
 * primary: NUM | STR+ | "(" expr ")" | IDENT | IDENT args | IDENT keys
 *        | TARGET target_chain | at_expr | EMBEDDED
 */
static struct node *primary(struct parser *p)
{
	struct token *tok = p->tok;
	struct node *n;

	if (tok->kind == TOK_EMBEDDED) {
		if (!p->from_tapset && !p->guru)
			error_at(tok, "embedded C expressions are only allowed "
				 "in guru mode (-g)");
		p->tok++;
		n = new_node(N_EMBEDDED, tok);
		n->str = tok->text;
		return n;
	}

	if (tok->kind == TOK_NUM) {
		p->tok++;
		n = new_node(N_NUM, tok);
		n->num = tok->num;
		return n;
	}
	if (tok->kind == TOK_STR) {
		struct strbuf sb = { 0 };

		n = new_node(N_STR, tok);
		/* adjacent literals concatenate */
		while (p->tok->kind == TOK_STR) {
			sb_add(&sb, p->tok->str, (size_t)p->tok->slen);
			p->tok++;
		}
		n->str = sb.buf ? arena_strndup(sb.buf, sb.len) : "";
		n->slen = (int)sb.len;
		return n;
	}
	if (accept(p, "(")) {
		n = expr(p);
		expect(p, ")");
		return n;
	}
	if (tok->kind == TOK_TARGET) {
		p->tok++;
		n = new_node(N_TARGET, tok);
		n->name = tok->text;
		return target_chain(p, n);
	}
	if (tok->kind == TOK_AT)
		return at_expr(p);
	if (tok->kind == TOK_IDENT && !is_keyword(tok->text)) {
		p->tok++;
		if (peek(p, "(")) {
			n = new_node(N_CALL, tok);
			n->name = tok->text;
			n->args = call_args(p);
			return n;
		}
		if (peek(p, "[")) {
			n = new_node(N_INDEX, tok);
			n->name = tok->text;
			n->args = index_keys(p);
			return n;
		}
		n = new_node(N_VAR, tok);
		n->name = tok->text;
		return n;
	}
	error_at(tok, "expected an expression but found %s", describe(tok));
}

/* postfix: primary ("++" | "--")? */
static struct node *postfix(struct parser *p)
{
	struct node *n = primary(p);

	if (peek(p, "++") || peek(p, "--")) {
		struct node *u = new_node(N_INCDEC, p->tok);

		u->op = p->tok->text;
		p->tok++;
		u->lhs = n;
		return u;
	}
	return n;
}

/*
 * unary: ("-" | "+" | "!" | "~") unary | ("++" | "--") unary
 *      | "&" TARGET... | postfix
 */
static struct node *unary(struct parser *p)
{
	struct token *tok = p->tok;

	if (peek(p, "-") || peek(p, "+") || peek(p, "!") || peek(p, "~")) {
		p->tok++;
		struct node *n = new_node(N_UNARY, tok);

		n->op = tok->text;
		n->lhs = unary(p);
		/* fold -NUM so that -9223372036854775808 is a literal */
		if (tok->text[0] == '-' && n->lhs->kind == N_NUM &&
		    n->lhs->tok == tok + 1) {
			n->lhs->num = (int64_t)(0ull - (uint64_t)n->lhs->num);
			n->lhs->tok = tok;
			return n->lhs;
		}
		return n;
	}
	if (peek(p, "&") && (tok[1].kind == TOK_TARGET ||
			     tok[1].kind == TOK_AT)) {
		/* &$var: the address of a target variable */
		p->tok++;
		struct node *n = unary(p);

		if (n->kind != N_TARGET || n->op)
			error_at(tok, "'&' takes the address of a target "
				 "variable only");
		n->op = tok->text;
		return n;
	}
	if (peek(p, "++") || peek(p, "--")) {
		p->tok++;
		struct node *n = new_node(N_INCDEC, tok);

		n->op = tok->text;
		n->prefix = true;
		n->lhs = unary(p);
		return n;
	}
	return postfix(p);
}

static struct node *binary(struct node *lhs, struct token *op,
			   struct node *rhs)
{
	struct node *n = new_node(N_BINARY, op);

	n->op = op->text;
	n->lhs = lhs;
	n->rhs = rhs;
	return n;
}

/* A left-associative level: next (OP next)* for the listed ops. */
static struct node *level(struct parser *p, struct node *(*next)(struct parser *),
			  const char *const *ops)
{
	struct node *n = next(p);

	for (;;) {
		const char *const *op;

		for (op = ops; *op; op++)
			if (peek(p, *op))
				break;
		if (!*op)
			return n;
		struct token *tok = p->tok++;

		n = binary(n, tok, next(p));
	}
}

static struct node *multiplicative(struct parser *p)
{
	static const char *const ops[] = { "*", "/", "%", NULL };

	return level(p, unary, ops);
}

static struct node *additive(struct parser *p)
{
	static const char *const ops[] = { "+", "-", NULL };

	return level(p, multiplicative, ops);
}

static struct node *concat(struct parser *p)
{
	static const char *const ops[] = { ".", NULL };

	return level(p, additive, ops);
}

static struct node *shift(struct parser *p)
{
	static const char *const ops[] = { "<<", ">>", NULL };

	return level(p, concat, ops);
}

static struct node *comparison(struct parser *p)
{
	static const char *const ops[] = {
		"<", ">", "<=", ">=", "==", "!=", "=~", "!~", NULL
	};

	return level(p, shift, ops);
}

/* in: comparison | "[" expr ("," expr)* "]" "in" IDENT | comparison "in" IDENT */
static struct node *in_expr(struct parser *p)
{
	struct node *n;

	if (peek(p, "[")) {
		struct token *tok = p->tok;
		struct node *keys = index_keys(p);

		n = new_node(N_IN, tok);
		n->args = keys;
		expect(p, "in");
		n->name = expect_ident(p, "an array name")->text;
		return n;
	}
	n = comparison(p);
	if (peek(p, "in")) {
		struct node *in = new_node(N_IN, p->tok);

		p->tok++;
		in->args = n;
		in->name = expect_ident(p, "an array name")->text;
		return in;
	}
	return n;
}

static struct node *bit_and(struct parser *p)
{
	static const char *const ops[] = { "&", NULL };

	return level(p, in_expr, ops);
}

static struct node *bit_xor(struct parser *p)
{
	static const char *const ops[] = { "^", NULL };

	return level(p, bit_and, ops);
}

static struct node *bit_or(struct parser *p)
{
	static const char *const ops[] = { "|", NULL };

	return level(p, bit_xor, ops);
}

static struct node *logical_and(struct parser *p)
{
	static const char *const ops[] = { "&&", NULL };

	return level(p, bit_or, ops);
}

static struct node *logical_or(struct parser *p)
{
	static const char *const ops[] = { "||", NULL };

	return level(p, logical_and, ops);
}

/* ternary: logical_or ("?" expr ":" ternary)? */
static struct node *ternary(struct parser *p)
{
	struct node *n = logical_or(p);

	if (peek(p, "?")) {
		struct node *t = new_node(N_TERNARY, p->tok);

		p->tok++;
		t->cond = n;
		t->then = expr(p);
		expect(p, ":");
		t->els = ternary(p);
		return t;
	}
	return n;
}

static bool is_assign_op(struct token *tok)
{
	static const char *const ops[] = {
		"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=",
		"|=", ".=",
	};

	if (tok->kind != TOK_PUNCT)
		return false;
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (!strcmp(tok->text, ops[i]))
			return true;
	return false;
}

/* assignment: ternary (ASSIGN_OP assignment | "<<<" ternary)? */
static struct node *assignment(struct parser *p)
{
	struct node *n = ternary(p);

	if (is_assign_op(p->tok)) {
		struct node *a = new_node(N_ASSIGN, p->tok);

		a->op = p->tok->text;
		p->tok++;
		a->lhs = n;
		a->rhs = assignment(p);
		return a;
	}
	if (peek(p, "<<<")) {
		struct node *a = new_node(N_AGG, p->tok);

		p->tok++;
		a->lhs = n;
		a->rhs = ternary(p);
		return a;
	}
	return n;
}

/* expr: assignment */
static struct node *expr(struct parser *p)
{
	return assignment(p);
}

/* if_stmt: "if" "(" expr ")" stmt ("else" stmt)? */
static struct node *if_stmt(struct parser *p)
{
	struct node *n = new_node(N_IF, p->tok++);

	expect(p, "(");
	n->cond = expr(p);
	expect(p, ")");
	n->then = stmt(p);
	if (accept(p, "else"))
		n->els = stmt(p);
	return n;
}

/* while_stmt: "while" "(" expr ")" stmt */
static struct node *while_stmt(struct parser *p)
{
	struct node *n = new_node(N_WHILE, p->tok++);

	expect(p, "(");
	n->cond = expr(p);
	expect(p, ")");
	n->body = stmt(p);
	return n;
}

/* for_stmt: "for" "(" expr? ";" expr? ";" expr? ")" stmt */
static struct node *for_stmt(struct parser *p)
{
	struct node *n = new_node(N_FOR, p->tok++);

	expect(p, "(");
	if (!peek(p, ";"))
		n->init = expr(p);
	expect(p, ";");
	if (!peek(p, ";"))
		n->cond = expr(p);
	expect(p, ";");
	if (!peek(p, ")"))
		n->inc = expr(p);
	expect(p, ")");
	n->body = stmt(p);
	return n;
}

/* sort_mark: ("+" | "-")? ; returns +1, -1 or 0 */
static int sort_mark(struct parser *p)
{
	if (accept(p, "+"))
		return 1;
	if (accept(p, "-"))
		return -1;
	return 0;
}

static void set_sort(struct node *n, struct token *at, int key, int dir)
{
	if (!dir)
		return;
	if (n->sort_dir)
		error_at(at, "only one sort marker ('+' or '-') is allowed "
			 "in a foreach");
	n->sort_key = key;
	n->sort_dir = dir;
}

/*
 * foreach_stmt: "foreach" "(" (IDENT "=")? keys "in" IDENT sort? ("limit" expr)? ")" stmt
 * keys: IDENT sort? | "[" IDENT sort? ("," IDENT sort?)* "]"
 * sort: ("@count" | "@sum" | "@min" | "@max" | "@avg")? ("+" | "-")
 */
static struct node *foreach_stmt(struct parser *p)
{
	struct node *n = new_node(N_FOREACH, p->tok++);
	struct node head = { 0 }, *cur = &head;
	int nkeys = 0;

	expect(p, "(");
	if (p->tok->kind == TOK_IDENT && peek_at(p, 1, "=")) {
		n->lhs = new_node(N_VAR, p->tok);
		n->lhs->name = p->tok->text;
		p->tok += 2;
	}
	bool bracket = accept(p, "[");

	do {
		struct token *t = expect_ident(p, "a key variable");

		cur = cur->next = new_node(N_VAR, t);
		cur->name = t->text;
		if (++nkeys > 9)
			error_at(t, "an array has at most 9 keys");
		set_sort(n, p->tok, nkeys, sort_mark(p));
	} while (bracket && accept(p, ","));
	if (bracket)
		expect(p, "]");
	n->args = head.next;
	expect(p, "in");
	struct token *arr = expect_ident(p, "an array name");

	n->name = arr->text;
	n->tok = arr;
	if (p->tok->kind == TOK_AT) {
		const char *op = p->tok->text;

		if (strcmp(op, "@count") && strcmp(op, "@sum") &&
		    strcmp(op, "@min") && strcmp(op, "@max") &&
		    strcmp(op, "@avg"))
			error_at(p->tok, "a foreach sorts aggregates by @count, "
				 "@sum, @min, @max or @avg, not %s", op);
		n->sort_stat = op;
		p->tok++;
		if (!peek(p, "+") && !peek(p, "-"))
			error_at(p->tok, "expected '+' or '-' after %s", op);
	}
	set_sort(n, p->tok, 0, sort_mark(p));
	if (accept(p, "limit"))
		n->cond = expr(p);
	expect(p, ")");
	n->body = stmt(p);
	return n;
}

/* try_stmt: "try" block "catch" ("(" IDENT ")")? block */
static struct node *try_stmt(struct parser *p)
{
	struct node *n = new_node(N_TRY, p->tok++);

	n->body = block(p);
	expect(p, "catch");
	if (accept(p, "(")) {
		struct token *t = expect_ident(p, "a variable for the message");

		n->lhs = new_node(N_VAR, t);
		n->lhs->name = t->text;
		expect(p, ")");
	}
	n->els = block(p);
	return n;
}

/*
 * stmt: block | ";" | if_stmt | while_stmt | for_stmt
 *     | "break" | "continue" | "next" | "return" expr? | "delete" expr
 *     | expr
 */
static struct node *stmt(struct parser *p)
{
	struct token *tok = p->tok;
	struct node *n;

	if (peek(p, "{"))
		return block(p);
	if (accept(p, ";"))
		return new_node(N_EMPTY, tok);
	if (peek(p, "if"))
		return if_stmt(p);
	if (peek(p, "while"))
		return while_stmt(p);
	if (peek(p, "for"))
		return for_stmt(p);
	if (peek(p, "foreach"))
		return foreach_stmt(p);
	if (peek(p, "try"))
		return try_stmt(p);
	if (accept(p, "break")) {
		n = new_node(N_BREAK, tok);
	} else if (accept(p, "continue")) {
		n = new_node(N_CONTINUE, tok);
	} else if (accept(p, "next")) {
		n = new_node(N_NEXT, tok);
	} else if (accept(p, "return")) {
		n = new_node(N_RETURN, tok);
		if (!peek(p, ";") && !peek(p, "}"))
			n->lhs = expr(p);
	} else if (accept(p, "delete")) {
		n = new_node(N_DELETE, tok);
		n->lhs = expr(p);
	} else {
		n = new_node(N_EXPR, tok);
		n->lhs = expr(p);
	}
	accept(p, ";");
	return n;
}

/* block: "{" stmt* "}" */
static struct node *block(struct parser *p)
{
	struct node *n = new_node(N_BLOCK, expect(p, "{"));
	struct node head = { 0 }, *cur = &head;

	while (!peek(p, "}")) {
		if (p->tok->kind == TOK_EOF)
			error_at(n->tok, "unclosed '{'");
		cur = cur->next = stmt(p);
	}
	p->tok++;
	n->body = head.next;
	return n;
}

/*
 * probe_point: comp ("." comp)* ("?" | "!")?
 * comp: (IDENT | "*" | NUM)+ ("(" literal ")")?       glued, no spaces
 */
static struct probe_point *probe_point(struct parser *p)
{
	struct probe_point *pp = NEW(struct probe_point);
	struct pp_comp head = { 0 }, *cur = &head;

	pp->tok = p->tok;
	do {
		struct pp_comp *c = NEW(struct pp_comp);
		struct strbuf sb = { 0 };

		c->tok = p->tok;
		do {
			if (p->tok->kind != TOK_IDENT && !peek(p, "*") &&
			    p->tok->kind != TOK_NUM)
				error_at(p->tok, "expected a probe point but "
					 "found %s", describe(p->tok));
			sb_puts(&sb, p->tok->text);
			p->tok++;
		} while ((p->tok->kind == TOK_IDENT || peek(p, "*") ||
			  p->tok->kind == TOK_NUM) && !p->tok->space_before);
		c->name = intern(sb.buf, sb.len);
		if (accept(p, "(")) {
			struct token *arg = p->tok;

			if (arg->kind == TOK_STR) {
				/* glue adjacent literals */
				struct strbuf s2 = { 0 };

				while (p->tok->kind == TOK_STR) {
					sb_add(&s2, p->tok->str,
					       (size_t)p->tok->slen);
					p->tok++;
				}
				if (p->tok != arg + 1) {
					struct token *t = NEW(struct token);

					*t = *arg;
					t->str = arena_strndup(s2.buf, s2.len);
					t->slen = (int)s2.len;
					arg = t;
				}
			} else if (arg->kind == TOK_NUM) {
				p->tok++;
			} else if (peek(p, "-") && p->tok[1].kind == TOK_NUM) {
				struct token *t = NEW(struct token);

				*t = p->tok[1];
				t->num = -t->num;
				t->pos = arg->pos;
				arg = t;
				p->tok += 2;
			} else {
				error_at(arg, "expected a string or number "
					 "literal but found %s", describe(arg));
			}
			c->arg = arg;
			expect(p, ")");
		}
		cur = cur->next = c;
	} while (accept(p, "."));
	pp->end = p->tok - 1;
	if (accept(p, "?"))
		pp->optional = true;
	else if (accept(p, "!"))
		pp->sufficient = pp->optional = true;	/* '!' is both */
	pp->comps = head.next;
	return pp;
}

/*
 * probe_decl: "probe" probe_point ("," probe_point)* ("if" "(" expr ")")? block
 *           | "probe" NAME ("=" | "+=") probe_point ("," probe_point)* block
 */
static void probe_decl(struct parser *p)
{
	struct probe *pr = NEW(struct probe);
	struct probe_point head = { 0 }, *cur = &head;

	pr->tok = p->tok++;
	pr->from_tapset = p->from_tapset;
	cur = cur->next = probe_point(p);
	if (peek(p, "=") || peek(p, "+=")) {
		/* an alias: the first point is its name */
		pr->alias_name = cur;
		pr->alias = "alias";
		pr->epilogue = peek(p, "+=");
		p->tok++;
		cur = &head;
		cur = cur->next = probe_point(p);
	}
	while (accept(p, ","))
		cur = cur->next = probe_point(p);
	pr->points = head.next;
	if (accept(p, "if")) {
		expect(p, "(");
		pr->cond = expr(p);
		expect(p, ")");
	}
	pr->body = block(p);

	struct probe **tail = &p->s->probes;

	while (*tail)
		tail = &(*tail)->next;
	*tail = pr;
}

static enum type type_decl(struct parser *p)
{
	struct token *t = expect_ident(p, "a type name");

	if (!strcmp(t->text, "long"))
		return TY_LONG;
	if (!strcmp(t->text, "string"))
		return TY_STRING;
	error_at(t, "unknown type '%s' (expected long or string)", t->text);
}

/*
 * global_decl: ("global" | "private" "global"?) IDENT ("[" NUM "]")?
 *              ("=" literal)? ("," ...)*
 *
 * priv: the file a private global is seen in (sema), else NULL.
 */
static void global_decl(struct parser *p, const struct srcfile *priv)
{
	do {
		struct token *name = expect_ident(p, "a variable name");
		struct symbol *sym = NEW(struct symbol);

		sym->name = name->text;
		sym->tok = name;
		sym->global = true;
		sym->priv = priv;
		if (accept(p, "[")) {
			sym->is_array = true;
			if (p->tok->kind != TOK_NUM)
				error_at(p->tok, "expected an array size but "
					 "found %s", describe(p->tok));
			sym->size = p->tok->num;
			p->tok++;
			expect(p, "]");
		}
		if (accept(p, "=")) {
			struct node *init = unary(p);

			if (p->tok->kind == TOK_PUNCT && !peek(p, ",") &&
			    !peek(p, ";"))
				error_at(p->tok, "a global initialiser must be "
					 "a number or string literal");
			if (init->kind == N_NUM)
				sym->ty = TY_LONG;
			else if (init->kind == N_STR)
				sym->ty = TY_STRING;
			else
				error_at(init->tok, "a global initialiser "
					 "must be a number or string literal");
			sym->init = init;
		}
		for (struct symbol *g = p->s->globals; g; g = g->next) {
			/* two files' private x are two globals */
			if (g->name == sym->name && (g->priv == priv ||
			    g->tok->pos.file == name->pos.file)) {
				diag_error(&name->pos, "duplicate global "
					   "'%s'", sym->name);
				diag_note(&g->tok->pos, "previous declaration "
					  "is here");
				longjmp(fail, 1);
			}
		}
		struct symbol **tail = &p->s->globals;

		while (*tail)
			tail = &(*tail)->next;
		*tail = sym;
	} while (accept(p, ","));
	accept(p, ";");
}

/*
 * function_decl: "private"? "function" IDENT (":" type)? "(" params? ")" (":" NUM)?
 *                (block | EMBEDDED)
 * params: IDENT (":" type)? ("," IDENT (":" type)?)*
 *
 * Functions may share a name: those of one arity are overloads that
 * 'next' passes between, in the order of the priority after ":" (sema).
 */
static void function_decl(struct parser *p, const struct srcfile *priv)
{
	struct function *fn = NEW(struct function);

	p->tok++;
	fn->tok = expect_ident(p, "a function name");
	fn->name = fn->tok->text;
	fn->from_tapset = p->from_tapset;
	fn->priv = priv;
	if (accept(p, ":"))
		fn->ret = type_decl(p);
	expect(p, "(");
	struct symbol head = { 0 }, *cur = &head;

	if (!peek(p, ")")) {
		do {
			struct token *t = expect_ident(p, "a parameter name");

			for (struct symbol *q = head.next; q; q = q->next)
				if (q->name == t->text)
					error_at(t, "duplicate parameter '%s'",
						 t->text);
			cur = cur->next = NEW(struct symbol);
			cur->name = t->text;
			cur->tok = t;
			if (accept(p, ":"))
				cur->ty = type_decl(p);
			fn->nparams++;
		} while (accept(p, ","));
	}
	expect(p, ")");
	fn->params = head.next;
	fn->prio = p->from_tapset;	/* the script's own run first */
	if (accept(p, ":")) {
		if (p->tok->kind != TOK_NUM)
			error_at(p->tok, "expected a priority number but "
				 "found %s", describe(p->tok));
		/* as SystemTap: 0 is only the script's default */
		if (p->tok->num < 1 || p->tok->num > INT_MAX)
			error_at(p->tok, "priority %lld is out of range (1 to "
				 "%d)", (long long)p->tok->num, INT_MAX);
		fn->prio = (int)p->tok->num;
		fn->has_prio = true;
		p->tok++;
	}
	if (p->tok->kind == TOK_EMBEDDED) {
		if (!p->from_tapset && !p->guru)
			error_at(p->tok, "embedded C code is only allowed in "
				 "guru mode (-g)");
		fn->embedded = p->tok->text;
		p->tok++;
	} else {
		fn->body = block(p);
	}
	struct function **tail = &p->s->funcs;

	while (*tail) {
		tail = &(*tail)->next;
		fn->index++;
	}
	*tail = fn;
}

/*
 * private_decl: "private" (global_decl | function_decl): a name seen
 * only in this file (SystemTap 3.0), so that two tapsets may each have
 * their own, and a script cannot reach a tapset's.
 */
static void private_decl(struct parser *p)
{
	p->tok++;
	if (peek(p, "function")) {
		function_decl(p, p->file);
		return;
	}
	if (peek(p, "global"))
		p->tok++;
	else if (p->tok->kind != TOK_IDENT || is_keyword(p->tok->text))
		error_at(p->tok, "expected 'global', 'function' or a variable "
			 "name after 'private' but found %s", describe(p->tok));
	global_decl(p, p->file);
}

/* script: (probe_decl | global_decl | function_decl | EMBEDDED)* */
int parse_file(struct script *s, const struct srcfile *file,
	       const struct lex_args *args, const struct pp_env *env,
	       bool from_tapset)
{
	int n;
	struct token *toks = lex_file(file, args, &n);

	if (!toks)
		return -1;
	toks = preproc_run(toks, &n, env);
	if (!toks)
		return -1;
	struct parser p = {
		.tok = toks, .s = s, .from_tapset = from_tapset,
		.guru = env->guru, .file = file,
	};

	if (setjmp(fail))
		return -1;
	while (p.tok->kind != TOK_EOF) {
		if (peek(&p, "probe")) {
			probe_decl(&p);
		} else if (peek(&p, "global")) {
			p.tok++;
			global_decl(&p, NULL);
		} else if (peek(&p, "private")) {
			private_decl(&p);
		} else if (peek(&p, "function")) {
			function_decl(&p, NULL);
		} else if (p.tok->kind == TOK_EMBEDDED) {
			if (!from_tapset && !p.guru)
				error_at(p.tok, "embedded C code is only "
					 "allowed in guru mode (-g)");
			struct embed *e = NEW(struct embed);

			e->tok = p.tok;
			e->code = p.tok->text;
			e->from_tapset = from_tapset;
			e->file = file;
			struct embed **tail = &s->embeds;

			while (*tail)
				tail = &(*tail)->next;
			*tail = e;
			p.tok++;
		} else if (accept(&p, ";")) {
			continue;
		} else {
			error_at(p.tok, "expected 'probe', 'global' or "
				 "'function' but found %s", describe(p.tok));
		}
	}
	return 0;
}

struct srcfile *parse_read_file(const char *path, const char *display)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	struct strbuf sb = { 0 };
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	int err = ferror(f);

	fclose(f);
	if (err) {
		errno = EIO;
		return NULL;
	}
	struct srcfile *sf = NEW(struct srcfile);

	sf->name = arena_strdup(display);
	sf->text = sb.buf ? arena_strndup(sb.buf, sb.len) : "";
	sf->len = sb.len;
	return sf;
}
