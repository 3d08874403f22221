/*
 * mmap - two processes share a file's pages with mmap(MAP_SHARED).
 *
 * Each process maps the same temporary file into its own address space.
 * With MAP_SHARED both mappings are the file's page cache pages, so the
 * child's plain memory store is what the parent reads afterwards, and what
 * the file itself holds. (MAP_PRIVATE would give each a copy instead.)
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAP_LEN 4096

static const char text[] = "Hello through mmap!";

static char *map(int fd)
{
	char *p;

	demo_step("mmap(fd %d, %d bytes, MAP_SHARED)", fd, MAP_LEN);
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap fd %d", fd);
	demo_step("the file is mapped at %p", (void *)p);
	return p;
}

static void unmap(char *p)
{
	demo_step("munmap(%p)", (void *)p);
	if (munmap(p, MAP_LEN) == -1)
		die("munmap");
}

int main(int argc, char **argv)
{
	char path[64], copy[64], file[64];
	ssize_t n;
	char *p;
	pid_t pid;
	int fd;

	demo_init(argc, argv, "mmap", NULL);
	demo_set_role("parent");

	demo_step("creating a temporary file with mkstemp()");
	fd = demo_temp_file(path, sizeof(path));
	demo_step("%s is fd %d; ftruncate() makes it %d bytes long", path, fd,
		  MAP_LEN);
	/* Touching a mapping beyond the end of its file raises SIGBUS. */
	if (ftruncate(fd, MAP_LEN) == -1)
		die("ftruncate %s", path);

	demo_step("forking the child");
	pid = demo_fork("child");
	if (pid == 0) {
		p = map(fd);
		demo_step("storing \"%s\" at the start of the mapping", text);
		memcpy(p, text, sizeof(text));
		unmap(p);
		exit(0);
	}

	demo_step("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	p = map(fd);
	snprintf(copy, sizeof(copy), "%s", p);
	demo_step("my mapping holds \"%s\"", copy);
	unmap(p);

	n = pread(fd, file, sizeof(file) - 1, 0);
	if (n == -1)
		die("pread fd %d", fd);
	file[n] = '\0';
	demo_step("and read() on the file sees it too: \"%s\"", file);

	demo_remove_temp_file(fd, path);

	if (strcmp(copy, text) != 0 || strcmp(file, text) != 0)
		demo_fail("expected \"%s\" in the mapping and the file", text);
	return 0;
}
