#!/bin/bash
# The harness's own checks: a series that cannot be applied stops the run
# with one line naming the patch and where it failed.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The patches below touch one file: a scratch repository holding the
# pristine arraymap.c is enough, where a worktree of the kernel tree would
# check out 90,000 files.
wt=$tmp/tree
mkdir -p "$wt/kernel/bpf"
kgit show pristine:kernel/bpf/arraymap.c > "$wt/kernel/bpf/arraymap.c"
git -C "$wt" init -q
git -C "$wt" add -A
git -C "$wt" -c user.name=harness -c user.email=harness@invalid commit -q -m pristine

# broken_patch SUBJECT FILE: a one-hunk patch of FILE whose context is not there.
broken_patch() {
	cat <<PATCH
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: harness <harness@invalid>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] $1

---
 $2 | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/$2 b/$2
--- a/$2
+++ b/$2
@@ -10,3 +10,3 @@
 this line is not in the file
-nor is this one
+so the hunk fails
 and neither is this
PATCH
}

pass=0 fail=0 n=0
# expect WHAT SERIES-ENTRY LINE: applying a series of that one entry must
# fail with exactly LINE.
expect() {
	local out rc=0
	n=$((n + 1))
	echo "$2" > "$tmp/p/series"
	out=$( (apply_series "$wt" "$tmp/p") 2>&1) || rc=$?
	if [ "$rc" != 0 ] && [ "$out" = "$3" ]; then
		echo "ok $n harness: $1 -> one line: $out"; pass=$((pass + 1))
	else
		echo "not ok $n harness: $1 gave (exit $rc):"
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "# expected: $3"; fail=$((fail + 1))
	fi
}
mkdir -p "$tmp/p"
broken_patch "broken: context that is not in the tree" kernel/bpf/arraymap.c > "$tmp/p/0001-broken.patch"
broken_patch "broken: a file that is not in the tree" kernel/bpf/nosuchfile.c > "$tmp/p/0002-nofile.patch"
expect "failed hunk" 0001-broken.patch \
	"error: patch 0001-broken.patch does not apply: hunk at kernel/bpf/arraymap.c:10"
expect "missing file" 0002-nofile.patch \
	"error: patch 0002-nofile.patch does not apply: kernel/bpf/nosuchfile.c (no such file)"
expect "missing patch" 0003-gone.patch \
	"error: series names 0003-gone.patch, which is not in ${tmp#"$TOP"/}/p/"
# A failed series leaves the tree as it was: no commit, no change, no
# git am in progress.
n=$((n + 1))
if [ "$(git -C "$wt" rev-list --count HEAD)" = 1 ] && [ -z "$(git -C "$wt" status --porcelain)" ] &&
   [ ! -e "$wt/.git/rebase-apply" ]; then
	echo "ok $n harness: the tree is left as it was"; pass=$((pass + 1))
else
	echo "not ok $n harness: a failed series left the tree changed"; fail=$((fail + 1))
fi
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
