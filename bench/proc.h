/*
 * proc: the child processes b40-bench runs (make-dev-cert, `b40 init`,
 * `b40 serve`) and the throwaway directory they work in. Every child's
 * output goes to a log file in that directory, never to the bench's
 * stdout, which carries only the results. The bench's thread only.
 */
#ifndef B40_BENCH_PROC_H
#define B40_BENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Runs argv[0] (a path) with argv to completion, stdout and stderr
 * appended to log_path, waiting at most timeout_ms. Returns its exit status
 * (0..255), or -1 when it could not run, died of a signal or timed out.
 */
int proc_run(char *const argv[], const char *log_path, int timeout_ms) __attribute__((warn_unused_result));

/* A started `b40 serve`. */
struct proc_server {
    pid_t pid;          /* 0: not running */
    int port;
    char log_path[1024];
};

/*
 * Starts argv (a `b40 serve ... --port 0 ...` command line) with its output
 * in log_path, and waits up to timeout_ms for the line "listening on
 * https://127.0.0.1:PORT/". Returns 0 with s->port set, or -1 (the child
 * is stopped and the reason printed to stderr with the log's tail).
 */
int proc_server_start(struct proc_server *s, char *const argv[], const char *log_path, int timeout_ms)
    __attribute__((warn_unused_result));

/*
 * Stops the server with SIGTERM and waits up to timeout_ms (then SIGKILL).
 * Returns 0 when it exited with status 0, else -1 (printed to stderr).
 */
int proc_server_stop(struct proc_server *s, int timeout_ms) __attribute__((warn_unused_result));

/* Prints the last `bytes` bytes of a log file to stderr, with a heading. */
void proc_log_tail(const char *path, size_t bytes);

/* Reads a whole file into a malloc'd NUL-terminated string (the caller frees); NULL on failure. */
char *proc_read_file(const char *path);

/* Removes a directory tree (the throwaway directory). 0 or -1. */
int proc_rmtree(const char *path);

#endif
