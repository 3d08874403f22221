/* Holds SysV objects and a socketpair for snapshot tests: a message queue
 * with one message in it, a shared memory segment (4096 bytes, attached),
 * a set of 2 semaphores, and a unix socketpair (fds 3 and 4). Prints
 * "ready PID MSQID SHMID SEMID", then holds them until stdin reaches EOF
 * (or SIGTERM/SIGINT/SIGHUP), and removes the SysV objects before it
 * exits, on every path.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile int msqid = -1, shmid = -1, semid = -1;

static void cleanup(void)
{
	if (msqid >= 0)
		msgctl(msqid, IPC_RMID, NULL);
	if (shmid >= 0)
		shmctl(shmid, IPC_RMID, NULL);
	if (semid >= 0)
		semctl(semid, 0, IPC_RMID);
}

static void on_signal(int sig)
{
	(void)sig;
	cleanup();
	_exit(1);
}

int main(void)
{
	struct { long mtype; char mtext[8]; } m = { 1, "held" };
	int sv[2];
	char c;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGALRM, on_signal);
	alarm(60);
	msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (msqid < 0 || shmid < 0 || semid < 0 ||
	    msgsnd(msqid, &m, 4, 0) || shmat(shmid, NULL, 0) == (void *)-1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("ipc_holder");
		cleanup();
		return 1;
	}
	printf("ready %d %d %d %d\n", (int)getpid(), msqid, shmid, semid);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	cleanup();
	return 0;
}
