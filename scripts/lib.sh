# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash disable=SC2034 # the settings are used by the scripts that source it
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KVER=${KVER:-7.3}
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/cache
# The series applied in order: for mainline (7.3) the bpf fixes, then the
# bpf-next patch on top (the tree's tag 'bpf' marks where one ends). Every
# other KVER is a stable branch: the backports of the bpf fixes and their
# tests (patches/stable/KVER), in a tree of its own (build/stable/KVER).
if [ "$KVER" = 7.3 ]; then
	STABLE=0
	KDIR=${KDIR:-$BUILD/$KVER}
	SERIES=("$TOP/patches/bpf" "$TOP/patches/bpf-next")
	MUTDIR=$TOP/mutants/$KVER
else
	STABLE=1
	KDIR=${KDIR:-$BUILD/stable/$KVER}
	SERIES=("$TOP/patches/stable/$KVER")
	# Stock fails exactly the reproducers: mutants/stable/KVER/stock.expect.
	MUTDIR=$TOP/mutants/stable/$KVER
fi
REPO=$KDIR/linux			# git tree: pristine commit + series
# The prog_tests test_progs is built with unless PROG_TESTS says. The
# stable branches leave tailcalls out: their tailcall programs need kfunc
# prototypes that Debian 12's pahole (v1.24) does not write into BTF.
# 7.3 adds the series' neighbours: upstream's tests of the paths it
# changes (array, prog array and perf event array maps, their fds, their
# iterators, libbpf's perf buffer) and test_maps (TEST_MAPS=1), so that
# make check runs every change against them (make bpf-ci: all of them).
# Not map_in_map: its first fentry program (on __x64_sys_getpgid) oopses
# stock 7.3 as this harness builds it (-Os, gcc 12; docs/ftrace-jmp.md).
# Not map_ptr: it loads a program using every map type (XDP sockets,
# cpumap, ...), which this small kernel does not have.
if [ "$KVER" = 7.3 ]; then
	DEFAULT_PROG_TESTS="pe_preserve_elems tailcalls prog_array_lifetime perf_event_array_lifetime
		perf_buffer map_init map_ops map_lookup_percpu_elem for_each
		fd_array prog_array_init percpu_array_inner_map global_data bpf_iter"
	TEST_MAPS=${TEST_MAPS:-1}
else
	DEFAULT_PROG_TESTS="pe_preserve_elems prog_array_lifetime perf_event_array_lifetime"
fi
# test_progs -t for a prog_test: all its subtests, but those of
# bpf_iter that iterate over array maps (the rest need a full kernel).
prog_test_select() {
	case $1 in
	bpf_iter) echo bpf_iter/bpf_array_map,bpf_iter/bpf_array_map_iter_fd,bpf_iter/bpf_percpu_array_map ;;
	*) echo "$1" ;;
	esac
}
export TEST_MAPS=${TEST_MAPS:-0}
# shellcheck disable=SC2034 # used by the scripts that source lib.sh
PATCHDIR=${SERIES[0]}
JOBS=${JOBS:-$(nproc)}
# ccache outlives the clone, so CI on a machine that built before is warm.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-map-lifetime-ccache}

# pinned KVER: "package version suite sha256" from kernels.tsv.
pinned() { awk -v k="$1" '$1 == k { print $2, $3, $4, $5; f = 1 } END { exit !f }' "$TOP/kernels.tsv"; }

# apt_private SUITE: a private apt configuration that reads SUITE from
# the archive this machine's Debian apt source names; updates its lists
# once. apt_private_get ARGS...: apt-get (or apt-cache for madison/policy)
# with it.
APT=$CACHE/apt
apt_opts=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o APT::Sandbox::User=root)
apt_private() {
	local suite=$1 want=main uri
	case $suite in *-security) want=security ;; esac
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		sed -n -e 's/^URIs: *//p' -e 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' |
		awk -v w="$want" '/debian-security/ { if (w == "security") { print; exit } next }
				   /debian/ { if (w == "main") { print; exit } }')
	[ -n "$uri" ] || { echo "no Debian apt source on this machine to read $suite from" >&2; return 1; }
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	local line="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	local cur
	cur=$(cat "$APT/sources.list" 2>/dev/null) || cur=
	[ "$cur" = "$line" ] && [ -f "$APT/.updated" ] && return 0
	echo "$line" > "$APT/sources.list"
	rm -f "$APT/.updated"
	apt-get "${apt_opts[@]}" update >> "$APT/log" 2>&1 && touch "$APT/.updated"
}
apt_private_get() {
	case " $* " in
	*" madison "* | *" policy "*)
		apt-cache "${apt_opts[@]}" "$@" ;;
	*)	apt-get "${apt_opts[@]}" "$@" ;;
	esac
}

# Exit codes of every entry point (run.sh, check.sh, mutants.sh, ...):
# 0 pass, 1 a test failed, 2 the harness or a build failed (die), 124 a
# guest hung.
die() { echo "error: $*" >&2; exit 2; }
say() { echo "== $*"; }

# Results, in KTAP (docs.kernel.org/dev-tools/ktap.html), for every stage:
#   tap_begin [N]      "KTAP version 1" and, when N is known, the plan
#   tap_ok DESC        "ok N DESC"
#   tap_not_ok DESC    "not ok N DESC"
#   tap_skip DESC WHY  "ok N DESC # SKIP WHY"
#   tap_result RC DESC ok when RC is 0, else not ok
#   tap_diag [LINE...] the lines (or stdin) as "# " diagnostics
#   tap_done           the plan if tap_begin had none, "pass fail skip" to
#                      $COUNTS, "N passed, N failed"; returns 1 if one failed
# A script shows other output (a child's log) only through tap_diag, so
# that every "ok"/"not ok" line in a stage's output is one of its results:
# check.sh nests them under the stage and sums the COUNTS files.
TAP_N=0 TAP_PASS=0 TAP_FAIL=0 TAP_SKIP=0 TAP_PLANNED=
tap_begin() {
	echo "KTAP version 1"
	[ -z "${1:-}" ] || { echo "1..$1"; TAP_PLANNED=$1; }
}
# A '#' in a description would start a directive: written '\#'.
tap_ok() {
	local d=$*
	TAP_N=$((TAP_N + 1)) TAP_PASS=$((TAP_PASS + 1))
	echo "ok $TAP_N ${d//#/\\#}"
}
tap_not_ok() {
	local d=$*
	TAP_N=$((TAP_N + 1)) TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_N ${d//#/\\#}"
}
tap_skip() {
	local d=$1
	TAP_N=$((TAP_N + 1)) TAP_SKIP=$((TAP_SKIP + 1))
	echo "ok $TAP_N ${d//#/\\#} # SKIP ${2:-}"
}
tap_result() { local rc=$1; shift; if [ "$rc" = 0 ]; then tap_ok "$@"; else tap_not_ok "$@"; fi; }
tap_diag() {
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; else cat; fi | sed 's/^/# /'
}
# tap_summary PASS FAIL [SKIP]: the line CI reads, always the last.
tap_summary() {
	if [ "${3:-0}" -gt 0 ]; then echo "$1 passed, $2 failed, $3 skipped"
	else echo "$1 passed, $2 failed"; fi
}
tap_done() {
	[ -n "$TAP_PLANNED" ] || echo "1..$TAP_N"
	[ -z "$TAP_PLANNED" ] || [ "$TAP_PLANNED" = "$TAP_N" ] ||
		echo "# planned $TAP_PLANNED checks, ran $TAP_N"
	echo "$TAP_PASS $TAP_FAIL $TAP_SKIP" > "${COUNTS:-/dev/null}"
	tap_summary "$TAP_PASS" "$TAP_FAIL" "$TAP_SKIP"
	[ "$TAP_FAIL" = 0 ]
}

# accel [KERNEL]: the QEMU accelerator, for the run header and boot.sh.
# ACCEL set by hand wins. Else KVM when /dev/kvm works: a probe boots
# KERNEL under KVM without an initramfs and wants its "Kernel panic" (no
# root) within 30 s; the answer is kept per QEMU version and host kernel
# in build/kvm-probe. Else TCG with TCG_THREAD (multi; single for guests
# that poke running JITed callers, docs/int3.md). Sets ACCEL, ACCEL_WHY.
# shellcheck disable=SC2034 # ACCEL_WHY: for the callers' run header
accel() {
	ACCEL_WHY=
	if [ -n "${ACCEL:-}" ]; then ACCEL_WHY="ACCEL=$ACCEL"; return 0; fi
	local tcg=tcg,thread=${TCG_THREAD:-multi} probe=$BUILD/kvm-probe key out err
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		ACCEL=$tcg ACCEL_WHY="no usable /dev/kvm"; return 0
	fi
	local qv host cached
	qv=$(qemu-system-x86_64 --version 2>/dev/null | head -n 1) || qv=
	host=$(uname -r)
	key="$qv; host $host"
	cached=$(head -n 1 "$probe" 2>/dev/null) || cached=
	if [ "$cached" != "$key" ]; then
		if [ -z "${1:-}" ] || [ ! -f "$1" ]; then
			ACCEL=$tcg ACCEL_WHY="KVM not probed yet (no kernel)"; return 0
		fi
		out=$(timeout -k 2 30 qemu-system-x86_64 -accel kvm -cpu max -smp 2 -m 256 \
			-kernel "$1" -append "console=ttyS0 panic=-1" -display none \
			-serial stdio -monitor none -nodefaults -no-reboot < /dev/null 2>&1) || true
		if printf '%s\n' "$out" | grep -q 'Kernel panic'; then
			err=
		else
			err=$(printf '%s\n' "$out" | tr -d '\r' | grep -m1 -iE 'error|fail|kvm' ||
				echo "no kernel output within 30 s")
		fi
		mkdir -p "$BUILD"
		printf '%s\n%s\n' "$key" "$err" > "$probe"
	fi
	err=$(sed -n 2p "$probe")
	if [ -z "$err" ]; then ACCEL=kvm ACCEL_WHY="/dev/kvm works"
	else ACCEL=$tcg ACCEL_WHY="KVM failed: ${err#qemu-system-x86_64: }"; fi
}
accel_name() { case $ACCEL in kvm*) echo KVM ;; *) echo "TCG (${ACCEL#tcg,})" ;; esac; }

# The series file: names relative to its folder, '#' comments allowed.
series_list() {
	local f=$1/series
	[ -f "$f" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$f"
}

# series_stamp DIR: a hash of the series and its patches.
series_stamp() {
	(series_list "$1"; series_list "$1" | while read -r p; do
		cat "$1/$p" 2> /dev/null; done) | sha1sum | cut -c1-40
}

# Git with a fixed identity: the harness commits only the pristine source.
kgit() {
	git -C "$REPO" -c user.name="map lifetime harness" \
		-c user.email="harness@invalid" -c advice.detachedHead=false "$@"
}

# apply_series TREE DIR: git am every patch of DIR/series onto TREE's HEAD.
# A patch that does not apply aborts the am and ends the run with one line
# naming the patch and where it failed.
apply_series() {
	local tree=$1 dir=$2 p out where n=0 list
	list=$(series_list "$dir")
	while read -r p; do
		[ -n "$p" ] || continue
		[ -f "$dir/$p" ] || die "series names $p, which is not in ${dir#"$TOP"/}/"
		if ! out=$(git -C "$tree" -c user.name=harness -c user.email=harness@invalid \
				am -q --keep-cr "$dir/$p" 2>&1); then
			git -C "$tree" am --abort > /dev/null 2>&1 || true
			where=$(printf '%s\n' "$out" | sed -n \
				-e 's/^error: patch failed: \(.*\)$/hunk at \1/p' \
				-e 's/^error: \(.*\): does not exist in index$/\1 (no such file)/p' \
				-e 's/^error: \(.*\): already exists in working directory$/\1 (already exists)/p' |
				head -n 1)
			[ -n "$where" ] || where=$(printf '%s\n' "$out" | grep -m1 -i -e error -e fatal) || true
			die "patch $p does not apply: $where"
		fi
		n=$((n + 1))
	done <<< "$list"
	echo "$n"
}

# guest_root ROOT PROGRAM...: a minimal guest for one static test program
# (fuzz.sh, poke-stress.sh): busybox, the programs in /bin, and an init
# that mounts proc, sys, dev, bpf, tracefs and debugfs and enables the
# JIT. The caller appends the rest of ROOT/init, then guest_pack.
guest_root() {
	local root=$1 p; shift
	mkdir -p "$root"/{bin,dev,proc,sys,tmp}
	cp /bin/busybox "$root/bin/busybox"
	for p in "$@"; do cp "$p" "$root/bin/"; done
	cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 1 > /proc/sys/net/core/bpf_jit_enable 2>/dev/null
EOF
}
# guest_pack ROOT INITRD: the cpio archive of ROOT, gzipped.
guest_pack() {
	chmod +x "$1/init"
	(cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"
}
