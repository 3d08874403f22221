// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Object names from /proc; see names.h. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "names.h"

bool names_resolve_fd(void *ctx, uint32_t pid, int fd, uint64_t dev,
		      uint64_t ino, char *out, size_t outlen)
{
	char link[64];
	struct stat st;
	ssize_t n;

	(void)ctx;
	snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, fd);
	/* the kernel's s_dev is MKDEV(major, minor) = major << 20 | minor */
	if (stat(link, &st) || st.st_ino != ino ||
	    major(st.st_dev) != (dev >> 20) || minor(st.st_dev) != (dev & 0xfffff))
		return false;
	n = readlink(link, out, outlen - 1);
	if (n <= 0)
		return false;
	out[n] = 0;
	return true;
}
