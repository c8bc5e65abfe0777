/*
 * build.h - pass 4: turn generated C into NAME.ko with kbuild (or its
 * recorded commands), through a cache keyed by everything that shapes
 * the module.
 * Input: C text, session. Output: the path of a built .ko.
 */
#ifndef BUILD_H
#define BUILD_H

#include "arena.h"
#include "session.h"

/* The module name for this C text: -m NAME, or stap_<hash>. */
const char *build_module_name(const struct session *ss, const char *ctext);

/*
 * Write the C and Kbuild files into dir (pass 3's output).
 */
int build_write(const struct session *ss, const char *dir, const char *name,
		const char *ctext);

/*
 * Build (or fetch from the cache) dir/name.ko. Returns the path of the
 * module, or NULL after printing why. *cached receives the module's
 * path in the cache, or NULL when there is no cache.
 */
const char *build_module(const struct session *ss, const char *dir,
			 const char *name, const char *ctext,
			 const char **cached);

/*
 * The first build for a release has no recipe yet: start making it (a
 * kbuild of an empty module, in a child) while passes 1-3 run; pass 4
 * waits for it. Nothing when the recipe is there or cannot be made.
 */
void build_prefetch(const struct session *ss);

/* /lib/modules/REL/build, checked; NULL after an error message. */
const char *build_kernel_dir(const char *release);

/*
 * --clean-cache: remove what stap keeps in cache_dir (built modules,
 * build recipes, DWARF indexes), nothing else. -1 after a message if
 * something could not be removed.
 */
int build_clean_cache(const char *cache_dir, int verbose);

/* Create a fresh temporary directory, or exit with a message. */
const char *build_tmpdir(void);

/* Remove a directory tree (the temporary directory). */
void build_rmtree(const char *dir);

#endif
