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
 * The file must be the one stap read: when stap found a GNU build id
 * note in it, the note must be at the same offset of the file here, or
 * the program's probes are not placed (a breakpoint at the offset of
 * another build could land inside an instruction).
 *
 * process.begin and process.end (process("PATH").begin/.end: only
 * processes whose executable is PATH's inode) follow SystemTap: a
 * process begins when fork makes it (in the child, the first time it
 * runs: the return of schedule_tail, which every new task runs first;
 * its return, because it enters with the runqueue locked) and
 * when exec gives it a new program (the sched_process_exec tracepoint,
 * after the exec); it ends when its last thread exits (a kprobe on
 * taskstats_exit, which do_exit calls with group_dead while the task
 * still has its mm) and when exec replaces its program (a kprobe on
 * begin_new_exec, before the old program goes). Each runs in the
 * process's own task, without registers. Not done: SystemTap also runs
 * process.begin once for every process already there at the start.
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
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/rcupdate.h>
#include <linux/tracepoint.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include "stp_probes.h"
#include "stp_tracepoint.h"

/* One registered uprobe of the table. */
struct stp_uprobe {
	struct uprobe_consumer uc;	/* what the kernel calls */
	const struct stp_probe *probe;	/* its table entry */
	struct path path;		/* the program, held while armed */
	bool has_path;			/* path is held (not process.begin) */
	struct uprobe *u;		/* 6.12's handle, else NULL */
	/* process.begin: a kretprobe and a tracepoint; .end: two kprobes */
	struct kretprobe krp;
	struct kprobe kp, kp2;
	struct tracepoint *tp;		/* sched_process_exec, if registered */
	struct inode *inode;		/* PATH's, or NULL: every process */
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

/*
 * Is current a process (not a kernel thread) that a process.begin/.end
 * probe up is for? Its executable is compared by inode, read under RCU
 * (the task is current, so its mm stays).
 */
static bool stp_proc_wanted(struct stp_uprobe *up)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	bool ok;

	if (!mm || (current->flags & PF_KTHREAD))
		return false;
	if (!up->inode)
		return true;
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	ok = exe && file_inode(exe) == up->inode;
	rcu_read_unlock();
	return ok;
}

static void stp_proc_run(struct stp_uprobe *up)
{
	struct stp_context *c;

	if (!stp_proc_wanted(up))
		return;
	c = stp_claim(up->probe, STP_SESSION_RUNNING, NULL, 0);
	if (!c)
		return;
	up->probe->handler(c);
	stp_release(c);
}

/* A new task's first step: a process begins if it is a group leader. */
static int stp_proc_fork_krp(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct kretprobe *rp = stp_kretprobe_of(ri);

	if (rp && thread_group_leader(current))
		stp_proc_run(container_of(rp, struct stp_uprobe, krp));
	return 0;
}

static void stp_proc_exec_tp(void *data, struct task_struct *p,
			     pid_t old_pid, struct linux_binprm *bprm)
{
	stp_proc_run(data);
}

/* taskstats_exit(tsk, group_dead): the process ends with its last thread. */
static int stp_proc_exit_kp(struct kprobe *kp, struct pt_regs *regs)
{
	if (regs->si)
		stp_proc_run(container_of(kp, struct stp_uprobe, kp));
	return 0;
}

/* begin_new_exec(): the old program ends. */
static int stp_proc_unexec_kp(struct kprobe *kp, struct pt_regs *regs)
{
	stp_proc_run(container_of(kp, struct stp_uprobe, kp2));
	return 0;
}

static int stp_proc_register(struct stp_uprobe *up)
{
	int rc;

	if (up->probe->kind == STP_PROC_BEGIN) {
		up->krp.kp.symbol_name = "schedule_tail";
		up->krp.handler = stp_proc_fork_krp;
		up->krp.maxactive = stp_kretprobe_maxactive();
		up->tp = stp_tracepoint_find("sched_process_exec");
		if (!up->tp)
			return -ENOENT;
		rc = register_kretprobe(&up->krp);
		if (rc)
			return rc;
		rc = tracepoint_probe_register(up->tp, stp_proc_exec_tp, up);
		if (rc)
			unregister_kretprobe(&up->krp);
		return rc;
	}
	up->kp.symbol_name = "taskstats_exit";
	up->kp.pre_handler = stp_proc_exit_kp;
	up->kp2.symbol_name = "begin_new_exec";
	up->kp2.pre_handler = stp_proc_unexec_kp;
	rc = register_kprobe(&up->kp);
	if (rc)
		return rc;
	rc = register_kprobe(&up->kp2);
	if (rc)
		unregister_kprobe(&up->kp);
	return rc;
}

static void stp_proc_unregister(struct stp_uprobe *up)
{
	if (up->probe->kind == STP_PROC_BEGIN) {
		unregister_kretprobe(&up->krp);	/* waits for its handlers */
		tracepoint_probe_unregister(up->tp, stp_proc_exec_tp, up);
	} else {
		unregister_kprobe(&up->kp);
		unregister_kprobe(&up->kp2);
	}
}

/*
 * Does the program p->symbol carry p->build_id at p->build_id_off?
 * 0, -ENOEXEC when not (said once per program), or the open's error.
 * The last answer is kept: a glob gives many entries of one program.
 */
static int stp_uprobe_build_id(const struct stp_probe *p)
{
	static const struct stp_probe *last;
	static int last_rc;
	size_t len = strlen(p->build_id) / 2;
	u32 hdr[3] = { 4, len, 3 };
	u8 want[16 + 64], got[16 + 64];
	loff_t pos = p->build_id_off;
	struct file *f;
	ssize_t n;

	if (last && !strcmp(last->symbol, p->symbol) &&
	    !strcmp(last->build_id, p->build_id))
		return last_rc;
	if (len > 64 || hex2bin(want + 16, p->build_id, len))
		return 0;	/* nothing to compare with */
	memcpy(want, hdr, 12);
	memcpy(want + 12, "GNU", 4);
	f = filp_open(p->symbol, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, got, 16 + len, &pos);
	filp_close(f, NULL);
	last = p;
	last_rc = 0;
	if (n != 16 + len || memcmp(want, got, n)) {
		stp_emit_err("WARNING: %s is not the program stap read "
			     "(build id %s): its probes are not placed\n",
			     p->symbol, p->build_id);
		last_rc = -ENOEXEC;
	}
	return last_rc;
}

/* Arm k's entry: 0, or -errno (-ENOENT: no such program). */
static int stp_uprobe_register(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;
	struct stp_uprobe *up = kzalloc(sizeof(*up), GFP_KERNEL);
	int rc;

	if (!up)
		return -ENOMEM;
	up->probe = p;
	if ((p->kind == STP_PROC_BEGIN || p->kind == STP_PROC_END) &&
	    !p->symbol) {
		rc = stp_proc_register(up);
		goto out_proc;
	}
	if (p->build_id) {
		rc = stp_uprobe_build_id(p);
		if (rc)
			goto out_free;
	}
	rc = kern_path(p->symbol, LOOKUP_FOLLOW, &up->path);
	if (rc)
		goto out_free;
	up->has_path = true;
	if (p->kind == STP_PROC_BEGIN || p->kind == STP_PROC_END) {
		up->inode = d_real_inode(up->path.dentry);
		rc = stp_proc_register(up);
		if (rc)
			goto out_put;
		k->u.up = up;
		return 0;
	}
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

out_proc:
	if (!rc) {
		k->u.up = up;
		return 0;
	}
	goto out_free;
out_put:
	path_put(&up->path);
out_free:
	kfree(up);
	return rc;
}

static void stp_uprobe_unregister(struct stp_kprobe *k)
{
	struct stp_uprobe *up = k->u.up;

	if (up->probe->kind == STP_PROC_BEGIN ||
	    up->probe->kind == STP_PROC_END)
		stp_proc_unregister(up);
	else
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
	tracepoint_synchronize_unregister();	/* sched_process_exec */
	while (stp_uprobes_dead) {
		struct stp_uprobe *up = stp_uprobes_dead;

		stp_uprobes_dead = up->next_dead;
		if (up->has_path)
			path_put(&up->path);
		kfree(up);
	}
}

/* The family the generated desc points at (see struct stp_family). */
static const struct stp_family stp_uprobe_family = {
	.arm = stp_uprobe_register,
	.disarm = stp_uprobe_unregister,
	.sync = stp_uprobe_sync,
};
#endif /* STP_UPROBES_H */
