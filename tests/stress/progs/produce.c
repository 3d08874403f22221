// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * produce GOFILE N FILE: waits for GOFILE, then makes exactly N one-byte
 * write()s to FILE (truncated), one event each under --json, and exits 0.
 * N = 0 gives the run's fixed events (exec, loader opens, exit).
 */
#include <string.h>
#include "stress.h"

int main(int argc, char **argv)
{
	long n;
	int fd;

	if (argc != 4)
		return 2;
	n = atol(argv[2]);
	fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || stress_wait_file(argv[1]))
		return 1;
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	return close(fd) ? 1 : 0;
}
