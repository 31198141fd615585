#!/bin/bash
# initramfs.sh BINDIR OUT.cpio.gz: busybox-static, /init and the tests
# (BINDIR: programs, "list" of those to run, data files such as *.bpf.o).
# ARGS: arguments for the selftests, REPEAT: how many rounds to run.
# EXTRA_BIN: programs for the guest's /bin (make shell: bpftool).
. "$(dirname "$0")/lib.sh"
bin=$1 out=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,mnt,proc,sys,tmp,tests}
cp /bin/busybox "$root/bin/busybox"
file -b /bin/busybox 2>/dev/null | grep -q dynamic && die "/bin/busybox is not static: install busybox-static"
cp "$TOP/scripts/init" "$root/init"
chmod +x "$root/init"
cp "$bin"/* "$root/tests/"
for f in ${EXTRA_BIN:-}; do cp "$f" "$root/bin/"; done
# Dynamically linked tests (test_progs) bring their libraries and loader.
for f in "$bin"/* ${EXTRA_BIN:-}; do
	file -b "$f" | grep -q 'dynamically linked' || continue
	ldd "$f" | grep -o '/[^ ]*' | while read -r l; do
		[ -e "$root$l" ] || cp -L --parents "$l" "$root"
	done
done
# glibc's pthread_exit() and pthread_cancel() dlopen libgcc_s (test_maps).
if [ -e "$root/lib/x86_64-linux-gnu/libc.so.6" ] || [ -e "$root/usr/lib/x86_64-linux-gnu/libc.so.6" ]; then
	for l in /lib/x86_64-linux-gnu/libgcc_s.so.1 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1; do
		[ ! -e "$l" ] || [ -e "$root$l" ] || cp -L --parents "$l" "$root"
	done
fi
echo "${ARGS:-}" > "$root/tests/args"
echo "${REPEAT:-1}" > "$root/tests/repeat"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
