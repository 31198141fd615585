#!/bin/bash
# verdict.sh LOG COUNTS [FAILED]: turn the guest console into a verdict, in
# KTAP: one numbered result per test (numbered once across all the guest's
# programs and rounds), every kernel report found in dmesg as a failure,
# then "N passed, N failed". Writes "pass fail skip" to COUNTS and the
# failed-test list to FAILED (default: FAILED beside LOG), one line each:
# "test NAME" for a failed test or subtest, "other WHY" for a failure no
# test owns (kernel report, hang, missing result). make mutants reads it.
# Exit: 0 all passed, 1 a test failed, 124 the guest hung.
# Kselftest programs print TAP; test_progs prints "#N/M test/sub:RESULT"
# per subtest and "#N test:RESULT" per test (RESULT: OK, SKIP, FAIL, "OK
# (SKIP: a/b)"). Each subtest, and each test without subtests, counts once;
# after "All error logs:" test_progs repeats the failed ones: not counted.
# 5.10's test_progs names a subtest without its test ("#N/M sub:RESULT")
# and prints the test's line after them: its subtests are counted then,
# as "test/sub"; it prints a skipped subtest as OK (its Summary line,
# shown as a diagnostic, counts the skips).
. "$(dirname "$0")/lib.sh"
log=$1 counts=$2 failed=${3:-$(dirname "$1")/failed}
rc=0
tr -d '\r' < "$log" | awk -v counts="$counts" -v failed="$failed" '
function out(s) { lines[++nl] = s }
function diag(s) { out("# " s) }
function esc(s) { gsub(/#/, "\\#", s); return s }
function result(ok, name, rest, directive) {
	nres++
	out((ok ? "ok " : "not ok ") nres " " esc(name rest) directive)
}
function fail(why, detail) {	# a failure no single test owns
	result(0, why, "", ""); nfail++
	print "other " why > failed
	if (detail != "") diag(detail)
}
function tally(res, what) {	# one test_progs result: OK, SKIP..., FAIL...
	if (res ~ /^FAIL/) { result(0, what, "", ""); nfail++; failed_here = 1; print "test " what > failed }
	else if (res ~ /^SKIP/) { result(1, what, "", " # SKIP" substr(res, 5)); nskip++ }
	else { result(1, what, "", ""); npass++ }
}
BEGIN { printf "" > failed }
{ tail[NR % 40] = $0 }
/^lifetime-done/ { done = 1; next }
/^lifetime-hung/ { hung = $0; next }
/^lifetime-run: / {
	intest = 1; plan = -1; seen = 0; name = $2; diag($0)
	tp = name == "test_progs"; errlogs = 0; summary = ""
	split("", hassub); split("", subfail); split("", pend)
	next
}
/^lifetime-exit: / {
	intest = 0
	for (k in pend) { n = split(pend[k], ps, "\n"); for (i = 1; i <= n; i++) { split(ps[i], pr, "\t"); tally(pr[2], pr[1]) } }
	split("", pend)
	if (plan >= 0 && seen < plan)
		fail(name ": " (plan - seen) " of " plan " tests gave no result")
	else if (tp && summary == "")
		fail(name ": ended (exit " $3 ") without its Summary line")
	else if ($3 != 0 && !failed_here)
		fail(name ": exited with " $3 " but reported no failure")
	else if (tp)
		diag(summary)
	failed_here = 0
	next
}
intest && tp && /^Summary: / { summary = $0; next }
intest && tp && /^All error logs:/ { errlogs = 1; next }
intest && tp && errlogs { next }
intest && tp && /^#[0-9]+\/[0-9]+ +.*:(OK|SKIP|FAIL)$/ {
	num = substr($1, 2); sub(/\/.*/, "", num); hassub[num] = 1
	res = $0; sub(/.*:/, "", res)
	what = $0; sub(/^#[^ ]+ +/, "", what); sub(/:[A-Z]+$/, "", what)
	if (res == "FAIL") subfail[num] = 1
	if (what !~ /\//) { pend[num] = pend[num] (pend[num] == "" ? "" : "\n") what "\t" res; next }
	tally(res, what)
	next
}
intest && tp && /^#[0-9]+ +[^ ]+:(OK|SKIP|FAIL)/ {
	num = substr($1, 2); what = $2; sub(/:.*/, "", what)
	res = $0; sub(/^#[0-9]+ +[^:]+:/, "", res)
	if (num in pend) {
		n = split(pend[num], ps, "\n")
		for (i = 1; i <= n; i++) { split(ps[i], pr, "\t"); tally(pr[2], what "/" pr[1]) }
		delete pend[num]
	}
	if (!hassub[num]) tally(res, what)
	else if (res ~ /^FAIL/ && !subfail[num]) fail(what ": failed outside its subtests")
	next
}
intest && tp { if (NF) diag($0); next }
/^lifetime-dmesg-begin/ { indmesg = 1; next }
/^lifetime-dmesg-end/ { indmesg = 0; next }
intest && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
intest && /^(not )?ok [0-9]+/ {	# kselftest TAP: renumbered
	seen++
	line = $0; isnot = $1 == "not"
	sub(/^(not )?ok [0-9]+ */, "", line)
	d = ""
	if (match(line, / # *(SKIP|skip|TODO|todo).*/)) { d = substr(line, RSTART); line = substr(line, 1, RSTART - 1) }
	t = line; sub(/ .*/, "", t)
	if (isnot) { nfail++; failed_here = 1; print "test " t > failed }
	else if (d ~ /SKIP|skip/) nskip++
	else npass++
	result(!isnot, line, "", d)
	next
}
intest && /^#/ { out($0); next }
intest && NF { diag($0); next }
indmesg && /BUG:|WARNING:|Oops|unreferenced object|suspected memory leak|circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|detected stalls? on CPU|self-detected stall|soft lockup|blocked for more than|Kernel panic|general protection fault|UBSAN:/ {
	reports = reports (reports == "" ? "" : "\n") $0
}
END {
	if (reports != "") fail("kernel reports in dmesg", reports)
	if (!done) {
		t = ""
		for (i = NR - 39; i <= NR; i++) if (i > 0) t = t (t == "" ? "" : "\n") "console: " tail[i % 40]
		fail(hung != "" ? hung : "guest stopped before the tests finished (panic?)", t)
	}
	if (npass + nfail + nskip == 0) fail("no test ran")
	print "KTAP version 1"
	print "1.." nres
	for (i = 1; i <= nl; i++) {
		n = split(lines[i], parts, "\n")
		for (j = 1; j <= n; j++) print (j > 1 ? "# " : "") parts[j]
	}
	printf "%d %d %d\n", npass, nfail, nskip > counts
	exit hung != "" ? 124 : nfail > 0
}' || rc=$?
read -r p f s < "$counts" || true
tap_summary "${p:-0}" "${f:-1}" "${s:-0}"
exit "$rc"
