/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_stat.h - statistics aggregates (x <<< v) and their histograms.
 *
 * A struct stp_stat keeps what the extractors need: count, sum, min,
 * max, and Welford's running mean and sum of squared deviations for
 * @variance, followed by the histogram's bucket counters. The bucket
 * layout (linear or log, range, step, variance bit-shift) lives in a
 * struct stp_hist that the stat points to: a scalar global gets its own
 * copy from stp_stat_new(), while every entry of a map of aggregates
 * points to the one in its map (stp_map.h embeds a stat per entry).
 *
 * The arithmetic is SystemTap's, done on one aggregate instead of being
 * merged from per-CPU copies (the same as SystemTap with one CPU):
 *   @avg       sum / count, truncated toward zero.
 *   @variance  Welford's update with integer division on values scaled
 *              by 2^shift, then SystemTap's merge step: with the mean
 *              S = (sum << shift) / count it is
 *              (count * (avg_s - S)^2 + (count - 1) * (m2 / (count - 1)))
 *                  / (count - 1) >> (2 * shift),
 *              0 for a single value. For 1..5 this gives 12, as stap(1)
 *              documents.
 * Overflow wraps (the kernel builds with -fno-strict-overflow; here the
 * arithmetic goes through u64 so userspace sanitizers agree).
 *
 * Linear histograms have (hi - lo) / step + 3 buckets: bucket 0 counts
 * values below lo, bucket i (1 <= i <= n-2) values from lo + (i-1)*step,
 * and the last bucket values from lo + (n-2)*step on. Log histograms
 * have 128 buckets: 64 holds 0, 64 + k holds 2^(k-1) .. 2^k - 1 and
 * 64 - k holds the mirrored negative values.
 *
 * stp_stat_print_hist() prints the ASCII histogram with the same layout
 * rules as SystemTap's runtime: a header line, rows trimmed to the used
 * range plus up to two empty buckets on each side (a log histogram does
 * not grow past 0 into the negative side unless it holds negatives),
 * runs of empty buckets more than two away from data replaced by one
 * "~" line, bars of '@' scaled so the largest count fits in 50, and a
 * blank line at the end. Printing an empty aggregate is the run-time
 * error "empty aggregate", like SystemTap's.
 *
 * Nothing here allocates after stp_stat_new(); callers hold the script's
 * global lock.
 */
#ifndef STP_STAT_H
#define STP_STAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "stp_runtime.h"
#else
#include "kshim.h"
#endif

#ifndef STP_MAX_BUCKETS
#define STP_MAX_BUCKETS 128	/* most buckets of a linear histogram */
#endif
#define STP_HIST_WIDTH 50	/* '@' columns of the largest bar */
#define STP_HIST_ELISION 2	/* empty rows kept next to data */
#define STP_LOG_BUCKETS 128	/* buckets of a log histogram */
#define STP_LOG_BUCKET0 64	/* the log bucket that holds 0 */

/* Histogram kinds, the values of struct stp_hist_spec.type. */
enum {
	STP_HIST_NONE = 0,
	STP_HIST_LINEAR = 1,
	STP_HIST_LOG = 2,
};

/* What stp_stat_get() extracts; also the stat sort keys of stp_map_sort(). */
enum {
	STP_STAT_COUNT = 1,
	STP_STAT_SUM,
	STP_STAT_MIN,
	STP_STAT_MAX,
	STP_STAT_AVG,
	STP_STAT_VARIANCE,
};

/* A histogram as the script declares it; the translator fills this in. */
struct stp_hist_spec {
	int type;		/* STP_HIST_NONE, _LINEAR or _LOG */
	int64_t lo, hi, step;	/* @hist_linear(v, lo, hi, step) */
	int shift;		/* @variance(v, shift) bit-shift, 0..62 */
};

/* The checked layout a stat's buckets follow. */
struct stp_hist {
	int type;		/* STP_HIST_NONE, _LINEAR or _LOG */
	int nbuckets;		/* counters after struct stp_stat */
	int shift;		/* variance scaling, 0..62 */
	int64_t lo, step;	/* linear: first bucket value, width */
};

/* One aggregate; nbuckets counters follow it in memory. */
struct stp_stat {
	const struct stp_hist *hist;	/* bucket layout, shift */
	int64_t count;			/* values added */
	int64_t sum;			/* their sum, wrapping */
	int64_t min, max;		/* extremes, valid when count > 0 */
	int64_t avg_s;			/* Welford mean << shift */
	int64_t m2;			/* Welford sum of squares */
	int64_t bucket[];		/* hist->nbuckets counters */
};

/*
 * Check a spec and work out its layout. NULL means no histogram.
 * Returns 0, or -EINVAL for a linear histogram whose step is not
 * positive or whose bucket count is outside 3..STP_MAX_BUCKETS, as
 * SystemTap refuses them, or for a shift outside 0..62.
 */
static __maybe_unused int stp_hist_init(struct stp_hist *h,
					const struct stp_hist_spec *spec)
{
	u64 n;

	memset(h, 0, sizeof(*h));
	if (!spec)
		return 0;
	if (spec->shift < 0 || spec->shift > 62)
		return -EINVAL;
	h->shift = spec->shift;
	switch (spec->type) {
	case STP_HIST_NONE:
		return 0;
	case STP_HIST_LOG:
		h->type = STP_HIST_LOG;
		h->nbuckets = STP_LOG_BUCKETS;
		return 0;
	case STP_HIST_LINEAR:
		if (spec->step <= 0 || spec->hi < spec->lo)
			return -EINVAL;
		/* hi >= lo, so the u64 difference is exact. */
		n = div64_u64((u64)spec->hi - (u64)spec->lo, spec->step) + 3;
		if (n > STP_MAX_BUCKETS)
			return -EINVAL;
		h->type = STP_HIST_LINEAR;
		h->nbuckets = (int)n;
		h->lo = spec->lo;
		h->step = spec->step;
		return 0;
	}
	return -EINVAL;
}

/* Bytes of a stat with its buckets. */
static inline size_t stp_stat_size(const struct stp_hist *h)
{
	return sizeof(struct stp_stat) + h->nbuckets * sizeof(int64_t);
}

/* Empty s, keeping its layout. */
static __maybe_unused void stp_stat_clear(struct stp_stat *s)
{
	const struct stp_hist *h = s->hist;

	memset(s, 0, stp_stat_size(h));
	s->hist = h;
}

/*
 * A scalar aggregate global: one allocation holding the stat, its
 * buckets and, behind them, its own struct stp_hist. NULL when out of
 * memory or when the spec is invalid (see stp_hist_init()).
 */
static __maybe_unused struct stp_stat *
stp_stat_new(const struct stp_hist_spec *spec)
{
	struct stp_hist h;
	struct stp_stat *s;
	size_t size;

	if (stp_hist_init(&h, spec))
		return NULL;
	size = stp_stat_size(&h);
	s = vzalloc(size + sizeof(h));
	if (!s)
		return NULL;
	memcpy((char *)s + size, &h, sizeof(h));
	s->hist = (const struct stp_hist *)((char *)s + size);
	return s;
}

static __maybe_unused void stp_stat_free(struct stp_stat *s)
{
	vfree(s);
}

/* Wrapping arithmetic: int64_t overflow is UB to the compiler. */
static inline int64_t stp_wadd(int64_t a, int64_t b)
{
	return (int64_t)((u64)a + (u64)b);
}

static inline int64_t stp_wsub(int64_t a, int64_t b)
{
	return (int64_t)((u64)a - (u64)b);
}

static inline int64_t stp_wmul(int64_t a, int64_t b)
{
	return (int64_t)((u64)a * (u64)b);
}

static inline int64_t stp_wshl(int64_t a, int n)
{
	return (int64_t)((u64)a << n);
}

/* SystemTap's _stp_div64 without the error: x / 0 is 0. */
static inline int64_t stp_sdiv(int64_t x, int64_t y)
{
	if (y == 0)
		return 0;
	if (y == -1)
		return stp_wsub(0, x);
	return div64_s64(x, y);
}

/* The log bucket of v: 64 for 0, 64 +/- (highest set bit of |v|). */
static inline int stp_log_bucket(int64_t v)
{
	u64 mag = v < 0 ? 0 - (u64)v : (u64)v;
	int bit = fls64(mag);

	return v < 0 ? STP_LOG_BUCKET0 - bit : STP_LOG_BUCKET0 + bit;
}

/* The smallest magnitude in log bucket b: 0, +/-1, +/-2, +/-4, ... */
static inline int64_t stp_log_bucket_value(int b)
{
	if (b == STP_LOG_BUCKET0)
		return 0;
	if (b < STP_LOG_BUCKET0)
		return (int64_t)(0 - (1ULL << (63 - b)));
	return (int64_t)(1ULL << (b - STP_LOG_BUCKET0 - 1));
}

/* The linear bucket of v: 0 below lo, the last one from lo + (n-2)*step. */
static inline int stp_linear_bucket(const struct stp_hist *h, int64_t v)
{
	int64_t d = stp_wsub(v, h->lo);
	u64 i;

	if (d < 0)
		return 0;
	i = div64_u64((u64)d, (u64)h->step) + 1;
	if (i >= (u64)h->nbuckets - 1)
		return h->nbuckets - 1;
	return (int)i;
}

/* s <<< v */
static __maybe_unused void stp_stat_add(struct stp_stat *s, int64_t v)
{
	const struct stp_hist *h = s->hist;
	int64_t vs = stp_wshl(v, h->shift);
	int64_t delta;

	if (s->count == 0) {
		s->count = 1;
		s->sum = s->min = s->max = v;
		s->avg_s = vs;
		s->m2 = 0;
	} else {
		s->count++;
		s->sum = stp_wadd(s->sum, v);
		if (v < s->min)
			s->min = v;
		if (v > s->max)
			s->max = v;
		/* Welford: SystemTap keeps delta in an int; we keep 64 bits. */
		delta = stp_wsub(vs, s->avg_s);
		s->avg_s = stp_wadd(s->avg_s, stp_sdiv(delta, s->count));
		s->m2 = stp_wadd(s->m2,
				 stp_wmul(delta, stp_wsub(vs, s->avg_s)));
	}
	if (h->type == STP_HIST_LOG)
		s->bucket[stp_log_bucket(v)]++;
	else if (h->type == STP_HIST_LINEAR)
		s->bucket[stp_linear_bucket(h, v)]++;
}

/*
 * dst += src: what one aggregate would hold had it seen both streams.
 * The Welford terms combine as in Chan et al.: with d the difference of
 * the means, m2 = m2a + m2b + d^2 * na * nb / n.
 */
static __maybe_unused void stp_stat_merge(struct stp_stat *dst,
					  const struct stp_stat *src)
{
	const struct stp_hist *h = dst->hist;
	int64_t n, d;
	int i;

	if (!src->count)
		return;
	if (!dst->count) {
		memcpy(dst, src, stp_stat_size(h));
		dst->hist = h;
		return;
	}
	n = dst->count + src->count;
	d = stp_wsub(src->avg_s, dst->avg_s);
	dst->m2 = stp_wadd(stp_wadd(dst->m2, src->m2),
			   stp_wmul(stp_sdiv(stp_wmul(stp_wmul(d, d),
							dst->count), n),
				    src->count));
	dst->avg_s = stp_wadd(dst->avg_s,
			      stp_sdiv(stp_wmul(d, src->count), n));
	dst->count = n;
	dst->sum = stp_wadd(dst->sum, src->sum);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < h->nbuckets; i++)
		dst->bucket[i] += src->bucket[i];
}

#ifdef __KERNEL__
/*
 * A scalar aggregate global kept per CPU, as SystemTap does: s <<< v
 * adds to the running CPU's copy, without the globals lock (probe
 * handlers run with preemption off and never nest on one CPU); reading
 * it (@count, a histogram) merges the copies into agg under the lock.
 */
struct stp_pstat {
	struct stp_stat *agg;		/* the merged view, rebuilt on read */
	struct stp_stat *cpu[];		/* one per possible CPU */
};

static __maybe_unused void stp_pstat_free(struct stp_pstat *p)
{
	int i;

	if (!p)
		return;
	for_each_possible_cpu(i)
		stp_stat_free(p->cpu[i]);
	stp_stat_free(p->agg);
	kfree(p);
}

static __maybe_unused struct stp_pstat *
stp_pstat_new(const struct stp_hist_spec *spec)
{
	struct stp_pstat *p;
	int i;

	p = kzalloc(struct_size(p, cpu, nr_cpu_ids), GFP_KERNEL);
	if (!p)
		return NULL;
	p->agg = stp_stat_new(spec);
	if (!p->agg)
		goto err_free;
	for_each_possible_cpu(i) {
		p->cpu[i] = stp_stat_new(spec);
		if (!p->cpu[i])
			goto err_free;
	}
	return p;
err_free:
	stp_pstat_free(p);
	return NULL;
}

static __maybe_unused void stp_pstat_add(struct stp_pstat *p, int64_t v)
{
	stp_stat_add(p->cpu[smp_processor_id()], v);
}

static __maybe_unused void stp_pstat_clear(struct stp_pstat *p)
{
	int i;

	for_each_possible_cpu(i)
		stp_stat_clear(p->cpu[i]);
	stp_stat_clear(p->agg);
}

static __maybe_unused struct stp_stat *stp_pstat_merge(struct stp_pstat *p)
{
	int i;

	stp_stat_clear(p->agg);
	for_each_possible_cpu(i)
		stp_stat_merge(p->agg, p->cpu[i]);
	return p->agg;
}
#endif

/* @variance as SystemTap computes it (see the top of this file). */
static __maybe_unused int64_t stp_stat_variance(const struct stp_stat *s)
{
	int shift = s->hist->shift;
	int64_t n = s->count, mean_s, d, s1, s2, var_s;

	if (n < 2)
		return 0;
	mean_s = stp_sdiv(stp_wshl(s->sum, shift), n);
	d = stp_wsub(s->avg_s, mean_s);
	s1 = stp_wmul(n, stp_wmul(d, d));
	s2 = stp_wmul(n - 1, stp_sdiv(s->m2, n - 1));
	var_s = stp_sdiv(stp_wadd(s1, s2), n - 1);
	return var_s >> (2 * shift < 63 ? 2 * shift : 63);
}

/* One extractor on a non-empty stat, without error checks. */
static __maybe_unused int64_t stp_stat_value(const struct stp_stat *s, int op)
{
	switch (op) {
	case STP_STAT_COUNT:
		return s->count;
	case STP_STAT_SUM:
		return s->sum;
	case STP_STAT_MIN:
		return s->min;
	case STP_STAT_MAX:
		return s->max;
	case STP_STAT_AVG:
		return stp_sdiv(s->sum, s->count);
	case STP_STAT_VARIANCE:
		return stp_stat_variance(s);
	}
	return 0;
}

/*
 * @count(s), @sum(s), @min(s), ...: s may be NULL (a map entry that does
 * not exist), which is the same as empty. @count and @sum of an empty
 * aggregate are 0; the others are the error "empty aggregate" and 0.
 */
static __maybe_unused int64_t stp_stat_get(struct stp_context *c,
					   struct stp_stat *s, int op,
					   const char *loc)
{
	if (!s || s->count == 0) {
		if (op != STP_STAT_COUNT && op != STP_STAT_SUM)
			stp_error(c, loc, "empty aggregate");
		return 0;
	}
	return stp_stat_value(s, op);
}

/* Characters "%lld" takes for v: SystemTap's needed_space(). */
static inline int stp_hist_digits(int64_t v)
{
	u64 mag = v < 0 ? 0 - (u64)v : (u64)v;
	int n = v < 0 ? 1 : 0;

	do {
		n++;
		mag = div64_u64(mag, 10);
	} while (mag);
	return n;
}

/* The value a row of the histogram is labelled with, and its prefix. */
static __maybe_unused int64_t stp_hist_row_value(const struct stp_hist *h,
						 int i, const char **prefix)
{
	*prefix = "";
	if (h->type == STP_HIST_LOG)
		return stp_log_bucket_value(i);
	if (i == 0) {
		*prefix = "<";
		return h->lo;
	}
	if (i == h->nbuckets - 1) {
		*prefix = ">";
		i--;
	}
	return stp_wadd(h->lo, stp_wmul(i - 1, h->step));
}

/* True when no bucket within STP_HIST_ELISION of i (and in lo..hi) counts. */
static __maybe_unused bool stp_hist_elide(const struct stp_stat *s, int i,
					  int lo, int hi)
{
	int k;

	if (i - STP_HIST_ELISION > lo)
		lo = i - STP_HIST_ELISION;
	if (i + STP_HIST_ELISION < hi)
		hi = i + STP_HIST_ELISION;
	for (k = lo; k <= hi; k++)
		if (s->bucket[k])
			return false;
	return true;
}

/*
 * Print @hist_linear(s, ...) or @hist_log(s); loc is where the script
 * prints it, for the "empty aggregate" error. A stat without histogram
 * prints nothing.
 */
static __maybe_unused void stp_stat_print_hist_at(struct stp_context *c,
						  struct stp_stat *s,
						  const char *loc)
{
	static const char bar[] =
		"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
	static const char rule[] =
		"--------------------------------------------------";
	const struct stp_hist *h;
	int i, lo = -1, hi = 0, val_space, cnt_space, under = 0, over = 0;
	int64_t top = 0, scale = 1;
	bool eliding = false;

	if (!s || s->count == 0) {
		stp_error(c, loc, "empty aggregate");
		return;
	}
	h = s->hist;
	if (h->type == STP_HIST_NONE)
		return;

	/* The used range and the largest count. */
	for (i = 0; i < h->nbuckets; i++) {
		if (s->bucket[i] > 0) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
		if (s->bucket[i] > top)
			top = s->bucket[i];
	}
	if (lo < 0)
		return;		/* count > 0 always fills a bucket */

	/* Two empty rows of margin; a log histogram stops at 0 going down. */
	for (i = 0; i < 2; i++) {
		if (lo > 0 &&
		    !(h->type == STP_HIST_LOG && lo == STP_LOG_BUCKET0))
			lo--;
		if (hi < h->nbuckets - 1)
			hi++;
	}
	if (h->type == STP_HIST_LINEAR) {
		/* Out-of-range rows only when they count something. */
		if (lo == 0 && s->bucket[0] == 0)
			lo++;
		if (hi == h->nbuckets - 1 && s->bucket[hi] == 0)
			hi--;
		under = lo == 0;
		over = hi == h->nbuckets - 1;
	}

	if (top > STP_HIST_WIDTH)
		scale = (int64_t)div64_u64(top + STP_HIST_WIDTH - 1,
					   STP_HIST_WIDTH);
	cnt_space = stp_hist_digits(top);

	/*
	 * Width of the value column. For linear histograms SystemTap sizes
	 * it from lo + step * hi (one step past the last row's label).
	 */
	if (h->type == STP_HIST_LINEAR)
		val_space = max(stp_hist_digits(h->lo) + under,
				stp_hist_digits(stp_wadd(h->lo,
						stp_wmul(h->step, hi))) + over);
	else
		val_space = max(stp_hist_digits(stp_log_bucket_value(hi)),
				stp_hist_digits(stp_log_bucket_value(lo)));
	val_space = max(val_space, 5);	/* strlen("value") */

	stp_printf(c, "%*s |%s count\n", val_space, "value", rule);
	for (i = lo; i <= hi; i++) {
		const char *prefix;
		int64_t val;
		int n;

		if (stp_hist_elide(s, i, lo, hi)) {
			eliding = true;
			continue;
		}
		if (eliding) {
			stp_printf(c, "%*s ~\n", val_space, "");
			eliding = false;
		}
		val = stp_hist_row_value(h, i, &prefix);
		n = (int)div64_u64(s->bucket[i], scale);
		stp_printf(c, "%*s%lld |%.*s%*lld\n",
			   val_space - stp_hist_digits(val), prefix,
			   (long long)val, n, bar,
			   STP_HIST_WIDTH - n + 1 + cnt_space,
			   (long long)s->bucket[i]);
	}
	stp_print(c, "\n");
}

/* print(@hist_...(s)) where the error location is not at hand. */
static __maybe_unused void stp_stat_print_hist(struct stp_context *c,
					       struct stp_stat *s)
{
	stp_stat_print_hist_at(c, s, NULL);
}

#endif /* STP_STAT_H */
