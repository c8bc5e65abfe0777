/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_backtrace.h - kernel backtraces and register dumps from c->regs.
 *
 * stack_trace_save_regs() is not exported, so the runtime walks the stack
 * itself with the x86 unwinder API (unwind_start, unwind_next_frame,
 * unwind_get_return_address; ORC on our kernels), starting from the
 * probe's pt_regs, at most MAXBACKTRACE frames; stp_sprint_backtrace()
 * keeps only whole lines. The first frame printed is the probe address itself
 * (the kprobe's address; in a kretprobe the return site, which rethook
 * puts in regs->ip). Each frame is symbolised with sprint_symbol():
 *
 *	 0xffffffff81234567 : name+0xoff/0xsize [kernel]
 *
 * In a tracepoint probe (no registers) the walk starts from the running
 * handler and leaves out this module's own frames (stp_walk_here).
 * Kernel frames get " [kernel]" appended; module frames already carry
 * " [module]" from sprint_symbol.
 */
#ifndef STP_BACKTRACE_H
#define STP_BACKTRACE_H

#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <asm/unwind.h>
#include "stp_print.h"

/* Format one frame line for addr into out (size bytes); returns length. */
static int stp_frame_line(struct stp_context *c, unsigned long addr,
			  char *out, size_t size)
{
	sprint_symbol(c->symbuf, addr);
	return scnprintf(out, size, " 0x%lx : %s%s\n", addr, c->symbuf,
			 strchr(c->symbuf, '[') ? "" : " [kernel]");
}

/*
 * A tracepoint probe has no registers: its handler runs on the stack of
 * the code that hit the tracepoint, under our own frames (the generated
 * callback, stp_tracepoint_hit, the handler, this walk). Walk from here
 * and start printing at the first frame outside this module: the
 * tracepoint's caller (__traceiter_NAME, or with a single probe the
 * function that hit it, as __schedule for sched_switch).
 */
static void stp_walk_here(struct stp_context *c,
			  void (*out)(struct stp_context *c,
				      unsigned long addr, void *arg),
			  void *arg)
{
	struct unwind_state state;
	unsigned long addr;
	bool ours = true;
	int n = 0;

	for (unwind_start(&state, current, NULL, NULL);
	     !unwind_done(&state) && n < MAXBACKTRACE;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		if (ours && within_module(addr, THIS_MODULE))
			continue;
		ours = false;
		out(c, addr, arg);
		n++;
	}
}

/*
 * Walk the stack of the probed context, calling out() for each return
 * address, at most MAXBACKTRACE frames.
 */
static void stp_walk_stack(struct stp_context *c,
			   void (*out)(struct stp_context *c,
				       unsigned long addr, void *arg),
			   void *arg)
{
	struct unwind_state state;
	unsigned long addr, ip;
	bool first = true;
	int n = 1;

	if (!c->regs && c->probe && c->probe->kind == STP_TRACEPOINT) {
		stp_walk_here(c, out, arg);
		return;
	}
	if (!c->regs || user_mode(c->regs))
		return;
	/*
	 * Frame 0 is where the probe hit: the kprobe's address (regs->ip is
	 * one past it) or, in a kretprobe, the return site in regs->ip.
	 * Starting from regs, the ORC unwinder of 6.1 already skips that
	 * frame; if another kernel reports it, it is dropped here.
	 */
	ip = instruction_pointer(c->regs);
	out(c, c->probe_addr ? c->probe_addr : ip, arg);
	unwind_start(&state, current, c->regs, NULL);
	for (; !unwind_done(&state) && n < MAXBACKTRACE;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		if (first) {
			first = false;
			if (addr == ip)
				continue;
		}
		out(c, addr, arg);
		n++;
	}
}

static void stp_bt_print_one(struct stp_context *c, unsigned long addr,
			     void *arg)
{
	sprint_symbol(c->symbuf, addr);
	stp_printf(c, " 0x%lx : %s%s\n", addr, c->symbuf,
		   strchr(c->symbuf, '[') ? "" : " [kernel]");
}

/* print_backtrace(): the kernel stack of the probe hit, one frame a line. */
static __maybe_unused void stp_print_backtrace(struct stp_context *c)
{
	stp_walk_stack(c, stp_bt_print_one, NULL);
}

/* Where stp_sprint_backtrace is writing. */
struct stp_bt_buf {
	char *buf;		/* destination */
	size_t len;		/* its size */
	size_t used;		/* bytes written, NUL excluded */
	bool full;		/* a line did not fit: stop */
};

static void stp_bt_sprint_one(struct stp_context *c, unsigned long addr,
			      void *arg)
{
	struct stp_bt_buf *b = arg;
	int n;

	if (b->full || b->used + 1 >= b->len)
		return;
	n = stp_frame_line(c, addr, b->buf + b->used, b->len - b->used);
	if (b->used + n + 1 >= b->len) {
		/* Only whole lines: this one may have been cut. */
		b->buf[b->used] = '\0';
		b->full = true;
		return;
	}
	b->used += n;
}

/* sprint_backtrace(): the same text into buf (len bytes), cut to fit. */
static __maybe_unused char *stp_sprint_backtrace(struct stp_context *c,
						 char *buf, size_t len)
{
	struct stp_bt_buf b = { .buf = buf, .len = len, .used = 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	stp_walk_stack(c, stp_bt_sprint_one, &b);
	return buf;
}

/* print_regs(): a register dump of the probe hit. */
static __maybe_unused void stp_print_regs(struct stp_context *c)
{
	struct pt_regs *r = c->regs;

	if (!r) {
		stp_print(c, "(no registers in this probe)\n");
		return;
	}
	stp_printf(c, "RIP: %016lx\nRSP: %016lx  EFLAGS: %08lx\n",
		   r->ip, r->sp, r->flags);
	stp_printf(c, "RAX: %016lx RBX: %016lx RCX: %016lx\n",
		   r->ax, r->bx, r->cx);
	stp_printf(c, "RDX: %016lx RSI: %016lx RDI: %016lx\n",
		   r->dx, r->si, r->di);
	stp_printf(c, "RBP: %016lx R08: %016lx R09: %016lx\n",
		   r->bp, r->r8, r->r9);
	stp_printf(c, "R10: %016lx R11: %016lx R12: %016lx\n",
		   r->r10, r->r11, r->r12);
	stp_printf(c, "R13: %016lx R14: %016lx R15: %016lx\n",
		   r->r13, r->r14, r->r15);
	/* cs/ss are u16 fields since 6.9 (FRED), unsigned long before. */
	stp_printf(c, "CS: %04lx SS: %04lx ORIG_RAX: %016lx\n",
		   (unsigned long)r->cs, (unsigned long)r->ss, r->orig_ax);
}

#endif /* STP_BACKTRACE_H */
