/* A shared file mapping that outlives close().
 *
 * open PATH (O_RDWR|O_CREAT|O_TRUNC, fd 3); ftruncate to 8192 bytes;
 * mmap 8192 bytes MAP_SHARED (the mapping takes a reference: refs 2);
 * close fd 3 (refs 1: the mapping keeps the entry alive); write TEXT
 * through the mapping; msync; munmap.
 *
 * Prints "addr A" (decimal). Exits 0 when all went so; the caller checks
 * that TEXT reached PATH. Usage: ipc_mmap PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN 8192
static const char text[] = "written through the mapping";

int main(int argc, char **argv)
{
	char *p;
	int fd;

	if (argc != 2)
		return fprintf(stderr, "usage: ipc_mmap PATH\n"), 2;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, LEN))
		return perror(argv[1]), 1;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return perror("mmap"), 1;
	printf("addr %lu\n", (unsigned long)p);
	fflush(stdout);
	if (close(fd))
		return perror("close"), 1;
	memcpy(p, text, sizeof(text));
	if (msync(p, LEN, MS_SYNC) || munmap(p, LEN))
		return perror("msync/munmap"), 1;
	return 0;
}
