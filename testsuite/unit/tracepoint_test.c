/*
 * tracepoint_test.c - unit test for src/tracepoint.c.
 *
 * For every /usr/lib/debug/boot/vmlinux-* on this machine, load the
 * tracepoints from its BTF and data and check well-known ones: the
 * system names, argument names, types and sizes, glob matching on
 * "SYSTEM:NAME", $name typing and the generated callback. A machine
 * without any -dbg vmlinux skips every check.
 */
/* test: link src/tracepoint.c src/ast.c src/diag.c src/arena.c -lelf */
#define _POSIX_C_SOURCE 200809L

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tracepoint.h"

static int failures;
static struct tp_table tables[8];	/* kept, as the translator does */

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			failures++;					\
		}							\
	} while (0)

static void count(const struct tracepoint *tp, void *arg)
{
	(void)tp;
	(*(int *)arg)++;
}

static void not_sched(const struct tracepoint *tp, void *arg)
{
	if (strcmp(tp->system, "sched"))
		(*(int *)arg)++;
}

static const struct tracepoint *find(const struct tp_table *t,
				     const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->tps[i].name, name))
			return &t->tps[i];
	return NULL;
}

static void check_release(struct tp_table *t, const char *rel)
{
	char err[512];
	const struct tracepoint *tp;
	int n = 0, bad = 0;

	if (tracepoint_load(rel, t, err, sizeof(err))) {
		CHECK(0, "%s: %s", rel, err);
		return;
	}
	CHECK(t->n > 300, "%s: only %zu tracepoints", rel, t->n);

	tp = find(t, "sched_switch");
	CHECK(tp, "%s: no sched_switch", rel);
	if (tp) {
		CHECK(!strcmp(tp->system, "sched"), "system %s", tp->system);
		CHECK(tp->nargs >= 3, "sched_switch has %d args", tp->nargs);
		CHECK(!strcmp(tp->args[0].name, "preempt") &&
		      tp->args[0].size == 1, "arg 0 %s/%d", tp->args[0].name,
		      tp->args[0].size);
		CHECK(!strcmp(tp->args[1].name, "prev") &&
		      !strcmp(tp->args[1].type, "struct task_struct*") &&
		      tp->args[1].size == 8, "arg 1 %s %s", tp->args[1].name,
		      tp->args[1].type);
		CHECK(strstr(tracepoint_list_vars(tp),
			     " $next:struct task_struct*"), "list %s",
		      tracepoint_list_vars(tp));
		CHECK(strstr(tracepoint_callback(tp, "cb"),
			     "static void cb(void *data, unsigned long a0, "
			     "unsigned long a1, unsigned long a2"), "callback");
		CHECK(strstr(tracepoint_callback(tp, "cb"), "(u8)a0"),
		      "bool narrowed: %s", tracepoint_callback(tp, "cb"));

		struct node v = { .kind = N_TARGET, .name = "$next" };
		const char *e = NULL;

		CHECK(tracepoint_target(tp, &v, "\"t.stp:1:1\"", &e) == TY_LONG &&
		      !strcmp(v.str, "(int64_t)stp_tp_arg(c, 2)"), "$next");
		v = (struct node){ .kind = N_TARGET, .name = "$nope" };
		CHECK(tracepoint_target(tp, &v, "\"t.stp:1:1\"", &e) == TY_UNKNOWN && e &&
		      strstr(e, "has no argument 'nope'"), "$nope: %s",
		      e ? e : "");
		v = (struct node){ .kind = N_TARGET, .name = "$$parms" };
		CHECK(tracepoint_target(tp, &v, "\"t.stp:1:1\"", &e) == TY_STRING &&
		      strstr(v.str, "prev=0x%llx"), "$$parms");
	}
	tp = find(t, "sys_enter");
	CHECK(tp && !strcmp(tp->system, "raw_syscalls") && tp->nargs == 2 &&
	      tp->args[1].is_signed && tp->args[1].size == 8,
	      "%s: sys_enter", rel);
	tp = find(t, "signal_generate");
	CHECK(tp && !strcmp(tp->system, "signal") && tp->args[0].size == 4 &&
	      tp->args[0].is_signed, "%s: signal_generate", rel);

	tracepoint_match(t, "sched:sched_*", count, &n);
	CHECK(n > 10, "%s: sched:sched_* matched %d", rel, n);
	tracepoint_match(t, "sched:*", not_sched, &bad);
	CHECK(bad == 0, "%s: sched:* matched %d of other systems", rel, bad);
	n = 0;
	tracepoint_match(t, "sched_switch", count, &n);
	CHECK(n == 1, "%s: sched_switch matched %d", rel, n);
	n = 0;
	tracepoint_match(t, "nosuch:sched_switch", count, &n);
	CHECK(n == 0, "%s: nosuch:sched_switch matched %d", rel, n);
}

int main(void)
{
	glob_t g;
	size_t k = 0;

	if (glob("/usr/lib/debug/boot/vmlinux-*", 0, NULL, &g)) {
		printf("skip: no -dbg vmlinux\n");
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc && k < 8; i++)
		check_release(&tables[k++], strrchr(g.gl_pathv[i], '/') + 9);
	globfree(&g);
	return failures ? 1 : 0;
}
