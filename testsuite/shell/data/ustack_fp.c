/*
 * ustack_fp.c - a tiny static program with frame pointers for
 * shell/ustack.sh: _start -> level1 -> level2 -> level3 -> sys, which
 * makes the getppid system call; no libc, so nothing without frame
 * pointers stands between the system call and _start.
 */
static long sys(long n)
{
	long r;

	asm volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

__attribute__((noinline)) long level3(void) { return sys(110) + 1; }
__attribute__((noinline)) long level2(void) { return level3() + 1; }
__attribute__((noinline)) long level1(void) { return level2() + 1; }

void _start(void)
{
	level1();
	asm volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
