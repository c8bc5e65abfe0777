/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_uprobes.h - process("PATH").function("NAME") probes: uprobes.
 *
 * The translator found the function's offset in the file (src/usym.c);
 * its table entry has the path in .symbol and the offset in .offset.
 * At "start" the path is looked up (kern_path; a program that is not
 * there is reported like a refused kprobe and the rest runs) and a
 * uprobe consumer is registered on its inode at that offset: the
 * breakpoint goes into every process that maps the file, now or later.
 *
 * Handlers run in the task that hit the breakpoint, in process context
 * with preemption on; the CPU's context is per CPU, so preemption is
 * turned off around claim, body and release, as a kprobe runs. c->regs
 * are the task's user registers (register(), u_register(), $return).
 *
 * Unregistering: the consumer may only be freed once no handler can
 * run. Before 6.12 uprobe_unregister() waits; on 6.12 the wait is one
 * uprobe_unregister_sync() for all of them (see stp_compat.h), so each
 * unregistered consumer is kept on a list that stp_uprobe_sync() frees
 * after the wait.
 */
#ifndef STP_UPROBES_H
#define STP_UPROBES_H

#include <linux/uprobes.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/dcache.h>
#include <linux/slab.h>
#include "stp_probes.h"

#ifdef STP_RT_BODY
/* One registered uprobe of the table. */
struct stp_uprobe {
	struct uprobe_consumer uc;	/* what the kernel calls */
	const struct stp_probe *probe;	/* its table entry */
	struct path path;		/* the program, held while armed */
	struct uprobe *u;		/* 6.12's handle, else NULL */
	struct stp_uprobe *next_dead;	/* unregistered, to free after sync */
};

static struct stp_uprobe *stp_uprobes_dead;	/* under the ctl mutex */

static void stp_uprobe_run(struct stp_uprobe *up, struct pt_regs *regs,
			   bool is_return)
{
	struct stp_context *c;

	preempt_disable();
	c = stp_claim(up->probe, STP_SESSION_RUNNING, regs, 0);
	if (c) {
		c->is_return = is_return;
		up->probe->handler(c);
		c->is_return = 0;	/* zero whenever the context is free */
		stp_release(c);
	}
	preempt_enable();
}

static int stp_uprobe_handler(struct uprobe_consumer *uc,
			      struct pt_regs *regs)
{
	stp_uprobe_run(container_of(uc, struct stp_uprobe, uc), regs, false);
	return 0;
}

static int stp_uretprobe_handler(struct uprobe_consumer *uc,
				 unsigned long func, struct pt_regs *regs)
{
	stp_uprobe_run(container_of(uc, struct stp_uprobe, uc), regs, true);
	return 0;
}

/* Arm k's entry: 0, or -errno (-ENOENT: no such program). */
static int stp_uprobe_register(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;
	struct stp_uprobe *up = kzalloc(sizeof(*up), GFP_KERNEL);
	int rc;

	if (!up)
		return -ENOMEM;
	rc = kern_path(p->symbol, LOOKUP_FOLLOW, &up->path);
	if (rc)
		goto out_free;
	up->probe = p;
	if (p->kind == STP_URETPROBE)
		up->uc.ret_handler = stp_uretprobe_handler;
	else
		up->uc.handler = stp_uprobe_handler;
	rc = stp_uprobe_reg(d_real_inode(up->path.dentry), p->offset, &up->uc,
			    &up->u);
	if (rc)
		goto out_put;
	k->u.up = up;
	return 0;

out_put:
	path_put(&up->path);
out_free:
	kfree(up);
	return rc;
}

static void stp_uprobe_unregister(struct stp_kprobe *k)
{
	struct stp_uprobe *up = k->u.up;

	stp_uprobe_unreg_nosync(d_real_inode(up->path.dentry),
				up->probe->offset, up->u, &up->uc);
	up->next_dead = stp_uprobes_dead;
	stp_uprobes_dead = up;
	k->u.up = NULL;
}

/* After unregistering: wait until no handler runs, then free. */
static void stp_uprobe_sync(void)
{
	stp_uprobe_unreg_sync();
	while (stp_uprobes_dead) {
		struct stp_uprobe *up = stp_uprobes_dead;

		stp_uprobes_dead = up->next_dead;
		path_put(&up->path);
		kfree(up);
	}
}

#endif /* STP_RT_BODY */
#endif /* STP_UPROBES_H */
