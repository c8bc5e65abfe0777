/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_perf.h - perf.type(T).config(C).sample(N) probes: one kernel perf
 * event counter per online CPU (perf_event_create_kernel_counter), the
 * probe running from its overflow handler every N events, with the
 * registers the overflow interrupted (NMI for hardware counters, the
 * hrtimer interrupt for cpu_clock/task_clock, the scheduler or the
 * fault for the other software events; preemption is off in all).
 *
 * Counters are made when the session starts, on the CPUs online then
 * (as timer.profile), and released at disarm: perf_event_release_kernel()
 * takes the event off its CPU with a call on that CPU, so no handler of
 * it runs after. An event the machine lacks (hardware counters in a VM
 * without a PMU) fails on the first CPU: the probe gets the usual
 * registration warning with the kernel's error, the rest of the script
 * runs.
 */
#ifndef STP_PERF_H
#define STP_PERF_H

#include <linux/perf_event.h>
#include "stp_probes.h"

static void stp_perf_overflow(struct perf_event *ev,
			      struct perf_sample_data *data,
			      struct pt_regs *regs)
{
	struct stp_kprobe *k = ev->overflow_handler_context;
	struct stp_context *c;

	c = stp_claim(k->probe, STP_SESSION_RUNNING, regs, 0);
	if (!c)
		return;
	k->probe->handler(c);
	stp_release(c);
}

static void stp_perf_unregister(struct stp_kprobe *k)
{
	unsigned int cpu;

	if (!k->u.pe)
		return;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (k->u.pe[cpu])
			perf_event_release_kernel(k->u.pe[cpu]);
	kfree(k->u.pe);
	k->u.pe = NULL;
}

static int stp_perf_register(struct stp_kprobe *k)
{
	const struct stp_probe *p = k->probe;
	struct perf_event_attr attr = {
		.type = p->perf_type,
		.size = sizeof(attr),
		.config = p->perf_config,
		.sample_period = p->perf_sample,
	};
	unsigned int cpu;

	k->u.pe = kcalloc(nr_cpu_ids, sizeof(*k->u.pe), GFP_KERNEL);
	if (!k->u.pe)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		struct perf_event *ev;

		ev = perf_event_create_kernel_counter(&attr, cpu, NULL,
						      stp_perf_overflow, k);
		if (IS_ERR(ev)) {
			stp_perf_unregister(k);
			return PTR_ERR(ev);
		}
		k->u.pe[cpu] = ev;
	}
	return 0;
}

/* The family the generated desc points at (see struct stp_family). */
static const struct stp_family stp_perf_family = {
	.arm = stp_perf_register,
	.disarm = stp_perf_unregister,
};
#endif /* STP_PERF_H */
