/* munmap of parts of a shared file mapping, against the kernel's own
 * count of the open-file entry.
 *
 * open PATH (O_RDWR|O_CREAT|O_TRUNC, fd 3); ftruncate to 3 pages; mmap the
 * 3 pages MAP_SHARED (refs 2); munmap the middle page (the kernel splits
 * the mapping in two vmas, each holding a reference: refs 3); close fd 3
 * (the kernel's count: 2); munmap the first page (1), the last (0).
 *
 * Prints "addr A" (decimal). Exits 0 when all went so.
 * Usage: ipc_munmap PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

int main(int argc, char **argv)
{
	char *p;
	int fd;

	if (argc != 2)
		return fprintf(stderr, "usage: ipc_munmap PATH\n"), 2;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 3 * PAGE))
		return perror(argv[1]), 1;
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return perror("mmap"), 1;
	printf("addr %lu\n", (unsigned long)p);
	fflush(stdout);
	if (munmap(p + PAGE, PAGE) || close(fd) || munmap(p, PAGE) ||
	    munmap(p + 2 * PAGE, PAGE))
		return perror("munmap/close"), 1;
	return 0;
}
