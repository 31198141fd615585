// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test of the harness: the guest's kernel can create a map, load a
 * program that reads it and run that program with BPF_PROG_TEST_RUN.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <bpf/bpf.h>

#include "kselftest_harness.h"

/* 5.10's libbpf (0.2) has neither LIBBPF_OPTS() nor bpf_map_create() and
 * bpf_prog_load() with these arguments: the older names.
 */
#ifndef LIBBPF_OPTS
#define LIBBPF_OPTS DECLARE_LIBBPF_OPTS
#define bpf_map_create(type, name, key_size, value_size, max_entries, opts) \
	bpf_create_map_name(type, name, key_size, value_size, max_entries, 0)
#define bpf_prog_load(type, name, license, insns, insn_cnt, opts) \
	bpf_load_program(type, insns, insn_cnt, license, 0, NULL, 0)
#endif

TEST(map_prog_test_run)
{
	char data[64] = {};
	__u32 key = 0, val = 0x2a;
	int map_fd, prog_fd;

	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "smoke", 4, 4, 1, NULL);
	ASSERT_GE(map_fd, 0) TH_LOG("map create: %s", strerror(errno));
	ASSERT_EQ(bpf_map_update_elem(map_fd, &key, &val, BPF_ANY), 0);

	struct bpf_insn insns[] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF_LD_MAP_FD(BPF_REG_1, map_fd),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_0, 0),
		BPF_EXIT_INSN(),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "smoke", "GPL",
				insns, sizeof(insns) / sizeof(insns[0]), NULL);
	ASSERT_GE(prog_fd, 0) TH_LOG("prog load: %s", strerror(errno));

	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = data,
		.data_size_in = sizeof(data),
		.repeat = 1,
	);
	ASSERT_EQ(bpf_prog_test_run_opts(prog_fd, &topts), 0);
	EXPECT_EQ(topts.retval, 0x2a);
	close(prog_fd);
	close(map_fd);
}

TEST_HARNESS_MAIN
