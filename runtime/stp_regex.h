/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_regex.h - the matcher behind =~ and !~.
 *
 * The translator compiles each pattern (src/ere.c) into the program
 * of a Thompson NFA, emitted as a const table. Here it runs as a Pike
 * VM: one pass over the string, keeping for every position the set of
 * NFA states still alive ("threads"), each with the positions of the
 * groups it has gone through. A state is on a list at most once per
 * position, so a match takes at most (strlen + 1) * ninsn steps and
 * needs arrays whose size the translator knows: it defines
 * STP_RE_NINSN, STP_RE_NTHREADS and STP_RE_NCAP (the largest program
 * of the script) before including this file, and the state lives in
 * the per-CPU frames. Nothing allocates, nothing recurses.
 *
 * Semantics, as SystemTap's: the match is unanchored; among the
 * leftmost matches the longest wins; the groups are those of the most
 * preferred way to match it (the first alternative, the longest
 * repetition), which is the order SPLIT instructions give. Threads are
 * kept in that order: those started at an earlier position first, and
 * among threads in the same state only the first survives.
 *
 * Without groups (the script never calls matched() or ngroups()) the
 * first thread to reach MATCH answers and nothing is recorded.
 */
#ifndef STP_REGEX_H
#define STP_REGEX_H

/* Largest program of the script; the translator defines these. */
#ifndef STP_RE_NINSN
#define STP_RE_NINSN 1		/* instructions */
#endif
#ifndef STP_RE_NTHREADS
#define STP_RE_NTHREADS 1	/* consuming instructions */
#endif
#ifndef STP_RE_NCAP
#define STP_RE_NCAP 2		/* capture slots: 2 per group, group 0 too */
#endif

/* Instructions, as src/regex.h's enum ere_op. */
enum stp_re_op {
	STP_RE_CHAR,		/* the byte c */
	STP_RE_ANY,		/* any byte */
	STP_RE_CLASS,		/* a byte of classes[x] */
	STP_RE_BOL,		/* at position 0 only */
	STP_RE_EOL,		/* at the end only */
	STP_RE_SPLIT,		/* continue at x and (less preferred) y */
	STP_RE_JMP,		/* continue at x */
	STP_RE_SAVE,		/* capture slot x = position */
	STP_RE_MATCH,		/* done */
};

struct stp_re_insn {
	u8 op;			/* enum stp_re_op */
	u8 c;			/* STP_RE_CHAR: the byte */
	u16 x;			/* target, class or capture slot */
	u16 y;			/* STP_RE_SPLIT: second target */
};

/* One compiled pattern. */
struct stp_re_prog {
	const struct stp_re_insn *insn;	/* insn[0] starts */
	const u32 (*classes)[8];	/* 256-bit byte sets */
	u16 ninsn;			/* instructions */
	u16 nthreads;			/* consuming ones (and MATCH) */
	u16 ngroups;			/* groups, group 0 (the match) too */
};

/* What matched() and ngroups() read: the last =~ or !~ of this hit. */
struct stp_re_last {
	int result;			/* 1 if it matched */
	int ngroups;			/* its pattern's groups */
	int caps[STP_RE_NCAP];		/* start, end of groups; -1 unset */
	char str[MAXSTRINGLEN];		/* the string it matched */
};

/* The threads alive at one position. */
struct stp_re_list {
	int n;				/* threads on the list */
	u32 gen;			/* mark[pc] == gen: pc is on it */
	u32 mark[STP_RE_NINSN];
	u16 pc[STP_RE_NTHREADS];
	int caps[STP_RE_NTHREADS][STP_RE_NCAP];
};

/* A pending step of the closure below. */
struct stp_re_frame {
	int pc;				/* state to follow, or -1 */
	int slot;			/* else: restore caps[slot] */
	int val;			/* to this */
};

/* Per CPU, in the frames: the last match and the VM's scratch. */
struct stp_re_state {
	struct stp_re_last last;
	u32 gen;			/* last list generation handed out */
	struct stp_re_list list[2];
	struct stp_re_frame stack[STP_RE_NINSN + 1];
	int caps[STP_RE_NCAP];		/* a new thread's captures */
};

/* This CPU's state; the translator points it into the frames. */
#ifndef STP_RE_STATE
#define STP_RE_STATE(c) ((struct stp_re_state *)NULL)
#endif

/* Empty a list; marks restart from zero when the counter wraps. */
static __maybe_unused void stp_re_clear(struct stp_re_state *st,
					struct stp_re_list *l)
{
	if (++st->gen == 0) {
		memset(st->list[0].mark, 0, sizeof(st->list[0].mark));
		memset(st->list[1].mark, 0, sizeof(st->list[1].mark));
		st->gen = 1;
	}
	l->gen = st->gen;
	l->n = 0;
}

/*
 * Put the thread at pc (captures caps, at position pos) on l, following
 * JMP, SPLIT, SAVE and the anchors, in preference order: depth first,
 * x before y, with an explicit stack. Each state is entered once per
 * list, so the stack never holds more than ninsn + 1 frames. caps is
 * changed on the way and restored before returning.
 */
static __maybe_unused void stp_re_add(const struct stp_re_prog *p,
				      struct stp_re_state *st,
				      struct stp_re_list *l, int pc, int *caps,
				      int ncap, int pos, int len)
{
	struct stp_re_frame *stack = st->stack;
	int sp = 0;

	stack[sp++] = (struct stp_re_frame){ .pc = pc };
	while (sp) {
		struct stp_re_frame f = stack[--sp];

		if (f.pc < 0) {
			caps[f.slot] = f.val;
			continue;
		}
		for (pc = f.pc; l->mark[pc] != l->gen; ) {
			const struct stp_re_insn *in = &p->insn[pc];

			l->mark[pc] = l->gen;
			if (in->op == STP_RE_JMP) {
				pc = in->x;
			} else if (in->op == STP_RE_SPLIT) {
				stack[sp++] = (struct stp_re_frame){
					.pc = in->y,
				};
				pc = in->x;
			} else if (in->op == STP_RE_SAVE) {
				if (in->x < ncap) {
					stack[sp++] = (struct stp_re_frame){
						.pc = -1, .slot = in->x,
						.val = caps[in->x],
					};
					caps[in->x] = pos;
				}
				pc++;
			} else if (in->op == STP_RE_BOL ||
				   in->op == STP_RE_EOL) {
				if (pos != (in->op == STP_RE_BOL ? 0 : len))
					break;
				pc++;
			} else {
				/* consuming, or MATCH: a thread */
				l->pc[l->n] = pc;
				memcpy(l->caps[l->n], caps, sizeof(int) * ncap);
				l->n++;
				break;
			}
		}
	}
}

/* Does thread state pc take the byte at pos? */
static __maybe_unused bool stp_re_step(const struct stp_re_prog *p, int pc,
				       const char *s, int pos, int len)
{
	const struct stp_re_insn *in = &p->insn[pc];
	u8 ch = (u8)s[pos];

	if (pos >= len)
		return false;
	if (in->op == STP_RE_CHAR)
		return ch == in->c;
	if (in->op == STP_RE_CLASS)
		return (p->classes[in->x][ch >> 5] >> (ch & 31)) & 1;
	return in->op == STP_RE_ANY;
}

/*
 * s =~ p: 1 or 0. With groups, the match and its groups go to st->last
 * for matched(); a program larger than the state is a run-time error
 * (the translator sizes the state, so it cannot happen).
 */
static __maybe_unused int stp_re_match(struct stp_context *c,
				       const struct stp_re_prog *p,
				       const char *s, struct stp_re_state *st,
				       bool groups, const char *loc)
{
	int ncap = groups ? 2 * p->ngroups : 0;
	int len = (int)strnlen(s, MAXSTRINGLEN);
	struct stp_re_list *cl = &st->list[0], *nl = &st->list[1], *tmp;
	int *best = st->last.caps;
	bool found = false;
	int pos, i;

	st->last.result = 0;
	if (p->ninsn > STP_RE_NINSN || p->nthreads > STP_RE_NTHREADS ||
	    ncap > STP_RE_NCAP) {
		stp_error(c, loc, "regular expression larger than its state");
		return 0;
	}
	stp_re_clear(st, cl);
	for (pos = 0; ; pos++) {
		/* a new thread at each position, until something matched */
		if (!found) {
			for (i = 0; i < ncap; i++)
				st->caps[i] = -1;
			stp_re_add(p, st, cl, 0, st->caps, ncap, pos, len);
		}
		if (!cl->n && found)
			break;
		stp_re_clear(st, nl);
		for (i = 0; i < cl->n; i++) {
			int pc = cl->pc[i], *caps = cl->caps[i];

			/* started after the match found: cannot beat it */
			if (found && caps[0] > best[0])
				continue;
			if (p->insn[pc].op == STP_RE_MATCH) {
				if (!groups) {
					st->last.result = 1;
					return 1;
				}
				/* leftmost, then longest, then preferred */
				if (!found || caps[0] < best[0] ||
				    (caps[0] == best[0] && caps[1] > best[1]))
					memcpy(best, caps, sizeof(int) * ncap);
				found = true;
			} else if (stp_re_step(p, pc, s, pos, len)) {
				stp_re_add(p, st, nl, pc + 1, caps, ncap,
					   pos + 1, len);
			}
		}
		if (pos >= len)
			break;
		tmp = cl;
		cl = nl;
		nl = tmp;
	}
	if (!found)
		return 0;
	st->last.result = 1;
	st->last.ngroups = p->ngroups;
	if (s != st->last.str)
		stp_strscpy(st->last.str, s, MAXSTRINGLEN);
	return 1;
}

/*
 * matched(n): group n of the last match into out (MAXSTRINGLEN), ""
 * for a group that took no part. 0, -ENOENT when the last =~ failed
 * (or there was none in this probe hit), -ERANGE for no group n.
 */
static __maybe_unused int stp_re_group(const struct stp_re_state *st, s64 n,
				       char *out)
{
	const struct stp_re_last *m = st ? &st->last : NULL;
	int start, end;

	out[0] = '\0';
	if (!m || !m->result)
		return -ENOENT;
	if (n < 0 || n >= m->ngroups)
		return -ERANGE;
	start = m->caps[2 * n];
	end = m->caps[2 * n + 1];
	if (start < 0 || end < start)
		return 0;
	memcpy(out, m->str + start, end - start);
	out[end - start] = '\0';
	return 0;
}

/* ngroups(): groups of the last match, group 0 included; -ENOENT. */
static __maybe_unused int stp_re_ngroups(const struct stp_re_state *st)
{
	if (!st || !st->last.result)
		return -ENOENT;
	return st->last.ngroups;
}

#endif /* STP_REGEX_H */
