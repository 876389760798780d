/*
 * sort.c — a plain quicksort (median of three, insertion sort for
 * small ranges) of a few million pseudo-random ints: measures i32 loads and
 * stores, unpredictable branches and recursion.  Our own sort, not qsort(), so
 * native and Wasm run the same algorithm.
 */
#include "bench.h"

static void insertion_sort(int32_t *a, long n)
{
	for (long i = 1; i < n; i++) {
		int32_t v = a[i];
		long j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void quicksort(int32_t *a, long n)
{
	while (n > 16) {
		long m = n / 2;
		/* Median of three into a[m]. */
		if (a[0] > a[m]) { int32_t t = a[0]; a[0] = a[m]; a[m] = t; }
		if (a[m] > a[n - 1]) { int32_t t = a[m]; a[m] = a[n - 1]; a[n - 1] = t; }
		if (a[0] > a[m]) { int32_t t = a[0]; a[0] = a[m]; a[m] = t; }
		int32_t pivot = a[m];
		long i = 0, j = n - 1;
		for (;;) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i >= j)
				break;
			int32_t t = a[i]; a[i] = a[j]; a[j] = t;
			i++;
			j--;
		}
		/* Recurse into the smaller part, loop on the larger. */
		long left = j + 1;
		if (left < n - left) {
			quicksort(a, left);
			a += left;
			n -= left;
		} else {
			quicksort(a + left, n - left);
			n = left;
		}
	}
	insertion_sort(a, n);
}

int main(int argc, char **argv)
{
	long n = bench_param(argc, argv, 5000000);
	int32_t *a = malloc((size_t)n * sizeof *a);
	if (!a)
		return 1;
	uint64_t seed = 99;
	uint64_t sum = 0;
	for (int round = 0; round < 2; round++) {
		for (long i = 0; i < n; i++)
			a[i] = (int32_t)(bench_rand(&seed) >> 32);
		quicksort(a, n);
		for (long i = 1; i < n; i++)
			if (a[i - 1] > a[i]) {
				fprintf(stderr, "sort: not sorted at %ld\n", i);
				return 1;
			}
		for (long i = 0; i < n; i += 97)
			sum = bench_mix(sum, (uint32_t)a[i]);
	}
	bench_report("sort", n, sum);
	free(a);
	return 0;
}
