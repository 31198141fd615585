#!/bin/bash
# bpf-ci.sh: selftests/bpf as BPF CI runs them, stock 7.3 against the
# series, with the same test binaries; the verdict is the differential
# (bpf-ci-diff.py). Settings (make bpf-ci passes them):
#   BPFCI_ARCH   x86_64 (default) or arm64 (scripted, not yet run)
#   BPFCI_LLVM   1: kernel built by clang-22/ld.lld-22 (BPF CI's llvm job)
#   T            test_progs names, comma-separated (default: all), as -t
#   BPFCI_SUITES test_progs test_progs-no_alu32 test_progs-cpuv4
#                test_verifier test_maps (default: all five, in this order;
#                T= implies test_progs)
#   BPFCI_KERNELS "stock series" (default), "stock" or "series"
#   BPFCI_PARALLEL 1 (default): both guests at once; 0: one, then the other
# Everything lives in build/bpf-ci/ARCH-TOOLCHAIN/.
# Exit: 0 the differential is empty, 1 it is not, 2 a build or a guest
# failed, 124 a guest hung.
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
case $kernels in "stock series" | stock | series) ;;
*) die "BPFCI_KERNELS=$kernels: valid are 'stock series' (default), stock, series" ;;
esac
# make's command line (ARCH=, LLVM=) must not reach the kernel's and the
# selftests' makes but as each script passes it.
unset MAKEFLAGS MFLAGS MAKELEVEL ARCH LLVM
start=$SECONDS
BPF_CI=1 "$TOP/scripts/deps.sh"
mkdir -p "$W"
exec 8> "$W/.lock"
flock -n 8 || die "another make bpf-ci uses $W"
[ "$arch" = x86_64 ] || bash "$TOP/scripts/bpf-ci-arm64-root.sh" "$BUILD/bpf-ci/arm64-root"

qemu=qemu-system-x86_64 kcc=gcc
[ "$arch" = x86_64 ] || qemu=qemu-system-aarch64 kcc=aarch64-linux-gnu-gcc
[ "$llvm" = 0 ] || kcc=clang-22
say "bpf-ci: $arch, kernel by $tc, suites: $suites${T:+, tests: $T}"
kv=$($kcc --version | head -n 1) || true
v="$kv; $(clang-22 --version | head -n 1)" || true
v="$v; pahole $(pahole --version)" || true
v="$v; $($qemu --version | head -n 1)" || true
say "versions: $v"
[ -d "$REPO/.git" ] || [ -f "$REPO/.git" ] || die "no tree: run make tree first"
# A worktree per architecture and toolchain: runs of two of them may go
# on at once, each with its own checkouts.
src=$(bash "$TOP/scripts/worktree.sh" "bpf-ci-src-$arch-$tc" bpf)

# Kernels. Both from one worktree: the series at the tag 'bpf', stock at
# 'pristine' in a copy of the series' build folder, so that only what the
# series changed is rebuilt. A kernel built at the commit wanted, by the
# same kernel script and compiler (its .commit), is not remade: each
# checkout would make the other rebuild. Each kernel's test modules are
# built from its own source.
ksum=$(sha1sum < "$TOP/scripts/bpf-ci-kernel.sh") || true
stamp() {	# stamp COMMIT: what a kernel built from COMMIT is
	local c
	c=$(git -C "$src" rev-parse "$1^{commit}") || die "no commit $1 in $src"
	echo "$c ${ksum:0:12} $kv"
}
kbuild() {	# kbuild NAME COMMIT
	local t0=$SECONDS want have
	want=$(stamp "$2")
	have=$(cat "$W/$1/.commit" 2> /dev/null) || have=
	git -C "$src" checkout -q --detach "$2"
	if [ "$have" = "$want" ]; then
		say "kernel $1: built at ${want:0:12}"
	else
		if [ ! -d "$W/$1" ] && [ -f "$W/series/.commit" ]; then
			rm -rf "$W/$1.tmp" && cp -a "$W/series" "$W/$1.tmp" && mv "$W/$1.tmp" "$W/$1"
		fi
		rm -f "$W/$1/.commit"
		BPFCI_ARCH=$arch BPFCI_LLVM=$llvm bash "$TOP/scripts/bpf-ci-kernel.sh" "$src" "$W/$1" > /dev/null ||
			die "$1 kernel did not build (see $W/$1/config.log and build.log)"
		echo "$want" > "$W/$1/.commit"
		say "kernel $1: $((SECONDS - t0)) s"
	fi
	BPFCI_ARCH=$arch BPFCI_LLVM=$llvm bash "$TOP/scripts/bpf-ci-kmods.sh" "$src" "$W/$1" "$W/kmods-$1" ||
		exit 2
}
kbuild series bpf
[[ " $kernels " != *" stock "* ]] || kbuild stock pristine
git -C "$src" checkout -q --detach bpf

# The selftests, once, from the series (its tests included), against the
# series' vmlinux.
BPFCI_ARCH=$arch bash "$TOP/scripts/bpf-ci-build.sh" "$src" "$W" "$suites" || exit 2

# The runs: both kernels at once (BPFCI_PARALLEL=0: one after the other),
# so that the two logs grow side by side, test by test; each guest has
# SMP (2) vCPUs. A guest that fails or hangs still leaves its logs to
# the differential (which says what did not finish).
worst=0
note_rc() {	# the worst exit code so far: 2, then 124, then 1
	case "$worst:$1" in
	2:* | *:0) ;;
	*:2) worst=2 ;;
	124:*) ;;
	*:124) worst=124 ;;
	*) worst=1 ;;
	esac
}
pids=()
for k in $kernels; do
	rm -f "$W/run-$k.out"
	if [ "${BPFCI_PARALLEL:-1}" = 1 ]; then
		BPFCI_ARCH=$arch bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$suites" > "$W/run-$k.out" 2>&1 &
		pids+=($!)
	else
		rc=0
		BPFCI_ARCH=$arch bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$suites" || rc=$?
		note_rc "$rc"
	fi
done
for p in "${pids[@]}"; do rc=0; wait "$p" || rc=$?; note_rc "$rc"; done
for k in $kernels; do [ ! -f "$W/run-$k.out" ] || cat "$W/run-$k.out"; done

# bpf-ci-diff.py: 0 empty, 1 regressions only, 3 something else (a
# reproducer, a kernel report), 2 a run missing or unfinished.
rc=0
# shellcheck disable=SC2086 # the kernels are words
python3 "$TOP/scripts/bpf-ci-diff.py" "$W" "$suites" "$MUTDIR/stock.expect" $kernels || rc=$?
# A test that passed on stock and not on the series runs again, whole, on
# both, BPFCI_RERUNS times (default 2): a regression only if it fails on
# the series again while it passes on stock (TCG makes some tests flaky).
if [ "$rc" = 1 ] && [ "$kernels" = "stock series" ]; then
	for i in $(seq "${BPFCI_RERUNS:-2}"); do
		say "re-run $i of what passed on stock only"
		again=$(awk '{ print $1 }' "$W/regressions" | sort -u | tr '\n' ' ') || true
		for s in $again; do
			sel=$(awk -v s="$s" '$1 == s { sub(/^[^ ]+ /, ""); sub(/\/.*/, ""); print }' "$W/regressions" |
				sort -u | paste -sd,) || true
			for k in stock series; do
				case $s in test_progs*) T=$sel ;; *) T= ;; esac
				r=0
				T=$T RUN_NAME=rerun$i BPFCI_ARCH=$arch bash "$TOP/scripts/bpf-ci-run.sh" "$W" "$k" "$s" || r=$?
				[ "$r" = 0 ] || { note_rc "$r"; rc=2; break 3; }
			done
		done
		rc=0
		# shellcheck disable=SC2086 # the kernels are words
		python3 "$TOP/scripts/bpf-ci-diff.py" --run rerun"$i" --only "$W/regressions" "$W" \
			"$again" "$MUTDIR/stock.expect" $kernels || rc=$?
		[ "$rc" = 1 ] || break
	done
fi
case $rc in 0) ;; 2) note_rc 2 ;; *) note_rc 1 ;; esac
say "bpf-ci: $((SECONDS - start)) s in all, exit $worst"
exit "$worst"
