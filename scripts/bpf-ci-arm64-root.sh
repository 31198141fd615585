#!/bin/bash
# bpf-ci-arm64-root.sh DIR: what an arm64 make bpf-ci needs from Debian's
# arm64 packages (bookworm, the host's release), unpacked into DIR:
#   DIR/sysroot  headers and libraries test_progs is cross-built against
#   DIR/root     the guest's root: bash, busybox, the shared libraries
# The packages are read through the private apt configuration (lib.sh) with
# arm64 added; nothing is installed on the host. Once per DIR.
. "$(dirname "$0")/lib.sh"
dir=$1
[ ! -f "$dir/.done" ] || exit 0
dev="libelf-dev libelf1 zlib1g-dev zlib1g libzstd-dev libzstd1 libssl-dev libssl3"
run="busybox-static bash libtinfo6 libc6 libgcc-s1 libelf1 zlib1g libzstd1 libssl3 libcap2 libbpf1"
rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/sysroot" "$dir/root"
apt_opts+=(-o APT::Architectures::=amd64 -o APT::Architectures::=arm64)
rm -f "$APT/.updated"
apt_private bookworm > /dev/null || die "cannot read the bookworm package lists (see $APT/log)"
pkgs=$(for p in $dev $run; do echo "$p:arm64"; done | sort -u)
# shellcheck disable=SC2086 # package names are words
(cd "$dir/debs" && apt_private_get download $pkgs >> "$APT/log" 2>&1) ||
	die "cannot download the arm64 packages (see $APT/log)"
rm -f "$APT/.updated"	# the next apt_private reads the lists without arm64
for p in $dev; do dpkg-deb -x "$dir/debs/${p}_"*_arm64.deb "$dir/sysroot"; done
for p in $run; do dpkg-deb -x "$dir/debs/${p}_"*_arm64.deb "$dir/root"; done
# Debian 12 is merged-/usr: /bin, /lib, /sbin are links into /usr.
r=$dir/root
for d in bin lib sbin; do
	mkdir -p "$r/usr/$d"
	if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then cp -a "$r/$d/." "$r/usr/$d/" && rm -rf "${r:?}/$d"; fi
	ln -sfn "usr/$d" "$r/$d"
done
for a in sh mount umount cp mkdir ln ls cat sed grep dmesg ip sync poweroff date sleep \
	rm mv chmod uname id env tail head tr wc awk seq true false; do
	[ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/usr/bin/$a"
done
mkdir -p "$r"/{proc,sys,dev,tmp,run,mnt,root,var/tmp,etc}
echo "root:x:0:0:root:/root:/bin/bash" > "$r/etc/passwd"
echo "root:x:0:" > "$r/etc/group"
touch "$dir/.done"
