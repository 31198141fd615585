// SPDX-License-Identifier: GPL-2.0
/*
 * lifetime_fuzz: random user-space histories of the prog array and perf
 * event array lifetime API, checked against a reference model of the rules
 * of Documentation/bpf/map_fd_array_lifetime.rst (docs/fuzz.md).
 *
 *   lifetime_fuzz [-s SEED] [-t SECS] [-n OPS] [-H HSEED] [-W] [-k] [-v]
 *
 *   -s SEED   run seed; history i runs with the seed mix(SEED, i)
 *   -t SECS   fuzz for this long (default 60)
 *   -n OPS    operations per history (default 32)
 *   -H HSEED  run only the history of this seed (reproduce), then exit
 *   -W        no window holding (no kprobes)
 *   -k        keep going after a violation: no shrinking; at the end the
 *             time of the first finding of each class
 *   -v        print every operation
 *
 * Raw bpf() syscalls and raw BPF instructions: no libbpf, static binary.
 * Exit: 0 no violation, 1 violation (seed, class and the shrunk history
 * printed), 2 setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "bpf_sys.h"

#define P "lifetime-fuzz: "

/* Debian 12's uapi headers predate may_goto (Linux 6.9). */
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#define BPF_MAY_GOTO 0
#endif

/* ---------------------------------------------------------------- util */

static int verbose;
static double t_start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static __attribute__((noreturn)) void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf(P "ERROR: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(2);
}

/* splitmix64: the PRNG. Same seed, same history. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = mix(rng_state);
	return n ? (uint32_t)(rng_state >> 32) % n : 0;
}

/* ----------------------------------------------------------------- bpf */

#define MOV64_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD64_REG(d, s)	INSN(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define LD_MAP(d, fd)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)	INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define CALL(f)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JGT_REG(d, s, o) INSN(BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0)
#define JNE32_REG(d, s, o) INSN(BPF_JMP32 | BPF_JNE | BPF_X, d, s, o, 0)
#define LD_ABS_W(o)	INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, o)
#define ATOMIC_ADD64(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)

static char vlog[1 << 16];

/* prog_load(), and unless quiet, on failure the verifier's log printed. */
static int load_prog(int type, const struct bpf_insn *insns, int n, int quiet)
{
	int fd = prog_load(type, insns, n, NULL, 0);

	if (fd < 0 && !quiet) {
		int e = errno;

		prog_load(type, insns, n, vlog, sizeof(vlog));
		printf(P "BPF_PROG_LOAD (type %d): %s\n%s\n", type, strerror(e), vlog);
		errno = e;
	}
	return fd;
}

/* Prog array slot as seen by the syscall: the program id, 0 empty, <0 error. */
static long map_lookup_id(int fd, uint32_t key)
{
	union bpf_attr a;
	uint32_t val = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&val;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		return errno == ENOENT ? 0 : -errno;
	return val;
}

static int obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.bpf_fd = fd;
	a.pathname = (uintptr_t)path;
	return sys_bpf(BPF_OBJ_PIN, &a) ? -errno : 0;
}

static int obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

/* Is this map id live? (BPF_MAP_GET_NEXT_ID: takes no reference.) */
static int map_id_live(uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.start_id = id - 1;
	if (sys_bpf(BPF_MAP_GET_NEXT_ID, &a))
		return 0;
	return a.next_id == id;
}

/* Run a socket filter on a packet whose first word past the Ethernet
 * header is @slot: the tester programs read the slot from there.
 */
static long prog_run(int fd, uint32_t slot)
{
	unsigned char pkt[64];
	union bpf_attr a;

	memset(pkt, 0, sizeof(pkt));
	pkt[14] = slot >> 24;
	pkt[15] = slot >> 16;
	pkt[16] = slot >> 8;
	pkt[17] = slot;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a))
		return -1000 - errno;
	return (int32_t)a.test.retval;
}

/* ----------------------------------------------------- BPF programs used */

#define NCALLEE 3
#define NEVENT 3
static int callee_fd[NCALLEE];
static uint32_t callee_id[NCALLEE];
static int event_fd[NEVENT];

/* A tail-call target: returns 100 + i. */
static int load_callee(int i)
{
	struct bpf_insn p[] = { MOV64_IMM(BPF_REG_0, 100 + i), EXIT() };

	return load_prog(BPF_PROG_TYPE_SOCKET_FILTER, p, 2, 0);
}

/* Tail-calls slot (packet word) of prog array @map; 1 if the slot is empty. */
static int load_pa_tester(int map, int quiet)
{
	struct bpf_insn p[] = {
		MOV64_REG(BPF_REG_6, BPF_REG_1),
		LD_ABS_W(0),
		MOV64_REG(BPF_REG_3, BPF_REG_0),
		MOV64_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, map),
		CALL(BPF_FUNC_tail_call),
		MOV64_IMM(BPF_REG_0, 1),
		EXIT(),
	};

	return load_prog(BPF_PROG_TYPE_SOCKET_FILTER, p, sizeof(p) / sizeof(p[0]), quiet);
}

/* bpf_perf_event_output() to slot (packet word) of perf event array
 * @map: -ENOENT if the slot is empty, something else if it holds an entry.
 */
static int load_pe_tester(int map, int quiet)
{
	struct bpf_insn p[] = {
		MOV64_REG(BPF_REG_6, BPF_REG_1),
		LD_ABS_W(0),
		ST(BPF_DW, BPF_REG_10, -8, 0),
		MOV64_REG(BPF_REG_3, BPF_REG_0),
		MOV64_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, map),
		MOV64_REG(BPF_REG_4, BPF_REG_10),
		ADD64_IMM(BPF_REG_4, -8),
		MOV64_IMM(BPF_REG_5, 8),
		CALL(BPF_FUNC_perf_event_output),
		EXIT(),
	};

	return load_prog(BPF_PROG_TYPE_SOCKET_FILTER, p, sizeof(p) / sizeof(p[0]), quiet);
}

static int open_event(void)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	return syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
}

/* ------------------------------------------------------ window holding */

/* Shared with the kprobe programs (an mmap()ed array map). */
struct ctl {
	uint32_t want;		/* 0, or the window to hold */
	uint32_t tid;		/* only this thread is held */
	uint32_t held;		/* set by BPF: the window that was held */
	uint32_t release;	/* set by user space: let it go */
	uint32_t timedout;	/* set by BPF */
	uint32_t pad;
	uint64_t ns;		/* hold at most this long */
	uint64_t deadline;
	uint64_t flushes;	/* prog_array_map_clear_deferred() returns */
	uint64_t inode_frees;	/* bpf_free_inode() returns */
	uint64_t pad2[2];
};

enum win { W_NONE, W_BEFORE_QUEUE, W_AFTER_QUEUE, W_IN_PURGE, W_AT_RELEASE, W_NR };
static const char *win_name[W_NR] = { "none", "before-queue", "after-queue", "in-purge", "at-release" };
static const char *win_func[W_NR] = { NULL, "prog_array_map_clear", "prog_array_map_clear",
				      "__fd_array_map_delete_elem", "perf_event_fd_array_release" };
static const int win_ret[W_NR] = { 0, 0, 1, 0, 0 };
static int win_ok[W_NR];
static unsigned long win_asked[W_NR], win_held[W_NR];
static int ctl_fd = -1;
static volatile struct ctl *ctl;
static int have_flush_count, have_inode_count;
static int ncpus;
static int no_windows;

static int kprobe_type = -1, kretprobe_bit = -1;

static int read_int_file(const char *path, int *val)
{
	char buf[64];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!strncmp(buf, "config:", 7))
		*val = atoi(buf + 7);
	else
		*val = atoi(buf);
	return 0;
}

/* Attach @prog to a kprobe (or kretprobe) on @func; -1 if it cannot. */
static int attach_kprobe(int prog, const char *func, int ret)
{
	struct perf_event_attr attr;
	int pfd;

	if (kprobe_type < 0 &&
	    read_int_file("/sys/bus/event_source/devices/kprobe/type", &kprobe_type))
		return -1;
	if (ret && kretprobe_bit < 0 &&
	    read_int_file("/sys/bus/event_source/devices/kprobe/format/retprobe", &kretprobe_bit))
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = kprobe_type;
	attr.config = ret ? 1ull << kretprobe_bit : 0;
	attr.config1 = (uintptr_t)func;	/* kprobe_func */
	attr.config2 = 0;		/* probe_offset */
	pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		close(pfd);
		return -1;
	}
	return pfd;	/* kept open for the whole run */
}

/* Hold the calling thread if it is ctl->tid and ctl->want == @w: spin
 * until user space sets ctl->release or ctl->ns pass. The loop is bounded
 * by may_goto (no BTF needed, unlike a bpf_loop() callback) and by the
 * deadline.
 */
static int load_hold_prog(int w)
{
	struct bpf_insn p[] = {
		/* 0 */ ST(BPF_W, BPF_REG_10, -4, 0),
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ADD64_IMM(BPF_REG_2, -4),
		LD_MAP(BPF_REG_1, ctl_fd),
		CALL(BPF_FUNC_map_lookup_elem),
		/* 6 */ JEQ_IMM(BPF_REG_0, 0, 20),
		MOV64_REG(BPF_REG_7, BPF_REG_0),
		LDX(BPF_W, BPF_REG_1, BPF_REG_7, 0),
		/* 9 */ JNE_IMM(BPF_REG_1, w, 17),
		CALL(BPF_FUNC_get_current_pid_tgid),
		LDX(BPF_W, BPF_REG_1, BPF_REG_7, 4),
		/* 12 */ JNE32_REG(BPF_REG_0, BPF_REG_1, 14),
		ST(BPF_W, BPF_REG_7, 0, 0),
		ST(BPF_W, BPF_REG_7, 8, w),
		CALL(BPF_FUNC_ktime_get_ns),
		LDX(BPF_DW, BPF_REG_1, BPF_REG_7, 24),
		ADD64_REG(BPF_REG_0, BPF_REG_1),
		STX(BPF_DW, BPF_REG_7, BPF_REG_0, 32),
		/* 19 loop: */ INSN(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, 6, 0),
		LDX(BPF_W, BPF_REG_1, BPF_REG_7, 12),
		/* 21 */ JNE_IMM(BPF_REG_1, 0, 5),
		CALL(BPF_FUNC_ktime_get_ns),
		LDX(BPF_DW, BPF_REG_1, BPF_REG_7, 32),
		/* 24 */ JGT_REG(BPF_REG_0, BPF_REG_1, 1),
		/* 25 */ INSN(BPF_JMP | BPF_JA, 0, 0, -7, 0),
		/* 26 timed out: */ ST(BPF_W, BPF_REG_7, 16, 1),
		/* 27 out: */ MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	return load_prog(BPF_PROG_TYPE_KPROBE, p, sizeof(p) / sizeof(p[0]), 0);
}

/* Count returns of a function in the ctl field at @off. */
static int load_count_prog(int off)
{
	struct bpf_insn p[] = {
		ST(BPF_W, BPF_REG_10, -4, 0),
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ADD64_IMM(BPF_REG_2, -4),
		LD_MAP(BPF_REG_1, ctl_fd),
		CALL(BPF_FUNC_map_lookup_elem),
		JEQ_IMM(BPF_REG_0, 0, 2),
		MOV64_IMM(BPF_REG_1, 1),
		ATOMIC_ADD64(BPF_REG_0, BPF_REG_1, off),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	return load_prog(BPF_PROG_TYPE_KPROBE, p, sizeof(p) / sizeof(p[0]), 0);
}

static void setup_windows(void)
{
	int w, prog;

	ctl_fd = map_create(BPF_MAP_TYPE_ARRAY, sizeof(struct ctl), 1, BPF_F_MMAPABLE);
	if (ctl_fd < 0)
		fatal("control map: %s", strerror(errno));
	ctl = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ctl_fd, 0);
	if (ctl == MAP_FAILED)
		fatal("mmap of the control map: %s", strerror(errno));
	prog = load_count_prog(offsetof(struct ctl, flushes));
	if (prog >= 0 && attach_kprobe(prog, "prog_array_map_clear_deferred", 1) >= 0)
		have_flush_count = 1;
	else
		printf(P "note: cannot count prog array flushes (kretprobe on prog_array_map_clear_deferred): settling by sleeping\n");
	prog = load_count_prog(offsetof(struct ctl, inode_frees));
	if (prog >= 0 && attach_kprobe(prog, "bpf_free_inode", 1) >= 0)
		have_inode_count = 1;
	else
		printf(P "note: cannot count bpffs inode frees (kretprobe on bpf_free_inode): settling by sleeping\n");
	if (no_windows || ncpus < 2) {
		printf(P "note: window holding off (%s)\n", no_windows ? "-W" : "fewer than 2 CPUs");
		return;
	}
	for (w = 1; w < W_NR; w++) {
		prog = load_hold_prog(w);
		if (prog < 0 || attach_kprobe(prog, win_func[w], win_ret[w]) < 0) {
			printf(P "note: window %s off: cannot attach a %s to %s\n", win_name[w],
			       win_ret[w] ? "kretprobe" : "kprobe", win_func[w]);
			continue;
		}
		win_ok[w] = 1;
	}
}

/* ---------------------------------------------------------- the history */

enum opk {
	OP_CREATE_PA, OP_CREATE_PE, OP_PIN, OP_UNLINK, OP_OBJ_GET, OP_GET_BY_ID,
	OP_DUP, OP_CLOSE, OP_FORK, OP_EXIT, OP_UPDATE, OP_DELETE, OP_LOAD,
	OP_PROG_CLOSE, OP_RUN, OP_WINDOW, OP_SETTLE, OP_NR
};
static const char *op_name[OP_NR] = {
	"create-prog-array", "create-perf-array", "pin", "unlink", "obj-get", "get-fd-by-id",
	"dup", "close", "fork", "child-exit", "update", "delete", "load-prog",
	"close-prog", "run-prog", "window", "settle",
};

struct op {
	uint8_t k;
	uint8_t proc;	/* 0: main, else a child (picked modulo the live ones) */
	uint8_t win;	/* picks among the window's map only */
	uint32_t a, b, c;
};

#define MAXOPS 4096
#define MAXMAPS 64
#define MAXSLOTS 8
#define MAXFDS 256
#define MAXPINS 64
#define MAXPROGS 64
#define MAXPROCS 8

enum { PA, PE };

struct mmap {		/* a map of the model */
	int type, preserve, max;
	uint32_t id;
	int dead;
	int flush_due;		/* usercnt dropped to zero since the last settle */
	int pending;		/* a flush queued and not known to have run */
	int session;		/* prog array user session (revivals) */
	int slot[MAXSLOTS];	/* PA: callee or -1; PE: owning file or -1 */
	int sess[MAXSLOTS];	/* PA: session that installed the slot */
};

struct mfile { int map, nfds, released; };
struct mfd { int live, proc, fd, file, prog; };	/* file or prog */
struct mpin { int live, map; char path[96]; };
struct mprog { int live, map, nfds; };
struct mproc { int live; pid_t pid; int cmd, res; };

static struct {
	struct mmap map[MAXMAPS];
	int nmaps;
	struct mfile file[MAXFDS];
	int nfiles;
	struct mfd fd[MAXFDS];
	int nfd;
	struct mpin pin[MAXPINS];
	int npins;
	struct mprog prog[MAXPROGS];
	int nprogs;
	struct mproc proc[MAXPROCS];	/* [0] is main */
	uint64_t flushes_expected, inode_frees_expected;
	/* the open window */
	int win, win_map, win_file, win_held, win_timedout;
	/* A window's hold ran out before the ops inside were done: the
	 * close went on meanwhile, so the model's order of events no longer
	 * holds and the history's verdict is dropped.
	 */
	int inconclusive;
} M;
static unsigned long inconclusive_histories;

static char pindir[64];
static unsigned long run_no;

/* What went wrong, first violation of the run. */
static char vclass[64], vdetail[256];

static void violation(const char *cls, const char *fmt, ...)
{
	va_list ap;

	if (vclass[0])
		return;
	/* ctl->timedout is set before the held close goes on, so an op that
	 * sees the close's effect inside the window sees it set.
	 */
	if (M.inconclusive || (M.win && ctl->timedout)) {
		M.inconclusive = 1;
		return;
	}
	snprintf(vclass, sizeof(vclass), "%s", cls);
	va_start(ap, fmt);
	vsnprintf(vdetail, sizeof(vdetail), fmt, ap);
	va_end(ap);
}

/* ----------------------------------------------------- children (procs) */

struct cmsg { int k, fd, a, b; char path[96]; };
struct cres { long ret; int err; };

static void child_loop(int cmd, int res)
{
	struct cmsg m;
	struct cres r;

	for (;;) {
		if (read(cmd, &m, sizeof(m)) != sizeof(m))
			_exit(0);
		r.ret = 0;
		r.err = 0;
		switch (m.k) {
		case OP_CLOSE: r.ret = close(m.fd); break;
		case OP_DUP: r.ret = dup(m.fd); break;
		case OP_UPDATE: r.ret = map_update(m.fd, m.a, m.b); break;
		case OP_DELETE: r.ret = map_delete(m.fd, m.a); break;
		case OP_OBJ_GET: r.ret = obj_get(m.path); break;
		case OP_GET_BY_ID: r.ret = map_get_fd_by_id(m.a); break;
		case OP_EXIT: _exit(0);
		}
		if (r.ret < 0)
			r.err = errno;
		if (write(res, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
}

static long in_proc(int p, struct cmsg *m)
{
	struct cres r;

	if (write(M.proc[p].cmd, m, sizeof(*m)) != sizeof(*m) ||
	    read(M.proc[p].res, &r, sizeof(r)) != sizeof(r))
		fatal("child %d does not answer", p);
	errno = r.err;
	return r.ret;
}

/* --------------------------------------------------------------- model */

static int map_uref(int m)
{
	int i, n = 0;

	for (i = 0; i < M.nfiles; i++)
		if (M.file[i].map == m && !M.file[i].released)
			n++;
	for (i = 0; i < M.npins; i++)
		if (M.pin[i].live && M.pin[i].map == m)
			n++;
	return n;
}

static int map_nprogs(int m)
{
	int i, n = 0;

	for (i = 0; i < M.nprogs; i++)
		if (M.prog[i].live && M.prog[i].map == m)
			n++;
	return n;
}

/* Usable now: has a user or program reference, or is held in a window. */
static int map_alive(int m)
{
	if (M.map[m].dead)
		return 0;
	if (map_uref(m) || map_nprogs(m))
		return 1;
	return M.win && M.win_held && M.win_map == m;
}

/* A prog array lost its last user reference: a flush is due. */
static void uref_dropped(int m)
{
	if (M.map[m].type != PA || map_uref(m))
		return;
	if (!M.map[m].pending)
		M.flushes_expected++;
	M.map[m].pending = 1;
	M.map[m].flush_due = 1;
}

/* Remove what the released file owns (perf event arrays). */
static void purge_file(int f)
{
	struct mmap *mm = &M.map[M.file[f].map];
	int s;

	if (mm->type != PE || mm->preserve)
		return;
	for (s = 0; s < mm->max; s++)
		if (mm->slot[s] == f)
			mm->slot[s] = -1;
}

/* The model's side of closing one descriptor of a map file. The purge of a
 * file released inside a held window is applied when the window closes.
 */
static void file_put(int f, int defer_purge)
{
	if (--M.file[f].nfds > 0)
		return;
	M.file[f].released = 1;
	if (!defer_purge)
		purge_file(f);
	uref_dropped(M.file[f].map);
}

static int new_fd(int proc, int fd, int file, int prog)
{
	struct mfd *d;

	if (M.nfd >= MAXFDS)
		return -1;
	d = &M.fd[M.nfd++];
	d->live = 1;
	d->proc = proc;
	d->fd = fd;
	d->file = file;
	d->prog = prog;
	if (file >= 0)
		M.file[file].nfds++;
	if (prog >= 0)
		M.prog[prog].nfds++;
	return M.nfd - 1;
}

static int new_file(int m)
{
	if (M.nfiles >= MAXFDS)
		return -1;
	M.file[M.nfiles].map = m;
	M.file[M.nfiles].nfds = 0;
	M.file[M.nfiles].released = 0;
	return M.nfiles++;
}

/* Is M.fd[i] a live map fd of process @proc, of map @only if >= 0, of
 * type @type if >= 0?
 */
static int fd_matches(int i, int proc, int only, int type)
{
	const struct mfd *d = &M.fd[i];

	return d->live && d->proc == proc && d->file >= 0 &&
	       (only < 0 || M.file[d->file].map == only) &&
	       (type < 0 || M.map[M.file[d->file].map].type == type);
}

/* Pick the n-th (modulo) fd that fd_matches(). */
static int pick_fd(uint32_t n, int proc, int only, int type)
{
	int i, cnt = 0, c;

	for (i = 0; i < M.nfd; i++)
		cnt += fd_matches(i, proc, only, type);
	if (!cnt)
		return -1;
	c = n % cnt;
	for (i = 0; i < M.nfd; i++)
		if (fd_matches(i, proc, only, type) && !c--)
			return i;
	return -1;
}

static int pick_proc(uint32_t n)
{
	int i, cnt = 0, c;

	for (i = 1; i < MAXPROCS; i++)
		cnt += M.proc[i].live;
	if (!cnt)
		return -1;
	c = n % cnt;
	for (i = 1; i < MAXPROCS; i++)
		if (M.proc[i].live && !c--)
			return i;
	return -1;
}

static int pick_live(uint32_t n, int count, int (*ok)(int))
{
	int i, cnt = 0, c;

	for (i = 0; i < count; i++)
		cnt += ok(i);
	if (!cnt)
		return -1;
	c = n % cnt;
	for (i = 0; i < count; i++)
		if (ok(i) && !c--)
			return i;
	return -1;
}

static int pin_ok(int i) { return M.pin[i].live && (!M.win || M.pin[i].map == M.win_map); }
static int map_ok(int i) { return M.map[i].id && (!M.win || i == M.win_map); }

/* ---------------------------------------------------------- settling */

static void wait_count(volatile uint64_t *cnt, uint64_t want, int have)
{
	double end = now() + 2;

	if (!have) {
		msleep(30);
		return;
	}
	while (*cnt < want && now() < end)
		msleep(1);
}

/* Deferred work the model knows of: flushes queued, pins freed. */
static void wait_deferred(void)
{
	int m;

	wait_count(&ctl->flushes, M.flushes_expected, have_flush_count);
	wait_count(&ctl->inode_frees, M.inode_frees_expected, have_inode_count);
	for (m = 0; m < M.nmaps; m++)
		M.map[m].pending = 0;
}

static int main_fd_of(int m)
{
	int i;

	for (i = 0; i < M.nfd; i++)
		if (M.fd[i].live && M.fd[i].proc == 0 && M.fd[i].file >= 0 &&
		    M.file[M.fd[i].file].map == m)
			return M.fd[i].fd;
	return -1;
}

/* Compare the kernel with the model once; the class of the first
 * difference in @cls, or "" if none.
 */
static void compare(char *cls, size_t clen, char *det, size_t dlen)
{
	int m, s, p;

	cls[0] = 0;
	for (m = 0; m < M.nmaps; m++) {
		struct mmap *mm = &M.map[m];
		int alive = map_uref(m) || map_nprogs(m);
		int live = map_id_live(mm->id);
		int fd, tmp = -1;

		if (mm->dead)
			alive = 0;
		if (alive != live) {
			snprintf(cls, clen, "%s", live ? (mm->type == PA ? "prog-leak-pending" : "map-leak")
							: "map-freed-early");
			snprintf(det, dlen, "map %d (%s id %u): model says %s, the id is %s", m,
				 mm->type == PA ? "prog array" : "perf event array", mm->id,
				 alive ? "alive" : "freed", live ? "live" : "gone");
			return;
		}
		if (!alive)
			continue;
		fd = main_fd_of(m);
		/* The syscall view of prog array slots. */
		if (mm->type == PA && fd >= 0) {
			for (s = 0; s < mm->max; s++) {
				long id = map_lookup_id(fd, s);
				uint32_t want = mm->slot[s] >= 0 ? callee_id[mm->slot[s]] : 0;

				if (id == (long)want)
					continue;
				snprintf(cls, clen, "%s", want && !id ? "prog-entry-lost" :
					 !want ? "prog-flush-missing" : "prog-entry-wrong");
				snprintf(det, dlen, "map %d (id %u) slot %d: lookup %ld, model prog id %u (session %d of %d)",
					 m, mm->id, s, id, want, mm->sess[s], mm->session);
				return;
			}
		}
		/* What programs see: every tester of the map, or a temporary one. */
		for (p = -1; p < M.nprogs; p++) {
			int pfd = -1, i;

			if (p < 0) {
				if (map_nprogs(m) || fd < 0)
					continue;
				tmp = mm->type == PA ? load_pa_tester(fd, 1) : load_pe_tester(fd, 1);
				if (tmp < 0)
					continue;
				pfd = tmp;
			} else {
				if (!M.prog[p].live || M.prog[p].map != m)
					continue;
				for (i = 0; i < M.nfd; i++)
					if (M.fd[i].live && M.fd[i].proc == 0 && M.fd[i].prog == p)
						pfd = M.fd[i].fd;
				if (pfd < 0)
					continue;
			}
			for (s = 0; s < mm->max; s++) {
				long r = prog_run(pfd, s);
				int have = mm->slot[s] >= 0;

				if (mm->type == PA) {
					long want = have ? 100 + mm->slot[s] : 1;

					if (r == want)
						continue;
					snprintf(cls, clen, "%s", have && r == 1 ? "prog-entry-lost" :
						 !have ? "prog-flush-missing" : "prog-entry-wrong");
					snprintf(det, dlen, "map %d (id %u) slot %d: the program gets %ld, model %ld",
						 m, mm->id, s, r, want);
				} else {
					int got = r != -ENOENT;

					if (r <= -1000) {
						snprintf(cls, clen, "harness");
						snprintf(det, dlen, "BPF_PROG_TEST_RUN: %s", strerror(-r - 1000));
					} else if (got == have) {
						continue;
					} else {
						snprintf(cls, clen, "%s", have ? "perf-wrong-purge" : "perf-purge-missing");
						snprintf(det, dlen, "map %d (id %u%s) slot %d: the program gets %ld, model: %s (file %d)",
							 m, mm->id, mm->preserve ? ", preserve" : "", s, r,
							 have ? "an entry" : "empty", mm->slot[s]);
					}
				}
				if (tmp >= 0)
					close(tmp);
				return;
			}
			if (tmp >= 0)
				close(tmp);
			tmp = -1;
		}
	}
}

/* A settled point: wait for the deferred work, apply the flushes to the
 * model, then compare, polling until the kernel matches or 1 s passes.
 */
static void settle(void)
{
	char cls[64], det[256];
	double end;
	int m, s;

	wait_deferred();
	for (m = 0; m < M.nmaps; m++) {
		struct mmap *mm = &M.map[m];

		if (mm->type == PA && mm->flush_due) {
			int u = map_uref(m), fd = -1;

			/* With a user back, the flush kept every entry if it
			 * ran after the user came, and removed those of the
			 * sessions before if it ran before: ask the kernel
			 * which. Entries of the current session always stay.
			 */
			if (u)
				fd = map_get_fd_by_id(mm->id);
			for (s = 0; s < mm->max; s++)
				if (!u || (mm->sess[s] != mm->session &&
					   (fd < 0 || map_lookup_id(fd, s) == 0)))
					mm->slot[s] = -1;
			if (fd >= 0)
				close(fd);
			mm->flush_due = 0;
		}
	}
	end = now() + 1.0;
	for (;;) {
		compare(cls, sizeof(cls), det, sizeof(det));
		if (!cls[0] || now() > end)
			break;
		msleep(5);
	}
	if (cls[0])
		violation(cls, "%s", det);
	for (m = 0; m < M.nmaps; m++)
		if (!map_uref(m) && !map_nprogs(m))
			M.map[m].dead = 1;
}

/* -------------------------------------------------------- the operations */

static void say_op(int i, const struct op *o, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	printf(P "  op %d %s%s: ", i, M.win ? "  [in window] " : "", op_name[o->k]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void close_fd_model(int d, int defer)
{
	struct mfd *fd = &M.fd[d];

	fd->live = 0;
	if (fd->file >= 0)
		file_put(fd->file, defer);
	if (fd->prog >= 0 && --M.prog[fd->prog].nfds == 0)
		M.prog[fd->prog].live = 0;
}

/* Close descriptor @d for real in its process. */
static int close_fd_real(int d)
{
	struct mfd *fd = &M.fd[d];

	if (fd->proc == 0)
		return close(fd->fd);
	struct cmsg cm = { .k = OP_CLOSE, .fd = fd->fd };
	return in_proc(fd->proc, &cm);
}

static void do_window(const struct op *ops, int n, int *i);
static void exec_op(const struct op *ops, int n, int *ip);

/* Would closing @d release its file and take the last user reference
 * (prog array) or release entries it owns (perf event array)?
 */
static int close_matters(int d, int w)
{
	struct mfile *f = &M.file[M.fd[d].file];
	struct mmap *mm = &M.map[f->map];
	int s, owns = 0;

	if (f->nfds != 1)
		return 0;
	if (w == W_BEFORE_QUEUE || w == W_AFTER_QUEUE)
		return mm->type == PA && map_uref(f->map) == 1;
	for (s = 0; s < mm->max; s++)
		owns |= mm->slot[s] == M.fd[d].file;
	return mm->type == PE && (w == W_AT_RELEASE || (owns && !mm->preserve));
}

struct holder { int fd; pid_t tid; volatile int done; };

static void *holder_fn(void *arg)
{
	struct holder *h = arg;

	pin_cpu(0);
	h->tid = syscall(SYS_gettid);
	ctl->tid = h->tid;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	close(h->fd);
	h->done = 1;
	return NULL;
}

/* OP_WINDOW: close a descriptor from a thread on CPU0, held (kprobe) at
 * the window's point; run the next c ops meanwhile from CPU1; let go.
 */
static void do_window(const struct op *ops, int n, int *ip)
{
	const struct op *o = &ops[*ip];
	int w = 1 + o->a % (W_NR - 1), d, i, cnt = 0, inner = 1 + o->c % 4, file;
	int type = (w == W_BEFORE_QUEUE || w == W_AFTER_QUEUE) ? PA : PE;
	struct holder h = { 0 };
	pthread_t th;
	double end;

	/* Prefer a descriptor whose close opens the window. */
	for (i = 0; i < M.nfd; i++)
		cnt += fd_matches(i, 0, -1, type) && close_matters(i, w);
	d = -1;
	if (cnt) {
		int c = o->b % cnt;

		for (i = 0; i < M.nfd; i++)
			if (fd_matches(i, 0, -1, type) && close_matters(i, w) && !c--)
				d = i;
	} else {
		d = pick_fd(o->b, 0, -1, type);
	}
	if (d < 0) {
		say_op(*ip, o, "%s: no descriptor", win_name[w]);
		return;
	}
	file = M.fd[d].file;
	say_op(*ip, o, "%s: close fd %d (file %d, map %d), %d ops inside", win_name[w],
	       M.fd[d].fd, file, M.file[file].map, inner);
	if (!win_ok[w] || ncpus < 2) {
		close(M.fd[d].fd);
		close_fd_model(d, 0);
		if (M.map[M.file[file].map].type == PA)
			wait_deferred();
		return;
	}
	win_asked[w]++;
	ctl->release = 0;
	ctl->held = 0;
	ctl->timedout = 0;
	ctl->ns = 2000000000ull;
	ctl->tid = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ctl->want = w;
	h.fd = M.fd[d].fd;
	pin_cpu(1);
	if (pthread_create(&th, NULL, holder_fn, &h))
		fatal("pthread_create: %s", strerror(errno));
	end = now() + 3;
	while (!ctl->held && !h.done && now() < end)
		;
	ctl->want = 0;
	M.win = w;
	M.win_map = M.file[file].map;
	M.win_file = file;
	M.win_held = ctl->held == (uint32_t)w;
	win_held[w] += M.win_held;
	close_fd_model(d, M.win_held);
	/* Held before the queueing: the flush of this drop is queued when
	 * the window closes (counted then, as a lower bound).
	 */
	if (w == W_BEFORE_QUEUE && M.win_held && M.map[M.win_map].pending) {
		M.map[M.win_map].pending = 0;
		M.flushes_expected--;
	}
	for (i = 0; i < inner && *ip + 1 < n; i++) {
		(*ip)++;
		exec_op(ops, n, ip);
	}
	M.win_timedout = ctl->timedout;
	ctl->release = 1;
	pthread_join(th, NULL);
	if (M.win_timedout) {
		printf(P "note: window %s timed out before the ops inside were done: history not judged\n",
		       win_name[w]);
		M.inconclusive = 1;
	}
	if (M.win_held)
		purge_file(file);
	if (w == W_BEFORE_QUEUE && M.win_held && !M.map[M.win_map].pending)
		M.flushes_expected++;
	M.win = 0;
	M.win_held = 0;
	if (M.map[M.win_map].type == PA)
		wait_deferred();
}

/* The slot an update or delete inside a window aims at: the first the
 * released file owns if b asks for it.
 */
static int pick_slot(const struct op *o, int m)
{
	struct mmap *mm = &M.map[m];
	int s;

	if (M.win && m == M.win_map && (o->b & 0x100))
		for (s = 0; s < mm->max; s++)
			if (mm->slot[s] == M.win_file)
				return s;
	return o->b % mm->max;
}

static void exec_op(const struct op *ops, int n, int *ip)
{
	const struct op *o = &ops[*ip];
	int only = (M.win && o->win) ? M.win_map : -1;
	int proc = 0, d, m, fd, r, p, f;
	struct cmsg cm;

	memset(&cm, 0, sizeof(cm));
	if (o->proc) {
		proc = pick_proc(o->proc);
		if (proc < 0)
			proc = 0;
	}
	switch (o->k) {
	case OP_CREATE_PA:
	case OP_CREATE_PE: {
		int pe = o->k == OP_CREATE_PE, pres = pe && (o->a & 1), max = 1 + o->b % MAXSLOTS, s;

		if (M.win || M.nmaps >= MAXMAPS)
			return;
		fd = map_create(pe ? BPF_MAP_TYPE_PERF_EVENT_ARRAY : BPF_MAP_TYPE_PROG_ARRAY, 4, max,
				pres ? BPF_F_PRESERVE_ELEMS : 0);
		if (fd < 0) {
			violation("op-error", "BPF_MAP_CREATE: %s", strerror(errno));
			return;
		}
		m = M.nmaps++;
		memset(&M.map[m], 0, sizeof(M.map[m]));
		M.map[m].type = pe ? PE : PA;
		M.map[m].preserve = pres;
		M.map[m].max = max;
		M.map[m].id = obj_id(fd);
		for (s = 0; s < MAXSLOTS; s++)
			M.map[m].slot[s] = -1;
		f = new_file(m);
		new_fd(0, fd, f, -1);
		say_op(*ip, o, "map %d id %u, %d slots%s -> fd %d", m, M.map[m].id, max,
		       pres ? ", BPF_F_PRESERVE_ELEMS" : "", fd);
		return;
	}
	case OP_PIN: {
		if (M.win || M.npins >= MAXPINS)
			return;
		d = pick_fd(o->a, 0, only, -1);
		if (d < 0)
			return;
		p = M.npins;
		snprintf(M.pin[p].path, sizeof(M.pin[p].path), "%s/p%d", pindir, p);
		r = obj_pin(M.fd[d].fd, M.pin[p].path);
		say_op(*ip, o, "fd %d (map %d) at %s: %d", M.fd[d].fd, M.file[M.fd[d].file].map,
		       M.pin[p].path, r);
		if (r) {
			violation("op-error", "BPF_OBJ_PIN: %s", strerror(-r));
			return;
		}
		M.pin[p].live = 1;
		M.pin[p].map = M.file[M.fd[d].file].map;
		M.npins++;
		return;
	}
	case OP_UNLINK:
		if (M.win)
			return;
		p = pick_live(o->a, M.npins, pin_ok);
		if (p < 0)
			return;
		say_op(*ip, o, "%s (map %d)", M.pin[p].path, M.pin[p].map);
		if (unlink(M.pin[p].path)) {
			violation("op-error", "unlink %s: %s", M.pin[p].path, strerror(errno));
			return;
		}
		M.pin[p].live = 0;
		/* The pin's reference goes when its inode is freed, after RCU. */
		M.inode_frees_expected++;
		wait_count(&ctl->inode_frees, M.inode_frees_expected, have_inode_count);
		uref_dropped(M.pin[p].map);
		if (M.map[M.pin[p].map].type == PA)
			wait_deferred();
		return;
	case OP_OBJ_GET:
		p = pick_live(o->a, M.npins, pin_ok);
		if (p < 0)
			return;
		if (proc) {
			cm.k = OP_OBJ_GET;
			snprintf(cm.path, sizeof(cm.path), "%s", M.pin[p].path);
			fd = in_proc(proc, &cm);
		} else {
			fd = obj_get(M.pin[p].path);
		}
		say_op(*ip, o, "proc %d %s -> %d", proc, M.pin[p].path, fd);
		if (fd < 0) {
			violation("op-error", "BPF_OBJ_GET %s: %s", M.pin[p].path, strerror(errno));
			return;
		}
		f = new_file(M.pin[p].map);
		new_fd(proc, fd, f, -1);
		return;
	case OP_GET_BY_ID: {
		int revive;

		m = pick_live(o->a, M.nmaps, map_ok);
		if (m < 0 || !map_alive(m))
			return;
		revive = map_uref(m) == 0;
		if (proc) {
			cm.k = OP_GET_BY_ID;
			cm.a = M.map[m].id;
			fd = in_proc(proc, &cm);
		} else {
			fd = map_get_fd_by_id(M.map[m].id);
		}
		say_op(*ip, o, "proc %d map %d id %u%s -> %d", proc, m, M.map[m].id,
		       revive ? " (revival)" : "", fd);
		if (fd < 0) {
			if (!M.win_timedout)
				violation("map-freed-early", "BPF_MAP_GET_FD_BY_ID map %d id %u: %s",
					  m, M.map[m].id, strerror(errno));
			return;
		}
		if (revive)
			M.map[m].session++;
		f = new_file(m);
		new_fd(proc, fd, f, -1);
		return;
	}
	case OP_DUP:
		d = pick_fd(o->a, proc, only, -1);
		if (d < 0)
			return;
		if (proc) {
			cm.k = OP_DUP;
			cm.fd = M.fd[d].fd;
			fd = in_proc(proc, &cm);
		} else {
			fd = dup(M.fd[d].fd);
		}
		say_op(*ip, o, "proc %d fd %d -> %d", proc, M.fd[d].fd, fd);
		if (fd < 0)
			fatal("dup: %s", strerror(errno));
		new_fd(proc, fd, M.fd[d].file, -1);
		return;
	case OP_CLOSE:
		d = pick_fd(o->a, proc, only, -1);
		if (d < 0)
			return;
		f = M.fd[d].file;
		say_op(*ip, o, "proc %d fd %d (file %d, map %d)", proc, M.fd[d].fd, f, M.file[f].map);
		close_fd_real(d);
		close_fd_model(d, 0);
		if (M.map[M.file[f].map].type == PA && !M.win)
			wait_deferred();
		return;
	case OP_FORK: {
		int c[2], rs[2];
		pid_t pid;

		if (M.win)
			return;
		for (p = 1; p < MAXPROCS && M.proc[p].live; p++)
			;
		if (p == MAXPROCS)
			return;
		if (pipe(c) || pipe(rs))
			fatal("pipe: %s", strerror(errno));
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			fatal("fork: %s", strerror(errno));
		if (!pid) {
			close(c[1]);
			close(rs[0]);
			child_loop(c[0], rs[1]);
		}
		close(c[0]);
		close(rs[1]);
		M.proc[p].live = 1;
		M.proc[p].pid = pid;
		M.proc[p].cmd = c[1];
		M.proc[p].res = rs[0];
		/* The child holds every descriptor main holds. */
		for (d = 0, r = M.nfd; d < r; d++)
			if (M.fd[d].live && M.fd[d].proc == 0)
				new_fd(p, M.fd[d].fd, M.fd[d].file, M.fd[d].prog);
		say_op(*ip, o, "child %d pid %d", p, pid);
		return;
	}
	case OP_EXIT:
		if (M.win)
			return;
		p = pick_proc(o->a);
		if (p < 0)
			return;
		say_op(*ip, o, "child %d pid %d", p, M.proc[p].pid);
		cm.k = OP_EXIT;
		if (write(M.proc[p].cmd, &cm, sizeof(cm)) != sizeof(cm))
			fatal("child %d: %s", p, strerror(errno));
		waitpid(M.proc[p].pid, NULL, 0);
		close(M.proc[p].cmd);
		close(M.proc[p].res);
		M.proc[p].live = 0;
		for (d = 0; d < M.nfd; d++)
			if (M.fd[d].live && M.fd[d].proc == p)
				close_fd_model(d, 0);
		wait_deferred();
		return;
	case OP_UPDATE:
	case OP_DELETE: {
		int s, val = -1;

		d = pick_fd(o->a, proc, only, -1);
		if (d < 0)
			return;
		f = M.fd[d].file;
		m = M.file[f].map;
		s = pick_slot(o, m);
		if (o->k == OP_UPDATE) {
			val = M.map[m].type == PA ? callee_fd[o->c % NCALLEE] : event_fd[o->c % NEVENT];
			if (proc) {
				cm.k = OP_UPDATE;
				cm.fd = M.fd[d].fd;
				cm.a = s;
				cm.b = val;
				r = in_proc(proc, &cm);
			} else {
				r = map_update(M.fd[d].fd, s, val);
			}
			say_op(*ip, o, "proc %d fd %d (file %d, map %d) slot %d = %s %d: %d", proc,
			       M.fd[d].fd, f, m, s, M.map[m].type == PA ? "callee" : "event",
			       o->c % (M.map[m].type == PA ? NCALLEE : NEVENT), r);
			if (r) {
				violation("op-error", "update map %d slot %d: %s", m, s, strerror(-r));
				return;
			}
			if (M.map[m].type == PA) {
				M.map[m].slot[s] = o->c % NCALLEE;
				M.map[m].sess[s] = M.map[m].session;
			} else {
				M.map[m].slot[s] = f;
			}
		} else {
			if (proc) {
				cm.k = OP_DELETE;
				cm.fd = M.fd[d].fd;
				cm.a = s;
				r = in_proc(proc, &cm);
			} else {
				r = map_delete(M.fd[d].fd, s);
			}
			say_op(*ip, o, "proc %d fd %d (map %d) slot %d: %d", proc, M.fd[d].fd, m, s, r);
			M.map[m].slot[s] = -1;
		}
		return;
	}
	case OP_LOAD:
		if (M.win || M.nprogs >= MAXPROGS)
			return;
		d = pick_fd(o->a, 0, -1, -1);
		if (d < 0)
			return;
		m = M.file[M.fd[d].file].map;
		fd = M.map[m].type == PA ? load_pa_tester(M.fd[d].fd, 0) : load_pe_tester(M.fd[d].fd, 0);
		say_op(*ip, o, "tester of map %d -> fd %d", m, fd);
		if (fd < 0)
			fatal("cannot load a tester program: %s", strerror(errno));
		p = M.nprogs++;
		M.prog[p].live = 1;
		M.prog[p].map = m;
		M.prog[p].nfds = 0;
		new_fd(0, fd, -1, p);
		return;
	case OP_PROG_CLOSE:
		if (M.win)
			return;
		for (d = 0, r = -1, p = o->a; d < M.nfd; d++)
			if (M.fd[d].live && M.fd[d].prog >= 0) {
				r = d;
				if (p-- <= 0)
					break;
			}
		if (r < 0)
			return;
		say_op(*ip, o, "proc %d fd %d (prog of map %d)", M.fd[r].proc, M.fd[r].fd,
		       M.prog[M.fd[r].prog].map);
		close_fd_real(r);
		close_fd_model(r, 0);
		return;
	case OP_RUN:
		/* Run a tester: only checked at settled points, run here to
		 * exercise programs against changing arrays.
		 */
		for (d = 0; d < M.nfd; d++)
			if (M.fd[d].live && M.fd[d].proc == 0 && M.fd[d].prog >= 0) {
				say_op(*ip, o, "fd %d slot %u: %ld", M.fd[d].fd, o->b % MAXSLOTS,
				       prog_run(M.fd[d].fd, o->b % MAXSLOTS));
				break;
			}
		return;
	case OP_WINDOW:
		if (M.win)
			return;
		do_window(ops, n, ip);
		return;
	case OP_SETTLE:
		if (M.win)
			return;
		say_op(*ip, o, "");
		settle();
		return;
	}
}

/* Generate a history of @n ops from @seed. */
static int gen(uint64_t seed, struct op *ops, int n)
{
	static const struct { int k, w; } dist[] = {
		{ OP_CREATE_PA, 6 }, { OP_CREATE_PE, 6 }, { OP_PIN, 5 }, { OP_UNLINK, 3 },
		{ OP_OBJ_GET, 5 }, { OP_GET_BY_ID, 6 }, { OP_DUP, 3 }, { OP_CLOSE, 8 },
		{ OP_FORK, 2 }, { OP_EXIT, 2 }, { OP_UPDATE, 14 }, { OP_DELETE, 3 },
		{ OP_LOAD, 4 }, { OP_PROG_CLOSE, 4 }, { OP_RUN, 2 }, { OP_WINDOW, 8 },
		{ OP_SETTLE, 4 },
	};
	static const struct { int k, w; } wdist[] = {
		{ OP_GET_BY_ID, 8 }, { OP_UPDATE, 8 }, { OP_DELETE, 2 }, { OP_CLOSE, 4 },
		{ OP_DUP, 1 }, { OP_OBJ_GET, 2 }, { OP_RUN, 1 },
	};
	int i, j, tot = 0, wtot = 0, inner = 0;

	rng_state = seed;
	for (j = 0; j < (int)(sizeof(dist) / sizeof(dist[0])); j++)
		tot += dist[j].w;
	for (j = 0; j < (int)(sizeof(wdist) / sizeof(wdist[0])); j++)
		wtot += wdist[j].w;
	for (i = 0; i < n; i++) {
		struct op *o = &ops[i];
		int x;

		memset(o, 0, sizeof(*o));
		if (inner) {
			x = rnd(wtot);
			for (j = 0; x >= wdist[j].w; j++)
				x -= wdist[j].w;
			o->k = wdist[j].k;
			o->win = rnd(8) != 0;
			inner--;
		} else {
			x = rnd(tot);
			for (j = 0; x >= dist[j].w; j++)
				x -= dist[j].w;
			o->k = dist[j].k;
			o->win = 0;
		}
		o->proc = rnd(4) == 0 ? 1 + rnd(7) : 0;
		o->a = rnd(1 << 16);
		o->b = rnd(1 << 16);
		o->c = rnd(1 << 16);
		if (o->k == OP_WINDOW)
			inner = 1 + o->c % 4;
		/* The first ops create something to work on. */
		if (i < 2)
			o->k = i ? OP_CREATE_PE : OP_CREATE_PA;
	}
	ops[n - 1].k = OP_SETTLE;
	ops[n - 1].proc = 0;
	return n;
}

static void print_op(int i, const struct op *o)
{
	printf(P "  %3d: %s proc=%u%s a=%u b=%u c=%u\n", i, op_name[o->k], o->proc,
	       o->win ? " win" : "", o->a, o->b, o->c);
}

/* Close and remove everything of a run. */
static void cleanup(void)
{
	int i;

	for (i = 1; i < MAXPROCS; i++)
		if (M.proc[i].live) {
			kill(M.proc[i].pid, SIGKILL);
			waitpid(M.proc[i].pid, NULL, 0);
			close(M.proc[i].cmd);
			close(M.proc[i].res);
		}
	for (i = 0; i < M.nfd; i++)
		if (M.fd[i].live && M.fd[i].proc == 0)
			close(M.fd[i].fd);
	for (i = 0; i < M.npins; i++)
		if (M.pin[i].live)
			unlink(M.pin[i].path);
	rmdir(pindir);
}

static unsigned long total_ops;

/* Run a history in a fresh state: 1 if it violates the model (class in
 * vclass), 0 if not.
 */
static int run_history(const struct op *ops, int n)
{
	int i;

	memset(&M, 0, sizeof(M));
	vclass[0] = vdetail[0] = 0;
	snprintf(pindir, sizeof(pindir), "/sys/fs/bpf/fz%lu", run_no++);
	mkdir(pindir, 0700);
	M.flushes_expected = ctl->flushes;
	M.inode_frees_expected = ctl->inode_frees;
	pin_cpu(1 % ncpus);
	for (i = 0; i < n && !vclass[0]; i++) {
		exec_op(ops, n, &i);
		total_ops++;
	}
	if (!vclass[0])
		settle();
	cleanup();
	inconclusive_histories += M.inconclusive;
	return vclass[0] != 0;
}

/* ddmin-style shrinking: the shortest history that still fails with the
 * same class, each candidate run in a fresh state.
 */
static int shrink(struct op *ops, int n, const char *cls, double budget)
{
	static struct op cand[MAXOPS];
	double end = now() + budget;
	int chunk = n / 2, i, j, m, tries = 0;
	int v = verbose;

	verbose = 0;
	while (chunk >= 1 && now() < end) {
		int removed = 0;

		for (i = 0; i + chunk <= n && now() < end; ) {
			m = 0;
			for (j = 0; j < n; j++)
				if (j < i || j >= i + chunk)
					cand[m++] = ops[j];
			if (!m)
				break;
			tries++;
			if (run_history(cand, m) && !strcmp(vclass, cls)) {
				memcpy(ops, cand, m * sizeof(*ops));
				n = m;
				removed = 1;
			} else {
				i += chunk;
			}
		}
		if (!removed)
			chunk /= 2;
	}
	verbose = v;
	printf(P "shrink: %d candidate histories run%s\n", tries,
	       now() >= end ? " (time budget spent)" : "");
	return n;
}

/* ----------------------------------------------------------------- main */

static void progress(unsigned long hist, const char *tag)
{
	int w;

	printf(P "%s t=%.0fs histories=%lu ops=%lu windows held/asked:", tag, now() - t_start,
	       hist, total_ops);
	for (w = 1; w < W_NR; w++)
		if (win_ok[w])
			printf(" %s %lu/%lu", win_name[w], win_held[w], win_asked[w]);
		else
			printf(" %s off", win_name[w]);
	printf(" not-judged %lu\n", inconclusive_histories);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct op ops[MAXOPS];
	uint64_t seed = 1, hseed = 0;
	double secs = 60, next_progress;
	int nops = 32, only_one = 0, keep = 0, c, i, n;
	unsigned long hist = 0;
	static struct { char cls[64]; double first; unsigned long n; } found[32];
	int nfound = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "s:t:n:H:Wkv")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'n': nops = atoi(optarg); break;
		case 'H': hseed = strtoull(optarg, NULL, 0); only_one = 1; break;
		case 'W': no_windows = 1; break;
		case 'k': keep = 1; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECS] [-n OPS] [-H HSEED] [-W] [-k] [-v]\n", argv[0]);
			return 2;
		}
	}
	if (nops < 4)
		nops = 4;
	if (nops > MAXOPS)
		nops = MAXOPS;
	t_start = now();
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf(P "seed=%llu secs=%.0f ops/history=%d cpus=%d\n",
	       (unsigned long long)seed, secs, nops, ncpus);
	signal(SIGPIPE, SIG_IGN);
	mkdir("/sys/fs/bpf/fz", 0700);
	for (i = 0; i < NCALLEE; i++) {
		callee_fd[i] = load_callee(i);
		if (callee_fd[i] < 0)
			fatal("cannot load a callee: %s", strerror(errno));
		callee_id[i] = obj_id(callee_fd[i]);
	}
	for (i = 0; i < NEVENT; i++) {
		event_fd[i] = open_event();
		if (event_fd[i] < 0)
			fatal("perf_event_open (software, bpf-output): %s", strerror(errno));
	}
	setup_windows();

	next_progress = now() + 10;
	for (;;) {
		uint64_t hs = only_one ? hseed : mix(seed * 0x100000001b3ull + hist);

		if (!only_one && now() - t_start >= secs)
			break;
		n = gen(hs, ops, nops);
		if (run_history(ops, n)) {
			char cls[64], det[256];
			double tf = now() - t_start;

			snprintf(cls, sizeof(cls), "%s", vclass);
			snprintf(det, sizeof(det), "%s", vdetail);
			printf(P "VIOLATION seed=%llu history=%lu hseed=%llu class=%s t=%.1fs: %s\n",
			       (unsigned long long)seed, hist, (unsigned long long)hs, cls, tf, det);
			if (keep && !only_one) {
				for (i = 0; i < nfound && strcmp(found[i].cls, cls); i++)
					;
				if (i == nfound && nfound < 32) {
					snprintf(found[i].cls, sizeof(found[i].cls), "%s", cls);
					found[i].first = tf;
					nfound++;
					printf(P "FINDING class=%s first=%.1fs history=%lu hseed=%llu\n", cls,
					       tf, hist, (unsigned long long)hs);
				}
				if (i < 32)
					found[i].n++;
				hist++;
				continue;
			}
			progress(hist + 1, "at-violation");
			n = shrink(ops, n, cls, 240);
			verbose = 1;
			printf(P "shrunk history (%d ops), replayed:\n", n);
			for (i = 0; i < n; i++)
				print_op(i, &ops[i]);
			run_history(ops, n);
			printf(P "replay: %s%s%s\n", vclass[0] ? vclass : "no violation (a race: the shrunk history does not fail every time)",
			       vclass[0] ? ": " : "", vdetail);
			printf(P "reproduce: lifetime_fuzz -H %llu (make fuzz FUZZ_ARGS='-H %llu')\n",
			       (unsigned long long)hs, (unsigned long long)hs);
			printf(P "FAIL seed=%llu class=%s first-finding=%.1fs histories=%lu\n",
			       (unsigned long long)seed, cls, tf, hist + 1);
			return 1;
		}
		hist++;
		if (only_one)
			break;
		if (now() >= next_progress) {
			progress(hist, "progress");
			next_progress = now() + (now() - t_start < 60 ? 10 : 60);
		}
	}
	progress(hist, "done");
	if (nfound) {
		for (i = 0; i < nfound; i++)
			printf(P "found class=%s first=%.1fs histories=%lu\n", found[i].cls,
			       found[i].first, found[i].n);
		printf(P "FAIL seed=%llu classes=%d histories=%lu ops=%lu secs=%.0f\n",
		       (unsigned long long)seed, nfound, hist, total_ops, now() - t_start);
		return 1;
	}
	printf(P "PASS seed=%llu histories=%lu ops=%lu secs=%.0f\n", (unsigned long long)seed,
	       hist, total_ops, now() - t_start);
	return 0;
}
