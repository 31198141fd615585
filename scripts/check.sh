#!/bin/bash
# Everything CI runs. Each stage writes "pass fail skip"; the last line is
# the sum: "N passed, N failed".
. "$(dirname "$0")/lib.sh"
cdir=$(mktemp -d)
trap 'rm -rf "$cdir"' EXIT
T0=$(date +%s)
i=0
stage() {	# stage NAME COMMAND...
	local name=$1 s0 rc=0; shift
	i=$((i + 1)); s0=$(date +%s)
	echo; echo "=== stage $i: $name"
	COUNTS=$cdir/$i "$@" || rc=$?
	[ -s "$cdir/$i" ] || echo "0 1 0" > "$cdir/$i"	# died before counting
	echo "=== stage $i: $name: $(( $(date +%s) - s0 ))s, exit $rc"
	echo "$name $(( $(date +%s) - s0 ))" >> "$cdir/times"
}
# deps fails the check (one failure) when it cannot install what it needs.
stage "deps" bash -c '"$1" && echo "0 0 0" > "$COUNTS"' _ "$TOP/scripts/deps.sh"
stage "harness" "$TOP/scripts/harness-test.sh"
if [ "${CHECK_STAGES:-main}" = main ]; then
# Mainline: the bpf fixes and the bpf-next rework on 7.3-rc7.
stage "roundtrip 7.3" env KVER=7.3 "$TOP/scripts/roundtrip.sh"
stage "checkpatch 7.3" env KVER=7.3 "$TOP/scripts/checkpatch.sh"
stage "docs 7.3" env KVER=7.3 "$TOP/scripts/docs.sh"
stage "tests 7.3" env KVER=7.3 BASE=patched "$TOP/scripts/run.sh"
# The lifetime fuzzer, 45 s on the kernel just built (docs/fuzz.md).
stage "fuzz 7.3" env KVER=7.3 BASE=patched SECS=45 SEED=1 "$TOP/scripts/fuzz.sh"
# Stock 7.3-rc7 fails exactly the reproducers. The mutants, each a full
# kernel build, run in 'make mutants' (or check-stable).
stage "stock 7.3" env KVER=7.3 MUTANTS=stock "$TOP/scripts/mutants.sh"
# The emulator itself: code rewritten under a running JITed caller must
# never run stale (docs/int3.md). thread=single, as the 6.12 guest below.
stage "poke-stress" env KVER=7.3 SECS=15 "$TOP/scripts/poke-stress.sh"
# One LTS branch; the others run in 'make check-stable'.
stage "roundtrip 6.12" env KVER=6.12 "$TOP/scripts/roundtrip.sh"
stage "checkpatch 6.12" env KVER=6.12 "$TOP/scripts/checkpatch.sh"
# Its prog_array_race.stress pokes running callers: thread=single.
stage "tests 6.12" env KVER=6.12 BASE=patched ACCEL=tcg,thread=single "$TOP/scripts/run.sh"
else
stage "mutants 7.3" env KVER=7.3 "$TOP/scripts/mutants.sh"
stage "mutants 6.12" env KVER=6.12 ACCEL=tcg,thread=single "$TOP/scripts/mutants.sh"
stage "roundtrip 6.1" env KVER=6.1 "$TOP/scripts/roundtrip.sh"
stage "checkpatch 6.1" env KVER=6.1 "$TOP/scripts/checkpatch.sh"
stage "tests 6.1" env KVER=6.1 BASE=patched ACCEL=tcg,thread=single "$TOP/scripts/run.sh"
fi
echo; echo "=== stage times (s):"; column -t "$cdir/times" 2>/dev/null || cat "$cdir/times"
echo "total $(( $(date +%s) - T0 ))s"
cat "$cdir"/[0-9]* | awk '{p += $1; f += $2; s += $3}
	END { if (s) printf "%d passed, %d failed, %d skipped\n", p, f, s
	      else printf "%d passed, %d failed\n", p, f; exit f > 0 }'
