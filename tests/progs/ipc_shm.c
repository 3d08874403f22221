/* A SysV shared memory segment written by the child, read by the parent.
 *
 * parent: shmget(IPC_PRIVATE, 6000); shmat (nattch 1); fork (the child
 *         inherits the attachment: nattch 2)
 * child:  shmat again (nattch 3), writes TEXT there, shmdt (nattch 2),
 *         exits (its inherited attachment goes: nattch 1)
 * parent: waitpid; shmctl(IPC_STAT) (nattch 1); reads TEXT through its own
 *         attachment; shmctl(IPC_RMID) while attached (removal pending);
 *         shmdt (the segment is destroyed)
 *
 * Prints "shmid ID parent-addr A child PID" and the child prints
 * "child-addr A" (addresses in decimal). Exits 0 when all went so.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 6000
static const char text[] = "written by the child";
static int shmid = -1;

static void on_alarm(int sig)
{
	(void)sig;
	if (shmid >= 0)
		shmctl(shmid, IPC_RMID, NULL);
	_exit(3);
}

int main(void)
{
	struct shmid_ds ds;
	int status = 0, ok = 1;
	char *p, *q;
	pid_t child;

	signal(SIGALRM, on_alarm);
	alarm(20);
	shmid = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
	if (shmid < 0)
		return perror("shmget"), 1;
	p = shmat(shmid, NULL, 0);
	if (p == (void *)-1) {
		perror("shmat");
		shmctl(shmid, IPC_RMID, NULL);
		return 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		shmctl(shmid, IPC_RMID, NULL);
		return 1;
	}
	if (child == 0) {
		q = shmat(shmid, NULL, 0);
		if (q == (void *)-1)
			_exit(1);
		printf("child-addr %lu\n", (unsigned long)q);
		fflush(stdout);
		memcpy(q, text, sizeof(text));
		_exit(shmdt(q) ? 1 : 0);
	}
	printf("shmid %d parent-addr %lu child %d\n", shmid, (unsigned long)p,
	       (int)child);
	fflush(stdout);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed (status %#x)\n", status);
		ok = 0;
	}
	if (shmctl(shmid, IPC_STAT, &ds) || ds.shm_nattch != 1) {
		fprintf(stderr, "IPC_STAT: want nattch 1\n");
		ok = 0;
	}
	if (strcmp(p, text)) {
		fprintf(stderr, "the segment holds '%.40s'\n", p);
		ok = 0;
	}
	if (shmctl(shmid, IPC_RMID, NULL)) {
		perror("shmctl IPC_RMID");
		ok = 0;
	}
	if (shmdt(p)) {
		perror("shmdt");
		ok = 0;
	}
	return ok ? 0 : 1;
}
