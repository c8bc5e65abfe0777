/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_regs.h - registers and function arguments of the probe hit, for
 * tapset/registers.stp and the syscall tapsets.
 *
 * In a kprobe at a function's entry, c->regs holds the arguments of the
 * x86_64 calling convention: rdi, rsi, rdx, rcx, r8, r9. System calls
 * are different: since 4.17 every x86_64 system call NAME is entered
 * through a wrapper __x64_sys_NAME(const struct pt_regs *regs) whose
 * only argument points to the user registers saved at syscall entry;
 * the call's own arguments are rdi, rsi, rdx, r10, r8, r9 of that
 * struct. stp_arg() sees which case it is in from the probed function's
 * name, so int_arg(1) is the first argument of the system call in a
 * probe on __x64_sys_openat, as SystemTap's nd_syscall tapset expects.
 *
 * The wrapper's pointer comes from a register, so it is read with
 * copy_from_kernel_nofault(): a wrong pointer gives an error, never a
 * crash. In a .return probe the wrapper's rdi is gone; the user
 * registers are then task_pt_regs(current), which is where the wrapper's
 * pointer pointed (the syscall has not yet returned to user space).
 */
#ifndef STP_REGS_H
#define STP_REGS_H

#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <linux/stddef.h>
#include "stp_probes.h"

/* Argument registers of the C calling convention, in order. */
static const unsigned short stp_call_arg_off[6] = {
	offsetof(struct pt_regs, di), offsetof(struct pt_regs, si),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
};

/* Argument registers of the x86_64 system call convention, in order. */
static const unsigned short stp_sys_arg_off[6] = {
	offsetof(struct pt_regs, di), offsetof(struct pt_regs, si),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, r10),
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
};

/* Is the probed function an x86_64 system call wrapper? */
static __maybe_unused bool stp_in_syscall_wrapper(struct stp_context *c)
{
	const char *f = c->probe ? c->probe->func : NULL;

	return f && !strncmp(f, "__x64_sys_", 10);
}

/*
 * The user registers a system call wrapper was given: its rdi at entry,
 * the task's saved registers at return. NULL without registers.
 */
static __maybe_unused const struct pt_regs *
stp_syscall_uregs(struct stp_context *c)
{
	if (!c->regs)
		return NULL;
	if (c->is_return)
		return task_pt_regs(current);
	return (const struct pt_regs *)c->regs->di;
}

/*
 * Argument n (1..6) of the probed function, or of the system call in a
 * syscall wrapper probe; 0 and an error on the context when there is
 * none.
 */
static __maybe_unused unsigned long stp_arg(struct stp_context *c, long n)
{
	const struct pt_regs *r;
	unsigned long v = 0;

	if (!c->regs) {
		stp_error(c, NULL, "cannot access function args in this "
			  "context");
		return 0;
	}
	if (n < 1 || n > 6) {
		stp_error(c, NULL, "cannot access arg(%ld)", n);
		return 0;
	}
	if (!stp_in_syscall_wrapper(c))
		return *(unsigned long *)((char *)c->regs +
					  stp_call_arg_off[n - 1]);
	r = stp_syscall_uregs(c);
	if (copy_from_kernel_nofault(&v, (const char *)r +
				     stp_sys_arg_off[n - 1], sizeof(v)))
		stp_error(c, NULL, "cannot read the user registers of the "
			  "system call at 0x%lx", (unsigned long)r);
	return v;
}

/* One register name of register()/u_register() and where it lives. */
struct stp_reg_name {
	const char *name;	/* as the script writes it */
	unsigned short off;	/* offset in struct pt_regs */
	unsigned char size;	/* 8, or 4 for the e* names */
};

#define STP_REG(n, f, s) { n, offsetof(struct pt_regs, f), s }
static const struct stp_reg_name stp_reg_names[] = {
	STP_REG("rax", ax, 8), STP_REG("eax", ax, 4), STP_REG("ax", ax, 8),
	STP_REG("rbx", bx, 8), STP_REG("ebx", bx, 4), STP_REG("bx", bx, 8),
	STP_REG("rcx", cx, 8), STP_REG("ecx", cx, 4), STP_REG("cx", cx, 8),
	STP_REG("rdx", dx, 8), STP_REG("edx", dx, 4), STP_REG("dx", dx, 8),
	STP_REG("rsi", si, 8), STP_REG("esi", si, 4), STP_REG("si", si, 8),
	STP_REG("rdi", di, 8), STP_REG("edi", di, 4), STP_REG("di", di, 8),
	STP_REG("rbp", bp, 8), STP_REG("ebp", bp, 4), STP_REG("bp", bp, 8),
	STP_REG("rsp", sp, 8), STP_REG("esp", sp, 4), STP_REG("sp", sp, 8),
	STP_REG("rip", ip, 8), STP_REG("eip", ip, 4), STP_REG("ip", ip, 8),
	STP_REG("r8", r8, 8), STP_REG("r9", r9, 8), STP_REG("r10", r10, 8),
	STP_REG("r11", r11, 8), STP_REG("r12", r12, 8),
	STP_REG("r13", r13, 8), STP_REG("r14", r14, 8),
	STP_REG("r15", r15, 8), STP_REG("orig_rax", orig_ax, 8),
	STP_REG("orig_ax", orig_ax, 8), STP_REG("rflags", flags, 8),
	STP_REG("eflags", flags, 4), STP_REG("flags", flags, 8),
};
#undef STP_REG

/*
 * register(name) / u_register(name): a register of r (the probe's
 * registers, or the user registers for the u_ forms). The e* names
 * give the low 32 bits, sign-extended unless is_unsigned.
 */
static __maybe_unused int64_t stp_register(struct stp_context *c,
					   const struct pt_regs *r,
					   const char *name, bool is_unsigned)
{
	const struct stp_reg_name *rn = NULL;
	unsigned long v;
	size_t i;

	if (!strcmp(name, "cs") || !strcmp(name, "ss")) {
		if (!r)
			goto noregs;
		return (u16)(name[0] == 'c' ? r->cs : r->ss);
	}
	for (i = 0; i < ARRAY_SIZE(stp_reg_names); i++)
		if (!strcmp(name, stp_reg_names[i].name))
			rn = &stp_reg_names[i];
	if (!rn) {
		stp_error(c, NULL, "Unknown register: %s", name);
		return 0;
	}
	if (!r)
		goto noregs;
	v = *(const unsigned long *)((const char *)r + rn->off);
	if (rn->size == 4)
		return is_unsigned ? (int64_t)(u32)v : (int64_t)(s32)v;
	return (int64_t)v;
noregs:
	stp_error(c, NULL, "cannot access CPU registers in this context");
	return 0;
}

/* The user-mode registers of the current task, or NULL in a kernel thread. */
static __maybe_unused const struct pt_regs *stp_user_regs(struct stp_context *c)
{
	if (c->regs && user_mode(c->regs))
		return c->regs;
	if (!current->mm)
		return NULL;
	return task_pt_regs(current);
}

#endif /* STP_REGS_H */
