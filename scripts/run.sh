#!/bin/bash
# One run: source, tree, kernel, tests, initramfs, QEMU, verdict.
#   KVER=7.3|6.12|6.1  BASE=patched|stock|mutant-NAME  DEBUG=1  SMP=2
#   ARGS=... (selftest arguments)  REPEAT=1 (rounds)
#   PROG_TESTS="a b" (7.3: the prog_tests test_progs is built with)
# For work outside the series tree: KSRC=dir (kernel source; built in
# KOBJ=dir, default KSRC/obj), TESTSRC=dir (tree whose selftests are built)
# and OUT=dir (tests, initramfs and console log; default KOBJ/run).
# Every kernel is built in obj/ inside its source tree: kbuild then uses
# relative paths, so ccache serves the stock and mutant trees the objects
# of every file they share with the series tree.
. "$(dirname "$0")/lib.sh"
BASE=${BASE:-patched}
# The benchmarks run with 'make bench' or ARGS=all, not by default.
default_args="-F perf_event_array_bench"
# 7.3 runs upstream test_progs built with only the prog_tests of
# PROG_TESTS (missing ones are left out); by default it runs them all.
# The stable branches leave tailcalls out: their tailcall programs need
# kfunc prototypes that Debian 12's pahole (v1.24) does not write into BTF.
if [ "$KVER" = 7.3 ]; then
	export PROG_TESTS=${PROG_TESTS:-pe_preserve_elems tailcalls prog_array_lifetime perf_event_array_lifetime perf_event_array_release}
elif [ "$TEST_PROGS" = 1 ]; then
	export PROG_TESTS=${PROG_TESTS:-pe_preserve_elems prog_array_lifetime perf_event_array_lifetime}
fi
[ "$TEST_PROGS" = 0 ] || default_args="-t ${PROG_TESTS// /,}"
ARGS=${ARGS:-$default_args}
[ "$ARGS" != all ] || ARGS=
export ARGS
t0=$(date +%s)
stage() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }

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
# 7.3 runs upstream test_progs, which needs a kernel with BTF.
# SMOKE_ONLY (bisect-check) boots the smoke test only: no BTF needed.
[ "$TEST_PROGS" = 0 ] || [ "${SMOKE_ONLY:-0}" = 1 ] || frags+=("$TOP/configs/btf.config")
if [ "${DEBUG:-0}" = 1 ]; then
	frags+=("$TOP/configs/debug.config")
	obj=$obj-debug
	export CMDLINE="${CMDLINE:-} kmemleak=on"
fi
out=${OUT:-$obj/run}
stage "linux-source-$KVER $("$TOP/scripts/version.sh" "$src") base=$BASE debug=${DEBUG:-0} smp=${SMP:-2} ($(series_list "$PATCHDIR" | wc -l) patches in series)"

# A first stock or mutant build starts from the series tree's build.
seed=$REPO/${obj#"$src"/}
if [ "$src" != "$REPO" ] && [ -z "${KSRC:-}${KOBJ:-}" ] && [ ! -e "$obj" ] &&
	[ -f "$seed/.built" ]; then
	stage "kernel: seeding $obj from $seed"
	"$TOP/scripts/seed-obj.sh" "$src" "$seed" "$obj"
fi
mkdir -p "$out"
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
if [ "$TEST_PROGS" = 1 ] && [ "$TESTSRC" = "$REPO" ] && [ -f "$REPO/obj/vmlinux" ]; then
	tests=$REPO/obj/run/tests tobj=$REPO/obj
fi
mkdir -p "$tests"
(flock 8; "$TOP/scripts/tests.sh" "$TESTSRC" "$tests" "$tobj"
 "$TOP/scripts/initramfs.sh" "$tests/bin" "$out/initramfs.cpio.gz") 8> "$tests/.lock"
stage "boot: qemu-system-x86_64 -smp ${SMP:-2} (TCG)"
b0=$(date +%s)
"$TOP/scripts/boot.sh" "$obj/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" "$out/console.log"
stage "verdict: boot to verdict $(( $(date +%s) - b0 ))s, console in $out/console.log"
"$TOP/scripts/verdict.sh" "$out/console.log" "${COUNTS:-$out/counts}"
