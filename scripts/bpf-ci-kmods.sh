#!/bin/bash
# bpf-ci-kmods.sh SRC KOBJ OUT: selftests/bpf's test modules (bpf_testmod
# and the others) built against the kernel in KOBJ, into OUT. A module's
# BTF is split BTF on the vmlinux it was built with: each kernel gets its
# own, put beside the shared test binaries in the guest (bpf-ci-run.sh).
. "$(dirname "$0")/lib.sh"
src=$1 kobj=$2 out=$3
arch=${BPFCI_ARCH:-x86_64}
karch=x86; [ "$arch" = x86_64 ] || karch=arm64
cross=; [ "$arch" = x86_64 ] || cross=aarch64-linux-gnu-
if [ "${BPFCI_LLVM:-0}" = 1 ]; then tc=(LLVM=-22); else tc=(CROSS_COMPILE="$cross"); fi
mkdir -p "$out"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$src/tools/testing/selftests/bpf/test_kmods/" "$out/src/"
if ! make -C "$src" O="$kobj" ARCH="$karch" "${tc[@]}" M="$out/src" -j"$JOBS" modules \
		> "$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	die "test modules did not build against $kobj: see $out/build.log"
fi
cp "$out"/src/*.ko "$out/"
