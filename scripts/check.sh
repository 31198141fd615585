#!/bin/bash
# Everything CI runs, as KTAP (docs.kernel.org/dev-tools/ktap.html): one
# plan, each stage one numbered test whose own results are nested under it
# (its other output as "# " diagnostics), then the stage times; the last
# line is the sum of the stages' COUNTS files: "N passed, N failed".
# Each stage's full output: build/check/NN-NAME.log.
#   CHECK_STAGES=main (default) | stable (make check-stable) | quick (no
#   kernel build: make check-quick)
#   CHECK_MIN_FREE_GB=15: below this much free disk the 7.3 stock and
#   mutant worktrees and builds are dropped before the stable stages.
#   V=1: each stage's output also on stderr as it comes.
# Exit: 0 pass, 1 a test failed, 2 the harness or a build failed, 124 a
# guest hung (the worst of the stages: 2, then 124, then 1). Make reports
# it as "Error N"; it is also written to build/check/exit.
. "$(dirname "$0")/lib.sh"
CHECK_OUT=${CHECK_OUT:-$BUILD/check}
# check-stable: the stable branches whose backports are run in QEMU, and
# those only built into a tree and checked.
STABLE_TESTED=${STABLE_TESTED:-7.2 6.12 6.1 5.10}
STABLE_UNTESTED=${STABLE_UNTESTED:-}
rm -rf "$CHECK_OUT"
mkdir -p "$CHECK_OUT"
T0=$(date +%s)

# The stages, in order. check.sh reads this list twice: once to count
# the stages (the plan), once to run them.
stages() {
	[ "${CHECK_STAGES:-main}" = selftest ] || stage "deps" "$TOP/scripts/deps.sh"
	case ${CHECK_STAGES:-main} in main | quick)
	stage "shellcheck" "$TOP/scripts/shellcheck.sh"
	# The harness's own test: patch errors, verdicts, make check's KTAP.
	stage "harness" "$TOP/scripts/harness-test.sh"
	esac
	case ${CHECK_STAGES:-main} in
	quick)
	stage "roundtrip 7.3" env KVER=7.3 "$TOP/scripts/roundtrip.sh"
	stage "checkpatch 7.3" env KVER=7.3 "$TOP/scripts/checkpatch.sh"
	stage "docs 7.3" env KVER=7.3 "$TOP/scripts/docs.sh"
	;;
	main)
	# Mainline: the bpf fixes and the bpf-next patch on 7.3-rc7.
	stage "roundtrip 7.3" env KVER=7.3 "$TOP/scripts/roundtrip.sh"
	stage "checkpatch 7.3" env KVER=7.3 "$TOP/scripts/checkpatch.sh"
	stage "docs 7.3" env KVER=7.3 "$TOP/scripts/docs.sh"
	stage "tests 7.3" env KVER=7.3 BASE=patched "$TOP/scripts/run.sh"
	# The lifetime fuzzer, 45 s on the kernel just built (docs/fuzz.md).
	stage "fuzz 7.3" env KVER=7.3 BASE=patched SECS=45 SEED=1 "$TOP/scripts/fuzz.sh"
	# Each mutant (mutants/7.3) is caught by exactly the tests it names,
	# and stock 7.3-rc7 fails exactly the reproducers (stock.expect).
	# Every mutant changes kernel/bpf/arraymap.c only: a small rebuild
	# of the series kernel each.
	stage "mutants 7.3" env KVER=7.3 "$TOP/scripts/mutants.sh"
	# The emulator itself: code rewritten under a running JITed caller
	# must never run stale (docs/int3.md), under TCG thread=single.
	stage "poke-stress" env KVER=7.3 SECS=15 "$TOP/scripts/poke-stress.sh"
	# The stable backports run in 'make check-stable' (6.12 was here
	# until the series' neighbours and test_maps took its time).
	;;
	stable)
	# Every stable branch: the round trip and checkpatch of the backport;
	# its tests on the patched kernel built with configs/debug.config
	# (every test passes, no kernel report); stock fails exactly the
	# reproducers (mutants/stable/KVER/stock.expect). One patched kernel,
	# the debug one, keeps a cold run within its hour: a second patched
	# kernel without the checkers would cost each branch another build
	# (make run KVER=K runs it).
	for k in $STABLE_TESTED; do
		stage "roundtrip $k stable" env KVER="$k" "$TOP/scripts/roundtrip.sh"
		stage "checkpatch $k stable" env KVER="$k" "$TOP/scripts/checkpatch.sh"
		# The matrix reads this run's failed list: none may be left
		# from an earlier run that a failed tree or build leaves alone.
		[ "$mode" != run ] || rm -f "$BUILD/stable/$k/linux/obj-debug/run/failed"
		stage "debug $k stable" env KVER="$k" BASE=patched DEBUG=1 "$TOP/scripts/run.sh"
		stage "stock $k stable" env KVER="$k" MUTANTS=stock "$TOP/scripts/mutants.sh"
		free_disk "stable/$k"
	done
	# Built into a tree and checked, not yet run.
	for k in $STABLE_UNTESTED; do
		stage "roundtrip $k stable" env KVER="$k" "$TOP/scripts/roundtrip.sh"
		stage "checkpatch $k stable" env KVER="$k" "$TOP/scripts/checkpatch.sh"
	done
	;;
	selftest)	# harness-test.sh: the KTAP of every kind of stage
	local lib=$TOP/scripts/lib.sh
	# shellcheck disable=SC2016 # expanded by the child shell
	stage "results" bash -c '. "$1"; tap_begin 2; tap_ok "one"; tap_skip "two" "not here"; tap_done' _ "$lib"
	# shellcheck disable=SC2016 # expanded by the child shell
	stage "failure" bash -c '. "$1"; tap_begin; echo "ok 9 x"; tap_ok "a # b"; tap_not_ok "c"; tap_done' _ "$lib"
	stage "silent" true
	stage "dies" bash -c 'echo "error: no such thing" >&2; exit 2'
	stage "hangs" bash -c 'echo "lifetime-hung: no verdict"; exit 124'
	;;
	*) die "CHECK_STAGES must be main, stable, quick or selftest" ;;
	esac
}

# lts KVER: a stable branch's round trip, checkpatch, tests, stock.
free_gb() { df -Pk "$BUILD" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'; }
# free_disk KVER: when the disk under build/ runs low, drop KVER's stock
# and mutant worktrees and their builds (the series tree and its build
# stay; the next stock or mutant run checks out and seeds them again).
free_disk() {
	[ "$mode" = run ] || return 0
	local k=$BUILD/$1 gb min=${CHECK_MIN_FREE_GB:-15} d
	gb=$(free_gb)
	if [ "$gb" -ge "$min" ]; then
		echo "# disk: $gb GB free under build/ (>= $min): nothing dropped"
		return 0
	fi
	for d in "$k"/stock "$k"/mutant-*; do
		[ -e "$d" ] || continue
		rm -rf "$d"
	done
	rm -rf "$k/mutant-runs" "$k/bench"
	git -C "$k/linux" worktree prune 2> /dev/null || true
	d=$(free_gb)
	echo "# disk: $gb GB free under build/ (< $min): dropped the $1 stock and mutant worktrees and builds; now $d GB free"
}

mode=count nstages=0
stage() { nstages=$((nstages + 1)); }
stages

mode=run i=0 worst=0
echo "KTAP version 1"
echo "1..$nstages"
rev=$(git -C "$TOP" describe --always --dirty 2> /dev/null) || rev='?'
host=$(uname -n)
cpus=$(nproc)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "# make check: $rev on $host, $cpus CPUs, $when, stages ${CHECK_STAGES:-main}"
stage() {	# stage NAME COMMAND...
	local name=$1 s0 rc=0 log counts p f s secs skipped=; shift
	i=$((i + 1)); s0=$(date +%s)
	log=$CHECK_OUT/$(printf %02d "$i")-${name// /-}.log
	counts=$CHECK_OUT/$i.counts
	rm -f "$counts"
	if [ "${V:-0}" = 1 ]; then
		set +o pipefail
		COUNTS=$counts "$@" < /dev/null 2>&1 | tee "$log" >&2
		rc=${PIPESTATUS[0]}
		set -o pipefail
	else
		COUNTS=$counts "$@" < /dev/null > "$log" 2>&1 || rc=$?
	fi
	secs=$(date +%s)
	secs=$((secs - s0))
	# The stage's results, renumbered, nested; its other lines as
	# diagnostics. A stage that reported nothing, or exited non-zero
	# without a failed result, gets one result for its exit status. The
	# counts are those of the nested results; a COUNTS file (tap_done)
	# that says otherwise is a harness bug, and fails the stage.
	local nested extra=
	nested=$(awk '
		/^KTAP version 1$|^TAP version 1[34]$|^1\.\.[0-9]+$/ { next }
		/^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/ { next }
		/^(not )?ok([ \t]|$)/ {
			isnot = /^not /; sub(/^(not )?ok[ \t]*([0-9]+)?[ \t]*(- )?/, "")
			print (isnot ? "not ok " : "ok ") (++n) " " $0; next
		}
		/^#/ { print; next }
		NF { print "# " $0 }' "$log") || true
	local m said=
	m=$(grep -cE '^(not )?ok ' <<< "$nested") || true
	f=$(grep -cE '^not ok ' <<< "$nested") || true
	s=$(grep -cE '^ok .* # SKIP' <<< "$nested") || true
	p=$((m - f - s))
	[ ! -f "$counts" ] || read -r said < "$counts" || true
	if [ -n "$said" ] && [ "$said" != "$p $f $s" ]; then
		extra="not ok $((m + 1)) $name: its COUNTS file says '$said', its results '$p $f $s'" f=$((f + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		extra="not ok $((m + 1)) $name exited with $rc (see ${log#"$TOP"/})" f=$((f + 1))
	elif [ "$m" = 0 ]; then
		extra="ok 1 $name" p=$((p + 1))
	fi
	[ -z "$extra" ] || m=$((m + 1))
	echo "$p $f $s" > "$counts"
	[ "$s" = 0 ] || skipped=", $s skipped"
	echo "    KTAP version 1"
	echo "    # Subtest: $name"
	echo "    1..$m"
	{ [ -z "$nested" ] || printf '%s\n' "$nested"; [ -z "$extra" ] || echo "$extra"; } | sed 's/^/    /'
	echo "# $name: ${secs}s, exit $rc, $p passed, $f failed$skipped; log ${log#"$TOP"/}"
	if [ "$rc" = 0 ] && [ "$f" = 0 ]; then echo "ok $i $name"; else echo "not ok $i $name"; fi
	if [ "$rc" = 0 ] && [ "$f" = 0 ]; then v=pass; else v=FAIL; fi
	printf '%s\t%s\n' "$name" "$v" >> "$CHECK_OUT/verdicts"
	printf '%s\t%s\n' "$name" "$secs" >> "$CHECK_OUT/times"
	case $rc in
	0) [ "$f" = 0 ] || [ "$worst" != 0 ] || worst=1 ;;
	1) [ "$worst" != 0 ] || worst=1 ;;
	124) [ "$worst" = 2 ] || worst=124 ;;
	*) worst=2 ;;
	esac
}
rm -f "$CHECK_OUT/verdicts"
stages
# check-stable: a line per stable branch.
verdict_of() { awk -F '\t' -v n="$1" '$1 == n { v = $2 } END { print (v == "" ? "not run" : v) }' "$CHECK_OUT/verdicts"; }
# The debug run's failed list (verdict.sh): "test NAME" a failed test,
# "other WHY" a kernel report, a hang or a missing result.
debug_cols() {	# debug_cols KVER: sets vt (patched tests) and vr (reports)
	local f=$BUILD/stable/$1/linux/obj-debug/run/failed v
	v=$(verdict_of "debug $1 stable")
	vt=not-run vr=not-run
	[ "$v" != "not run" ] || return 0
	# No list: the run ended before a verdict (a build failed).
	[ -f "$f" ] || { vt=FAIL; return 0; }
	vt=pass vr=none
	! grep -q '^test ' "$f" || vt=FAIL
	! grep -q '^other ' "$f" || vr=FAIL
	# A failed stage whose list names nothing: its tests did not all pass.
	[ "$v" != FAIL ] || [ "$vt$vr" != passnone ] || vt=FAIL
}
if [ "${CHECK_STAGES:-main}" = stable ]; then
	echo "# branch matrix: stock (the reproducers fail, and only they); patched, on the debug"
	echo "# kernel (every test passes; no kernel report: KASAN, KMEMLEAK, lockdep, RCU); checkpatch"
	for k in $STABLE_TESTED; do
		debug_cols "$k"
		vs=$(verdict_of "stock $k stable")
		vc=$(verdict_of "checkpatch $k stable")
		printf '#   %-5s stock %-8s patched %-8s reports %-8s checkpatch %s\n' "$k" "$vs" "$vt" "$vr" "$vc"
	done
	for k in $STABLE_UNTESTED; do
		vc=$(verdict_of "checkpatch $k stable")
		printf '#   %-5s not run in QEMU; checkpatch %s\n' "$k" "$vc"
	done
fi
echo "# stage times (s):"
column -t -s "$(printf '\t')" "$CHECK_OUT/times" | sed 's/^/#   /' || sed 's/^/#   /' "$CHECK_OUT/times"
now=$(date +%s)
used=$(du -sh "$BUILD" 2> /dev/null | cut -f1) || used='?'
gb=$(free_gb)
echo "# total $((now - T0))s; disk: $used in build/ (du -sh build), $gb GB free"
echo "# exit $worst (0 pass, 1 a test failed, 2 harness or build failure, 124 a guest hung); logs in ${CHECK_OUT#"$TOP"/}/"
echo "$worst" > "$CHECK_OUT/exit"
sums=$(cat "$CHECK_OUT"/[0-9]*.counts | awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
read -r P F S <<< "$sums"
tap_summary "$P" "$F" "$S"
exit "$worst"
