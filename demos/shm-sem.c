/*
 * shm-sem - the bounded buffer: a producer and a consumer share a ring of
 * SLOTS slots in System V shared memory, and three System V semaphores say
 * when each may go on:
 *
 *	empty	free slots, starts at SLOTS: the producer waits on it
 *	full	filled slots, starts at 0: the consumer waits on it
 *	mutex	starts at 1: one process at a time touches the ring
 *
 * The parent produces ITEMS items, the child consumes them. The consumer
 * starts late, so the producer fills the ring and waits in P(empty); the
 * last item takes the producer longer, so the consumer empties the ring
 * and waits in P(full): each side is seen blocked on its semaphore.
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
}

static void produce(int semid, struct ring *ring)
{
	for (int item = 1; item <= ITEMS; item++) {
		int slot;

		if (item == ITEMS) {
			demo_say("item %d takes longer to make", item);
			demo_pause(5);
		}
		demo_say("P(%s): semop(%d, sem %d, -1) waits for a free "
			 "slot", sem_names[SEM_EMPTY], semid, SEM_EMPTY);
		sem_add(semid, SEM_EMPTY, -1);
		sem_add(semid, SEM_MUTEX, -1);
		slot = ring->in;
		ring->slot[slot] = item;
		ring->in = (ring->in + 1) % SLOTS;
		sem_add(semid, SEM_MUTEX, +1);
		sem_add(semid, SEM_FULL, +1);
		demo_step("slot %d <- item %d; V(full)", slot, item);
	}
}

static void consume(int semid, struct ring *ring)
{
	demo_pause(6);
	for (int expected = 1; expected <= ITEMS; expected++) {
		int item, slot;

		demo_say("P(%s): semop(%d, sem %d, -1) waits for a filled "
			 "slot", sem_names[SEM_FULL], semid, SEM_FULL);
		sem_add(semid, SEM_FULL, -1);
		sem_add(semid, SEM_MUTEX, -1);
		slot = ring->out;
		item = ring->slot[slot];
		ring->out = (ring->out + 1) % SLOTS;
		sem_add(semid, SEM_MUTEX, +1);
		sem_add(semid, SEM_EMPTY, +1);
		demo_step("slot %d -> item %d; V(empty)", slot, item);
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

	shmid = shmget(IPC_PRIVATE, sizeof(*ring), IPC_CREAT | 0600);
	if (shmid == -1)
		die("shmget");
	demo_track_ipc(DEMO_SHM, shmid);
	ring = shmat(shmid, NULL, 0);
	if (ring == (void *)-1)
		die("shmat %d", shmid);
	ring->in = ring->out = 0;
	demo_step("shmget(IPC_PRIVATE) made a ring of %d slots, id %d; "
		  "shmat() mapped it", SLOTS, shmid);

	semid = semget(IPC_PRIVATE, SEM_COUNT, IPC_CREAT | 0600);
	if (semid == -1)
		die("semget");
	demo_track_ipc(DEMO_SEM, semid);
	if (semctl(semid, 0, SETALL, arg) == -1)
		die("semctl %d SETALL", semid);
	demo_step("semget(IPC_PRIVATE, %d) made the set %d: sem 0 empty=%d, "
		  "sem 1 full=0, sem 2 mutex=1", SEM_COUNT, semid, SLOTS);

	pid = demo_fork("consumer");
	if (pid == 0) {
		consume(semid, ring);
		if (shmdt(ring) == -1)
			die("shmdt");
		exit(0);
	}
	demo_step("forked the consumer %d: it inherits the mapping", (int)pid);
	produce(semid, ring);

	demo_say("all %d items produced; waiting for consumer %d", ITEMS,
		 (int)pid);
	demo_wait_ok(pid);

	if (shmdt(ring) == -1)
		die("shmdt");
	if (shmctl(shmid, IPC_RMID, NULL) == -1)
		die("shmctl %d IPC_RMID", shmid);
	demo_untrack_ipc(DEMO_SHM, shmid);
	if (semctl(semid, 0, IPC_RMID) == -1)
		die("semctl %d IPC_RMID", semid);
	demo_untrack_ipc(DEMO_SEM, semid);
	demo_say("shmdt(), then IPC_RMID removed shm %d and semaphores %d",
		 shmid, semid);
	return 0;
}
