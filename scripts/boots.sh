#!/bin/bash
# boots.sh: 'make boots BOOTS=N': the run of 'make run' (same variables),
# booted N times, each round a fresh guest; prints how often each test
# passed. The first round builds (scripts/run.sh); the others boot the
# same kernel and initramfs again. On 7.3 this is how to repeat:
# test_progs attaches kprobes again in each round of REPEAT, and
# re-registering them oopses this kernel (docs/RESULTS.md). HOG=1 runs a
# busy loop on every guest CPU beside the tests. Exits 1 if any test
# failed in any round.
. "$(dirname "$0")/lib.sh"
n=${BOOTS:-20}
[ "${HOG:-0}" = 0 ] || export CMDLINE="${CMDLINE:-} lifetime.hog=1"
dir=$BUILD/boots/$KVER-${BASE:-patched}-smp${SMP:-2}-hog${HOG:-0}
rm -rf "$dir" && mkdir -p "$dir"
echo "== $n boots: KVER=$KVER BASE=${BASE:-patched} SMP=${SMP:-2} HOG=${HOG:-0} ARGS=${ARGS:-default}; logs in $dir"
OUT=$dir/1 COUNTS=$dir/1.counts "$TOP/scripts/run.sh" > "$dir/1.log" 2>&1 || true
guest=$(sed -n 's/.* -kernel \([^ ]*\) -initrd \([^ ]*\) .*/\1 \2/p' "$dir/1.log")
read -r kernel initrd <<< "$guest"
if [ ! -f "${kernel:-}" ] || [ ! -f "${initrd:-}" ]; then
	tail -n 20 "$dir/1.log"
	die "round 1 built no guest: see $dir/1.log"
fi
for i in $(seq 1 "$n"); do
	if [ "$i" -gt 1 ]; then
		mkdir -p "$dir/$i"
		{ "$TOP/scripts/boot.sh" "$kernel" "$initrd" "$dir/$i/console.log"
		  "$TOP/scripts/verdict.sh" "$dir/$i/console.log" "$dir/$i.counts"; } > "$dir/$i.log" 2>&1 || true
	fi
	# A round without a verdict (a hang) counts as failed.
	[ -s "$dir/$i.counts" ] || echo "not ok 0 round $i: no verdict, see $dir/$i.log" >> "$dir/$i.log"
	last=$(tail -n 1 "$dir/$i.log")
	echo "== boot $i/$n: $last"
done
sed -n -e 's/^ok [0-9]* \([^ #]*\).*/\1 ok/p' -e 's/^not ok [0-9]* \(.*\)/\1 FAIL/p' "$dir"/[0-9]*.log |
	awk -v n="$n" '{ t[$1]++; if ($NF == "ok") ok[$1]++ }
	END { for (k in t) printf "%-60s %d/%d passed\n", k, ok[k], n; }' | sort
! grep -q '^not ok' "$dir"/[0-9]*.log
