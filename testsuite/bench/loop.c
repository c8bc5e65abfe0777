/*
 * loop.c - the probe-cost workload: ROUNDS rounds of N getppid() calls,
 * each round timed with CLOCK_MONOTONIC.  Prints one line per round:
 *
 *	loop N NS_PER_CALL
 *
 * "loop now" prints CLOCK_MONOTONIC in ns instead (the guest's busybox
 * date has no %N), to time a whole staprun run.
 *
 * Built static on the host (gcc -O2 -static) and copied into the guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, i;
	int rounds, r;

	if (argc > 1 && !strcmp(argv[1], "now")) {
		printf("%lld\n", now_ns());
		return 0;
	}
	n = argc > 1 ? atol(argv[1]) : 200000;
	rounds = argc > 2 ? atoi(argv[2]) : 5;
	for (r = 0; r < rounds; r++) {
		long long t0 = now_ns();

		/* syscall() so that libc cannot cache or skip the call */
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		printf("loop %ld %.1f\n", n, (double)(now_ns() - t0) / n);
		fflush(stdout);
	}
	return 0;
}
