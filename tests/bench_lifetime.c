// SPDX-License-Identifier: GPL-2.0
/*
 * make bench on 7.3: what the release of a perf event array map file
 * costs (the bpf series walks every slot, in RCU read sections of 1024
 * slots), and the writers' bpf() calls, which neither series changes.
 * Raw bpf() and perf_event_open() syscalls, static, no libbpf. Prints
 * one line per measurement, "# bench KEY VALUE" (nanoseconds, the
 * median over the rounds), and "# bench-error ..." on any failure
 * (exit 1).
 *
 *   close_nonowner_{64,1K,8K,64K,1M}_{perf,array}
 *	close() of a map file that owns nothing (a new file from
 *	BPF_MAP_GET_FD_BY_ID): a perf event array (holding one entry of
 *	another file, in its last slot) and a plain array of the same
 *	size, closed alternately in each round
 *   obj_get_close_8K_{perf,array}
 *	a short-lived user: BPF_OBJ_GET of a pinned map, then close(),
 *	timed together; a perf event array of 8192 slots (the largest
 *	nr_cpus in practice) whose every slot holds an entry of the file
 *	that created and pinned it (one event per CPU), and a plain array
 *	of 8192 slots, in turn in each round
 *   update, delete
 *	single bpf(BPF_MAP_UPDATE_ELEM) into an empty slot and
 *	bpf(BPF_MAP_DELETE_ELEM) of a full slot of a 64K-slot perf event
 *	array
 *
 * Options: -r ROUNDS (close and obj_get, default 101), -u OPS
 * (update/delete, default 10001).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include "bpf_sys.h"

typedef unsigned long long u64;

#define SLOTS_8K	8192

static void fail(const char *what)
{
	printf("# bench-error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static unsigned int map_id(int fd)
{
	unsigned int id = obj_id(fd);

	if (!id)
		fail("BPF_OBJ_GET_INFO_BY_FD");
	return id;
}

/* A new struct file of the map: its release runs at its close(). */
static int reopen(unsigned int id)
{
	int fd = map_get_fd_by_id(id);

	if (fd < 0)
		fail("BPF_MAP_GET_FD_BY_ID");
	return fd;
}

static void obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	unlink(path);
	memset(&a, 0, sizeof(a));
	a.bpf_fd = fd;
	a.pathname = (uintptr_t)path;
	if (sys_bpf(BPF_OBJ_PIN, &a))
		fail("BPF_OBJ_PIN");
}

/* A new struct file of the map pinned at path, as a user opens it. */
static int obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

/* A software clock of the calling thread: perf_event_read_local() takes it. */
static int open_clock(void)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		fail("perf_event_open");
	return fd;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static const char *pretty(unsigned int n)
{
	static char buf[4][16];
	static int i;
	char *b = buf[i++ % 4];

	if (n % (1024 * 1024) == 0)
		snprintf(b, 16, "%uM", n / (1024 * 1024));
	else if (n % 1024 == 0)
		snprintf(b, 16, "%uK", n / 1024);
	else
		snprintf(b, 16, "%u", n);
	return b;
}

static u64 timed_close(int fd)
{
	u64 t0 = now_ns();

	if (close(fd))
		fail("close");
	return now_ns() - t0;
}

static void close_nonowner(int ev, int rounds)
{
	static const unsigned int sizes[] = { 64, 1024, SLOTS_8K, 65536, 1024 * 1024 };
	u64 *tp = calloc(rounds, sizeof(u64)), *ta = calloc(rounds, sizeof(u64));
	unsigned int s;
	int r;

	if (!tp || !ta)
		fail("calloc");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int pfd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, sizes[s], 0);
		int afd = map_create(BPF_MAP_TYPE_ARRAY, 4, sizes[s], 0);
		unsigned int pid, aid;

		if (pfd < 0 || afd < 0)
			fail("map create");
		if (map_update(pfd, sizes[s] - 1, ev))
			fail("perf event array update");
		pid = map_id(pfd);
		aid = map_id(afd);
		for (r = -1; r < rounds; r++) {	/* round -1 warms up */
			u64 p = timed_close(reopen(pid));
			u64 a = timed_close(reopen(aid));

			if (r >= 0) {
				tp[r] = p;
				ta[r] = a;
			}
		}
		/* the other file's entry stays */
		if (map_delete(pfd, sizes[s] - 1))
			fail("the other file's entry is gone");
		printf("# bench close_nonowner_%s_perf %llu\n", pretty(sizes[s]), median(tp, rounds));
		printf("# bench close_nonowner_%s_array %llu\n", pretty(sizes[s]), median(ta, rounds));
		close(pfd);
		close(afd);
	}
	free(tp);
	free(ta);
}

static u64 timed_obj_get_close(const char *path)
{
	u64 t0 = now_ns();
	int fd = obj_get(path);

	if (fd < 0)
		fail("BPF_OBJ_GET");
	if (close(fd))
		fail("close");
	return now_ns() - t0;
}

static void obj_get_close(int ev, int rounds)
{
	static const char ppath[] = "/sys/fs/bpf/bench_perf_8K";
	static const char apath[] = "/sys/fs/bpf/bench_array_8K";
	int pfd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, SLOTS_8K, 0);
	int afd = map_create(BPF_MAP_TYPE_ARRAY, 4, SLOTS_8K, 0);
	u64 *tp = calloc(rounds, sizeof(u64)), *ta = calloc(rounds, sizeof(u64));
	unsigned int i;
	int r;

	if (pfd < 0 || afd < 0)
		fail("map create");
	if (!tp || !ta)
		fail("calloc");
	for (i = 0; i < SLOTS_8K; i++)
		if (map_update(pfd, i, ev))
			fail("perf event array update");
	obj_pin(pfd, ppath);
	obj_pin(afd, apath);
	for (r = -1; r < rounds; r++) {		/* round -1 warms up */
		u64 p = timed_obj_get_close(ppath);
		u64 a = timed_obj_get_close(apath);

		if (r >= 0) {
			tp[r] = p;
			ta[r] = a;
		}
	}
	/* the pinning file's entries stay */
	if (map_delete(pfd, 0) || map_delete(pfd, SLOTS_8K - 1))
		fail("an entry of the pinning file is gone");
	printf("# bench obj_get_close_8K_perf %llu\n", median(tp, rounds));
	printf("# bench obj_get_close_8K_array %llu\n", median(ta, rounds));
	unlink(ppath);
	unlink(apath);
	close(pfd);
	close(afd);
	free(tp);
	free(ta);
}

static void update_delete(int ev, int ops)
{
	const unsigned int size = 65536;
	int fd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, size, 0), i;
	u64 *tu = calloc(ops, sizeof(u64)), *td = calloc(ops, sizeof(u64));

	if (fd < 0)
		fail("map create");
	if (!tu || !td)
		fail("calloc");
	for (i = -16; i < ops; i++) {	/* 16 rounds of warm-up */
		unsigned int key = (unsigned int)(i + 16) % size;
		u64 t0 = now_ns(), t1;

		if (map_update(fd, key, ev))
			fail("update");
		t1 = now_ns();
		if (map_delete(fd, key))
			fail("delete");
		if (i >= 0) {
			td[i] = now_ns() - t1;
			tu[i] = t1 - t0;
		}
	}
	printf("# bench update %llu\n", median(tu, ops));
	printf("# bench delete %llu\n", median(td, ops));
	close(fd);
	free(tu);
	free(td);
}

int main(int argc, char **argv)
{
	int rounds = 101, ops = 10001, c, ev;

	while ((c = getopt(argc, argv, "r:u:")) != -1) {
		switch (c) {
		case 'r': rounds = atoi(optarg); break;
		case 'u': ops = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-u OPS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || ops < 1) {
		fprintf(stderr, "%s: counts must be positive\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ev = open_clock();
	close_nonowner(ev, rounds);
	obj_get_close(ev, rounds);
	update_delete(ev, ops);
	printf("# bench-done\n");
	return 0;
}
