#!/bin/bash
# Build and boot (smoke test) the tree after each patch of the series, so
# that every patch is known to build and boot on its own.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_begin
n=0
commits=$(kgit rev-list --reverse pristine..series)
for c in $commits; do
	n=$((n + 1))
	subj=$(kgit log -1 --format=%s "$c")
	src=$("$TOP/scripts/worktree.sh" bisect "$c")
	if KSRC=$src TESTSRC=$src SMOKE_ONLY=1 \
	   COUNTS=$tmp/counts "$TOP/scripts/run.sh" > "$KDIR/bisect-$n.log" 2>&1; then
		tap_ok "builds and boots: $subj"
	else
		tail -n 15 "$KDIR/bisect-$n.log" | tap_diag
		tap_not_ok "builds and boots: $subj"
	fi
done
tap_done
