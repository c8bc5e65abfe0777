/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_ustack.h - user-space backtraces of the current task, for
 * tapset/ubacktrace.stp.
 *
 * There is no user debuginfo and no unwind tables here, so the walk is
 * the frame-pointer chain: frame 0 is the user instruction pointer the
 * task will return to (task_pt_regs(current), or the probe's own
 * registers when the probe interrupted user mode), then each frame
 * [rbp] -> saved rbp, [rbp + 8] -> return address. Code built without
 * frame pointers (busybox, most distribution binaries) keeps other data
 * in rbp, so every step is checked and the walk stops at the first one
 * that does not hold: the frame pointer must grow and stay in the
 * stack's mapping, the return address must be in an executable mapping.
 * Such code gives frame 0 only, or a few frames.
 *
 * Reads are copy_from_user_nofault() (no sleeping, a page that is not
 * resident ends the walk). Mappings are looked up under
 * mmap_read_trylock(): if another thread holds the lock, frames are
 * given without their file. Each frame is printed as
 *
 *	 0x0000000000401234 [/bin/busybox+0x1234]
 *
 * the file mapped there and the offset into the file (what addr2line
 * or objdump --start-address take, with the file's load bias), or
 * " 0x7ffd12345678 [?]" outside file mappings.
 */
#ifndef STP_USTACK_H
#define STP_USTACK_H

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <linux/dcache.h>
#include "stp_print.h"

/* The user registers of the current task, or NULL (a kernel thread). */
static struct pt_regs *stp_uregs(struct stp_context *c)
{
	if (c->regs && user_mode(c->regs))
		return c->regs;
	if (!current->mm || (current->flags & PF_KTHREAD) || in_nmi())
		return NULL;
	return task_pt_regs(current);
}

/*
 * The user stack of the current task into addrs (at most MAXBACKTRACE
 * addresses); returns how many. The mappings are only locked here, so
 * that the callers can look up each frame's file afterwards.
 */
static int stp_ustack_addrs(struct stp_context *c, unsigned long *addrs)
{
	struct pt_regs *regs = stp_uregs(c);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *stack, *vma;
	unsigned long fp, frame[2];
	int n = 0;

	if (!regs)
		return 0;
	addrs[n++] = instruction_pointer(regs);
	if (!mmap_read_trylock(mm))
		return n;
	stack = find_vma(mm, regs->sp);
	fp = regs->bp;
	while (n < MAXBACKTRACE && stack && fp >= regs->sp &&
	       fp >= stack->vm_start && fp + sizeof(frame) <= stack->vm_end) {
		if (copy_from_user_nofault(frame, (void __user *)fp,
					   sizeof(frame)))
			break;
		vma = find_vma(mm, frame[1]);
		if (!vma || vma->vm_start > frame[1] ||
		    !(vma->vm_flags & VM_EXEC))
			break;
		addrs[n++] = frame[1];
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	mmap_read_unlock(mm);
	return n;
}

/* Call out() for each user frame of the current task after the first skip. */
static void stp_walk_ustack(struct stp_context *c, int skip,
			    void (*out)(struct stp_context *c,
					unsigned long addr, void *arg),
			    void *arg)
{
	unsigned long addrs[MAXBACKTRACE];
	int i, n = stp_ustack_addrs(c, addrs);

	for (i = skip; i < n; i++)
		out(c, addrs[i], arg);
}

/*
 * The file and offset behind a user address of the current task into
 * buf: "/bin/busybox+0x1234", or "?" if no file is mapped there (or the
 * mappings are locked).
 */
static void stp_uaddr_where(unsigned long addr, char *buf, size_t len,
			    bool offset)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	char *path = NULL;
	size_t plen;

	strscpy(buf, "?", len);
	if (!mm || in_nmi() || !mmap_read_trylock(mm))
		return;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr && vma->vm_file) {
		path = d_path(&vma->vm_file->f_path, buf, len);
		if (IS_ERR(path)) {
			path = NULL;
		} else {
			/* d_path builds at the end of buf: move it down. */
			plen = strlen(path);
			memmove(buf, path, plen + 1);
			if (offset)
				scnprintf(buf + plen, len - plen, "+0x%lx",
					  addr - vma->vm_start +
					  (vma->vm_pgoff << PAGE_SHIFT));
		}
	}
	if (!path)
		strscpy(buf, "?", len);
	mmap_read_unlock(mm);
}

static void stp_ubt_print_one(struct stp_context *c, unsigned long addr,
			      void *arg)
{
	stp_uaddr_where(addr, c->symbuf, sizeof(c->symbuf), true);
	stp_printf(c, " 0x%016lx [%s]\n", addr, c->symbuf);
}

/* print_ubacktrace(): the user stack, one frame a line. */
static __maybe_unused void stp_print_ubacktrace(struct stp_context *c)
{
	stp_walk_ustack(c, 0, stp_ubt_print_one, NULL);
}

/* Where the string forms are being written. */
struct stp_ubt_buf {
	char *buf;		/* MAXSTRINGLEN bytes */
	size_t used;		/* bytes written, NUL excluded */
	int left;		/* frames still wanted; < 0: all */
	bool full;		/* a line did not fit: stop */
};

static void stp_ubt_sprint_one(struct stp_context *c, unsigned long addr,
			       void *arg)
{
	struct stp_ubt_buf *b = arg;
	int n;

	if (b->full)
		return;
	stp_uaddr_where(addr, c->symbuf, sizeof(c->symbuf), true);
	n = snprintf(b->buf + b->used, MAXSTRINGLEN - b->used,
		     " 0x%016lx [%s]\n", addr, c->symbuf);
	if (b->used + n + 1 > MAXSTRINGLEN) {
		/* Whole lines only. */
		b->buf[b->used] = '\0';
		b->full = true;
		return;
	}
	b->used += n;
}

/* sprint_ubacktrace(): the print_ubacktrace() text, whole lines. */
static __maybe_unused void stp_sprint_ubacktrace(struct stp_context *c,
						 char *buf)
{
	struct stp_ubt_buf b = { .buf = buf };

	buf[0] = '\0';
	stp_walk_ustack(c, 0, stp_ubt_sprint_one, &b);
}

static void stp_ubt_addr_one(struct stp_context *c, unsigned long addr,
			     void *arg)
{
	struct stp_ubt_buf *b = arg;

	if (!b->left || b->used + 20 >= MAXSTRINGLEN)
		return;
	b->used += scnprintf(b->buf + b->used, MAXSTRINGLEN - b->used,
			     "%s0x%lx", b->used ? " " : "", addr);
	if (b->left > 0)
		b->left--;
}

/*
 * ubacktrace() (skip 0, n < 0) and ucallers(n) (skip 1): the user stack
 * as hex addresses separated by spaces.
 */
static __maybe_unused void stp_ubacktrace_addrs(struct stp_context *c,
						char *buf, int skip, int n)
{
	struct stp_ubt_buf b = { .buf = buf, .left = n };

	buf[0] = '\0';
	stp_walk_ustack(c, skip, stp_ubt_addr_one, &b);
}

/* print_ustack(stk) / sprint_ustack(stk): a ubacktrace() string as lines. */
static __maybe_unused void stp_ustack_lines(struct stp_context *c,
					    const char *stk, char *buf)
{
	struct stp_ubt_buf b = { .buf = buf };
	unsigned long addr;
	const char *p = stk;
	char *end;

	if (buf)
		buf[0] = '\0';
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		addr = simple_strtoul(p, &end, 16);
		if (end == p)
			break;
		p = end;
		if (buf)
			stp_ubt_sprint_one(c, addr, &b);
		else
			stp_ubt_print_one(c, addr, NULL);
	}
}

#endif /* STP_USTACK_H */
