#!/bin/bash
# bpf-ci.sh: selftests/bpf as BPF CI runs them, stock 7.3 against the
# series, with the same test binaries; the verdict is the differential
# (bpf-ci-diff.py). Settings (make bpf-ci passes them):
#   BPFCI_ARCH   x86_64 (default) or arm64
#   BPFCI_LLVM   1: kernel built by clang-22/ld.lld-22 (BPF CI's llvm job)
#   T            test_progs names, comma-separated (default: all), as -t
#   BPFCI_SUITES test_progs test_progs-no_alu32 test_progs-cpuv4
#                test_verifier test_maps (default: all five, in this order;
#                T= implies test_progs)
#   BPFCI_KERNELS stock series (default both, in that order)
#   BPFCI_PARALLEL 1 (default): both guests at once; 0: one, then the other
# Everything lives in build/bpf-ci/ARCH-TOOLCHAIN/.
. "$(dirname "$0")/lib.sh"
[ "$KVER" = 7.3 ] || die "KVER=$KVER: make bpf-ci runs on mainline only (KVER=7.3)"
arch=${BPFCI_ARCH:-x86_64} llvm=${BPFCI_LLVM:-0}
case $arch in x86_64 | arm64) ;; *) die "ARCH=$arch: valid are x86_64 (default) and arm64" ;; esac
case $llvm in 0 | 1) ;; *) die "LLVM=$llvm: valid are 0 (gcc, default) and 1 (clang-22)" ;; esac
tc=gcc; [ "$llvm" = 0 ] || tc=llvm
W=$BUILD/bpf-ci/$arch-$tc
suites=${BPFCI_SUITES:-test_progs test_progs-no_alu32 test_progs-cpuv4 test_verifier test_maps}
[ -z "${T:-}" ] || suites=${BPFCI_SUITES:-test_progs}
for s in $suites; do
	case $s in test_progs | test_progs-no_alu32 | test_progs-cpuv4 | test_maps | test_verifier) ;;
	*) die "suite $s: valid are test_progs test_progs-no_alu32 test_progs-cpuv4 test_maps test_verifier" ;;
	esac
done
kernels=${BPFCI_KERNELS:-stock series}
# make's command line (ARCH=, LLVM=) must not reach the kernel's and the
# selftests' makes but as each script passes it.
unset MAKEFLAGS MFLAGS MAKELEVEL ARCH LLVM
start=$SECONDS
BPF_CI=1 "$TOP/scripts/deps.sh"
mkdir -p "$W"
exec 8> "$W/.lock"
flock -n 8 || die "another make bpf-ci uses $W"

say "bpf-ci: $arch, kernel by $tc, suites: $suites${T:+, tests: $T}"
v=$(gcc --version | head -n 1) || true
v="$v; $(clang-22 --version | head -n 1)" || true
v="$v; pahole $(pahole --version)" || true
v="$v; $(qemu-system-x86_64 --version | head -n 1)" || true
say "versions: $v"
[ -d "$REPO/.git" ] || [ -f "$REPO/.git" ] || die "no tree: run make tree first"
src=$(bash "$TOP/scripts/worktree.sh" bpf-ci-src bpf)

# Kernels. Both from one worktree: the series at the tag 'bpf', stock at
# 'pristine' in a copy of the series' build folder, so that only what the
# series changed is rebuilt. A kernel built at the commit wanted (its
# .commit) is not remade: each checkout would make the other rebuild.
kbuild() {	# kbuild NAME COMMIT
	local t0=$SECONDS want have
	want=$(git -C "$src" rev-parse "$2^{commit}")
	have=$(cat "$W/$1/.commit" 2> /dev/null) || have=
	if [ "$have" = "$want" ]; then
		say "kernel $1: built at ${want:0:12}"; return 0
	fi
	[ -d "$W/$1" ] || [ ! -f "$W/series/.commit" ] || cp -a "$W/series" "$W/$1"
	git -C "$src" checkout -q --detach "$want"
	rm -f "$W/$1/.commit"
	BPFCI_ARCH=$arch BPFCI_LLVM=$llvm bash "$TOP/scripts/bpf-ci-kernel.sh" "$src" "$W/$1" > /dev/null ||
		die "$1 kernel did not build (see $W/$1/build.log)"
	echo "$want" > "$W/$1/.commit"
	say "kernel $1: $((SECONDS - t0)) s"
}
kbuild series bpf
[[ " $kernels " != *" stock "* ]] || kbuild stock pristine
git -C "$src" checkout -q --detach bpf

# The selftests, once, from the series (its tests included), against the
# series' vmlinux; bpf_testmod and the other test modules per kernel.
bash "$TOP/scripts/bpf-ci-build.sh" "$src" "$W" "$suites" || exit
for k in $kernels; do
	bash "$TOP/scripts/bpf-ci-kmods.sh" "$src" "$W/$k" "$W/kmods-$k" || exit
done

# The runs: both kernels at once (BPFCI_PARALLEL=0: one after the other),
# so that the two logs grow side by side, test by test; each guest has
# SMP (2) vCPUs.
pids=()
for k in $kernels; do
	if [ "${BPFCI_PARALLEL:-1}" = 1 ]; then
		bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$suites" > "$W/run-$k.out" 2>&1 &
		pids+=($!)
	else
		bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$suites" || exit
	fi
done
for p in "${pids[@]}"; do wait "$p" || die "a guest could not be run (see $W/run-*.out)"; done
for k in $kernels; do [ ! -f "$W/run-$k.out" ] || cat "$W/run-$k.out"; done
rc=0
# shellcheck disable=SC2086 # the kernels are words
python3 "$TOP/scripts/bpf-ci-diff.py" "$W" "$suites" "$MUTDIR/stock.expect" $kernels || rc=$?
# A test that passed on stock and not on the series runs again on both,
# BPFCI_RERUNS times (default 2): it is a regression only if it fails on
# the series again while it passes on stock (TCG makes some tests flaky).
if [ "$rc" = 1 ] && [ -s "$W/regressions" ] && [ "$kernels" = "stock series" ]; then
	for i in $(seq "${BPFCI_RERUNS:-2}"); do
		say "re-run $i of what passed on stock only"
		again=$(awk '{ print $1 }' "$W/regressions" | sort -u | tr '\n' ' ') || true
		for s in $again; do
			sel=$(awk -v s="$s" '$1 == s { sub(/^[^ ]+ /, ""); printf "%s%s", c, $0; c = "," }' "$W/regressions")
			for k in stock series; do
				case $s in test_progs*) T=$sel ;; *) T= ;; esac
				T=$T RUN_NAME=rerun$i bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$s" || exit
			done
		done
		rc=0
		# shellcheck disable=SC2086 # the kernels are words
		python3 "$TOP/scripts/bpf-ci-diff.py" --run rerun"$i" --only "$W/regressions" "$W" \
			"$again" "$MUTDIR/stock.expect" $kernels || rc=$?
		[ -s "$W/regressions" ] || { rc=0; break; }
	done
fi
say "bpf-ci: $((SECONDS - start)) s in all"
exit $rc
