/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_runtime.h - the runtime every generated module includes first.
 *
 * It pulls in the rest of runtime/ (static functions, one module per
 * translation unit; with -DSTP_RT_SPLIT the core's functions are only
 * declared, their bodies being stp_core.c: see STP_API in stp_compat.h)
 * and adds the module's life cycle:
 *
 *   stp_module_init(desc)  allocates the per-CPU contexts and frames and
 *                          creates /sys/kernel/debug/MODNAME/ with the
 *                          relay files trace0..N and the ctl file. No
 *                          probe is armed yet.
 *   ctl "start"            runs begin probes, arms kprobes/kretprobes
 *                          (and uprobes, timers, tracepoints).
 *   ctl "stop"             disarms, runs end (or error) probes, flushes.
 *   stp_module_exit()      undoes init in reverse, disarming first if
 *                          staprun died without writing "stop".
 *
 * The debugfs directory is named after the module as loaded
 * (THIS_MODULE->name), so a module renamed by staprun -R gets its own.
 *
 * Reading ctl returns one line
 *   "STATE ERRORS SKIPPED FAILED DROPPED DROPPED_BYTES DROPPED_LINES BULK FLIGHT SEQ"
 * STATE is starting, running, exit (staprun should stop now), stopping
 * or stopped; FAILED is 1 when errors ended the session; DROPPED* count
 * output lost because relay was full; BULK and FLIGHT are the modes; SEQ
 * is the last sequence number handed out (staprun merges up to it).
 * ctl is open in one process at a time (one staprun attached): a second
 * open gets EBUSY.
 */
#ifndef STP_RUNTIME_H
#define STP_RUNTIME_H

#include "stp_kernel.h"
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/cpumask.h>
#include "stp_compat.h"
#include "stp_context.h"
#include "stp_transport.h"
#include "stp_print.h"
#include "stp_probes.h"
#include "stp_helpers.h"
#include "stp_backtrace.h"
#include "stp_memory.h"
#include "stp_tracepoint.h"
#include "stp_modules.h"

/*
 * Kernel log lines name the module as loaded, not KBUILD_MODNAME: the
 * core is compiled once and linked into every module of a release (see
 * build.c), so it must not depend on the name.
 */
#define stp_pr_err(fmt, ...) \
	pr_err("%s: " fmt, THIS_MODULE->name, ##__VA_ARGS__)

STP_API int stp_module_init(const struct stp_module_desc *desc);
STP_API void stp_module_exit(void);

#ifdef STP_RT_BODY
static struct dentry *stp_dir;		/* /sys/kernel/debug/MODNAME */
static DEFINE_MUTEX(stp_ctl_mutex);	/* serialises start/stop/exit */
static atomic_t stp_ctl_open;		/* 1 while a staprun has ctl open */

static const char *stp_state_name(void)
{
	int state = atomic_read(&stp_state);

	if (state == STP_SESSION_STOPPING)
		return "stopping";
	if (state == STP_SESSION_STOPPED)
		return "stopped";
	if (atomic_read(&stp_exit_requested))
		return "exit";
	return state == STP_SESSION_RUNNING ? "running" : "starting";
}

static ssize_t stp_ctl_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char line[160];
	int n;

	n = scnprintf(line, sizeof(line), "%s %d %d %d %d %lld %lld %d %d %lld\n",
		      stp_state_name(), atomic_read(&stp_nerrors),
		      atomic_read(&stp_nskipped),
		      atomic_read(&stp_nerrors) > MAXERRORS ||
		      atomic_read(&stp_nskipped) > MAXSKIPPED ||
		      atomic_read(&stp_overloaded),
		      atomic_read(&stp_dropped),
		      (long long)atomic64_read(&stp_dropped_bytes),
		      (long long)atomic64_read(&stp_dropped_lines),
		      STP_BULK, stp_flight, (long long)atomic64_read(&stp_seq));
	return simple_read_from_buffer(ubuf, count, ppos, line, n);
}

static ssize_t stp_ctl_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char cmd[16];
	size_t n = min(count, sizeof(cmd) - 1);
	int rc;

	if (copy_from_user(cmd, ubuf, n))
		return -EFAULT;
	cmd[n] = '\0';
	strim(cmd);
	mutex_lock(&stp_ctl_mutex);
	if (!strcmp(cmd, "start"))
		rc = stp_session_start();
	else if (!strcmp(cmd, "disarm"))
		rc = stp_session_disarm();
	else if (!strcmp(cmd, "stop"))
		rc = stp_session_stop();
	else
		rc = -EINVAL;
	mutex_unlock(&stp_ctl_mutex);
	return rc ? rc : count;
}

/* One staprun at a time: a second one gets EBUSY. */
static int stp_ctl_open_fn(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&stp_ctl_open, 0, 1))
		return -EBUSY;
	return 0;
}

static int stp_ctl_release(struct inode *inode, struct file *file)
{
	atomic_set(&stp_ctl_open, 0);
	return 0;
}

static const struct file_operations stp_ctl_fops = {
	.owner = THIS_MODULE,
	.open = stp_ctl_open_fn,
	.release = stp_ctl_release,
	.read = stp_ctl_read,
	.write = stp_ctl_write,
	.llseek = default_llseek,
};

static void stp_free_memory(void)
{
	kfree(stp_kprobes);
	stp_kprobes = NULL;
	vfree(stp_frames);
	stp_frames = NULL;
	vfree(stp_contexts);
	stp_contexts = NULL;
}

STP_API int stp_module_init(const struct stp_module_desc *desc)
{
	struct dentry *ctl;
	unsigned int cpu;
	int rc = -ENOMEM;

	stp_desc_p = desc;
	stp_contexts = vzalloc(array_size(nr_cpu_ids, sizeof(*stp_contexts)));
	if (!stp_contexts)
		goto err;
	stp_frame_stride = ALIGN(max_t(size_t, desc->frames_size, 1),
				 SMP_CACHE_BYTES);
	stp_frames = vzalloc(array_size(nr_cpu_ids, stp_frame_stride));
	if (!stp_frames)
		goto err_free_memory;
	stp_kprobes = kcalloc(max(desc->nprobes, 1U), sizeof(*stp_kprobes),
			      GFP_KERNEL);
	if (!stp_kprobes)
		goto err_free_memory;
	for_each_possible_cpu(cpu) {	/* each CPU's, for good */
		stp_contexts[cpu].frames = stp_frames + cpu * stp_frame_stride;
		per_cpu(stp_cpu_context, cpu) = &stp_contexts[cpu];
		stp_contexts[cpu].dead = 1;	/* until "start" */
	}

	stp_dir = debugfs_create_dir(THIS_MODULE->name, NULL);
	if (stp_dentry_bad(stp_dir)) {
		rc = stp_dir ? PTR_ERR(stp_dir) : -ENODEV;
		stp_pr_err("cannot create debugfs directory: %d\n", rc);
		goto err_free_memory;
	}
	rc = stp_transport_open(stp_dir);
	if (rc) {
		stp_pr_err("cannot open relay channel: %d\n", rc);
		goto err_remove_dir;
	}
	ctl = debugfs_create_file("ctl", 0600, stp_dir, NULL, &stp_ctl_fops);
	if (stp_dentry_bad(ctl)) {
		rc = ctl ? PTR_ERR(ctl) : -ENODEV;
		stp_pr_err("cannot create ctl file: %d\n", rc);
		goto err_close_transport;
	}
	if (desc->procfs) {
		rc = desc->procfs->start(desc);
		if (rc)
			goto err_close_transport;
	}
	return 0;

err_close_transport:
	stp_transport_close();
err_remove_dir:
	debugfs_remove(stp_dir);
	stp_dir = NULL;
err_free_memory:
	stp_free_memory();
err:
	return rc;
}

STP_API void stp_module_exit(void)
{
	if (stp_desc_p->procfs)	/* no procfs probe runs after this */
		stp_desc_p->procfs->stop();
	/* staprun may have died without "stop": disarm everything first. */
	mutex_lock(&stp_ctl_mutex);
	stp_set_live(0);
	atomic_set(&stp_state, STP_SESSION_STOPPED);
	stp_unregister_probes();
	mutex_unlock(&stp_ctl_mutex);

	stp_transport_close();		/* removes trace0..N */
	debugfs_remove(stp_dir);	/* ctl and the directory */
	stp_dir = NULL;
	stp_free_memory();
}

#endif /* STP_RT_BODY */
#endif /* STP_RUNTIME_H */
