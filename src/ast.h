/*
 * ast.h - the parsed script: probes, functions, globals, and the
 * expression/statement tree they contain.
 * Built by parse.c, annotated in place by sema.c (types, symbols,
 * callees), read by gen.c.
 */
#ifndef AST_H
#define AST_H

#include <stdbool.h>
#include <stdint.h>

#include "lex.h"

enum type {
	TY_UNKNOWN,
	TY_LONG,
	TY_STRING,
	TY_STATS,
};

enum node_kind {
	/* expressions */
	N_NUM,			/* num */
	N_STR,			/* str, slen */
	N_VAR,			/* name -> sym */
	N_INDEX,		/* name[args] -> sym (an array) */
	N_CALL,			/* name(args) -> fn */
	N_TARGET,		/* $name, @cast, @var: see dwarf.h; args the
				 * chain of N_FIELD, lhs an operand, rhs
				 * string literals, op "&" for &$name */
	N_UNARY,		/* op lhs: - ! ~ + */
	N_BINARY,		/* lhs op rhs: arithmetic, compare, . && || */
	N_ASSIGN,		/* lhs op rhs: = += -= ... .= */
	N_INCDEC,		/* op lhs (prefix) or lhs op (postfix) */
	N_TERNARY,		/* cond ? then : els */
	N_IN,			/* [args] in name */
	N_AGG,			/* lhs <<< rhs */
	N_STAT,			/* @name(lhs [, args]): @count ... @hist_log */
	N_DEFINED,		/* @defined(lhs): num holds the answer */
	N_FIELD,		/* in a target's chain: ->name, or [lhs] */
	N_EMBEDDED,		/* %{ str %}: a C expression (guru mode) */
	/* statements */
	N_BLOCK,		/* body: list */
	N_EXPR,			/* lhs ; */
	N_IF,			/* if (cond) then else els */
	N_WHILE,		/* while (cond) body */
	N_FOR,			/* for (init; cond; inc) body */
	N_FOREACH,		/* foreach (lhs = [args] in name limit cond) body */
	N_TRY,			/* try body catch (name) els */
	N_BREAK,
	N_CONTINUE,
	N_RETURN,		/* return lhs */
	N_NEXT,
	N_DELETE,		/* delete lhs */
	N_EMPTY,		/* ; */
};

struct symbol;
struct function;

struct node {
	enum node_kind kind;	/* what it is */
	struct token *tok;	/* main token, for diagnostics */
	const char *op;		/* interned operator spelling */
	enum type ty;		/* expression type, set by sema */
	struct node *lhs, *rhs;	/* operands */
	struct node *cond;	/* if / while / for / ?: condition */
	struct node *then, *els;	/* branches */
	struct node *init, *inc;	/* for loop parts */
	struct node *body;	/* loop body, block statements */
	struct node *args;	/* call arguments, array keys */
	struct node *next;	/* next in a list */
	const char *name;	/* variable, array or function name */
	int64_t num;		/* N_NUM value */
	const char *str;	/* N_STR value */
	int slen;		/* bytes in str */
	bool prefix;		/* N_INCDEC: ++x rather than x++ */
	int sort_key;		/* N_FOREACH: 0 by value, 1..9 by key */
	int sort_dir;		/* N_FOREACH: +1, -1, 0 unsorted */
	const char *sort_stat;	/* N_FOREACH: @count... for stats, or NULL */
	struct symbol *msg_sym;	/* N_TRY: catch variable */
	bool at_entry;		/* N_TARGET read at function entry */
	bool write;		/* N_TARGET: the left side of '=' (guru) */
	int entry_slot;		/* .return: saved at entry in slot N (1..) */
	struct symbol *sym;	/* resolved variable */
	struct function *fn;	/* resolved callee */
	int tmp;		/* gen: string temporary index, -1 none */
	bool from_alias;	/* N_BLOCK: an alias body in an expanded probe */
};

/* A variable: global, local or function parameter. */
struct symbol {
	const char *name;	/* interned */
	enum type ty;		/* inferred or declared */
	bool global;		/* script-wide */
	bool is_array;		/* used with [] */
	bool shape_known;	/* is_array and nkeys are settled */
	int hist;		/* stats: 0 none, 1 linear, 2 log */
	int64_t hist_lo, hist_hi, hist_step;	/* linear histogram */
	struct token *hist_tok;	/* where the histogram was asked for */
	int nkeys;		/* array arity */
	enum type keyty[9];	/* array key types */
	int64_t size;		/* global a[size], 0 default */
	struct token *tok;	/* declaration or first use */
	struct node *init;	/* global initialiser (literal) */
	bool written, read;	/* for warnings */
	int refs;		/* uses in code that is translated */
	bool unused;		/* never used: not translated (unless -u) */
	struct token *ty_tok;	/* where its type was learned */
	const struct srcfile *priv;	/* "private": seen only in this file */
	struct symbol *next;	/* next in its scope */
};

/* One component of a probe point: name or name(arg). */
struct pp_comp {
	const char *name;	/* "kernel", "function", "return", "*" ... */
	struct token *arg;	/* literal argument, NULL if none */
	struct token *tok;	/* first token, for diagnostics */
	struct pp_comp *next;
};

struct probe_point {
	struct pp_comp *comps;	/* dotted components */
	bool optional;		/* trailing '?' */
	bool sufficient;	/* trailing '!' */
	struct token *tok;	/* first token */
	struct token *end;	/* last token */
	struct probe_point *next;
};

struct probe {
	struct probe_point *points;	/* comma-separated list */
	struct node *cond;	/* probe ... if (cond), or NULL */
	struct node *body;	/* N_BLOCK */
	struct symbol *locals;	/* set by sema */
	struct token *tok;	/* "probe" keyword */
	const char *alias;	/* non-NULL for "probe NAME = ..." */
	const char *alias_pp;	/* expanded: the alias the user named */
	struct probe_point *alias_name;	/* NAME, a probe point */
	bool epilogue;		/* "+=" alias */
	bool from_tapset;	/* defined in a tapset file */
	bool uses_globals;	/* needs the globals lock */
	struct node *entry[32];	/* .return: values saved at entry, by slot */
	int nentry;
	int index;		/* source order among probes */
	struct probe *next;
};

struct function {
	const char *name;	/* interned */
	enum type ret;		/* declared or inferred return type */
	struct symbol *params;	/* in order */
	int nparams;
	struct node *body;	/* N_BLOCK, or NULL for embedded C */
	const char *embedded;	/* %{ %} body */
	struct token *tok;	/* the name token */
	struct symbol *locals;	/* set by sema, params excluded */
	bool from_tapset;	/* defined in a tapset file */
	const struct srcfile *priv;	/* "private": seen only in this file */
	bool used;		/* reachable from a probe */
	bool uses_globals;	/* touches globals, directly or not */
	int purity;		/* sema: 1 no side effects, -1 some, 0 unknown */
	int prio;		/* overload priority: lower runs first */
	bool has_prio;		/* written as "function f() :N" */
	int index;		/* declaration order among all functions */
	/*
	 * Overloads: functions of one name and arity run in priority order,
	 * each passing to the next with 'next' (STAP_NEXT in C). Set by
	 * sema: the call sites bind to the head of the chain.
	 */
	struct function *ovl_head;	/* first of its name and arity */
	struct function *ovl_next;	/* the one 'next' runs, or NULL */
	bool can_next;		/* the body has 'next' or STAP_NEXT */
	const char *cname;	/* C name after "fn_": name, name__N... */
	struct function *next;
};

/* A top-level %{ %} block. */
struct embed {
	struct token *tok;
	const char *code;
	bool from_tapset;
	bool used;		/* its file provides something used */
	const struct srcfile *file;
	struct embed *next;
};

struct script {
	struct probe *probes;	/* in source order */
	struct function *funcs;
	struct symbol *globals;
	struct embed *embeds;
	int nfiles;		/* library files parsed */
};

/* Print the script back in canonical form (stap -p1). */
#include <stdio.h>
void ast_print(FILE *out, const struct script *s, bool with_tapsets);
void ast_print_expr(FILE *out, const struct node *n);
void ast_print_point(FILE *out, const struct probe_point *pp);

const char *type_name(enum type ty);

/*
 * The trailing '$'s of a target variable's name ("$var$$" -> 2, the
 * pretty-printing style); *len receives the length without them.
 */
int ast_dollar_suffix(const char *name, size_t *len);

/* Deep copy of a tree and the list that follows it. */
struct node *ast_clone(const struct node *n);

#endif
