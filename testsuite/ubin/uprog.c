/*
 * uprog.c - the user program process(...) probes are tested on: a few
 * functions with known names, hit counts and return values.
 *
 *	uprog N		where_is(up_sum) (a script can learn up_sum's
 *			address from its argument), up_hello() once,
 *			up_sum(N), which calls up_square(1..N) and returns
 *			their sum
 *	uprog N fork	the same, then fork a child that calls up_hello()
 *			and exits, and wait for it
 *
 * It prints nothing (its output would mix with the script's). Built by
 * testsuite/run.sh with gcc -O0 -static and copied to the guest's /bin
 * (a run/ test's X.ubin names it).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) void up_hello(void)
{
	__asm__ volatile("");
}

__attribute__((noinline)) int up_square(int x)
{
	return x * x;
}

__attribute__((noinline)) long up_sum(int n)
{
	long s = 0;

	for (int i = 1; i <= n; i++)
		s += up_square(i);
	return s;
}

__attribute__((noinline)) void where_is(long (*fn)(int))
{
	__asm__ volatile("" : : "r"(fn));
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;

	where_is(up_sum);
	up_hello();
	if (up_sum(n) != (long)n * (n + 1) * (2 * n + 1) / 6)
		return 1;
	if (argc > 2 && !strcmp(argv[2], "fork")) {
		pid_t pid = fork();

		if (pid == 0) {
			up_hello();
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return 1;
	}
	return 0;
}
