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

	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap fd %d", fd);
	demo_step("mmap(fd %d, %d bytes, MAP_SHARED) mapped the file at %p: "
		  "the mapping holds the entry too", fd, MAP_LEN, (void *)p);
	return p;
}

static void unmap(char *p)
{
	if (munmap(p, MAP_LEN) == -1)
		die("munmap");
	demo_step("munmap(%p): the mapping let go of the entry", (void *)p);
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

	fd = demo_temp_file(path, sizeof(path));
	/* Touching a mapping beyond the end of its file raises SIGBUS. */
	if (ftruncate(fd, MAP_LEN) == -1)
		die("ftruncate %s", path);
	demo_step("mkstemp() opened %s as fd %d; ftruncate() made it %d bytes "
		  "long", path, fd, MAP_LEN);

	pid = demo_fork("child");
	if (pid == 0) {
		p = map(fd);
		memcpy(p, text, sizeof(text));
		demo_step("stored \"%s\" at the start of the mapping", text);
		unmap(p);
		exit(0);
	}
	demo_step("forked child %d: it shares my fd %d's entry", (int)pid, fd);

	demo_say("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	p = map(fd);
	n = pread(fd, file, sizeof(file) - 1, 0);
	if (n == -1)
		die("pread fd %d", fd);
	file[n] = '\0';
	demo_step("read() on the file sees the child's store too: \"%s\"",
		  file);

	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("closed fd %d: my mapping keeps the entry alive (refs 1, "
		  "no fd)", fd);
	demo_pause(1);
	snprintf(copy, sizeof(copy), "%s", p);
	demo_step("my mapping still holds \"%s\"", copy);
	unmap(p);

	if (unlink(path) == -1)
		die("unlink %s", path);
	demo_untrack_path(path);
	demo_say("removed %s", path);

	if (strcmp(copy, text) != 0 || strcmp(file, text) != 0)
		demo_fail("expected \"%s\" in the mapping and the file", text);
	return 0;
}
