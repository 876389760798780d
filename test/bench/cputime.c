/*
 * cputime.c — runs a command and writes its wall-clock and CPU time, in
 * seconds with microsecond resolution, for test/bench/suite.sh.  Bash's
 * `time` prints milliseconds at best, too coarse for the PolyBench kernels
 * that run for a few milliseconds natively.
 *
 * usage: cputime TIMEFILE CMD [ARGS...]
 *   Runs CMD (stdin, stdout and stderr inherited), then writes one line
 *   "WALL USER SYS" to TIMEFILE: user and system time of CMD and of the
 *   descendants it waited for (wait4's resource usage, as bash's `time`).
 *   Exits with CMD's exit status, or 128 + the signal that killed it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
tv(struct timeval t)
{
	return (double) t.tv_sec + (double) t.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: cputime TIMEFILE CMD [ARGS...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("cputime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "cputime: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("cputime: wait4");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fprintf(f, "%.6f %.6f %.6f\n",
			(double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9,
			tv(ru.ru_utime), tv(ru.ru_stime));
	fclose(f);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
