// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hostile DIR GOFILE: names itself, its files and its data with what a
 * terminal or a JSON reader must never get raw: ESC sequences (a window
 * title, a screen clear, cursor moves, SGR), C0 and C1 controls, DEL,
 * invalid UTF-8 and bidi overrides. Makes a file and a FIFO under DIR with
 * such names, writes such payloads through a pipe it reads back, prints
 * them to stdout and stderr, then waits for GOFILE (or 60 s) and exits 0.
 */
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "stress.h"

static const char *const evil[] = {
	"\033]2;PWNED\a",	/* window title */
	"\033[2J\033[H",	/* clear, home */
	"\033[31;5mRED",	/* SGR */
	"\033P1$tx\033\\",	/* DCS */
	"\x9b" "31m\x9d" "0;C1\x07", /* C1 CSI and OSC, invalid UTF-8 too */
	"\xff\xfe\xc3(\xe2\x82",	/* invalid UTF-8 */
	"\xe2\x80\xae" "RLO\xe2\x80\xad" "LRO\xe2\x81\xa6", /* bidi */
	"\x01\x08\x7f\r\n\t",	/* C0, DEL */
};
#define NEVIL (sizeof(evil) / sizeof(evil[0]))

int main(int argc, char **argv)
{
	char path[4096], buf[512];
	int p[2];

	if (argc != 3)
		return 2;
	prctl(PR_SET_NAME, "\033]2;PWNED\a\033[2J", 0, 0, 0);
	if (pipe(p))
		return 1;
	for (size_t i = 0; i < NEVIL; i++) {
		size_t n = strlen(evil[i]);
		int fd;

		/* '/' is the one byte a name cannot hold: the rest goes in */
		snprintf(path, sizeof(path), "%s/f%zu-%s", argv[1], i, evil[i]);
		for (char *c = path + strlen(argv[1]) + 1; *c; c++)
			if (*c == '/' || *c == '\n')
				*c = '_';
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, evil[i], n) != (ssize_t)n)
			return 1;
		strcat(path, "-fifo");
		if (mkfifo(path, 0600))
			return 1;
		if (write(p[1], evil[i], n) != (ssize_t)n ||
		    read(p[0], buf, sizeof(buf)) != (ssize_t)n)
			return 1;
		if (write(1, evil[i], n) < 0 || write(2, evil[i], n) < 0)
			return 1;
		/* kept open: the view shows the names */
	}
	prctl(PR_SET_NAME, "\xe2\x80\xae\033[1;1H\xff", 0, 0, 0);
	if (stress_wait_file(argv[2]))
		return 1;
	return 0;
}
