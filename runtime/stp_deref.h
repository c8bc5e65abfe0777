/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_deref.h - fault-safe reads of kernel memory for target variables.
 *
 * The translator (src/dwarf.c) turns $var, $var->field, @cast and @var
 * into C expressions that read pt_regs fields and memory. Every memory
 * read goes through stp_deref(), which copies with
 * copy_from_kernel_nofault(): a bad pointer makes the read return 0 and
 * records "kernel read fault at 0x... near <script location>" on the
 * context, which ends the probe handler at the next check. Once an
 * error is recorded further reads return 0 without touching memory.
 *
 * Global variables (DW_OP_addr) are link-time addresses; the kernel may
 * have been moved by KASLR as one block, so stp_kaslr_addr() adds the
 * distance between the run-time and link-time addresses of one exported
 * function, copy_from_kernel_nofault, whose link-time address the
 * translator takes from the same vmlinux.
 *
 * $var$ and $$parms build strings with stp_catf() and stp_cat_kstr(),
 * which append to a MAXSTRINGLEN buffer and truncate silently.
 */
#ifndef STP_DEREF_H
#define STP_DEREF_H

#include <linux/uaccess.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "stp_context.h"

/* Read size (1, 2, 4 or 8) bytes at addr, zero-extended; 0 on a fault. */
static __maybe_unused u64 stp_deref(struct stp_context *c, unsigned long addr,
				    int size, const char *loc)
{
	union {
		u8 b;
		u16 w;
		u32 l;
		u64 q;
	} v = { .q = 0 };

	if (c->error)
		return 0;
	if (copy_from_kernel_nofault(&v, (const void *)addr, size)) {
		stp_error(c, loc, "kernel read fault at 0x%lx", addr);
		return 0;
	}
	switch (size) {
	case 1:
		return v.b;
	case 2:
		return v.w;
	case 4:
		return v.l;
	default:
		return v.q;
	}
}

/*
 * Guru mode writes ($var = v): store size bytes of v at addr, with the
 * exception table catching a bad address (copy_to_kernel_nofault() is
 * not exported); a fault records "kernel write fault" like a read.
 * Returns v, the value of the assignment.
 */
static __maybe_unused s64 stp_poke(struct stp_context *c, unsigned long addr,
				   int size, s64 v, const char *loc)
{
	u8 b = v;
	u16 w = v;
	u32 l = v;
	u64 q = v;

	if (c->error)
		return v;
	if (addr < TASK_SIZE_MAX)
		goto fault;	/* a user address: not through this */
	pagefault_disable();
	switch (size) {
	case 1:
		__put_kernel_nofault((void *)addr, &b, u8, fault_on);
		break;
	case 2:
		__put_kernel_nofault((void *)addr, &w, u16, fault_on);
		break;
	case 4:
		__put_kernel_nofault((void *)addr, &l, u32, fault_on);
		break;
	default:
		__put_kernel_nofault((void *)addr, &q, u64, fault_on);
		break;
	}
	pagefault_enable();
	return v;
fault_on:
	pagefault_enable();
fault:
	stp_error(c, loc, "kernel write fault at 0x%lx", addr);
	return v;
}

/* A bitfield: read the unit, replace bits [off, off+bits), write back. */
static __maybe_unused s64 stp_poke_bits(struct stp_context *c,
					unsigned long addr, int size, int off,
					int bits, s64 v, const char *loc)
{
	u64 mask = (bits >= 64 ? ~0ULL : (1ULL << bits) - 1) << off;
	u64 unit = stp_deref(c, addr, size, loc);

	if (c->error)
		return v;
	stp_poke(c, addr, size, (s64)((unit & ~mask) |
				      (((u64)v << off) & mask)), loc);
	return v;
}

/* Run-time address of link-time kernel address a (see the top). */
static __maybe_unused unsigned long stp_kaslr_addr(unsigned long a,
						   unsigned long ref_link)
{
	return a + ((unsigned long)&copy_from_kernel_nofault - ref_link);
}

/* Append a formatted string to buf (MAXSTRINGLEN bytes). */
static __maybe_unused __printf(2, 3)
void stp_catf(char *buf, const char *fmt, ...)
{
	size_t len = strnlen(buf, MAXSTRINGLEN);
	va_list ap;

	if (len >= MAXSTRINGLEN - 1)
		return;
	va_start(ap, fmt);
	vscnprintf(buf + len, MAXSTRINGLEN - len, fmt, ap);
	va_end(ap);
}

/*
 * Append the kernel string at addr, at most max bytes of it, in double
 * quotes with C escapes; NULL prints as NULL, a fault as "<fault>"
 * (pretty printing is best effort, so a fault is not an error).
 */
static __maybe_unused void stp_cat_kstr_n(struct stp_context *c, char *buf,
					  unsigned long addr, size_t max)
{
	size_t len = strnlen(buf, MAXSTRINGLEN);
	size_t i;

	if (!addr) {
		stp_catf(buf, "NULL");
		return;
	}
	if (len + 2 >= MAXSTRINGLEN)
		return;
	buf[len++] = '"';
	for (i = 0; i < max && len + 5 < MAXSTRINGLEN; i++) {
		unsigned char ch;

		if (copy_from_kernel_nofault(&ch, (const void *)(addr + i), 1)) {
			buf[len] = '\0';
			stp_catf(buf, "<fault>");
			return;
		}
		if (!ch)
			break;
		if (ch == '"' || ch == '\\') {
			buf[len++] = '\\';
			buf[len++] = ch;
		} else if (ch == '\n') {
			buf[len++] = '\\';
			buf[len++] = 'n';
		} else if (ch < 32 || ch >= 127) {
			len += scnprintf(buf + len, MAXSTRINGLEN - len,
					 "\\%03o", ch);
		} else {
			buf[len++] = ch;
		}
	}
	buf[len++] = '"';
	buf[len] = '\0';
	(void)c;
}

/* Append a char as $var$ shows it: 'x', '\n', '\'', '\177'. */
static __maybe_unused void stp_cat_char(char *buf, u64 v)
{
	unsigned char ch = (unsigned char)v;

	if (ch == '\'' || ch == '\\')
		stp_catf(buf, "'\\%c'", ch);
	else if (ch == '\n')
		stp_catf(buf, "'\\n'");
	else if (ch == '\t')
		stp_catf(buf, "'\\t'");
	else if (ch < 32 || ch >= 127)
		stp_catf(buf, "'\\%03o'", ch);
	else
		stp_catf(buf, "'%c'", ch);
}

static __maybe_unused void stp_cat_kstr(struct stp_context *c, char *buf,
					unsigned long addr)
{
	stp_cat_kstr_n(c, buf, addr, MAXSTRINGLEN);
}

#endif /* STP_DEREF_H */
