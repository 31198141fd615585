#!/bin/bash
# bpf-ci-kernel.sh SRC OBJ: the kernel BPF CI boots, built in OBJ from
# SRC: tools/testing/selftests/bpf/config + config.vm + config.$ARCH,
# then olddefconfig, as vmtest.sh does (-O2, lockdep, DWARF4, modules).
# BPFCI_ARCH x86_64 (default) or arm64; BPFCI_LLVM=1: clang-22, ld.lld-22.
# Incremental: the config is remade only when a fragment changed.
. "$(dirname "$0")/lib.sh"
src=$(realpath "$1")
obj=$(realpath -m "$2")
arch=${BPFCI_ARCH:-x86_64}
case $arch in
x86_64) karch=x86 img=arch/x86/boot/bzImage cross= ;;
arm64) karch=arm64 img=arch/arm64/boot/Image cross=aarch64-linux-gnu- ;;
*) die "BPFCI_ARCH=$arch: not one of x86_64 arm64" ;;
esac
frag=$src/tools/testing/selftests/bpf
plat=$arch; [ "$arch" != arm64 ] || plat=aarch64
mkdir -p "$obj"
exec 9> "$obj/.lock"
flock 9
export CCACHE_BASEDIR=$BUILD CCACHE_DEPEND=1 CCACHE_NOHASHDIR=1
if [ "${BPFCI_LLVM:-0}" = 1 ]; then
	# LLVM=-22: clang-22, ld.lld-22, llvm-ar-22, ... (Documentation/kbuild/llvm.rst)
	tc=(LLVM=-22 CC="ccache clang-22")
else
	tc=(CROSS_COMPILE="$cross" CC="ccache ${cross}gcc")
fi
kmake() { make -C "$src" O="$obj" ARCH="$karch" "${tc[@]}" HOSTCC="ccache gcc" -j"$JOBS" "$@"; }

want=$(cat "$frag/config" "$frag/config.vm" "$frag/config.$plat" | sha1sum | cut -c1-40)
have=$(cat "$obj/.fragments" 2>/dev/null) || have=
if [ "$have" != "$want" ] || [ ! -f "$obj/.config" ]; then
	cat "$frag/config" "$frag/config.vm" "$frag/config.$plat" > "$obj/.config"
	kmake olddefconfig > "$obj/config.log" 2>&1 || die "olddefconfig failed: see $obj/config.log"
	echo "$want" > "$obj/.fragments"
fi
# The image, the modules (test_kmods builds against this tree), and the
# kernel's own tools the selftests Makefile would otherwise build again.
if ! kmake all > "$obj/build.log" 2>&1; then
	grep -E 'error|Error' "$obj/build.log" | head -n 20 >&2
	die "kernel build failed in $src: see $obj/build.log"
fi
ls "$obj/$img"
