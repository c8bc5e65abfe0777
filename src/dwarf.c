/*
 * dwarf.c - debuginfo through libdw (elfutils).
 *
 * Files. The kernel's DWARF is Debian's -dbg vmlinux,
 * /usr/lib/debug/boot/vmlinux-REL; a module's is the NAME.ko found in
 * $SYSTEMTAP_DEBUGINFO_PATH, under /usr/lib/debug/lib/modules/REL/ or
 * /lib/modules/REL/ (one built with -g), or the .ko a path names. Each
 * file is opened once per run, on first use. Its ELF symbol table
 * gives _stext, the EXPORT_SYMBOL list (__ksymtab_*) and, for modules,
 * the function symbols probes are placed from and the data symbols
 * globals are found by. Modules are relocatable objects and go through
 * libdwfl (see "Modules" below).
 *
 * Build ids. The translator knows only the release, so what can be
 * checked is checked: the vmlinux must carry a GNU build id; when the
 * release is the running kernel, it must equal the one in
 * /sys/kernel/notes; otherwise the installed packages
 * linux-image-REL and linux-image-REL-dbg must have the same Debian
 * version (dpkg's status file), which is what stap --vm boots.
 *
 * Probe points. kernel.function("F@FILE:LINE") walks the compilation
 * units (CUs) with dwarf_getfuncs(): every DW_TAG_subprogram whose name
 * matches F and whose declaration file and line match FILE and LINE
 * (for .function the line is the declaration line, as in SystemTap;
 * for .statement it selects source lines inside the function). A
 * function with code of its own gives a .call place; an inline one
 * gives, through one walk of its CU, every DW_TAG_inlined_subroutine
 * instance as an .inline place. CUs are skipped by name when FILE is a
 * .c pattern; the function index (below) skips the CUs that define
 * no matching name.
 *
 * Placement. Function probes whose handler reads target variables go
 * after the prologue, so that parameters are where the body expects
 * them (SystemTap's rule): the first
 * line-table row of the function marked prologue_end, else the first
 * row after the entry whose line differs from the entry row's line,
 * else the entry. Other function probes (the caller says so with
 * spec->entry), .return probes and inline instances use the entry pc:
 * there the kprobe rides ftrace's call site and a backtrace starts at
 * the function itself.
 * Every place becomes symbol+offset so that KASLR needs no fix-up: the
 * function's own symbol when its name is unique in the kernel, else
 * _stext plus the distance (the kernel text moves as one block); a
 * module's places use "MODULE:symbol". Addresses outside the symbol
 * table that ksym.c keeps (noinstr, entry, kprobes text...) are
 * dropped, as kprobes would refuse them.
 *
 * Target variables. dwarf_target() finds $name in the scopes at the
 * probe address (lexical blocks inward, the function outward), takes
 * its location expression at that address (location lists included)
 * and translates the DWARF stack machine into one C expression at
 * translation time: DW_OP_reg* reads a pt_regs field, DW_OP_breg*
 * adds to one, DW_OP_fbreg adds to the frame base, which is usually
 * DW_OP_call_frame_cfa and is computed from .debug_frame at the
 * address (at entry CFA = regs->sp + 8), DW_OP_addr is a link-time
 * address moved by the KASLR delta (measured at run time from the
 * address of copy_from_kernel_nofault; in a module, the symbol that
 * holds it, looked up in the loaded module), DW_OP_deref becomes a
 * fault-safe read (runtime/stp_deref.h). A location in DW_OP_piece
 * parts (a struct passed in two registers) is kept as its parts: a
 * member is read from the part that holds it, a small scalar is put
 * together from them. What cannot be done right (entry values,
 * implicit pointers) is refused with a message.
 * Then ->member, [index] and the final read follow the types.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "arena.h"
#include "dwarf.h"

/* A function symbol of a file, for address -> symbol+offset. */
struct fsym {
	const char *name;	/* as kprobes knows it */
	uint64_t addr;		/* link-time address */
	uint64_t size;		/* bytes */
	bool unique;		/* no other symbol has this name */
};

/* One debuginfo file: vmlinux or a module. */
struct dwfile {
	const char *module;	/* NULL for the kernel; as shown in pp */
	const char *kname;	/* module name the kernel knows ("stptest") */
	const char *path;	/* the file opened */
	Dwfl *dwfl;		/* modules: libdwfl's relocated view */
	Dwarf *dw;		/* libdw handle */
	Elf *elf;		/* its ELF */
	Dwarf_CFI *cfi;		/* .debug_frame, or NULL */
	const char *srcroot;	/* prefix cut from absolute file names */
	struct fsym *syms;	/* address order */
	size_t nsyms;
	struct fsym *dsyms;	/* modules: data symbols, address order */
	size_t ndsyms;
	const char **exports;	/* EXPORT_SYMBOL names, sorted */
	size_t nexports;
	uint64_t stext;		/* link-time _stext */
	uint64_t ref_addr;	/* link-time copy_from_kernel_nofault */
	const char *build_id;	/* hex, or NULL */
	struct cu_index *index;	/* function names of each CU, or NULL */
	struct dwfile *next;
};

/*
 * The function index of one debuginfo file: for each compile unit, the
 * names of the functions (subprograms, inline ones included) it
 * defines. Resolving a pattern then opens only the CUs that define a
 * matching name instead of walking the DWARF of all of them. It is
 * built by the first full walk and kept as a text file named by the
 * file's build id in the cache directory:
 *
 *     CU <offset>
 *     name
 *     ...
 */
struct cu_names {
	Dwarf_Off off;		/* the CU's DIE offset */
	const char **names;	/* its function names */
	size_t n, cap;
};

struct cu_index {
	struct cu_names *cus;
	size_t n, cap;
	bool building;		/* being filled by the current walk */
};

struct dwarf_session {
	const char *release;	/* kernel release */
	const struct ksym_table *ksyms;	/* probeable kernel symbols */
	struct fsym *ksorted;	/* ksyms by address (running or link) */
	size_t nk;
	struct dwfile *files;	/* opened so far */
	bool kernel_tried;	/* the vmlinux was looked for */
	char kernel_err[512];	/* why it is missing */
	const char *cache_dir;	/* where function indexes go, or NULL */
	const char *index_note;	/* what the index did, for stap -v */
	bool module_addrs;	/* a target reads a module's global */
};

struct dwarf_point {
	struct dwfile *f;	/* file of the DIEs */
	Dwarf_Off die;		/* subprogram or inlined_subroutine */
	Dwarf_Off sub;		/* subprogram that holds it (frame base) */
	uint64_t addr;		/* link-time address probed */
	bool ret;		/* .return: at return, regs are the caller's */
	const char *pp;		/* canonical probe point */
};

/* ---- files ---- */

static int cmp_fsym(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_name(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Mark names that occur once; leaves syms in address order. */
static void mark_unique(struct fsym *syms, size_t n)
{
	qsort(syms, n, sizeof(*syms), cmp_name);
	for (size_t i = 0; i < n; i++)
		syms[i].unique = (i == 0 || strcmp(syms[i - 1].name,
						   syms[i].name)) &&
				 (i + 1 == n || strcmp(syms[i + 1].name,
						       syms[i].name));
	qsort(syms, n, sizeof(*syms), cmp_fsym);
}

/* Read _stext, exports and (for modules) function symbols. */
static void read_symtab(struct dwfile *f)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, ecap = 0;

	while ((scn = elf_nextscn(f->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;

		for (size_t i = 0; data && i < n; i++) {
			GElf_Sym s;

			if (!gelf_getsym(data, (int)i, &s))
				continue;
			const char *name = elf_strptr(f->elf, sh.sh_link,
						      s.st_name);

			if (!name || !*name)
				continue;
			if (!strcmp(name, "_stext"))
				f->stext = s.st_value;
			else if (!strcmp(name, "copy_from_kernel_nofault"))
				f->ref_addr = s.st_value;
			if (!strncmp(name, "__ksymtab_", 10)) {
				if (f->nexports == ecap) {
					ecap = ecap ? 2 * ecap : 1024;
					f->exports = realloc(f->exports,
						ecap * sizeof(*f->exports));
				}
				f->exports[f->nexports++] =
					arena_strdup(name + 10);
			}
			if (!f->module || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF)
				continue;
			if (f->nsyms == cap) {
				cap = cap ? 2 * cap : 256;
				f->syms = realloc(f->syms, cap * sizeof(*f->syms));
			}
			f->syms[f->nsyms++] = (struct fsym){
				.name = arena_strdup(name), .addr = s.st_value,
				.size = s.st_size,
			};
		}
	}
	if (f->exports)
		qsort(f->exports, f->nexports, sizeof(*f->exports), cmp_str);
	if (f->syms)
		mark_unique(f->syms, f->nsyms);
}

/* The longest directory prefix shared by the absolute CU names. */
static void find_srcroot(struct dwfile *f)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	char *root = NULL;
	size_t rlen = 0;

	while (dwarf_nextcu(f->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		const char *name;

		size_t nl;

		/*
		 * kbuild adds CUs of its own to an out-of-tree module:
		 * NAME.mod.c, and on 6.12 the headers' module-common.c;
		 * they would cut the prefix down to "/".
		 */
		if (dwarf_offdie(f->dw, off + hsize, &cu) &&
		    (name = dwarf_diename(&cu)) && name[0] == '/' &&
		    !(f->module && (!strncmp(name, "/usr/src/", 9) ||
				    ((nl = strlen(name)) > 6 &&
				     !strcmp(name + nl - 6, ".mod.c"))))) {
			if (!root) {
				root = arena_strdup(name);
				rlen = strlen(root);
			} else {
				size_t i = 0;

				while (i < rlen && root[i] == name[i])
					i++;
				rlen = i;
			}
		}
		off = next;
	}
	while (rlen && root[rlen - 1] != '/')
		rlen--;
	f->srcroot = root ? arena_strndup(root, rlen) : "";
}

/* The Debian version dpkg has for PKG, or NULL. */
static const char *dpkg_version(const char *pkg)
{
	FILE *fp = fopen("/var/lib/dpkg/status", "r");
	char line[1024];
	bool in = false;
	const char *v = NULL;

	if (!fp)
		return NULL;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "Package: ", 9))
			in = !strcmp(line + 9, pkg);
		else if (in && !strncmp(line, "Version: ", 9)) {
			v = arena_strdup(line + 9);
			break;
		}
	}
	fclose(fp);
	return v;
}

/* The build id note of a notes blob (/sys/kernel/notes), hex. */
static const char *notes_build_id(const unsigned char *p, size_t len)
{
	size_t i = 0;

	while (i + 12 <= len) {
		uint32_t nsz, dsz, type;

		memcpy(&nsz, p + i, 4);
		memcpy(&dsz, p + i + 4, 4);
		memcpy(&type, p + i + 8, 4);
		size_t name = i + 12, desc = name + ((nsz + 3) & ~3u);

		if (desc + dsz > len)
			break;
		if (type == NT_GNU_BUILD_ID && nsz == 4 &&
		    !memcmp(p + name, "GNU", 4)) {
			struct strbuf sb = { 0 };

			for (uint32_t k = 0; k < dsz; k++)
				sb_printf(&sb, "%02x", p[desc + k]);
			return sb.buf;
		}
		i = desc + ((dsz + 3) & ~3u);
	}
	return NULL;
}

/* Check the vmlinux against the target; 0 or -1 with err. */
static int check_build_id(struct dwarf_session *ds, struct dwfile *f,
			  char *err, size_t errlen)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(f->elf, &id);
	struct utsname u;

	if (n <= 0) {
		snprintf(err, errlen, "%s has no build id", f->path);
		return -1;
	}
	struct strbuf hex = { 0 };

	for (ssize_t i = 0; i < n; i++)
		sb_printf(&hex, "%02x", ((const unsigned char *)id)[i]);
	f->build_id = hex.buf;
	if (!uname(&u) && !strcmp(u.release, ds->release)) {
		unsigned char buf[4096];
		int fd = open("/sys/kernel/notes", O_RDONLY);
		ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		const char *run = len > 0 ? notes_build_id(buf, (size_t)len) :
				  NULL;

		if (fd >= 0)
			close(fd);
		if (run && strcmp(run, hex.buf)) {
			snprintf(err, errlen, "the debuginfo %s (build id %s) "
				 "does not match the running kernel (build id "
				 "%s)", f->path, hex.buf, run);
			return -1;
		}
		return 0;
	}
	const char *img = dpkg_version(arena_printf("linux-image-%s",
						    ds->release));
	const char *dbg = dpkg_version(arena_printf("linux-image-%s-dbg",
						    ds->release));

	if (img && dbg && strcmp(img, dbg)) {
		snprintf(err, errlen, "linux-image-%s is version %s but its "
			 "debuginfo linux-image-%s-dbg is %s; install matching "
			 "versions", ds->release, img, ds->release, dbg);
		return -1;
	}
	return 0;
}

static struct dwfile *open_file(const char *path, const char *module,
				char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	elf_version(EV_CURRENT);
	struct dwfile *f = NEW(struct dwfile);

	f->path = arena_strdup(path);
	f->module = module;
	f->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	f->dw = f->elf ? dwarf_begin_elf(f->elf, DWARF_C_READ, NULL) : NULL;
	if (!f->dw) {
		snprintf(err, errlen, "%s has no DWARF debuginfo: %s", path,
			 dwarf_errmsg(-1));
		return NULL;
	}
	f->cfi = dwarf_getcfi(f->dw);
	read_symtab(f);
	find_srcroot(f);
	return f;
}

struct dwarf_session *dwarf_new(const char *release,
				const struct ksym_table *ksyms)
{
	struct dwarf_session *ds = NEW(struct dwarf_session);

	ds->release = release;
	dwarf_use_ksyms(ds, ksyms);
	return ds;
}

void dwarf_use_ksyms(struct dwarf_session *ds, const struct ksym_table *ksyms)
{
	if (ds->ksorted || !ksyms || !ksyms->n)
		return;
	ds->ksyms = ksyms;
	ds->ksorted = arena_alloc(ksyms->n * sizeof(*ds->ksorted));
	for (size_t i = 0; i < ksyms->n; i++)
		ds->ksorted[i] = (struct fsym){
			.name = ksyms->syms[i].name,
			.addr = ksyms->syms[i].addr,
			.size = ksyms->syms[i].size,
			.unique = ksyms->syms[i].unique,
		};
	ds->nk = ksyms->n;
	qsort(ds->ksorted, ds->nk, sizeof(*ds->ksorted), cmp_fsym);
}

static struct dwfile *kernel_file(struct dwarf_session *ds)
{
	if (ds->kernel_tried) {
		for (struct dwfile *f = ds->files; f; f = f->next)
			if (!f->module)
				return f;
		return NULL;
	}
	ds->kernel_tried = true;
	const char *path = arena_printf("/usr/lib/debug/boot/vmlinux-%s",
					ds->release);
	struct stat st;
	char err[400];

	if (stat(path, &st)) {
		snprintf(ds->kernel_err, sizeof(ds->kernel_err), "no "
			 "debuginfo for kernel %s (%s is missing): install "
			 "the package linux-image-%s-dbg", ds->release, path,
			 ds->release);
		return NULL;
	}
	struct dwfile *f = open_file(path, NULL, err, sizeof(err));

	if (!f || check_build_id(ds, f, err, sizeof(err))) {
		snprintf(ds->kernel_err, sizeof(ds->kernel_err), "%s", err);
		return NULL;
	}
	f->next = ds->files;
	ds->files = f;
	return f;
}

/*
 * Modules. A module's .ko (the -dbg one, or one built with -g) is a
 * relocatable object: its DWARF holds section offsets that relocations
 * turn into addresses. libdwfl's offline reporting lays the sections
 * out at addresses of its own and relocates the DWARF to match, so
 * DWARF addresses and symbol addresses agree; probes are placed as
 * "module:symbol"+offset, which is all the kernel needs.
 */
static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The value of FIELD= in the .modinfo of elf, or NULL (-dbg files). */
static const char *modinfo(Elf *elf, const char *field)
{
	size_t shstrndx, flen = strlen(field);
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".modinfo"))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		const char *p = d ? d->d_buf : NULL;

		for (size_t i = 0; p && i < d->d_size;
		     i += strnlen(p + i, d->d_size - i) + 1)
			if (!strncmp(p + i, field, flen) && p[i + flen] == '=')
				return arena_strndup(p + i + flen + 1,
					strnlen(p + i + flen + 1,
						d->d_size - i - flen - 1));
	}
	return NULL;
}

/* The GNU build id of elf, in hex, or NULL. */
static const char *elf_build_id(Elf *elf)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &id);
	struct strbuf hex = { 0 };

	if (n <= 0)
		return NULL;
	for (ssize_t i = 0; i < n; i++)
		sb_printf(&hex, "%02x", ((const unsigned char *)id)[i]);
	return hex.buf;
}

/* The build id of the ELF file at path, or NULL. */
static const char *file_build_id(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const char *id = NULL;

	if (fd < 0)
		return NULL;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);

	if (elf)
		id = elf_build_id(elf);
	elf_end(elf);
	close(fd);
	return id;
}

/*
 * Check a module file against the target: its vermagic must name the
 * release (a .ko built for another kernel), and a -dbg file's build id
 * must be the installed module's. 0, or -1 with err.
 */
static int check_module(struct dwarf_session *ds, struct dwfile *f,
			char *err, size_t errlen)
{
	const char *vm = modinfo(f->elf, "vermagic");
	const char *dbg = arena_printf("/usr/lib/debug/lib/modules/%s/",
				       ds->release);

	f->build_id = elf_build_id(f->elf);
	if (vm && (strncmp(vm, ds->release, strlen(ds->release)) ||
		   vm[strlen(ds->release)] != ' ')) {
		snprintf(err, errlen, "%s was built for kernel %.*s, not for "
			 "%s", f->path, (int)strcspn(vm, " "), vm, ds->release);
		return -1;
	}
	if (strncmp(f->path, dbg, strlen(dbg)) || !f->build_id)
		return 0;
	const char *real = arena_printf("/lib/modules/%s/%s", ds->release,
					f->path + strlen(dbg));
	const char *id = file_build_id(real);

	if (id && strcmp(id, f->build_id)) {
		snprintf(err, errlen, "the debuginfo %s (build id %s) does not "
			 "match the module %s (build id %s)", f->path,
			 f->build_id, real, id);
		return -1;
	}
	return 0;
}

/* Is the symbol in a section the kernel frees after init? */
static bool init_section(Elf *elf, GElf_Word shndx)
{
	size_t shstrndx;
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, shndx);
	const char *name;

	return scn && gelf_getshdr(scn, &sh) &&
	       !elf_getshdrstrndx(elf, &shstrndx) &&
	       (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
	       !strncmp(name, ".init", 5);
}

static void add_fsym(struct fsym **tab, size_t *n, size_t *cap,
		     const char *name, uint64_t addr, uint64_t size)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		*tab = realloc(*tab, *cap * sizeof(**tab));
	}
	(*tab)[(*n)++] = (struct fsym){ .name = arena_strdup(name),
					.addr = addr, .size = size };
}

/* A module's symbols, at the addresses libdwfl gave its sections. */
static void module_symtab(struct dwfile *f, Dwfl_Module *m, Dwarf_Addr bias)
{
	int n = dwfl_module_getsymtab(m);
	size_t cap = 0, dcap = 0, ecap = 0;

	for (int i = 1; i < n; i++) {
		GElf_Sym s;
		GElf_Addr addr;
		GElf_Word shndx;
		Elf *elf;
		Dwarf_Addr b;
		const char *name = dwfl_module_getsym_info(m, i, &s, &addr,
							   &shndx, &elf, &b);
		int type = name ? GELF_ST_TYPE(s.st_info) : STT_NOTYPE;

		if (!name || !*name || shndx == SHN_UNDEF)
			continue;
		if (!strncmp(name, "__ksymtab_", 10)) {
			if (f->nexports == ecap) {
				ecap = ecap ? 2 * ecap : 64;
				f->exports = realloc(f->exports, ecap *
						     sizeof(*f->exports));
			}
			f->exports[f->nexports++] = arena_strdup(name + 10);
		}
		if (type == STT_FUNC && !init_section(elf, shndx))
			add_fsym(&f->syms, &f->nsyms, &cap, name, addr - bias,
				 s.st_size);
		else if (type == STT_OBJECT)
			add_fsym(&f->dsyms, &f->ndsyms, &dcap, name,
				 addr - bias, s.st_size);
	}
	if (f->exports)
		qsort(f->exports, f->nexports, sizeof(*f->exports), cmp_str);
	if (f->syms)
		mark_unique(f->syms, f->nsyms);
	if (f->dsyms)
		mark_unique(f->dsyms, f->ndsyms);
}

/* Open the module file path through libdwfl; shown is its name in pp. */
static struct dwfile *open_module(struct dwarf_session *ds, const char *path,
				  const char *shown, char *err, size_t errlen)
{
	for (struct dwfile *f = ds->files; f; f = f->next)
		if (f->module && !strcmp(f->path, path))
			return f;
	elf_version(EV_CURRENT);
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *kname = arena_strndup(base, strcspn(base, "."));

	for (char *p = kname; *p; p++)
		if (*p == '-')
			*p = '_';
	Dwfl_Module *m = dwfl ? dwfl_report_offline(dwfl, kname, path, -1) :
			 NULL;
	Dwarf_Addr bias = 0, ebias = 0;
	struct dwfile *f = NEW(struct dwfile);

	dwfl_report_end(dwfl, NULL, NULL);
	f->path = arena_strdup(path);
	f->module = shown;
	f->kname = kname;
	f->dwfl = dwfl;
	f->elf = m ? dwfl_module_getelf(m, &ebias) : NULL;
	f->dw = m ? dwfl_module_getdwarf(m, &bias) : NULL;
	if (!f->elf || !f->dw) {
		snprintf(err, errlen, "%s has no DWARF debuginfo (build it "
			 "with -g): %s", path, dwfl_errmsg(-1));
		return NULL;
	}
	const char *name = modinfo(f->elf, "name");

	if (name)
		f->kname = name;
	if (check_module(ds, f, err, errlen))
		return NULL;
	f->cfi = dwfl_module_dwarf_cfi(m, &bias);
	if (!f->cfi)
		f->cfi = dwfl_module_eh_cfi(m, &bias);
	module_symtab(f, m, bias);
	find_srcroot(f);
	f->next = ds->files;
	ds->files = f;
	return f;
}

/*
 * Where module NAME's .ko files are looked for, in order: the
 * directories of $SYSTEMTAP_DEBUGINFO_PATH (colon-separated; modules
 * built with -g, such as the testsuite's), the -dbg package's tree,
 * then the installed modules (a -g build installed there).
 */
static const char **module_dirs(struct dwarf_session *ds, size_t *n)
{
	const char *env = getenv("SYSTEMTAP_DEBUGINFO_PATH");
	const char **dirs = arena_alloc(3 * sizeof(*dirs));
	size_t k = 0;

	if (env && *env) {
		size_t cap = 3;

		for (const char *p = env; *p; ) {
			size_t len = strcspn(p, ":");

			if (len) {
				if (k + 2 >= cap) {
					const char **d = arena_alloc(2 * cap *
							sizeof(*d));
					memcpy(d, dirs, k * sizeof(*d));
					dirs = d;
					cap *= 2;
				}
				dirs[k++] = arena_strndup(p, len);
			}
			p += len + (p[len] == ':');
		}
	}
	dirs[k++] = arena_printf("/usr/lib/debug/lib/modules/%s", ds->release);
	dirs[k++] = arena_printf("/lib/modules/%s", ds->release);
	*n = k;
	return dirs;
}

/* The kernel's name of a .ko path: its base name, - as _. */
static const char *ko_name(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *n = arena_strndup(base, strcspn(base, "."));

	for (char *p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

/*
 * The .ko files of the modules that glob names, one per module (the
 * first directory that has it wins), sorted by name. A glob with a /
 * is the path of one file.
 */
static size_t module_files(struct dwarf_session *ds, const char *glob,
			   const char ***out)
{
	const char **paths = NULL;
	size_t n = 0, cap = 0, ndirs;

	if (strchr(glob, '/')) {
		paths = arena_alloc(sizeof(*paths));
		paths[0] = glob;
		*out = paths;
		return access(glob, R_OK) ? 0 : 1;
	}
	const char **dirs = module_dirs(ds, &ndirs);
	char *pat = arena_strdup(glob), *norm = arena_strdup(glob);

	/* find(1) matches either spelling; fnmatch below decides */
	for (char *p = pat; *p; p++)
		if (*p == '-' || *p == '_')
			*p = '?';
	for (char *p = norm; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t d = 0; d < ndirs && !strchr(glob, '\''); d++) {
		FILE *fp = popen(arena_printf("find '%s' -name '%s.ko' "
					      "2>/dev/null | sort", dirs[d],
					      pat), "r");
		char *line = NULL;
		size_t lcap = 0;

		while (fp && getline(&line, &lcap, fp) > 0) {
			line[strcspn(line, "\n")] = '\0';
			const char *name = ko_name(line);
			size_t k;

			if (fnmatch(norm, name, 0))
				continue;
			for (k = 0; k < n; k++)
				if (!strcmp(ko_name(paths[k]), name))
					break;
			if (k < n)
				continue;
			if (n == cap) {
				const char **p2 = arena_alloc((cap ? 2 * cap :
						16) * sizeof(*p2));

				if (n)
					memcpy(p2, paths, n * sizeof(*p2));
				paths = p2;
				cap = cap ? 2 * cap : 16;
			}
			paths[n++] = arena_strdup(line);
		}
		free(line);
		if (fp)
			pclose(fp);
	}
	*out = paths;
	return n;
}

/* Is module name built into the kernel (modules.builtin)? */
static bool builtin_module(struct dwarf_session *ds, const char *name)
{
	FILE *fp = fopen(arena_printf("/lib/modules/%s/modules.builtin",
				      ds->release), "r");
	char line[512];
	bool found = false;

	while (fp && !found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(ko_name(line), ko_name(name));
	}
	if (fp)
		fclose(fp);
	return found;
}

/* The one module a name (or path) names: for @cast and @var. */
static struct dwfile *module_file(struct dwarf_session *ds, const char *mod,
				  char *err, size_t errlen)
{
	const char **paths;
	size_t n = module_files(ds, mod, &paths);

	if (!n) {
		struct stat st;

		if (strchr(mod, '/'))
			snprintf(err, errlen, "cannot read module %s: %s", mod,
				 strerror(errno));
		else if (builtin_module(ds, mod))
			snprintf(err, errlen, "%s is built into kernel %s, not "
				 "a module: probe kernel.function(...) instead",
				 mod, ds->release);
		else if (stat(arena_printf("/usr/lib/debug/lib/modules/%s",
					   ds->release), &st))
			snprintf(err, errlen, "no debuginfo for module %s of "
				 "kernel %s: install the package "
				 "linux-image-%s-dbg, or build the module "
				 "with -g and add its directory to "
				 "SYSTEMTAP_DEBUGINFO_PATH", mod, ds->release,
				 ds->release);
		else
			snprintf(err, errlen, "no module %s for kernel %s in "
				 "/usr/lib/debug/lib/modules/%s, "
				 "/lib/modules/%s or SYSTEMTAP_DEBUGINFO_PATH",
				 mod, ds->release, ds->release, ds->release);
		return NULL;
	}
	return open_module(ds, paths[0], strchr(mod, '/') ? mod :
			   ko_name(paths[0]), err, errlen);
}

/* The function symbols of one .ko (no DWARF needed) matching func. */
static int ko_funcs(const char *path, const char *kname, const char *func,
		    void (*fn)(const char *kname, const char *name, void *arg),
		    void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
	Elf_Scn *scn = NULL;
	const char **seen = NULL;
	size_t nseen = 0;
	int n = 0;

	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;

		seen = calloc(count + 1, sizeof(*seen));
		for (size_t i = 0; data && i < count; i++) {
			GElf_Sym sym;
			const char *name;
			size_t k;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF ||
			    init_section(elf, sym.st_shndx) ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)) ||
			    fnmatch(func, name, 0))
				continue;
			/* GCC's parts (f.cold, f.part.0) only when asked */
			if (strchr(name, '.') && !strchr(func, '.'))
				continue;
			for (k = 0; k < nseen && strcmp(seen[k], name); k++)
				;
			if (k < nseen)
				continue;
			seen[nseen++] = name;
			fn(kname, arena_strdup(name), arg);
			n++;
		}
		free(seen);
		seen = NULL;
	}
	elf_end(elf);
	if (fd >= 0)
		close(fd);
	return n;
}

int dwarf_module_funcs(struct dwarf_session *ds, const char *module,
		       const char *func,
		       void (*fn)(const char *kname, const char *name,
				  void *arg),
		       void *arg, char *err, size_t errlen)
{
	const char **paths;
	size_t np = module_files(ds, module, &paths);
	int n = 0;

	elf_version(EV_CURRENT);
	if (!np) {
		module_file(ds, module, err, errlen);
		return -1;
	}
	for (size_t i = 0; i < np; i++)
		n += ko_funcs(paths[i], ko_name(paths[i]), func, fn, arg);
	return n;
}

bool dwarf_available(struct dwarf_session *ds, const char *module,
		     char *err, size_t errlen)
{
	if (module)
		return module_file(ds, module, err, errlen) != NULL;
	if (kernel_file(ds))
		return true;
	snprintf(err, errlen, "%s", ds->kernel_err);
	return false;
}

/* ---- probe places ---- */

struct resolve {
	struct dwarf_session *ds;
	const struct dwarf_spec *spec;
	struct dwfile *f;
	void (*fn)(const struct dwarf_place *pl, void *arg);
	void *arg;
	int n;			/* places so far */
	Dwarf_Die cu;		/* current CU */
	Dwarf_Lines *lines;	/* its line table */
	size_t nlines;
	Dwarf_Off *inl;		/* abstract inline functions that matched */
	size_t ninl, capinl;
	struct cu_names *building;	/* index entry of the CU walked */
};

/* A file name relative to the source tree: "fs/read_write.c". */
static const char *rel_file(struct dwfile *f, const char *path)
{
	size_t n = strlen(f->srcroot);

	if (path && n && !strncmp(path, f->srcroot, n))
		return path + n;
	return path ? path : "";
}

static bool file_matches(const char *pat, const char *file)
{
	const char *base = strrchr(file, '/');

	return !fnmatch(pat, file, 0) ||
	       (!strchr(pat, '/') && base && !fnmatch(pat, base + 1, 0));
}

static const char *die_name(Dwarf_Die *d)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &a));
}

static bool is_exported(struct dwfile *f, const char *name)
{
	return f->exports && bsearch(&name, f->exports, f->nexports,
				     sizeof(*f->exports), cmp_str);
}

/*
 * Link-time address -> kprobe symbol+offset. Returns false when the
 * address is in no probeable function.
 */
static bool place_symbol(struct resolve *r, uint64_t addr,
			 const char **sym, uint64_t *off)
{
	struct dwfile *f = r->f;
	const struct fsym *tab = f->module ? f->syms : r->ds->ksorted;
	size_t n = f->module ? f->nsyms : r->ds->nk;
	int64_t delta = 0;

	if (!f->module) {
		if (!tab)
			return false;
		/* kallsyms of the running kernel hold relocated addresses */
		if (r->ds->ksyms->stext && f->stext)
			delta = (int64_t)(r->ds->ksyms->stext - f->stext);
	}
	uint64_t a = addr + (uint64_t)delta;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tab[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	const struct fsym *s = &tab[lo - 1];

	if (a >= s->addr + (s->size ? s->size : 1))
		return false;
	if (f->module) {
		*sym = arena_printf("%s:%s", f->kname, s->name);
		*off = a - s->addr;
	} else if (s->unique || !f->stext) {
		*sym = s->name;
		*off = a - s->addr;
	} else {
		*sym = "_stext";
		*off = addr - f->stext;
	}
	return true;
}

/* The line table rows of the CU, loaded once per CU. */
static bool cu_lines(struct resolve *r)
{
	if (!r->lines && dwarf_getsrclines(&r->cu, &r->lines, &r->nlines))
		return false;
	return true;
}

/*
 * The address after the prologue of a function entered at entry and
 * ending at end (see the file comment for the rule).
 */
static uint64_t after_prologue(struct resolve *r, uint64_t entry, uint64_t end)
{
	int entry_line = -1;
	uint64_t best = 0;

	if (!cu_lines(r))
		return entry;
	for (size_t i = 0; i < r->nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(r->lines, i);
		Dwarf_Addr a;
		int line;
		bool stmt = true, pe = false;

		if (dwarf_lineaddr(l, &a) || a < entry || a >= end)
			continue;
		dwarf_lineno(l, &line);
		dwarf_linebeginstatement(l, &stmt);
		dwarf_lineprologueend(l, &pe);
		if (a == entry) {
			if (entry_line < 0)
				entry_line = line;
			continue;
		}
		if (pe)
			return a;
		if (stmt && entry_line >= 0 && line != entry_line &&
		    (!best || a < best))
			best = a;
	}
	return best ? best : entry;
}

static void emit_place(struct resolve *r, Dwarf_Die *d, Dwarf_Die *sub,
		       uint64_t addr, const char *pp, const char *func)
{
	struct dwarf_place pl = { .pp = pp, .func = func, .addr = addr,
				  .build_id = r->f->module ? r->f->build_id :
					      NULL };
	struct dwarf_point *pt = NEW(struct dwarf_point);

	if (!place_symbol(r, addr, &pl.symbol, &pl.offset))
		return;
	pt->f = r->f;
	pt->die = dwarf_dieoffset(d);
	pt->sub = dwarf_dieoffset(sub);
	pt->addr = addr;
	pt->ret = r->spec->ret;
	pt->pp = pp;
	pl.pt = pt;
	r->n++;
	r->fn(&pl, r->arg);
}

static const char *pp_prefix(struct resolve *r, bool statement)
{
	if (r->f->module)
		return arena_printf("module(\"%s\").%s", r->f->module,
				    statement ? "statement" : "function");
	return statement ? "kernel.statement" : "kernel.function";
}

/* .statement: one place per matching line of the function's code. */
static void statement_places(struct resolve *r, Dwarf_Die *d, Dwarf_Die *sub,
			     const char *name, const char *file)
{
	const struct dwarf_spec *sp = r->spec;
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	int decl = 0;

	dwarf_decl_line(d, &decl);
	if (!cu_lines(r))
		return;
	int lo_line = sp->line_lo + (sp->rel_line ? decl : 0);
	int hi_line = sp->line_hi == INT_MAX ? INT_MAX :
		      sp->line_hi + (sp->rel_line ? decl : 0);
	/* lowest address of each line, in line order */
	struct { int line; uint64_t addr; } *best = NULL;
	size_t nbest = 0, cap = 0;

	while ((off = dwarf_ranges(d, off, &base, &lo, &hi)) > 0) {
		for (size_t i = 0; i < r->nlines; i++) {
			Dwarf_Line *l = dwarf_onesrcline(r->lines, i);
			Dwarf_Addr a;
			int line;
			bool stmt = true, end = false;

			if (dwarf_lineaddr(l, &a) || a < lo || a >= hi)
				continue;
			dwarf_lineno(l, &line);
			dwarf_linebeginstatement(l, &stmt);
			dwarf_lineendsequence(l, &end);
			/* lines before the function are inlined code */
			if (!stmt || end || line < lo_line ||
			    line > hi_line || line < decl)
				continue;
			if (strcmp(rel_file(r->f, dwarf_linesrc(l, NULL, NULL)),
				   file))
				continue;
			size_t k;

			for (k = 0; k < nbest; k++)
				if (best[k].line == line)
					break;
			if (k == nbest) {
				if (nbest == cap) {
					cap = cap ? 2 * cap : 32;
					best = realloc(best, cap * sizeof(*best));
				}
				best[nbest].line = line;
				best[nbest++].addr = a;
			} else if (a < best[k].addr) {
				best[k].addr = a;
			}
		}
	}
	for (size_t i = 0; i < nbest; i++)
		for (size_t j = i + 1; j < nbest; j++)
			if (best[j].line < best[i].line) {
				int tl = best[i].line;
				uint64_t ta = best[i].addr;

				best[i] = best[j];
				best[j].line = tl;
				best[j].addr = ta;
			}
	for (size_t i = 0; i < nbest; i++)
		emit_place(r, d, sub, best[i].addr,
			   arena_printf("%s(\"%s@%s:%d\")", pp_prefix(r, true),
					name, file, best[i].line), name);
	free(best);
}

/* A function or inline instance d (its abstract origin named name). */
static void instance(struct resolve *r, Dwarf_Die *d, Dwarf_Die *sub,
		     bool inlined)
{
	const struct dwarf_spec *sp = r->spec;
	const char *name = die_name(d);
	const char *file = rel_file(r->f, dwarf_decl_file(d));
	int line = 0;
	Dwarf_Addr entry, lo, hi = 0;

	if (!name)
		return;
	dwarf_decl_line(d, &line);
	if (sp->file && !file_matches(sp->file, file))
		return;
	if (sp->statement) {
		statement_places(r, d, sub, name, file);
		return;
	}
	if (sp->line_lo && (line < sp->line_lo || line > sp->line_hi))
		return;
	if (dwarf_lowpc(d, &lo) || dwarf_highpc(d, &hi)) {
		Dwarf_Addr base;

		/*
		 * Split functions (a .cold part in .text.unlikely) have
		 * only ranges; GCC lists the part with the entry first.
		 */
		if (dwarf_ranges(d, 0, &base, &lo, &hi) <= 0)
			lo = hi = 0;
		if (dwarf_entrypc(d, &entry)) {
			if (!hi)
				return;
			entry = lo;
		}
		if (hi <= entry)
			hi = entry + 1;
	} else if (dwarf_entrypc(d, &entry)) {
		return;
	}
	uint64_t addr = inlined || sp->ret || sp->entry ? entry :
			after_prologue(r, entry, hi > entry ? hi : entry + 1);
	const char *suffix = sp->ret ? ".return" : sp->call ? ".call" :
			     sp->inline_only ? ".inline" :
			     sp->exported ? ".exported" : "";

	/* assembly functions have no source file in the DWARF */
	emit_place(r, d, sub, addr, file && *file ?
		   arena_printf("%s(\"%s@%s:%d\")%s", pp_prefix(r, false),
				name, file, line, suffix) :
		   arena_printf("%s(\"%s\")%s", pp_prefix(r, false), name,
				suffix), name);
}

/* Walk the CU once for instances of the matched inline functions. */
static void walk_inlines(struct resolve *r, Dwarf_Die *d, Dwarf_Die *sub)
{
	Dwarf_Die child;

	if (dwarf_child(d, &child))
		return;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Die *s = sub;
		Dwarf_Die here;

		if (tag == DW_TAG_subprogram) {
			here = child;
			s = &here;
		}
		if (tag == DW_TAG_inlined_subroutine && s) {
			Dwarf_Attribute a;
			Dwarf_Die origin;

			if (dwarf_attr(&child, DW_AT_abstract_origin, &a) &&
			    dwarf_formref_die(&a, &origin)) {
				Dwarf_Off o = dwarf_dieoffset(&origin);

				for (size_t i = 0; i < r->ninl; i++)
					if (r->inl[i] == o) {
						instance(r, &child, s, true);
						break;
					}
			}
		}
		if (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
		    tag == DW_TAG_inlined_subroutine)
			walk_inlines(r, &child, s);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* ---- the function index (see struct cu_index) ---- */

static const char *index_path(struct dwarf_session *ds, struct dwfile *f)
{
	if (!ds->cache_dir || !f->build_id)
		return NULL;
	return arena_printf("%s/dwarf/%s.idx", ds->cache_dir, f->build_id);
}

static struct cu_names *index_add_cu(struct cu_index *x, Dwarf_Off off)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 1024;
		struct cu_names *n = arena_alloc(cap * sizeof(*n));

		if (x->n)
			memcpy(n, x->cus, x->n * sizeof(*n));
		x->cus = n;
		x->cap = cap;
	}
	x->cus[x->n] = (struct cu_names){ .off = off };
	return &x->cus[x->n++];
}

static void index_add_name(struct cu_names *cu, const char *name)
{
	if (cu->n == cu->cap) {
		size_t cap = cu->cap ? 2 * cu->cap : 16;
		const char **n = arena_alloc(cap * sizeof(*n));

		if (cu->n)
			memcpy(n, cu->names, cu->n * sizeof(*n));
		cu->names = n;
		cu->cap = cap;
	}
	cu->names[cu->n++] = name;
}

/* Read a saved index; NULL when there is none (or it is damaged). */
static struct cu_index *index_load(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct strbuf sb = { 0 };
	char buf[65536];
	size_t k;

	if (!fp)
		return NULL;
	while ((k = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, k);
	fclose(fp);
	if (!sb.len || strncmp(sb.buf, "CU ", 3))
		return NULL;
	struct cu_index *x = NEW(struct cu_index);
	struct cu_names *cu = NULL;

	for (char *line = sb.buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			return NULL;	/* cut short: build it again */
		*nl = '\0';
		if (!strncmp(line, "CU ", 3))
			cu = index_add_cu(x, strtoull(line + 3, NULL, 10));
		else if (cu)
			index_add_name(cu, line);
	}
	return x;
}

/* Write the index next to the others, atomically. */
static void index_save(const char *path, const struct cu_index *x)
{
	const char *dir = arena_strndup(path, strrchr(path, '/') - path);
	const char *tmp = arena_printf("%s.%d", path, (int)getpid());
	FILE *fp;

	mkdir(arena_strndup(dir, strrchr(dir, '/') - dir), 0755);
	mkdir(dir, 0755);
	fp = fopen(tmp, "w");
	if (!fp)
		return;
	for (size_t i = 0; i < x->n; i++) {
		fprintf(fp, "CU %llu\n", (unsigned long long)x->cus[i].off);
		for (size_t j = 0; j < x->cus[i].n; j++)
			fprintf(fp, "%s\n", x->cus[i].names[j]);
	}
	if (fclose(fp) || rename(tmp, path))
		unlink(tmp);
}

/* Can CU i of the index hold a function the pattern matches? */
static bool index_may_match(const struct cu_names *cu, const char *pattern)
{
	for (size_t j = 0; j < cu->n; j++)
		if (!fnmatch(pattern, cu->names[j], 0))
			return true;
	return false;
}

bool dwarf_uses_module_addrs(const struct dwarf_session *ds)
{
	return ds && ds->module_addrs;
}

const char *dwarf_index_note(const struct dwarf_session *ds)
{
	return ds ? ds->index_note : NULL;
}

void dwarf_set_cache(struct dwarf_session *ds, const char *dir)
{
	ds->cache_dir = dir;
}

static int one_func(Dwarf_Die *d, void *arg)
{
	struct resolve *r = arg;
	const struct dwarf_spec *sp = r->spec;
	const char *name = die_name(d);
	Dwarf_Addr lo;
	Dwarf_Attribute a;

	if (!name)
		return DWARF_CB_OK;
	if (r->building && !dwarf_attr(d, DW_AT_declaration, &a))
		index_add_name(r->building, name);
	if (fnmatch(sp->func, name, 0))
		return DWARF_CB_OK;
	if (dwarf_attr(d, DW_AT_declaration, &a))
		return DWARF_CB_OK;
	if (sp->exported && !is_exported(r->f, name))
		return DWARF_CB_OK;
	if (dwarf_lowpc(d, &lo) == 0 || dwarf_attr(d, DW_AT_ranges, &a)) {
		if (!sp->inline_only)
			instance(r, d, d, false);
		return DWARF_CB_OK;
	}
	if (dwarf_func_inline(d) && !sp->call && !sp->ret && !sp->exported) {
		if (r->ninl == r->capinl) {
			r->capinl = r->capinl ? 2 * r->capinl : 16;
			r->inl = realloc(r->inl, r->capinl * sizeof(*r->inl));
		}
		r->inl[r->ninl++] = dwarf_dieoffset(d);
	}
	return DWARF_CB_OK;
}

/* Places of the spec in the CU at r->cu: its functions, then inlines. */
static void resolve_cu(struct resolve *r)
{
	r->lines = NULL;
	r->nlines = 0;
	r->ninl = 0;
	dwarf_getfuncs(&r->cu, one_func, r, 0);
	if (r->ninl)
		walk_inlines(r, &r->cu, NULL);
}

static void resolve_file(struct resolve *r)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	const char *cpat = NULL;
	size_t plen = r->spec->file ? strlen(r->spec->file) : 0;
	const char *ipath = index_path(r->ds, r->f);
	struct cu_index *build = NULL;
	size_t ci = 0;

	/* the function index says which CUs can match at all */
	if (ipath && !r->f->index) {
		r->f->index = index_load(ipath);
		if (r->f->index)
			r->ds->index_note = arena_printf("DWARF function index: "
				"%s (%zu CUs)", ipath, r->f->index->n);
		else
			build = NEW(struct cu_index);
	}
	/* a .c pattern names the CU: skip the others unread */
	if (plen > 2 && !strcmp(r->spec->file + plen - 2, ".c"))
		cpat = r->spec->file;
	if (r->f->index) {
		/* only the CUs the index names, straight to their DIEs */
		for (ci = 0; ci < r->f->index->n; ci++) {
			const struct cu_names *cu = &r->f->index->cus[ci];

			if (!index_may_match(cu, r->spec->func) ||
			    !dwarf_offdie(r->f->dw, cu->off, &r->cu))
				continue;
			if (cpat && !file_matches(cpat, rel_file(r->f,
							dwarf_diename(&r->cu))))
				continue;
			resolve_cu(r);
		}
		free(r->inl);
		r->inl = NULL;
		r->capinl = 0;
		return;
	}
	while (dwarf_nextcu(r->f->dw, off, &next, &hsize, NULL, NULL,
			    NULL) == 0) {
		Dwarf_Off cu_off = off + hsize;

		off = next;
		if (!dwarf_offdie(r->f->dw, cu_off, &r->cu))
			continue;
		r->building = build ? index_add_cu(build, cu_off) : NULL;
		if (cpat && !file_matches(cpat, rel_file(r->f,
						dwarf_diename(&r->cu)))) {
			if (build) {
				/* names only: no places from this CU */
				const struct dwarf_spec *keep = r->spec;
				struct dwarf_spec none = *keep;

				none.func = "";
				r->spec = &none;
				dwarf_getfuncs(&r->cu, one_func, r, 0);
				r->spec = keep;
			}
			continue;
		}
		resolve_cu(r);
	}
	r->building = NULL;
	if (build) {
		index_save(ipath, build);
		r->f->index = build;
		r->ds->index_note = arena_printf("DWARF function index: built "
						 "%s (%zu CUs)", ipath,
						 build->n);
	}
	free(r->inl);
	r->inl = NULL;
	r->capinl = 0;
}

static bool parse_line(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v <= 0 || v > INT_MAX)
		return false;
	*out = (int)v;
	return *end == '\0' || *end == '-';
}

int dwarf_parse_spec(const char *pattern, struct dwarf_spec *sp,
		     const char **err)
{
	char *p = arena_strdup(pattern);
	char *at = strchr(p, '@');
	char *line = NULL;

	sp->func = p;
	sp->file = NULL;
	sp->line_lo = sp->line_hi = 0;
	sp->rel_line = false;
	if (at) {
		*at = '\0';
		sp->file = at + 1;
		line = strpbrk(at + 1, ":+");
	} else if (strpbrk(p, ":+")) {
		*err = "a line number needs a file, as in \"func@file.c:12\"";
		return -1;
	}
	if (!*sp->func)
		sp->func = "*";
	if (!line)
		return 0;
	sp->rel_line = *line == '+';
	*line++ = '\0';
	if (!strcmp(line, "*")) {
		sp->line_lo = 1;
		sp->line_hi = INT_MAX;
		return 0;
	}
	if (!parse_line(line, &sp->line_lo)) {
		*err = arena_printf("bad line number '%s' (expected N, N-M "
				    "or *)", line);
		return -1;
	}
	sp->line_hi = sp->line_lo;
	char *dash = strchr(line, '-');

	if (dash && (!parse_line(dash + 1, &sp->line_hi) ||
		     sp->line_hi < sp->line_lo)) {
		*err = arena_printf("bad line range '%s'", line);
		return -1;
	}
	return 0;
}

int dwarf_resolve(struct dwarf_session *ds, const struct dwarf_spec *spec,
		  void (*fn)(const struct dwarf_place *pl, void *arg),
		  void *arg, char *err, size_t errlen)
{
	struct resolve r = { .ds = ds, .spec = spec, .fn = fn, .arg = arg };

	if (!spec->module) {
		r.f = kernel_file(ds);
		if (!r.f) {
			snprintf(err, errlen, "%s", ds->kernel_err);
			return -1;
		}
		if (!ds->ksorted) {
			snprintf(err, errlen, "no symbol table for kernel %s",
				 ds->release);
			return -1;
		}
		resolve_file(&r);
		return r.n;
	}
	const char **paths;
	size_t n = module_files(ds, spec->module, &paths);

	if (!n)
		return module_file(ds, spec->module, err, errlen) ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		r.f = open_module(ds, paths[i], strchr(spec->module, '/') ?
				  spec->module : ko_name(paths[i]), err,
				  errlen);
		if (!r.f)
			return -1;
		resolve_file(&r);
	}
	return r.n;
}

bool dwarf_point_is_return(const struct dwarf_point *pt)
{
	return pt && pt->ret;
}

/* ---- types ---- */

/* A C-like name of a type DIE: "struct file*", "size_t", "char*". */
static const char *type_str(Dwarf_Die *t, int depth)
{
	Dwarf_Die sub;
	Dwarf_Attribute a;
	const char *name = dwarf_diename(t);
	bool has_sub = dwarf_attr_integrate(t, DW_AT_type, &a) &&
		       dwarf_formref_die(&a, &sub);

	if (depth > 10)
		return "?";
	switch (dwarf_tag(t)) {
	case DW_TAG_base_type:
	case DW_TAG_typedef:
		return name ? name : "?";
	case DW_TAG_structure_type:
		return arena_printf("struct %s", name ? name : "{...}");
	case DW_TAG_union_type:
		return arena_printf("union %s", name ? name : "{...}");
	case DW_TAG_enumeration_type:
		return arena_printf("enum %s", name ? name : "{...}");
	case DW_TAG_pointer_type:
		if (!has_sub)
			return "void*";
		if (dwarf_tag(&sub) == DW_TAG_subroutine_type)
			return "void*";
		return arena_printf("%s*", type_str(&sub, depth + 1));
	case DW_TAG_const_type:
		return has_sub ? arena_printf("const %s", type_str(&sub, depth + 1))
			       : "const void";
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		return has_sub ? type_str(&sub, depth + 1) : "void";
	case DW_TAG_array_type:
		return has_sub ? arena_printf("%s[]", type_str(&sub, depth + 1))
			       : "?[]";
	default:
		return "?";
	}
}

/* The type of a DIE (variable, member, pointer...), peeled of typedefs. */
static bool die_type(Dwarf_Die *d, Dwarf_Die *out, bool peel)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(d, DW_AT_type, &a) ||
	    !dwarf_formref_die(&a, &t))
		return false;
	if (!peel) {
		*out = t;
		return true;
	}
	return dwarf_peel_type(&t, out) == 0;
}

static int64_t type_size(Dwarf_Die *t)
{
	Dwarf_Word size;

	if (dwarf_tag(t) == DW_TAG_pointer_type)
		return 8;
	if (dwarf_aggregate_size(t, &size))
		return -1;
	return (int64_t)size;
}

static bool is_signed(Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	if (dwarf_tag(t) == DW_TAG_enumeration_type) {
		Dwarf_Die u;

		if (die_type(t, &u, true))
			return is_signed(&u);
		return true;
	}
	if (dwarf_formudata(dwarf_attr(t, DW_AT_encoding, &a), &enc))
		return false;
	return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
}

static bool is_char(Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	if (dwarf_tag(t) != DW_TAG_base_type || type_size(t) != 1)
		return false;
	dwarf_formudata(dwarf_attr(t, DW_AT_encoding, &a), &enc);
	return enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
}

static bool is_scalar(Dwarf_Die *t)
{
	int tag = dwarf_tag(t);

	return tag == DW_TAG_base_type || tag == DW_TAG_pointer_type ||
	       tag == DW_TAG_enumeration_type;
}

/* ---- locations and C ---- */

enum lkind { L_MEM, L_REG, L_VAL, L_PIECES, L_NONE };

struct cloc;

/* Where a value is, as C. */
struct cloc {
	enum lkind kind;
	const char *c;		/* L_MEM: address; L_VAL: value (u64) */
	int reg;		/* L_REG: DWARF register number */
	int bit_size, bit_off;	/* bitfield: bits, and offset from bit 0 */
	/* L_PIECES: a value composed of parts (DW_OP_piece), in order;
	 * a part of kind L_NONE was optimized out */
	struct cloc *pieces;
	int *piece_size;	/* bytes of each part */
	int npieces;
};

/* Translation of one target expression. */
struct tr {
	struct dwarf_session *ds;
	const struct dwarf_point *pt;
	struct dwfile *f;
	const char *loc;	/* C literal of the script location */
	const char *what;	/* "$file", for messages */
	const char *err;	/* first error */
	int nops;		/* operands (stp_tv[]) used */
	int items;		/* pretty-printing budget */
};

static const char *const regnames[] = {
	"ax", "dx", "cx", "bx", "si", "di", "bp", "sp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ip",
};

static const char *reg_c(int reg)
{
	return arena_printf("c->regs->%s", regnames[reg]);
}

static bool fail(struct tr *t, const char *msg)
{
	if (!t->err)
		t->err = msg;
	return false;
}

/* The runtime address of a link-time kernel address. */
static const char *kaslr(struct tr *t, uint64_t addr)
{
	return arena_printf("stp_kaslr_addr(0x%llxUL, 0x%llxUL)",
			    (unsigned long long)addr,
			    (unsigned long long)t->f->ref_addr);
}

/*
 * The run-time address of a module's link-time (libdwfl layout) data
 * address: its symbol, found by name in the loaded module at run time
 * (runtime/stp_modules.h), plus the offset.
 */
static bool module_addr(struct tr *t, uint64_t addr, const char **out)
{
	const struct fsym *tab = t->f->dsyms;
	size_t lo = 0, hi = t->f->ndsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tab[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct fsym *s = lo ? &tab[lo - 1] : NULL;

	if (!s || addr >= s->addr + (s->size ? s->size : 1))
		return fail(t, arena_printf("%s: no symbol of module %s holds "
			    "its address", t->what, t->f->kname));
	if (!s->unique)
		return fail(t, arena_printf("%s: module %s has several "
			    "symbols named %s", t->what, t->f->kname, s->name));
	*out = arena_printf("({ static struct stp_modsym stp_ms_; "
			    "stp_module_addr(c, &stp_ms_, \"%s:%s\", "
			    "0x%llxUL, %s); })", t->f->kname, s->name,
			    (unsigned long long)(addr - s->addr), t->loc);
	t->ds->module_addrs = true;
	return true;
}

static bool frame_base(struct tr *t, Dwarf_Die *sub, const char **out);

/* The CFA at the probe address, from .debug_frame. */
static bool cfa(struct tr *t, const char **out)
{
	Dwarf_Frame *fr;
	Dwarf_Op *ops;
	size_t nops;

	if (!t->f->cfi || dwarf_cfi_addrframe(t->f->cfi, t->pt->addr, &fr))
		return fail(t, arena_printf("no call frame information at "
			    "0x%llx for the frame base of %s",
			    (unsigned long long)t->pt->addr, t->what));
	if (dwarf_frame_cfa(fr, &ops, &nops) || nops != 1 ||
	    ops[0].atom < DW_OP_breg0 || ops[0].atom > DW_OP_breg16) {
		free(fr);
		return fail(t, arena_printf("unsupported frame address rule "
			    "for %s", t->what));
	}
	*out = arena_printf("(unsigned long)(%s + %lld)",
			    reg_c(ops[0].atom - DW_OP_breg0),
			    (long long)ops[0].number);
	free(fr);
	return true;
}

/*
 * Translate a DWARF expression into a location. The stack holds C
 * expressions of type unsigned long.
 */
static bool translate(struct tr *t, const Dwarf_Op *ops, size_t n,
		      Dwarf_Die *sub, struct cloc *out)
{
	const char *st[32];
	int sp = 0;

#define NEED(k) do { if (sp < (k)) return fail(t, arena_printf( \
		"bad location expression for %s", t->what)); } while (0)
#define PUSH(x) do { const char *v_ = (x); if (sp == 32) return fail(t, \
		"location expression too deep"); st[sp++] = v_; } while (0)
	for (size_t i = 0; i < n; i++) {
		const Dwarf_Op *op = &ops[i];
		unsigned a = op->atom;
		const char *x;

		if (a >= DW_OP_reg0 && a <= DW_OP_reg16) {
			if (n != 1 && !(n == 2 && ops[1].atom == DW_OP_piece))
				return fail(t, arena_printf("%s is in pieces, "
					    "which are not supported",
					    t->what));
			*out = (struct cloc){ .kind = L_REG,
					      .reg = (int)(a - DW_OP_reg0) };
			return true;
		}
		if (a >= DW_OP_breg0 && a <= DW_OP_breg16) {
			PUSH(arena_printf("(unsigned long)(%s + %lld)",
					  reg_c((int)(a - DW_OP_breg0)),
					  (long long)op->number));
			continue;
		}
		if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
			PUSH(arena_printf("%uUL", a - DW_OP_lit0));
			continue;
		}
		switch (a) {
		case DW_OP_regx:
			if (op->number > 16)
				return fail(t, "register beyond the general "
					    "purpose ones");
			*out = (struct cloc){ .kind = L_REG,
					      .reg = (int)op->number };
			return n == 1 || (n == 2 &&
					  ops[1].atom == DW_OP_piece) ? true :
			       fail(t, "register pieces are not supported");
		case DW_OP_bregx:
			if (op->number > 16)
				return fail(t, "register beyond the general "
					    "purpose ones");
			PUSH(arena_printf("(unsigned long)(%s + %lld)",
					  reg_c((int)op->number),
					  (long long)op->number2));
			break;
		case DW_OP_fbreg:
			if (!frame_base(t, sub, &x))
				return false;
			PUSH(arena_printf("(%s + %lld)", x,
					  (long long)op->number));
			break;
		case DW_OP_call_frame_cfa:
			if (!cfa(t, &x))
				return false;
			PUSH(x);
			break;
		case DW_OP_addr:
			if (t->f->module) {
				if (!module_addr(t, op->number, &x))
					return false;
				PUSH(x);
				break;
			}
			PUSH(kaslr(t, op->number));
			break;
		case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u:
		case DW_OP_const8u: case DW_OP_constu:
			PUSH(arena_printf("%lluUL",
					  (unsigned long long)op->number));
			break;
		case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s:
		case DW_OP_const8s: case DW_OP_consts:
			PUSH(arena_printf("(unsigned long)%lldLL",
					  (long long)op->number));
			break;
		case DW_OP_plus_uconst:
			NEED(1);
			st[sp - 1] = arena_printf("(%s + %lluUL)", st[sp - 1],
						  (unsigned long long)op->number);
			break;
		case DW_OP_dup:
			NEED(1);
			PUSH(st[sp - 1]);
			break;
		case DW_OP_drop:
			NEED(1);
			sp--;
			break;
		case DW_OP_swap:
			NEED(2);
			x = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = x;
			break;
		case DW_OP_over:
			NEED(2);
			PUSH(st[sp - 2]);
			break;
		case DW_OP_deref:
			NEED(1);
			st[sp - 1] = arena_printf("(unsigned long)stp_deref(c, "
						  "%s, 8, %s)", st[sp - 1],
						  t->loc);
			break;
		case DW_OP_deref_size:
			NEED(1);
			st[sp - 1] = arena_printf("(unsigned long)stp_deref(c, "
						  "%s, %d, %s)", st[sp - 1],
						  (int)op->number, t->loc);
			break;
		case DW_OP_neg: case DW_OP_not:
			NEED(1);
			st[sp - 1] = arena_printf("(%s%s)", a == DW_OP_neg ?
						  "-" : "~", st[sp - 1]);
			break;
		case DW_OP_plus: case DW_OP_minus: case DW_OP_mul:
		case DW_OP_and: case DW_OP_or: case DW_OP_xor:
		case DW_OP_shl: case DW_OP_shr: case DW_OP_shra: {
			static const struct { unsigned op; const char *c; } bin[] = {
				{ DW_OP_plus, "+" }, { DW_OP_minus, "-" },
				{ DW_OP_mul, "*" }, { DW_OP_and, "&" },
				{ DW_OP_or, "|" }, { DW_OP_xor, "^" },
				{ DW_OP_shl, "<<" }, { DW_OP_shr, ">>" },
			};
			NEED(2);
			if (a == DW_OP_shra) {
				x = arena_printf("(unsigned long)((long)%s >> "
						 "%s)", st[sp - 2], st[sp - 1]);
			} else {
				const char *o = "+";

				for (size_t k = 0; k < 8; k++)
					if (bin[k].op == a)
						o = bin[k].c;
				x = arena_printf("(%s %s %s)", st[sp - 2], o,
						 st[sp - 1]);
			}
			sp -= 2;
			PUSH(x);
			break;
		}
		case DW_OP_stack_value:
			NEED(1);
			if (i + 1 != n && ops[i + 1].atom != DW_OP_piece)
				return fail(t, "pieces are not supported");
			*out = (struct cloc){ .kind = L_VAL, .c = st[sp - 1] };
			return true;
		case DW_OP_implicit_value:
			return fail(t, arena_printf("%s has an implicit value, "
				    "which is not supported", t->what));
		case DW_OP_piece:
			if (i + 1 == n && sp == 1)
				goto done;
			return fail(t, arena_printf("%s is in pieces, which "
				    "are not supported", t->what));
		case DW_OP_entry_value:
		case DW_OP_GNU_entry_value:
			return fail(t, arena_printf("%s is not available at "
				    "this address: only its value at function "
				    "entry is described", t->what));
		case DW_OP_implicit_pointer:
		case DW_OP_GNU_implicit_pointer:
			return fail(t, arena_printf("%s was optimized into an "
				    "implicit pointer, which is not supported",
				    t->what));
		default:
			return fail(t, arena_printf("unsupported DWARF operation "
				    "0x%x in the location of %s", a, t->what));
		}
	}
done:
	if (sp < 1)
		return fail(t, arena_printf("%s: empty location", t->what));
	*out = (struct cloc){ .kind = L_MEM, .c = st[sp - 1] };
	return true;
#undef NEED
#undef PUSH
}

/*
 * An expression of several DW_OP_piece parts (a struct in two
 * registers, a value half in a register): each part translated alone.
 */
static bool translate_pieces(struct tr *t, const Dwarf_Op *ops, size_t n,
			     Dwarf_Die *sub, struct cloc *out)
{
	struct cloc *parts = arena_alloc(8 * sizeof(*parts));
	int *sizes = arena_alloc(8 * sizeof(*sizes));
	int np = 0;
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (ops[i].atom != DW_OP_piece)
			continue;
		if (np == 8)
			return fail(t, arena_printf("%s is in too many pieces",
						    t->what));
		sizes[np] = (int)ops[i].number;
		if (i == start)
			parts[np] = (struct cloc){ .kind = L_NONE };
		else if (!translate(t, ops + start, i - start, sub,
				    &parts[np]))
			return false;
		np++;
		start = i + 1;
	}
	if (start != n)
		return fail(t, arena_printf("bad location expression for %s",
					    t->what));
	*out = (struct cloc){ .kind = L_PIECES, .pieces = parts,
			      .piece_size = sizes, .npieces = np };
	return true;
}

/* Evaluate a location attribute at the probe address. */
static bool attr_loc(struct tr *t, Dwarf_Attribute *a, Dwarf_Die *sub,
		     struct cloc *out, bool quiet)
{
	Dwarf_Op *exprs[4];
	size_t lens[4];
	int n = dwarf_getlocation_addr(a, t->pt->addr, exprs, lens, 4);
	int npieces = 0;

	if (n <= 0 || lens[0] == 0) {
		if (!quiet)
			fail(t, arena_printf("%s is not available at this "
				 "address (optimized out)", t->what));
		return false;
	}
	for (size_t i = 0; i < lens[0]; i++)
		npieces += exprs[0][i].atom == DW_OP_piece;
	if (npieces > 1)
		return translate_pieces(t, exprs[0], lens[0], sub, out);
	return translate(t, exprs[0], lens[0], sub, out);
}

/* The value of a register or value location, as u64 C. */
static const char *raw_value(struct cloc *l)
{
	return l->kind == L_REG ? arena_printf("(u64)%s", reg_c(l->reg)) :
	       l->c;
}

/*
 * The location of bytes [off, off + size) of a value in pieces: inside
 * one part (memory: its address plus the distance; register or value:
 * shifted down), so members of a struct in two registers can be read.
 */
static bool piece_at(struct tr *t, struct cloc *l, int64_t off,
		     int64_t size)
{
	int64_t at = 0;

	for (int i = 0; i < l->npieces; i++) {
		struct cloc *p = &l->pieces[i];
		int64_t ps = l->piece_size[i];

		if (off < at || off + size > at + ps) {
			at += ps;
			continue;
		}
		if (p->kind == L_NONE)
			return fail(t, arena_printf("%s is not available at "
				    "this address (optimized out)", t->what));
		if (p->kind == L_MEM)
			*l = (struct cloc){ .kind = L_MEM, .c = arena_printf(
				"(%s + %lld)", p->c, (long long)(off - at)) };
		else if (p->kind == L_REG || p->kind == L_VAL)
			*l = (struct cloc){ .kind = L_VAL, .c = arena_printf(
				"(%s >> %lld)", raw_value(p),
				(long long)((off - at) * 8)) };
		else
			break;
		return true;
	}
	return fail(t, arena_printf("%s spans pieces of its location, which "
				    "is not supported", t->what));
}

/* A scalar of up to 8 bytes in pieces, put together as u64 C. */
static const char *pieces_value(struct tr *t, struct cloc *l, int64_t size)
{
	struct strbuf sb = { 0 };
	int64_t at = 0;

	sb_puts(&sb, "(0");
	for (int i = 0; i < l->npieces && at < size; i++) {
		struct cloc *p = &l->pieces[i];
		int ps = l->piece_size[i];
		const char *v;

		if (p->kind == L_NONE) {
			fail(t, arena_printf("%s is partly optimized out at "
					     "this address", t->what));
			return "0";
		}
		if (p->kind == L_MEM)
			v = arena_printf("stp_deref(c, %s, %d, %s)", p->c,
					 ps >= 8 ? 8 : ps, t->loc);
		else if (p->kind == L_REG || p->kind == L_VAL)
			v = raw_value(p);
		else
			return fail(t, "nested pieces"), "0";
		sb_printf(&sb, " | (((u64)(%s) & 0x%llxULL) << %lld)", v,
			  ps >= 8 ? ~0ULL : (1ULL << (ps * 8)) - 1,
			  (long long)(at * 8));
		at += ps;
	}
	sb_puts(&sb, ")");
	return sb.buf;
}

static bool frame_base(struct tr *t, Dwarf_Die *sub, const char **out)
{
	Dwarf_Attribute a;
	struct cloc l;

	if (!sub || !dwarf_attr_integrate(sub, DW_AT_frame_base, &a))
		return fail(t, arena_printf("%s needs a frame base the "
			    "function does not have", t->what));
	const char *save = t->what;

	t->what = arena_printf("the frame base of %s", save);
	bool ok = attr_loc(t, &a, NULL, &l, false);

	t->what = save;
	if (!ok)
		return false;
	if (l.kind == L_REG)
		*out = arena_printf("(unsigned long)%s", reg_c(l.reg));
	else
		*out = l.c;	/* an address is the base itself */
	return true;
}

/* C of the value of a scalar of type ty at l, as int64_t. */
static const char *fetch(struct tr *t, struct cloc *l, Dwarf_Die *ty)
{
	int64_t size = type_size(ty);
	bool sign = is_signed(ty);
	const char *raw;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		fail(t, arena_printf("%s: cannot read a value of %lld bytes",
				     t->what, (long long)size));
		return "0";
	}
	if (l->kind == L_REG)
		raw = arena_printf("(u64)%s", reg_c(l->reg));
	else if (l->kind == L_VAL)
		raw = l->c;
	else if (l->kind == L_PIECES)
		raw = pieces_value(t, l, size);
	else
		raw = arena_printf("stp_deref(c, %s, %d, %s)", l->c,
				   (int)size, t->loc);
	if (l->bit_size) {
		/* shift the field to the top, then back (sign-extends) */
		int left = 64 - l->bit_off - l->bit_size;

		return arena_printf("(int64_t)(((%s)(((u64)%s) << %d)) >> %d)",
				    sign ? "s64" : "u64", raw, left,
				    64 - l->bit_size);
	}
	static const char *const st[] = { "s8", "s16", "s32", "s64" };
	static const char *const ut[] = { "u8", "u16", "u32", "u64" };
	int k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	return arena_printf("(int64_t)(%s)(%s)", sign ? st[k] : ut[k], raw);
}

/* Find member name in struct/union st (anonymous members searched). */
static bool find_member(Dwarf_Die *st, const char *name, Dwarf_Die *out,
			int64_t *off)
{
	Dwarf_Die m;

	if (dwarf_child(st, &m))
		return false;
	do {
		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		Dwarf_Attribute a;
		Dwarf_Word moff = 0;

		if (dwarf_attr(&m, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &moff);
		const char *mn = dwarf_diename(&m);

		if (mn && !strcmp(mn, name)) {
			*out = m;
			*off = (int64_t)moff;
			return true;
		}
		Dwarf_Die mt;

		if (!mn && die_type(&m, &mt, true) &&
		    (dwarf_tag(&mt) == DW_TAG_structure_type ||
		     dwarf_tag(&mt) == DW_TAG_union_type)) {
			int64_t sub;

			if (find_member(&mt, name, out, &sub)) {
				*off = (int64_t)moff + sub;
				return true;
			}
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

/* Member names of st, for "did you mean" lists. */
static const char *member_list(Dwarf_Die *st)
{
	Dwarf_Die m;
	struct strbuf sb = { 0 };
	int n = 0;

	if (dwarf_child(st, &m))
		return "";
	do {
		const char *mn = dwarf_diename(&m);

		if (dwarf_tag(&m) == DW_TAG_member && mn && n++ < 12)
			sb_printf(&sb, "%s%s", sb.len ? " " : "", mn);
	} while (dwarf_siblingof(&m, &m) == 0);
	if (n > 12)
		sb_puts(&sb, " ...");
	return sb.buf ? sb.buf : "";
}

/* The value of a pointer at l as an address location. */
static bool deref_ptr(struct tr *t, struct cloc *l, Dwarf_Die *ptr)
{
	const char *v = fetch(t, l, ptr);

	*l = (struct cloc){ .kind = L_MEM,
			    .c = arena_printf("(unsigned long)%s", v) };
	return !t->err;
}

/*
 * Part of an aggregate of at most 8 bytes held in a register (a union
 * or small struct passed by value): the value shifted down by off
 * bytes (a C expression, checked at run time to stay inside).
 */
static bool reg_part(struct tr *t, struct cloc *l, Dwarf_Die *agg,
		     const char *off)
{
	int64_t size = type_size(agg);
	const char *v = l->kind == L_REG ?
			arena_printf("(u64)%s", reg_c(l->reg)) : l->c;

	if (size <= 0 || size > 8)
		return fail(t, arena_printf("%s is held in registers; its "
			    "parts cannot be read", t->what));
	*l = (struct cloc){ .kind = L_VAL, .c = arena_printf(
		"((u64)(%s) < %lld ? (u64)(%s) >> ((u64)(%s) * 8) : 0)", off,
		(long long)size, v, off) };
	return true;
}

/* ->name or .name: ty is peeled; on success l and ty move on. */
static bool member(struct tr *t, struct cloc *l, Dwarf_Die *ty,
		   const char *name)
{
	if (dwarf_tag(ty) == DW_TAG_pointer_type) {
		Dwarf_Die to;

		if (!die_type(ty, &to, true))
			return fail(t, arena_printf("%s is a void pointer: use "
				    "@cast to give it a type", t->what));
		if (!deref_ptr(t, l, ty))
			return false;
		*ty = to;
	}
	int tag = dwarf_tag(ty);

	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
		return fail(t, arena_printf("%s is a %s, not a struct or union "
			    "(no member '%s')", t->what, type_str(ty, 0),
			    name));
	Dwarf_Die m;
	int64_t off;

	if (!find_member(ty, name, &m, &off))
		return fail(t, arena_printf("%s (%s) has no member '%s'; its "
			    "members: %s", t->what, type_str(ty, 0), name,
			    member_list(ty)));
	Dwarf_Attribute a;
	Dwarf_Word bits = 0, boff = 0;

	if (l->kind == L_PIECES) {
		Dwarf_Die mt;
		int64_t msize = die_type(&m, &mt, true) ? type_size(&mt) : -1;

		if (msize <= 0 || !piece_at(t, l, off, msize))
			return msize > 0 ? false : fail(t, arena_printf(
				"%s->%s has no size", t->what, name));
		if (l->kind == L_VAL && !dwarf_formudata(dwarf_attr(&m,
				DW_AT_bit_size, &a), &bits) && bits)
			return fail(t, arena_printf("%s is in registers; its "
				    "bitfields cannot be read", t->what));
		off = 0;
		if (l->kind == L_VAL) {
			t->what = arena_printf("%s->%s", t->what, name);
			*ty = mt;
			return true;
		}
	}
	if (l->kind != L_MEM) {
		bool bitf = !dwarf_formudata(dwarf_attr(&m, DW_AT_bit_size,
							&a), &bits) && bits;

		if (bitf)
			return fail(t, arena_printf("%s is held in a register; "
				    "its bitfields cannot be read", t->what));
		if (!reg_part(t, l, ty, arena_printf("%lld", (long long)off)))
			return false;
		t->what = arena_printf("%s->%s", t->what, name);
		return die_type(&m, ty, true) ||
		       fail(t, arena_printf("member '%s' has no type", name));
	}
	l->c = arena_printf("(%s + %lld)", l->c, (long long)off);

	if (!dwarf_formudata(dwarf_attr(&m, DW_AT_bit_size, &a), &bits) &&
	    bits) {
		Dwarf_Die mt;

		if (!die_type(&m, &mt, true))
			return fail(t, "bitfield without a type");
		int64_t size = type_size(&mt);

		if (!dwarf_formudata(dwarf_attr(&m, DW_AT_data_bit_offset,
						&a), &boff)) {
			/* DWARF 4/5: bits from the start of the struct */
			l->c = arena_printf("(%s + %llu)", l->c,
					    (unsigned long long)(boff / 8 / size * size));
			l->bit_off = (int)(boff - boff / 8 / size * size * 8);
		} else if (!dwarf_formudata(dwarf_attr(&m, DW_AT_bit_offset,
						       &a), &boff)) {
			/* DWARF 2/3: from the top of the storage unit */
			l->bit_off = (int)(size * 8 - boff - bits);
		}
		l->bit_size = (int)bits;
	}
	t->what = arena_printf("%s->%s", t->what, name);
	return die_type(&m, ty, true) ||
	       fail(t, arena_printf("member '%s' has no type", name));
}

/* [i]: ty is peeled; idx is a C expression. */
static bool index_into(struct tr *t, struct cloc *l, Dwarf_Die *ty,
		       const char *idx)
{
	Dwarf_Die el;
	int tag = dwarf_tag(ty);

	if (tag != DW_TAG_pointer_type && tag != DW_TAG_array_type)
		return fail(t, arena_printf("%s is a %s; only pointers and "
			    "arrays can be indexed", t->what,
			    type_str(ty, 0)));
	if (!die_type(ty, &el, true))
		return fail(t, arena_printf("%s points to void", t->what));
	if (tag == DW_TAG_array_type) {
		Dwarf_Die sr;
		int dims = 0;

		if (dwarf_child(ty, &sr) == 0)
			do
				dims += dwarf_tag(&sr) == DW_TAG_subrange_type;
			while (dwarf_siblingof(&sr, &sr) == 0);
		if (dims > 1)
			return fail(t, arena_printf("%s: arrays of more than "
				    "one dimension are not supported",
				    t->what));
		if (l->kind != L_MEM) {
			int64_t es = type_size(&el);

			if (es <= 0 || !reg_part(t, l, ty, arena_printf(
					"(%s) * %lld", idx, (long long)es)))
				return false;
			t->what = arena_printf("%s[%s]", t->what, idx);
			*ty = el;
			return true;
		}
	} else if (!deref_ptr(t, l, ty)) {
		return false;
	}
	int64_t size = type_size(&el);

	if (size <= 0)
		return fail(t, arena_printf("%s: elements of unknown size",
					    t->what));
	l->c = arena_printf("(%s + (unsigned long)(%s) * %lld)", l->c, idx,
			    (long long)size);
	t->what = arena_printf("%s[%s]", t->what, idx);
	*ty = el;
	return true;
}

/* ---- variables in scope ---- */

/* The scopes to search at the point, innermost first. */
static int point_scopes(const struct dwarf_point *pt, Dwarf_Die **out,
			Dwarf_Die *sub)
{
	Dwarf_Die die, cu;
	Dwarf_Die *all = NULL;

	if (!dwarf_offdie(pt->f->dw, pt->die, &die) ||
	    !dwarf_offdie(pt->f->dw, pt->sub, sub) ||
	    !dwarf_diecu(&die, &cu, NULL, NULL))
		return 0;
	int n = dwarf_getscopes(&cu, pt->addr, &all);
	int k;

	for (k = 0; k < n; k++)
		if (dwarf_dieoffset(&all[k]) == pt->die)
			break;
	if (k == n) {
		free(all);
		*out = malloc(sizeof(Dwarf_Die));
		(*out)[0] = die;
		return 1;
	}
	/* lexical blocks inside our function only, not other inlines */
	int first = k;

	while (first > 0 && dwarf_tag(&all[first - 1]) == DW_TAG_lexical_block)
		first--;
	*out = malloc((size_t)(k - first + 1) * sizeof(Dwarf_Die));
	for (int i = first; i <= k; i++)
		(*out)[i - first] = all[i];
	free(all);
	return k - first + 1;
}

struct var {
	Dwarf_Die die;		/* variable or formal_parameter */
	const char *name;
	bool param;
};

/* Parameters in order, then locals innermost first; shadowed skipped. */
static size_t scope_vars(const struct dwarf_point *pt, struct var **out,
			 Dwarf_Die *sub)
{
	Dwarf_Die *scopes = NULL;
	int n = point_scopes(pt, &scopes, sub);
	struct var *v = NULL;
	size_t nv = 0, cap = 0;

	for (int pass = 0; pass < 2; pass++) {
		/* parameters: the function (outermost); locals: all */
		for (int i = pass ? 0 : n - 1; i >= 0 && i < n; i++) {
			Dwarf_Die d;

			if (dwarf_child(&scopes[i], &d))
				continue;
			do {
				int tag = dwarf_tag(&d);
				const char *name = die_name(&d);

				if (tag != (pass ? DW_TAG_variable :
					    DW_TAG_formal_parameter) || !name)
					continue;
				size_t k;

				for (k = 0; k < nv; k++)
					if (!strcmp(v[k].name, name))
						break;
				if (k < nv)
					continue;
				if (nv == cap) {
					cap = cap ? 2 * cap : 16;
					v = realloc(v, cap * sizeof(*v));
				}
				v[nv++] = (struct var){ d, name, !pass };
			} while (dwarf_siblingof(&d, &d) == 0);
		}
	}
	free(scopes);
	*out = v;
	return nv;
}

/* Location of a variable at the point; false with t->err. */
static bool var_loc(struct tr *t, struct var *v, Dwarf_Die *sub,
		    struct cloc *l, bool quiet)
{
	Dwarf_Attribute a;

	if (dwarf_attr(&v->die, DW_AT_const_value, &a)) {
		Dwarf_Sword sv;
		Dwarf_Word uv;

		if (dwarf_formsdata(&a, &sv) == 0)
			*l = (struct cloc){ .kind = L_VAL, .c = arena_printf(
				"(u64)%lldLL", (long long)sv) };
		else if (dwarf_formudata(&a, &uv) == 0)
			*l = (struct cloc){ .kind = L_VAL, .c = arena_printf(
				"(u64)%lluULL", (unsigned long long)uv) };
		else
			return quiet ? false : fail(t, "unsupported constant");
		return true;
	}
	if (!dwarf_attr(&v->die, DW_AT_location, &a)) {
		if (!quiet)
			fail(t, arena_printf("%s is not available at this "
				 "address (optimized out)", t->what));
		return false;
	}
	return attr_loc(t, &a, sub, l, quiet);
}

/* "$a $b" of the variables available at the point. */
static const char *available(struct dwarf_session *ds,
			     const struct dwarf_point *pt)
{
	struct var *v;
	Dwarf_Die sub;
	size_t n = scope_vars(pt, &v, &sub);
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct tr t = { .ds = ds, .pt = pt, .f = pt->f, .loc = "0",
				.what = v[i].name };
		struct cloc l;

		if (!pt->ret && var_loc(&t, &v[i], &sub, &l, true))
			sb_printf(&sb, "%s$%s", sb.len ? " " : "", v[i].name);
	}
	free(v);
	return sb.buf ? sb.buf : "none";
}

const char *dwarf_list_vars(struct dwarf_session *ds,
			    const struct dwarf_point *pt)
{
	struct var *v;
	Dwarf_Die sub;
	size_t n = scope_vars(pt, &v, &sub);
	struct strbuf sb = { 0 };
	Dwarf_Die ty;

	if (pt->ret && die_type(&sub, &ty, false))
		sb_printf(&sb, " $return:%s", type_str(&ty, 0));
	for (size_t i = 0; i < n; i++) {
		struct tr t = { .ds = ds, .pt = pt, .f = pt->f, .loc = "0",
				.what = v[i].name };
		struct cloc l;

		if (pt->ret && !v[i].param)
			continue;
		if (!pt->ret && !var_loc(&t, &v[i], &sub, &l, true))
			continue;
		sb_printf(&sb, " $%s:%s", v[i].name,
			  die_type(&v[i].die, &ty, false) ? type_str(&ty, 0) :
			  "void");
	}
	free(v);
	return sb.buf ? sb.buf : "";
}

/* ---- pretty printing ---- */

/* Append C that prints the value at l of type ty into stp_buf. */
static void pretty(struct tr *t, struct strbuf *code, struct cloc *l,
		   Dwarf_Die *ty, int depth, bool hex)
{
	int tag = dwarf_tag(ty);

	if (--t->items < 0) {
		sb_puts(code, "stp_catf(stp_buf, \"...\");");
		return;
	}
	if (tag == DW_TAG_pointer_type) {
		Dwarf_Die to;

		if (!hex && die_type(ty, &to, true) && is_char(&to)) {
			sb_printf(code, "stp_cat_kstr(c, stp_buf, (unsigned "
				  "long)%s);", fetch(t, l, ty));
			return;
		}
		sb_printf(code, "stp_catf(stp_buf, \"0x%%llx\", (unsigned "
			  "long long)%s);", fetch(t, l, ty));
		return;
	}
	if (!hex && is_char(ty)) {
		sb_printf(code, "stp_cat_char(stp_buf, %s);", fetch(t, l, ty));
		return;
	}
	if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) {
		sb_printf(code, "stp_catf(stp_buf, \"%s\", (long long)%s);",
			  hex ? "0x%llx" : is_signed(ty) ? "%lld" : "%llu",
			  fetch(t, l, ty));
		return;
	}
	/* a struct or union of up to 8 bytes may be in a register */
	bool in_reg = l->kind != L_MEM && (tag == DW_TAG_array_type ||
					   (type_size(ty) > 8 &&
					    l->kind != L_PIECES));

	if ((tag != DW_TAG_structure_type && tag != DW_TAG_union_type &&
	     tag != DW_TAG_array_type) || depth <= 0 || in_reg) {
		sb_puts(code, tag == DW_TAG_array_type ?
			"stp_catf(stp_buf, \"[...]\");" :
			"stp_catf(stp_buf, \"{...}\");");
		return;
	}
	if (tag == DW_TAG_array_type) {
		Dwarf_Die el;
		Dwarf_Word count = 0;
		Dwarf_Die sr;

		if (!die_type(ty, &el, true) || dwarf_child(ty, &sr)) {
			sb_puts(code, "stp_catf(stp_buf, \"[...]\");");
			return;
		}
		Dwarf_Attribute a;
		Dwarf_Word ub;

		if (!dwarf_formudata(dwarf_attr(&sr, DW_AT_count, &a), &count))
			;
		else if (!dwarf_formudata(dwarf_attr(&sr, DW_AT_upper_bound,
						     &a), &ub))
			count = ub + 1;
		if (is_char(&el)) {
			sb_printf(code, "stp_cat_kstr_n(c, stp_buf, %s, %llu);",
				  l->c, (unsigned long long)count);
			return;
		}
		int64_t size = type_size(&el);

		sb_puts(code, "stp_catf(stp_buf, \"[\");");
		for (Dwarf_Word i = 0; i < count && i < 8 && size > 0; i++) {
			struct cloc e = { .kind = L_MEM, .c = arena_printf(
				"(%s + %lld)", l->c, (long long)(i * size)) };

			if (i)
				sb_puts(code, "stp_catf(stp_buf, \", \");");
			pretty(t, code, &e, &el, depth - 1, hex);
		}
		if (count > 8)
			sb_puts(code, "stp_catf(stp_buf, \", ...\");");
		sb_puts(code, "stp_catf(stp_buf, \"]\");");
		return;
	}
	Dwarf_Die m;
	bool first = true;

	sb_puts(code, "stp_catf(stp_buf, \"{\");");
	if (dwarf_child(ty, &m) == 0) {
		do {
			if (dwarf_tag(&m) != DW_TAG_member)
				continue;
			const char *mn = dwarf_diename(&m);
			struct cloc ml = *l;
			Dwarf_Die mt = *ty;
			struct tr sub = *t;

			if (!mn)
				continue;
			sub.err = NULL;
			if (!member(&sub, &ml, &mt, mn) || sub.err)
				continue;
			sb_printf(code, "stp_catf(stp_buf, \"%s.%s=\");",
				  first ? "" : ", ", mn);
			first = false;
			pretty(&sub, code, &ml, &mt, depth - 1, hex);
			t->items = sub.items;
		} while (dwarf_siblingof(&m, &m) == 0);
	}
	sb_puts(code, "stp_catf(stp_buf, \"}\");");
}

/* ---- target expressions ---- */

/* Does a DIE of tag t answer a plain type name (no struct/union/enum)? */
static bool plain_type_tag(int t)
{
	return t == DW_TAG_typedef || t == DW_TAG_base_type ||
	       t == DW_TAG_structure_type || t == DW_TAG_union_type ||
	       t == DW_TAG_enumeration_type;
}

/*
 * Search the CUs (top level) for a named struct/union/typedef/enum. A
 * plain name, as SystemTap takes it, is any of them ("task_struct").
 */
static bool find_type(struct dwfile *f, const char *spec, Dwarf_Die *out)
{
	int tag = DW_TAG_typedef;
	const char *name = spec;

	if (!strncmp(spec, "struct ", 7)) {
		tag = DW_TAG_structure_type;
		name = spec + 7;
	} else if (!strncmp(spec, "union ", 6)) {
		tag = DW_TAG_union_type;
		name = spec + 6;
	} else if (!strncmp(spec, "enum ", 5)) {
		tag = DW_TAG_enumeration_type;
		name = spec + 5;
	}
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(f->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		Dwarf_Attribute a;

		if (dwarf_offdie(f->dw, off + hsize, &cu) &&
		    dwarf_child(&cu, &d) == 0) {
			do {
				const char *dn;

				if ((dwarf_tag(&d) == tag ||
				     (name == spec &&
				      plain_type_tag(dwarf_tag(&d)))) &&
				    (dn = dwarf_diename(&d)) &&
				    !strcmp(dn, name) &&
				    !dwarf_attr(&d, DW_AT_declaration, &a)) {
					*out = d;
					return true;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return false;
}

/* @var("name@file"): a global variable of the kernel. */
static bool find_global(struct dwfile *f, const char *name, const char *file,
			Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(f->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		Dwarf_Attribute a;
		Dwarf_Off cu_off = off + hsize;

		off = next;
		if (!dwarf_offdie(f->dw, cu_off, &cu))
			continue;
		if (file && !file_matches(file, rel_file(f, dwarf_diename(&cu))))
			continue;
		if (dwarf_child(&cu, &d))
			continue;
		do {
			const char *dn;

			if (dwarf_tag(&d) == DW_TAG_variable &&
			    (dn = die_name(&d)) && !strcmp(dn, name) &&
			    dwarf_attr(&d, DW_AT_location, &a)) {
				*out = d;
				return true;
			}
		} while (dwarf_siblingof(&d, &d) == 0);
	}
	return false;
}

/* Follow the chain (->f, [i]) from (l, ty). */
static bool chain(struct tr *t, struct node *n, struct cloc *l, Dwarf_Die *ty)
{
	for (struct node *e = n->args; e; e = e->next) {
		if (e->name) {
			if (!member(t, l, ty, e->name))
				return false;
			continue;
		}
		const char *idx = e->lhs->kind == N_NUM ?
			arena_printf("%lldLL", (long long)e->lhs->num) :
			arena_printf("stp_tv[%d]", t->nops++);

		if (!index_into(t, l, ty, idx))
			return false;
	}
	return true;
}

/* The final value of (l, ty): scalar, or address of an array. */
static const char *value(struct tr *t, struct node *n, struct cloc *l,
			 Dwarf_Die *ty)
{
	if (n->op && !strcmp(n->op, "&")) {
		if (l->kind != L_MEM || l->bit_size)
			return fail(t, arena_printf("%s has no address (it is "
				    "in a register or a bitfield)", t->what)),
			       NULL;
		return arena_printf("(int64_t)%s", l->c);
	}
	int tag = dwarf_tag(ty);

	if (is_scalar(ty))
		return fetch(t, l, ty);
	if (tag == DW_TAG_array_type && l->kind == L_MEM)
		return arena_printf("(int64_t)%s", l->c);
	fail(t, arena_printf("%s is a %s: read a member with ->, or print "
			     "it with %s$", t->what, type_str(ty, 0), t->what));
	return NULL;
}

/* $$vars, $$parms, $$locals, $$return with 0, 1 or 2 trailing $. */
static enum type all_vars(struct tr *t, struct node *n, const char *which,
			  int style)
{
	struct strbuf code = { 0 };
	struct var *v;
	Dwarf_Die sub;
	size_t nv = scope_vars(t->pt, &v, &sub);
	bool parms = !strcmp(which, "parms") || !strcmp(which, "vars");
	bool locals = !strcmp(which, "locals") || !strcmp(which, "vars");
	bool first = true;

	sb_puts(&code, "({ stp_buf[0] = '\\0'; ");
	if (!strcmp(which, "return")) {
		Dwarf_Die ty;

		if (t->pt->ret && die_type(&sub, &ty, true)) {
			struct cloc l = { .kind = L_VAL, .c = "(u64)"
					  "regs_return_value(c->regs)" };

			sb_puts(&code, "stp_catf(stp_buf, \"return=\"); ");
			t->items = 300;
			pretty(t, &code, &l, &ty, style, style == 0);
		}
	}
	for (size_t i = 0; i < nv && !t->pt->ret; i++) {
		if ((v[i].param && !parms) || (!v[i].param && !locals))
			continue;
		struct tr vt = *t;
		struct cloc l;
		Dwarf_Die ty;

		vt.what = arena_printf("$%s", v[i].name);
		vt.err = NULL;
		vt.items = 300;
		sb_printf(&code, "stp_catf(stp_buf, \"%s%s=\"); ",
			  first ? "" : " ", v[i].name);
		first = false;
		if (!var_loc(&vt, &v[i], &sub, &l, true) ||
		    !die_type(&v[i].die, &ty, true)) {
			sb_puts(&code, "stp_catf(stp_buf, \"?\"); ");
			continue;
		}
		struct strbuf one = { 0 };

		pretty(&vt, &one, &l, &ty, style, style == 0);
		if (vt.err)
			sb_puts(&code, "stp_catf(stp_buf, \"?\"); ");
		else
			sb_add(&code, one.buf, one.len);
	}
	free(v);
	sb_puts(&code, "(const char *)stp_buf; })");
	n->str = code.buf;
	return TY_STRING;
}

/*
 * $var = value (guru mode): C that stores stp_wv (an int64_t gen.c
 * defines) where the scalar at (l, ty) lives: a pt_regs field (the
 * handler's changes to pt_regs are what the probed code resumes with),
 * or memory through the fault-safe stp_poke(). $return is rax.
 */
static enum type write_target(struct tr *t, struct node *n, struct cloc *l,
			      Dwarf_Die *ty, bool pretty_print,
			      const char **err)
{
	int64_t size = type_size(ty);
	const char *what = t->what;

	if (pretty_print || (n->op && !strcmp(n->op, "&")) || !is_scalar(ty)) {
		*err = arena_printf("cannot assign to %s: only a number or a "
				    "pointer can be written, not a %s", what,
				    type_str(ty, 0));
		return TY_UNKNOWN;
	}
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		*err = arena_printf("cannot assign to %s: %lld bytes", what,
				    (long long)size);
		return TY_UNKNOWN;
	}
	if (l->kind == L_VAL && t->pt && t->pt->ret &&
	    !strcmp(l->c, "(u64)regs_return_value(c->regs)")) {
		*l = (struct cloc){ .kind = L_REG, .reg = 0 };
	} else if (l->kind == L_VAL) {
		*err = arena_printf("cannot assign to %s: at this address it "
				    "is a computed value, not stored anywhere",
				    what);
		return TY_UNKNOWN;
	}
	if (l->kind == L_REG) {
		/* keep the register's other bytes */
		unsigned long long mask = size == 8 ? ~0ULL :
					  (1ULL << (size * 8)) - 1;

		n->str = arena_printf("(%s = (%s & ~0x%llxULL) | "
				      "((u64)stp_wv & 0x%llxULL))",
				      reg_c(l->reg), reg_c(l->reg), mask,
				      mask);
	} else if (l->bit_size) {
		n->str = arena_printf("stp_poke_bits(c, %s, %d, %d, %d, stp_wv, "
				      "%s)", l->c, (int)size, l->bit_off,
				      l->bit_size, t->loc);
	} else {
		n->str = arena_printf("stp_poke(c, %s, %d, stp_wv, %s)", l->c,
				      (int)size, t->loc);
	}
	return TY_LONG;
}

enum type dwarf_target(struct dwarf_session *ds, const struct dwarf_point *pt,
		       struct node *n, const char *loc, const char **err)
{
	struct tr t = { .ds = ds, .pt = pt, .loc = loc, .items = 300 };
	const char *name = n->name;
	struct cloc l;
	Dwarf_Die ty, sub;
	size_t len;
	int style = ast_dollar_suffix(name, &len) + (int)n->num;
	bool pretty_print = style > 0;

	t.what = arena_strndup(name, len);
	if (!strcmp(name, "@cast")) {
		const char *tyname = n->rhs->str;
		struct dwfile *f = kernel_file(ds);

		if (n->rhs->next && strcmp(n->rhs->next->str, "kernel"))
			f = module_file(ds, n->rhs->next->str,
					ds->kernel_err, sizeof(ds->kernel_err));
		if (!f) {
			*err = arena_printf("@cast needs debuginfo: %s",
					    ds->kernel_err);
			return TY_UNKNOWN;
		}
		t.f = f;
		/* "type:<header.h>" and "kernel<linux/sched.h>" forms */
		char *tn = arena_strdup(tyname);

		tn[strcspn(tn, ":<")] = '\0';
		while (*tn && tn[strlen(tn) - 1] == ' ')
			tn[strlen(tn) - 1] = '\0';
		if (!find_type(f, tn, &ty) || dwarf_peel_type(&ty, &ty)) {
			*err = arena_printf("@cast: no type '%s' in the "
					    "debuginfo of %s", tn,
					    f->module ? f->module : "the kernel");
			return TY_UNKNOWN;
		}
		t.nops = 1;
		t.what = arena_printf("@cast(..., \"%s\")", tn);
		l = (struct cloc){ .kind = L_MEM,
				   .c = "(unsigned long)stp_tv[0]" };
		goto follow;
	}
	if (!strcmp(name, "@var")) {
		const char *spec = n->rhs->str;
		char *vn = arena_strdup(spec);
		char *at = strchr(vn, '@');
		const char *file = NULL;
		Dwarf_Die d;
		struct var v;

		if (at) {
			*at = '\0';
			file = at + 1;
		}
		t.f = kernel_file(ds);
		if (n->rhs->next && strcmp(n->rhs->next->str, "kernel"))
			t.f = module_file(ds, n->rhs->next->str,
					  ds->kernel_err,
					  sizeof(ds->kernel_err));
		if (!t.f) {
			*err = arena_printf("@var needs debuginfo: %s",
					    ds->kernel_err);
			return TY_UNKNOWN;
		}
		if (!find_global(t.f, vn, file, &d)) {
			*err = arena_printf("@var: no global variable '%s'%s%s "
					    "in the debuginfo of %s", vn,
					    file ? " in " : "", file ? file : "",
					    t.f->module ? t.f->module :
					    "the kernel");
			return TY_UNKNOWN;
		}
		struct dwarf_point gp = { .f = t.f };

		t.pt = &gp;
		v = (struct var){ d, vn, false };
		t.what = arena_printf("@var(\"%s\")", spec);
		if (!var_loc(&t, &v, NULL, &l, false) ||
		    !die_type(&d, &ty, true)) {
			*err = t.err ? t.err : "@var: variable without a type";
			return TY_UNKNOWN;
		}
		t.pt = NULL;
		goto follow;
	}
	if (!pt) {
		*err = arena_printf("target variable '%s' can only be used in "
				    "a kernel.function, kernel.statement or "
				    "module(...) probe resolved with debuginfo",
				    name);
		return TY_UNKNOWN;
	}
	t.f = pt->f;
	if (!strncmp(name, "$$", 2)) {
		char *which = arena_strndup(name + 2, len - 2);

		if (strcmp(which, "vars") && strcmp(which, "parms") &&
		    strcmp(which, "locals") && strcmp(which, "return")) {
			*err = arena_printf("unknown '%s' (expected $$vars, "
					    "$$parms, $$locals or $$return)",
					    name);
			return TY_UNKNOWN;
		}
		if (n->args) {
			*err = arena_printf("%s cannot be followed by -> or []",
					    name);
			return TY_UNKNOWN;
		}
		return all_vars(&t, n, which, style ? style : 0);
	}
	if (!strcmp(t.what, "$return")) {
		dwarf_offdie(pt->f->dw, pt->sub, &sub);
		if (!pt->ret) {
			*err = arena_printf("$return is only available in "
					    ".return probes, not in %s", pt->pp);
			return TY_UNKNOWN;
		}
		if (!die_type(&sub, &ty, true)) {
			*err = arena_printf("$return: %s returns void", pt->pp);
			return TY_UNKNOWN;
		}
		l = (struct cloc){ .kind = L_VAL,
				   .c = "(u64)regs_return_value(c->regs)" };
		goto follow;
	}
	{
		struct var *v;
		size_t nv = scope_vars(pt, &v, &sub);
		size_t i;

		for (i = 0; i < nv; i++)
			if (!strcmp(v[i].name, t.what + 1))
				break;
		if (i == nv) {
			free(v);
			*err = arena_printf("unknown target variable '%s' in %s; "
					    "available: %s", t.what, pt->pp,
					    available(ds, pt));
			return TY_UNKNOWN;
		}
		if (pt->ret && n->write) {
			free(v);
			*err = arena_printf("cannot assign to '%s' in .return "
					    "probe %s: the function's variables "
					    "are gone at return", t.what,
					    pt->pp);
			return TY_UNKNOWN;
		}
		if (pt->ret && !n->at_entry) {
			free(v);
			*err = arena_printf("'%s' in .return probe %s: the "
					    "function's variables are gone at "
					    "return", t.what, pt->pp);
			return TY_UNKNOWN;
		}
		bool ok = var_loc(&t, &v[i], &sub, &l, false) &&
			  die_type(&v[i].die, &ty, true);

		free(v);
		if (!ok) {
			*err = arena_printf("target variable %s at %s; "
					    "available: %s", t.err ? t.err :
					    "has no type", pt->pp,
					    available(ds, pt));
			return TY_UNKNOWN;
		}
	}
follow:
	if (!chain(&t, n, &l, &ty)) {
		*err = t.err;
		return TY_UNKNOWN;
	}
	if (n->write)
		return write_target(&t, n, &l, &ty, pretty_print, err);
	if (pretty_print) {
		struct strbuf code = { 0 };

		sb_puts(&code, "({ stp_buf[0] = '\\0'; ");
		pretty(&t, &code, &l, &ty, style, false);
		sb_puts(&code, "(const char *)stp_buf; })");
		if (t.err) {
			*err = t.err;
			return TY_UNKNOWN;
		}
		n->str = code.buf;
		return TY_STRING;
	}
	const char *c = value(&t, n, &l, &ty);

	if (!c || t.err) {
		*err = t.err;
		return TY_UNKNOWN;
	}
	n->str = c;
	return TY_LONG;
}
