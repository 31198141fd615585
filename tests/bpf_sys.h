/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw bpf(2) calls and the clock that the harness's guest programs
 * (lifetime_fuzz, bench_lifetime, poke_stress) share: static binaries
 * without libbpf. Maps have 4-byte keys. The calls that return 0 on
 * success return -errno on failure, with errno still set.
 */
#ifndef LIFETIME_BPF_SYS_H
#define LIFETIME_BPF_SYS_H

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })

static inline long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * A GPL program of type, or -1 and errno. With log (size bytes): the
 * verifier's log at level 1.
 */
static inline int prog_load(int type, const struct bpf_insn *insns, int n,
			    char *log, uint32_t size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	if (log) {
		log[0] = 0;
		a.log_buf = (uintptr_t)log;
		a.log_size = size;
		a.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* A new map's fd, or -1 and errno. */
static inline int map_create(int type, uint32_t vsize, uint32_t max, uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = 4;
	a.value_size = vsize;
	a.max_entries = max;
	a.map_flags = flags;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static inline int map_update(int fd, uint32_t key, uint32_t val)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&val;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a) ? -errno : 0;
}

static inline int map_delete(int fd, uint32_t key)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &a) ? -errno : 0;
}

/* A new struct file of map ID (its release runs at its close()), or -1. */
static inline int map_get_fd_by_id(uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_id = id;
	return sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
}

/* The id of the map or program behind fd; 0 (no id) on failure. */
static inline uint32_t obj_id(int fd)
{
	struct bpf_map_info info;	/* id is first in map and prog info */
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		return 0;
	return info.id;
}

#endif
