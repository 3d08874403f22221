/*
 * shm-sem - the bounded buffer: a producer and a consumer share a ring of
 * SLOTS slots in System V shared memory, and three System V semaphores say
 * when each may go on:
 *
 *	empty	free slots, starts at SLOTS: the producer waits on it
 *	full	filled slots, starts at 0: the consumer waits on it
 *	mutex	starts at 1: one process at a time touches the ring
 *
 * The parent produces ITEMS items, the child consumes them; with more items
 * than slots the producer has to wait for the consumer at least once.
 */
#include "demo.h"

#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define SLOTS 3
#define ITEMS 5

enum { SEM_EMPTY, SEM_FULL, SEM_MUTEX, SEM_COUNT };

static const char *const sem_names[SEM_COUNT] = { "empty", "full", "mutex" };

struct ring {
	int slot[SLOTS];
	int in;   /* next slot to fill */
	int out;  /* next slot to empty */
};

/* The caller defines union semun for semctl(); glibc does not. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static void sem_add(int semid, int sem, int delta)
{
	struct sembuf op = {
		.sem_num = (unsigned short)sem,
		.sem_op = (short)delta,
	};

	if (semop(semid, &op, 1) == -1)
		die("semop %d sem %d", semid, sem);
	/* Said after semop() returns: a P() may have waited in it. */
	demo_say("%s(%s) done: semop(%d, sem %d, %+d)", delta < 0 ? "P" : "V",
		 sem_names[sem], semid, sem, delta);
}

static void produce(int semid, struct ring *ring)
{
	for (int item = 1; item <= ITEMS; item++) {
		demo_step("item %d is ready; P(empty) waits for a free slot",
			  item);
		sem_add(semid, SEM_EMPTY, -1);
		sem_add(semid, SEM_MUTEX, -1);
		demo_step("slot %d <- item %d", ring->in, item);
		ring->slot[ring->in] = item;
		ring->in = (ring->in + 1) % SLOTS;
		sem_add(semid, SEM_MUTEX, +1);
		sem_add(semid, SEM_FULL, +1);
	}
}

static void consume(int semid, struct ring *ring)
{
	for (int expected = 1; expected <= ITEMS; expected++) {
		int item;

		demo_step("P(full) waits for a filled slot");
		sem_add(semid, SEM_FULL, -1);
		sem_add(semid, SEM_MUTEX, -1);
		item = ring->slot[ring->out];
		demo_step("slot %d -> item %d", ring->out, item);
		ring->out = (ring->out + 1) % SLOTS;
		sem_add(semid, SEM_MUTEX, +1);
		sem_add(semid, SEM_EMPTY, +1);
		/* Consuming is slower than producing, so the ring fills up. */
		demo_step("consumed item %d", item);
		if (item != expected)
			demo_fail("expected item %d, got %d", expected, item);
	}
}

int main(int argc, char **argv)
{
	unsigned short initial[SEM_COUNT] = { SLOTS, 0, 1 };
	union semun arg = { .array = initial };
	struct ring *ring;
	int shmid, semid;
	pid_t pid;

	demo_init(argc, argv, "shm-sem", NULL);
	demo_set_role("producer");

	demo_step("shmget(IPC_PRIVATE): a ring of %d slots", SLOTS);
	shmid = shmget(IPC_PRIVATE, sizeof(*ring), IPC_CREAT | 0600);
	if (shmid == -1)
		die("shmget");
	demo_track_ipc(DEMO_SHM, shmid);
	demo_step("shared memory id %d; shmat() maps it", shmid);
	ring = shmat(shmid, NULL, 0);
	if (ring == (void *)-1)
		die("shmat %d", shmid);
	ring->in = ring->out = 0;

	demo_step("semget(IPC_PRIVATE, %d): the semaphores empty, full, mutex",
		  SEM_COUNT);
	semid = semget(IPC_PRIVATE, SEM_COUNT, IPC_CREAT | 0600);
	if (semid == -1)
		die("semget");
	demo_track_ipc(DEMO_SEM, semid);
	demo_step("semaphore set id %d; SETALL: empty=%d full=0 mutex=1",
		  semid, SLOTS);
	if (semctl(semid, 0, SETALL, arg) == -1)
		die("semctl %d SETALL", semid);

	demo_step("forking the consumer: it inherits the mapping");
	pid = demo_fork("consumer");
	if (pid == 0) {
		consume(semid, ring);
		if (shmdt(ring) == -1)
			die("shmdt");
		exit(0);
	}
	produce(semid, ring);

	demo_step("all %d items produced; waiting for consumer %d", ITEMS,
		  (int)pid);
	demo_wait_ok(pid);

	demo_step("shmdt(), then IPC_RMID for shm %d and semaphores %d",
		  shmid, semid);
	if (shmdt(ring) == -1)
		die("shmdt");
	if (shmctl(shmid, IPC_RMID, NULL) == -1)
		die("shmctl %d IPC_RMID", shmid);
	demo_untrack_ipc(DEMO_SHM, shmid);
	if (semctl(semid, 0, IPC_RMID) == -1)
		die("semctl %d IPC_RMID", semid);
	demo_untrack_ipc(DEMO_SEM, semid);
	return 0;
}
