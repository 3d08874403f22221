/* More flows at once than a CPU has flow slots (IPCS_FLOW_SLOTS): 200
 * pipes, each written and read back ROUNDS times in turn, pipe i moving
 * i % 7 + 1 bytes a call. Most flows find their slot taken and go through
 * the flow map; --top must still sum every pipe exactly. */
#include <stdio.h>
#include <unistd.h>

#define PIPES 200
#define ROUNDS 50

int main(void)
{
	static int p[PIPES][2];
	char buf[8] = "abcdefg";

	for (int i = 0; i < PIPES; i++)
		if (pipe(p[i]))
			return perror("pipe"), 1;
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < PIPES; i++) {
			size_t n = i % 7 + 1;

			if (write(p[i][1], buf, n) != (ssize_t)n ||
			    read(p[i][0], buf, n) != (ssize_t)n)
				return perror("pipe i/o"), 1;
		}
	printf("pipes %d rounds %d\n", PIPES, ROUNDS);
	return 0;
}
