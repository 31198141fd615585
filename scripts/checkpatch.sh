#!/bin/bash
# checkpatch.pl --strict on every patch of the series. The one accepted
# finding is the missing Signed-off-by: the series awaits its submitter's.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
pass=0 fail=0 n=0
for p in $(series_list "$PATCHDIR"); do
	n=$((n + 1))
	if out=$(cd "$REPO" && ./scripts/checkpatch.pl --strict --quiet --no-summary \
			--ignore MISSING_SIGN_OFF --show-types "$PATCHDIR/$p" 2>&1) && [ -z "$out" ]; then
		echo "ok $n checkpatch $p"; pass=$((pass + 1))
	else
		echo "not ok $n checkpatch $p"; printf '%s\n' "$out" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
