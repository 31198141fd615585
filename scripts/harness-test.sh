#!/bin/bash
# The harness's own checks: a patch that does not apply stops the run with
# one line naming the patch and the file and line of the failed hunk.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
wt=$("$TOP/scripts/worktree.sh" harness-test pristine)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/0001-broken.patch" <<'PATCH'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: harness <harness@invalid>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] broken: context that is not in the tree

---
 kernel/bpf/arraymap.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/kernel/bpf/arraymap.c b/kernel/bpf/arraymap.c
--- a/kernel/bpf/arraymap.c
+++ b/kernel/bpf/arraymap.c
@@ -10,3 +10,3 @@
 this line is not in arraymap.c
-nor is this one
+so the hunk fails
 and neither is this
PATCH
echo 0001-broken.patch > "$tmp/series"
out=$( (apply_series "$wt" "$tmp") 2>&1) && rc=0 || rc=$?
if [ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
   printf '%s\n' "$out" | grep -q '0001-broken.patch does not apply: hunk at kernel/bpf/arraymap.c:10'; then
	echo "ok 1 harness: broken patch -> one line: $out"; r="1 0 0"
else
	echo "not ok 1 harness: broken patch gave (exit $rc):"; printf '%s\n' "$out" | sed 's/^/# /'; r="0 1 0"
fi
echo "$r" > "${COUNTS:-/dev/null}"
[ "$r" = "1 0 0" ]
