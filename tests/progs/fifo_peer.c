/* One end of a FIFO, for a test of two unrelated processes.
 * Usage: fifo_peer writer|reader PATH. The writer sends "ping"; the reader
 * reads to EOF and exits 0 when it got "ping". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[16];
	size_t got = 0;
	ssize_t n;
	int fd;

	if (argc != 3)
		return fprintf(stderr, "usage: fifo_peer writer|reader PATH\n"), 2;
	if (!strcmp(argv[1], "writer")) {
		fd = open(argv[2], O_WRONLY);
		if (fd < 0 || write(fd, "ping", 4) != 4)
			return perror("writer"), 1;
		return close(fd) ? 1 : 0;
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0)
		return perror("reader"), 1;
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	close(fd);
	return got == 4 && !memcmp(buf, "ping", 4) ? 0 : 3;
}
