/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_map.h - the script's associative arrays: global a[k1, k2, ...].
 *
 * A map is one vzalloc() made at module init and never grown: the map
 * header, a hash table of chain heads, an index array used for sorted
 * iteration, and a pool of `capacity` fixed-size entries. Probe
 * handlers only move entries between the free list and the table, so
 * they never allocate or sleep. They call in with the script's global
 * lock held; nothing here locks.
 *
 * Entries are linked by u32 index, not by pointer, to keep them small:
 *   hash chains   heads[hash & hmask] -> hnext -> ... (STP_MAP_NIL ends)
 *   free list     m->free -> hnext -> ...
 *   insertion     m->first -> next -> ... -> m->last, with prev links,
 *                 so a delete is O(1) and "unsorted" foreach follows the
 *                 order in which keys were first added.
 * The keys and the value sit behind the entry header at offsets the map
 * computes once from the key and value types: 8-byte fields (long keys,
 * a long value, or a struct stp_stat with its histogram buckets) come
 * first, then the char[MAXSTRINGLEN] of string keys and a string value.
 * A map without strings therefore costs 24 bytes of header plus 8 per
 * field per entry. Strings are stored cut to MAXSTRINGLEN - 1 bytes, and
 * lookups hash and compare only that many bytes, so a long key finds
 * the entry it created.
 *
 * A full map refuses new keys with -E2BIG (the generated code reports
 * the array overflow); keys that exist can always be updated, and a
 * delete makes room again.
 *
 * foreach: stp_map_sort() fills the index array with every entry, in
 * insertion order or sorted (heapsort, in place, no allocation) by the
 * value or one key, ties broken by the other keys ascending, so the
 * order is total and does not depend on hashing. stp_map_at(m, i) then
 * walks that snapshot. Deleting entries during the walk is memory-safe:
 * the pool stays allocated and the snapshot slots after the current one
 * still point to live entries. A nested foreach over the same map
 * re-sorts the one index array, which the translator has to avoid.
 */
#ifndef STP_MAP_H
#define STP_MAP_H

#include "stp_stat.h"

#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048	/* capacity when the script gives no size */
#endif
#define STP_MAP_MAXKEYS 9	/* most index expressions of an array */
#define STP_MAP_NIL U32_MAX	/* end of a chain or list */

/* Key and value types. */
enum { STP_T_LONG = 1, STP_T_STRING = 2, STP_T_STAT = 3 };

/* One key (or value) handed in by generated code. */
union stp_kv {
	int64_t n;		/* STP_T_LONG */
	const char *s;		/* STP_T_STRING; NULL is "" */
};

/* Header of one entry in the pool; keys and value follow. */
struct stp_map_entry {
	struct stp_map *map;	/* owner, for the field offsets */
	u32 hash;		/* hash of the keys */
	u32 hnext;		/* next in the hash chain, or the free list */
	u32 prev, next;		/* neighbours in insertion order */
	int64_t data[];		/* keys and value, at map offsets */
};

struct stp_map {
	int capacity;			/* entries in the pool */
	int size;			/* entries in use */
	int nkeys;			/* 1..STP_MAP_MAXKEYS */
	int keytype[STP_MAP_MAXKEYS];	/* STP_T_LONG or STP_T_STRING */
	int keyoff[STP_MAP_MAXKEYS];	/* each key's offset in an entry */
	int valtype;			/* STP_T_LONG, _STRING or _STAT */
	int valoff;			/* byte offset of the value */
	size_t esize;			/* bytes per entry, 8-aligned */
	u32 hmask;			/* hash heads - 1 (2^n - 1) */
	u32 free;			/* first free entry */
	u32 first, last;		/* oldest and newest entry in use */
	int nsorted;			/* entries in order[] */
	u32 *heads;			/* hmask + 1 chain heads */
	u32 *order;			/* capacity slots: foreach order */
	char *pool;			/* capacity entries of esize bytes */
	struct stp_hist hist;		/* bucket layout of stat values */
};

static inline struct stp_map_entry *stp_map_entry_at(struct stp_map *m,
						     u32 idx)
{
	return (struct stp_map_entry *)(m->pool + (size_t)idx * m->esize);
}

static inline void *stp_map_field(struct stp_map_entry *e, int off)
{
	return (char *)e + off;
}

/* Put every entry on the free list and empty the table. */
static __maybe_unused void stp_map_clear(struct stp_map *m)
{
	u32 i;

	for (i = 0; i <= m->hmask; i++)
		m->heads[i] = STP_MAP_NIL;
	for (i = 0; i < (u32)m->capacity; i++)
		stp_map_entry_at(m, i)->hnext =
			i + 1 < (u32)m->capacity ? i + 1 : STP_MAP_NIL;
	m->free = 0;
	m->first = m->last = STP_MAP_NIL;
	m->size = 0;
	m->nsorted = 0;
}

/*
 * Create a map for `capacity` entries (MAXMAPENTRIES if <= 0) with nkeys
 * keys of the given types and values of type valtype; hist describes the
 * histogram of STP_T_STAT values (NULL: none). Module init only. NULL
 * when out of memory or when the types or the histogram are invalid.
 */
static __maybe_unused struct stp_map *
stp_map_new(int capacity, int nkeys, const int *keytypes, int valtype,
	    const struct stp_hist_spec *hist)
{
	struct stp_hist h;
	struct stp_map *m;
	size_t off, head, size;
	u32 nheads = 1;
	int i;

	if (capacity <= 0)
		capacity = MAXMAPENTRIES;
	if (capacity > (1 << 28) || nkeys < 1 || nkeys > STP_MAP_MAXKEYS)
		return NULL;
	if (valtype != STP_T_LONG && valtype != STP_T_STRING &&
	    valtype != STP_T_STAT)
		return NULL;
	if (stp_hist_init(&h, valtype == STP_T_STAT ? hist : NULL))
		return NULL;
	for (i = 0; i < nkeys; i++)
		if (keytypes[i] != STP_T_LONG && keytypes[i] != STP_T_STRING)
			return NULL;
	while (nheads < (u32)capacity)
		nheads <<= 1;

	/* The memory: map, heads, order, then the 8-aligned pool. */
	head = ALIGN(sizeof(*m) + (nheads + (size_t)capacity) * sizeof(u32),
		     8);
	off = offsetof(struct stp_map_entry, data);
	for (i = 0; i < nkeys; i++)
		if (keytypes[i] == STP_T_LONG)
			off += sizeof(int64_t);
	if (valtype == STP_T_LONG)
		off += sizeof(int64_t);
	else if (valtype == STP_T_STAT)
		off += stp_stat_size(&h);
	for (i = 0; i < nkeys; i++)
		if (keytypes[i] == STP_T_STRING)
			off += MAXSTRINGLEN;
	if (valtype == STP_T_STRING)
		off += MAXSTRINGLEN;
	off = ALIGN(off, 8);
	if (off > INT_MAX || off > (SIZE_MAX - head) / capacity)
		return NULL;
	size = head + off * capacity;

	m = vzalloc(size);
	if (!m)
		return NULL;
	m->capacity = capacity;
	m->nkeys = nkeys;
	m->valtype = valtype;
	m->esize = off;
	m->hmask = nheads - 1;
	m->heads = (u32 *)(m + 1);
	m->order = m->heads + nheads;
	m->pool = (char *)m + head;
	m->hist = h;

	/* Field offsets, in the order used to size the entry above. */
	off = offsetof(struct stp_map_entry, data);
	for (i = 0; i < nkeys; i++) {
		m->keytype[i] = keytypes[i];
		if (keytypes[i] == STP_T_LONG) {
			m->keyoff[i] = off;
			off += sizeof(int64_t);
		}
	}
	if (valtype == STP_T_LONG) {
		m->valoff = off;
		off += sizeof(int64_t);
	} else if (valtype == STP_T_STAT) {
		m->valoff = off;
		off += stp_stat_size(&h);
	}
	for (i = 0; i < nkeys; i++) {
		if (keytypes[i] == STP_T_STRING) {
			m->keyoff[i] = off;
			off += MAXSTRINGLEN;
		}
	}
	if (valtype == STP_T_STRING)
		m->valoff = off;

	stp_map_clear(m);
	return m;
}

static __maybe_unused void stp_map_free(struct stp_map *m)
{
	vfree(m);
}

static __maybe_unused int stp_map_size(struct stp_map *m)
{
	return m->size;
}

static __maybe_unused int stp_map_capacity(struct stp_map *m)
{
	return m->capacity;
}

/* A 64-bit finalizer (xor-shift-multiply) to spread the key bits. */
static inline u64 stp_map_mix(u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Hash of the keys: each key folded in turn, longs whole, strings by
 * FNV-1a over at most MAXSTRINGLEN - 1 bytes (what gets stored) plus
 * their length, so ("ab", "c") and ("a", "bc") differ.
 */
static __maybe_unused u32 stp_map_hash(const struct stp_map *m,
				       const union stp_kv *k)
{
	u64 h = 0x9e3779b97f4a7c15ULL;
	int i;

	for (i = 0; i < m->nkeys; i++) {
		u64 part;

		if (m->keytype[i] == STP_T_LONG) {
			part = (u64)k[i].n;
		} else {
			const unsigned char *s =
				(const unsigned char *)(k[i].s ? k[i].s : "");
			u64 n;

			part = 0xcbf29ce484222325ULL;
			for (n = 0; n < MAXSTRINGLEN - 1 && s[n]; n++)
				part = (part ^ s[n]) * 0x100000001b3ULL;
			part ^= n;
		}
		h = stp_map_mix(h ^ part) + i;
	}
	return (u32)(h ^ (h >> 32));
}

/* Does e hold exactly the keys k? */
static __maybe_unused bool stp_map_match(struct stp_map *m,
					 struct stp_map_entry *e,
					 const union stp_kv *k)
{
	int i;

	for (i = 0; i < m->nkeys; i++) {
		void *f = stp_map_field(e, m->keyoff[i]);

		if (m->keytype[i] == STP_T_LONG) {
			if (*(int64_t *)f != k[i].n)
				return false;
		} else if (strncmp(f, k[i].s ? k[i].s : "",
				   MAXSTRINGLEN - 1)) {
			return false;
		}
	}
	return true;
}

/* The entry holding k, or NULL. */
static __maybe_unused struct stp_map_entry *
stp_map_find(struct stp_map *m, const union stp_kv *k, u32 hash)
{
	u32 idx = m->heads[hash & m->hmask];

	while (idx != STP_MAP_NIL) {
		struct stp_map_entry *e = stp_map_entry_at(m, idx);

		if (e->hash == hash && stp_map_match(m, e, k))
			return e;
		idx = e->hnext;
	}
	return NULL;
}

static inline struct stp_map_entry *stp_map_lookup(struct stp_map *m,
						   const union stp_kv *k)
{
	return stp_map_find(m, k, stp_map_hash(m, k));
}

/*
 * The entry holding k, created with a zero value if it is new. NULL
 * when k is new and the map is full.
 */
static __maybe_unused struct stp_map_entry *
stp_map_create(struct stp_map *m, const union stp_kv *k)
{
	u32 hash = stp_map_hash(m, k);
	struct stp_map_entry *e = stp_map_find(m, k, hash);
	u32 idx;
	int i;

	if (e)
		return e;
	if (m->free == STP_MAP_NIL)
		return NULL;
	idx = m->free;
	e = stp_map_entry_at(m, idx);
	m->free = e->hnext;

	memset(e, 0, m->esize);
	e->map = m;
	e->hash = hash;
	for (i = 0; i < m->nkeys; i++) {
		void *f = stp_map_field(e, m->keyoff[i]);

		if (m->keytype[i] == STP_T_LONG)
			*(int64_t *)f = k[i].n;
		else
			stp_strscpy(f, k[i].s ? k[i].s : "", MAXSTRINGLEN);
	}
	if (m->valtype == STP_T_STAT)
		((struct stp_stat *)stp_map_field(e, m->valoff))->hist =
			&m->hist;

	e->hnext = m->heads[hash & m->hmask];
	m->heads[hash & m->hmask] = idx;
	e->prev = m->last;
	e->next = STP_MAP_NIL;
	if (m->last == STP_MAP_NIL)
		m->first = idx;
	else
		stp_map_entry_at(m, m->last)->next = idx;
	m->last = idx;
	m->size++;
	return e;
}

/* a[k]: 0 if absent. */
static __maybe_unused int64_t stp_map_get_long(struct stp_map *m,
					       const union stp_kv *k)
{
	struct stp_map_entry *e = stp_map_lookup(m, k);

	return e ? *(int64_t *)stp_map_field(e, m->valoff) : 0;
}

/* a[k]: "" if absent. Valid until the entry is deleted or changed. */
static __maybe_unused const char *stp_map_get_str(struct stp_map *m,
						  const union stp_kv *k)
{
	struct stp_map_entry *e = stp_map_lookup(m, k);

	return e ? (const char *)stp_map_field(e, m->valoff) : "";
}

/* a[k] = v: 0, or -E2BIG when k is new and the map is full. */
static __maybe_unused int stp_map_set_long(struct stp_map *m,
					   const union stp_kv *k, int64_t v)
{
	struct stp_map_entry *e = stp_map_create(m, k);

	if (!e)
		return -E2BIG;
	*(int64_t *)stp_map_field(e, m->valoff) = v;
	return 0;
}

/* a[k] = v, v cut to MAXSTRINGLEN - 1 bytes; 0 or -E2BIG. */
static __maybe_unused int stp_map_set_str(struct stp_map *m,
					  const union stp_kv *k, const char *v)
{
	struct stp_map_entry *e = stp_map_create(m, k);
	char *dst;

	if (!e)
		return -E2BIG;
	dst = stp_map_field(e, m->valoff);
	if (dst != v)
		stp_strscpy(dst, v ? v : "", MAXSTRINGLEN);
	return 0;
}

/* a[k] += delta (++, +=, ...); *result (may be NULL) gets the new value. */
static __maybe_unused int stp_map_add_long(struct stp_map *m,
					   const union stp_kv *k, int64_t delta,
					   int64_t *result)
{
	struct stp_map_entry *e = stp_map_create(m, k);
	int64_t *val;

	if (!e)
		return -E2BIG;
	val = stp_map_field(e, m->valoff);
	*val = stp_wadd(*val, delta);
	if (result)
		*result = *val;
	return 0;
}

/* a[k] <<< v: 0 or -E2BIG. */
static __maybe_unused int stp_map_add_stat(struct stp_map *m,
					   const union stp_kv *k, int64_t v)
{
	struct stp_map_entry *e = stp_map_create(m, k);

	if (!e)
		return -E2BIG;
	stp_stat_add(stp_map_field(e, m->valoff), v);
	return 0;
}

/* The aggregate a[k], or NULL (stp_stat_get() treats NULL as empty). */
static __maybe_unused struct stp_stat *stp_map_get_stat(struct stp_map *m,
							const union stp_kv *k)
{
	struct stp_map_entry *e = stp_map_lookup(m, k);

	return e ? stp_map_field(e, m->valoff) : NULL;
}

/* [k] in a */
static __maybe_unused bool stp_map_exists(struct stp_map *m,
					  const union stp_kv *k)
{
	return stp_map_lookup(m, k) != NULL;
}

/* delete a[k]; nothing if absent. */
static __maybe_unused void stp_map_delete(struct stp_map *m,
					  const union stp_kv *k)
{
	u32 hash = stp_map_hash(m, k);
	u32 *link = &m->heads[hash & m->hmask];
	struct stp_map_entry *e;
	u32 idx;

	for (;;) {
		idx = *link;
		if (idx == STP_MAP_NIL)
			return;
		e = stp_map_entry_at(m, idx);
		if (e->hash == hash && stp_map_match(m, e, k))
			break;
		link = &e->hnext;
	}
	*link = e->hnext;

	if (e->prev == STP_MAP_NIL)
		m->first = e->next;
	else
		stp_map_entry_at(m, e->prev)->next = e->next;
	if (e->next == STP_MAP_NIL)
		m->last = e->prev;
	else
		stp_map_entry_at(m, e->next)->prev = e->prev;

	e->hnext = m->free;
	m->free = idx;
	m->size--;
}

/* Accessors for foreach; key numbers i count from 0. */
static inline int64_t stp_map_key_long(struct stp_map_entry *e, int i)
{
	return *(int64_t *)stp_map_field(e, e->map->keyoff[i]);
}

static inline const char *stp_map_key_str(struct stp_map_entry *e, int i)
{
	return stp_map_field(e, e->map->keyoff[i]);
}

static inline int64_t stp_map_val_long(struct stp_map_entry *e)
{
	return *(int64_t *)stp_map_field(e, e->map->valoff);
}

static inline const char *stp_map_val_str(struct stp_map_entry *e)
{
	return stp_map_field(e, e->map->valoff);
}

static inline struct stp_stat *stp_map_val_stat(struct stp_map_entry *e)
{
	return stp_map_field(e, e->map->valoff);
}

/* -1, 0 or 1 as a < b, a == b, a > b. */
static inline int stp_map_cmp64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static inline int stp_map_cmpstr(const char *a, const char *b)
{
	int r = strcmp(a, b);

	return (r > 0) - (r < 0);
}

/* Compare key i (from 0) of two entries. */
static __maybe_unused int stp_map_cmp_key(struct stp_map *m,
					  struct stp_map_entry *a,
					  struct stp_map_entry *b, int i)
{
	if (m->keytype[i] == STP_T_LONG)
		return stp_map_cmp64(stp_map_key_long(a, i),
				     stp_map_key_long(b, i));
	return stp_map_cmpstr(stp_map_key_str(a, i), stp_map_key_str(b, i));
}

/* How stp_map_sort() orders entries. */
struct stp_map_order {
	int by;			/* 0 value, 1..nkeys that key */
	int dir;		/* +1 ascending, -1 descending */
	int stat_op;		/* STP_STAT_* for stat values */
};

/* <0, 0, >0: the order of entries idx a and b. */
static __maybe_unused int stp_map_cmp(struct stp_map *m, u32 ia, u32 ib,
				      const struct stp_map_order *o)
{
	struct stp_map_entry *a = stp_map_entry_at(m, ia);
	struct stp_map_entry *b = stp_map_entry_at(m, ib);
	int i, r;

	if (o->by > 0)
		r = stp_map_cmp_key(m, a, b, o->by - 1);
	else if (m->valtype == STP_T_LONG)
		r = stp_map_cmp64(stp_map_val_long(a), stp_map_val_long(b));
	else if (m->valtype == STP_T_STRING)
		r = stp_map_cmpstr(stp_map_val_str(a), stp_map_val_str(b));
	else
		r = stp_map_cmp64(stp_stat_value(stp_map_val_stat(a),
						 o->stat_op),
				  stp_stat_value(stp_map_val_stat(b),
						 o->stat_op));
	if (r)
		return o->dir < 0 ? -r : r;
	/* Ties: the other keys, first to last, ascending. */
	for (i = 0; i < m->nkeys; i++) {
		if (i == o->by - 1)
			continue;
		r = stp_map_cmp_key(m, a, b, i);
		if (r)
			return r;
	}
	return 0;
}

/* Heapsort helper: move v[root] down until the heap v[0..n) holds. */
static __maybe_unused void stp_map_sift(struct stp_map *m, u32 *v, int root,
					int n, const struct stp_map_order *o)
{
	for (;;) {
		int child = 2 * root + 1;
		u32 t;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    stp_map_cmp(m, v[child], v[child + 1], o) < 0)
			child++;
		if (stp_map_cmp(m, v[root], v[child], o) >= 0)
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

/*
 * Prepare a foreach: snapshot every entry into the index array, in
 * insertion order (dir 0) or sorted by the value (by 0; stat_op picks
 * the statistic for aggregates) or by key number `by` (1..nkeys),
 * ascending (dir > 0) or descending (dir < 0). Returns the number of
 * entries; stp_map_at() gives them.
 */
static __maybe_unused int stp_map_sort(struct stp_map *m, int by, int dir,
				       int stat_op)
{
	struct stp_map_order o = { .by = by, .dir = dir, .stat_op = stat_op };
	u32 idx, t;
	int i, n = 0;

	for (idx = m->first; idx != STP_MAP_NIL;
	     idx = stp_map_entry_at(m, idx)->next)
		m->order[n++] = idx;
	m->nsorted = n;
	if (dir == 0 || by < 0 || by > m->nkeys || n < 2)
		return n;
	if (m->valtype == STP_T_STAT && by == 0 &&
	    (stat_op < STP_STAT_COUNT || stat_op > STP_STAT_VARIANCE))
		o.stat_op = STP_STAT_COUNT;

	for (i = n / 2 - 1; i >= 0; i--)
		stp_map_sift(m, m->order, i, n, &o);
	for (i = n - 1; i > 0; i--) {
		t = m->order[0];
		m->order[0] = m->order[i];
		m->order[i] = t;
		stp_map_sift(m, m->order, 0, i, &o);
	}
	return n;
}

/* The i-th entry (from 0) of the last stp_map_sort(), or NULL. */
static __maybe_unused struct stp_map_entry *stp_map_at(struct stp_map *m,
						       int i)
{
	if (i < 0 || i >= m->nsorted)
		return NULL;
	return stp_map_entry_at(m, m->order[i]);
}

#endif /* STP_MAP_H */
