/*
 * session.h - what the command line asked for, shared by every pass.
 * Filled by main.c; the passes read it and never change it, except for
 * the fields marked as results.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>

#include "lex.h"

struct session {
	const char *script_file;	/* path, or NULL with -e and - */
	const char *script_text;	/* -e text, or standard input (-) */
	const char **more_scripts;	/* -E SCRIPT..., run as well */
	int nmore_scripts;
	struct lex_args args;	/* $1.. @1.. */
	int last_pass;		/* -p N, 5 by default */
	int verbose;		/* -v count */
	bool keep_tmp;		/* -k */
	bool guru;		/* -g */
	bool vm;		/* --vm */
	const char *module_name;	/* -m NAME, or NULL */
	const char *release;	/* -r RELEASE, or chosen default */
	const char *output;	/* -o FILE */
	const char *cmd;	/* -c CMD */
	const char *target_pid;	/* -x PID */
	const char *bufsize;	/* -s MB */
	const char *split;	/* -S SIZE[,N] */
	bool flight;		/* -F */
	bool bulk;		/* -b */
	const char **defines;	/* -D NAME=VALUE, NULL-terminated */
	int ndefines;
	const char **globals_set;	/* -G NAME=VALUE */
	int nglobals_set;
	const char **incdirs;	/* -I DIR, NULL-terminated */
	int nincdirs;
	const char *tapset_dir;	/* the built-in tapset/ directory */
	const char *runtime_dir;	/* runtime/ */
	const char *libexec_dir;	/* where stap-vm and staprun live */
	const char *cache_dir;	/* module cache, NULL to disable */
	const char *sysroot;	/* --sysroot=DIR: where the target's files
				 * (process("PATH")) are on this host, or NULL */
	bool suppress_warnings;	/* -w */
	bool unoptimized;	/* -u: keep unused globals */
	const char *dump;	/* --dump=ast|sema|tokens */
	int listing;		/* -l 1, -L 2: list probe points, no pass 3 */
	const char *tmpdir;	/* result: the pass 3/4 directory */
};

#endif
