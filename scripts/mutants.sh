#!/bin/bash
# Each mutants/$KVER/NAME.patch brings one pre-seed bug back on top of the series.
# Its header names, on "Expect-fail:" lines, the tests that must catch it.
# A mutant is caught when exactly those tests fail and all others pass.
# mutants/$KVER/stock.expect does the same for the unpatched kernel: the series'
# reproducers must fail there, and only they.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 rows=
name_of() { local n; n=$(basename "$1" .patch); echo "${n%.expect}"; }
# MUTANTS="stock NAME...": only those (default: all of mutants/$KVER).
wanted() { [ -z "${MUTANTS:-}" ] || [[ " $MUTANTS " == *" $(name_of "$1") "* ]]; }
# The runs go in parallel, each in its own worktree: a guest spends most
# of a mutant run waiting for ids that never go, while the next kernel
# builds. Packages and the series tree are made first, once.
"$TOP/scripts/deps.sh"
"$TOP/scripts/tree.sh"
for m in "$MUTDIR"/*.patch "$MUTDIR"/stock.expect; do
	[ -f "$m" ] && wanted "$m" || continue
	name=$(name_of "$m") base=mutant-$name
	[ "$name" = stock ] && base=stock
	rm -f "$KDIR/mutant-runs/$name/console.log"
	BASE=$base OUT=$KDIR/mutant-runs/$name COUNTS=$tmp/$name.counts \
		"$TOP/scripts/run.sh" > "$tmp/$name.log" 2>&1 &
done
wait
for m in "$MUTDIR"/*.patch "$MUTDIR"/stock.expect; do
	[ -f "$m" ] && wanted "$m" || continue
	name=$(name_of "$m")
	expect=$(sed -n 's/^Expect-fail: *//p' "$m" | tr ' ' '\n' | sed '/^$/d' | sort -u)
	say "mutant $name: expecting $(echo "$expect" | wc -w) tests to fail"
	# The verdict's TAP: "not ok N NAME" per failed test or subtest.
	got=$(sed -n 's/^not ok [0-9][0-9]* \([^ ]*\).*/\1/p' "$tmp/$name.log" | sort -u)
	others=$(grep -c '^not ok - ' "$tmp/$name.log" || true)
	if [ -n "$expect" ] && [ "$got" = "$expect" ] && [ "$others" = 0 ]; then
		verdict=caught pass=$((pass + 1))
	else
		verdict=MISSED fail=$((fail + 1))
		tail -n 30 "$tmp/$name.log"
	fi
	rows="$rows$name|$(echo "$expect" | wc -w)|$(echo "$got" | wc -w)$( [ "$others" = 0 ] || echo " +$others other")|$(comm -3 <(echo "$expect") <(echo "$got") | wc -l)|$verdict\n"
	echo "$got" | sed "s/^/  $name failed: /"
done
printf "mutant|tests named|tests failed|differ|verdict\n$rows" | column -t -s '|'
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
