/* A 32-bit program (built with -m32): pipe, write, read, close, as the
 * tracer must not misread them. Its syscalls come through the ia32 entry,
 * with other numbers (3 is read, not close) and other argument registers.
 * Prints "pipe R W" and "read N" so the test knows it ran. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int fds[2];
	char buf[16];
	ssize_t n;

	if (pipe(fds))
		return 1;
	if (write(fds[1], "ia32!", 5) != 5)
		return 1;
	n = read(fds[0], buf, sizeof(buf));
	printf("pipe %d %d\nread %zd\n", fds[0], fds[1], n);
	fflush(stdout);
	close(fds[1]);
	close(fds[0]);
	return n == 5 ? 0 : 1;
}
