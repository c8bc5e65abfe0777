/*
 * sema.c - elaboration.
 *
 * Three steps, each over the whole script:
 *
 * 1. Probe points: each point of each probe becomes one or more
 *    concrete probes (struct rprobe). kernel.function("GLOB") is matched
 *    against the target kernel's symbol table (ksym.c); a point that
 *    matches nothing is an error naming close matches, unless marked
 *    optional with '?'.
 * 2. Names: every variable is bound to a global, a parameter or a local
 *    (locals are declared by use, as in SystemTap); every call to a
 *    script or tapset function; what the probes reach is marked used,
 *    and only that is translated.
 * 3. Types: long or string, inferred by running the checker to a fixed
 *    point (an assignment or a call can give a variable, parameter or
 *    return value its type), then once more to report what is still
 *    unknown or conflicting.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "dwarf.h"
#include "ere.h"
#include "ksym.h"
#include "tracepoint.h"
#include "usym.h"
#include "sema.h"

#define MAX_ERRORS 20

struct sema {
	const struct session *ss;	/* options */
	struct script *s;	/* what we annotate */
	struct program *prog;	/* output */
	struct ksym_table *ksyms;	/* loaded on first use (in the arena,
				 * so LeakSanitizer sees it held) */
	int ksym_state;		/* 0 not loaded, 1 loaded, -1 failed */
	struct dwarf_session *dw;	/* debuginfo, opened on first use */
	bool report;		/* final pass: report type errors */
	bool hist_ok;		/* evaluating a print argument */
	bool in_lhs;		/* evaluating the target of '=' */
	bool in_entry;		/* evaluating @entry(...): at function entry */
	bool in_append;		/* evaluating the target of '.=' */
	bool changed;		/* a type was learned in this pass */
	int errors;		/* reported so far */
	struct rprobe **tail;	/* where the next rprobe goes */
	int nindex;		/* next probe handler number */
	struct tp_table *tps;	/* tracepoints, loaded on first use */
	int tp_state;		/* 0 not loaded, 1 loaded, -1 failed */
	struct usym_table *usyms;	/* the last program read (usym.h) */
	int64_t maxactive;	/* the .return.maxactive(N) being resolved */
	int nkret;		/* kretprobes added so far */
};

/* The scope being checked: a probe body or a function body. */
struct scope {
	struct probe *probe;	/* or NULL */
	struct function *fn;	/* or NULL */
	struct symbol **locals;	/* probe->locals or fn->locals */
	struct rprobe *rp;	/* the probe's (first) place, or NULL */
	int loop_depth;		/* for break / continue */
	bool uses_globals;	/* set when a global is touched */
	struct node *foreach[16];	/* enclosing foreach loops */
	int nforeach;
};

static const char *const builtins[] = {
	"printf", "sprintf", "print", "println", "sprint", "sprintln",
	"printd", "printdln", "sprintd", "sprintdln", "log",
};

bool sema_is_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(*builtins); i++)
		if (!strcmp(name, builtins[i]))
			return true;
	return false;
}

const char *type_name(enum type ty)
{
	static const char *const names[] = {
		[TY_UNKNOWN] = "unknown", [TY_LONG] = "long",
		[TY_STRING] = "string", [TY_STATS] = "stats",
	};
	return names[ty];
}

static bool too_many(struct sema *se)
{
	return se->errors >= MAX_ERRORS;
}

#define sema_error(se, pos, ...)				\
	do {							\
		if (!too_many(se))				\
			diag_error((pos), __VA_ARGS__);		\
		(se)->errors++;					\
	} while (0)

static bool in_library(const struct token *tok);

/* ---- step 1: probe points ---- */

static const char *point_string(const struct probe_point *pp)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ast_print_point(f, pp);
	fclose(f);
	char *s = arena_strdup(buf);

	free(buf);
	return s;
}

static struct rprobe *add_rprobe(struct sema *se, struct probe *pr,
				 enum rprobe_kind kind, const char *pp,
				 const char *from)
{
	struct rprobe *rp = NEW(struct rprobe);

	rp->probe = pr;
	rp->kind = kind;
	rp->pp = pp;
	rp->from = from;
	if (kind == RP_KRETPROBE) {
		rp->maxactive = se->maxactive;
		se->nkret++;
	}
	*se->tail = rp;
	se->tail = &rp->next;
	se->prog->nrprobes++;
	return rp;
}

static bool is_procfs(const struct rprobe *rp)
{
	return rp && (rp->kind == RP_PROCFS_READ ||
		      rp->kind == RP_PROCFS_WRITE);
}

static bool load_ksyms(struct sema *se, struct token *tok)
{
	char err[512];

	if (se->ksym_state == 0) {
		se->ksyms = NEW(struct ksym_table);
		if (ksym_load(se->ss->release, se->ksyms, err, sizeof(err))) {
			sema_error(se, &tok->pos, "cannot resolve kernel "
				   "functions: %s", err);
			se->ksym_state = -1;
		} else {
			se->ksym_state = 1;
			se->prog->ksym_source = se->ksyms->source;
		}
	}
	return se->ksym_state == 1;
}

struct match_ctx {
	struct sema *se;
	struct probe *pr;
	enum rprobe_kind kind;
	const char *family;	/* "kernel" or "kprobe": pp()'s first part */
	const char *suffix;	/* "", ".call", ".return" */
	const char *from;
	int n;
	bool btf;		/* give entry probes BTF parameters */
};

/* The tracepoints and BTF of the kernel, loaded on first use. */
static bool load_tps(struct sema *se, char *err, size_t errlen)
{
	if (se->tp_state == 0) {
		se->tps = NEW(struct tp_table);
		se->tp_state = tracepoint_load(se->ss->release, se->tps, err,
					       errlen) ? -1 : 1;
	}
	return se->tp_state > 0;
}

static bool has_target(const struct node *n);

/*
 * The BTF parameters of a function probed at its entry without DWARF,
 * or NULL. Not for a compiler's copy (foo.isra.0): its parameters may
 * not be the declared ones.
 */
static const struct tracepoint *btf_function(struct sema *se,
					     const struct ksym *k)
{
	char err[512];

	if (strcmp(k->name, k->func) || !load_tps(se, err, sizeof(err)))
		return NULL;
	return tracepoint_func(se->tps, k->func);
}

static void add_function_probe(const struct ksym *k, void *arg)
{
	struct match_ctx *m = arg;
	struct sema *se = m->se;

	/* one probe per function name: the first, unique symbol wins */
	const char *pp = arena_printf("%s.function(\"%s\")%s", m->family,
				      k->func, m->suffix);
	struct rprobe *rp = add_rprobe(se, m->pr, m->kind, pp, m->from);

	rp->func = k->func;
	if (m->btf && m->kind == RP_KPROBE)
		rp->btf_fn = btf_function(se, k);
	if (k->unique || !se->ksyms->stext) {
		rp->symbol = k->name;
	} else {
		rp->symbol = "_stext";
		rp->offset = k->addr - se->ksyms->stext;
	}
	m->n++;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void no_match(struct sema *se, struct probe_point *pp,
		     struct token *arg, const char *pattern)
{
	const char *close[6];
	size_t n = is_glob(pattern) ? 0 :
		   ksym_suggest(se->ksyms, pattern, close, 6);
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", close[i]);
	if (n)
		sema_error(se, &arg->pos, "probe point %s matches no "
			   "function of kernel %s; did you mean: %s?",
			   point_string(pp), se->ss->release, sb.buf);
	else
		sema_error(se, &arg->pos, "probe point %s matches no "
			   "function of kernel %s", point_string(pp),
			   se->ss->release);
}

/* kernel.function("PAT")[.call|.return], kprobe.function("NAME")[.return] */
static void resolve_function(struct sema *se, struct probe *pr,
			     struct probe_point *pp, struct pp_comp *fc)
{
	struct pp_comp *c = fc->next;
	struct match_ctx m = {
		.se = se, .pr = pr, .kind = RP_KPROBE, .suffix = "",
		.from = point_string(pp), .family = pp->comps->name,
	};

	if (!fc->arg || fc->arg->kind != TOK_STR) {
		sema_error(se, &fc->tok->pos, "'%s' needs a function name "
			   "pattern in quotes, as in %s(\"vfs_read\")",
			   fc->name, fc->name);
		return;
	}
	for (; c; c = c->next) {
		if (c->name == istr("return") && !c->arg && !c->next) {
			m.kind = RP_KRETPROBE;
			m.suffix = ".return";
		} else if (c->name == istr("call") && !c->arg && !c->next) {
			m.suffix = ".call";
		} else {
			sema_error(se, &c->tok->pos, "unknown probe point "
				   "suffix '.%s' (expected .call or .return)",
				   c->name);
			return;
		}
	}
	const char *pattern = fc->arg->str;

	if (strchr(pattern, '@') || strchr(pattern, ':')) {
		sema_error(se, &fc->arg->pos, "source file and line "
			   "patterns need DWARF debuginfo, which is not "
			   "supported yet; give a function name");
		return;
	}
	if (!load_ksyms(se, fc->arg))
		return;
	m.btf = has_target(pr->body) || has_target(pr->cond) ||
		se->ss->listing == 2;
	ksym_match(se->ksyms, pattern, add_function_probe, &m);
	if (!m.n && !pp->optional)
		no_match(se, pp, fc->arg, pattern);
}

/*
 * kernel.statement(ADDR): an address as the target's symbol table shows
 * it, probed as the function that holds it plus the distance (so KASLR
 * needs no fix-up). kernel.statement(ADDR).absolute: the address as it
 * is at run time, unchecked, so guru mode only.
 */
static void resolve_statement_addr(struct sema *se, struct probe *pr,
				   struct probe_point *pp, struct pp_comp *sc)
{
	struct pp_comp *c = sc->next;
	uint64_t addr = (uint64_t)sc->arg->num;
	const char *from = point_string(pp);
	struct rprobe *rp;

	if (c && (c->name != istr("absolute") || c->arg || c->next)) {
		sema_error(se, &c->tok->pos, "unknown probe point suffix '.%s' "
			   "(expected .absolute after kernel.statement(ADDR))",
			   c->name);
		return;
	}
	if (c && !se->ss->guru) {
		sema_error(se, &c->tok->pos, "%s puts a kprobe at an address "
			   "nothing checks: it needs guru mode (-g)", from);
		return;
	}
	if (c) {
		rp = add_rprobe(se, pr, RP_KPROBE, arena_printf(
			"kernel.statement(0x%llx).absolute",
			(unsigned long long)addr), from);
		rp->symbol = "";	/* the offset is the address */
		rp->offset = addr;
		rp->func = "";
		return;
	}
	if (!load_ksyms(se, sc->arg))
		return;
	const struct ksym *best = NULL;

	for (size_t i = 0; i < se->ksyms->n; i++) {
		const struct ksym *k = &se->ksyms->syms[i];

		if (k->addr <= addr && addr < k->addr + (k->size ? k->size : 1)
		    && (!best || k->addr > best->addr))
			best = k;
	}
	if (!best) {
		sema_error(se, &sc->arg->pos, "%s: 0x%llx is in no probeable "
			   "function of kernel %s (%s)", from,
			   (unsigned long long)addr, se->ss->release,
			   se->ksyms->source);
		return;
	}
	rp = add_rprobe(se, pr, RP_KPROBE, arena_printf(
		"kernel.statement(0x%llx)", (unsigned long long)addr), from);
	rp->func = best->func;
	if (best->unique || !se->ksyms->stext) {
		rp->symbol = best->name;
		rp->offset = addr - best->addr;
	} else {
		rp->symbol = "_stext";
		rp->offset = addr - se->ksyms->stext;
	}
}

static void add_kmod_probe(const char *kname, const char *name, void *arg)
{
	struct match_ctx *m = arg;
	struct rprobe *rp = add_rprobe(m->se, m->pr, m->kind, arena_printf(
		"kprobe.module(\"%s\").function(\"%s\")%s", kname, name,
		m->suffix), m->from);

	rp->func = name;
	rp->symbol = arena_printf("%s:%s", kname, name);
	m->n++;
}

static struct dwarf_session *dwarf_of(struct sema *se);

/*
 * kprobe.module("M").function("F")[.return]: the kprobe symbol "M:F",
 * no debuginfo. Globs are expanded from the module's symbol table; a
 * plain name needs no file at all (the kernel resolves it on load).
 */
static void resolve_kprobe_module(struct sema *se, struct probe *pr,
				  struct probe_point *pp, struct pp_comp *mc)
{
	struct pp_comp *fc = mc->next, *c = fc->next;
	struct match_ctx m = {
		.se = se, .pr = pr, .kind = RP_KPROBE, .suffix = "",
		.from = point_string(pp),
	};
	char why[600];

	if (!fc->arg || fc->arg->kind != TOK_STR) {
		sema_error(se, &fc->tok->pos, "'function' needs a function "
			   "name in quotes, as in kprobe.module(\"%s\")."
			   "function(\"NAME\")", mc->arg->str);
		return;
	}
	if (c && c->name == istr("return") && !c->arg && !c->next) {
		m.kind = RP_KRETPROBE;
		m.suffix = ".return";
	} else if (c) {
		sema_error(se, &c->tok->pos, "unknown probe point suffix '.%s' "
			   "(expected .return)", c->name);
		return;
	}
	const char *mod = mc->arg->str, *fn = fc->arg->str;
	int n = dwarf_module_funcs(dwarf_of(se), mod, fn, add_kmod_probe, &m,
				   why, sizeof(why));

	if (n < 0 && !is_glob(mod) && !is_glob(fn) && !strchr(mod, '/')) {
		char *kname = arena_strdup(mod);

		for (char *p = kname; *p; p++)
			if (*p == '-')
				*p = '_';
		add_kmod_probe(kname, fn, &m);
		return;
	}
	if (n < 0)
		sema_error(se, &mc->arg->pos, "%s", why);
	else if (!n && !pp->optional)
		sema_error(se, &fc->arg->pos, "probe point %s matches no "
			   "function of module %s", m.from, mod);
}

/* Is there a node of this kind in the list n or below it? */
static bool has_kind(const struct node *n, int kind)
{
	for (; n; n = n->next)
		if ((int)n->kind == kind || has_kind(n->lhs, kind) ||
		    has_kind(n->rhs, kind) || has_kind(n->cond, kind) ||
		    has_kind(n->then, kind) || has_kind(n->els, kind) ||
		    has_kind(n->init, kind) || has_kind(n->inc, kind) ||
		    has_kind(n->body, kind) || has_kind(n->args, kind))
			return true;
	return false;
}

static bool has_target(const struct node *n)
{
	return has_kind(n, N_TARGET);
}

static struct dwarf_session *dwarf_of(struct sema *se)
{
	if (!se->dw) {
		se->dw = dwarf_new(se->ss->release, NULL);
		dwarf_set_cache(se->dw, se->ss->cache_dir);
	}
	if (se->ksym_state == 1)
		dwarf_use_ksyms(se->dw, se->ksyms);
	return se->dw;
}

static void add_dwarf_probe(const struct dwarf_place *pl, void *arg)
{
	struct match_ctx *m = arg;
	struct rprobe *rp = add_rprobe(m->se, m->pr, m->kind, pl->pp, m->from);

	rp->func = pl->func;
	rp->symbol = pl->symbol;
	rp->offset = pl->offset;
	rp->dw = pl->pt;
	rp->build_id = pl->build_id;
	m->n++;
}

/*
 * kernel.function("F@FILE:LINE") and .statement, module("M").function
 * and .statement, through DWARF (dwarf.c). Returns false, having
 * reported nothing, when a plain kernel.function("NAME") can fall back
 * to the symbol table because there is no debuginfo.
 */
static bool resolve_debuginfo(struct sema *se, struct probe *pr,
			      struct probe_point *pp, struct pp_comp *fc,
			      const char *module)
{
	struct dwarf_spec spec = { .module = module };
	struct match_ctx m = {
		.se = se, .pr = pr, .kind = RP_KPROBE, .from = point_string(pp),
	};
	const char *err = NULL;
	char why[600];

	spec.statement = fc->name == istr("statement");
	spec.entry = !has_target(pr->body) && !has_target(pr->cond);
	if (!fc->arg || fc->arg->kind != TOK_STR) {
		sema_error(se, &fc->tok->pos, "'%s' needs a pattern in quotes, "
			   "as in %s(\"vfs_read@fs/read_write.c\")", fc->name,
			   fc->name);
		return true;
	}
	for (struct pp_comp *c = fc->next; c; c = c->next) {
		bool *flag = c->name == istr("return") ? &spec.ret :
			     c->name == istr("call") ? &spec.call :
			     c->name == istr("inline") ? &spec.inline_only :
			     c->name == istr("exported") ? &spec.exported :
			     NULL;

		if (!flag || c->arg || c->next || spec.statement) {
			sema_error(se, &c->tok->pos, "unknown probe point "
				   "suffix '.%s' (expected .call, .inline, "
				   ".exported or .return after .function)",
				   c->name);
			return true;
		}
		*flag = true;
	}
	if (spec.ret)
		m.kind = RP_KRETPROBE;
	if (dwarf_parse_spec(fc->arg->str, &spec, &err)) {
		sema_error(se, &fc->arg->pos, "%s", err);
		return true;
	}
	if (!module && !load_ksyms(se, fc->arg))
		return true;
	if (!dwarf_available(dwarf_of(se), module, why, sizeof(why))) {
		bool plain = !module && !spec.statement && !spec.file &&
			     !spec.inline_only && !spec.exported;

		if (plain)
			return false;
		if (module)	/* the reason says what is wrong with it */
			sema_error(se, &fc->arg->pos, "probe point %s: %s",
				   m.from, why);
		else
			sema_error(se, &fc->arg->pos, "probe point %s needs "
				   "DWARF debuginfo: %s", m.from, why);
		return true;
	}
	if (dwarf_resolve(se->dw, &spec, add_dwarf_probe, &m, why,
			  sizeof(why)) < 0) {
		sema_error(se, &fc->arg->pos, "%s", why);
		return true;
	}
	if (m.n || pp->optional)
		return true;
	/*
	 * Functions the DWARF does not describe (assembly, or stubs the
	 * syscall macros generate such as __x64_sys_getppid) are still in
	 * the symbol table: probe them at their entry from there.
	 */
	if (!module && !spec.file && !spec.statement && !spec.inline_only &&
	    !spec.exported && spec.entry)
		return false;
	if (!module && !spec.file && !spec.statement)
		no_match(se, pp, fc->arg, spec.func);
	else
		sema_error(se, &fc->arg->pos, "probe point %s matches nothing "
			   "in the debuginfo of %s", m.from, module ?
			   arena_printf("module %s", module) :
			   arena_printf("kernel %s", se->ss->release));
	return true;
}

/* timer.UNIT(N)[.randomize(M)], timer.profile */
static void resolve_timer(struct sema *se, struct probe *pr,
			  struct probe_point *pp, struct pp_comp *u,
			  const char *from)
{
	static const struct {
		const char *name;
		int64_t ns;	/* nanoseconds per unit; 0 jiffies, -1 hz */
	} units[] = {
		{ "s", 1000000000 }, { "sec", 1000000000 },
		{ "ms", 1000000 }, { "msec", 1000000 },
		{ "us", 1000 }, { "usec", 1000 }, { "ns", 1 }, { "nsec", 1 },
		{ "hz", -1 }, { "jiffies", 0 },
	};
	size_t i;

	(void)pp;
	if (u->name == istr("profile") && !u->arg && !u->next) {
		add_rprobe(se, pr, RP_PROFILE, from, from);
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (!strcmp(u->name, units[i].name))
			break;
	if (i == sizeof(units) / sizeof(*units)) {
		sema_error(se, &u->tok->pos, "unknown timer unit '%s' "
			   "(expected s, ms, us, ns, hz, jiffies or profile)",
			   u->name);
		return;
	}
	if (!u->arg || u->arg->kind != TOK_NUM || u->arg->num <= 0) {
		sema_error(se, &u->tok->pos, "timer.%s needs a positive "
			   "number, as in timer.%s(100)", u->name, u->name);
		return;
	}
	int64_t n = u->arg->num, m = 0;
	struct pp_comp *r = u->next;

	if (r) {
		if (r->name != istr("randomize") || !r->arg ||
		    r->arg->kind != TOK_NUM || r->next) {
			sema_error(se, &r->tok->pos, "expected .randomize(N) "
				   "after timer.%s(%lld)", u->name,
				   (long long)n);
			return;
		}
		if (units[i].ns < 0) {
			sema_error(se, &r->tok->pos, "hz timers cannot be "
				   "randomized");
			return;
		}
		m = r->arg->num;
		if (m < 0 || m >= n) {
			sema_error(se, &r->arg->pos, "the randomization must "
				   "be at least 0 and less than the period");
			return;
		}
	}
	struct rprobe *rp = add_rprobe(se, pr, RP_TIMER, from, from);

	if (units[i].ns == 0) {
		if (n > 1000000) {
			sema_error(se, &u->arg->pos, "timer.jiffies period "
				   "must be at most 1000000");
			return;
		}
		rp->period_jiffies = n;
		rp->randomize_jiffies = m;
	} else if (units[i].ns < 0) {
		if (n > 1000000000) {
			sema_error(se, &u->arg->pos, "timer.hz rate is too "
				   "high");
			return;
		}
		rp->period_ns = 1000000000 / n;
	} else {
		if (n > INT64_MAX / units[i].ns) {
			sema_error(se, &u->arg->pos, "timer period too long");
			return;
		}
		rp->period_ns = n * units[i].ns;
		rp->randomize_ns = m * units[i].ns;
		if (rp->period_ns < 100000) {
			sema_error(se, &u->arg->pos, "timer periods under "
				   "100us would swamp the machine");
			return;
		}
	}
}

/* One kernel.trace probe; the runtime finds the tracepoint by .symbol. */
static void add_trace_probe(const struct tracepoint *tp, void *arg)
{
	struct match_ctx *m = arg;
	struct rprobe *rp = add_rprobe(m->se, m->pr, RP_TRACEPOINT,
				       arena_printf("kernel.trace(\"%s%s%s\")",
						    tp->system,
						    *tp->system ? ":" : "",
						    tp->name), m->from);

	rp->symbol = tp->name;
	rp->func = tp->name;
	rp->tp = tp;
	m->n++;
}

/* kernel.trace("NAME") and kernel.trace("SYSTEM:NAME"), globs allowed */
static void resolve_trace(struct sema *se, struct probe *pr,
			  struct probe_point *pp, struct pp_comp *t,
			  const char *from)
{
	struct match_ctx m = { .se = se, .pr = pr, .from = from };
	char err[512];

	if (!t->arg || t->arg->kind != TOK_STR) {
		sema_error(se, &t->tok->pos, "'trace' needs a tracepoint "
			   "name in quotes, as in "
			   "kernel.trace(\"sched_switch\")");
		return;
	}
	bool first = se->tp_state == 0;

	if (!load_tps(se, err, sizeof(err))) {
		if (first)
			sema_error(se, &t->arg->pos, "cannot resolve "
				   "tracepoints: %s", err);
		return;
	}
	tracepoint_match(se->tps, t->arg->str, add_trace_probe, &m);
	if (!m.n && !pp->optional)
		sema_error(se, &t->arg->pos, "probe point %s matches no "
			   "tracepoint of kernel %s", from, se->ss->release);
}

/*
 * The program process("NAME") means, as the target sees it: NAME if it
 * is absolute, else the first executable NAME in a directory of $PATH
 * (as SystemTap looks it up), or relative to the current directory when
 * it has a slash. With --sysroot the files are looked for under it, and
 * the path stays the target's. NULL when $PATH has none.
 */
static const char *program_path(struct sema *se, const char *name)
{
	const char *root = se->ss->sysroot ? se->ss->sysroot : "";
	char *path, *dir, *save = NULL;

	if (name[0] == '/')
		return name;
	if (strchr(name, '/')) {
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)))
			return name;
		return arena_printf("%s/%s", cwd, name);
	}
	path = arena_strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		const char *p = arena_printf("%s/%s", dir, name);

		if (dir[0] == '/' &&
		    !access(arena_printf("%s%s", root, p), X_OK))
			return p;
	}
	return NULL;
}

/* The function symbols of program path, read once for all its points. */
static struct usym_table *load_usyms(struct sema *se, struct token *tok,
				     const char *path)
{
	const char *root = se->ss->sysroot ? se->ss->sysroot : "";
	const char *file = arena_printf("%s%s", root, path);
	char err[512];

	if (se->usyms && !strcmp(se->usyms->path, file))
		return se->usyms;
	struct usym_table *t = NEW(struct usym_table);

	if (usym_load(file, t, err, sizeof(err))) {
		sema_error(se, &tok->pos, "cannot read the functions of "
			   "process(\"%s\"): %s", path, err);
		return NULL;
	}
	se->usyms = t;
	return t;
}

struct uprobe_ctx {
	struct sema *se;
	struct probe *pr;
	const char *path;	/* the program, as the target sees it */
	bool ret;		/* .return */
	const char *from;
	const struct usym_table *t;	/* its functions and build id */
};

static void add_uprobe(const struct usym *u, void *arg)
{
	struct uprobe_ctx *m = arg;
	const char *pp = arena_printf("process(\"%s\").function(\"%s\")%s",
				      m->path, u->name,
				      m->ret ? ".return" : "");
	struct rprobe *rp = add_rprobe(m->se, m->pr, m->ret ? RP_URETPROBE :
				       RP_UPROBE, pp, m->from);

	rp->symbol = m->path;
	rp->offset = u->offset;
	rp->func = u->name;
	rp->build_id = m->t->build_id;
	rp->build_id_off = m->t->build_id_off;
}

/*
 * process("PATH").function("GLOB")[.return]: uprobes on the functions
 * of the program's (or shared library's) ELF symbol table, in every
 * process that runs it. No DWARF: no $vars, no source lines.
 */
static void resolve_process(struct sema *se, struct probe *pr,
			    struct probe_point *pp, struct pp_comp *pc)
{
	struct pp_comp *fc = pc->next, *c = fc->next;
	struct uprobe_ctx m = { .se = se, .pr = pr, .from = point_string(pp) };
	struct usym_table *t;

	if (!fc->arg || fc->arg->kind != TOK_STR) {
		sema_error(se, &fc->tok->pos, "'function' needs a function "
			   "name pattern in quotes, as in "
			   "process(\"/bin/ls\").function(\"main\")");
		return;
	}
	if (c && (c->name != istr("return") || c->arg || c->next)) {
		sema_error(se, &c->tok->pos, "unknown probe point suffix "
			   "'.%s' (expected .return)", c->name);
		return;
	}
	m.ret = c != NULL;
	if (strchr(fc->arg->str, '@') || strchr(fc->arg->str, ':')) {
		sema_error(se, &fc->arg->pos, "source file and line "
			   "patterns need the program's DWARF debuginfo, "
			   "which process probes do not read; give a "
			   "function name");
		return;
	}
	m.path = program_path(se, pc->arg->str);
	if (!m.path) {
		sema_error(se, &pc->arg->pos, "cannot find program '%s' in "
			   "$PATH", pc->arg->str);
		return;
	}
	t = load_usyms(se, pc->arg, m.path);
	if (!t)
		return;
	m.t = t;
	if (!usym_match(t, fc->arg->str, add_uprobe, &m) && !pp->optional)
		sema_error(se, &fc->arg->pos, "probe point %s matches no "
			   "function of %s", m.from, m.path);
}

/*
 * process.begin / process.end, and process("PATH").begin / .end for the
 * processes running PATH: a process begins at fork and exec and ends at
 * exit and exec, as in SystemTap (see runtime/stp_uprobes.h).
 */
static void resolve_process_life(struct sema *se, struct probe *pr,
				 struct probe_point *pp, struct pp_comp *pc)
{
	enum rprobe_kind kind = pc->next->name == istr("begin") ?
				RP_PROC_BEGIN : RP_PROC_END;
	const char *path = NULL;
	struct rprobe *rp;

	if (pc->arg && pc->arg->kind != TOK_STR) {
		sema_error(se, &pc->arg->pos, "process(PID).%s is not "
			   "supported; give a program path, as in "
			   "process(\"/bin/ls\").%s", pc->next->name,
			   pc->next->name);
		return;
	}
	if (pc->arg) {
		path = program_path(se, pc->arg->str);
		if (!path) {
			sema_error(se, &pc->arg->pos, "cannot find program "
				   "'%s' in $PATH", pc->arg->str);
			return;
		}
	}
	rp = add_rprobe(se, pr, kind, path ? arena_printf("process(\"%s\").%s",
				path, pc->next->name) :
			arena_printf("process.%s", pc->next->name),
			point_string(pp));
	rp->symbol = path;
	rp->func = "";
}

/* Is the procfs path one SystemTap accepts under /proc/systemtap/MOD/? */
static const char *procfs_path_error(const char *path)
{
	if (path[0] == '/')
		return "procfs path cannot start with a '/'";
	if (!path[0] || path[strlen(path) - 1] == '/')
		return "procfs path cannot end with a '/'";
	if (strstr(path, "//"))
		return "procfs path component cannot be empty";
	return NULL;
}

/*
 * procfs[("PATH")][.umask(UMASK)].read[.maxsize(N)] and ....write: a
 * file /proc/systemtap/MODNAME/PATH (PATH "command" by default). The
 * file's mode is 0444 for a read probe and 0222 for a write probe, less
 * the umask (0077 by default, so 0400, 0200 or 0600), as in SystemTap.
 */
static void resolve_procfs(struct sema *se, struct probe *pr,
			   struct pp_comp *c, const char *from)
{
	const char *path = "command", *err;
	int64_t umask = 0077, maxsize = 0;
	struct pp_comp *k = c->next;
	bool read;

	if (c->arg && c->arg->kind != TOK_STR) {
		sema_error(se, &c->arg->pos, "procfs takes a file path in "
			   "quotes, as in procfs(\"status\").read");
		return;
	}
	if (c->arg)
		path = c->arg->str;
	err = procfs_path_error(path);
	if (err) {
		sema_error(se, &(c->arg ? c->arg : c->tok)->pos, "%s", err);
		return;
	}
	if (k && k->name == istr("umask")) {
		if (!k->arg || k->arg->kind != TOK_NUM || k->arg->num < 0 ||
		    k->arg->num > 0777) {
			sema_error(se, &(k->arg ? k->arg : k->tok)->pos,
				   "procfs umask must be a number from 0 to "
				   "0777, as in umask(0022)");
			return;
		}
		umask = k->arg->num;
		k = k->next;
	}
	if (!k || (k->name != istr("read") && k->name != istr("write")) ||
	    k->arg) {
		sema_error(se, &(k ? k->tok : c->tok)->pos, "procfs probe "
			   "point needs .read or .write, as in "
			   "procfs(\"status\").read");
		return;
	}
	read = k->name == istr("read");
	k = k->next;
	if (k && k->name == istr("maxsize") && !read) {
		sema_error(se, &k->tok->pos, "maxsize applies to procfs read "
			   "probes only (a write gets at most MAXSTRINGLEN-1 "
			   "bytes)");
		return;
	}
	if (k && k->name == istr("maxsize")) {
		if (!k->arg || k->arg->kind != TOK_NUM || k->arg->num <= 0 ||
		    k->arg->num > 1 << 20) {
			sema_error(se, &(k->arg ? k->arg : k->tok)->pos,
				   "maxsize must be a number from 1 to "
				   "1048576");
			return;
		}
		maxsize = k->arg->num;
		k = k->next;
	}
	if (k) {
		sema_error(se, &k->tok->pos, "unknown probe point suffix "
			   "'.%s' after procfs .%s", k->name,
			   read ? "read (expected .maxsize(N))" : "write");
		return;
	}
	for (struct rprobe *o = se->prog->rprobes; read && o; o = o->next) {
		if (o->kind == RP_PROCFS_READ && !strcmp(o->symbol, path)) {
			sema_error(se, &c->tok->pos, "only one read procfs "
				   "probe can exist for procfs path \"%s\"",
				   path);
			return;
		}
	}
	struct rprobe *rp = add_rprobe(se, pr, read ? RP_PROCFS_READ :
				       RP_PROCFS_WRITE, from, from);

	rp->symbol = path;
	rp->func = "";
	rp->offset = (uint64_t)maxsize;
	rp->mode = (int)((read ? 0444 : 0222) & ~umask);
}

/* A perf component's number, or -1 after an error. */
static int64_t perf_number(struct sema *se, struct pp_comp *k, int64_t min,
			   int64_t max)
{
	if (k->arg && k->arg->kind == TOK_NUM && k->arg->num >= min &&
	    k->arg->num <= max)
		return k->arg->num;
	sema_error(se, &(k->arg ? k->arg : k->tok)->pos, "perf .%s takes a "
		   "number from %lld to %lld", k->name, (long long)min,
		   (long long)max);
	return -1;
}

/*
 * perf.type(T).config(C)[.sample(N)]: a perf event counter (type and
 * config as in perf_event_open(2)) on every CPU, the probe running at
 * each N-th event (1000000 by default, as SystemTap) with the
 * registers the overflow interrupted. tapset/perf.stp names the
 * hardware and software events (perf.sw.cpu_clock ...).
 */
static void resolve_perf(struct sema *se, struct probe *pr,
			 struct pp_comp *c, const char *from)
{
	struct pp_comp *t = c->next, *cf = t ? t->next : NULL, *k;
	int64_t type, config, sample = 1000000;

	if (!t || t->name != istr("type") || !cf ||
	    cf->name != istr("config")) {
		sema_error(se, &(t ? t : c)->tok->pos, "unknown perf probe "
			   "point %s (expected perf.type(T).config(C), or an "
			   "alias such as perf.sw.cpu_clock)", from);
		return;
	}
	type = perf_number(se, t, 0, UINT32_MAX);
	config = perf_number(se, cf, 0, INT64_MAX);
	if (type < 0 || config < 0)
		return;
	k = cf->next;
	if (k && k->name == istr("sample")) {
		sample = perf_number(se, k, 1, INT64_MAX);
		if (sample < 0)
			return;
		k = k->next;
	}
	if (k && (k->name == istr("process") || k->name == istr("counter"))) {
		sema_error(se, &k->tok->pos, "perf .%s is not supported: a "
			   "perf probe counts on every CPU, for every task",
			   k->name);
		return;
	}
	if (k) {
		sema_error(se, &k->tok->pos, "unknown probe point suffix "
			   "'.%s' after perf .config (expected .sample(N))",
			   k->name);
		return;
	}
	struct rprobe *rp = add_rprobe(se, pr, RP_PERF, from, from);

	rp->perf_type = type;
	rp->perf_config = (uint64_t)config;
	rp->perf_sample = sample;
}

static bool same_literal(const struct token *a, const struct token *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == TOK_NUM)
		return a->num == b->num;
	return a->slen == b->slen && !memcmp(a->str, b->str, (size_t)a->slen);
}

/*
 * Does the point as written (globs allowed) start with the alias's name?
 * *rest gets what follows it: NULL when the point is the alias, else a
 * suffix for the points the alias stands for (foo.return).
 */
static bool alias_matches(const struct pp_comp *user, const struct pp_comp *al,
			  struct pp_comp **rest)
{
	for (; user && al; user = user->next, al = al->next) {
		if (fnmatch(user->name, al->name, 0))
			return false;
		if (!user->arg != !al->arg)
			return false;
		if (user->arg && !same_literal(user->arg, al->arg))
			return false;
	}
	*rest = (struct pp_comp *)user;
	return !al;
}

/*
 * A copy of the point pp with its components up to (not including) end,
 * then the components rest.
 */
static struct probe_point *point_with(const struct probe_point *pp,
				      const struct pp_comp *end,
				      struct pp_comp *rest)
{
	struct probe_point *np = NEW(struct probe_point);
	struct pp_comp **tail = &np->comps;

	*np = *pp;
	np->next = NULL;
	for (const struct pp_comp *c = pp->comps; c != end; c = c->next) {
		struct pp_comp *d = NEW(struct pp_comp);

		*d = *c;
		*tail = d;
		tail = &d->next;
	}
	*tail = rest;
	return np;
}

static void resolve_point(struct sema *se, struct probe *pr,
			  struct probe_point *pp, int depth);

/*
 * Each alias the point names becomes a probe of its own: the alias's
 * body and the user's (copies, so each gets its own locals) in one
 * block, prologue first for "=", last for "+=". With suffixed, the
 * aliases the point names with more components after, which go after
 * each point the alias stands for (as SystemTap: alias.return, or
 * syscall.read.return.maxactive(10)).
 */
static int expand_aliases_as(struct sema *se, struct probe *pr,
			     struct probe_point *pp, int depth, bool suffixed)
{
	int n = 0;

	for (struct probe *a = se->s->probes; a; a = a->next) {
		struct pp_comp *rest;

		if (!a->alias ||
		    !alias_matches(pp->comps, a->alias_name->comps, &rest) ||
		    !rest != !suffixed)
			continue;
		if (depth > 10) {
			sema_error(se, &pp->tok->pos, "probe alias expansion "
				   "too deep (an alias that names itself?)");
			return 1;
		}
		struct probe *q = NEW(struct probe);
		struct node *ab = ast_clone(a->body), *ub = ast_clone(pr->body);
		struct node *blk = NEW(struct node);

		ab->from_alias = true;

		*q = *pr;
		q->next = NULL;
		q->locals = NULL;
		q->cond = ast_clone(pr->cond);
		q->points = a->points;
		/* the outermost alias is what -l and -L show */
		if (!q->alias_pp)
			q->alias_pp = point_string(a->alias_name);
		q->index = se->nindex++;
		blk->kind = N_BLOCK;
		blk->tok = pr->body->tok;
		blk->tmp = -1;
		if (a->epilogue) {
			ub->next = ab;
			blk->body = ub;
		} else {
			ab->next = ub;
			blk->body = ab;
		}
		q->body = blk;
		for (struct probe_point *ap = a->points; ap; ap = ap->next)
			resolve_point(se, q, rest ? point_with(ap, NULL, rest) :
				      ap, depth + 1);
		n++;
	}
	return n;
}

static int expand_aliases(struct sema *se, struct probe *pr,
			  struct probe_point *pp, int depth)
{
	int n = expand_aliases_as(se, pr, pp, depth, false);

	/* no alias of that name: one that is a prefix, with a suffix */
	return n ? n : expand_aliases_as(se, pr, pp, depth, true);
}

/*
 * KPOINT.return.maxactive(N), through aliases too (SystemTap's example:
 * syscall.read.return.maxactive(10)): the point without its last part,
 * its kretprobes keeping N instances. False if pp has no .maxactive.
 */
static bool take_maxactive(struct sema *se, struct probe *pr,
			   struct probe_point *pp, int depth)
{
	struct pp_comp *c = pp->comps, *prev = NULL;

	for (; c->next; c = c->next)
		prev = c;
	if (c->name != istr("maxactive") || !prev)
		return false;
	if (!c->arg || c->arg->kind != TOK_NUM || c->arg->num < 1 ||
	    c->arg->num > 4096) {
		sema_error(se, c->arg ? &c->arg->pos : &c->tok->pos,
			   "'.maxactive' takes the number of return "
			   "instances, from 1 to 4096");
		return true;
	}
	if (prev->name != istr("return") || prev->arg) {
		sema_error(se, &c->tok->pos, "'.maxactive(N)' goes after "
			   "'.return'");
		return true;
	}
	struct probe_point *np = point_with(pp, c, NULL);
	int64_t saved = se->maxactive;
	int nkret = se->nkret, errors = se->errors;

	se->maxactive = c->arg->num;
	resolve_point(se, pr, np, depth);
	se->maxactive = saved;
	if (se->nkret == nkret && se->errors == errors && !pp->optional)
		sema_error(se, &c->tok->pos, "'.maxactive(N)' is for kernel "
			   ".return probes, and %s places none",
			   point_string(np));
	return true;
}

static void resolve_point(struct sema *se, struct probe *pr,
			  struct probe_point *pp, int depth)
{
	struct pp_comp *c = pp->comps;
	const char *from = point_string(pp);

	if (take_maxactive(se, pr, pp, depth) ||
	    expand_aliases(se, pr, pp, depth))
		return;

	if ((c->name == istr("begin") || c->name == istr("end") ||
	     c->name == istr("error")) && !c->next) {
		enum rprobe_kind kind = c->name == istr("begin") ? RP_BEGIN :
					c->name == istr("end") ? RP_END :
					RP_ERROR;
		struct rprobe *rp;

		if (c->arg && c->arg->kind != TOK_NUM) {
			sema_error(se, &c->arg->pos, "'%s' takes a number "
				   "(its order), not a string", c->name);
			return;
		}
		rp = add_rprobe(se, pr, kind, from, from);
		rp->order = c->arg ? c->arg->num : 0;
		return;
	}
	if (c->name == istr("never") && !c->next && !c->arg)
		return;
	if (c->name == istr("timer") && !c->arg && c->next) {
		resolve_timer(se, pr, pp, c->next, from);
		return;
	}
	if (c->name == istr("kernel") && !c->arg && c->next &&
	    c->next->name == istr("statement") && c->next->arg &&
	    c->next->arg->kind == TOK_NUM) {
		resolve_statement_addr(se, pr, pp, c->next);
		return;
	}
	if (c->name == istr("kernel") && !c->arg && c->next &&
	    (c->next->name == istr("function") ||
	     c->next->name == istr("statement"))) {
		if (!resolve_debuginfo(se, pr, pp, c->next, NULL))
			resolve_function(se, pr, pp, c->next);
		return;
	}
	if (c->name == istr("module") && c->arg && c->arg->kind == TOK_STR &&
	    c->next && (c->next->name == istr("function") ||
			c->next->name == istr("statement"))) {
		resolve_debuginfo(se, pr, pp, c->next, c->arg->str);
		return;
	}
	if (c->name == istr("kprobe") && !c->arg && c->next &&
	    c->next->name == istr("module") && c->next->arg &&
	    c->next->arg->kind == TOK_STR && c->next->next &&
	    c->next->next->name == istr("function")) {
		resolve_kprobe_module(se, pr, pp, c->next);
		return;
	}
	if (c->name == istr("kprobe") && !c->arg && c->next &&
	    c->next->name == istr("function")) {
		resolve_function(se, pr, pp, c->next);
		return;
	}
	if (c->name == istr("kernel") && !c->arg && c->next &&
	    c->next->name == istr("trace") && !c->next->next) {
		resolve_trace(se, pr, pp, c->next, from);
		return;
	}
	if (c->name == istr("process") && c->arg &&
	    c->arg->kind == TOK_STR && c->next &&
	    c->next->name == istr("function")) {
		resolve_process(se, pr, pp, c);
		return;
	}
	if (c->name == istr("process") && c->next && !c->next->arg &&
	    !c->next->next && (c->next->name == istr("begin") ||
			       c->next->name == istr("end"))) {
		resolve_process_life(se, pr, pp, c);
		return;
	}
	if (c->name == istr("procfs")) {
		resolve_procfs(se, pr, c, from);
		return;
	}
	if (c->name == istr("perf") && !c->arg) {
		resolve_perf(se, pr, c, from);
		return;
	}
	if (c->name == istr("kernel") || c->name == istr("kprobe")) {
		struct pp_comp *bad = c->next ? c->next : c;

		sema_error(se, &bad->tok->pos, "unsupported probe point %s "
			   "(supported: %s.function(\"NAME\"), with .call "
			   "or .return)", from, c->name);
		return;
	}
	if (pp->optional)
		return;
	sema_error(se, &c->tok->pos, "unknown probe point %s (supported: "
		   "begin, end, error, never, timer.*, kernel.function("
		   "\"GLOB\"), kprobe.function(\"NAME\"), process(\"PATH\")"
		   ".function(\"GLOB\"), process.begin/end, procfs(\"PATH\")"
		   ".read/.write, perf.*, or an alias)",
		   from);
}


/*
 * Target variables live in different places at each address, so a
 * probe that reads them gets a handler of its own for every place: a
 * copy of the probe for each DWARF place after its first.
 */
static void split_target_probes(struct sema *se)
{
	struct probe *last = NULL;

	for (struct rprobe *rp = se->prog->rprobes; rp; rp = rp->next) {
		struct probe *pr = rp->probe;

		if (pr != last) {
			last = pr;
			continue;
		}
		if ((!rp->dw && !rp->tp && !rp->btf_fn) ||
		    (!has_target(pr->body) && !has_target(pr->cond)))
			continue;
		struct probe *q = NEW(struct probe);

		*q = *pr;
		q->next = NULL;
		q->locals = NULL;
		q->body = ast_clone(pr->body);
		q->cond = ast_clone(pr->cond);
		q->index = se->nindex++;
		rp->probe = q;
		last = pr;
	}
}

static void resolve_probes(struct sema *se)
{
	for (struct probe *pr = se->s->probes; pr; pr = pr->next) {
		if (pr->alias || pr->from_tapset)
			continue;
		int before = se->prog->nrprobes;

		pr->index = se->nindex++;
		for (struct probe_point *pp = pr->points; pp; pp = pp->next) {
			resolve_point(se, pr, pp, 0);
			if (pp->sufficient && se->prog->nrprobes > before)
				break;
		}
		if (se->prog->nrprobes > before)
			se->prog->nprobes++;
	}
}

static struct symbol *find(struct symbol *list, const char *name)
{
	for (; list; list = list->next)
		if (list->name == name)
			return list;
	return NULL;
}

/* Can code at token from see a global or function declared private? */
static bool visible(const struct srcfile *priv, const struct token *from)
{
	return !priv || (from && from->pos.file == priv);
}

/* The global a use at from names: its file's private one first. */
static struct symbol *find_global(struct sema *se, const char *name,
				  const struct token *from)
{
	struct symbol *pub = NULL;

	for (struct symbol *g = se->s->globals; g; g = g->next) {
		if (g->name != name || !visible(g->priv, from))
			continue;
		if (g->priv)
			return g;
		pub = pub ? pub : g;
	}
	return pub;
}

/*
 * The function a call at from of name with nargs arguments runs first:
 * a private one of the caller's file before a public one.
 */
static struct function *find_function(struct sema *se, const char *name,
				      int nargs, const struct token *from)
{
	struct function *pub = NULL;

	for (struct function *f = se->s->funcs; f; f = f->next) {
		if (f->name != name || f->nparams != nargs ||
		    !visible(f->priv, from))
			continue;
		if (f->priv)
			return f->ovl_head;
		pub = pub ? pub : f->ovl_head;
	}
	return pub;
}

/*
 * After an error about name at from: say so if it is another file's
 * private global or function, which from cannot see.
 */
static void private_note(struct sema *se, const char *name,
			 const struct token *from)
{
	const struct token *at = NULL;

	for (struct symbol *g = se->s->globals; g && !at; g = g->next)
		if (g->name == name && !visible(g->priv, from))
			at = g->tok;
	for (struct function *f = se->s->funcs; f && !at; f = f->next)
		if (f->name == name && !visible(f->priv, from))
			at = f->tok;
	if (at && !too_many(se))
		diag_note(&at->pos, "'%s' is private to %s: it is seen only "
			  "in that file", name, at->pos.file->name);
}

static bool is_function(struct sema *se, const char *name,
			const struct token *from)
{
	for (struct function *f = se->s->funcs; f; f = f->next)
		if (f->name == name && visible(f->priv, from))
			return true;
	return false;
}

static int count(const struct node *n)
{
	int k = 0;

	for (; n; n = n->next)
		k++;
	return k;
}

/*
 * ---- step 1a: overloads ----
 *
 * Functions of one name and arity form a chain in priority order (the
 * script's own 0, the tapsets' 1 unless written; ties in declaration
 * order). A call runs the head; 'next' passes to the following one
 * with the same arguments. Different arities are unrelated functions
 * and only need distinct C names.
 */

static bool has_next(const struct node *n)
{
	return has_kind(n, N_NEXT);
}

static bool runs_before(const struct function *a, const struct function *b)
{
	return a->prio < b->prio || (a->prio == b->prio && a->index < b->index);
}

/*
 * Overloads must agree on types, as one call site binds them all.
 * Report (when asked) the first type that two of them both know and
 * disagree on; copy (when asked) a type one knows to the other.
 * Returns whether anything was learned.
 */
static bool agree(struct sema *se, struct function *a, struct function *b,
		  bool report, bool learn)
{
	bool learned = false;

	if (a->ret && b->ret && a->ret != b->ret) {
		if (report) {
			sema_error(se, &b->tok->pos, "overloads of '%s' "
				   "disagree: this one returns a %s, another "
				   "a %s", b->name, type_name(b->ret),
				   type_name(a->ret));
			diag_note(&a->tok->pos, "the other overload is here");
		}
		return false;
	}
	if (learn && !a->ret != !b->ret) {
		a->ret = b->ret = a->ret | b->ret;
		learned = true;
	}
	for (struct symbol *p = a->params, *q = b->params; p;
	     p = p->next, q = q->next) {
		if (p->ty && q->ty && p->ty != q->ty) {
			if (report) {
				sema_error(se, &q->tok->pos, "overloads of "
					   "'%s' disagree: parameter '%s' is "
					   "a %s here, a %s in another",
					   b->name, q->name, type_name(q->ty),
					   type_name(p->ty));
				diag_note(&p->tok->pos, "the other overload "
					  "is here");
			}
			return learned;
		}
		if (learn && !p->ty != !q->ty) {
			p->ty = q->ty = p->ty | q->ty;
			learned = true;
		}
	}
	return learned;
}

/* Insert fn into the chain at *head, in priority order. */
static void insert_overload(struct function **head, struct function *fn)
{
	while (*head && runs_before(*head, fn))
		head = &(*head)->ovl_next;
	fn->ovl_next = *head;
	*head = fn;
}

static void group_overloads(struct sema *se)
{
	for (struct function *fn = se->s->funcs; fn; fn = fn->next)
		fn->can_next = fn->body ? has_next(fn->body) :
			strstr(fn->embedded, "STAP_NEXT") != NULL;
	for (struct function *fn = se->s->funcs; fn; fn = fn->next) {
		if (fn->ovl_head)
			continue;
		struct function *head = NULL;
		bool arities = false;

		for (struct function *f = fn; f; f = f->next) {
			if (f->name != fn->name || f->priv != fn->priv)
				continue;	/* private ones are apart */
			if (f->nparams != fn->nparams) {
				arities = true;
				continue;
			}
			insert_overload(&head, f);
			f->ovl_head = f;	/* grouped, for now */
		}
		for (struct function *f = se->s->funcs; f != fn; f = f->next)
			if (f->name == fn->name)
				arities = true;
		/*
		 * The declared types must agree; the others are learned
		 * only where 'next' leads, so that a script's function
		 * without 'next' may replace a tapset's of another type.
		 */
		int k = 0;

		for (struct function *f = head; f; f = f->ovl_next, k++) {
			f->ovl_head = head;
			for (struct function *e = head; e != f; e = e->ovl_next)
				agree(se, e, f, true, false);
			f->cname = f->name;
			if (arities || head->ovl_next)
				f->cname = arena_printf("%s__%d", f->name,
							f->nparams);
			if (head->ovl_next)	/* by priority */
				f->cname = arena_printf("%s_%d", f->cname, k);
			if (f->priv)	/* apart from other files' */
				f->cname = arena_printf("%s__p%d", f->cname,
							head->index);
		}
	}
}

/*
 * After each pass: the overloads a call can reach share their types,
 * and one that reaches globals makes the one before it do so too.
 */
static void agree_overloads(struct sema *se)
{
	for (struct function *fn = se->s->funcs; fn; fn = fn->next) {
		struct function *nx = fn->ovl_next;

		if (!fn->used || !fn->can_next || !nx || !nx->used)
			continue;
		if (agree(se, fn->ovl_head, nx, se->report, true))
			se->changed = true;
		if (nx->uses_globals && !fn->uses_globals) {
			fn->uses_globals = true;
			se->changed = true;
		}
	}
}

/*
 * ---- step 1b: unused alias variables ----
 *
 * As SystemTap, an alias body's assignment to a variable the probe
 * never reads is dropped when computing the value has no side effects:
 * `probe syscall.openat { println(filename) }` does not format argstr.
 * It happens before names are bound, so the tapset functions and
 * locals only those assignments used are never translated. Function
 * calls count as free of side effects when the function is embedded C
 * marked pure, or a script function that changes nothing but its own
 * locals and calls only such functions; sprintf and friends too.
 */

/* The names read in a probe: every variable but the target of "=". */
struct reads {
	const char **names;	/* interned */
	int n, cap;
};

static void add_read(struct reads *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (r->names[i] == name)
			return;
	if (r->n == r->cap) {
		int ncap = r->cap ? r->cap * 2 : 32;
		const char **v = arena_alloc(sizeof(*v) * (size_t)ncap);

		if (r->n)
			memcpy(v, r->names, sizeof(*v) * (size_t)r->n);
		r->names = v;
		r->cap = ncap;
	}
	r->names[r->n++] = name;
}

static bool is_read(const struct reads *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (r->names[i] == name)
			return true;
	return false;
}

/* Foreach keys, catch variables and the like count as reads too. */
static void collect_reads(struct reads *r, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == N_VAR)
			add_read(r, n->name);
		if (n->kind == N_ASSIGN && n->op == istr("=") &&
		    n->lhs->kind == N_VAR) {
			collect_reads(r, n->rhs);
			continue;
		}
		collect_reads(r, n->lhs);
		collect_reads(r, n->rhs);
		collect_reads(r, n->cond);
		collect_reads(r, n->then);
		collect_reads(r, n->els);
		collect_reads(r, n->init);
		collect_reads(r, n->inc);
		collect_reads(r, n->body);
		collect_reads(r, n->args);
	}
}

/* Is n's name, in function fn (or a probe), a global? */
static bool names_global(struct sema *se, struct function *fn,
			 const struct node *n)
{
	return !(fn && find(fn->params, n->name)) &&
	       find_global(se, n->name, n->tok);
}

static bool pure_function(struct sema *se, struct function *fn);

/*
 * Can evaluating n (a list of expressions or statements) change
 * anything outside the locals of fn? In a probe (fn NULL) nothing may
 * be written at all.
 */
static bool is_pure(struct sema *se, const struct node *n,
		    struct function *fn)
{
	for (; n; n = n->next) {
		switch (n->kind) {
		case N_AGG:
		case N_NEXT:
			return false;
		case N_EMBEDDED:
			if (!strstr(n->str, "/* pure */"))
				return false;
			break;
		case N_ASSIGN:
		case N_INCDEC:
		case N_DELETE:
			if (!fn || n->lhs->kind != N_VAR ||
			    names_global(se, fn, n->lhs))
				return false;
			break;
		case N_CALL: {
			struct function *f = find_function(se, n->name,
							   count(n->args),
							   n->tok);

			if (f ? !pure_function(se, f) :
			    !sema_is_builtin(n->name) ||
			    strncmp(n->name, "sprint", 6))
				return false;
			break;
		}
		default:
			break;
		}
		if (!is_pure(se, n->lhs, fn) || !is_pure(se, n->rhs, fn) ||
		    !is_pure(se, n->cond, fn) || !is_pure(se, n->then, fn) ||
		    !is_pure(se, n->els, fn) || !is_pure(se, n->init, fn) ||
		    !is_pure(se, n->inc, fn) || !is_pure(se, n->body, fn) ||
		    !is_pure(se, n->args, fn))
			return false;
	}
	return true;
}

static bool pure_function(struct sema *se, struct function *fn)
{
	if (fn->purity)
		return fn->purity > 0;
	if (fn->can_next) {	/* what runs next is another function */
		fn->purity = -1;
		return false;
	}
	if (!fn->body) {
		fn->purity = strstr(fn->embedded, "/* pure */") ? 1 : -1;
		return fn->purity > 0;
	}
	fn->purity = -1;	/* while we look: recursion is not pure */
	fn->purity = is_pure(se, fn->body, fn) ? 1 : -1;
	return fn->purity > 0;
}

/* Drop the dead "VAR = EXPR" statements of alias blocks in list n. */
static int elide_dead(struct sema *se, struct node *n, bool in_alias,
		      const struct reads *r)
{
	int k = 0;

	for (; n; n = n->next) {
		bool alias = in_alias || (n->kind == N_BLOCK && n->from_alias);
		struct node *a = n->lhs;

		if (alias && n->kind == N_EXPR && a->kind == N_ASSIGN &&
		    a->op == istr("=") && a->lhs->kind == N_VAR &&
		    !names_global(se, NULL, a->lhs) &&
		    !is_read(r, a->lhs->name) && is_pure(se, a->rhs, NULL)) {
			if (!in_library(a->tok))
				diag_warn(&a->tok->pos, "eliding assignment to "
					  "'%s', which the probe never reads",
					  a->lhs->name);
			else if (se->ss->verbose >= 2)
				diag_note(&a->tok->pos, "eliding assignment to "
					  "unused alias variable '%s'",
					  a->lhs->name);
			n->kind = N_EMPTY;
			n->lhs = NULL;
			k++;
			continue;
		}
		k += elide_dead(se, n->body, alias, r);
		k += elide_dead(se, n->then, alias, r);
		k += elide_dead(se, n->els, alias, r);
	}
	return k;
}

/* Until nothing changes: argstr gone, dfd_str may be unread too. */
static void elide_alias_vars(struct sema *se)
{
	struct probe *last = NULL;

	for (struct rprobe *rp = se->prog->rprobes; rp; rp = rp->next) {
		struct probe *pr = rp->probe;

		if (pr == last)
			continue;
		last = pr;
		for (;;) {
			struct reads r = { 0 };

			collect_reads(&r, pr->cond);
			collect_reads(&r, pr->body);
			if (!elide_dead(se, pr->body, false, &r))
				break;
		}
	}
}

/* ---- steps 2 and 3: names and types ---- */

/* Bind a variable reference: parameter, local, then global; else new local. */
static struct symbol *bind(struct sema *se, struct scope *sc, struct node *n)
{
	struct symbol *sym = NULL;

	if (sc->fn)
		sym = find(sc->fn->params, n->name);
	if (!sym)
		sym = find(*sc->locals, n->name);
	if (!sym) {
		sym = find_global(se, n->name, n->tok);
		if (sym && !sym->shape_known && !sym->is_array &&
		    n->kind == N_INDEX) {
			sym->is_array = true;	/* arrayness from use */
			sym->shape_known = true;
		}
		if (sym && sym->is_array != (n->kind == N_INDEX) &&
		    n->kind != N_FOREACH) {
			sema_error(se, &n->tok->pos, sym->is_array ?
				   "'%s' is an array: index it, as in %s[key]" :
				   "'%s' is a scalar, not an array", n->name,
				   n->name);
		} else if (sym) {
			sym->shape_known = true;
		}
	}
	if (!sym) {
		if (n->kind == N_INDEX || n->kind == N_FOREACH ||
		    n->kind == N_IN) {
			sema_error(se, &n->tok->pos, "unknown array '%s': "
				   "arrays must be declared global", n->name);
			private_note(se, n->name, n->tok);
			return NULL;
		}
		sym = NEW(struct symbol);
		sym->name = n->name;
		sym->tok = n->tok;
		sym->next = *sc->locals;
		*sc->locals = sym;
	}
	if (sym->global)
		sc->uses_globals = true;
	return sym;
}

/* Say where a symbol got the type that now conflicts. */
static void type_origin(struct sema *se, const struct symbol *sym)
{
	if (sym && sym->ty_tok && !too_many(se))
		diag_note(&sym->ty_tok->pos, "'%s' is a %s because of this "
			  "use", sym->name, type_name(sym->ty));
	else if (sym && sym->init && !too_many(se))
		diag_note(&sym->tok->pos, "'%s' is a %s from its "
			  "initialiser", sym->name, type_name(sym->ty));
}

/* Give n the type ty if it has none; report a conflict in the last pass. */
static void learn(struct sema *se, struct node *n, enum type ty)
{
	if (ty == TY_UNKNOWN)
		return;
	struct symbol *sym = NULL;

	if (n->kind == N_VAR || n->kind == N_INDEX)
		sym = n->sym;
	if (sym && sym->ty == TY_UNKNOWN) {
		sym->ty = ty;
		sym->ty_tok = n->tok;
		se->changed = true;
	}
	if (n->kind == N_CALL && n->fn && n->fn->ret == TY_UNKNOWN) {
		n->fn->ret = ty;
		se->changed = true;
	}
	if (n->kind == N_TERNARY) {
		learn(se, n->then, ty);
		learn(se, n->els, ty);
	}
	if (n->kind == N_ASSIGN && n->op == istr("="))
		learn(se, n->lhs, ty);
	if (n->ty == TY_UNKNOWN) {
		n->ty = ty;
		se->changed = true;
	}
}

static void want(struct sema *se, struct node *n, enum type ty,
		 const char *what)
{
	learn(se, n, ty);
	if (!se->report)
		return;
	if (n->ty == TY_UNKNOWN) {
		sema_error(se, &n->tok->pos, "cannot infer the type of this "
			   "%s (expected %s)", what, type_name(ty));
		if (n->kind == N_VAR)
			private_note(se, n->name, n->tok);
	}
	else if (n->ty != ty) {
		sema_error(se, &n->tok->pos, "%s is a %s but must be a %s",
			   what, type_name(n->ty), type_name(ty));
		if (n->kind == N_VAR || n->kind == N_INDEX)
			type_origin(se, n->sym);
	}
}

static enum type expr(struct sema *se, struct scope *sc, struct node *n);

static bool is_lvalue(struct node *n)
{
	return n->kind == N_VAR || n->kind == N_INDEX ||
	       (n->kind == N_TARGET && n->write);
}

static void check_lvalue(struct sema *se, struct node *n, const char *op)
{
	if (se->report && !is_lvalue(n))
		sema_error(se, &n->tok->pos, "the left side of '%s' must be "
			   "a variable", op);
}

/* s as it would be written in a script: "a\\n" for a newline. */
static const char *escaped(const char *s, int len)
{
	struct strbuf sb = { 0 };

	for (int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			sb_puts(&sb, "\\n");
		else if (c == '\t')
			sb_puts(&sb, "\\t");
		else if (c == '"' || c == '\\')
			sb_printf(&sb, "\\%c", c);
		else if (c < 32 || c >= 127)
			sb_printf(&sb, "\\%03o", c);
		else
			sb_putc(&sb, c);
	}
	return sb.buf ? sb.buf : "";
}

/*
 * printf-style formats: check directives against arguments and build
 * the kernel vsnprintf format (%d becomes %lld and so on), kept in
 * n->str for gen.c. Returns the number of arguments the format takes.
 */
static void check_format(struct sema *se, struct scope *sc, struct node *call,
			 struct node *fmt, struct node *args)
{
	struct strbuf out = { 0 };
	const char *p = fmt->str, *end = fmt->str + fmt->slen;
	struct node *arg = args;

	while (p < end) {
		if (*p != '%') {
			if (!*p) {
				sb_puts(&out, "\\0");
				p++;
				continue;
			}
			/* \001 marks %b/%m/%M below: a literal one doubles */
			if (*p == '\001')
				sb_putc(&out, '\001');
			sb_putc(&out, *p++);
			continue;
		}
		const char *start = p++;

		if (p < end && *p == '%') {
			sb_puts(&out, "%%");
			p++;
			continue;
		}
		struct strbuf spec = { 0 };

		sb_putc(&spec, '%');
		while (p < end && strchr("-+ #0", *p))
			sb_putc(&spec, *p++);
		int stars = 0;

		if (p < end && *p == '*') {
			sb_putc(&spec, *p++);
			stars++;
		}
		while (p < end && *p >= '0' && *p <= '9')
			sb_putc(&spec, *p++);
		if (p < end && *p == '.') {
			sb_putc(&spec, *p++);
			if (p < end && *p == '*') {
				sb_putc(&spec, *p++);
				stars++;
			}
			while (p < end && *p >= '0' && *p <= '9')
				sb_putc(&spec, *p++);
		}
		while (p < end && (*p == 'l' || *p == 'h' || *p == 'L' ||
				   *p == 'z' || *p == 'j' || *p == 't'))
			p++;
		if (p >= end) {
			sema_error(se, &fmt->tok->pos, "incomplete format "
				   "directive '%.*s' at the end of the format",
				   (int)(p - start), start);
			return;
		}
		char conv = *p++;
		enum type ty;

		switch (conv) {
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
			sb_printf(&spec, "ll%c", conv == 'i' ? 'd' : conv);
			ty = TY_LONG;
			break;
		case 'c':
			sb_putc(&spec, 'c');
			ty = TY_LONG;
			break;
		case 's':
			sb_putc(&spec, 's');
			ty = TY_STRING;
			break;
		case 'p':
			/* since SystemTap 1.3, %p is %#x of a 64-bit value */
			spec.len = 0;
			sb_puts(&spec, "%#");
			sb_add(&spec, start + 1, (size_t)(p - 1 - start - 1));
			sb_puts(&spec, "llx");
			ty = TY_LONG;
			break;
		case 'b': case 'm': case 'M': {
			/*
			 * Not vsnprintf directives: gen.c splits the format
			 * at "\001" CONV PRECISION "\002" and calls the
			 * runtime for these (%b: the value as 1, 2, 4 or 8
			 * raw bytes; %m / %M: memory at an address, raw or
			 * in hex, precision bytes long).
			 */
			const char *dot = strchr(spec.buf, '.');

			if (dot)	/* spec is rewritten below */
				dot = arena_strdup(dot);
			long width = strtol(spec.buf + strspn(spec.buf,
					    "%-+ #0"), NULL, 10);

			if (!strcmp(call->name, "sprintf") && conv == 'b') {
				sema_error(se, &fmt->tok->pos, "%%b writes raw "
					   "bytes: use it with printf, not "
					   "sprintf");
				return;
			}
			if (conv == 'b' && width && width != 1 && width != 2 &&
			    width != 4 && width != 8) {
				sema_error(se, &fmt->tok->pos, "the width of %%b "
					   "is a size in bytes: 1, 2, 4 or 8");
				return;
			}
			spec.len = 0;
			sb_printf(&spec, "\001%c", conv);
			if (conv == 'b')
				sb_printf(&spec, "%ld", width ? width : 8);
			else if (dot)
				sb_puts(&spec, dot + 1);
			sb_putc(&spec, '\002');
			ty = TY_LONG;
			break;
		}
		default:
			sema_error(se, &fmt->tok->pos, "unknown format "
				   "directive '%%%c' in \"%s\"", conv,
				   escaped(fmt->str, fmt->slen));
			return;
		}
		for (int i = 0; i < stars; i++) {
			if (!arg) {
				sema_error(se, &call->tok->pos, "too few "
					   "arguments for the format");
				return;
			}
			want(se, arg, TY_LONG, "width argument");
			arg = arg->next;
		}
		if (!arg) {
			sema_error(se, &call->tok->pos, "too few arguments for "
				   "the format \"%s\"", escaped(fmt->str,
								 fmt->slen));
			return;
		}
		want(se, arg, ty, arg->kind == N_VAR ?
		     arena_printf("variable '%s' for '%.*s'", arg->name,
				  (int)(p - start), start) :
		     arena_printf("the argument for '%.*s'", (int)(p - start),
				  start));
		arg = arg->next;
		sb_add(&out, spec.buf, spec.len);
	}
	if (arg)
		sema_error(se, &arg->tok->pos, "too many arguments for the "
			   "format \"%s\"", escaped(fmt->str, fmt->slen));
	(void)sc;
	call->str = out.buf ? out.buf : "";
	call->slen = (int)out.len;
}

static void visit_function(struct sema *se, struct function *fn);

static enum type builtin_call(struct sema *se, struct scope *sc,
			      struct node *n)
{
	const char *name = n->name;
	struct node *a;
	int nargs = 0;

	for (a = n->args; a; a = a->next) {
		se->hist_ok = a->kind == N_STAT;
		expr(se, sc, a);
		se->hist_ok = false;
		nargs++;
	}
	if (!strcmp(name, "printf") || !strcmp(name, "sprintf")) {
		if (!n->args || n->args->kind != N_STR) {
			sema_error(se, &n->tok->pos, "%s needs a format string "
				   "literal as its first argument", name);
			return TY_UNKNOWN;
		}
		check_format(se, sc, n, n->args, n->args->next);
		return name[0] == 's' ? TY_STRING : TY_LONG;
	}
	if (!strcmp(name, "log")) {
		if (nargs != 1)
			sema_error(se, &n->tok->pos, "log takes one string");
		else
			want(se, n->args, TY_STRING, "argument of log");
		return TY_LONG;
	}
	bool delim = strstr(name, "printd") != NULL;

	if (delim) {
		if (nargs < 2) {
			sema_error(se, &n->tok->pos, "%s needs a delimiter and "
				   "at least one value", name);
			return TY_UNKNOWN;
		}
		if (n->args->kind != N_STR)
			sema_error(se, &n->args->tok->pos, "the delimiter of "
				   "%s must be a string literal", name);
	} else if (!nargs && strcmp(name, "println") &&
		   strcmp(name, "sprintln")) {
		sema_error(se, &n->tok->pos, "%s needs at least one value",
			   name);
	}
	for (a = delim ? n->args->next : n->args; a; a = a->next) {
		bool hist = a->kind == N_STAT && (!strcmp(a->name,
			"@hist_linear") || !strcmp(a->name, "@hist_log"));

		if (hist && (delim || name[0] == 's' || nargs != 1))
			sema_error(se, &a->tok->pos, "a histogram can only be "
				   "printed alone, with print or println");
		if (se->report && a->ty == TY_UNKNOWN && !hist) {
			sema_error(se, &a->tok->pos, "cannot infer the type "
				   "of this argument of %s", name);
			if (a->kind == N_VAR)
				private_note(se, a->name, a->tok);
		}
		if (se->report && a->ty == TY_STATS)
			sema_error(se, &a->tok->pos, "an aggregate cannot be "
				   "printed; use @count, @sum, @min, @max, "
				   "@avg or a histogram");
	}
	return name[0] == 's' ? TY_STRING : TY_LONG;
}

/* No function of the name takes nargs: list the arities there are. */
static void arity_error(struct sema *se, struct node *n, int nargs)
{
	struct function *first[64] = { 0 };
	struct strbuf sb = { 0 };
	int k = 0, j = 0, last = 0;
	bool shown = !too_many(se);

	for (struct function *f = se->s->funcs; f; f = f->next)
		if (f->name == n->name && f->nparams < 64 &&
		    visible(f->priv, n->tok) && !first[f->nparams]) {
			first[f->nparams] = f;
			k++;
		}
	for (int i = 0; i < 64; i++) {
		if (!first[i])
			continue;
		j++;
		sb_printf(&sb, "%s%d", j == 1 ? "" : j == k ? " or " : ", ", i);
		last = i;
	}
	sema_error(se, &n->tok->pos, "function '%s' takes %s argument%s but "
		   "%d %s given", n->name, sb.buf, k == 1 && last == 1 ? "" :
		   "s", nargs, nargs == 1 ? "was" : "were");
	for (int i = 0; i < 64 && shown; i++)
		if (first[i])
			diag_note(&first[i]->tok->pos, "'%s' with %d "
				  "argument%s is defined here", n->name, i,
				  i == 1 ? "" : "s");
}

static enum type call(struct sema *se, struct scope *sc, struct node *n)
{
	if (sema_is_builtin(n->name) && !is_function(se, n->name, n->tok))
		return builtin_call(se, sc, n);

	int nargs = count(n->args);
	struct function *fn = find_function(se, n->name, nargs, n->tok);

	if (!fn) {
		if (!is_function(se, n->name, n->tok)) {
			sema_error(se, &n->tok->pos, "unknown function '%s'",
				   n->name);
			private_note(se, n->name, n->tok);
		} else
			arity_error(se, n, nargs);
		for (struct node *a = n->args; a; a = a->next)
			expr(se, sc, a);
		return TY_UNKNOWN;
	}
	n->fn = fn;
	/* the overloads 'next' can reach */
	for (struct function *f = fn; f; f = f->can_next ? f->ovl_next : NULL)
		visit_function(se, f);
	if (fn->uses_globals)
		sc->uses_globals = true;

	struct symbol *par = fn->params;

	for (struct node *a = n->args; a; a = a->next, par = par->next) {
		enum type ty = expr(se, sc, a);

		if (par->ty == TY_UNKNOWN && ty != TY_UNKNOWN) {
			par->ty = ty;
			se->changed = true;
		}
		learn(se, a, par->ty);
		if (se->report && par->ty != TY_UNKNOWN && a->ty != par->ty)
			sema_error(se, &a->tok->pos, "argument '%s' of '%s' "
				   "is a %s but a %s was given", par->name,
				   fn->name, type_name(par->ty),
				   type_name(a->ty));
	}
	return fn->ret;
}

/*
 * Where byte off of a string literal's value is in the source, for a
 * caret under the offending character of a pattern. Escapes are walked
 * as lex.c decodes them; anything else (an @N argument, a later literal
 * of a concatenation, off -1 for the whole pattern) gets the whole
 * token.
 */
static struct srcpos literal_pos(const struct token *tok, int off)
{
	struct srcpos pos = tok->pos;
	const char *p = tok->pos.loc;
	int k = 0;

	if (tok->kind != TOK_STR || *p != '"' || off < 0)
		return pos;
	for (p++; *p && *p != '\n'; k++) {
		int step = 1;

		if (*p == '"' && k != off)
			break;
		if (*p == '\\' && p[1] == 'x') {
			step = 2;
			while (step < 4 && isxdigit((unsigned char)p[step]))
				step++;
		} else if (*p == '\\' && p[1] >= '0' && p[1] <= '7') {
			step = 2;
			while (step < 4 && p[step] >= '0' && p[step] <= '7')
				step++;
		} else if (*p == '\\' && p[1]) {
			step = 2;
		}
		if (k == off) {
			pos.col += (int)(p - tok->pos.loc);
			pos.loc = p;
			pos.len = step;
			return pos;
		}
		p += step;
	}
	return pos;
}

/*
 * The right side of =~ and !~: a string literal, compiled now (ere.c)
 * into one of the program's regexes; n->num is its index + 1, or -1
 * after an error (reported once).
 */
static void regex_operand(struct sema *se, struct node *n)
{
	struct node *lit = n->rhs;
	struct program *prog = se->prog;
	const char *err;
	int off;

	if (n->num || !se->report)
		return;	/* once, with the last pass's other errors */
	if (lit->kind != N_STR) {
		sema_error(se, &lit->tok->pos, "the right side of '%s' must be "
			   "a string literal: regular expressions are compiled "
			   "when the script is translated", n->op);
		n->num = -1;
		return;
	}
	for (int i = 0; i < prog->nregexes; i++) {
		struct regex *re = prog->regexes[i];

		if (re->len == lit->slen &&
		    !memcmp(re->pattern, lit->str, (size_t)lit->slen)) {
			n->num = i + 1;
			return;
		}
	}
	struct regex *re = ere_compile(lit->str, lit->slen, &err, &off);

	if (!re) {
		struct srcpos pos = literal_pos(lit->tok, off);

		sema_error(se, &pos, "invalid regular expression: %s", err);
		n->num = -1;
		return;
	}
	struct regex **v = arena_alloc(sizeof(*v) *
				       (size_t)(prog->nregexes + 1));

	if (prog->nregexes)
		memcpy(v, prog->regexes, sizeof(*v) * (size_t)prog->nregexes);
	v[prog->nregexes++] = re;
	prog->regexes = v;
	n->num = prog->nregexes;
}

static enum type binary(struct sema *se, struct scope *sc, struct node *n)
{
	const char *op = n->op;
	enum type l = expr(se, sc, n->lhs), r = expr(se, sc, n->rhs);

	if (op == istr(".")) {
		want(se, n->lhs, TY_STRING, "left operand of '.'");
		want(se, n->rhs, TY_STRING, "right operand of '.'");
		return TY_STRING;
	}
	if (op == istr("==") || op == istr("!=") || op == istr("<") ||
	    op == istr(">") || op == istr("<=") || op == istr(">=")) {
		if (l == TY_UNKNOWN)
			learn(se, n->lhs, r);
		if (r == TY_UNKNOWN)
			learn(se, n->rhs, l);
		if (se->report) {
			if (n->lhs->ty == TY_UNKNOWN || n->rhs->ty == TY_UNKNOWN)
				sema_error(se, &n->tok->pos, "cannot infer "
					   "the types compared by '%s'", op);
			else if (n->lhs->ty != n->rhs->ty)
				sema_error(se, &n->tok->pos, "'%s' compares "
					   "a %s with a %s", op,
					   type_name(n->lhs->ty),
					   type_name(n->rhs->ty));
		}
		return TY_LONG;
	}
	if (op == istr("=~") || op == istr("!~")) {
		want(se, n->lhs, TY_STRING, arena_printf("left operand of "
			"'%s'", op));
		regex_operand(se, n);
		return TY_LONG;
	}
	if (se->report && (l == TY_STRING || r == TY_STRING) &&
	    op == istr("+")) {
		sema_error(se, &n->tok->pos, "'+' adds numbers; join strings "
			   "with '.'");
		return TY_LONG;
	}
	want(se, n->lhs, TY_LONG, arena_printf("left operand of '%s'", op));
	want(se, n->rhs, TY_LONG, arena_printf("right operand of '%s'", op));
	return TY_LONG;
}

/* $var OP= v, which only '=' can do (and '.=' on procfs $value). */
static enum type assign_error(struct sema *se, struct node *n)
{
	sema_error(se, &n->tok->pos, "a target variable can only be assigned "
		   "with '=', not '%s'", n->op);
	n->lhs->str = "0";
	n->lhs->ty = TY_LONG;
	return TY_UNKNOWN;
}

static enum type assign(struct sema *se, struct scope *sc, struct node *n)
{
	enum type r = expr(se, sc, n->rhs);

	if (n->lhs->kind == N_TARGET && !n->lhs->write) {
		/*
		 * $var = expr changes the probed code's state: guru only;
		 * procfs $value is what the reader gets, no one's state.
		 */
		n->lhs->write = true;
		if (sc->probe && is_procfs(sc->rp)) {
			/* $value = s, or $value .= s to make it longer */
			if (n->op != istr("=") && n->op != istr(".="))
				return assign_error(se, n);
			se->in_append = n->op == istr(".=");
			expr(se, sc, n->lhs);
			se->in_append = false;
		} else if (!se->ss->guru) {
			sema_error(se, &n->lhs->tok->pos, "writing to target "
				   "variable '%s' needs guru mode (-g)",
				   n->lhs->name);
			n->lhs->str = "0";
			n->lhs->ty = TY_LONG;
			return TY_UNKNOWN;
		}
		if (n->op != istr("=") && !is_procfs(sc->rp))
			return assign_error(se, n);
	}

	se->in_lhs = n->op == istr("=");
	enum type l = expr(se, sc, n->lhs);

	se->in_lhs = false;

	check_lvalue(se, n->lhs, n->op);
	if (n->lhs->sym)
		n->lhs->sym->written = true;
	if (n->op == istr("=")) {
		if (l == TY_UNKNOWN)
			learn(se, n->lhs, r);
		if (r == TY_UNKNOWN)
			learn(se, n->rhs, n->lhs->ty);
		if (se->report) {
			if (n->lhs->ty == TY_UNKNOWN)
				sema_error(se, &n->lhs->tok->pos, "cannot "
					   "infer the type of '%s'",
					   n->lhs->name ? n->lhs->name : "this");
			else if (n->rhs->ty != TY_UNKNOWN &&
				 n->lhs->ty != n->rhs->ty) {
				sema_error(se, &n->tok->pos, "cannot assign a "
					   "%s to %s '%s'",
					   type_name(n->rhs->ty),
					   type_name(n->lhs->ty),
					   n->lhs->name);
				type_origin(se, n->lhs->sym);
			}
		}
		return n->lhs->ty;
	}
	if (n->op == istr(".=")) {
		want(se, n->lhs, TY_STRING, "left side of '.='");
		want(se, n->rhs, TY_STRING, "right side of '.='");
		return TY_STRING;
	}
	want(se, n->lhs, TY_LONG, arena_printf("left side of '%s'", n->op));
	want(se, n->rhs, TY_LONG, arena_printf("right side of '%s'", n->op));
	return TY_LONG;
}

/* The array named by n->name (N_IN, N_FOREACH, delete). */
static struct symbol *array_of(struct sema *se, struct scope *sc,
			       struct node *n)
{
	struct symbol *sym = find_global(se, n->name, n->tok);

	if (!sym) {
		if (find(*sc->locals, n->name) ||
		    (sc->fn && find(sc->fn->params, n->name)))
			sema_error(se, &n->tok->pos, "'%s' is not an array "
				   "(arrays must be declared global)", n->name);
		else
			sema_error(se, &n->tok->pos, "unknown array '%s'",
				   n->name);
		private_note(se, n->name, n->tok);
		return NULL;
	}
	if (!sym->shape_known) {
		sym->is_array = true;
		sym->shape_known = true;
	}
	if (!sym->is_array) {
		sema_error(se, &n->tok->pos, "'%s' is a scalar, not an array",
			   n->name);
		return NULL;
	}
	sc->uses_globals = true;
	return sym;
}

/* Check the keys of an array use against the array's key types. */
static void keys(struct sema *se, struct scope *sc, struct node *use,
		 struct symbol *sym, struct node *args)
{
	int n = 0;
	bool in_lhs = se->in_lhs;

	se->in_lhs = false;	/* keys are read even in a[k] = v */

	for (struct node *a = args; a; a = a->next) {
		enum type ty = expr(se, sc, a);

		if (n < 9) {
			if (sym->keyty[n] == TY_UNKNOWN && ty != TY_UNKNOWN &&
			    ty != TY_STATS) {
				sym->keyty[n] = ty;
				se->changed = true;
			}
			learn(se, a, sym->keyty[n]);
		}
		if (se->report && n < 9 && a->ty != sym->keyty[n]) {
			if (a->ty == TY_UNKNOWN || sym->keyty[n] == TY_UNKNOWN)
				sema_error(se, &a->tok->pos, "cannot infer the "
					   "type of key %d of '%s'", n + 1,
					   sym->name);
			else
				sema_error(se, &a->tok->pos, "key %d of '%s' "
					   "is a %s here but a %s elsewhere",
					   n + 1, sym->name,
					   type_name(a->ty),
					   type_name(sym->keyty[n]));
		}
		n++;
	}
	if (n > 9) {
		sema_error(se, &use->tok->pos, "an array has at most 9 keys, "
			   "not %d", n);
		return;
	}
	se->in_lhs = in_lhs;
	if (!sym->nkeys) {
		sym->nkeys = n;
	} else if (sym->nkeys != n && se->report) {
		sema_error(se, &use->tok->pos, "'%s' is used with %d key%s "
			   "here but %d elsewhere", sym->name, n,
			   n == 1 ? "" : "s", sym->nkeys);
	}
}

/* @count(s) ... @hist_log(s): s is a stats scalar or array element. */
static enum type stat_op(struct sema *se, struct scope *sc, struct node *n)
{
	struct node *agg = n->lhs;

	expr(se, sc, agg);
	for (struct node *a = n->args; a; a = a->next)
		expr(se, sc, a);
	if ((agg->kind != N_VAR && agg->kind != N_INDEX) || !agg->sym ||
	    !agg->sym->global) {
		sema_error(se, &agg->tok->pos, "%s needs a global aggregate "
			   "(a variable used with '<<<')", n->name);
		return TY_UNKNOWN;
	}
	want(se, agg, TY_STATS, arena_printf("argument of %s", n->name));
	struct symbol *sym = agg->sym;
	bool linear = !strcmp(n->name, "@hist_linear");
	bool log = !strcmp(n->name, "@hist_log");
	int nargs = 0;

	for (struct node *a = n->args; a; a = a->next)
		nargs++;
	if (!linear && nargs) {
		sema_error(se, &n->tok->pos, "%s takes one aggregate",
			   n->name);
		return TY_LONG;
	}
	if (linear || log) {
		int64_t v[3] = { 0 };
		int i = 0;

		if (!se->hist_ok) {
			sema_error(se, &n->tok->pos, "a histogram can only be "
				   "printed, as in print(%s(...))", n->name);
			return TY_UNKNOWN;
		}
		if (linear && nargs != 3) {
			sema_error(se, &n->tok->pos, "@hist_linear takes an "
				   "aggregate, a low bound, a high bound and a "
				   "step");
			return TY_LONG;
		}
		for (struct node *a = n->args; a; a = a->next, i++) {
			if (a->kind != N_NUM) {
				sema_error(se, &a->tok->pos, "histogram "
					   "bounds must be number literals");
				return TY_LONG;
			}
			v[i] = a->num;
		}
		if (linear && (v[2] <= 0 || v[1] <= v[0])) {
			sema_error(se, &n->tok->pos, "@hist_linear needs low < "
				   "high and a positive step");
			return TY_LONG;
		}
		if (linear && (v[1] - v[0]) / v[2] > 1000) {
			sema_error(se, &n->tok->pos, "@hist_linear with more "
				   "than 1000 buckets");
			return TY_LONG;
		}
		int kind = linear ? 1 : 2;

		if (!sym->hist) {
			sym->hist = kind;
			sym->hist_lo = v[0];
			sym->hist_hi = v[1];
			sym->hist_step = v[2];
			sym->hist_tok = n->tok;
		} else if (sym->hist != kind || sym->hist_lo != v[0] ||
			   sym->hist_hi != v[1] || sym->hist_step != v[2]) {
			sema_error(se, &n->tok->pos, "'%s' already has another "
				   "histogram", sym->name);
			diag_note(&sym->hist_tok->pos, "the first one is here");
		}
		return TY_UNKNOWN;	/* only print() takes a histogram */
	}
	return TY_LONG;
}

/* The script location of n as a C string literal, for run-time errors. */
static const char *c_loc(const struct node *n)
{
	struct strbuf sb = { 0 };
	const struct srcpos *p = &n->tok->pos;

	sb_putc(&sb, '"');
	for (const char *f = p->file->name; *f; f++) {
		if (*f == '"' || *f == '\\' || *f == '?')
			sb_putc(&sb, '\\');
		sb_putc(&sb, *f);
	}
	sb_printf(&sb, ":%d:%d\"", p->line, p->col);
	return sb.buf;
}

/* Give n a slot of the values a .return probe saves at entry. */
static bool save_at_entry(struct sema *se, struct scope *sc, struct node *n)
{
	struct probe *pr = sc->probe;

	if (n->entry_slot)
		return true;
	if (pr->nentry == 32) {
		sema_error(se, &n->tok->pos, "more than 32 values saved at "
			   "entry in one .return probe");
		return false;
	}
	pr->entry[pr->nentry++] = n;
	n->entry_slot = pr->nentry;
	return true;
}

/*
 * $value, the one target variable of a procfs probe: a read probe sets
 * it to what the reader gets (it cannot read it), a write probe reads
 * what was written (it cannot set it), as in SystemTap.
 */
static enum type procfs_target(struct sema *se, struct scope *sc,
			       struct node *n)
{
	bool read = sc->rp->kind == RP_PROCFS_READ;

	n->ty = TY_STRING;
	if (strcmp(n->name, "$value") || n->args || n->lhs)
		sema_error(se, &n->tok->pos, "procfs probes have only the "
			   "target variable $value, not '%s'", n->name);
	else if (n->write && !read)
		sema_error(se, &n->tok->pos, "procfs $value is read-only in "
			   "a procfs write probe");
	else if (!n->write && read)
		sema_error(se, &n->tok->pos, "procfs $value cannot be read "
			   "in a procfs read probe (assign it the file's "
			   "contents)");
	else if (n->write)
		n->str = arena_printf("stp_procfs_%s(c, stp_sv, %s)",
				      se->in_append ? "append" : "set",
				      c_loc(n));
	else
		n->str = "stp_procfs_value(c, stp_buf)";
	if (n->str)
		return TY_STRING;
	n->str = "\"\"";	/* reported once */
	return TY_UNKNOWN;
}

/* Can the target expression be read here? (@defined) */
static bool target_ok(struct sema *se, struct scope *sc, struct node *n)
{
	const char *err = NULL;

	if (n->str)
		return true;
	if (!sc->probe || !strcmp(n->name, "@entry"))
		return false;
	if (is_procfs(sc->rp))
		return !strcmp(n->name, "$value") && !n->args && !n->lhs;
	if (sc->rp && (sc->rp->kind == RP_UPROBE ||
		       sc->rp->kind == RP_URETPROBE))
		return sc->rp->kind == RP_URETPROBE && !n->args &&
		       !strcmp(n->name, "$return");
	if (sc->rp && (sc->rp->tp || sc->rp->btf_fn))
		return tracepoint_target(sc->rp->tp ? sc->rp->tp :
					 sc->rp->btf_fn, n, c_loc(n), &err) !=
		       TY_UNKNOWN;
	return dwarf_target(dwarf_of(se), sc->rp ? sc->rp->dw : NULL, n,
			    c_loc(n), &err) != TY_UNKNOWN;
}

/*
 * "@defined(A) ? A : B", "if (@defined(A)) ... else ...": the condition
 * is known now, so n (a ?: or an if whose condition sema has just
 * seen) becomes the branch it picks, in place; the other branch may
 * name a target variable that does not exist at this probe point, as
 * SystemTap allows (@choose_defined is this). Each probe point has its
 * own copy of the body, so the answer is this point's.
 */
static bool keep_defined_branch(struct node *n, struct node *then,
				struct node *els)
{
	struct node *next = n->next, *pick;

	if (n->cond->kind != N_DEFINED)
		return false;
	pick = n->cond->num ? then : els;
	if (pick) {
		*n = *pick;
	} else {
		struct token *tok = n->tok;

		*n = (struct node){ .kind = N_EMPTY, .tok = tok, .tmp = -1 };
	}
	n->next = next;
	return true;
}

/*
 * A target expression in a process(...) probe: only $return of a
 * .return probe (the return register); the rest needs the program's
 * DWARF, which we do not read.
 */
static enum type uprobe_target(struct sema *se, struct scope *sc,
			       struct node *n)
{
	if (!strcmp(n->name, "$return") && !n->args && !n->write &&
	    sc->rp->kind == RP_URETPROBE) {
		n->str = "(u64)regs_return_value(c->regs)";
		n->ty = TY_LONG;
		return TY_LONG;
	}
	if (!strcmp(n->name, "$return") && sc->rp->kind == RP_UPROBE)
		sema_error(se, &n->tok->pos, "$return is only available in "
			   ".return probes, not in %s", sc->rp->pp);
	else
		sema_error(se, &n->tok->pos, "'%s' needs the program's DWARF "
		   "debuginfo, which process(...) probes do not read (they "
		   "have only $return, in .return probes)", n->name);
	n->str = "0";	/* reported once */
	return TY_UNKNOWN;
}

/*
 * $var, $var->f[i], $$parms, @cast, @var: typed and turned into a C
 * template (n->str) by dwarf.c at the probe's place; operands (the
 * @cast pointer, [index] expressions) are script longs.
 */
static enum type target(struct sema *se, struct scope *sc, struct node *n)
{
	const char *err = NULL;
	enum type ty;
	bool in_lhs = se->in_lhs;

	se->in_lhs = false;	/* pointers and indexes are read */
	if (n->lhs && strcmp(n->name, "@entry")) {
		expr(se, sc, n->lhs);
		want(se, n->lhs, TY_LONG, "pointer given to @cast");
	}
	for (struct node *f = n->args; f; f = f->next) {
		if (f->lhs) {
			expr(se, sc, f->lhs);
			want(se, f->lhs, TY_LONG, "array index");
		}
	}
	se->in_lhs = in_lhs;
	if (n->str)
		return n->ty;	/* translated in an earlier pass */
	if (sc->probe && sc->rp && (sc->rp->kind == RP_UPROBE ||
				    sc->rp->kind == RP_URETPROBE))
		return uprobe_target(se, sc, n);
	if (sc->probe && is_procfs(sc->rp))
		return procfs_target(se, sc, n);
	bool ret = sc->rp && sc->rp->kind == RP_KRETPROBE;

	if (!strcmp(n->name, "@entry")) {
		/* @entry(X): X is evaluated when the function is entered */
		if (!ret) {
			sema_error(se, &n->tok->pos, "@entry is only "
				   "meaningful in .return probes");
			return TY_UNKNOWN;
		}
		bool in_entry = se->in_entry;

		se->in_entry = true;
		enum type ety = expr(se, sc, n->lhs);

		se->in_entry = in_entry;
		if (ety != TY_LONG && ety != TY_STRING)
			return TY_UNKNOWN;
		if (!save_at_entry(se, sc, n))
			return TY_UNKNOWN;
		return ety;
	}
	/* a $variable in a .return probe is the value it had at entry */
	size_t base_len;

	ast_dollar_suffix(n->name, &base_len);
	bool is_return = (base_len == 7 && !strncmp(n->name, "$return", 7)) ||
			 (base_len == 8 && !strncmp(n->name, "$$return", 8));
	bool implicit = ret && !se->in_entry && n->name[0] == '$' &&
			!is_return && !n->write;

	if (ret && (se->in_entry || implicit))
		n->at_entry = true;
	if (!sc->probe) {
		sema_error(se, &n->tok->pos, "target variable '%s' used in "
			   "function '%s'; target variables can only be used "
			   "in probe bodies", n->name, sc->fn->name);
		n->str = "0";	/* reported once */
		return TY_UNKNOWN;
	}
	if (sc->rp && (sc->rp->tp || sc->rp->btf_fn))
		ty = tracepoint_target(sc->rp->tp ? sc->rp->tp :
				       sc->rp->btf_fn, n, c_loc(n), &err);
	else
		ty = dwarf_target(dwarf_of(se), sc->rp ? sc->rp->dw : NULL,
				  n, c_loc(n), &err);
	if (ty == TY_UNKNOWN)
		sema_error(se, &n->tok->pos, "%s", err);
	else if (implicit && (ty == TY_LONG || ty == TY_STRING)) {
		n->ty = ty;
		save_at_entry(se, sc, n);
	}
	return ty;
}

static enum type expr(struct sema *se, struct scope *sc, struct node *n)
{
	enum type ty = TY_UNKNOWN;

	switch (n->kind) {
	case N_NUM:
		ty = TY_LONG;
		break;
	case N_STR:
		ty = TY_STRING;
		break;
	case N_EMBEDDED:	/* a long unless it says otherwise */
		ty = strstr(n->str, "/* string */") ? TY_STRING : TY_LONG;
		break;
	case N_VAR:
		if (!n->sym) {
			n->sym = bind(se, sc, n);
			if (n->sym)
				n->sym->refs++;
		}
		if (n->sym && !se->in_lhs)
			n->sym->read = true;
		ty = n->sym ? n->sym->ty : TY_UNKNOWN;
		break;
	case N_INDEX:
		if (!n->sym) {
			n->sym = bind(se, sc, n);
			if (n->sym)
				n->sym->refs++;
		}
		if (n->sym && !se->in_lhs)
			n->sym->read = true;
		if (n->sym)
			keys(se, sc, n, n->sym, n->args);
		ty = n->sym ? n->sym->ty : TY_UNKNOWN;
		break;
	case N_IN: {
		if (!n->sym)
			n->sym = array_of(se, sc, n);
		if (n->sym)
			keys(se, sc, n, n->sym, n->args);
		ty = TY_LONG;
		break;
	}
	case N_STAT:
		ty = stat_op(se, sc, n);
		break;
	case N_DEFINED:
		n->num = n->lhs->kind != N_TARGET || target_ok(se, sc, n->lhs);
		ty = TY_LONG;
		break;
	case N_TARGET:
		ty = target(se, sc, n);
		break;
	case N_CALL:
		ty = call(se, sc, n);
		break;
	case N_UNARY:
		expr(se, sc, n->lhs);
		want(se, n->lhs, TY_LONG, arena_printf("operand of '%s'",
						       n->op));
		ty = TY_LONG;
		break;
	case N_BINARY:
		ty = binary(se, sc, n);
		break;
	case N_ASSIGN:
		ty = assign(se, sc, n);
		break;
	case N_INCDEC:
		expr(se, sc, n->lhs);
		check_lvalue(se, n->lhs, n->op);
		want(se, n->lhs, TY_LONG, arena_printf("operand of '%s'",
						       n->op));
		if (n->lhs->sym)
			n->lhs->sym->written = true;
		ty = TY_LONG;
		break;
	case N_TERNARY: {
		expr(se, sc, n->cond);
		if (keep_defined_branch(n, n->then, n->els)) {
			ty = expr(se, sc, n);
			break;
		}
		want(se, n->cond, TY_LONG, "condition");
		enum type a = expr(se, sc, n->then), b = expr(se, sc, n->els);

		if (a == TY_UNKNOWN)
			learn(se, n->then, b);
		if (b == TY_UNKNOWN)
			learn(se, n->els, a);
		if (se->report && n->then->ty != n->els->ty &&
		    n->then->ty && n->els->ty)
			sema_error(se, &n->tok->pos, "the branches of '?:' "
				   "are a %s and a %s", type_name(n->then->ty),
				   type_name(n->els->ty));
		ty = n->then->ty ? n->then->ty : n->els->ty;
		break;
	}
	case N_AGG: {
		/*
		 * s <<< v on a scalar aggregate adds to the running CPU's
		 * copy (runtime's stp_pstat): it needs no global lock.
		 */
		bool had = sc->uses_globals;

		expr(se, sc, n->lhs);
		if (n->lhs->kind == N_VAR && n->lhs->sym &&
		    n->lhs->sym->global && !n->lhs->sym->is_array)
			sc->uses_globals = had;
		expr(se, sc, n->rhs);
		if (n->lhs->kind != N_VAR && n->lhs->kind != N_INDEX) {
			sema_error(se, &n->lhs->tok->pos, "'<<<' needs a global "
				   "aggregate on its left");
			return TY_UNKNOWN;
		}
		if (n->lhs->sym && !n->lhs->sym->global) {
			sema_error(se, &n->lhs->tok->pos, "aggregate '%s' must "
				   "be a global", n->lhs->name);
			return TY_UNKNOWN;
		}
		want(se, n->lhs, TY_STATS, "left side of '<<<'");
		want(se, n->rhs, TY_LONG, "value added with '<<<'");
		if (n->lhs->sym)
			n->lhs->sym->written = true;
		ty = TY_LONG;
		break;
	}
	default:
		ICE("expression kind %d", n->kind);
	}
	if (n->ty == TY_UNKNOWN && ty != TY_UNKNOWN) {
		n->ty = ty;
		se->changed = true;
	}
	return n->ty;
}

static void stmt(struct sema *se, struct scope *sc, struct node *n)
{
	switch (n->kind) {
	case N_BLOCK:
		for (struct node *s = n->body; s; s = s->next)
			stmt(se, sc, s);
		break;
	case N_EXPR:
		expr(se, sc, n->lhs);
		break;
	case N_IF:
		expr(se, sc, n->cond);
		if (keep_defined_branch(n, n->then, n->els)) {
			stmt(se, sc, n);
			break;
		}
		want(se, n->cond, TY_LONG, "condition");
		stmt(se, sc, n->then);
		if (n->els)
			stmt(se, sc, n->els);
		break;
	case N_WHILE:
	case N_FOR:
		if (n->init)
			expr(se, sc, n->init);
		if (n->cond) {
			expr(se, sc, n->cond);
			want(se, n->cond, TY_LONG, "condition");
		}
		if (n->inc)
			expr(se, sc, n->inc);
		sc->loop_depth++;
		stmt(se, sc, n->body);
		sc->loop_depth--;
		break;
	case N_BREAK:
	case N_CONTINUE:
		if (se->report && !sc->loop_depth)
			sema_error(se, &n->tok->pos, "'%s' outside a loop",
				   n->kind == N_BREAK ? "break" : "continue");
		break;
	case N_NEXT:	/* ends a probe, or runs the next overload */
		break;
	case N_RETURN:
		if (!sc->fn) {
			if (se->report)
				sema_error(se, &n->tok->pos, "'return' outside "
					   "a function (use 'next' to leave a "
					   "probe)");
			break;
		}
		if (n->lhs) {
			enum type ty = expr(se, sc, n->lhs);

			if (sc->fn->ret == TY_UNKNOWN && ty != TY_UNKNOWN) {
				sc->fn->ret = ty;
				se->changed = true;
			}
			want(se, n->lhs, sc->fn->ret ? sc->fn->ret : ty,
			     "return value");
		}
		break;
	case N_DELETE:
		if (n->lhs->kind == N_VAR) {
			struct symbol *g = find_global(se, n->lhs->name,
						       n->lhs->tok);

			if (g && g->is_array) {
				n->lhs->sym = g;	/* delete a whole array */
				sc->uses_globals = true;
				break;
			}
		}
		expr(se, sc, n->lhs);
		check_lvalue(se, n->lhs, "delete");
		break;
	case N_FOREACH: {
		struct symbol *arr = n->sym ? n->sym : array_of(se, sc, n);
		int i = 0;

		if (!arr)
			break;
		n->sym = arr;
		for (int j = 0; j < sc->nforeach; j++) {
			if (sc->foreach[j]->sym != arr || !se->report)
				continue;
			/* one sort order per array: the inner loop would
			 * reorder the outer one */
			sema_error(se, &n->tok->pos, "nested foreach over the "
				   "same array '%s'", arr->name);
			diag_note(&sc->foreach[j]->tok->pos, "the outer loop "
				  "is here");
		}
		for (struct node *k = n->args; k; k = k->next, i++) {
			if (!k->sym)
				k->sym = bind(se, sc, k);
			k->sym->written = true;
			if (k->sym->global && se->report)
				sema_error(se, &k->tok->pos, "foreach key '%s' "
					   "must be a local variable", k->name);
			if (i < 9)
				learn(se, k, arr->keyty[i]);
			if (i < 9 && arr->keyty[i] == TY_UNKNOWN &&
			    k->sym->ty != TY_UNKNOWN) {
				arr->keyty[i] = k->sym->ty;
				se->changed = true;
			}
		}
		if (!arr->nkeys)
			arr->nkeys = i;
		else if (arr->nkeys != i && se->report)
			sema_error(se, &n->tok->pos, "'%s' has %d key%s but "
				   "the foreach names %d", arr->name,
				   arr->nkeys, arr->nkeys == 1 ? "" : "s", i);
		if (n->lhs) {
			if (!n->lhs->sym)
				n->lhs->sym = bind(se, sc, n->lhs);
			n->lhs->sym->written = true;
			if (arr->ty == TY_STATS && se->report)
				sema_error(se, &n->lhs->tok->pos, "the value of "
					   "an aggregate array cannot be copied "
					   "into '%s'; use @count(%s[...]) and "
					   "the like", n->lhs->name, arr->name);
			else
				learn(se, n->lhs, arr->ty);
		}
		if (n->sort_stat && arr->ty != TY_STATS && se->report &&
		    arr->ty != TY_UNKNOWN)
			sema_error(se, &n->tok->pos, "%s sorting needs an "
				   "aggregate array", n->sort_stat);
		if (n->cond) {
			expr(se, sc, n->cond);
			want(se, n->cond, TY_LONG, "limit");
		}
		sc->loop_depth++;
		if (sc->nforeach < 16)
			sc->foreach[sc->nforeach] = n;
		sc->nforeach++;
		stmt(se, sc, n->body);
		sc->nforeach--;
		sc->loop_depth--;
		break;
	}
	case N_TRY:
		stmt(se, sc, n->body);
		if (n->lhs) {
			if (!n->lhs->sym)
				n->lhs->sym = bind(se, sc, n->lhs);
			learn(se, n->lhs, TY_STRING);
			n->lhs->sym->written = true;
			if (se->report && n->lhs->sym->ty != TY_STRING)
				sema_error(se, &n->lhs->tok->pos, "the catch "
					   "variable '%s' is a string",
					   n->lhs->name);
		}
		stmt(se, sc, n->els);
		break;
	case N_EMPTY:
		break;
	default:
		ICE("statement kind %d", n->kind);
	}
}

static void visit_function(struct sema *se, struct function *fn)
{
	if (fn->used)
		return;
	fn->used = true;
	se->prog->nfuncs++;
	if (!fn->body)
		return;	/* embedded C: types come from callers, else long */
	struct scope sc = { .fn = fn, .locals = &fn->locals };

	stmt(se, &sc, fn->body);
	if (sc.uses_globals)
		fn->uses_globals = true;
}

/* Check every used body once. */
static void check_all(struct sema *se)
{
	struct probe *last = NULL;

	for (struct rprobe *rp = se->prog->rprobes; rp; rp = rp->next) {
		struct probe *pr = rp->probe;

		if (pr == last)
			continue;
		last = pr;
		struct scope sc = { .probe = pr, .locals = &pr->locals,
				    .rp = rp };

		if (pr->cond) {
			expr(se, &sc, pr->cond);
			want(se, pr->cond, TY_LONG, "probe condition");
		}
		stmt(se, &sc, pr->body);
		if (sc.uses_globals)
			pr->uses_globals = true;
	}
	for (struct function *fn = se->s->funcs; fn; fn = fn->next) {
		if (!fn->used || !fn->body)
			continue;
		struct scope sc = { .fn = fn, .locals = &fn->locals };

		stmt(se, &sc, fn->body);
		if (sc.uses_globals && !fn->uses_globals) {
			fn->uses_globals = true;
			se->changed = true;
		}
	}
	agree_overloads(se);
}

static bool in_library(const struct token *tok)
{
	return tok && tok->pos.file && tok->pos.file->library;
}

/* Locals assigned but never read, or read but never assigned. */
static void warn_locals(struct symbol *l)
{
	/* the list is newest first: recurse to warn in source order */
	if (!l)
		return;
	warn_locals(l->next);
	{
		if (in_library(l->tok))
			return;
		if (l->written && !l->read)
			diag_warn(&l->tok->pos, "local '%s' is assigned but "
				  "never read", l->name);
		else if (l->read && !l->written)
			diag_warn(&l->tok->pos, "local '%s' is never assigned "
				  "(it is always %s)", l->name,
				  l->ty == TY_STRING ? "\"\"" : "0");
	}
}

/*
 * A script's overload after one without 'next' never runs: likely a
 * function defined twice by mistake, now that that is no error.
 */
static void warn_unreached(struct sema *se)
{
	for (struct function *fn = se->s->funcs; fn; fn = fn->next) {
		if (!fn->used || fn->can_next)
			continue;
		for (struct function *f = fn->ovl_next; f; f = f->ovl_next) {
			if (in_library(f->tok))
				continue;
			/* one message: -w and repeats drop it whole */
			diag_warn(&f->tok->pos, "this overload of '%s' is "
				  "never reached: the one at %s:%d:%d runs "
				  "first and has no 'next'", f->name,
				  fn->tok->pos.file->name, fn->tok->pos.line,
				  fn->tok->pos.col);
		}
	}
}

static void final_checks(struct sema *se)
{
	struct probe *last = NULL;

	if (se->errors)
		return;	/* warnings would only bury the errors */

	for (struct rprobe *rp = se->prog->rprobes; rp; rp = rp->next) {
		if (rp->probe != last)
			warn_locals(rp->probe->locals);
		last = rp->probe;
	}
	for (struct function *fn = se->s->funcs; fn; fn = fn->next)
		if (fn->used)
			warn_locals(fn->locals);
	warn_unreached(se);
	for (struct symbol *g = se->s->globals; g; g = g->next) {
		if (g->refs)
			continue;
		g->unused = true;	/* a tapset's too, silently */
		if (!in_library(g->tok))
			diag_warn(&g->tok->pos, se->ss->unoptimized ?
				  "global '%s' is never used" :
				  "global '%s' is never used (elided)", g->name);
	}
	for (struct function *fn = se->s->funcs; fn; fn = fn->next) {
		if (!fn->used)
			continue;
		if (fn->ret == TY_UNKNOWN) {
			/* a function that returns nothing is a long, 0 */
			fn->ret = TY_LONG;
		}
		for (struct symbol *p = fn->params; p; p = p->next)
			if (p->ty == TY_UNKNOWN && !fn->body)
				p->ty = TY_LONG;
			else if (p->ty == TY_UNKNOWN)
				sema_error(se, &p->tok->pos, "cannot infer the "
					   "type of parameter '%s' of '%s'",
					   p->name, fn->name);
	}
	for (struct symbol *g = se->s->globals; g; g = g->next) {
		se->prog->nglobals++;
		if (g->ty == TY_UNKNOWN) {
			/* unused global: long, as SystemTap does */
			g->ty = TY_LONG;
		}
	}
}

int sema_check(const struct session *ss, struct script *s,
	       struct program *prog)
{
	struct sema se = { .ss = ss, .s = s, .prog = prog };

	prog->script = s;
	se.tail = &prog->rprobes;
	group_overloads(&se);
	resolve_probes(&se);
	if (se.errors)
		goto out;
	/* -L lists every alias variable; -u keeps them all */
	if (!ss->listing && !ss->unoptimized)
		elide_alias_vars(&se);
	split_target_probes(&se);
	prog->dw = se.dw;
	if (!prog->nrprobes) {
		diag_error(NULL, "no probes found");
		return -1;
	}
	/* infer to a fixed point, then report */
	for (int i = 0; i < 50; i++) {
		se.changed = false;
		check_all(&se);
		if (se.errors || !se.changed)
			break;
	}
	if (se.errors)
		goto out;
	se.report = true;
	check_all(&se);
	final_checks(&se);
out:
	if (se.errors > MAX_ERRORS)
		diag_error(NULL, "%d more errors not shown",
			   se.errors - MAX_ERRORS);
	return se.errors ? -1 : 0;
}

static const char *kind_names[] = {
	[RP_BEGIN] = "begin", [RP_END] = "end", [RP_ERROR] = "error",
	[RP_KPROBE] = "kprobe", [RP_KRETPROBE] = "kretprobe",
	[RP_TIMER] = "timer", [RP_PROFILE] = "profile",
	[RP_TRACEPOINT] = "tracepoint", [RP_UPROBE] = "uprobe",
	[RP_URETPROBE] = "uretprobe", [RP_PROC_BEGIN] = "process_begin",
	[RP_PROC_END] = "process_end", [RP_PROCFS_READ] = "procfs_read",
	[RP_PROCFS_WRITE] = "procfs_write", [RP_PERF] = "perf",
};

void sema_print(FILE *out, const struct program *prog)
{
	const struct script *s = prog->script;

	bool any = false;

	for (struct symbol *g = s->globals; g; g = g->next) {
		if (g->unused)
			continue;
		if (!any)
			fprintf(out, "# globals\n");
		any = true;
		fprintf(out, "%s:%s\n", g->name, type_name(g->ty));
	}
	any = false;
	for (struct function *fn = s->funcs; fn; fn = fn->next) {
		if (!fn->used)
			continue;
		if (!any)
			fprintf(out, "# functions\n");
		any = true;
		fprintf(out, "%s:%s (", fn->name, type_name(fn->ret));
		for (struct symbol *p = fn->params; p; p = p->next)
			fprintf(out, "%s%s:%s", p == fn->params ? "" : ", ",
				p->name, type_name(p->ty));
		fprintf(out, ")\n");
	}
	fprintf(out, "# probes\n");
	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		fprintf(out, "%s /* %s", rp->pp, kind_names[rp->kind]);
		if (is_procfs(rp)) {
			fprintf(out, " \"%s\" mode 0%03o", rp->symbol,
				rp->mode);
			if (rp->offset)
				fprintf(out, " maxsize %llu",
					(unsigned long long)rp->offset);
		} else if (rp->kind == RP_PERF) {
			fprintf(out, " type %lld config 0x%llx sample %lld",
				(long long)rp->perf_type,
				(unsigned long long)rp->perf_config,
				(long long)rp->perf_sample);
		} else if (rp->kind == RP_PROC_BEGIN ||
			   rp->kind == RP_PROC_END) {
			if (rp->symbol)	/* the program, no place in it */
				fprintf(out, " %s", rp->symbol);
		} else if (rp->symbol) {
			fprintf(out, " %s+0x%llx", rp->symbol,
				(unsigned long long)rp->offset);
		}
		if (rp->maxactive)
			fprintf(out, " maxactive %lld", (long long)rp->maxactive);
		fprintf(out, " */");
		if (strcmp(rp->pp, rp->from))
			fprintf(out, " /* <- %s */", rp->from);
		fprintf(out, "\n");
	}
}

/* The locals list is newest first: recurse to print in source order. */
static void vars_in_order(struct strbuf *sb, const struct symbol *l)
{
	if (!l)
		return;
	vars_in_order(sb, l->next);
	sb_printf(sb, " %s:%s", l->name, type_name(l->ty));
}

const char *sema_alias_vars(const struct probe *pr)
{
	struct strbuf sb = { 0 };

	if (pr->alias_pp)
		vars_in_order(&sb, pr->locals);
	return sb.buf ? sb.buf : "";
}

static void dump_locals(FILE *out, const char *what, const struct symbol *l)
{
	if (!l)
		return;
	fprintf(out, "%s:", what);
	for (; l; l = l->next)
		fprintf(out, " %s:%s", l->name, type_name(l->ty));
	fputc('\n', out);
}

void sema_dump(FILE *out, const struct program *prog)
{
	const struct probe *last = NULL;

	sema_print(out, prog);
	fprintf(out, "# locals\n");
	for (const struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		if (rp->probe == last)
			continue;
		last = rp->probe;
		dump_locals(out, arena_printf("probe %d (%s)", rp->probe->index,
					      rp->pp), rp->probe->locals);
	}
	for (const struct function *fn = prog->script->funcs; fn; fn = fn->next)
		if (fn->used)
			dump_locals(out, arena_printf("function %s", fn->cname),
				    fn->locals);
}
