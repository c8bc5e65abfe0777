/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_helpers.h - small functions generated code and tapsets call:
 * checked arithmetic, bounded strings, and context queries such as
 * probefunc(), execname(), pid() and returnval().
 *
 * Strings are char arrays of MAXSTRINGLEN bytes; every writer here
 * bounds its output to that and always NUL-terminates. Arithmetic that
 * can fault (division by zero) records an error on the context instead.
 */
#ifndef STP_HELPERS_H
#define STP_HELPERS_H

#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include "stp_probes.h"

/* The script's target() value: staprun passes the -c child's pid here. */
STP_API_VAR long stp_target;
#ifdef STP_RT_BODY
STP_API_DEF long stp_target;
module_param(stp_target, long, 0444);
MODULE_PARM_DESC(stp_target, "pid of the -c command (target())");
#endif

static __maybe_unused
int64_t stp_div(struct stp_context *c, int64_t a, int64_t b, const char *loc)
{
	if (b == 0) {
		stp_error(c, loc, "division by 0");
		return 0;
	}
	if (b == -1)	/* S64_MIN / -1 would trap */
		return (int64_t)(0ULL - (u64)a);
	return a / b;
}

static __maybe_unused
int64_t stp_mod(struct stp_context *c, int64_t a, int64_t b, const char *loc)
{
	if (b == 0) {
		stp_error(c, loc, "division by 0");
		return 0;
	}
	if (b == -1)
		return 0;
	return a % b;
}

/* dst = a . b, cut to MAXSTRINGLEN; dst may be a or b. */
static __maybe_unused char *stp_concat(char *dst, const char *a, const char *b)
{
	size_t la = strnlen(a, MAXSTRINGLEN - 1);
	size_t lb = strnlen(b, MAXSTRINGLEN - 1);

	if (la + lb > MAXSTRINGLEN - 1)
		lb = MAXSTRINGLEN - 1 - la;
	/* b first: it may live in dst, where a is about to go. */
	memmove(dst + la, b, lb);
	if (dst != a)
		memmove(dst, a, la);
	dst[la + lb] = '\0';
	return dst;
}

/* Bounded copy into a MAXSTRINGLEN array. */
static __maybe_unused char *stp_strcpy(char *dst, const char *src)
{
	if (dst != src)
		stp_strscpy(dst, src, MAXSTRINGLEN);
	return dst;
}

/* probefunc(): the script-level function name of the probe. */
static __maybe_unused const char *stp_probefunc(struct stp_context *c)
{
	return c->probe && c->probe->func ? c->probe->func : "";
}

/* pp(): the probe point as written. */
static __maybe_unused const char *stp_pp(struct stp_context *c)
{
	return c->probe && c->probe->pp ? c->probe->pp : "";
}

/* returnval(): the return value in a .return probe. */
static __maybe_unused int64_t stp_retval(struct stp_context *c)
{
	if (!c->is_return || !c->regs) {
		stp_error(c, stp_pp(c), "return value not available here");
		return 0;
	}
	return (int64_t)regs_return_value(c->regs);
}

static __maybe_unused const char *stp_execname(struct stp_context *c)
{
	return current->comm;
}

static __maybe_unused int64_t stp_pid(struct stp_context *c)
{
	return task_tgid_nr(current);
}

static __maybe_unused int64_t stp_tid(struct stp_context *c)
{
	return task_pid_nr(current);
}

static __maybe_unused int64_t stp_ppid(struct stp_context *c)
{
	return task_tgid_nr(READ_ONCE(current->real_parent));
}

static __maybe_unused int64_t stp_uid(struct stp_context *c)
{
	return from_kuid_munged(current_user_ns(), current_uid());
}

static __maybe_unused int64_t stp_cpu(struct stp_context *c)
{
	return raw_smp_processor_id();
}

static __maybe_unused int64_t stp_gettimeofday_ns(struct stp_context *c)
{
	return ktime_get_real_ns();
}

#endif /* STP_HELPERS_H */
