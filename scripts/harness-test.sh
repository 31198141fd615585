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

tap_begin
# expect WHAT SERIES-ENTRY LINE: applying a series of that one entry must
# fail with exactly LINE.
expect() {
	local out rc=0
	echo "$2" > "$tmp/p/series"
	out=$( (apply_series "$wt" "$tmp/p") 2>&1) || rc=$?
	if [ "$rc" != 0 ] && [ "$out" = "$3" ]; then
		tap_ok "harness: $1 -> one line: $out"
	else
		tap_diag "$out" "expected: $3"
		tap_not_ok "harness: $1 gave (exit $rc)"
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
commits=$(git -C "$wt" rev-list --count HEAD)
changes=$(git -C "$wt" status --porcelain)
if [ "$commits" = 1 ] && [ -z "$changes" ] && [ ! -e "$wt/.git/rebase-apply" ]; then
	tap_ok "harness: the tree is left as it was"
else
	tap_not_ok "harness: a failed series left the tree changed"
fi

# Verdicts: a console log of each kind gives its exit code, its
# failed-test list and valid KTAP (scripts/ktap-check.py).
console() {	# console KIND: a guest console log (KIND: pass, fail, hung)
	echo "lifetime-guest: 7.3.0-rc7 cpus=2"
	printf '%s\n' "lifetime-run: smoke" "TAP version 13" "1..1" "ok 1 global.smoke" "lifetime-exit: smoke 0"
	echo "lifetime-run: test_progs -t a,b"
	echo "#1/1 a/one:OK"
	if [ "$1" = fail ]; then echo "#1/2 a/two:FAIL"; echo "#1 a:FAIL"; else echo "#1/2 a/two:OK"; echo "#1 a:OK"; fi
	echo "#2 b:SKIP"
	[ "$1" != hung ] || { echo "lifetime-hung: no verdict within 900s"; return 0; }
	echo "Summary: 1/2 PASSED, 1 SKIPPED, 0 FAILED"
	local rc=0
	[ "$1" != fail ] || rc=1
	echo "lifetime-exit: test_progs $rc"
	printf '%s\n' lifetime-dmesg-begin "[    1.0] Linux version 7.3" lifetime-dmesg-end lifetime-done
}
for kind in pass:0:3:: fail:1:2:a/two hung:124:3:; do
	IFS=: read -r k want_rc npass want_failed _ <<< "$kind"
	console "$k" > "$tmp/$k.log"
	rc=0
	"$TOP/scripts/verdict.sh" "$tmp/$k.log" "$tmp/$k.counts" "$tmp/$k.failed" > "$tmp/$k.out" 2>&1 || rc=$?
	got_failed=$(sed -n 's/^test //p' "$tmp/$k.failed" | paste -sd,)
	read -r p _ < "$tmp/$k.counts" || p=
	if [ "$rc" = "$want_rc" ] && [ "$p" = "$npass" ] && [ "$got_failed" = "$want_failed" ] &&
	   ktap=$(python3 "$TOP/scripts/ktap-check.py" --strict "$tmp/$k.out" 2>&1); then
		tap_ok "verdict: a $k console -> exit $rc, $p passed, failed: ${got_failed:-none}, valid KTAP"
	else
		tap_diag < "$tmp/$k.out"
		tap_diag "${ktap:-}"
		tap_not_ok "verdict: a $k console gave exit $rc (want $want_rc), $p passed (want $npass), failed '${got_failed}' (want '$want_failed')"
	fi
done

# make check's own output: every kind of stage (results, a failure, no
# output, a harness failure, a hang) gives valid KTAP, a final line that
# matches the results, and exit 2 (the worst). Broken copies are refused.
rc=0
CHECK_STAGES=selftest CHECK_OUT=$tmp/check \
	"$TOP/scripts/check.sh" > "$tmp/check.out" 2>&1 || rc=$?
last=$(tail -n 1 "$tmp/check.out")
if [ "$rc" = 2 ] && [ "$last" = "4 passed, 4 failed, 1 skipped" ] &&
   ktap=$(python3 "$TOP/scripts/ktap-check.py" --strict --summary "$tmp/check.out" 2>&1); then
	tap_ok "check.sh: every kind of stage -> valid KTAP, exit 2, '$last'"
else
	tap_diag < "$tmp/check.out"
	tap_diag "${ktap:-}"
	tap_not_ok "check.sh: selftest stages gave exit $rc, last line '$last'"
fi
bad=0
for edit in 's/^ok 3 /ok 4 /' '/^1\.\.[0-9]*$/d' 's/^    ok 1 one$/    not ok 1 one/' '$ s/^4 passed/5 passed/' 's/^# make check/make check/'; do
	sed "$edit" "$tmp/check.out" > "$tmp/bad.out"
	python3 "$TOP/scripts/ktap-check.py" --strict "$tmp/bad.out" > /dev/null 2>&1 && { tap_diag "ktap-check accepted: sed '$edit'"; bad=$((bad + 1)); }
done
tap_result "$bad" "ktap-check.py: refuses 5 broken copies of that output (numbering, plan, ok over a failed subtest, final line, a stray line)"
tap_done
