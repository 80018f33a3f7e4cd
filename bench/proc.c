/*
 * proc: child processes and the throwaway directory (see proc.h).
 * posix_spawn with the child's stdout and stderr appended to a log file;
 * waits poll waitpid(WNOHANG) so that each has a deadline.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static pid_t spawn_logged(char *const argv[], const char *log_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid = 0;
    int rc;

    if (posix_spawn_file_actions_init(&fa))
        return -1;
    rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!rc)
        rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    if (!rc)
        rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        fprintf(stderr, "b40-bench: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    return pid;
}

/* Waits for pid up to timeout_ms. Returns 1 (exited, *status set), 0 (still running) or -1. */
static int wait_for(pid_t pid, int timeout_ms, int *status)
{
    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms)
            return 0;
        sleep_ms(10);
    }
}

int proc_run(char *const argv[], const char *log_path, int timeout_ms)
{
    pid_t pid = spawn_logged(argv, log_path);
    int status = 0, w;

    if (pid < 0)
        return -1;
    w = wait_for(pid, timeout_ms, &status);
    if (w == 0) {
        kill(pid, SIGKILL);
        (void)wait_for(pid, 5000, &status);
        fprintf(stderr, "b40-bench: %s did not finish in %d ms\n", argv[0], timeout_ms);
        return -1;
    }
    if (w < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

char *proc_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        size_t got = fread(buf, 1, (size_t)n, f);
        buf[got] = '\0';
    }
    fclose(f);
    return buf;
}

void proc_log_tail(const char *path, size_t bytes)
{
    char *text = proc_read_file(path);
    size_t len;

    if (!text)
        return;
    len = strlen(text);
    fprintf(stderr, "---- %s (last %zu bytes) ----\n%s\n----\n", path, len < bytes ? len : bytes,
            len < bytes ? text : text + len - bytes);
    free(text);
}

int proc_server_start(struct proc_server *s, char *const argv[], const char *log_path, int timeout_ms)
{
    static const char marker[] = "listening on https://127.0.0.1:";
    int status;

    memset(s, 0, sizeof(*s));
    snprintf(s->log_path, sizeof(s->log_path), "%s", log_path);
    s->pid = spawn_logged(argv, log_path);
    if (s->pid < 0) {
        s->pid = 0;
        return -1;
    }
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        char *log = proc_read_file(log_path), *p = log ? strstr(log, marker) : NULL;
        if (p) {
            s->port = atoi(p + sizeof(marker) - 1);
            free(log);
            if (s->port > 0)
                return 0;
            break;
        }
        free(log);
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            fprintf(stderr, "b40-bench: the server exited before listening\n");
            proc_log_tail(log_path, 4000);
            s->pid = 0;
            return -1;
        }
        sleep_ms(20);
    }
    fprintf(stderr, "b40-bench: the server did not say it was listening within %d ms\n", timeout_ms);
    proc_log_tail(log_path, 4000);
    if (proc_server_stop(s, 5000) != 0) { /* already said why */
    }
    return -1;
}

int proc_server_stop(struct proc_server *s, int timeout_ms)
{
    int status = 0, w;

    if (!s->pid)
        return 0;
    kill(s->pid, SIGTERM);
    w = wait_for(s->pid, timeout_ms, &status);
    if (w == 0) {
        fprintf(stderr, "b40-bench: the server did not stop within %d ms of SIGTERM; killing it\n", timeout_ms);
        kill(s->pid, SIGKILL);
        (void)wait_for(s->pid, 5000, &status);
    }
    s->pid = 0;
    if (w == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (w == 1 && WIFEXITED(status))
        fprintf(stderr, "b40-bench: the server exited with status %d after SIGTERM\n", WEXITSTATUS(status));
    else if (w == 1 && WIFSIGNALED(status))
        fprintf(stderr, "b40-bench: the server died of signal %d after SIGTERM\n", WTERMSIG(status));
    proc_log_tail(s->log_path, 4000);
    return -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int proc_rmtree(const char *path)
{
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
