/*
 * map_test.c - unit test for runtime/stp_map.h and runtime/stp_stat.h.
 *
 * The headers build here against testsuite/unit/kshim.h, whose
 * stp_printf() appends to a buffer in the context, so printed
 * histograms are compared byte for byte. Covered: insert, lookup and
 * delete with long, string and mixed three-key maps; string truncation
 * at MAXSTRINGLEN; capacity (exactly `capacity` keys fit, the next is
 * -E2BIG, updates and delete-then-insert still work); foreach order by
 * value and by each key in both directions with ties, insertion order,
 * deleting while iterating; @count/@sum/@min/@max/@avg/@variance
 * against hand-computed values; and the ASCII histograms.
 *
 * Each failed check prints one line; the exit status is 1 if any did.
 *
 * Build: cc -D_GNU_SOURCE -I runtime -I testsuite/unit
 *           testsuite/unit/map_test.c
 */
#include "kshim.h"
#include "stp_map.h"

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("%s:%d: CHECK(%s) failed\n", __FILE__,	\
			       __LINE__, #cond);			\
			failures++;					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long a_ = (a), b_ = (b);				\
		if (a_ != b_) {						\
			printf("%s:%d: %s == %lld, expected %lld\n",	\
			       __FILE__, __LINE__, #a, a_, b_);		\
			failures++;					\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (strcmp(a_, b_)) {					\
			printf("%s:%d: %s is\n\"%s\"\nexpected\n\"%s\"\n", \
			       __FILE__, __LINE__, #a, a_, b_);		\
			failures++;					\
		}							\
	} while (0)

/* The context is big (print buffer): one static, reset per use. */
static struct stp_context ctx;

static struct stp_context *fresh_ctx(void)
{
	stp_ctx_reset(&ctx);
	return &ctx;
}

static void test_long_map(void)
{
	static const int kt[] = { STP_T_LONG };
	struct stp_map *m = stp_map_new(16, 1, kt, STP_T_LONG, NULL);
	union stp_kv k[1];
	int64_t r = 0;

	CHECK(m != NULL);
	if (!m)
		return;
	k[0].n = 7;
	CHECK_EQ(stp_map_get_long(m, k), 0);
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_size(m), 0);
	CHECK_EQ(stp_map_set_long(m, k, 42), 0);
	CHECK_EQ(stp_map_get_long(m, k), 42);
	CHECK(stp_map_exists(m, k));
	k[0].n = -7;
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_add_long(m, k, 5, &r), 0);	/* creates */
	CHECK_EQ(r, 5);
	CHECK_EQ(stp_map_add_long(m, k, -8, &r), 0);
	CHECK_EQ(r, -3);
	CHECK_EQ(stp_map_add_long(m, k, 1, NULL), 0);
	CHECK_EQ(stp_map_get_long(m, k), -2);
	CHECK_EQ(stp_map_size(m), 2);
	/* Wrapping, as in the kernel: no trap, no sanitizer report. */
	k[0].n = 0;
	CHECK_EQ(stp_map_set_long(m, k, S64_MAX), 0);
	CHECK_EQ(stp_map_add_long(m, k, 1, &r), 0);
	CHECK_EQ(r, S64_MIN);
	stp_map_delete(m, k);
	k[0].n = 7;
	stp_map_delete(m, k);
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_get_long(m, k), 0);
	stp_map_delete(m, k);			/* absent: no-op */
	CHECK_EQ(stp_map_size(m), 1);
	k[0].n = -7;
	CHECK_EQ(stp_map_get_long(m, k), -2);
	stp_map_clear(m);
	CHECK_EQ(stp_map_size(m), 0);
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_set_long(m, k, 1), 0);
	CHECK_EQ(stp_map_get_long(m, k), 1);
	stp_map_free(m);
}

static void test_string_map(void)
{
	static const int kt[] = { STP_T_STRING };
	struct stp_map *m = stp_map_new(0, 1, kt, STP_T_STRING, NULL);
	char big[MAXSTRINGLEN + 10], cut[MAXSTRINGLEN];
	union stp_kv k[1];

	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_EQ(stp_map_capacity(m), MAXMAPENTRIES);
	k[0].s = "foo";
	CHECK_STR(stp_map_get_str(m, k), "");
	CHECK_EQ(stp_map_set_str(m, k, "bar"), 0);
	CHECK_STR(stp_map_get_str(m, k), "bar");
	CHECK_EQ(stp_map_set_str(m, k, "bazz"), 0);
	CHECK_STR(stp_map_get_str(m, k), "bazz");
	/* Assigning an entry's own value to itself. */
	CHECK_EQ(stp_map_set_str(m, k, stp_map_get_str(m, k)), 0);
	CHECK_STR(stp_map_get_str(m, k), "bazz");
	k[0].s = "";
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_set_str(m, k, "empty key"), 0);
	k[0].s = NULL;				/* NULL is "" */
	CHECK_STR(stp_map_get_str(m, k), "empty key");
	k[0].s = "fo";
	CHECK(!stp_map_exists(m, k));
	k[0].s = "foo";
	stp_map_delete(m, k);
	CHECK_STR(stp_map_get_str(m, k), "");
	CHECK_EQ(stp_map_size(m), 1);

	/*
	 * Truncation: keys and values keep MAXSTRINGLEN - 1 bytes. The long
	 * key and its cut version are the same key.
	 */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = 'k';
	memcpy(cut, big, MAXSTRINGLEN - 1);
	cut[MAXSTRINGLEN - 1] = '\0';
	k[0].s = big;
	CHECK_EQ(stp_map_set_str(m, k, big), 0);
	CHECK_EQ(strlen(stp_map_get_str(m, k)), MAXSTRINGLEN - 1);
	CHECK_STR(stp_map_get_str(m, k), cut);
	k[0].s = cut;
	CHECK_STR(stp_map_get_str(m, k), cut);
	CHECK_EQ(stp_map_set_str(m, k, "short"), 0);
	CHECK_EQ(stp_map_size(m), 2);
	k[0].s = big;
	CHECK_STR(stp_map_get_str(m, k), "short");
	cut[MAXSTRINGLEN - 2] = 'y';	/* differs in the last byte */
	k[0].s = cut;
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_sort(m, 1, 1, 0), 2);	/* "" < "kxxx..." */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 0), 0), "");
	CHECK_EQ(strlen(stp_map_key_str(stp_map_at(m, 1), 0)),
		 MAXSTRINGLEN - 1);
	CHECK(stp_map_at(m, 2) == NULL);
	CHECK(stp_map_at(m, -1) == NULL);
	stp_map_free(m);
}

static void test_mixed_map(void)
{
	static const int kt[] = { STP_T_LONG, STP_T_STRING, STP_T_LONG };
	struct stp_map *m = stp_map_new(8, 3, kt, STP_T_LONG, NULL);
	union stp_kv k[3];
	struct stp_map_entry *e;

	CHECK(m != NULL);
	if (!m)
		return;
	k[0].n = 1;
	k[1].s = "ab";
	k[2].n = 2;
	CHECK_EQ(stp_map_set_long(m, k, 100), 0);
	k[1].s = "a";				/* ("a", 2) vs ("ab", 2) */
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_set_long(m, k, 200), 0);
	k[2].n = 3;
	CHECK_EQ(stp_map_set_long(m, k, 300), 0);
	k[0].n = 2;
	CHECK_EQ(stp_map_set_long(m, k, 400), 0);
	CHECK_EQ(stp_map_size(m), 4);

	k[0].n = 1;
	k[1].s = "ab";
	k[2].n = 2;
	CHECK_EQ(stp_map_get_long(m, k), 100);
	k[1].s = "a";
	CHECK_EQ(stp_map_get_long(m, k), 200);
	k[2].n = 3;
	CHECK_EQ(stp_map_get_long(m, k), 300);
	k[0].n = 2;
	CHECK_EQ(stp_map_get_long(m, k), 400);
	stp_map_delete(m, k);
	CHECK(!stp_map_exists(m, k));
	k[0].n = 1;
	CHECK_EQ(stp_map_get_long(m, k), 300);

	/* Accessors: keys count from 0. Insertion order. */
	CHECK_EQ(stp_map_sort(m, 0, 0, 0), 3);
	e = stp_map_at(m, 0);
	CHECK_EQ(stp_map_key_long(e, 0), 1);
	CHECK_STR(stp_map_key_str(e, 1), "ab");
	CHECK_EQ(stp_map_key_long(e, 2), 2);
	CHECK_EQ(stp_map_val_long(e), 100);
	e = stp_map_at(m, 2);
	CHECK_STR(stp_map_key_str(e, 1), "a");
	CHECK_EQ(stp_map_key_long(e, 2), 3);
	CHECK_EQ(stp_map_val_long(e), 300);
	stp_map_free(m);
}

static void test_capacity(void)
{
	static const int kt[] = { STP_T_LONG };
	static const int skt[] = { STP_T_STRING, STP_T_STRING };
	struct stp_map *m = stp_map_new(5, 1, kt, STP_T_LONG, NULL);
	union stp_kv k[2];
	char name[32];
	int64_t r = 99;
	int i;

	CHECK(m != NULL);
	if (!m)
		return;
	for (i = 0; i < 5; i++) {
		k[0].n = i * 1000;
		CHECK_EQ(stp_map_set_long(m, k, i), 0);
	}
	CHECK_EQ(stp_map_size(m), 5);
	k[0].n = 5000;
	CHECK_EQ(stp_map_set_long(m, k, 1), -E2BIG);
	CHECK_EQ(stp_map_add_long(m, k, 1, &r), -E2BIG);
	CHECK_EQ(r, 99);
	CHECK(!stp_map_exists(m, k));
	CHECK_EQ(stp_map_size(m), 5);
	k[0].n = 3000;			/* existing keys still update */
	CHECK_EQ(stp_map_set_long(m, k, 33), 0);
	CHECK_EQ(stp_map_add_long(m, k, 1, &r), 0);
	CHECK_EQ(r, 34);
	stp_map_delete(m, k);			/* delete, then insert */
	k[0].n = 5000;
	CHECK_EQ(stp_map_set_long(m, k, 55), 0);
	CHECK_EQ(stp_map_get_long(m, k), 55);
	k[0].n = 6000;
	CHECK_EQ(stp_map_set_long(m, k, 1), -E2BIG);
	/* The new key went to the end of the insertion order. */
	CHECK_EQ(stp_map_sort(m, 0, 0, 0), 5);
	CHECK_EQ(stp_map_key_long(stp_map_at(m, 3), 0), 4000);
	CHECK_EQ(stp_map_key_long(stp_map_at(m, 4), 0), 5000);
	stp_map_clear(m);
	for (i = 0; i < 5; i++) {
		k[0].n = -i;
		CHECK_EQ(stp_map_set_long(m, k, i), 0);
	}
	k[0].n = -5;
	CHECK_EQ(stp_map_set_long(m, k, 1), -E2BIG);
	stp_map_free(m);

	/* The default size with two string keys: exactly MAXMAPENTRIES. */
	m = stp_map_new(0, 2, skt, STP_T_LONG, NULL);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_EQ(m->esize, ALIGN(24 + 8 + 2 * MAXSTRINGLEN, 8));
	k[1].s = "x";
	for (i = 0; i < MAXMAPENTRIES; i++) {
		snprintf(name, sizeof(name), "key%d", i);
		k[0].s = name;
		if (stp_map_add_long(m, k, i, NULL)) {
			CHECK_EQ(i, -1);	/* shows where it failed */
			break;
		}
	}
	CHECK_EQ(stp_map_size(m), MAXMAPENTRIES);
	k[0].s = "one more";
	CHECK_EQ(stp_map_add_long(m, k, 1, NULL), -E2BIG);
	for (i = 0; i < MAXMAPENTRIES; i += 97) {
		snprintf(name, sizeof(name), "key%d", i);
		k[0].s = name;
		CHECK_EQ(stp_map_get_long(m, k), i);
	}
	stp_map_free(m);

	/* Invalid arguments. */
	CHECK(stp_map_new(4, 0, kt, STP_T_LONG, NULL) == NULL);
	CHECK(stp_map_new(4, 1, kt, 7, NULL) == NULL);
	CHECK(stp_map_new(4, 1, (const int[]){ STP_T_STAT }, STP_T_LONG,
			  NULL) == NULL);
}

/* The keys of the foreach order as "k1/k2 k1/k2 ...". */
static const char *order_of(struct stp_map *m, int by, int dir)
{
	static char buf[256];
	size_t len = 0;
	int i, n = stp_map_sort(m, by, dir, 0);

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		struct stp_map_entry *e = stp_map_at(m, i);

		len += snprintf(buf + len, sizeof(buf) - len, "%s%s/%lld",
				i ? " " : "", stp_map_key_str(e, 0),
				(long long)stp_map_key_long(e, 1));
	}
	return buf;
}

static void test_sort(void)
{
	static const int kt[] = { STP_T_STRING, STP_T_LONG };
	struct stp_map *m = stp_map_new(16, 2, kt, STP_T_LONG, NULL);
	static const struct {
		const char *s;
		int64_t n, v;
	} data[] = {
		{ "b", 2, 10 }, { "a", 3, 30 }, { "c", 1, 10 },
		{ "a", 1, 20 }, { "b", 1, 30 }, { "c", -5, 10 },
	};
	union stp_kv k[2];
	size_t i;

	CHECK(m != NULL);
	if (!m)
		return;
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		k[0].s = data[i].s;
		k[1].n = data[i].n;
		CHECK_EQ(stp_map_set_long(m, k, data[i].v), 0);
	}
	CHECK_STR(order_of(m, 0, 0), "b/2 a/3 c/1 a/1 b/1 c/-5");
	/* By value; ties (10 x3, 30 x2) by key 1, then key 2, ascending. */
	CHECK_STR(order_of(m, 0, 1), "b/2 c/-5 c/1 a/1 a/3 b/1");
	CHECK_STR(order_of(m, 0, -1), "a/3 b/1 a/1 b/2 c/-5 c/1");
	/* By key 1; ties by key 2 ascending in both directions. */
	CHECK_STR(order_of(m, 1, 1), "a/1 a/3 b/1 b/2 c/-5 c/1");
	CHECK_STR(order_of(m, 1, -1), "c/-5 c/1 b/1 b/2 a/1 a/3");
	/* By key 2; ties by key 1 ascending. */
	CHECK_STR(order_of(m, 2, 1), "c/-5 a/1 b/1 c/1 b/2 a/3");
	CHECK_STR(order_of(m, 2, -1), "a/3 b/2 a/1 b/1 c/1 c/-5");
	/* Unsorted after a delete and a re-insert: the newcomer is last. */
	k[0].s = "b";
	k[1].n = 2;
	stp_map_delete(m, k);
	CHECK_EQ(stp_map_set_long(m, k, 1), 0);
	CHECK_STR(order_of(m, 0, 0), "a/3 c/1 a/1 b/1 c/-5 b/2");

	/* Deleting the current element while iterating. */
	{
		int n = stp_map_sort(m, 0, 1, 0), seen = 0;
		int64_t sum = 0;

		for (i = 0; i < (size_t)n; i++) {
			struct stp_map_entry *e = stp_map_at(m, i);

			k[0].s = stp_map_key_str(e, 0);
			k[1].n = stp_map_key_long(e, 1);
			sum += stp_map_val_long(e);
			seen++;
			stp_map_delete(m, k);
			/* A deleted slot reused by an insert is harmless. */
			if (i == 0) {
				k[0].s = "new";
				CHECK_EQ(stp_map_set_long(m, k, 5), 0);
			}
		}
		CHECK_EQ(seen, 6);
		CHECK_EQ(sum, 1 + 10 + 10 + 20 + 30 + 30);
		CHECK_EQ(stp_map_size(m), 1);
		CHECK_STR(order_of(m, 0, 0), "new/2");
	}
	stp_map_free(m);

	/* String values sort with strcmp. */
	{
		static const int lk[] = { STP_T_LONG };

		m = stp_map_new(4, 1, lk, STP_T_STRING, NULL);
		if (!m)
			return;
		k[0].n = 1;
		stp_map_set_str(m, k, "pear");
		k[0].n = 2;
		stp_map_set_str(m, k, "apple");
		k[0].n = 3;
		stp_map_set_str(m, k, "pear");
		CHECK_EQ(stp_map_sort(m, 0, -1, 0), 3);
		CHECK_EQ(stp_map_key_long(stp_map_at(m, 0), 0), 1);
		CHECK_EQ(stp_map_key_long(stp_map_at(m, 1), 0), 3);
		CHECK_STR(stp_map_val_str(stp_map_at(m, 2)), "apple");
		stp_map_free(m);
	}
}

/* A stat with the values given, for the tests below. */
static struct stp_stat *stat_of(const struct stp_hist_spec *spec,
				const int64_t *v, size_t n)
{
	struct stp_stat *s = stp_stat_new(spec);
	size_t i;

	if (!s)
		abort();
	for (i = 0; i < n; i++)
		stp_stat_add(s, v[i]);
	return s;
}

static int64_t get(struct stp_stat *s, int op)
{
	return stp_stat_get(fresh_ctx(), s, op, "t.stp:1:1");
}

static void test_stats(void)
{
	static const int64_t one_to_five[] = { 1, 2, 3, 4, 5 };
	static const int64_t mixed[] = { -7, 3, -2, 10 };
	static const int64_t neg[] = { -1, -2, -4 };
	static const struct stp_hist_spec shift1 = { .shift = 1 };
	struct stp_context *c;
	struct stp_stat *s;

	/*
	 * 1..5: stap(1) documents @variance 12 (and 2 with shift 1).
	 * Welford with integer division: avg_s stays 1 (1/2, 2/3, 3/4, 4/5
	 * all truncate to 0), m2 = 1 + 4 + 9 + 16 = 30. Merge step: mean
	 * 15/5 = 3, S1 = 5 * (1 - 3)^2 = 20, S2 = 4 * (30/4) = 28,
	 * (20 + 28) / 4 = 12.
	 */
	s = stat_of(NULL, one_to_five, 5);
	CHECK_EQ(get(s, STP_STAT_COUNT), 5);
	CHECK_EQ(get(s, STP_STAT_SUM), 15);
	CHECK_EQ(get(s, STP_STAT_MIN), 1);
	CHECK_EQ(get(s, STP_STAT_MAX), 5);
	CHECK_EQ(get(s, STP_STAT_AVG), 3);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 12);
	CHECK(ctx.error == NULL);
	stp_stat_free(s);
	s = stat_of(&shift1, one_to_five, 5);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 2);
	CHECK_EQ(get(s, STP_STAT_AVG), 3);
	stp_stat_free(s);

	/*
	 * -7, 3, -2, 10: sum 4, avg 1. Welford: avg_s -7; +3: delta 10,
	 * avg_s -2, m2 10 * 5 = 50; -2: delta 0; +10: delta 12, avg_s
	 * -2 + 3 = 1, m2 50 + 12 * 9 = 158. Mean 4/4 = 1 = avg_s so S1 = 0,
	 * S2 = 3 * (158/3) = 156, variance 156/3 = 52 (exact: 52.67).
	 */
	s = stat_of(NULL, mixed, 4);
	CHECK_EQ(get(s, STP_STAT_COUNT), 4);
	CHECK_EQ(get(s, STP_STAT_SUM), 4);
	CHECK_EQ(get(s, STP_STAT_MIN), -7);
	CHECK_EQ(get(s, STP_STAT_MAX), 10);
	CHECK_EQ(get(s, STP_STAT_AVG), 1);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 52);
	stp_stat_free(s);

	/*
	 * -1, -2, -4: sum -7, avg -7/3 = -2 (toward zero). Welford: avg_s
	 * -1; -2: delta -1, avg_s -1 + (-1/2 = 0) = -1, m2 (-1)(-1) = 1;
	 * -4: delta -3, avg_s -2, m2 1 + (-3)(-2) = 7. Mean -2 = avg_s,
	 * S2 = 2 * (7/2) = 6, variance 6/2 = 3.
	 */
	s = stat_of(NULL, neg, 3);
	CHECK_EQ(get(s, STP_STAT_SUM), -7);
	CHECK_EQ(get(s, STP_STAT_AVG), -2);
	CHECK_EQ(get(s, STP_STAT_MIN), -4);
	CHECK_EQ(get(s, STP_STAT_MAX), -1);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 3);

	/* Clear: empty again. @count and @sum are 0, the others errors. */
	stp_stat_clear(s);
	CHECK_EQ(get(s, STP_STAT_COUNT), 0);
	CHECK(ctx.error == NULL);
	CHECK_EQ(get(s, STP_STAT_SUM), 0);
	CHECK(ctx.error == NULL);
	CHECK_EQ(get(s, STP_STAT_MIN), 0);
	CHECK(ctx.error && !strcmp(ctx.error, "empty aggregate"));
	CHECK(ctx.error_loc && !strcmp(ctx.error_loc, "t.stp:1:1"));
	CHECK_EQ(get(s, STP_STAT_MAX), 0);
	CHECK(ctx.error != NULL);
	CHECK_EQ(get(s, STP_STAT_AVG), 0);
	CHECK(ctx.error != NULL);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 0);
	CHECK(ctx.error != NULL);
	/* NULL (a missing map entry) is empty too. */
	CHECK_EQ(get(NULL, STP_STAT_COUNT), 0);
	CHECK(ctx.error == NULL);
	CHECK_EQ(get(NULL, STP_STAT_AVG), 0);
	CHECK(ctx.error != NULL);
	/* One value: variance 0 (SystemTap divides by count - 1 = 0). */
	stp_stat_add(s, -9);
	CHECK_EQ(get(s, STP_STAT_VARIANCE), 0);
	CHECK_EQ(get(s, STP_STAT_AVG), -9);
	CHECK(ctx.error == NULL);
	stp_stat_free(s);

	/* Printing an empty histogram: SystemTap's error, no text. */
	{
		static const struct stp_hist_spec log = { .type = 2 };

		s = stp_stat_new(&log);
		c = fresh_ctx();
		stp_stat_print_hist_at(c, s, "t.stp:9:2");
		CHECK_STR(c->buf, "");
		CHECK(c->error && !strcmp(c->error, "empty aggregate"));
		CHECK(c->error_loc && !strcmp(c->error_loc, "t.stp:9:2"));
		stp_stat_free(s);
	}

	/* Invalid histograms. */
	{
		static const struct stp_hist_spec bad[] = {
			{ .type = 1, .lo = 0, .hi = 100, .step = 0 },
			{ .type = 1, .lo = 100, .hi = 0, .step = 10 },
			{ .type = 1, .lo = 0, .hi = 1000, .step = 1 },
			{ .type = 3 },
			{ .type = 0, .shift = 63 },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++)
			CHECK(stp_stat_new(&bad[i]) == NULL);
	}
}

/*
 * The layout rules, as read in SystemTap's runtime/stat-common.c:
 *  - header: "value" right-aligned in val_space columns, " |", 50 '-',
 *    " count";
 *  - rows from the first to the last non-empty bucket, widened by up to
 *    two buckets each side (a log histogram does not widen below bucket
 *    "0"); a linear histogram drops the "<lo"/">hi" rows when they are
 *    empty, and val_space counts their extra character when present;
 *  - val_space = max(5, digits of the widest label), where a linear
 *    histogram measures lo + step * (index of the last row) instead of
 *    the last row's label;
 *  - a row is skipped when it and all rows within two of it (inside the
 *    printed range) are empty; the first row printed after skipped ones
 *    is preceded by val_space spaces and " ~";
 *  - a row: prefix and label right-aligned in val_space, " |", count /
 *    scale '@' (scale = ceil(max count / 50), or 1), then the count
 *    right-aligned in 50 - bars + 1 + digits(max count) columns;
 *  - a blank line at the end.
 */
static void test_hist_linear(void)
{
	/*
	 * @hist_linear(x, 0, 200, 10): 200/10 + 3 = 23 buckets, 0 is "<0",
	 * 1..21 are 0, 10, ..., 200 and 22 is ">200" (values >= 210).
	 * Values: -5 -> <0; 0, 3, 7 -> 0 (3); 12, 12 -> 10 (2); 25 -> 20;
	 * 150 -> 150; 200, 205 -> 200 (2); 210, 250 -> >200 (2).
	 * Rows: buckets 0..22, both ends non-empty so "<0" and ">200"
	 * stay. val_space = max(5, 1 + 1 for "<0", digits(0 + 10 * 22) + 1
	 * for ">") = 5. Max count 3: scale 1, counts right-aligned in
	 * 51 - bars columns. Buckets 6..13 (60..130) are empty with no data
	 * within two: one "~" line (5 + 1 spaces) replaces them. ">200" is
	 * labelled lo + (22 - 2) * 10 = 200.
	 */
	static const struct stp_hist_spec spec = {
		.type = 1, .lo = 0, .hi = 200, .step = 10,
	};
	static const int64_t v[] = {
		-5, 0, 3, 7, 12, 12, 25, 150, 200, 205, 210, 250,
	};
	static const char expect[] =
		"value |-------------------------------------------------- count\n"
		"   <0 |@                                                  1\n"
		"    0 |@@@                                                3\n"
		"   10 |@@                                                 2\n"
		"   20 |@                                                  1\n"
		"   30 |                                                   0\n"
		"   40 |                                                   0\n"
		"      ~\n"
		"  130 |                                                   0\n"
		"  140 |                                                   0\n"
		"  150 |@                                                  1\n"
		"  160 |                                                   0\n"
		"  170 |                                                   0\n"
		"  180 |                                                   0\n"
		"  190 |                                                   0\n"
		"  200 |@@                                                 2\n"
		" >200 |@@                                                 2\n"
		"\n";
	/*
	 * @hist_linear(y, 0, 100, 10) with 0 and 0: data in bucket 1 ("0")
	 * only. Widening reaches bucket 0, but "<0" is empty so it goes;
	 * rows 0, 10, 20. val_space = max(5, digits(0 + 10 * 3)) = 5.
	 */
	static const int64_t zeros[] = { 0, 0 };
	static const char expect2[] =
		"value |-------------------------------------------------- count\n"
		"    0 |@@                                                 2\n"
		"   10 |                                                   0\n"
		"   20 |                                                   0\n"
		"\n";
	static const struct stp_hist_spec spec2 = {
		.type = 1, .lo = 0, .hi = 100, .step = 10,
	};
	/*
	 * @hist_linear(z, -20, 20, 10), 5 buckets of 10 plus "<-20" and
	 * ">20" (buckets 0 and 6); value 1000 alone is in bucket 6, so the
	 * rows are ">20" and the two above it (10, 20). val_space =
	 * max(5, digits(-20) + 0, digits(-20 + 10 * 6) + 1) = 5; ">20" is
	 * labelled -20 + (6 - 2) * 10.
	 */
	static const int64_t far[] = { 1000 };
	static const char expect3[] =
		"value |-------------------------------------------------- count\n"
		"   10 |                                                   0\n"
		"   20 |                                                   0\n"
		"  >20 |@                                                  1\n"
		"\n";
	static const struct stp_hist_spec spec3 = {
		.type = 1, .lo = -20, .hi = 20, .step = 10,
	};
	struct stp_context *c;
	struct stp_stat *s;

	s = stat_of(&spec, v, ARRAY_SIZE(v));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect);
	CHECK(c->error == NULL);
	stp_stat_free(s);

	s = stat_of(&spec2, zeros, ARRAY_SIZE(zeros));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect2);
	stp_stat_free(s);

	s = stat_of(&spec3, far, ARRAY_SIZE(far));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect3);
	stp_stat_free(s);
}

static void test_hist_log(void)
{
	/*
	 * @hist_log: bucket 64 is 0, 64 + k holds 2^(k-1)..2^k - 1, 64 - k
	 * the negatives. Values: 0 x2 -> 0; 1 -> 1; -1 -> -1; -3 -> -2
	 * (holds -2, -3); 2 x120 -> 2; 5, 7 -> 4 (2); 100 -> 64;
	 * 100000 -> 65536 (bucket 81).
	 * Range: buckets 62 (-2) .. 81, widened to 60 (-8) .. 83 (262144);
	 * there are negatives, so widening goes below 0.
	 * val_space = max(5, digits(262144), digits(-8)) = 6.
	 * Max count 120 > 50: scale = ceil(120 / 50) = 3, so 120 gets 40
	 * '@' and 1 or 2 get none; counts right-aligned in
	 * 50 - bars + 1 + 3 columns (54 - bars).
	 * Buckets 74..78 (512..8192) have no data within two: one "~" line
	 * (6 + 1 spaces); 72 and 73 stay (71 is near), 79 and 80 too.
	 */
	static const int64_t v[] = { 0, 0, 1, -1, -3, 5, 7, 100, 100000 };
	static const char expect[] =
		" value |-------------------------------------------------- count\n"
		"    -8 |                                                     0\n"
		"    -4 |                                                     0\n"
		"    -2 |                                                     1\n"
		"    -1 |                                                     1\n"
		"     0 |                                                     2\n"
		"     1 |                                                     1\n"
		"     2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           120\n"
		"     4 |                                                     2\n"
		"     8 |                                                     0\n"
		"    16 |                                                     0\n"
		"    32 |                                                     0\n"
		"    64 |                                                     1\n"
		"   128 |                                                     0\n"
		"   256 |                                                     0\n"
		"       ~\n"
		" 16384 |                                                     0\n"
		" 32768 |                                                     0\n"
		" 65536 |                                                     1\n"
		"131072 |                                                     0\n"
		"262144 |                                                     0\n"
		"\n";
	/*
	 * Only positives: 1, 1 -> bucket 65. Widening down stops at 0 (one
	 * row, not two); up it adds 2 and 4. val_space 5, scale 1.
	 */
	static const int64_t ones[] = { 1, 1 };
	static const char expect2[] =
		"value |-------------------------------------------------- count\n"
		"    0 |                                                   0\n"
		"    1 |@@                                                 2\n"
		"    2 |                                                   0\n"
		"    4 |                                                   0\n"
		"\n";
	/*
	 * Extremes: S64_MIN is bucket 0, labelled -9223372036854775808
	 * (20 characters); S64_MAX is bucket 127 (4611686018427387904).
	 * Everything between is empty and far from data: "~" between.
	 */
	static const int64_t ext[] = { S64_MIN, S64_MAX };
	static const char expect3[] =
		"               value |-------------------------------------------------- count\n"
		"-9223372036854775808 |@                                                  1\n"
		"-4611686018427387904 |                                                   0\n"
		"-2305843009213693952 |                                                   0\n"
		"                     ~\n"
		" 1152921504606846976 |                                                   0\n"
		" 2305843009213693952 |                                                   0\n"
		" 4611686018427387904 |@                                                  1\n"
		"\n";
	static const struct stp_hist_spec spec = { .type = 2 };
	struct stp_context *c;
	struct stp_stat *s;
	int i;

	s = stat_of(&spec, v, ARRAY_SIZE(v));
	for (i = 0; i < 120; i++)
		stp_stat_add(s, 2);
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect);
	CHECK(c->error == NULL);
	stp_stat_free(s);

	s = stat_of(&spec, ones, ARRAY_SIZE(ones));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect2);
	stp_stat_free(s);

	s = stat_of(&spec, ext, ARRAY_SIZE(ext));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, expect3);
	stp_stat_free(s);

	/* Without a histogram nothing is printed. */
	s = stat_of(NULL, ones, ARRAY_SIZE(ones));
	c = fresh_ctx();
	stp_stat_print_hist(c, s);
	CHECK_STR(c->buf, "");
	CHECK(c->error == NULL);
	stp_stat_free(s);
}

static void test_stat_map(void)
{
	static const int kt[] = { STP_T_STRING };
	static const struct stp_hist_spec spec = { .type = 2 };
	struct stp_map *m = stp_map_new(4, 1, kt, STP_T_STAT, &spec);
	static const char expect[] =
		"value |-------------------------------------------------- count\n"
		"    1 |                                                   0\n"
		"    2 |                                                   0\n"
		"    4 |@@                                                 2\n"
		"    8 |@                                                  1\n"
		"   16 |                                                   0\n"
		"   32 |                                                   0\n"
		"\n";
	struct stp_context *c;
	union stp_kv k[1];
	int i;

	CHECK(m != NULL);
	if (!m)
		return;
	k[0].s = "a";			/* 4, 5, 9: count 3 sum 18 avg 6 */
	stp_map_add_stat(m, k, 4);
	stp_map_add_stat(m, k, 5);
	stp_map_add_stat(m, k, 9);
	k[0].s = "b";			/* 100: count 1 sum 100 */
	stp_map_add_stat(m, k, 100);
	k[0].s = "c";			/* -3, -3: count 2 sum -6 min -3 */
	stp_map_add_stat(m, k, -3);
	stp_map_add_stat(m, k, -3);
	k[0].s = "d";			/* 1, 2, 3, 4: count 4 avg 2 */
	for (i = 1; i <= 4; i++)
		CHECK_EQ(stp_map_add_stat(m, k, i), 0);
	k[0].s = "e";
	CHECK_EQ(stp_map_add_stat(m, k, 1), -E2BIG);
	CHECK(stp_map_get_stat(m, k) == NULL);

	k[0].s = "a";
	CHECK_EQ(stp_stat_get(fresh_ctx(), stp_map_get_stat(m, k),
			      STP_STAT_AVG, "t"), 6);
	/*
	 * 4, 5, 9 fall in buckets "4" (2) and "8" (1); two rows of margin
	 * each side give 1..32 (the low side stays above the "0" row).
	 */
	c = fresh_ctx();
	stp_stat_print_hist(c, stp_map_get_stat(m, k));
	CHECK_STR(c->buf, expect);

	stp_map_sort(m, 0, 1, STP_STAT_COUNT);	/* b 1, c 2, a 3, d 4 */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 0), 0), "b");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 3), 0), "d");
	stp_map_sort(m, 0, -1, STP_STAT_SUM);	/* b 100 a 18 d 10 c -6 */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 0), 0), "b");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 1), 0), "a");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 2), 0), "d");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 3), 0), "c");
	stp_map_sort(m, 0, 1, STP_STAT_MIN);	/* c -3, d 1, a 4, b 100 */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 0), 0), "c");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 1), 0), "d");
	stp_map_sort(m, 0, -1, STP_STAT_MAX);	/* b 100, a 9, d 4, c -3 */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 1), 0), "a");
	CHECK_STR(stp_map_key_str(stp_map_at(m, 2), 0), "d");
	stp_map_sort(m, 0, 1, STP_STAT_AVG);	/* c -3, d 2, a 6, b 100 */
	CHECK_STR(stp_map_key_str(stp_map_at(m, 1), 0), "d");
	CHECK_EQ(stp_map_val_stat(stp_map_at(m, 1))->count, 4);
	CHECK_EQ(stp_stat_get(fresh_ctx(), stp_map_val_stat(stp_map_at(m, 2)),
			      STP_STAT_SUM, "t"), 18);

	/* A deleted and re-created entry starts empty. */
	k[0].s = "a";
	stp_map_delete(m, k);
	CHECK_EQ(stp_map_add_stat(m, k, 7), 0);
	CHECK_EQ(stp_map_get_stat(m, k)->count, 1);
	CHECK_EQ(stp_map_get_stat(m, k)->bucket[67], 1);
	CHECK_EQ(stp_map_get_stat(m, k)->bucket[68], 0);
	stp_map_free(m);
}

int main(void)
{
	test_long_map();
	test_string_map();
	test_mixed_map();
	test_capacity();
	test_sort();
	test_stats();
	test_hist_linear();
	test_hist_log();
	test_stat_map();
	if (failures)
		printf("%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
