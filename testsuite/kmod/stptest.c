// SPDX-License-Identifier: GPL-2.0
/*
 * stptest.c - the test module of the DWARF tests (testsuite/run/dwarf_mod_*).
 *
 * run.sh builds it with -g (the kernel's own CONFIG_DEBUG_INFO flags)
 * against the headers of each kernel under test and stap-vm loads it in
 * the guest before the script (the X.kmod sidecar). A write to
 * /proc/stptest calls the functions below with values the tests know:
 *
 *	echo 1 >/proc/stptest	one round of calls (see stptest_round)
 *	cat /proc/stptest	"last=N id=N sum=N" of the previous round
 *
 * The functions are noinline (probed as .call) or static inline (probed
 * as .inline instances); their parameters cover scalars, strings,
 * pointers to nested structs, arrays, unions, bitfields and enums.
 * Do not reorder lines lightly: tests probe lines relative to a
 * function's declaration (stptest_loop+4).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

enum stptest_color { STPTEST_RED = 1, STPTEST_GREEN = 2, STPTEST_BLUE = 4 };

struct stptest_inner {
	int a;
	char name[8];
};

union stptest_u {
	int i;
	unsigned char c[4];
};

struct stptest_outer {
	long id;
	struct stptest_inner inner;
	struct stptest_inner *pin;
	int arr[4];
	union stptest_u u;
	unsigned int flag:1, mode:3, level:4;
	enum stptest_color color;
	const char *label;
};

typedef struct stptest_outer stptest_outer_t;

/*
 * noipa: calls stay calls with every argument as written (no constant
 * propagation into clones, no dropped parameters), as in most real code.
 */
#define STPTEST_FN noinline __attribute__((__noipa__))

/* What the last round left, for cat /proc/stptest and the write tests. */
static long stptest_sum;
static long stptest_last;
static long stptest_last_id;
static int stptest_rounds;
struct stptest_outer stptest_global = { .id = 99, .label = "global" };

STPTEST_FN int stptest_scalars(int i, long l, unsigned char uc, short s,
			     unsigned long long ull, char c)
{
	return i + (int)l + uc + s + (int)ull + c;
}

STPTEST_FN long stptest_string(const char *str, size_t len)
{
	return (long)strnlen(str, len);
}

STPTEST_FN int stptest_struct(stptest_outer_t *o, int k)
{
	int sum = k;

	sum += o->inner.a + o->pin->a + o->arr[k] + o->mode + o->level;
	return sum;
}

STPTEST_FN int stptest_array(int *arr, int n)
{
	int total = 0;

	for (int j = 0; j < n; j++)
		total += arr[j];
	return total;
}

STPTEST_FN int stptest_union(union stptest_u *u, union stptest_u v)
{
	return u->c[0] + v.i;
}

STPTEST_FN enum stptest_color stptest_enum(enum stptest_color c)
{
	return c == STPTEST_BLUE ? STPTEST_RED : c + 1;
}

static __always_inline int stptest_inl(int x)
{
	OPTIMIZER_HIDE_VAR(x);	/* x in a register: it has a location */
	return x * 3 + READ_ONCE(stptest_rounds);
}

STPTEST_FN int stptest_loop(int n)
{
	int acc = 0;

	for (int j = 0; j < n; j++)
		acc += stptest_inl(j);
	return acc;
}

/* The write tests change $v or $o->id here; the round keeps the result. */
STPTEST_FN long stptest_set(struct stptest_outer *o, long v)
{
	return o->id + v;
}

/* 16 bytes by value: passed in two registers, described in pieces */
struct stptest_pair {
	long a;
	long b;
};

STPTEST_FN long stptest_pair(struct stptest_pair p)
{
	return p.a - p.b;
}

static noinline void stptest_round(void)
{
	static int arr[5] = { 10, 20, 30, 40, 50 };
	static struct stptest_inner pinned = { .a = 7, .name = "pinned" };
	struct stptest_outer o = {
		.id = 42,
		.inner = { .a = 5, .name = "inner" },
		.pin = &pinned,
		.arr = { 1, 2, 3, 4 },
		.u = { .i = 0x01020304 },
		.flag = 1, .mode = 5, .level = 9,
		.color = STPTEST_GREEN,
		.label = "outer",
	};
	union stptest_u v = { .i = 100 };
	struct stptest_pair pair = { .a = 1000, .b = -7 };
	long r = 0;

	stptest_rounds++;
	r += stptest_scalars(-5, 1234567890123L, 200, -300,
			     0xfedcba9876543210ULL, 'x');
	r += stptest_string("hello stptest", 64);
	r += stptest_struct(&o, 2);
	r += stptest_array(arr, 5);
	r += stptest_union(&o.u, v);
	r += stptest_enum(STPTEST_BLUE);
	r += stptest_loop(3);
	r += stptest_pair(pair);
	stptest_last = stptest_set(&o, 1);
	stptest_last_id = o.id;
	stptest_sum = r;
}

static ssize_t stptest_write(struct file *f, const char __user *buf,
			     size_t len, loff_t *pos)
{
	stptest_round();
	return len;
}

static ssize_t stptest_read(struct file *f, char __user *buf, size_t len,
			    loff_t *pos)
{
	char s[64];
	int n = scnprintf(s, sizeof(s), "last=%ld id=%ld sum=%ld\n",
			  stptest_last, stptest_last_id, stptest_sum);

	return simple_read_from_buffer(buf, len, pos, s, n);
}

static const struct proc_ops stptest_ops = {
	.proc_write = stptest_write,
	.proc_read = stptest_read,
};

static int __init stptest_init(void)
{
	return proc_create("stptest", 0666, NULL, &stptest_ops) ? 0 : -ENOMEM;
}

static void __exit stptest_exit(void)
{
	remove_proc_entry("stptest", NULL);
}

module_init(stptest_init);
module_exit(stptest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test module of the stap testsuite");
EXPORT_SYMBOL_GPL(stptest_enum);	/* for .exported */
#ifdef STPTEST_OTHER	/* another build (shell/dwarf_module_buildid) */
MODULE_INFO(stptest_variant, "other");
#endif
