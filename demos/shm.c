/*
 * shm - System V shared memory: the same physical pages mapped into two
 * processes. No bytes are copied through the kernel as with a pipe; the
 * child just stores a string and the parent sees it. Nothing tells the
 * parent when the data is ready, so here it simply waits for the child to
 * exit (see shm-sem for doing it with semaphores).
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SHM_SIZE 4096

static const char text[] = "Hello, shared memory!";

static char *attach(int id)
{
	char *p;

	demo_step("shmat(%d): mapping the segment into my address space", id);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat %d", id);
	return p;
}

static void detach(char *p)
{
	demo_step("shmdt(): unmapping the segment");
	if (shmdt(p) == -1)
		die("shmdt");
}

int main(int argc, char **argv)
{
	char copy[64];
	char *p;
	pid_t pid;
	int id;

	demo_init(argc, argv, "shm", NULL);
	demo_set_role("parent");

	demo_step("shmget(IPC_PRIVATE, %d): a new segment", SHM_SIZE);
	id = shmget(IPC_PRIVATE, SHM_SIZE, IPC_CREAT | 0600);
	if (id == -1)
		die("shmget");
	demo_track_ipc(DEMO_SHM, id);
	demo_step("the segment's id is %d (ipcs -m shows it)", id);

	demo_step("forking the child: it knows the id from me");
	pid = demo_fork("child");
	if (pid == 0) {
		p = attach(id);
		demo_step("storing \"%s\" at the start of the segment", text);
		memcpy(p, text, sizeof(text));
		detach(p);
		exit(0);
	}

	demo_step("waiting for child %d with waitpid()", (int)pid);
	demo_wait_ok(pid);

	p = attach(id);
	snprintf(copy, sizeof(copy), "%s", p);
	demo_step("the segment holds \"%s\"", copy);
	detach(p);

	demo_step("shmctl(%d, IPC_RMID): segments outlive processes unless "
		  "removed", id);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("shmctl %d IPC_RMID", id);
	demo_untrack_ipc(DEMO_SHM, id);

	if (strcmp(copy, text) != 0)
		demo_fail("expected \"%s\" in the segment", text);
	return 0;
}
