/*
 * demo.h - the small library every ipcscope demo links with.
 *
 * It owns what is the same in every demo, so that each demo's file shows
 * only its lesson: the options (--pace, --help, the internal --role), paced
 * narration ("parent[1234]: ..."), one-line error exits, temporary paths,
 * forking and re-executing children, and a cleanup list that is run at exit
 * and also on SIGINT, SIGTERM, SIGHUP and SIGPIPE, so an interrupted demo
 * leaves nothing behind. Children inherit those handlers until they exec;
 * a demo that wants a signal's default action sets it back itself.
 */
#ifndef IPCSCOPE_DEMO_H
#define IPCSCOPE_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DEMO_PACE_DEFAULT_MS 1000

/* Kinds of System V objects the cleanup list knows how to IPC_RMID. */
enum demo_ipc {
	DEMO_MSG,
	DEMO_SHM,
	DEMO_SEM,
};

/*
 * Parses the options, line-buffers stdout and installs the cleanup
 * handlers. @roles is the NULL-terminated list of roles this demo accepts
 * with --role, or NULL for none. Exits 0 after --help and 2 after a bad
 * option.
 */
void demo_init(int argc, char **argv, const char *name,
	       const char *const *roles);

/* True when this process was re-executed with --role @role. */
bool demo_started_as(const char *role);
/* Positional argument @i (only re-executed roles get any); dies if missing. */
const char *demo_arg(int i);
/* The role that prefixes narration ("parent", "writer", ...); at first NAME. */
void demo_set_role(const char *role);

/*
 * Prints "ROLE[PID]: ..." on stdout, then sleeps for the pace. Called right
 * after an action, it says what just happened while the state it made stays
 * on screen for a step; before a call that blocks, say "about to" instead.
 */
void demo_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same line without the pause, for results that follow a step. */
void demo_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Sleeps for @steps paces without a word: how a demo orders its processes
 * in time, so that one's state is on screen before the other acts on it.
 */
void demo_pause(unsigned steps);
/* The pace in milliseconds, for a command that has to keep it too. */
unsigned demo_pace_ms(void);

/* "NAME: WHAT: strerror(errno)" on stderr, then exit(1). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "NAME: WHAT" on stderr, then exit(1), for failures without an errno. */
_Noreturn void demo_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * The cleanup list, run newest first at exit and on the signals above.
 * Register an object right after creating it; untrack it right after a
 * demo removes it itself, since its name or id may then be reused by
 * somebody else.
 */
void demo_track_path(const char *path); /* unlink, or rmdir a directory */
void demo_untrack_path(const char *path);
void demo_track_ipc(enum demo_ipc kind, int id);
void demo_untrack_ipc(enum demo_ipc kind, int id);

/* mkdtemp("/tmp/ipcscope-NAME.XXXXXX") into @dir, already tracked. */
void demo_temp_dir(char *dir, size_t size);
/* mkstemp("/tmp/ipcscope-NAME.XXXXXX") into @path, already tracked; the fd. */
int demo_temp_file(char *path, size_t size);
/* Closes @fd, removes @path (from demo_temp_file) and says so. */
void demo_remove_temp_file(int fd, const char *path);

/*
 * fork() with the bookkeeping: the child gets @child_role and an empty
 * cleanup list (the parent's objects are the parent's to remove); the
 * parent tracks the child so that it is killed and reaped if the parent
 * is interrupted. The child starts half a pace late, so that at the default
 * pace parent and child never act in the same moment on screen.
 */
pid_t demo_fork(const char *child_role);
/*
 * Starts this same program again, as an unrelated process, in @role:
 * "NAME --role ROLE --pace MS [ARG]" (@arg may be NULL).
 */
pid_t demo_spawn(const char *role, const char *arg);
/* Reaps @pid and returns its wait status. */
int demo_wait(pid_t pid);
/* Reaps @pid, says how it ended, and fails unless it exited with 0. */
void demo_wait_ok(pid_t pid);

/* Reads until EOF or until @buf is full; NUL-terminates; the length. */
size_t demo_read_all(int fd, char *buf, size_t size);
/* Writes all of @buf, resuming after short writes. */
void demo_write_all(int fd, const void *buf, size_t len);

/*
 * The exchange of the socket demos (unix-socket, tcp-socket) over a
 * connected stream socket. demo_request: send the request on @fd, shut
 * down the sending half, read the response until EOF, close @fd.
 * demo_serve: accept one connection on @listen_fd, read the request until
 * EOF, send the response, close the connection, wait for @client. Either
 * fails the demo on a message it did not expect.
 */
void demo_request(int fd);
void demo_serve(int listen_fd, pid_t client);

#endif /* IPCSCOPE_DEMO_H */
