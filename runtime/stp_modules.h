/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_modules.h - probes in loadable modules, and their global
 * variables.
 *
 * The translator places a module("M") probe as the kprobe symbol
 * "M:symbol" plus an offset, which kallsyms resolves in module M once
 * it is loaded. A module need not be loaded when the session starts:
 * a module notifier registers M's probes when M comes (the kernel calls
 * it in MODULE_STATE_COMING, after M's symbols are known and before its
 * init function runs) and unregisters them when it goes, so the probes
 * follow M through rmmod and insmod. stp_mod_mutex orders the notifier
 * against "start" and "disarm"; disarm first removes the notifier, so
 * nothing is registered after it.
 *
 * Probes placed with a module's debuginfo carry its GNU build id; before
 * they are registered, the loaded module's read-only data must hold the
 * same build id note, else they are refused with a message: a module
 * rebuilt since would have its functions elsewhere.
 *
 * A module that is not loaded is told apart from a symbol that is
 * missing by looking up "M:__this_module" (every module has that symbol,
 * and Debian's CONFIG_KALLSYMS_ALL keeps data symbols in kallsyms).
 *
 * kallsyms_lookup_name() is not exported since Linux 5.7; its address is
 * what a kprobe on it resolves to (minus the ENDBR64 kprobes skips when
 * IBT is on: the function is then called through its real entry).
 * stp_module_addr() uses it to find a module's global variables at run
 * time, as "M:name". The lookup is slow (6.1 scans every kernel symbol
 * first), so each place in the script keeps the address it found with
 * the module generation, which the notifier bumps at every load and
 * unload.
 */
#ifndef STP_MODULES_H
#define STP_MODULES_H

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include "stp_probes.h"

/* What one stp_module_addr() place found, and when. */
struct stp_modsym {
	unsigned long addr;
	int gen;
};

STP_API unsigned long stp_module_addr(struct stp_context *c,
				      struct stp_modsym *ms, const char *symbol,
				      unsigned long off, const char *loc);

#ifdef STP_RT_BODY
static DEFINE_MUTEX(stp_mod_mutex);
static bool stp_mod_live;	/* between arm and disarm, under the mutex */
static bool stp_mod_notifier_on;
static unsigned long (*stp_lookup_name)(const char *name);
static atomic_t stp_mod_gen = ATOMIC_INIT(1);	/* modules came or went */

static bool stp_is_module_probe(const struct stp_probe *p)
{
	return (p->kind == STP_KPROBE || p->kind == STP_KRETPROBE) &&
	       p->symbol && strchr(p->symbol, ':');
}

/* Is p in module name? ("name:symbol") */
static bool stp_probe_in(const struct stp_probe *p, const char *name)
{
	size_t n = strchr(p->symbol, ':') - p->symbol;

	return strlen(name) == n && !strncmp(p->symbol, name, n);
}

/* Find kallsyms_lookup_name() (process context, once). */
static void stp_find_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long a;
	u32 insn;

	if (stp_lookup_name || register_kprobe(&kp))
		return;
	a = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	/* kprobes moves past an ENDBR64 (f3 0f 1e fa); call the real entry */
	if (!copy_from_kernel_nofault(&insn, (void *)(a - 4), 4) &&
	    insn == 0xfa1e0ff3)
		a -= 4;
	stp_lookup_name = (void *)a;
}

/* Is the module of "name:symbol" loaded? */
static bool stp_module_loaded(const char *symbol)
{
	char buf[MODULE_NAME_LEN + 16];
	size_t n = strchr(symbol, ':') - symbol;

	if (!stp_lookup_name || n >= MODULE_NAME_LEN)
		return true;	/* cannot tell: report the failure */
	snprintf(buf, sizeof(buf), "%.*s:__this_module", (int)n, symbol);
	return stp_lookup_name(buf) != 0;
}

/*
 * Does the loaded module of "name:symbol" carry the GNU build id hex?
 * Its note (namesz 4, descsz, type 3, "GNU") is searched for in the
 * module's read-only data.
 */
static bool stp_module_build_id_ok(const char *symbol, const char *hex)
{
	char buf[MODULE_NAME_LEN + 16];
	size_t n = strchr(symbol, ':') - symbol, len = strlen(hex) / 2;
	u8 note[16 + 64];
	u32 hdr[3] = { 4, len, 3 };
	const struct module *mod;
	const u8 *base;
	size_t size, i;

	if (!stp_lookup_name || n >= MODULE_NAME_LEN || len > 64 ||
	    hex2bin(note + 16, hex, len))
		return true;	/* nothing to compare with */
	snprintf(buf, sizeof(buf), "%.*s:__this_module", (int)n, symbol);
	mod = (const struct module *)stp_lookup_name(buf);
	if (!mod)
		return true;	/* not loaded: registration says so */
	memcpy(note, hdr, 12);
	memcpy(note + 12, "GNU", 4);
	stp_module_rodata(mod, &base, &size);
	for (i = 0; base && i + 16 + len <= size; i += 4)
		if (!memcmp(base + i, note, 16 + len))
			return true;
	return false;
}

/* Register the probes of module name (all modules when NULL). */
static void stp_modules_register(const char *name)
{
	unsigned int i;
	const struct stp_probe *checked = NULL;	/* last build id seen */
	bool same = true;

	for (i = 0; i < stp_desc_p->nprobes; i++) {
		struct stp_kprobe *k = &stp_kprobes[i];
		const struct stp_probe *p = &stp_desc_p->probes[i];
		int rc;

		if (!stp_is_module_probe(p) || k->registered ||
		    (name && !stp_probe_in(p, name)))
			continue;
		k->probe = p;
		if (p->build_id && (!checked || strcmp(checked->build_id,
						       p->build_id) ||
				    strncmp(checked->symbol, p->symbol,
					    strchr(p->symbol, ':') -
					    p->symbol + 1))) {
			checked = p;
			same = stp_module_build_id_ok(p->symbol, p->build_id);
			if (!same)
				stp_emit_err("ERROR: module %.*s is not the "
					"one whose debuginfo placed the probes "
					"(build id %s): not probed\n",
					(int)(strchr(p->symbol, ':') -
					      p->symbol), p->symbol,
					p->build_id);
		}
		if (p->build_id && !same)
			continue;
		rc = stp_kprobe_arm(k);
		if (!rc) {
			k->registered = true;
			continue;
		}
		/* not loaded yet: the notifier registers it later */
		if (rc == -ENOENT && !stp_module_loaded(p->symbol))
			continue;
		stp_emit_err("WARNING: probe %s registration failed: %d\n",
			     p->pp, rc);
	}
}

/* Unregister the probes of module name (all when NULL). */
static void stp_modules_unregister(const char *name)
{
	unsigned int i;

	for (i = 0; i < stp_desc_p->nprobes; i++) {
		struct stp_kprobe *k = &stp_kprobes[i];
		const struct stp_probe *p = &stp_desc_p->probes[i];

		if (!stp_is_module_probe(p) || !k->registered ||
		    (name && !stp_probe_in(p, name)))
			continue;
		stp_kprobe_disarm(k);
		k->registered = false;
	}
}

static int stp_module_notify(struct notifier_block *nb, unsigned long val,
			     void *data)
{
	struct module *mod = data;

	atomic_inc(&stp_mod_gen);
	mutex_lock(&stp_mod_mutex);
	if (stp_mod_live && val == MODULE_STATE_COMING)
		stp_modules_register(mod->name);
	else if (stp_mod_live && val == MODULE_STATE_GOING)
		stp_modules_unregister(mod->name);
	mutex_unlock(&stp_mod_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block stp_module_nb = {
	.notifier_call = stp_module_notify,
};

/*
 * From stp_register_probes(): the module probes, now and later. Only
 * scripts with module probes or module globals (desc->modules, set by
 * the generated code) pay for the kprobe and the notifier.
 */
static void stp_modules_arm(void)
{
	if (!stp_desc_p->modules)
		return;
	stp_find_lookup_name();
	mutex_lock(&stp_mod_mutex);
	stp_mod_live = true;
	mutex_unlock(&stp_mod_mutex);
	stp_mod_notifier_on = !register_module_notifier(&stp_module_nb);
	mutex_lock(&stp_mod_mutex);
	stp_modules_register(NULL);
	mutex_unlock(&stp_mod_mutex);
}

/* From stp_unregister_probes(): no more notifications, then unregister. */
static void stp_modules_disarm(void)
{
	if (stp_mod_notifier_on) {
		unregister_module_notifier(&stp_module_nb);
		stp_mod_notifier_on = false;
	}
	mutex_lock(&stp_mod_mutex);
	stp_mod_live = false;
	stp_modules_unregister(NULL);
	mutex_unlock(&stp_mod_mutex);
}

/*
 * The run-time address of module global "module:name" (plus off);
 * 0 with an error when the module or the symbol is not there. ms is
 * the calling place's cache.
 */
STP_API unsigned long stp_module_addr(struct stp_context *c,
				      struct stp_modsym *ms, const char *symbol,
				      unsigned long off, const char *loc)
{
	int gen = atomic_read(&stp_mod_gen);
	unsigned long a;

	if (c->error)
		return 0;
	if (READ_ONCE(ms->gen) == gen)
		return READ_ONCE(ms->addr) + off;
	a = stp_lookup_name ? stp_lookup_name(symbol) : 0;
	if (a) {
		WRITE_ONCE(ms->addr, a);
		WRITE_ONCE(ms->gen, gen);
	} else {
		stp_error(c, loc, "cannot find %s (is the module loaded?)",
			  symbol);
		return 0;
	}
	return a + off;
}

#endif /* STP_RT_BODY */
#endif /* STP_MODULES_H */
