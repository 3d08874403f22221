/* A SysV semaphore set whose values change, and a child blocked on one
 * named semaphore of it.
 *
 * parent: semget(IPC_PRIVATE, 3); semctl SETALL {3, 0, 1}; semop #0 -1
 *         (no wait: {2, 0, 1}); semctl SETVAL #2 = 5 ({2, 0, 5}); semctl
 *         GETALL; fork
 * child:  semop #1 -1: #1 is 0, so it sleeps
 * parent: waits until /proc says the child sleeps in semop, prints
 *         "semid ID child PID values 2 0 5" (its own GETALL), then waits
 *         for a line on stdin (the test looks meanwhile), then semop #1 +1,
 *         which wakes the child; waitpid; semctl(IPC_RMID)
 *
 * Exits 0 when all went as described; the set is removed on every path
 * (an alarm ends a stuck run).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_semop 65		/* x86_64 */
#define NR_semtimedop 220

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int semid = -1;

static void on_alarm(int sig)
{
	(void)sig;
	if (semid >= 0)
		semctl(semid, 0, IPC_RMID);
	_exit(3);
}

static int sem_add(int num, int delta)
{
	struct sembuf op = { .sem_num = num, .sem_op = delta };

	return semop(semid, &op, 1);
}

/* True once pid sleeps in semop: /proc/PID/syscall names the syscall of
 * a task that is blocked, and says "running" otherwise. */
static int sleeps_in_semop(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		nr = strtol(buf, NULL, 10);
	fclose(f);
	return nr == NR_semop || nr == NR_semtimedop;
}

int main(void)
{
	unsigned short init[3] = { 3, 0, 1 }, now[3];
	union semun arg = { .array = init };
	char line[16];
	pid_t child;
	int status;

	signal(SIGALRM, on_alarm);
	alarm(20);
	semid = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	if (semid < 0)
		return 1;
	if (semctl(semid, 0, SETALL, arg) || sem_add(0, -1))
		goto fail;
	arg.val = 5;
	if (semctl(semid, 2, SETVAL, arg))
		goto fail;
	arg.array = now;
	if (semctl(semid, 0, GETALL, arg))
		goto fail;
	child = fork();
	if (child < 0)
		goto fail;
	if (child == 0)
		_exit(sem_add(1, -1) ? 4 : 0);
	while (!sleeps_in_semop(child))
		usleep(1000);
	printf("semid %d child %d values %u %u %u\n", semid, child, now[0],
	       now[1], now[2]);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		goto fail;
	if (sem_add(1, +1) || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		goto fail;
	return semctl(semid, 0, IPC_RMID) ? 1 : 0;
fail:
	semctl(semid, 0, IPC_RMID);
	return 2;
}
