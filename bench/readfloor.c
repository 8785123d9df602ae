/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfloor: the CPU cost no exporter can beat. It reads the files one
 * host_exporter scrape reads (bench/bench.py takes the list from strace) and
 * does nothing else: no parsing, no formatting, no HTTP. Two modes:
 *   open/read/close  each iteration opens every file, reads it to EOF, closes it;
 *   pread            the files stay open and each iteration preads from offset 0
 *                    to EOF, as a collector that keeps its descriptors does.
 * Directories (/proc/self/fd) are listed with getdents64 instead of read.
 *
 * Usage:
 *   readfloor [--pread] [--iterations N] FILE...   prints "<µs per iteration>"
 *   readfloor --serve FILE...                      reads "o K" or "p K" lines on
 *       stdin, runs K iterations of that mode, answers the CPU they took in ns;
 *       so the benchmark can interleave the floor with its scrapes.
 * CPU is the process's user+system time from getrusage(RUSAGE_SELF) around the
 * iterations only. Built by the benchmark with cc -O2; not part of the product.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct target {
    const char *path;
    bool dir;
    int fd; /* kept open in pread mode, -1 otherwise */
};

/* Large enough that every /proc file we know of is one read, as in an exporter. */
static char buf[1 << 16];

/* Reads (or lists) fd from its current position to EOF. Returns 0 or -errno. */
static int drain(int fd, bool dir)
{
    for (;;) {
        long n = dir ? syscall(SYS_getdents64, fd, buf, sizeof(buf))
                     : (long)read(fd, buf, sizeof(buf));
        if (n == 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return -errno;
        }
        /* n > 0: keep reading; EINTR: retry. */
    }
}

/* Reads fd from offset 0 to EOF without moving a file position we rely on. */
static int pread_all(int fd, bool dir)
{
    if (dir) {
        /* Directories have no pread; rewinding is their equivalent. */
        if (lseek(fd, 0, SEEK_SET) < 0) {
            return -errno;
        }
        return drain(fd, true);
    }
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof(buf), off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return 0;
        }
        off += n;
    }
}

static int open_target(const struct target *t)
{
    return open(t->path, O_RDONLY | O_CLOEXEC | (t->dir ? O_DIRECTORY : 0));
}

/* A process whose /proc files were traced may exit meanwhile: its files are skipped. */
static bool process_gone(int err)
{
    return err == ENOENT || err == ESRCH;
}

/* One open/read/close pass over every target. */
static int pass_open_read_close(struct target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int fd = open_target(&t[i]);
        if (fd < 0 && process_gone(errno)) {
            continue;
        }
        if (fd < 0) {
            return -errno;
        }
        int rc = drain(fd, t[i].dir);
        close(fd);
        if (rc < 0 && !process_gone(-rc)) {
            return rc;
        }
    }
    return 0;
}

/* One pread pass over every target, opening those not yet open. */
static int pass_pread(struct target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].fd < 0 && (t[i].fd = open_target(&t[i])) < 0) {
            if (process_gone(errno)) {
                continue;
            }
            return -errno;
        }
        int rc = pread_all(t[i].fd, t[i].dir);
        if (rc < 0 && !process_gone(-rc)) {
            return rc;
        }
    }
    return 0;
}

static long long cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

/* Runs iters passes in the given mode; *ns gets the CPU they took. Returns 0 or -errno. */
static int run(struct target *t, size_t n, bool use_pread, long iters, long long *ns)
{
    long long start = cpu_ns();
    for (long i = 0; i < iters; i++) {
        int rc = use_pread ? pass_pread(t, n) : pass_open_read_close(t, n);
        if (rc < 0) {
            return rc;
        }
    }
    *ns = cpu_ns() - start;
    return 0;
}

/*
 * Builds the target table from the files readable now. A file of a process that
 * has exited since the trace (the processes collector reads /proc/PID/...) is
 * left out with a note; the floor fails only if nothing is left.
 */
static struct target *load_targets(char **paths, size_t *n)
{
    struct target *t = calloc(*n, sizeof(*t));
    size_t kept = 0;
    if (!t) {
        return NULL;
    }
    for (size_t i = 0; i < *n; i++) {
        struct stat st;
        t[kept] = (struct target){paths[i], stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode), -1};
        int fd = open_target(&t[kept]);
        if (fd < 0 || drain(fd, t[kept].dir) < 0) {
            fprintf(stderr, "readfloor: left out %s: %s\n", paths[i], strerror(errno));
        } else {
            kept++;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    *n = kept;
    if (kept == 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* The --serve loop: one "o K" / "p K" command per line, one answer per line. */
static int serve(struct target *t, size_t n)
{
    char line[64];
    while (fgets(line, sizeof(line), stdin)) {
        char mode;
        long iters;
        long long ns;
        if (sscanf(line, "%c %ld", &mode, &iters) != 2 || (mode != 'o' && mode != 'p') ||
            iters < 1) {
            fprintf(stderr, "readfloor: bad command: %s", line);
            return 2;
        }
        int rc = run(t, n, mode == 'p', iters, &ns);
        if (rc < 0) {
            fprintf(stderr, "readfloor: %s\n", strerror(-rc));
            return 1;
        }
        printf("%lld\n", ns);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool use_pread = false, serving = false;
    long iters = 10000;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--pread") == 0) {
            use_pread = true;
        } else if (strcmp(argv[i], "--serve") == 0) {
            serving = true;
        } else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            iters = atol(argv[++i]);
        } else {
            break;
        }
    }
    if (i >= argc || iters < 1) {
        fprintf(stderr, "usage: readfloor [--pread] [--iterations N] | --serve FILE...\n");
        return 2;
    }
    size_t n = (size_t)(argc - i);
    struct target *t = load_targets(argv + i, &n);
    if (!t) {
        return 1;
    }
    if (serving) {
        return serve(t, n);
    }
    long long ns;
    int rc = run(t, n, use_pread, iters, &ns);
    if (rc < 0) {
        fprintf(stderr, "readfloor: %s\n", strerror(-rc));
        return 1;
    }
    printf("%.3f\n", (double)ns / 1000.0 / (double)iters);
    return 0;
}
