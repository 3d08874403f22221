// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For tests/terminal/test_noise.sh: opens argv[1], maps it shared, closes
 * the fd (the mapping alone holds the entry now), writes "mapped" to
 * stdout, and sleeps argv[2] seconds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	void *p;
	int fd;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		return 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	close(fd);
	puts("mapped");
	fflush(stdout);
	sleep((unsigned)atoi(argv[2]));
	return 0;
}
