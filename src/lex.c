/*
 * lex.c - the tokenizer.
 *
 * The whole file is turned into an array of tokens in one go, so the
 * parser can look ahead freely. Each token keeps its position and a
 * pointer into the source for caret diagnostics. Spellings of names and
 * punctuators are interned, so the parser compares them with ==.
 *
 * Command-line arguments are substituted while lexing, as SystemTap
 * does: $N becomes the tokens of argument N (a number or a name), @N a
 * string literal holding it; $# and @# become the argument count.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "lex.h"

struct lexer {
	const struct srcfile *file;	/* what we read */
	const char *p;		/* next character */
	int line;		/* line of p */
	const char *line_start;	/* first character of that line */
	const struct lex_args *args;	/* for $N / @N */
	struct token *toks;	/* output */
	int ntoks, cap;		/* used and allocated */
	bool space;		/* whitespace seen before the next token */
};

static const char *const puncts[] = {
	"<<<", "<<=", ">>=", "...",
	"==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=",
	"/=", "%=", "&=", "|=", "^=", ".=", "<<", ">>", "->", "=~", "!~",
	"%(", "%?", "%:", "%)",
	"+", "-", "*", "/", "%", "=", "<", ">", "!", "~", "&", "|", "^",
	"(", ")", "[", "]", "{", "}", ",", ";", ":", "?", ".", "$", "@",
};

bool tok_is(const struct token *tok, const char *s)
{
	return (tok->kind == TOK_PUNCT || tok->kind == TOK_IDENT) &&
	       !strcmp(tok->text, s);
}

static struct srcpos pos_at(struct lexer *l, const char *at, int len)
{
	struct srcpos pos = {
		.file = l->file,
		.line = l->line,
		.col = (int)(at - l->line_start) + 1,
		.loc = at,
		.len = len,
	};
	return pos;
}

static struct token *push(struct lexer *l, enum tok_kind kind,
			  const char *start, int len)
{
	if (l->ntoks == l->cap) {
		int ncap = l->cap ? l->cap * 2 : 256;
		struct token *t = arena_alloc(sizeof(*t) * (size_t)ncap);

		if (l->ntoks)
			memcpy(t, l->toks, sizeof(*t) * (size_t)l->ntoks);
		l->toks = t;
		l->cap = ncap;
	}
	struct token *tok = &l->toks[l->ntoks++];

	memset(tok, 0, sizeof(*tok));
	tok->kind = kind;
	tok->pos = pos_at(l, start, len);
	tok->text = intern(start, (size_t)len);
	tok->space_before = l->space;
	l->space = false;
	return tok;
}

static void newline(struct lexer *l, const char *nl)
{
	l->line++;
	l->line_start = nl + 1;
}

/* Skip whitespace and comments; false on an unterminated comment. */
static bool skip_space(struct lexer *l)
{
	for (;;) {
		const char *p = l->p;

		if (*p == '\n') {
			newline(l, p);
			l->p++;
		} else if (isspace((unsigned char)*p)) {
			l->p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*l->p && *l->p != '\n')
				l->p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *start = p;
			struct srcpos pos = pos_at(l, start, 2);

			l->p += 2;
			while (*l->p && !(l->p[0] == '*' && l->p[1] == '/')) {
				if (*l->p == '\n')
					newline(l, l->p);
				l->p++;
			}
			if (!*l->p) {
				diag_error(&pos, "unterminated comment");
				return false;
			}
			l->p += 2;
		} else {
			return true;
		}
		l->space = true;
	}
}

static bool is_ident1(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	return tolower(c) - 'a' + 10;
}

/* string: '"' chars '"' with C escapes */
static bool lex_string(struct lexer *l)
{
	const char *start = l->p;
	struct strbuf sb = { 0 };

	l->p++;
	while (*l->p != '"') {
		if (!*l->p || *l->p == '\n') {
			struct srcpos pos = pos_at(l, start, 1);

			diag_error(&pos, "unterminated string literal");
			return false;
		}
		if (*l->p != '\\') {
			sb_putc(&sb, *l->p++);
			continue;
		}
		const char *esc = l->p++;
		int c = *l->p++;

		switch (c) {
		case 'n': sb_putc(&sb, '\n'); break;
		case 't': sb_putc(&sb, '\t'); break;
		case 'r': sb_putc(&sb, '\r'); break;
		case 'a': sb_putc(&sb, '\a'); break;
		case 'b': sb_putc(&sb, '\b'); break;
		case 'f': sb_putc(&sb, '\f'); break;
		case 'v': sb_putc(&sb, '\v'); break;
		case '\\': sb_putc(&sb, '\\'); break;
		case '"': sb_putc(&sb, '"'); break;
		case '\'': sb_putc(&sb, '\''); break;
		case '?': sb_putc(&sb, '?'); break;
		case 'x': {
			int v = 0, n = 0;

			while (n < 2 && isxdigit((unsigned char)*l->p)) {
				v = v * 16 + hexval(*l->p++);
				n++;
			}
			if (!n)
				goto bad;
			sb_putc(&sb, v);
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0', n = 1;

				while (n < 3 && *l->p >= '0' && *l->p <= '7') {
					v = v * 8 + (*l->p++ - '0');
					n++;
				}
				sb_putc(&sb, v);
				break;
			}
bad:
			{
				struct srcpos pos = pos_at(l, esc, 2);

				diag_error(&pos, "unknown escape sequence '\\%c'",
					   c ? c : ' ');
				return false;
			}
		}
	}
	l->p++;
	struct token *tok = push(l, TOK_STR, start, (int)(l->p - start));

	tok->str = sb.buf ? arena_strndup(sb.buf, sb.len) : "";
	tok->slen = (int)sb.len;
	return true;
}

/* number: decimal, 0octal or 0xhex, up to 64 bits */
static bool lex_number(struct lexer *l)
{
	const char *start = l->p;
	char *end;

	errno = 0;
	unsigned long long v = strtoull(start, &end, 0);

	if (is_ident(*end) || errno == ERANGE) {
		while (is_ident(*end))
			end++;
		struct srcpos pos = pos_at(l, start, (int)(end - start));

		diag_error(&pos, errno == ERANGE ?
			   "integer literal out of range" :
			   "invalid integer literal");
		return false;
	}
	l->p = end;
	push(l, TOK_NUM, start, (int)(end - start))->num = (int64_t)v;
	return true;
}

/* %{ embedded C %} */
static bool lex_embedded(struct lexer *l)
{
	const char *start = l->p;
	int line = l->line;
	const char *ls = l->line_start;

	l->p += 2;
	const char *body = l->p;

	while (*l->p && !(l->p[0] == '%' && l->p[1] == '}')) {
		if (*l->p == '\n')
			newline(l, l->p);
		l->p++;
	}
	if (!*l->p) {
		struct srcpos pos = { l->file, line, (int)(start - ls) + 1,
				      start, 2 };

		diag_error(&pos, "unterminated embedded C block");
		return false;
	}
	int save_line = l->line;
	const char *save_ls = l->line_start;

	l->line = line;
	l->line_start = ls;
	struct token *tok = push(l, TOK_EMBEDDED, start, 2);

	l->line = save_line;
	l->line_start = save_ls;
	tok->text = arena_strndup(body, (size_t)(l->p - body));
	l->p += 2;
	return true;
}

/* $N, @N, $#, @#: command-line arguments */
static bool lex_arg(struct lexer *l)
{
	const char *start = l->p;
	bool as_string = *start == '@';
	const char *p = start + 1;
	struct token *tok;

	if (*p == '#') {
		l->p = p + 1;
		if (as_string) {
			tok = push(l, TOK_STR, start, 2);
			tok->str = arena_printf("%d", l->args ? l->args->argc : 0);
			tok->slen = (int)strlen(tok->str);
		} else {
			tok = push(l, TOK_NUM, start, 2);
			tok->num = l->args ? l->args->argc : 0;
		}
		return true;
	}
	int n = 0;

	/* past any argc, n stops growing: $99999999999 must not overflow */
	while (isdigit((unsigned char)*p)) {
		if (n < 1000000)
			n = n * 10 + (*p - '0');
		p++;
	}
	l->p = p;
	int len = (int)(p - start);
	int argc = l->args ? l->args->argc : 0;

	if (n < 1 || n > argc) {
		tok = push(l, TOK_BADARG, start, len);
		if (argc)
			tok->str = arena_printf("command line argument index "
				"%.*s out of range [1-%d]", len - 1, start + 1,
				argc);
		else
			tok->str = arena_printf("command line argument index "
				"%.*s out of range: no arguments were given",
				len - 1, start + 1);
		return true;
	}
	const char *arg = l->args->argv[n - 1];

	if (as_string) {
		tok = push(l, TOK_STR, start, len);
		tok->str = arg;
		tok->slen = (int)strlen(arg);
		return true;
	}
	/* $N stands for a number or a name, as SystemTap substitutes it. */
	char *end;

	errno = 0;
	long long v = strtoll(arg, &end, 0);

	if (*arg && !*end && !errno) {
		tok = push(l, TOK_NUM, start, len);
		tok->num = v;
		return true;
	}
	if (*arg == '-' && arg[1]) {
		v = (long long)strtoull(arg + 1, &end, 0);
		if (!*end) {
			tok = push(l, TOK_NUM, start, len);
			tok->num = -v;
			return true;
		}
	}
	const char *q = arg;

	if (is_ident1((unsigned char)*q)) {
		while (is_ident((unsigned char)*q))
			q++;
	}
	if (q == arg || *q) {
		struct srcpos pos = pos_at(l, start, len);

		diag_error(&pos, "command line argument $%d '%s' is neither "
			   "a number nor a name (use @%d for a string)", n,
			   arg, n);
		return false;
	}
	tok = push(l, TOK_IDENT, start, len);
	tok->text = intern(arg, strlen(arg));
	return true;
}

struct token *lex_file(const struct srcfile *file, const struct lex_args *args,
		       int *count)
{
	struct lexer l = {
		.file = file, .p = file->text, .line = 1,
		.line_start = file->text, .args = args,
	};

	/* A #! line is a comment like any other '#' line. */
	for (;;) {
		if (!skip_space(&l))
			return NULL;
		const char *p = l.p;
		int c = (unsigned char)*p;

		if (!c)
			break;
		if (c == '"') {
			if (!lex_string(&l))
				return NULL;
		} else if (isdigit(c)) {
			if (!lex_number(&l))
				return NULL;
		} else if (is_ident1(c)) {
			while (is_ident((unsigned char)*l.p))
				l.p++;
			push(&l, TOK_IDENT, p, (int)(l.p - p));
		} else if ((c == '$' || c == '@') &&
			   (isdigit((unsigned char)p[1]) || p[1] == '#')) {
			if (!lex_arg(&l))
				return NULL;
		} else if (c == '$' && (is_ident1((unsigned char)p[1]) ||
					p[1] == '$')) {
			l.p++;
			while (is_ident((unsigned char)*l.p) || *l.p == '$')
				l.p++;
			push(&l, TOK_TARGET, p, (int)(l.p - p));
		} else if (c == '@' && is_ident1((unsigned char)p[1])) {
			l.p++;
			while (is_ident((unsigned char)*l.p))
				l.p++;
			push(&l, TOK_AT, p, (int)(l.p - p));
		} else if (c == '%' && p[1] == '{') {
			if (!lex_embedded(&l))
				return NULL;
		} else {
			size_t i;

			for (i = 0; i < sizeof(puncts) / sizeof(*puncts); i++) {
				size_t n = strlen(puncts[i]);

				if (!strncmp(p, puncts[i], n))
					break;
			}
			if (i == sizeof(puncts) / sizeof(*puncts)) {
				struct srcpos pos = pos_at(&l, p, 1);

				diag_error(&pos, "unexpected character '%c'",
					   isprint(c) ? c : '?');
				return NULL;
			}
			l.p += strlen(puncts[i]);
			push(&l, TOK_PUNCT, p, (int)strlen(puncts[i]));
		}
	}
	push(&l, TOK_EOF, l.p, 1);
	*count = l.ntoks;
	return l.toks;
}
