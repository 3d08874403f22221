/*
 * open-vs-dup - fds, open-file entries and their reference counts.
 *
 * Part 1 open()s the same file three times: three fds, three open-file
 * entries, each with its own offset and a reference count of 1. Part 2
 * open()s it once and dup()s that fd twice: three fds, ONE entry, one
 * shared offset and a reference count of 3.
 *
 * The closing order is fixed, so a tracer test can rely on it: first the
 * three separate fds, then the three that share an entry, highest fd first
 * within each group. The shared entry's count falls 3 -> 2 -> 1 -> 0, and
 * only the last close() frees it.
 */
#include "demo.h"

#include <fcntl.h>
#include <unistd.h>

static off_t offset_of(int fd)
{
	off_t off = lseek(fd, 0, SEEK_CUR);

	if (off == -1)
		die("lseek fd %d", fd);
	return off;
}

static void close_fd(int fd, const char *refs)
{
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("closed fd %d: %s", fd, refs);
}

int main(int argc, char **argv)
{
	int sep[3], shared[3];
	char path[64];
	int fd;

	demo_init(argc, argv, "open-vs-dup", NULL);

	fd = demo_temp_file(path, sizeof(path));
	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("mkstemp() made %s; closed its fd %d: from now on we open "
		  "the file by name", path, fd);

	demo_say("part 1: open() the file three times");
	for (int i = 0; i < 3; i++) {
		sep[i] = open(path, O_RDWR);
		if (sep[i] == -1)
			die("open %s", path);
		demo_step("open() = fd %d: a new open-file entry, refs 1",
			  sep[i]);
	}
	demo_write_all(sep[0], "12345", 5);
	demo_step("wrote 5 bytes through fd %d: offsets fd %d at %lld, fd %d "
		  "at %lld, fd %d at %lld: each entry has its own", sep[0],
		  sep[0], (long long)offset_of(sep[0]), sep[1],
		  (long long)offset_of(sep[1]), sep[2],
		  (long long)offset_of(sep[2]));

	demo_say("part 2: open() the file once, then dup() that fd twice");
	shared[0] = open(path, O_RDWR);
	if (shared[0] == -1)
		die("open %s", path);
	demo_step("open() = fd %d: a new open-file entry, refs 1", shared[0]);
	for (int i = 1; i < 3; i++) {
		shared[i] = dup(shared[0]);
		if (shared[i] == -1)
			die("dup %d", shared[0]);
		demo_step("dup(%d) = fd %d: the same entry, refs %d",
			  shared[0], shared[i], i + 1);
	}
	demo_write_all(shared[0], "abcde", 5);
	demo_step("wrote 5 bytes through fd %d: offsets fd %d at %lld, fd %d "
		  "at %lld, fd %d at %lld: one shared entry", shared[0],
		  shared[0], (long long)offset_of(shared[0]), shared[1],
		  (long long)offset_of(shared[1]), shared[2],
		  (long long)offset_of(shared[2]));
	demo_pause(1);

	demo_say("closing the separate fds, highest first");
	close_fd(sep[2], "its own entry, refs 1 -> 0: freed");
	close_fd(sep[1], "its own entry, refs 1 -> 0: freed");
	close_fd(sep[0], "its own entry, refs 1 -> 0: freed");

	demo_say("closing the dup'ed fds, highest first");
	close_fd(shared[2], "the shared entry, refs 3 -> 2");
	close_fd(shared[1], "the shared entry, refs 2 -> 1");
	close_fd(shared[0], "the shared entry, refs 1 -> 0: freed");

	if (unlink(path) == -1)
		die("unlink %s", path);
	demo_untrack_path(path);
	demo_say("removed %s", path);
	return 0;
}
