#!/bin/bash
# bpf-ci-build.sh SRC W SUITES: the whole of selftests/bpf, built by its
# own Makefile from SRC into W/selftests against W/series/vmlinux, with
# clang-22 for the BPF programs (all flavours: v3 alu32, no_alu32, cpuv4).
# Not built (README.md): test_progs-bpf_gcc (Debian 12 has no bpf-gcc),
# the LLVM disassembler and libbfd in test_progs and bpftool (SKIP_LLVM,
# SKIP_LIBBFD: no llvm-22-dev; only the JIT dump of failing verifier
# tests uses them). The DENYLIST files go beside the binaries.
# arm64: cross-built against the Debian arm64 libraries unpacked by
# bpf-ci-arm64-root.sh (not run yet: issue 26).
. "$(dirname "$0")/lib.sh"
src=$1 W=$2 suites=$3
arch=${BPFCI_ARCH:-x86_64}
out=$W/selftests
mkdir -p "$out"
unset CCACHE_BASEDIR
mk=(-C "$src/tools/testing/selftests/bpf" O="$W/series" OUTPUT="$out"
	CLANG=clang-22 LLC=llc-22 LLVM_STRIP=llvm-strip-22 LLVM_OBJCOPY=llvm-objcopy-22
	LLVM_CONFIG=llvm-config-22 SKIP_LLVM=1 SKIP_LIBBFD=1 feature-llvm=0
	HOSTCC="ccache gcc" VMLINUX_BTF="$W/series/vmlinux")
if [ "$arch" = arm64 ]; then
	sr=$BUILD/bpf-ci/arm64-root/sysroot
	mk+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		CC="ccache aarch64-linux-gnu-gcc -I$sr/usr/include -I$sr/usr/include/aarch64-linux-gnu -L$sr/usr/lib/aarch64-linux-gnu -Wl,-rpath-link=$sr/usr/lib/aarch64-linux-gnu"
		PKG_CONFIG_LIBDIR="$sr/usr/lib/aarch64-linux-gnu/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$sr")
else
	mk+=(CC="ccache gcc")
fi
t0=$SECONDS
# shellcheck disable=SC2086 # the suites are words
if ! make "${mk[@]}" -j"$JOBS" $suites > "$W/selftests.log" 2>&1; then
	grep -E 'error|Error' "$W/selftests.log" | head -n 20 >&2
	die "selftests/bpf did not build: see $W/selftests.log"
fi
cp "$src/tools/testing/selftests/bpf"/DENYLIST* "$out/"
say "selftests/bpf ($suites): $((SECONDS - t0)) s"
