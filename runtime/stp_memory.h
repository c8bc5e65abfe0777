/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_memory.h - reading memory at addresses that come from the script.
 *
 * A script can hand any number to kernel_long() or user_string(), so
 * every read goes through the kernel's fault-tolerant copies:
 * copy_from_kernel_nofault() for kernel addresses (it also refuses user
 * and non-canonical addresses) and copy_from_user_nofault() for the
 * current task's user memory (page faults disabled: memory that is not
 * resident reads as a fault instead of sleeping). A failed read records
 * "kernel long copy fault at 0x..." (the kind of read, then the address)
 * on the context, as SystemTap words it, and yields 0 or "".
 *
 * Strings are copied a page at a time (each chunk stops at a page end,
 * so a readable first byte means a readable chunk) until the NUL or
 * MAXSTRINGLEN - 1 bytes; a longer string is cut, not an error.
 */
#ifndef STP_MEMORY_H
#define STP_MEMORY_H

#include <linux/uaccess.h>
#include <linux/mm.h>
#include "stp_probes.h"

/* The C type a read of size bytes returns, for messages. */
static __maybe_unused const char *stp_size_name(int size)
{
	switch (size) {
	case 1:
		return "char";
	case 2:
		return "short";
	case 4:
		return "int";
	default:
		return "long";
	}
}

/* Copy size bytes from addr (kernel or current user memory); 0 or -EFAULT. */
static long stp_copy_nofault(void *dst, unsigned long addr, size_t size,
			     bool user)
{
	if (user)
		return copy_from_user_nofault(dst, (const void __user *)addr,
					      size);
	return copy_from_kernel_nofault(dst, (const void *)addr, size);
}

/*
 * The signed integer of size 1, 2, 4 or 8 bytes at addr into *val;
 * 0, or -EFAULT with *val = 0. For tapsets, which report with STAP_ERROR.
 */
static __maybe_unused int stp_fetch_int(unsigned long addr, int size,
					bool user, int64_t *val)
{
	union {
		s8 b;
		s16 s;
		s32 i;
		s64 l;
	} v = { .l = 0 };

	*val = 0;
	if (size != 1 && size != 2 && size != 4)
		size = 8;
	if (stp_copy_nofault(&v, addr, size, user))
		return -EFAULT;
	*val = size == 1 ? v.b : size == 2 ? v.s : size == 4 ? v.i : v.l;
	return 0;
}

/*
 * An integer of size bytes at addr, from kernel or user memory: the
 * value, or 0 and the error "kernel long copy fault at 0x..." near loc.
 */
static __maybe_unused int64_t stp_read_int(struct stp_context *c,
					   unsigned long addr, int size,
					   bool user, const char *loc)
{
	int64_t v;

	if (stp_fetch_int(addr, size, user, &v))
		stp_error(c, loc, "%s %s copy fault at 0x%lx",
			  user ? "user" : "kernel", stp_size_name(size), addr);
	return v;
}

/* kernel_long() and friends for generated code. */
static __maybe_unused int64_t stp_kread(struct stp_context *c,
					unsigned long addr, int size,
					const char *loc)
{
	return stp_read_int(c, addr, size, false, loc);
}

/* The same from the current task's user memory. */
static __maybe_unused int64_t stp_uread(struct stp_context *c,
					unsigned long addr, int size,
					const char *loc)
{
	return stp_read_int(c, addr, size, true, loc);
}

/*
 * Copy the string at addr into dst (MAXSTRINGLEN bytes), at most max
 * bytes of it (max < 0: no limit but MAXSTRINGLEN - 1). Returns 0, or
 * -EFAULT with dst holding "" when a byte before the end was unreadable.
 */
static __maybe_unused long stp_read_string(char *dst, unsigned long addr, long max, bool user)
{
	size_t limit = MAXSTRINGLEN - 1, done = 0;

	if (max >= 0 && (size_t)max < limit)
		limit = max;
	while (done < limit) {
		unsigned long at = addr + done;
		size_t chunk = min_t(size_t, limit - done,
				     PAGE_SIZE - offset_in_page(at));
		char *nul;

		if (stp_copy_nofault(dst + done, at, chunk, user)) {
			dst[0] = '\0';
			return -EFAULT;
		}
		nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return 0;
		done += chunk;
	}
	dst[limit] = '\0';
	return 0;
}

/* kernel_string(): the string, or an error and "". */
static __maybe_unused char *stp_kread_string(struct stp_context *c, char *dst,
					     unsigned long addr, long max,
					     const char *loc)
{
	if (stp_read_string(dst, addr, max, false))
		stp_error(c, loc, "kernel string copy fault at 0x%lx", addr);
	return dst;
}

/* user_string(): the string; a fault is an error only when report. */
static __maybe_unused char *stp_uread_string(struct stp_context *c, char *dst,
					     unsigned long addr, long max,
					     bool report, const char *loc)
{
	if (stp_read_string(dst, addr, max, true) && report)
		stp_error(c, loc, "user string copy fault at 0x%lx", addr);
	return dst;
}

#endif /* STP_MEMORY_H */
