/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_procfs.h - procfs("PATH").read / .write probes: files under
 * /proc/systemtap/MODNAME/, as in SystemTap.
 *
 * The files are made when the module loads (stp_procfs_create(), from
 * stp_module_init()) and removed when it unloads or its init fails;
 * /proc/systemtap itself stays, as SystemTap leaves it (other modules
 * may be using it). One file per distinct PATH: its read probe (at most
 * one, stap checks) and every write probe on that PATH share it, and its
 * mode is the union of what each probe adds (0444 or 0222 less the
 * umask). PATH may name subdirectories ("a/b"), made as needed.
 *
 * Handlers run in the reading or writing task, through stp_claim() and
 * stp_release() with preemption off, and only while the session runs
 * (a read then gets nothing, a write EIO). A read probe runs once per
 * open, at the first read: the value it sets ($value, at most maxsize-1
 * bytes) is what the reads of that open file return, piece by piece and
 * at any offset. A write runs every write probe of the file in table
 * order with $value = the bytes written, cut to MAXSTRINGLEN-1 (the
 * write returns how many it took, so the writer sends the rest in
 * another write, as with SystemTap). The user copies happen outside the
 * handler, which must not fault or sleep. A read probe may build a
 * value longer than a script string with $value .= s.
 *
 * proc_remove() waits for file operations in progress, so after
 * stp_procfs_remove() no handler runs from a procfs file.
 */
#ifndef STP_PROCFS_H
#define STP_PROCFS_H

#include <linux/proc_fs.h>
#include <linux/namei.h>
#include "stp_probes.h"

/* procfs $value in a write probe: the bytes written, copied to buf. */
static inline const char *stp_procfs_value(struct stp_context *c, char *buf)
{
	strscpy(buf, c->procfs_buf ? c->procfs_buf : "", MAXSTRINGLEN);
	return buf;
}

/* procfs $value = s in a read probe: what the reader gets. */
static inline const char *stp_procfs_set(struct stp_context *c,
					 const char *s, const char *loc)
{
	size_t len = strlen(s);

	if (!c->procfs_buf)
		return s;
	if (len >= c->procfs_size) {
		stp_error(c, loc, "buffer size exceeded, consider "
			  ".maxsize(%zu).", len + 1);
		return s;
	}
	memcpy(c->procfs_buf, s, len + 1);
	return s;
}

/*
 * procfs $value .= s in a read probe: values longer than a script
 * string, up to the file's .maxsize.
 */
static inline const char *stp_procfs_append(struct stp_context *c,
					    const char *s, const char *loc)
{
	size_t have, len = strlen(s);

	if (!c->procfs_buf)
		return s;
	have = strlen(c->procfs_buf);
	if (have + len >= c->procfs_size) {
		stp_error(c, loc, "buffer size exceeded, consider "
			  ".maxsize(%zu).", have + len + 1);
		return s;
	}
	memcpy(c->procfs_buf + have, s, len + 1);
	return s;
}

/* One file: the probes of one PATH. */
struct stp_procfs_file {
	const char *path;		/* under /proc/systemtap/MODNAME */
	const struct stp_probe *read;	/* its read probe, or NULL */
	size_t size;			/* the read buffer, NUL included */
	umode_t mode;
};

/* What one open file keeps: the value a read probe made. */
struct stp_procfs_open {
	bool filled;			/* the read probe ran */
	size_t len;			/* bytes of value */
	char value[];			/* file->size bytes */
};

static struct proc_dir_entry *stp_procfs_dir;	/* systemtap/MODNAME */
static struct stp_procfs_file *stp_procfs_files;
static unsigned int stp_procfs_nfiles;

static void stp_procfs_remove(void);

static bool stp_is_procfs(const struct stp_probe *p)
{
	return p->kind == STP_PROCFS_READ || p->kind == STP_PROCFS_WRITE;
}

static int stp_procfs_open(struct inode *inode, struct file *filp)
{
	struct stp_procfs_file *f = pde_data(inode);
	struct stp_procfs_open *o;

	if ((filp->f_mode & FMODE_READ) == 0)
		return 0;	/* a write needs no buffer */
	o = kzalloc(sizeof(*o) + f->size, GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	filp->private_data = o;
	return 0;
}

static int stp_procfs_release(struct inode *inode, struct file *filp)
{
	kfree(filp->private_data);
	return 0;
}

/*
 * Run p on buf (size bytes, NUL included) as $value. False if the
 * probe did not run (session not running) or failed.
 */
static bool stp_procfs_run(const struct stp_probe *p, char *buf, size_t size)
{
	struct stp_context *c;
	bool ok;

	preempt_disable();
	c = stp_claim(p, STP_SESSION_RUNNING, NULL, 0);
	if (!c) {
		preempt_enable();
		return false;
	}
	c->procfs_buf = buf;
	c->procfs_size = size;
	p->handler(c);
	ok = !c->error;
	c->procfs_buf = NULL;	/* zero whenever the context is free */
	c->procfs_size = 0;
	stp_release(c);
	preempt_enable();
	return ok;
}

static ssize_t stp_procfs_read(struct file *filp, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct stp_procfs_file *f = pde_data(file_inode(filp));
	struct stp_procfs_open *o = filp->private_data;

	if (!o)
		return -EBADF;
	if (!o->filled) {
		o->filled = true;
		o->value[0] = '\0';
		if (f->read && !stp_procfs_run(f->read, o->value, f->size))
			o->value[0] = '\0';
		o->len = strlen(o->value);
	}
	return simple_read_from_buffer(ubuf, count, ppos, o->value, o->len);
}

static ssize_t stp_procfs_write(struct file *filp, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct stp_procfs_file *f = pde_data(file_inode(filp));
	const struct stp_probe *probes = stp_desc_p->probes;
	bool any = false, ok = true;
	unsigned int i;
	char *buf;

	if (count >= MAXSTRINGLEN)
		count = MAXSTRINGLEN - 1;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	for (i = 0; i < stp_desc_p->nprobes; i++) {
		if (probes[i].kind != STP_PROCFS_WRITE ||
		    strcmp(probes[i].symbol, f->path))
			continue;
		any = true;
		if (!stp_procfs_run(&probes[i], buf, count + 1))
			ok = false;
	}
	kfree(buf);
	if (!any || !ok)
		return -EIO;
	*ppos += count;
	return count;
}

static const struct proc_ops stp_procfs_ops = {
	.proc_open = stp_procfs_open,
	.proc_read = stp_procfs_read,
	.proc_write = stp_procfs_write,
	.proc_lseek = default_llseek,
	.proc_release = stp_procfs_release,
};

/* The file of path, made on first sight. */
static struct stp_procfs_file *stp_procfs_file_of(const char *path)
{
	struct stp_procfs_file *f;
	unsigned int i;

	for (i = 0; i < stp_procfs_nfiles; i++)
		if (!strcmp(stp_procfs_files[i].path, path))
			return &stp_procfs_files[i];
	f = &stp_procfs_files[stp_procfs_nfiles++];
	f->path = path;
	f->size = MAXSTRINGLEN;
	return f;
}

/* Make the directories of f's path that no earlier file made. */
static int stp_procfs_mkdirs(unsigned int n)
{
	const char *path = stp_procfs_files[n].path, *slash;
	char dir[NAME_MAX + 1];
	unsigned int i;

	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = slash - path;
		bool made = false;

		if (len >= sizeof(dir))
			return -ENAMETOOLONG;
		for (i = 0; i < n && !made; i++)
			made = !strncmp(stp_procfs_files[i].path, path,
					len + 1);
		if (made)
			continue;
		memcpy(dir, path, len);
		dir[len] = '\0';
		/* proc_mkdir walks "a/b" below the parent by itself */
		if (!proc_mkdir(dir, stp_procfs_dir))
			return -ENOMEM;
	}
	return 0;
}

/* /proc/systemtap, shared by every module and never removed. */
static void stp_procfs_root(void)
{
	struct path path;

	if (!kern_path("/proc/systemtap", 0, &path)) {
		path_put(&path);
		return;
	}
	proc_mkdir("systemtap", NULL);	/* fails if another module won */
}

static int stp_procfs_make_files(void)
{
	const struct stp_probe *probes = stp_desc_p->probes;
	unsigned int i;
	int rc;

	for (i = 0; i < stp_desc_p->nprobes; i++) {
		const struct stp_probe *p = &probes[i];
		struct stp_procfs_file *f;

		if (!stp_is_procfs(p))
			continue;
		f = stp_procfs_file_of(p->symbol);
		f->mode |= p->mode;
		if (p->kind == STP_PROCFS_READ) {
			f->read = p;
			if (p->offset)
				f->size = p->offset;
		}
	}
	for (i = 0; i < stp_procfs_nfiles; i++) {
		struct stp_procfs_file *f = &stp_procfs_files[i];

		rc = stp_procfs_mkdirs(i);
		if (rc)
			return rc;
		if (!proc_create_data(f->path, f->mode, stp_procfs_dir,
				      &stp_procfs_ops, f))
			return -ENOMEM;
	}
	return 0;
}

static int stp_procfs_create(void)
{
	char name[sizeof("systemtap/") + MODULE_NAME_LEN];
	unsigned int i, n = 0;
	int rc;

	for (i = 0; i < stp_desc_p->nprobes; i++)
		n += stp_is_procfs(&stp_desc_p->probes[i]);
	if (!n)
		return 0;
	stp_procfs_files = kcalloc(n, sizeof(*stp_procfs_files), GFP_KERNEL);
	if (!stp_procfs_files)
		return -ENOMEM;
	stp_procfs_root();
	snprintf(name, sizeof(name), "systemtap/%s", THIS_MODULE->name);
	stp_procfs_dir = proc_mkdir(name, NULL);
	if (!stp_procfs_dir) {
		stp_pr_err("cannot create /proc/%s\n", name);
		rc = -ENOMEM;
		goto err;
	}
	rc = stp_procfs_make_files();
	if (rc) {
		stp_pr_err("cannot create the procfs files of /proc/%s: %d\n",
			   name, rc);
		goto err;
	}
	return 0;
err:
	stp_procfs_remove();
	return rc;
}

/* Remove the files; waits for the reads and writes in progress. */
static void stp_procfs_remove(void)
{
	proc_remove(stp_procfs_dir);	/* and everything in it */
	stp_procfs_dir = NULL;
	kfree(stp_procfs_files);
	stp_procfs_files = NULL;
	stp_procfs_nfiles = 0;
}

/* The family the generated desc points at (see struct stp_family). */
static int stp_procfs_start(const struct stp_module_desc *desc)
{
	return stp_procfs_create();
}

static const struct stp_family stp_procfs_family = {
	.start = stp_procfs_start,
	.stop = stp_procfs_remove,
};
#endif /* STP_PROCFS_H */
