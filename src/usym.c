/*
 * usym.c - function symbols of user-space ELF files (see usym.h).
 *
 * Only what a uprobe needs: names and file offsets. Without DWARF there
 * are no parameters, no source lines and no inlined copies.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "usym.h"

/* The symbol table to read: .symtab, else .dynsym, else NULL. */
static Elf_Scn *symbol_section(Elf *e, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr sh, dsh;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			*out = sh;
			return scn;
		}
		if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dsh = sh;
		}
	}
	if (dyn)
		*out = dsh;
	return dyn;
}

/*
 * The file offset of address addr: in the PT_LOAD segment that holds
 * it, as many bytes from the segment's file offset as addr is from its
 * address. False when no loaded segment has it in the file.
 */
static bool file_offset(Elf *e, uint64_t addr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(e, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
			*off = addr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Collect the defined functions of the symbol section scn into t. */
static void read_functions(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			   struct usym_table *t)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	size_t k = 0;

	t->syms = arena_alloc((n ? n : 1) * sizeof(*t->syms));
	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym s;
		const char *name;
		uint64_t off;

		if (!gelf_getsym(d, (int)i, &s) ||
		    GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		name = elf_strptr(e, sh->sh_link, s.st_name);
		if (!name || !*name || !file_offset(e, s.st_value, &off))
			continue;
		t->syms[k].name = arena_strdup(name);
		t->syms[k].addr = s.st_value;
		t->syms[k].offset = off;
		k++;
	}
	qsort(t->syms, k, sizeof(*t->syms), by_name);
	t->n = 0;
	for (size_t i = 0; i < k; i++)	/* drop repeats of name and addr */
		if (!t->n || by_name(&t->syms[t->n - 1], &t->syms[i]))
			t->syms[t->n++] = t->syms[i];
}

/* The GNU build id note of the file, if a note section has one. */
static void read_build_id(Elf *e, struct usym_table *t)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;
		size_t off = 0, next, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		while ((next = gelf_getnote(d, off, &nh, &name_off,
					    &desc_off)) > 0) {
			const unsigned char *desc;
			struct strbuf sb = { 0 };

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + name_off, "GNU", 4) ||
			    !nh.n_descsz || nh.n_descsz > 64) {
				off = next;
				continue;
			}
			desc = (const unsigned char *)d->d_buf + desc_off;
			for (size_t i = 0; i < nh.n_descsz; i++)
				sb_printf(&sb, "%02x", desc[i]);
			t->build_id = sb.buf;
			t->build_id_off = sh.sh_offset + off;
			return;
		}
	}
}

int usym_load(const char *path, struct usym_table *t, char *err,
	      size_t errlen)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	memset(t, 0, sizeof(*t));
	t->path = arena_strdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto fail;
	}
	scn = symbol_section(e, &sh);
	if (!scn) {
		snprintf(err, errlen, "%s: no symbol table (.symtab or "
			 ".dynsym)", path);
		goto fail;
	}
	read_functions(e, scn, &sh, t);
	read_build_id(e, t);
	elf_end(e);
	close(fd);
	return 0;
fail:
	if (e)
		elf_end(e);
	close(fd);
	return -1;
}

size_t usym_match(const struct usym_table *t, const char *pattern,
		  void (*fn)(const struct usym *s, void *arg), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (fnmatch(pattern, t->syms[i].name, 0))
			continue;
		fn(&t->syms[i], arg);
		n++;
	}
	return n;
}
