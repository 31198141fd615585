#!/bin/bash
# Each mutants/$KVER/NAME.patch brings one pre-seed bug back on top of the series.
# Its header names, on "Expect-fail:" lines, the tests that must catch it.
# A mutant is caught when exactly those tests fail and all others pass.
# mutants/$KVER/stock.expect does the same for the unpatched kernel: the series'
# reproducers must fail there, and only they.
# test_maps runs with the series only (make run, make check's tests
# stage): it takes minutes under TCG and none of the mutants' bugs is in
# a path it takes alone; the neighbours in test_progs run everywhere.
export TEST_MAPS=0
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

name_of() { local n; n=$(basename "$1" .patch); echo "${n%.expect}"; }
# MUTANTS="stock NAME...": only those (default: all of mutants/$KVER).
wanted() {
	local n
	n=$(name_of "$1")
	[ -z "${MUTANTS:-}" ] || [[ " $MUTANTS " == *" $n "* ]]
}
# The runs go in parallel, each in its own worktree: a guest spends most
# of a mutant run waiting for ids that never go, while the next kernel
# builds. Packages and the series tree are made first, once.
"$TOP/scripts/deps.sh"
"$TOP/scripts/tree.sh"
for m in "$MUTDIR"/*.patch "$MUTDIR"/stock.expect; do
	if [ ! -f "$m" ] || ! wanted "$m"; then continue; fi
	name=$(name_of "$m") base=mutant-$name
	[ "$name" = stock ] && base=stock
	rm -f "$KDIR/mutant-runs/$name/console.log" "$KDIR/mutant-runs/$name/failed"
	mkdir -p "$KDIR/mutant-runs/$name"
	# Kept: the run's header, kernel path and QEMU command line.
	BASE=$base OUT=$KDIR/mutant-runs/$name COUNTS=$tmp/$name.counts \
		"$TOP/scripts/run.sh" > "$KDIR/mutant-runs/$name/run.log" 2>&1 &
done
wait
tap_begin
for m in "$MUTDIR"/*.patch "$MUTDIR"/stock.expect; do
	if [ ! -f "$m" ] || ! wanted "$m"; then continue; fi
	name=$(name_of "$m")
	expect=$(sed -n 's/^Expect-fail: *//p' "$m" | tr ' ' '\n' | sed '/^$/d' | sort -u)
	nexp=$(echo "$expect" | wc -w)
	# The run's failed-test list (verdict.sh): "test NAME" per failed
	# test or subtest, "other WHY" per failure no test owns.
	list=$KDIR/mutant-runs/$name/failed
	[ -f "$list" ] || echo "other the run left no failed-test list (build failure?)" > "$list"
	got=$(sed -n 's/^test //p' "$list" | sort -u)
	ngot=$(echo "$got" | wc -w)
	others=$(grep -c '^other ' "$list") || true
	differ=$(comm -3 <(echo "$expect") <(echo "$got") | wc -l)
	what="expects $nexp to fail, $ngot failed$([ "$others" = 0 ] || echo ", +$others other"), $differ differ"
	echo "$got" | sed "/^$/d; s/^/# $name failed: /"
	if [ -n "$expect" ] && [ "$got" = "$expect" ] && [ "$others" = 0 ]; then
		tap_ok "mutant $name caught: $what"
	else
		sed 's/^other /# other failure: /' "$list" | grep '^# other' || true
		grep -E '^== (qemu command|\[[0-9]+s\] (kernel|linux-source))' "$KDIR/mutant-runs/$name/run.log" | tap_diag || true
		tail -n 30 "$KDIR/mutant-runs/$name/run.log" | tap_diag
		tap_not_ok "mutant $name MISSED: $what"
	fi
done
tap_done
