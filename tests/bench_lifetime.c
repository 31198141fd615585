// SPDX-License-Identifier: GPL-2.0
/*
 * make bench on 7.3: what the release of a perf event array map file
 * costs, and what the owner tracking costs the writers. Raw bpf() and
 * perf_event_open() syscalls, static, no libbpf. Prints one line per
 * measurement, "# bench KEY VALUE" (nanoseconds unless the key says
 * otherwise), and "# bench-error ..." on any failure (exit 1).
 *
 *   close_nonowner_{1K,64K,1M}_{perf,array}
 *	median close() of a map file that owns nothing (a new file from
 *	BPF_MAP_GET_FD_BY_ID): perf event array (holding one entry of
 *	another file, in its last slot) and plain array of the same size,
 *	closed alternately in each round
 *   purge_owned_1M_k={1,1K,16K,64K}
 *	median close() of a file that owns k entries spread over a
 *	1M-slot perf event array (another file owns slot 1, which must stay)
 *   update, delete
 *	median of single bpf(BPF_MAP_UPDATE_ELEM) into an empty slot and
 *	bpf(BPF_MAP_DELETE_ELEM) of a full slot of a 64K-slot perf event array
 *   purge_wait_{max,p99,mean,n,cover}, purge_wait_purge
 *	one thread (CPU 0) closes a file owning 64K entries of a 1M-slot
 *	perf event array while another (CPU 1) updates slot 0 through
 *	another file in a loop, timing each update: the longest and the
 *	99th percentile of the updates that overlapped a purge (pooled
 *	over the rounds), their count, and the median purge time; the
 *	"# purge_wait longest:" line lists the 8 longest; _cover: the
 *	largest share of a purge (%) one wait covered
 *   purge_ctl_*: the same, in rounds taken in turn with those, with a
 *	getppid() loop instead of the updates: the host's stalls alone
 *   purge_wait_{vcsw,ivcsw}: the updater's voluntary and involuntary
 *	context switches over all rounds (it sleeps nowhere but in a lock)
 *   purge_{wait,ctl}_idle_{max,p99}: the loop outside the purges
 *
 * Options: -r ROUNDS (close_nonowner, default 101), -p RUNS (purge,
 * default 9; k>1K: RUNS/2+1), -u OPS (update/delete, default 2001),
 * -w ROUNDS (purge_wait, default 5).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include "bpf_sys.h"

typedef unsigned long long u64;

#define SLOTS_1M	(1024 * 1024)

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

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;		/* one CPU: the threads share it */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("sched_setaffinity");
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

static void close_nonowner(int ev, int rounds)
{
	static const unsigned int sizes[] = { 1024, 65536, SLOTS_1M };
	u64 *tp = calloc(rounds, sizeof(u64)), *ta = calloc(rounds, sizeof(u64));
	unsigned int s;
	int r;

	for (s = 0; s < 3; s++) {
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
			int f;
			u64 t0;

			f = reopen(pid);
			t0 = now_ns();
			if (close(f))
				fail("close");
			if (r >= 0)
				tp[r] = now_ns() - t0;
			f = reopen(aid);
			t0 = now_ns();
			if (close(f))
				fail("close");
			if (r >= 0)
				ta[r] = now_ns() - t0;
		}
		/* the other file's entry stays */
		if (map_delete(pfd, sizes[s] - 1))
			fail("the other file's entry is gone");
		printf("# bench close_nonowner_%s_perf %llu\n", pretty(sizes[s]), median(tp, rounds));
		printf("# bench close_nonowner_%s_array %llu\n", pretty(sizes[s]), median(ta, rounds));
		fflush(stdout);
		close(pfd);
		close(afd);
	}
	free(tp);
	free(ta);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* k entries through @fd, spread over @size slots from slot 2 on */
static unsigned int fill(int fd, int ev, unsigned int size, unsigned int k)
{
	unsigned int stride = (size - 2) / k, i;

	for (i = 0; i < k; i++)
		if (map_update(fd, 2 + i * stride, ev))
			fail("fill");
	return stride;
}

static void purge_owned(int ev, int runs)
{
	static const unsigned int ks[] = { 1, 1024, 16384, 65536 };
	int fd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, SLOTS_1M, 0);
	u64 *t = calloc(runs, sizeof(u64));
	unsigned int id, i;

	if (fd < 0)
		fail("map create");
	id = map_id(fd);
	if (map_update(fd, 1, ev))	/* this file's: must stay */
		fail("update");
	for (i = 0; i < 4; i++) {
		int n = ks[i] > 1024 ? runs / 2 + 1 : runs, r;

		for (r = 0; r < n; r++) {
			int b = reopen(id);
			unsigned int stride = fill(b, ev, SLOTS_1M, ks[i]);
			u64 t0;

			/* warm the close() path up; let the RCU callbacks
			 * of the last purge run before this one
			 */
			if (close(reopen(id)))
				fail("close");
			sleep_ms(100);
			t0 = now_ns();
			if (close(b))
				fail("close");
			t[r] = now_ns() - t0;
			/* b's entries went, the other file's stayed */
			if (map_delete(fd, 2) == 0 ||
			    map_delete(fd, 2 + (ks[i] - 1) * stride) == 0)
				fail("an entry of the closed file stayed");
			if (map_delete(fd, 1) || map_update(fd, 1, ev))
				fail("the other file's entry is gone");
		}
		printf("# bench purge_owned_1M_k=%s %llu\n", pretty(ks[i]), median(t, n));
		fflush(stdout);
	}
	close(fd);
	free(t);
}

static void update_delete(int ev, int ops)
{
	const unsigned int size = 65536;
	int fd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, size, 0), i;
	u64 *tu = calloc(ops, sizeof(u64)), *td = calloc(ops, sizeof(u64));

	if (fd < 0)
		fail("map create");
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
	fflush(stdout);
	close(fd);
	free(tu);
	free(td);
}

/* purge_wait: the loop on CPU 1; ctl: getppid() instead of the update */
#define MAX_SAMPLES	(4 * 1024 * 1024)
struct sample { u64 start, end; };
static struct sample *samples;
static volatile int stop, started;
static int nsamples, upd_fd, upd_ev, upd_ctl;
static long upd_nvcsw[2], upd_nivcsw[2];

static void *updater(void *arg)
{
	struct rusage ru0, ru1;
	int n = 0;

	(void)arg;
	pin(1);
	getrusage(RUSAGE_THREAD, &ru0);
	started = 1;
	while (!stop && n < MAX_SAMPLES) {
		u64 t0 = now_ns();

		if (upd_ctl)
			syscall(__NR_getppid);
		else if (map_update(upd_fd, 0, upd_ev))
			fail("update during purge");
		samples[n].start = t0;
		samples[n].end = now_ns();
		n++;
	}
	nsamples = n;
	getrusage(RUSAGE_THREAD, &ru1);
	upd_nvcsw[upd_ctl] += ru1.ru_nvcsw - ru0.ru_nvcsw;
	upd_nivcsw[upd_ctl] += ru1.ru_nivcsw - ru0.ru_nivcsw;
	return NULL;
}

struct waits {
	u64 *during, *idle, *purge;
	int nd, ni, np;
	unsigned int cover;	/* max over rounds: longest wait / purge, % */
};

static void report(const char *name, struct waits *w, int ctl)
{
	u64 sum;
	int i, nd = w->nd, ni = w->ni;

	if (!nd || !ni) {
		errno = ENODATA;
		fail("no loop overlapped a purge");
	}
	qsort(w->during, nd, sizeof(u64), cmp_u64);
	qsort(w->idle, ni, sizeof(u64), cmp_u64);
	for (i = 0, sum = 0; i < nd; i++)
		sum += w->during[i];
	printf("# bench %s_max %llu\n", name, w->during[nd - 1]);
	printf("# bench %s_p99 %llu\n", name, w->during[(int)((nd - 1) * 0.99)]);
	printf("# bench %s_mean %llu\n", name, sum / nd);
	printf("# bench %s_n %d\n", name, nd);
	printf("# bench %s_cover %u\n", name, w->cover);
	printf("# %s longest:", name);
	for (i = nd - 1; i >= 0 && i >= nd - 8; i--)
		printf(" %llu", w->during[i]);
	printf("\n");
	printf("# bench %s_purge %llu\n", name, median(w->purge, w->np));
	printf("# bench %s_vcsw %ld\n", name, upd_nvcsw[ctl]);
	printf("# bench %s_ivcsw %ld\n", name, upd_nivcsw[ctl]);
	printf("# bench %s_idle_max %llu\n", name, w->idle[ni - 1]);
	printf("# bench %s_idle_p99 %llu\n", name, w->idle[(int)((ni - 1) * 0.99)]);
	fflush(stdout);
}

/* Rounds of the updater and of the control loop (a getppid() loop:
 * the host's stalls of a vCPU, without any lock), in turn.
 */
static void purge_wait(int ev, int rounds)
{
	struct waits w[2];
	int r, i, m;

	samples = malloc(sizeof(*samples) * MAX_SAMPLES);
	for (m = 0; m < 2; m++) {
		memset(&w[m], 0, sizeof(w[m]));
		w[m].during = malloc(sizeof(u64) * MAX_SAMPLES);
		w[m].idle = malloc(sizeof(u64) * MAX_SAMPLES);
		w[m].purge = calloc(rounds, sizeof(u64));
		if (!w[m].during || !w[m].idle || !w[m].purge || !samples)
			fail("malloc");
	}
	pin(0);
	for (r = 0; r < 2 * rounds; r++) {
		int fd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, SLOTS_1M, 0), b;
		struct waits *x = &w[r & 1];
		u64 t0, t1, longest = 0;
		pthread_t th;

		if (fd < 0)
			fail("map create");
		b = reopen(map_id(fd));
		fill(b, ev, SLOTS_1M, 65536);
		sleep_ms(100);	/* the last round's RCU callbacks */
		upd_fd = fd;
		upd_ev = ev;
		upd_ctl = r & 1;
		stop = 0;
		started = 0;
		if (pthread_create(&th, NULL, updater, NULL))
			fail("pthread_create");
		while (!started)
			sched_yield();
		sleep_ms(20);
		t0 = now_ns();
		if (close(b))
			fail("close");
		t1 = now_ns();
		sleep_ms(20);
		stop = 1;
		pthread_join(th, NULL);
		x->purge[x->np++] = t1 - t0;
		for (i = 0; i < nsamples; i++) {
			u64 d = samples[i].end - samples[i].start;

			if (samples[i].end > t0 && samples[i].start < t1) {
				if (x->nd < MAX_SAMPLES)
					x->during[x->nd++] = d;
				if (d > longest)
					longest = d;
			} else if (x->ni < MAX_SAMPLES) {
				x->idle[x->ni++] = d;
			}
		}
		if (longest * 100 / (t1 - t0) > x->cover)
			x->cover = longest * 100 / (t1 - t0);
		close(fd);
	}
	report("purge_wait", &w[0], 0);
	report("purge_ctl", &w[1], 1);
	for (m = 0; m < 2; m++) {
		free(w[m].during);
		free(w[m].idle);
		free(w[m].purge);
	}
	free(samples);
}

int main(int argc, char **argv)
{
	int rounds = 101, runs = 9, ops = 2001, wrounds = 5, c, ev;

	while ((c = getopt(argc, argv, "r:p:u:w:")) != -1) {
		switch (c) {
		case 'r': rounds = atoi(optarg); break;
		case 'p': runs = atoi(optarg); break;
		case 'u': ops = atoi(optarg); break;
		case 'w': wrounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-p RUNS] [-u OPS] [-w ROUNDS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || runs < 1 || ops < 1 || wrounds < 1) {
		fprintf(stderr, "%s: counts must be positive\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ev = open_clock();
	close_nonowner(ev, rounds);
	purge_owned(ev, runs);
	update_delete(ev, ops);
	purge_wait(ev, wrounds);
	printf("# bench-done\n");
	return 0;
}
