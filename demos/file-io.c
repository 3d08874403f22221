/*
 * file-io - a file is the oldest way to pass data along: write it, then
 * read it back. The catch is the offset: write() leaves it at the end of
 * what was written, so a read() straight after finds nothing until lseek()
 * moves the offset back to the start.
 */
#include "demo.h"

#include <string.h>
#include <unistd.h>

static const char text[] = "Hello, File!";

int main(int argc, char **argv)
{
	char path[64], buf[64];
	ssize_t n;
	off_t off;
	int fd;

	demo_init(argc, argv, "file-io", NULL);

	fd = demo_temp_file(path, sizeof(path));
	demo_step("mkstemp() opened %s for reading and writing as fd %d, "
		  "offset 0", path, fd);

	demo_write_all(fd, text, strlen(text));
	demo_step("wrote \"%s\" (%zu bytes) into fd %d: the offset moved to "
		  "%zu", text, strlen(text), fd, strlen(text));

	n = read(fd, buf, sizeof(buf) - 1);
	if (n == -1)
		die("read fd %d", fd);
	demo_step("read() from fd %d right away returned %zd: the offset is "
		  "at the end of the file", fd, n);

	off = lseek(fd, 0, SEEK_SET);
	if (off == -1)
		die("lseek fd %d", fd);
	demo_step("lseek(fd %d, 0, SEEK_SET): the offset is back at %lld", fd,
		  (long long)off);

	n = read(fd, buf, sizeof(buf) - 1);
	if (n == -1)
		die("read fd %d", fd);
	buf[n] = '\0';
	demo_step("read() from fd %d returned %zd bytes: \"%s\"; the offset "
		  "moved to %zd", fd, n, buf, n);

	demo_remove_temp_file(fd, path);

	if (strcmp(buf, text) != 0)
		demo_fail("expected to read back \"%s\"", text);
	return 0;
}
