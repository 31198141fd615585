#!/bin/bash
# The documentation pages the series adds are free of docutils warnings.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
pass=0 fail=0 n=0
for f in $(kgit diff --name-only --diff-filter=A pristine..HEAD -- 'Documentation/*.rst'); do
	n=$((n + 1))
	if out=$(PATH=/usr/bin:$PATH rst2html --halt=warning --report=warning \
			"$REPO/$f" 2>&1 > /dev/null); then
		echo "ok $n docutils $f"; pass=$((pass + 1))
	else
		echo "not ok $n docutils $f"; printf '%s\n' "$out" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
