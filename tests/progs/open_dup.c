/* The same file opened three times (three entries, refs 1 each), then
 * opened once and dup'ed twice (one entry, refs 3), then closed, highest
 * fd first. Usage: open_dup PATH */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int a, b, c, d, e, f;

	if (argc != 2)
		return fprintf(stderr, "usage: open_dup PATH\n"), 2;
	a = open(argv[1], O_RDONLY);
	b = open(argv[1], O_RDONLY);
	c = open(argv[1], O_RDONLY);
	if (a < 0 || b < 0 || c < 0)
		return perror("open"), 1;
	close(c);
	close(b);
	close(a);
	d = open(argv[1], O_RDONLY);
	e = dup(d);
	f = dup(d);
	if (d < 0 || e < 0 || f < 0)
		return perror("open/dup"), 1;
	close(f);
	close(e);
	close(d);
	return 0;
}
