// SPDX-License-Identifier: GPL-2.0
/*
 * bench_bare.c - the baseline for the probe-cost benchmark: a hand-written
 * kprobe (or kretprobe, with kretprobe=1) on one kernel function whose
 * handler counts hits and does nothing else.  What a tracer's module adds
 * on top of this is the tracer's own overhead.  With format=1 the kprobe
 * handler also formats the line of scripts/cost_printf.stp into a buffer
 * on the stack and drops it: formatting without any transport.
 *
 *	insmod bench_bare.ko [sym=__x64_sys_getppid] [kretprobe=1] [format=1]
 *	... workload ...
 *	rmmod bench_bare	(prints "bench_bare: N hits" to the kernel log)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>

static char *sym = "__x64_sys_getppid";
module_param(sym, charp, 0444);
MODULE_PARM_DESC(sym, "function to probe");

static bool kretprobe;
module_param(kretprobe, bool, 0444);
MODULE_PARM_DESC(kretprobe, "probe the function's return instead");

static bool format;
module_param(format, bool, 0444);
MODULE_PARM_DESC(format, "also format a line per hit (and drop it)");

static atomic_long_t hits = ATOMIC_LONG_INIT(0);	/* handler calls */

static atomic_long_t bytes = ATOMIC_LONG_INIT(0);	/* formatted, dropped */

static int pre_handler(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&hits);
	if (format) {
		char line[64];

		atomic_long_add(snprintf(line, sizeof(line), "%s[%d] getppid\n",
					 current->comm, task_tgid_nr(current)),
				&bytes);
	}
	return 0;
}

static int ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_long_inc(&hits);
	return 0;
}

static struct kprobe kp = {
	.pre_handler = pre_handler,
};

static struct kretprobe krp = {
	.handler = ret_handler,
	.maxactive = 64,
};

static int __init bench_bare_init(void)
{
	int ret;

	if (kretprobe) {
		krp.kp.symbol_name = sym;
		ret = register_kretprobe(&krp);
	} else {
		kp.symbol_name = sym;
		ret = register_kprobe(&kp);
	}
	if (ret < 0) {
		pr_err("cannot probe %s: %d\n", sym, ret);
		return ret;
	}
	pr_info("probing %s%s\n", sym, kretprobe ? " (return)" : "");
	return 0;
}

static void __exit bench_bare_exit(void)
{
	if (kretprobe)
		unregister_kretprobe(&krp);
	else
		unregister_kprobe(&kp);
	pr_info("%ld hits\n", atomic_long_read(&hits));
	if (format)
		pr_info("%ld bytes formatted\n", atomic_long_read(&bytes));
}

module_init(bench_bare_init);
module_exit(bench_bare_exit);
MODULE_DESCRIPTION("benchmark baseline: a kprobe that counts hits");
MODULE_LICENSE("GPL");
