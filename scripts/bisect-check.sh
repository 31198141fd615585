#!/bin/bash
# Build and boot (smoke test) the tree after each patch of the series, so
# that every patch is known to build and boot on its own.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0
for c in $(kgit rev-list --reverse pristine..series); do
	n=$((n + 1))
	subj=$(kgit log -1 --format=%s "$c")
	src=$("$TOP/scripts/worktree.sh" bisect "$c")
	if KSRC=$src TESTSRC=$src SMOKE_ONLY=1 \
	   COUNTS=$tmp/counts "$TOP/scripts/run.sh" > "$KDIR/bisect-$n.log" 2>&1; then
		echo "ok $n builds and boots: $subj"; pass=$((pass + 1))
	else
		echo "not ok $n builds and boots: $subj"; tail -n 15 "$KDIR/bisect-$n.log" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
