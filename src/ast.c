/*
 * ast.c - print the parsed script back as canonical source (stap -p1).
 *
 * Expressions are printed fully parenthesised where they nest, so the
 * output shows how the parser grouped them; statements one per line,
 * indented by blocks.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

static void print_string(FILE *out, const char *s, int len)
{
	fputc('"', out);
	for (int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			if (c < 32 || c >= 127)
				fprintf(out, "\\%03o", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void print_list(FILE *out, const struct node *n)
{
	for (; n; n = n->next) {
		ast_print_expr(out, n);
		if (n->next)
			fputs(", ", out);
	}
}

void ast_print_expr(FILE *out, const struct node *n)
{
	switch (n->kind) {
	case N_NUM:
		fprintf(out, "%lld", (long long)n->num);
		break;
	case N_STR:
		print_string(out, n->str, n->slen);
		break;
	case N_VAR:
		fputs(n->name, out);
		break;
	case N_TARGET:
		if (n->op)
			fputs(n->op, out);
		fputs(n->name, out);
		if (n->lhs || n->rhs) {
			fputc('(', out);
			if (n->lhs)
				ast_print_expr(out, n->lhs);
			for (const struct node *r = n->rhs; r; r = r->next) {
				if (n->lhs || r != n->rhs)
					fputs(", ", out);
				print_string(out, r->str, r->slen);
			}
			fputc(')', out);
		}
		for (const struct node *f = n->args; f; f = f->next) {
			if (f->name) {
				fprintf(out, "->%s", f->name);
			} else {
				fputc('[', out);
				ast_print_expr(out, f->lhs);
				fputc(']', out);
			}
		}
		fputs(n->num == 2 ? "$$" : n->num == 1 ? "$" : "", out);
		break;
	case N_INDEX:
		fprintf(out, "%s[", n->name);
		print_list(out, n->args);
		fputc(']', out);
		break;
	case N_CALL:
		fprintf(out, "%s(", n->name);
		print_list(out, n->args);
		fputc(')', out);
		break;
	case N_UNARY:
		/* "!(x in a)", "-(-1)": never "![x] in a" or "--1" */
		fprintf(out, "%s(", n->op);
		ast_print_expr(out, n->lhs);
		fputc(')', out);
		break;
	case N_INCDEC:
		if (n->prefix)
			fputs(n->op, out);
		ast_print_expr(out, n->lhs);
		if (!n->prefix)
			fputs(n->op, out);
		break;
	case N_BINARY:
	case N_ASSIGN:
	case N_AGG:
		fputc('(', out);
		ast_print_expr(out, n->lhs);
		fprintf(out, ") %s (", n->kind == N_AGG ? "<<<" : n->op);
		ast_print_expr(out, n->rhs);
		fputc(')', out);
		break;
	case N_TERNARY:
		fputc('(', out);
		ast_print_expr(out, n->cond);
		fputs(") ? (", out);
		ast_print_expr(out, n->then);
		fputs(") : (", out);
		ast_print_expr(out, n->els);
		fputc(')', out);
		break;
	case N_IN:
		fputc('[', out);
		print_list(out, n->args);
		fprintf(out, "] in %s", n->name);
		break;
	case N_STAT:
		fprintf(out, "%s(", n->name);
		ast_print_expr(out, n->lhs);
		if (n->args)
			fputs(", ", out);
		print_list(out, n->args);
		fputc(')', out);
		break;
	case N_EMBEDDED:
		fprintf(out, "%%{%s%%}", n->str);
		break;
	case N_DEFINED:
		fputs("@defined(", out);
		ast_print_expr(out, n->lhs);
		fputc(')', out);
		break;
	default:
		ICE("cannot print expression kind %d", n->kind);
	}
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

static void print_stmt(FILE *out, const struct node *n, int depth);

static void print_block(FILE *out, const struct node *n, int depth)
{
	fputs("{\n", out);
	for (const struct node *s = n->body; s; s = s->next)
		print_stmt(out, s, depth + 1);
	indent(out, depth);
	fputs("}", out);
}

/* A statement that is a branch: blocks stay on the line. */
static void print_branch(FILE *out, const struct node *n, int depth)
{
	if (n->kind == N_BLOCK) {
		fputc(' ', out);
		print_block(out, n, depth);
		fputc('\n', out);
	} else {
		fputc('\n', out);
		print_stmt(out, n, depth + 1);
	}
}

static void print_stmt(FILE *out, const struct node *n, int depth)
{
	indent(out, depth);
	switch (n->kind) {
	case N_BLOCK:
		print_block(out, n, depth);
		fputc('\n', out);
		break;
	case N_EXPR:
		/* x = (...) rather than (x) = (...): a statement never
		 * starts with '(' that could continue the previous one */
		if ((n->lhs->kind == N_ASSIGN || n->lhs->kind == N_AGG) &&
		    (n->lhs->lhs->kind == N_VAR ||
		     n->lhs->lhs->kind == N_INDEX)) {
			ast_print_expr(out, n->lhs->lhs);
			fprintf(out, " %s (", n->lhs->kind == N_AGG ? "<<<" :
				n->lhs->op);
			ast_print_expr(out, n->lhs->rhs);
			fputs(")\n", out);
			break;
		}
		ast_print_expr(out, n->lhs);
		fputc('\n', out);
		break;
	case N_IF:
		fputs("if (", out);
		ast_print_expr(out, n->cond);
		fputc(')', out);
		print_branch(out, n->then, depth);
		if (n->els) {
			indent(out, depth);
			fputs("else", out);
			print_branch(out, n->els, depth);
		}
		break;
	case N_WHILE:
		fputs("while (", out);
		ast_print_expr(out, n->cond);
		fputc(')', out);
		print_branch(out, n->body, depth);
		break;
	case N_FOR:
		fputs("for (", out);
		if (n->init)
			ast_print_expr(out, n->init);
		fputs("; ", out);
		if (n->cond)
			ast_print_expr(out, n->cond);
		fputs("; ", out);
		if (n->inc)
			ast_print_expr(out, n->inc);
		fputc(')', out);
		print_branch(out, n->body, depth);
		break;
	case N_BREAK:
		fputs("break\n", out);
		break;
	case N_CONTINUE:
		fputs("continue\n", out);
		break;
	case N_NEXT:
		fputs("next\n", out);
		break;
	case N_RETURN:
		fputs("return", out);
		if (n->lhs) {
			fputc(' ', out);
			ast_print_expr(out, n->lhs);
		}
		fputc('\n', out);
		break;
	case N_DELETE:
		fputs("delete ", out);
		ast_print_expr(out, n->lhs);
		fputc('\n', out);
		break;
	case N_EMPTY:
		fputs(";\n", out);
		break;
	case N_FOREACH: {
		int i = 1;

		fputs("foreach (", out);
		if (n->lhs)
			fprintf(out, "%s = ", n->lhs->name);
		fputc('[', out);
		for (const struct node *k = n->args; k; k = k->next, i++) {
			fprintf(out, "%s%s", k->name, n->sort_key == i ?
				(n->sort_dir > 0 ? "+" : "-") : "");
			if (k->next)
				fputs(", ", out);
		}
		fprintf(out, "] in %s", n->name);
		if (n->sort_stat)
			fputs(n->sort_stat, out);
		if (!n->sort_key && n->sort_dir)
			fputc(n->sort_dir > 0 ? '+' : '-', out);
		if (n->cond) {
			fputs(" limit ", out);
			ast_print_expr(out, n->cond);
		}
		fputc(')', out);
		print_branch(out, n->body, depth);
		break;
	}
	case N_TRY:
		fputs("try ", out);
		print_block(out, n->body, depth);
		fputs(" catch ", out);
		if (n->lhs)
			fprintf(out, "(%s) ", n->lhs->name);
		print_block(out, n->els, depth);
		fputc('\n', out);
		break;
	default:
		ICE("cannot print statement kind %d", n->kind);
	}
}

void ast_print_point(FILE *out, const struct probe_point *pp)
{
	for (const struct pp_comp *c = pp->comps; c; c = c->next) {
		fputs(c->name, out);
		if (c->arg) {
			fputc('(', out);
			if (c->arg->kind == TOK_STR)
				print_string(out, c->arg->str, c->arg->slen);
			else if (c->arg->num < 0)	/* a kernel address */
				fprintf(out, "0x%llx",
					(unsigned long long)c->arg->num);
			else
				fprintf(out, "%lld", (long long)c->arg->num);
			fputc(')', out);
		}
		if (c->next)
			fputc('.', out);
	}
	if (pp->sufficient)
		fputc('!', out);
	else if (pp->optional)
		fputc('?', out);
}

static const char *ty_suffix(enum type ty)
{
	return ty == TY_LONG ? ":long" : ty == TY_STRING ? ":string" : "";
}

void ast_print(FILE *out, const struct script *s, bool with_tapsets)
{
	for (const struct symbol *g = s->globals; g; g = g->next) {
		if (!with_tapsets && g->tok->pos.file &&
		    g->tok->pos.file->library)
			continue;
		fprintf(out, "%sglobal %s", g->priv ? "private " : "", g->name);
		if (g->is_array && g->size)
			fprintf(out, "[%lld]", (long long)g->size);
		if (g->init) {
			fputs(" = ", out);
			ast_print_expr(out, g->init);
		}
		fputc('\n', out);
	}
	for (const struct function *fn = s->funcs; fn; fn = fn->next) {
		if (fn->from_tapset && !with_tapsets)
			continue;
		fprintf(out, "%sfunction %s%s (", fn->priv ? "private " : "",
			fn->name, ty_suffix(fn->ret));
		for (const struct symbol *p = fn->params; p; p = p->next)
			fprintf(out, "%s%s%s", p == fn->params ? "" : ", ",
				p->name, ty_suffix(p->ty));
		fputs(") ", out);
		if (fn->has_prio)
			fprintf(out, ":%d ", fn->prio);
		if (fn->body)
			print_block(out, fn->body, 0);
		else
			fprintf(out, "%%{%s%%}", fn->embedded);
		fputc('\n', out);
	}
	for (const struct probe *pr = s->probes; pr; pr = pr->next) {
		if (pr->from_tapset && !with_tapsets)
			continue;
		fputs("probe ", out);
		if (pr->alias) {
			ast_print_point(out, pr->alias_name);
			fprintf(out, " %s ", pr->epilogue ? "+=" : "=");
		}
		for (const struct probe_point *pp = pr->points; pp;
		     pp = pp->next) {
			ast_print_point(out, pp);
			if (pp->next)
				fputs(", ", out);
		}
		if (pr->cond) {
			fputs(" if (", out);
			ast_print_expr(out, pr->cond);
			fputc(')', out);
		}
		fputc(' ', out);
		print_block(out, pr->body, 0);
		fputc('\n', out);
	}
}

/* Deep copy of a tree (and its next list), with sema's results cleared. */
struct node *ast_clone(const struct node *n)
{
	if (!n)
		return NULL;
	struct node *c = NEW(struct node);

	*c = *n;
	c->sym = NULL;
	c->fn = NULL;
	c->msg_sym = NULL;
	c->tmp = -1;
	if (n->kind != N_NUM && n->kind != N_STR)
		c->ty = TY_UNKNOWN;
	c->lhs = ast_clone(n->lhs);
	c->rhs = ast_clone(n->rhs);
	c->cond = ast_clone(n->cond);
	c->then = ast_clone(n->then);
	c->els = ast_clone(n->els);
	c->init = ast_clone(n->init);
	c->inc = ast_clone(n->inc);
	c->body = ast_clone(n->body);
	c->args = ast_clone(n->args);
	c->next = ast_clone(n->next);
	return c;
}

int ast_dollar_suffix(const char *name, size_t *len)
{
	size_t n = strlen(name);
	int k = 0;

	while (n > 1 && name[n - 1] == '$') {
		n--;
		k++;
	}
	*len = n;
	return k;
}
