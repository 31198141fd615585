// SPDX-License-Identifier: GPL-2.0
/*
 * poke_stress: cross-modifying code under an emulator (see docs/int3.md).
 *
 *   poke_stress [-m MODE] [-t SECS] [-n OPS]
 *
 * MODE upddel (default): a socket-filter caller tail-calls a prog array at
 *   the constant key 0, so the x86 JIT emits a direct jump that
 *   bpf_arch_poke_desc_update() rewrites with smp_text_poke_single() (INT3,
 *   sync, tail, sync, first byte, sync) on every map update and delete.
 *   A thread pinned to CPU0 runs the caller with BPF_PROG_TEST_RUN
 *   (repeat=1000); a thread pinned to CPU1 alternates update(0, callee) and
 *   delete(0): the poke flips the bypass jump (nop <-> jmp) and the target
 *   (nop <-> jmp).
 * MODE update: the same, but CPU1 alternates update(0, A) and update(0, B):
 *   only the target jump is poked (jmp -> jmp).
 * MODE xmc: no BPF at all. CPU1 rewrites the immediate of "mov eax, imm32;
 *   ret" in an RWX page, then publishes the value in a flag; CPU0 reads the
 *   flag, executes CPUID (serializing) and calls the code. Intel SDM vol. 3
 *   8.1.3 (cross-modifying code) guarantees that the call returns a value
 *   at least as new as the flag; a smaller one is a stale translation.
 *
 * Prints "poke-stress: progress ..." every second for 10 s, then every 10 s;
 * at the end one line
 * "poke-stress: PASS|FAIL mode=... ops=N runs=N secs=S [stale=N]".
 * In the BPF modes a failure is a kernel oops, seen on the console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpf_sys.h"

static const char *mode = "upddel";
static double secs = 30;
static unsigned long max_ops;		/* 0: no limit */

static atomic_int stop;
static atomic_ulong ops, runs, stale, first_stale_op;
static int map_fd, caller_fd, callee_fd[2];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "poke-stress: cannot pin to CPU%d: %s\n", cpu, strerror(errno));
}

static int load(const struct bpf_insn *insns, int n)
{
	static char log[65536];
	int fd = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, n, log, sizeof(log));

	if (fd < 0) {
		fprintf(stderr, "poke-stress: BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
		exit(2);
	}
	return fd;
}

static void setup_bpf(void)
{
	int i;

	map_fd = map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 1, 0);
	if (map_fd < 0) {
		perror("poke-stress: BPF_MAP_CREATE");
		exit(2);
	}
	for (i = 0; i < 2; i++) {
		struct bpf_insn callee[] = {
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, i + 1),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		callee_fd[i] = load(callee, 2);
	}
	/* r1 = ctx; r2 = map; r3 = 0; tail_call(); r0 = 0; exit */
	struct bpf_insn caller[] = {
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, map_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	caller_fd = load(caller, 6);
}

static void *bpf_runner(void *arg)
{
	unsigned char pkt[64] = { 0 };
	union bpf_attr a;

	(void)arg;
	pin(0);
	while (!atomic_load(&stop)) {
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = caller_fd;
		a.test.data_in = (uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		a.test.repeat = 1000;
		if (sys_bpf(BPF_PROG_TEST_RUN, &a)) {
			perror("poke-stress: BPF_PROG_TEST_RUN");
			exit(2);
		}
		atomic_fetch_add(&runs, 1);
	}
	return NULL;
}

static void bpf_updater(void)
{
	int upd_only = !strcmp(mode, "update");
	unsigned long i;

	for (i = 0; !atomic_load(&stop); i++) {
		int err;

		if (upd_only)
			err = map_update(map_fd, 0, callee_fd[i & 1]);
		else
			err = (i & 1) ? map_delete(map_fd, 0) :
					 map_update(map_fd, 0, callee_fd[0]);
		if (err) {
			fprintf(stderr, "poke-stress: map op %lu: %s\n", i, strerror(errno));
			exit(2);
		}
		atomic_fetch_add(&ops, 1);
	}
}

/* xmc: "nop; nop; nop; mov eax, imm32; ret", the immediate 4-byte aligned. */
static volatile unsigned char *code;
static atomic_uint flag, ack;

static void serialize(void)
{
	unsigned int a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static void *xmc_runner(void *arg)
{
	unsigned int (*f)(void) = (unsigned int (*)(void))code;

	(void)arg;
	pin(0);
	while (!atomic_load(&stop)) {
		unsigned int s = atomic_load_explicit(&flag, memory_order_acquire);
		unsigned int v;

		serialize();
		v = f();
		if (v < s) {
			if (!atomic_load(&stale))
				atomic_store(&first_stale_op, atomic_load(&ops) + 1);
			if (atomic_fetch_add(&stale, 1) < 5)
				printf("poke-stress: stale code: flag %u published, code returned %u\n",
				       s, v);
		}
		atomic_store_explicit(&ack, s, memory_order_release);
		atomic_fetch_add(&runs, 1);
	}
	return NULL;
}

static void xmc_setup(void)
{
	static const unsigned char insn[] = { 0x90, 0x90, 0x90, 0xb8, 0, 0, 0, 0, 0xc3 };

	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("poke-stress: mmap");
		exit(2);
	}
	memcpy((void *)code, insn, sizeof(insn));
}

static void xmc_updater(void)
{
	_Atomic unsigned int *imm = (_Atomic unsigned int *)(code + 4);
	unsigned int seq;

	for (seq = 1; !atomic_load(&stop); seq++) {
		atomic_store_explicit(imm, seq, memory_order_relaxed);
		atomic_store_explicit(&flag, seq, memory_order_release);
		/* Let the runner see this value before the next rewrite. */
		while (atomic_load_explicit(&ack, memory_order_acquire) < seq &&
		       !atomic_load(&stop))
			;
		atomic_fetch_add(&ops, 1);
	}
}

static void *timer(void *arg)
{
	double t0 = *(double *)arg, next = t0 + 1;

	while (!atomic_load(&stop)) {
		double t = now();

		if (t - t0 >= secs || (max_ops && atomic_load(&ops) >= max_ops))
			atomic_store(&stop, 1);
		else if (t >= next) {
			printf("poke-stress: progress mode=%s ops=%lu runs=%lu secs=%.0f\n",
			       mode, atomic_load(&ops), atomic_load(&runs), t - t0);
			fflush(stdout);
			/* every second for 10 s (a failure can come early), then every 10 s */
			next += t - t0 < 10 ? 1 : 10;
		}
		usleep(20000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t run, tim;
	double t0;
	int c, xmc;

	while ((c = getopt(argc, argv, "m:t:n:")) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'n': max_ops = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-m upddel|update|xmc] [-t SECS] [-n OPS]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	xmc = !strcmp(mode, "xmc");
	if (!xmc && strcmp(mode, "upddel") && strcmp(mode, "update")) {
		fprintf(stderr, "poke-stress: unknown mode %s\n", mode);
		return 2;
	}
	if (xmc)
		xmc_setup();
	else
		setup_bpf();
	printf("poke-stress: start mode=%s secs=%.0f max_ops=%lu\n", mode, secs, max_ops);
	t0 = now();
	pthread_create(&run, NULL, xmc ? xmc_runner : bpf_runner, NULL);
	pthread_create(&tim, NULL, timer, &t0);
	pin(1);
	if (xmc)
		xmc_updater();
	else
		bpf_updater();
	pthread_join(run, NULL);
	pthread_join(tim, NULL);
	printf("poke-stress: %s mode=%s ops=%lu runs=%lu secs=%.1f stale=%lu",
	       atomic_load(&stale) ? "FAIL" : "PASS", mode, atomic_load(&ops),
	       atomic_load(&runs), now() - t0, atomic_load(&stale));
	if (atomic_load(&stale))
		printf(" first_stale_op=%lu", atomic_load(&first_stale_op));
	printf("\n");
	return atomic_load(&stale) ? 1 : 0;
}
