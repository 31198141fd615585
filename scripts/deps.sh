#!/bin/bash
# Install the Debian packages the harness needs; say in one line what
# could not be had.
. "$(dirname "$0")/lib.sh"

pkgs="make gcc flex bison bc libelf-dev libssl-dev zlib1g-dev libzstd-dev
      ccache qemu-system-x86 busybox-static cpio gzip xz-utils git perl
      python3 python3-docutils python3-ply python3-git shellcheck"
# 7.3: a BTF kernel (pahole) and upstream test_progs (clang, llvm-strip,
# rsync for the selftests copy, openssl for its signing key).
[ "$KVER" != 7.3 ] || pkgs="$pkgs dwarves clang-16 llvm-16 rsync openssl pkg-config libcap-dev"
# make bpf-ci: BPF CI's toolchains and the programs its selftests run in
# the guest (whose root is the host's /).
[ "${BPF_CI:-0}" != 1 ] || pkgs="$pkgs dwarves clang-22 llvm-22 lld-22 gcc-aarch64-linux-gnu
	qemu-system-arm rsync openssl pkg-config libcap-dev iproute2 iputils-ping ethtool
	iptables keyutils strace binutils netcat-openbsd"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

uid=$(id -u)
[ "$uid" = 0 ] || die "missing packages:$missing (run as root to install them)"
say "installing:$missing"
mkdir -p "$BUILD"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >"$BUILD/apt.log" 2>&1; then
	apt-get update -q >>"$BUILD/apt.log" 2>&1 || true
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >>"$BUILD/apt.log" 2>&1 ||
		die "could not install:$missing (see $BUILD/apt.log)"
fi
