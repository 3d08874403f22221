/* close_range(3, 5, 0) over a pipe's two ends and a dup of one: three fds
 * the kernel closes in one call. Prints "fds 3 4 5" first. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	int fds[2];

	if (pipe(fds) || dup(fds[1]) != 5)
		return 1;
	printf("fds %d %d 5\n", fds[0], fds[1]);
	fflush(stdout);
	if (syscall(SYS_close_range, 3U, 5U, 0U))
		return 1;
	return fcntl(3, F_GETFD) == -1 && fcntl(5, F_GETFD) == -1 ? 0 : 1;
}
