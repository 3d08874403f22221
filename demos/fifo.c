/*
 * fifo - a named pipe lets two processes that share no fds talk: the pipe
 * has a name in the file system, and each side open()s it by that name.
 *
 * The first process only sets things up: it makes the FIFO in a fresh
 * temporary directory, then starts this program twice more, as a reader
 * and as a writer. Those two are each exec'd on their own and inherit
 * nothing from each other; all they share is the path.
 */
#include "demo.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char message[] = "Hello through a FIFO!";

/*
 * The writer starts two steps after the reader, so the reader is seen
 * waiting in open(); the reader reads two steps after the writer has
 * written and closed, so the message is seen waiting in the FIFO.
 */
static int reader(const char *path)
{
	char buf[64];
	int fd;

	demo_say("opening %s for reading: open() waits for a writer", path);
	fd = open(path, O_RDONLY);
	if (fd == -1)
		die("open %s", path);
	demo_step("a writer is there; the FIFO is my fd %d", fd);
	demo_pause(2);

	demo_say("reading fd %d until EOF", fd);
	demo_read_all(fd, buf, sizeof(buf));
	demo_step("got \"%s\"", buf);

	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_say("closed fd %d", fd);
	if (strcmp(buf, message) != 0)
		demo_fail("reader expected \"%s\"", message);
	return 0;
}

static int writer(const char *path)
{
	int fd;

	demo_pause(2);
	fd = open(path, O_WRONLY);
	if (fd == -1)
		die("open %s", path);
	demo_step("opened %s for writing: the reader was there; the FIFO is "
		  "my fd %d", path, fd);

	demo_write_all(fd, message, strlen(message));
	demo_step("wrote \"%s\" (%zu bytes) into fd %d", message,
		  strlen(message), fd);

	if (close(fd) == -1)
		die("close fd %d", fd);
	demo_step("closed fd %d: the reader sees EOF after the message", fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const roles[] = { "reader", "writer", NULL };
	char dir[64], path[PATH_MAX];
	pid_t read_pid, write_pid;

	demo_init(argc, argv, "fifo", roles);
	if (demo_started_as("reader"))
		return reader(demo_arg(0));
	if (demo_started_as("writer"))
		return writer(demo_arg(0));
	demo_set_role("setup");

	demo_temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	demo_step("mkdtemp() made the private directory %s", dir);

	if (mkfifo(path, 0600) == -1)
		die("mkfifo %s", path);
	demo_track_path(path);
	demo_step("mkfifo() created the FIFO %s", path);

	read_pid = demo_spawn("reader", path);
	write_pid = demo_spawn("writer", path);
	demo_say("started a reader (%d) and a writer (%d): two separate "
		 "programs", (int)read_pid, (int)write_pid);

	demo_wait_ok(write_pid);
	demo_wait_ok(read_pid);

	if (unlink(path) == -1)
		die("unlink %s", path);
	demo_untrack_path(path);
	if (rmdir(dir) == -1)
		die("rmdir %s", dir);
	demo_untrack_path(dir);
	demo_say("removed the FIFO %s and its directory", path);
	return 0;
}
