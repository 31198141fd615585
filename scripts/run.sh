#!/bin/bash
# One run: source, tree, kernel, tests, initramfs, QEMU, verdict.
#   KVER=7.3|7.2|6.12|6.1|5.10  BASE=patched|stock|mutant-NAME  DEBUG=1  SMP=2
#   ARGS=... (selftest arguments)  REPEAT=1 (rounds)
#   PROG_TESTS="a b" (the prog_tests test_progs is built with)
# For work outside the series tree: KSRC=dir (kernel source; built in
# KOBJ=dir, default KSRC/obj), TESTSRC=dir (tree whose selftests are built)
# and OUT=dir (tests, initramfs and console log; default KOBJ/run).
#   V=1: the guest console live; GUEST_SHELL=1: an interactive guest shell
#   (make shell) instead of the tests, with bpftool when it was built.
# Exit: 0 pass, 1 a test failed, 2 harness or build failure, 124 hung.
# Every kernel is built in obj/ inside its source tree: kbuild then uses
# relative paths, so ccache serves the stock and mutant trees the objects
# of every file they share with the series tree.
. "$(dirname "$0")/lib.sh"
BASE=${BASE:-patched}
# Upstream test_progs, built with only the prog_tests of PROG_TESTS
# (missing ones are left out; default: lib.sh's DEFAULT_PROG_TESTS); by
# default it runs them all.
export PROG_TESTS=${PROG_TESTS:-$DEFAULT_PROG_TESTS}
sel=
for t in $PROG_TESTS; do sel=$sel${sel:+,}$(prog_test_select "$t"); done
default_args="-t $sel"
ARGS=${ARGS:-$default_args}
[ "$ARGS" != all ] || ARGS=
export ARGS
t0=$(date +%s)
stage() { local now; now=$(date +%s); echo "== [$((now - t0))s] $*"; }

mkdir -p "$BUILD"
"$TOP/scripts/deps.sh"
"$TOP/scripts/tree.sh"
case $BASE in
patched) src=$REPO ;;
stock)	 src=$("$TOP/scripts/worktree.sh" stock pristine) ;;
mutant-*)
	 m=$MUTDIR/${BASE#mutant-}.patch
	 [ -f "$m" ] || die "no mutant $m"
	 src=$("$TOP/scripts/worktree.sh" "$BASE" series)
	 git -C "$src" apply "$m" || die "mutant $m does not apply to the series" ;;
*)	 die "BASE must be patched, stock or mutant-NAME" ;;
esac
[ -z "${KSRC:-}" ] || src=$(cd "$KSRC" && pwd)
obj=${KOBJ:-$src/obj}
TESTSRC=${TESTSRC:-$REPO}
frags=("$TOP/configs/base.config")
# test_progs needs a kernel with BTF. SMOKE_ONLY (bisect-check) boots
# the smoke test only: no BTF needed. A branch whose Kconfig needs more
# than btf.config for BTF has its configs/KVER.config (5.10).
if [ "${SMOKE_ONLY:-0}" != 1 ]; then
	frags+=("$TOP/configs/btf.config")
	[ ! -f "$TOP/configs/$KVER.config" ] || frags+=("$TOP/configs/$KVER.config")
fi
if [ "${DEBUG:-0}" = 1 ]; then
	frags+=("$TOP/configs/debug.config")
	obj=$obj-debug
	export CMDLINE="${CMDLINE:-} kmemleak=on"
fi
out=${OUT:-$obj/run}
kv=$("$TOP/scripts/version.sh" "$src") || die "no kernel Makefile in $src"
np=$(series_list "$PATCHDIR" | wc -l)
kimg=$obj/arch/x86/boot/bzImage
user_accel=${ACCEL:-}
accel "$kimg"
an=$(accel_name)
stage "linux-source-$KVER $kv base=$BASE debug=${DEBUG:-0} smp=${SMP:-2} ($np patches in series) accel: $an ($ACCEL_WHY)"

# A first stock or mutant build starts from the series tree's build.
seed=$REPO/${obj#"$src"/}
if [ "$src" != "$REPO" ] && [ -z "${KSRC:-}${KOBJ:-}" ] && [ ! -e "$obj" ] &&
	[ -f "$seed/.built" ]; then
	stage "kernel: seeding $obj from $seed"
	"$TOP/scripts/seed-obj.sh" "$src" "$seed" "$obj"
fi
mkdir -p "$out"
# No verdict of an earlier run may stand for this one (check-stable's
# matrix reads the failed list).
rm -f "$out/failed"
stage "kernel: $obj"
"$TOP/scripts/kernel.sh" "$src" "$obj" "${frags[@]}"
# The mutant lives in mutants/; the worktree goes back to the series.
case $BASE in mutant-*) git -C "$src" reset -q --hard ;; esac
stage "tests: built from $TESTSRC"
tests=$out/tests tobj=$obj
# test_progs: one test_progs serves every kernel of the series tree (stock,
# mutants, debug), built against the series kernel's BTF (CO-RE relocates
# for the others), one build at a time: make mutants runs in parallel.
# The initramfs is packed under the same lock: a run with other
# PROG_TESTS would otherwise swap test_progs between the two.
if [ "$TESTSRC" = "$REPO" ] && [ -f "$REPO/obj/vmlinux" ]; then
	tests=$REPO/obj/run/tests tobj=$REPO/obj
fi
mkdir -p "$tests"
initrd=$out/initramfs.cpio.gz log=$out/console.log
if [ "${GUEST_SHELL:-0}" = 1 ]; then
	# bpftool: the one test_progs.sh built for the skeletons.
	EXTRA_BIN=$(find "$tests" -path '*/sbin/bpftool' -type f 2>/dev/null | head -n 1) || true
	export EXTRA_BIN
	initrd=$out/shell-initramfs.cpio.gz log=$out/shell-console.log
	[ -n "$EXTRA_BIN" ] || echo "note: no bpftool built with test_progs; the shell has none" >&2
fi
(flock 8; "$TOP/scripts/tests.sh" "$TESTSRC" "$tests" "$tobj"
 "$TOP/scripts/initramfs.sh" "$tests/bin" "$initrd") 8> "$tests/.lock"
# The KVM probe needs a kernel: the first run probes with this one.
[ -n "$user_accel" ] || { unset ACCEL; accel "$kimg"; }
export ACCEL
an=$(accel_name)
stage "boot: qemu-system-x86_64 -smp ${SMP:-2}, accel: $an ($ACCEL_WHY)"
b0=$(date +%s)
"$TOP/scripts/boot.sh" "$kimg" "$initrd" "$log"
[ "${GUEST_SHELL:-0}" != 1 ] || exit 0
b1=$(date +%s)
stage "verdict: boot to verdict $((b1 - b0))s, console in $log"
rc=0
"$TOP/scripts/verdict.sh" "$log" "${COUNTS:-$out/counts}" "$out/failed" || rc=$?
exit "$rc"
