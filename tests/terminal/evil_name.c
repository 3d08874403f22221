// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For tests/terminal/test_ui.sh: names itself with terminal escape
 * sequences (a window title and a screen clear), holds a pipe so it shows
 * as active, writes its pid to argv[1] and sleeps argv[2] seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fds[2];
	FILE *f;

	if (argc < 3)
		return 2;
	prctl(PR_SET_NAME, "\033]2;PWN\a\033[2J", 0, 0, 0);
	if (pipe(fds))
		return 1;
	if (write(fds[1], "x", 1) != 1)
		return 1;
	f = fopen(argv[1], "w");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	sleep((unsigned)atoi(argv[2]));
	return 0;
}
