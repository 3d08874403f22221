/* Names itself with terminal escape sequences, then opens a file: a test
 * that untrusted text never reaches the screen or JSON raw. */
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
	int fd;

	prctl(PR_SET_NAME, "\033[31mevil\a\\", 0, 0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		close(fd);
	if (isatty(0))
		sleep(3);	/* long enough to be seen in the live view */
	return 0;
}
