/*
 * tracepoint.c - the target kernel's tracepoints.
 *
 * A tracepoint NAME in the kernel image is a struct tracepoint
 * __tracepoint_NAME plus a function __traceiter_NAME(void *__data,
 * TP_PROTO...) that calls every registered probe with those arguments.
 * Modules attach to it by name through for_each_kernel_tracepoint() and
 * tracepoint_probe_register(); the probe must be a function
 * void probe(void *data, TP_PROTO...). So the translator needs, for each
 * tracepoint, its arguments: how many, what they are called, and how
 * wide each one is.
 *
 * Those come from the kernel's BTF (the .BTF section of Debian's -dbg
 * vmlinux): every __traceiter_NAME is a BTF FUNC whose FUNC_PROTO names
 * and types its parameters. The first is __data; the rest are the
 * tracepoint's. BTF needs no DWARF reader and is small (4 MB), so this
 * is fast even though the vmlinux is large.
 *
 * The system of a tracepoint ("sched" in sched:sched_switch) is not in
 * BTF. Each trace event has a struct trace_event_call event_NAME whose
 * class points to a struct trace_event_class whose first field is the
 * system name; the vmlinux holds that data as linked (link-time
 * addresses), so we follow the two pointers in the file, at the member
 * offsets BTF gives. A tracepoint without a trace event (DECLARE_TRACE
 * only) gets system "".
 *
 * Every argument travels in a 64-bit register or stack slot (x86_64
 * passes all of them as integers: no tracepoint takes a struct or a
 * float by value), so the generated callback declares them all unsigned
 * long and narrows each to its real size, sign-extending signed types,
 * since the bits above a narrow argument are undefined in the ABI.
 * Tracepoints with an argument we cannot pass that way are left out.
 *
 * Memory is malloc'd or arena-allocated and kept for the process.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "tracepoint.h"

#define ITER_PREFIX "__traceiter_"

/* The loaded BTF: the raw section, and each type id's record. */
struct btf {
	const char *strs;		/* string section */
	size_t strs_len;		/* its bytes */
	const struct btf_type **types;	/* [id], id 0 is void */
	size_t ntypes;			/* ids 1 .. ntypes-1 */
};

/* The vmlinux ELF file: its allocated sections, to read linked data. */
struct image {
	int fd;				/* open file */
	Elf *e;				/* libelf handle */
};

static const char *btf_str(const struct btf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : "";
}

static int btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static int btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

/* Bytes of the record after struct btf_type, or -1 for an unknown kind. */
static long btf_extra(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)btf_vlen(t) * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)btf_vlen(t) * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)btf_vlen(t) * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)btf_vlen(t) * sizeof(struct btf_var_secinfo);
	case 19:	/* BTF_KIND_ENUM64: name_off, val_lo32, val_hi32 */
		return (long)btf_vlen(t) * 12;
	default:
		return -1;
	}
}

/* Index the types of a raw .BTF section (kept: names point into it). */
static int btf_parse(struct btf *b, const char *raw, size_t len, char *err,
		     size_t errlen)
{
	const struct btf_header *h = (const void *)raw;
	const char *p, *end;
	size_t cap = 1 << 16;

	if (len < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len + (size_t)h->type_off + h->type_len > len ||
	    h->hdr_len + (size_t)h->str_off + h->str_len > len) {
		snprintf(err, errlen, "the .BTF section is not BTF");
		return -1;
	}
	b->strs = raw + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	b->types = malloc(cap * sizeof(*b->types));
	b->types[0] = NULL;
	b->ntypes = 1;
	p = raw + h->hdr_len + h->type_off;
	end = p + h->type_len;
	while (p + sizeof(struct btf_type) <= end) {
		const struct btf_type *t = (const void *)p;
		long extra = btf_extra(t);

		if (extra < 0) {
			snprintf(err, errlen, "BTF type kind %d is unknown",
				 btf_kind(t));
			return -1;
		}
		if (b->ntypes == cap) {
			cap *= 2;
			b->types = realloc(b->types, cap * sizeof(*b->types));
		}
		b->types[b->ntypes++] = t;
		p += sizeof(*t) + (size_t)extra;
	}
	return 0;
}

static const struct btf_type *btf_type(const struct btf *b, uint32_t id)
{
	return id && id < b->ntypes ? b->types[id] : NULL;
}

/* Skip typedefs and qualifiers. */
static const struct btf_type *btf_base(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type(b, id);

	for (int i = 0; t && i < 32; i++) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			t = btf_type(b, t->type);
			break;
		default:
			return t;
		}
	}
	return t;
}

/* A C spelling of type id, as stap -L shows it: "struct task_struct*". */
static const char *btf_type_name(const struct btf *b, uint32_t id, int depth)
{
	const struct btf_type *t = btf_type(b, id);

	if (!t)
		return "void";
	if (depth > 16)
		return "?";
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = btf_type(b, t->type);

		if (to && btf_kind(to) == BTF_KIND_FUNC_PROTO)
			return "void*";
		return arena_printf("%s*", btf_type_name(b, t->type,
							  depth + 1));
	}
	case BTF_KIND_CONST:
		return arena_printf("const %s", btf_type_name(b, t->type,
							       depth + 1));
	case BTF_KIND_VOLATILE:
		return arena_printf("volatile %s", btf_type_name(b, t->type,
								  depth + 1));
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return btf_type_name(b, t->type, depth + 1);
	case BTF_KIND_STRUCT:
		return arena_printf("struct %s", btf_str(b, t->name_off));
	case BTF_KIND_UNION:
		return arena_printf("union %s", btf_str(b, t->name_off));
	case BTF_KIND_FWD:
		return arena_printf("%s %s", BTF_INFO_KFLAG(t->info) ?
				    "union" : "struct",
				    btf_str(b, t->name_off));
	case BTF_KIND_ENUM:
	case 19:
		return arena_printf("enum %s", btf_str(b, t->name_off));
	default:
		return btf_str(b, t->name_off);
	}
}

/*
 * Size and signedness of an argument of type id as passed in a
 * register; false for what cannot be passed as one integer.
 */
static bool btf_scalar(const struct btf *b, uint32_t id, int *size,
		       bool *is_signed)
{
	const struct btf_type *t = btf_base(b, id);

	if (!t)
		return false;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		*size = 8;
		*is_signed = false;
		return true;
	case BTF_KIND_INT: {
		uint32_t enc = *(const uint32_t *)(t + 1);

		*size = (int)t->size;
		*is_signed = BTF_INT_ENCODING(enc) & BTF_INT_SIGNED;
		break;
	}
	case BTF_KIND_ENUM:
	case 19:
		*size = (int)t->size;
		*is_signed = BTF_INFO_KFLAG(t->info);
		break;
	default:
		return false;
	}
	return *size == 1 || *size == 2 || *size == 4 || *size == 8;
}

/* Offset in bytes of member name of struct sname, or -1. */
static long btf_member_off(const struct btf *b, const char *sname,
			   const char *name)
{
	for (size_t id = 1; id < b->ntypes; id++) {
		const struct btf_type *t = b->types[id];
		const struct btf_member *m = (const void *)(t + 1);

		if (btf_kind(t) != BTF_KIND_STRUCT ||
		    strcmp(btf_str(b, t->name_off), sname))
			continue;
		for (int i = 0; i < btf_vlen(t); i++) {
			uint32_t bits = BTF_INFO_KFLAG(t->info) ?
					BTF_MEMBER_BIT_OFFSET(m[i].offset) :
					m[i].offset;

			if (!strcmp(btf_str(b, m[i].name_off), name))
				return bits % 8 ? -1 : (long)(bits / 8);
		}
	}
	return -1;
}

/* Bytes of type id, or 0 when it has no size (void, functions). */
static long btf_size(const struct btf *b, uint32_t id, int depth)
{
	const struct btf_type *t = btf_base(b, id);

	if (!t || depth > 16)
		return 0;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case 19:
		return (long)t->size;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);

		return (long)a->nelems * btf_size(b, a->type, depth + 1);
	}
	default:
		return 0;
	}
}

/*
 * Member name of struct or union t, looking into anonymous members:
 * its type in *type and byte offset in *off. -1 for a bit field, 0 when
 * there is no such member, 1 when found.
 */
static int btf_find_member(const struct btf *b, const struct btf_type *t,
			   const char *name, uint32_t *type, long *off,
			   int depth)
{
	const struct btf_member *m = (const void *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);

	for (int i = 0; i < btf_vlen(t); i++) {
		uint32_t bits = kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset) :
				m[i].offset;
		const char *mn = btf_str(b, m[i].name_off);

		if (!*mn) {
			const struct btf_type *sub = btf_base(b, m[i].type);
			long o;
			int rc;

			if (!sub || depth > 8 ||
			    (btf_kind(sub) != BTF_KIND_STRUCT &&
			     btf_kind(sub) != BTF_KIND_UNION))
				continue;
			rc = btf_find_member(b, sub, name, type, &o, depth + 1);
			if (rc)
				*off = (long)(bits / 8) + o;
			if (rc)
				return rc;
			continue;
		}
		if (strcmp(mn, name))
			continue;
		if (bits % 8 ||
		    (kflag && BTF_MEMBER_BITFIELD_SIZE(m[i].offset)))
			return -1;
		*type = m[i].type;
		*off = (long)(bits / 8);
		return 1;
	}
	return 0;
}

/* Where a chain $arg->a[i]->b is while tracepoint_target() walks it. */
struct chain {
	const struct btf *b;	/* the kernel's BTF */
	const char *c;		/* C of the value, or of its address */
	bool lvalue;		/* c is the address of an object of type */
	uint32_t type;		/* BTF type of the value or object */
	const char *loc;	/* script location, for read errors */
	const char *what;	/* "$prev->mm", for messages */
};

/* Turn an lvalue pointer into its value: the pointer it holds. */
static void chain_load_ptr(struct chain *ch)
{
	if (ch->lvalue)
		ch->c = arena_printf("((unsigned long)stp_kread(c, %s, 8, %s))",
				     ch->c, ch->loc);
	ch->lvalue = false;
}

/* One "->name" step; NULL or an error message. */
static const char *chain_member(struct chain *ch, const char *name)
{
	const struct btf_type *t = btf_base(ch->b, ch->type);
	uint32_t mtype = 0;
	long off = 0;
	int rc;

	if (t && btf_kind(t) == BTF_KIND_PTR) {
		chain_load_ptr(ch);
		t = btf_base(ch->b, t->type);
	} else if (!ch->lvalue) {
		t = NULL;
	}
	if (!t || (btf_kind(t) != BTF_KIND_STRUCT &&
		   btf_kind(t) != BTF_KIND_UNION))
		return arena_printf("%s is not a struct or a pointer to one",
				    ch->what);
	rc = btf_find_member(ch->b, t, name, &mtype, &off, 0);
	if (rc < 0)
		return arena_printf("%s->%s is a bit field, which is not "
				    "supported yet", ch->what, name);
	if (!rc)
		return arena_printf("%s has no member '%s'",
				    btf_type_name(ch->b, ch->type, 0), name);
	ch->c = arena_printf("(%s + %ld)", ch->c, off);
	ch->lvalue = true;
	ch->type = mtype;
	ch->what = arena_printf("%s->%s", ch->what, name);
	return NULL;
}

/* One "[index]" step (idx is C); NULL or an error message. */
static const char *chain_index(struct chain *ch, const char *idx)
{
	const struct btf_type *t = btf_base(ch->b, ch->type);
	uint32_t elem;
	long size;

	if (t && btf_kind(t) == BTF_KIND_ARRAY && ch->lvalue) {
		elem = ((const struct btf_array *)(t + 1))->type;
	} else if (t && btf_kind(t) == BTF_KIND_PTR) {
		chain_load_ptr(ch);
		elem = t->type;
	} else {
		return arena_printf("%s is not an array or a pointer",
				    ch->what);
	}
	size = btf_size(ch->b, elem, 0);
	if (size <= 0)
		return arena_printf("%s points to something without a size",
				    ch->what);
	ch->c = arena_printf("(%s + (%s) * %ld)", ch->c, idx, size);
	ch->lvalue = true;
	ch->type = elem;
	ch->what = arena_printf("%s[]", ch->what);
	return NULL;
}

/* Read the object the chain ends at: n->str and its type. */
static enum type chain_read(struct chain *ch, struct node *n,
			    const char **err)
{
	static const char *const mask[9] = {
		[1] = "(u8)", [2] = "(u16)", [4] = "(u32)", [8] = "",
	};
	const struct btf_type *t = btf_base(ch->b, ch->type);
	int size;
	bool is_signed;

	if (t && btf_kind(t) == BTF_KIND_ARRAY) {
		const struct btf_array *a = (const void *)(t + 1);

		/* char name[16] */
		if (btf_size(ch->b, a->type, 0) == 1) {
			n->str = arena_printf("stp_kread_string(c, stp_buf, "
					      "%s, %u, %s)", ch->c, a->nelems,
					      ch->loc);
			return TY_STRING;
		}
	}
	if (!btf_scalar(ch->b, ch->type, &size, &is_signed)) {
		*err = arena_printf("%s is a %s: read a member with -> or an "
				    "element with []", ch->what,
				    btf_type_name(ch->b, ch->type, 0));
		return TY_UNKNOWN;
	}
	n->str = arena_printf("(int64_t)%sstp_kread(c, %s, %d, %s)",
			      is_signed ? "" : mask[size], ch->c, size,
			      ch->loc);
	return TY_LONG;
}

/* C of argument i: the tracepoint's, or a function's register at entry. */
static const char *arg_c(const struct tracepoint *tp, int i)
{
	static const char *const regs[6] = { "di", "si", "dx", "cx", "r8",
					     "r9" };

	if (tp->func)
		return arena_printf("c->regs->%s", regs[i]);
	return arena_printf("stp_tp_arg(c, %d)", i);
}

/* The cast that keeps the bytes of an argument a register holds. */
static const char *narrow_c(const struct tp_arg *a)
{
	static const char *const cast[2][9] = {
		[0] = { [1] = "(u8)", [2] = "(u16)", [4] = "(u32)",
			[8] = "(u64)" },
		[1] = { [1] = "(s8)", [2] = "(s16)", [4] = "(s32)",
			[8] = "(s64)" },
	};

	return a->size >= 1 && a->size <= 8 && cast[a->is_signed][a->size] ?
	       cast[a->is_signed][a->size] : "";
}

/* $arg followed by ->member and [index] steps (n->args). */
static enum type chain_target(const struct tracepoint *tp, int i,
			      struct node *n, const char *loc,
			      const char **err)
{
	struct chain ch = {
		.b = tp->btf, .lvalue = false, .type = tp->args[i].btf_id,
		.loc = loc, .what = arena_printf("$%s", tp->args[i].name),
		.c = arena_printf("((unsigned long)%s)", arg_c(tp, i)),
	};
	int k = 0;

	if (!tp->btf) {
		*err = "-> and [] need the kernel's BTF";
		return TY_UNKNOWN;
	}
	for (struct node *f = n->args; f; f = f->next) {
		const char *e;

		if (f->name) {
			e = chain_member(&ch, f->name);
		} else {
			const char *idx = f->lhs->kind == N_NUM ?
				arena_printf("%lldLL", (long long)f->lhs->num) :
				arena_printf("stp_tv[%d]", k++);

			e = chain_index(&ch, idx);
		}
		if (e) {
			*err = e;
			return TY_UNKNOWN;
		}
	}
	return chain_read(&ch, n, err);
}

/* Read len bytes at link-time address addr of the image; 0 or -1. */
static int image_read(struct image *im, uint64_t addr, void *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(im->e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || addr < sh.sh_addr ||
		    addr + len > sh.sh_addr + sh.sh_size)
			continue;
		if (pread(im->fd, buf, len, (off_t)(sh.sh_offset +
						    (addr - sh.sh_addr))) ==
		    (ssize_t)len)
			return 0;
		return -1;
	}
	return -1;
}

/* The system of trace event NAME at address ev, or "". */
static const char *event_system(struct image *im, uint64_t ev,
				long class_off, long system_off)
{
	uint64_t cls, sys;
	char name[64];

	if (class_off < 0 || system_off < 0 ||
	    image_read(im, ev + (uint64_t)class_off, &cls, sizeof(cls)) ||
	    image_read(im, cls + (uint64_t)system_off, &sys, sizeof(sys)) ||
	    image_read(im, sys, name, 1))
		return "";
	for (size_t i = 1; i < sizeof(name); i++) {
		if (image_read(im, sys + i, name + i, 1))
			return "";
		if (!name[i])
			return arena_strdup(name);
	}
	return "";
}

/* A symbol of the image: name and link-time address. */
struct sym {
	const char *name;
	uint64_t addr;
};

static int cmp_sym(const void *a, const void *b)
{
	return strcmp(((const struct sym *)a)->name,
		      ((const struct sym *)b)->name);
}

static int cmp_tp(const void *a, const void *b)
{
	return strcmp(((const struct tracepoint *)a)->name,
		      ((const struct tracepoint *)b)->name);
}

/* The "event_NAME" objects of the image's symtab, sorted by name. */
static struct sym *event_syms(Elf *e, size_t *n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	struct sym *out = NULL;
	size_t cap = 0;

	*n = 0;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;

		for (size_t i = 0; d && i < count; i++) {
			GElf_Sym s;
			const char *nm;

			if (!gelf_getsym(d, (int)i, &s) ||
			    GELF_ST_TYPE(s.st_info) != STT_OBJECT)
				continue;
			nm = elf_strptr(e, sh.sh_link, s.st_name);
			if (!nm || strncmp(nm, "event_", 6) ||
			    !strncmp(nm, "event_class_", 12))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 4096;
				out = realloc(out, cap * sizeof(*out));
			}
			out[*n].name = arena_strdup(nm + 6);
			out[*n].addr = s.st_value;
			(*n)++;
		}
	}
	if (*n)
		qsort(out, *n, sizeof(*out), cmp_sym);
	return out;
}

static const char *find_vmlinux(const char *release)
{
	const char *paths[] = {
		arena_printf("/usr/lib/debug/boot/vmlinux-%s", release),
		arena_printf("/usr/lib/debug/lib/modules/%s/vmlinux", release),
		arena_printf("/lib/modules/%s/build/vmlinux", release),
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

/* Fill t from the BTF and event data of the vmlinux at path. */
static int load_image(const char *path, struct tp_table *t, char *err,
		      size_t errlen)
{
	struct image im = { .fd = open(path, O_RDONLY) };
	Elf_Scn *scn = NULL;
	Elf_Data *raw = NULL;
	struct btf *b = calloc(1, sizeof(*b));
	char *copy = NULL;
	size_t shstrndx, nev, cap = 0;
	struct sym *evs;
	GElf_Shdr sh;
	int rc = -1;

	elf_version(EV_CURRENT);
	if (im.fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		free(b);
		return -1;
	}
	im.e = elf_begin(im.fd, ELF_C_READ_MMAP, NULL);
	if (!im.e || elf_getshdrstrndx(im.e, &shstrndx)) {
		snprintf(err, errlen, "%s: %s", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(im.e, scn))) {
		const char *nm;

		if (!gelf_getshdr(scn, &sh))
			continue;
		nm = elf_strptr(im.e, shstrndx, sh.sh_name);
		if (nm && !strcmp(nm, ".BTF"))
			raw = elf_getdata(scn, NULL);
	}
	if (!raw || !raw->d_buf) {
		snprintf(err, errlen, "%s has no BTF (.BTF section)", path);
		goto out;
	}
	/* kept for the life of the process: ->member reads types later */
	copy = malloc(raw->d_size);
	memcpy(copy, raw->d_buf, raw->d_size);
	if (btf_parse(b, copy, raw->d_size, err, errlen))
		goto out;

	long class_off = btf_member_off(b, "trace_event_call", "class");
	long system_off = btf_member_off(b, "trace_event_class", "system");

	evs = event_syms(im.e, &nev);
	for (size_t id = 1; id < b->ntypes; id++) {
		const struct btf_type *f = b->types[id], *proto;
		const char *nm = btf_str(b, f->name_off);
		const struct btf_param *ps;
		struct tracepoint tp = { 0 };
		bool ok = true;

		if (btf_kind(f) != BTF_KIND_FUNC ||
		    strncmp(nm, ITER_PREFIX, strlen(ITER_PREFIX)))
			continue;
		proto = btf_type(b, f->type);
		if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO ||
		    btf_vlen(proto) < 1)
			continue;
		ps = (const void *)(proto + 1);
		tp.name = arena_strdup(nm + strlen(ITER_PREFIX));
		tp.nargs = btf_vlen(proto) - 1;
		tp.args = arena_alloc(sizeof(*tp.args) *
				      (size_t)(tp.nargs + 1));
		for (int i = 0; i < tp.nargs; i++) {
			struct tp_arg *a = &tp.args[i];

			a->name = arena_strdup(btf_str(b, ps[i + 1].name_off));
			a->type = arena_strdup(btf_type_name(b, ps[i + 1].type,
							      0));
			if (!*a->name)
				a->name = arena_printf("arg%d", i + 1);
			a->btf_id = ps[i + 1].type;
			ok = ok && btf_scalar(b, ps[i + 1].type, &a->size,
					      &a->is_signed);
		}
		if (!ok)
			continue;	/* an argument we cannot pass */

		struct sym key = { .name = tp.name }, *ev = NULL;

		if (nev)
			ev = bsearch(&key, evs, nev, sizeof(*evs), cmp_sym);
		tp.btf = b;
		tp.system = ev ? event_system(&im, ev->addr, class_off,
					      system_off) : "";
		if (t->n == cap) {
			cap = cap ? 2 * cap : 1024;
			t->tps = realloc(t->tps, cap * sizeof(*t->tps));
		}
		t->tps[t->n++] = tp;
	}
	free(evs);
	if (t->n)
		qsort(t->tps, t->n, sizeof(*t->tps), cmp_tp);
	t->source = arena_strdup(path);
	t->btf = b;
	rc = 0;
out:
	if (rc) {
		free(b->types);
		free(b);
		free(copy);
	}
	if (im.e)
		elf_end(im.e);
	close(im.fd);
	return rc;
}

int tracepoint_load(const char *release, struct tp_table *t, char *err,
		    size_t errlen)
{
	const char *path = find_vmlinux(release);

	t->release = release;
	if (!path) {
		snprintf(err, errlen, "kernel.trace needs the BTF of kernel %s "
			 "from its vmlinux: install linux-image-%s-dbg",
			 release, release);
		return -1;
	}
	return load_image(path, t, err, errlen);
}

/* BTF functions by name, built on the first tracepoint_func(). */
struct func_id {
	const char *name;
	uint32_t id;
};

static int cmp_func_id(const void *a, const void *b)
{
	return strcmp(((const struct func_id *)a)->name,
		      ((const struct func_id *)b)->name);
}

const struct tracepoint *tracepoint_func(const struct tp_table *t,
					 const char *name)
{
	static const struct btf *indexed;
	static struct func_id *funcs;
	static size_t nfuncs;
	const struct btf *b = t->btf;

	if (!b)
		return NULL;
	if (indexed != b) {
		funcs = arena_alloc(b->ntypes * sizeof(*funcs));
		nfuncs = 0;
		for (size_t id = 1; id < b->ntypes; id++)
			if (btf_kind(b->types[id]) == BTF_KIND_FUNC)
				funcs[nfuncs++] = (struct func_id){
					btf_str(b, b->types[id]->name_off),
					(uint32_t)id };
		qsort(funcs, nfuncs, sizeof(*funcs), cmp_func_id);
		indexed = b;
	}
	struct func_id key = { name, 0 }, *hit = bsearch(&key, funcs, nfuncs,
							sizeof(*funcs),
							cmp_func_id);

	if (hit) {
		const struct btf_type *f = b->types[hit->id], *proto;
		const struct btf_param *ps;
		struct tracepoint *tp;

		proto = btf_type(b, f->type);
		if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO)
			return NULL;
		ps = (const void *)(proto + 1);
		tp = NEW(struct tracepoint);
		tp->name = arena_strdup(name);
		tp->system = "";
		tp->func = true;
		tp->btf = b;
		tp->args = arena_alloc(sizeof(*tp->args) *
				       (size_t)(btf_vlen(proto) + 1));
		for (int i = 0; i < btf_vlen(proto) && i < 6; i++) {
			struct tp_arg *a = &tp->args[i];

			if (!ps[i].type || !btf_scalar(b, ps[i].type, &a->size,
						       &a->is_signed))
				break;	/* varargs, or a struct by value */
			a->name = arena_strdup(btf_str(b, ps[i].name_off));
			if (!*a->name)
				a->name = arena_printf("arg%d", i + 1);
			a->type = arena_strdup(btf_type_name(b, ps[i].type,
							      0));
			a->btf_id = ps[i].type;
			tp->nargs++;
		}
		return tp;
	}
	return NULL;
}

size_t tracepoint_match(const struct tp_table *t, const char *pattern,
			void (*fn)(const struct tracepoint *tp, void *arg),
			void *arg)
{
	const char *colon = strchr(pattern, ':');
	const char *name = colon ? colon + 1 : pattern;
	char *sys = colon ? arena_strndup(pattern, (size_t)(colon - pattern)) :
		    NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct tracepoint *tp = &t->tps[i];

		if (fnmatch(name, tp->name, 0))
			continue;
		if (sys && fnmatch(sys, tp->system, 0))
			continue;
		fn(tp, arg);
		n++;
	}
	return n;
}

enum type tracepoint_target(const struct tracepoint *tp, struct node *n,
			    const char *loc, const char **err)
{
	size_t len;
	int style = ast_dollar_suffix(n->name, &len);
	char *name = arena_strndup(n->name, len);

	if (name[0] != '$') {
		*err = arena_printf("%s cannot be used in a tracepoint probe",
				    name);
		return TY_UNKNOWN;
	}
	if (!strncmp(name, "$$", 2) && n->args) {
		*err = arena_printf("%s cannot be followed by -> or []", name);
		return TY_UNKNOWN;
	}
	if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars")) {
		struct strbuf sb = { 0 };

		sb_puts(&sb, "({ stp_buf[0] = '\\0'; ");
		for (int i = 0; i < tp->nargs; i++)
			sb_printf(&sb, "stp_catf(stp_buf, \"%s%s=0x%%llx\", "
				  "(unsigned long long)%s); ",
				  i ? " " : "", tp->args[i].name,
				  arg_c(tp, i));
		sb_puts(&sb, "stp_buf; })");
		n->str = sb.buf;
		return TY_STRING;
	}
	if (!strncmp(name, "$$", 2)) {
		*err = arena_printf("unknown '%s' in a tracepoint probe "
				    "(expected $$parms or $$vars)", name);
		return TY_UNKNOWN;
	}
	for (int i = 0; i < tp->nargs; i++) {
		if (strcmp(tp->args[i].name, name + 1))
			continue;
		if (n->args && style) {
			*err = arena_printf("%s: pretty printing a member "
					    "(trailing $) is not supported "
					    "yet", name);
			return TY_UNKNOWN;
		}
		if (n->args)
			return chain_target(tp, i, n, loc, err);
		if (style) {
			n->str = arena_printf("({ snprintf(stp_buf, "
					      "MAXSTRINGLEN, \"0x%%llx\", "
					      "(unsigned long long)"
					      "%s); stp_buf; })", arg_c(tp, i));
			return TY_STRING;
		}
		/* a tracepoint's callback narrowed it already */
		n->str = arena_printf("(int64_t)%s%s", tp->func ?
				      narrow_c(&tp->args[i]) : "",
				      arg_c(tp, i));
		return TY_LONG;
	}
	if (tp->func) {
		*err = arena_printf("function %s has no parameter '%s' in the "
				    "kernel's BTF%s%s", tp->name, name + 1,
				    tp->nargs ? "; it has:" : "",
				    tracepoint_list_vars(tp));
		return TY_UNKNOWN;
	}
	*err = arena_printf("tracepoint %s%s%s has no argument '%s'%s%s",
			    tp->system, *tp->system ? ":" : "", tp->name,
			    name + 1, tp->nargs ? "; it has:" : "",
			    tracepoint_list_vars(tp));
	return TY_UNKNOWN;
}

const char *tracepoint_list_vars(const struct tracepoint *tp)
{
	struct strbuf sb = { 0 };

	sb_puts(&sb, "");
	for (int i = 0; i < tp->nargs; i++)
		sb_printf(&sb, " $%s:%s", tp->args[i].name, tp->args[i].type);
	return sb.buf;
}

const char *tracepoint_callback(const struct tracepoint *tp, const char *name)
{
	static const char *const narrow[2][9] = {
		[0] = { [1] = "(u8)", [2] = "(u16)", [4] = "(u32)",
			[8] = "" },
		[1] = { [1] = "(s64)(s8)", [2] = "(s64)(s16)",
			[4] = "(s64)(s32)", [8] = "" },
	};
	struct strbuf sb = { 0 };

	sb_printf(&sb, "/* kernel.trace(\"%s%s%s\") */\n", tp->system,
		  *tp->system ? ":" : "", tp->name);
	sb_printf(&sb, "static void %s(void *data", name);
	for (int i = 0; i < tp->nargs; i++)
		sb_printf(&sb, ", unsigned long a%d", i);
	sb_puts(&sb, ")\n{\n");
	sb_printf(&sb, "\tunsigned long args[%d] = {", tp->nargs ? tp->nargs :
		  1);
	for (int i = 0; i < tp->nargs; i++)
		sb_printf(&sb, "%s\n\t\t(unsigned long)%sa%d", i ? "," : "",
			  narrow[tp->args[i].is_signed][tp->args[i].size], i);
	sb_printf(&sb, "%s};\n\n", tp->nargs ? "\n\t" : " 0 ");
	sb_printf(&sb, "\tstp_tracepoint_hit(data, args, %d);\n}\n",
		  tp->nargs);
	return sb.buf;
}
