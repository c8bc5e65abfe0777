/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_kernel.h - every kernel header the runtime always uses, in one
 * place, included first by stp_runtime.h.
 *
 * Pass 4 compiles this file once per kernel release into a GCC
 * precompiled header (src/build.c), so a new module does not parse the
 * kernel's headers again. For that it must not depend on anything a
 * module sets: no -D tunables and no KBUILD_MODNAME here. The runtime
 * files still include what each of them uses.
 */
#ifndef STP_KERNEL_H
#define STP_KERNEL_H

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/cpumask.h>
#include <linux/version.h>
#include <linux/kprobes.h>
#include <linux/debugfs.h>
#include <linux/string.h>
#include <linux/hrtimer.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/kallsyms.h>
#include <linux/relay.h>
#include <linux/irqflags.h>
#include <linux/ptrace.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <asm/irq_regs.h>
#include <linux/timex.h>
#include <linux/cpu.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <asm/unwind.h>
#include <linux/mm.h>
#include <linux/tracepoint.h>
#include <linux/percpu.h>
#include <linux/bitops.h>
#include <linux/math64.h>

#endif /* STP_KERNEL_H */
