/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_compat.h - the few kernel API differences the runtime cares about.
 *
 * Every other runtime header calls these wrappers instead of the kernel
 * API directly when that API changed between the kernels we build for
 * (6.1 is the first target, 6.12 the next). Each difference is keyed on
 * LINUX_VERSION_CODE right here, so a new kernel means touching only this
 * file.
 */
#ifndef STP_COMPAT_H
#define STP_COMPAT_H

#include <linux/version.h>
#include <linux/kprobes.h>
#include <linux/debugfs.h>
#include <linux/string.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/uprobes.h>

/*
 * Linkage of the runtime (see src/build.c). kbuild builds a module from
 * one translation unit: the generated C with every runtime function in
 * it, static. Pass 4's fast path compiles the generated C with
 * -DSTP_RT_SPLIT instead, where the runtime headers only declare what
 * generated code calls, and links it with the runtime core built once
 * per release and set of -D options (runtime/stp_core.c, STP_RT_CORE),
 * where those functions are defined, global.
 *
 *   STP_RT_BODY   the runtime core's bodies are compiled here
 *   STP_API       the linkage of a core function generated code calls;
 *                 its prototype comes before the bodies
 *   STP_API_VAR   the declaration of a core variable they use, and
 *   STP_API_DEF   its definition, in the bodies
 */
#if !defined(STP_RT_SPLIT) || defined(STP_RT_CORE)
#define STP_RT_BODY 1
#endif
#ifdef STP_RT_SPLIT
#define STP_API
#define STP_API_VAR extern
#define STP_API_DEF
#else
#define STP_API static __maybe_unused
#define STP_API_VAR static
#define STP_API_DEF static
#endif

/* The kretprobe a return instance belongs to (ri->rp went away in 5.11). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define stp_kretprobe_of(ri) get_kretprobe(ri)
#else
#define stp_kretprobe_of(ri) ((ri)->rp)
#endif

/*
 * debugfs_create_file/dir return ERR_PTR on failure since 5.0 (NULL
 * before); relay's create_buf_file callback must return NULL on failure.
 */
static inline bool stp_dentry_bad(struct dentry *d)
{
	return IS_ERR_OR_NULL(d);
}

/* hrtimer_setup() replaced hrtimer_init() plus setting ->function in 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define stp_hrtimer_setup(t, fn, clock, mode) hrtimer_setup((t), (fn), (clock), (mode))
#else
#define stp_hrtimer_setup(t, fn, clock, mode)	\
	do {					\
		hrtimer_init((t), (clock), (mode));	\
		(t)->function = (fn);		\
	} while (0)
#endif

/*
 * A loaded module's read-only data, where its .note.gnu.build-id is:
 * 6.4 split the core layout into mem[] by kind.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define stp_module_rodata(m, basep, sizep) do {			\
		*(basep) = (const u8 *)(m)->mem[MOD_RODATA].base;	\
		*(sizep) = (m)->mem[MOD_RODATA].size;			\
	} while (0)
#else
#define stp_module_rodata(m, basep, sizep) do {			\
		*(basep) = (const u8 *)(m)->core_layout.base;		\
		*(sizep) = (m)->core_layout.ro_size;			\
	} while (0)
#endif

/*
 * uprobes (stp_uprobes.h). Up to 6.11 uprobe_register() returns 0 or
 * -errno and uprobe_unregister(inode, offset, consumer) waits for the
 * handlers; 6.12 returns the struct uprobe (or ERR_PTR), which
 * uprobe_unregister_nosync() takes, and one uprobe_unregister_sync()
 * after the last of them waits for every handler. *up is 6.12's handle
 * (NULL before).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static inline int stp_uprobe_reg(struct inode *inode, loff_t off,
				 struct uprobe_consumer *uc, struct uprobe **up)
{
	struct uprobe *u = uprobe_register(inode, off, 0, uc);

	if (IS_ERR(u))
		return PTR_ERR(u);
	*up = u;
	return 0;
}
#define stp_uprobe_unreg_nosync(inode, off, up, uc) \
	uprobe_unregister_nosync((up), (uc))
#define stp_uprobe_unreg_sync() uprobe_unregister_sync()
#else
static inline int stp_uprobe_reg(struct inode *inode, loff_t off,
				 struct uprobe_consumer *uc, struct uprobe **up)
{
	*up = NULL;
	return uprobe_register(inode, off, uc);
}
#define stp_uprobe_unreg_nosync(inode, off, up, uc) \
	uprobe_unregister((inode), (off), (uc))
#define stp_uprobe_unreg_sync() do { } while (0)
#endif

/* strscpy replaced strlcpy as the bounded copy (strlcpy gone in 6.8). */
#define stp_strscpy(dst, src, len) strscpy((dst), (src), (len))

#endif /* STP_COMPAT_H */
