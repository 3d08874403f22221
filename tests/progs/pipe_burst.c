/* A burst of 100 one-byte writes into a pipe nobody reads yet, a pause,
 * then a read of 30 bytes and another pause: --top must show the pipe
 * holding 100 bytes, then 70, although the kernel reads a pipe's fill only
 * at some of the calls (the last write is not one of them). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(void)
{
	char buf[30];
	int p[2];

	if (pipe(p))
		return perror("pipe"), 1;
	for (int i = 0; i < 100; i++)
		if (write(p[1], "x", 1) != 1)
			return perror("write"), 1;
	pause_ms(500);
	if (read(p[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return perror("read"), 1;
	pause_ms(500);
	return 0;
}
