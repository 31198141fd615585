#!/bin/bash
# verdict.sh LOG COUNTS: turn the guest console into a verdict. Prints the
# tests' TAP, every kernel report found in dmesg, and "N passed, N failed";
# writes "pass fail skip" to COUNTS. Exits 1 on any failure.
# Kselftest programs print TAP; test_progs prints "#N/M test/sub:RESULT"
# per subtest and "#N test:RESULT" per test (RESULT: OK, SKIP, FAIL, "OK
# (SKIP: a/b)"). Each subtest, and each test without subtests, counts once;
# after "All error logs:" test_progs repeats the failed ones: not counted.
. "$(dirname "$0")/lib.sh"
log=$1 counts=$2
tr -d '\r' < "$log" | awk -v counts="$counts" '
function fail(why) { print "not ok - " why; nfail++ }
function tally(res, what) {	# one test_progs result: OK, SKIP..., FAIL...
	what = (++n) " " what
	if (res ~ /^FAIL/) { print "not ok " what; nfail++; failed_here = 1 }
	else if (res ~ /^SKIP/) { print "ok " what " # SKIP" substr(res, 5); nskip++ }
	else { print "ok " what; npass++ }
}
{ tail[NR % 40] = $0 }
/^lifetime-run: / {
	intest = 1; plan = -1; seen = 0; name = $2; print
	tp = name == "test_progs"; n = 0; errlogs = 0; summary = ""
	split("", hassub); split("", subfail)
	next
}
/^lifetime-exit: / {
	intest = 0
	if (plan >= 0 && seen < plan)
		fail(name ": " (plan - seen) " of " plan " tests gave no result")
	else if (tp && summary == "")
		fail(name ": ended (exit " $3 ") without its Summary line")
	else if ($3 != 0 && !failed_here)
		fail(name ": exited with " $3 " but reported no failure")
	else if (tp)
		print "# " summary
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
	tally(res, what)
	next
}
intest && tp && /^#[0-9]+ +[^ ]+:(OK|SKIP|FAIL)/ {
	num = substr($1, 2); what = $2; sub(/:.*/, "", what)
	res = $0; sub(/^#[0-9]+ +[^:]+:/, "", res)
	if (!hassub[num]) tally(res, what)
	else if (res ~ /^FAIL/ && !subfail[num]) fail(what ": failed outside its subtests")
	next
}
intest && tp { if (NF) print "# " $0; next }
/^lifetime-dmesg-begin/ { indmesg = 1; next }
/^lifetime-dmesg-end/ { indmesg = 0; next }
/^lifetime-done/ { done = 1 }
/^lifetime-hung/ { hung = $0 }
intest && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
intest && /^(not )?ok [0-9]+/ {
	print; seen++
	if ($1 == "not") { nfail++; failed_here = 1 }
	else if ($0 ~ /# *SKIP/) nskip++
	else npass++
	next
}
intest && /^#/ { print; next }
indmesg && /BUG:|WARNING:|Oops|unreferenced object|suspected memory leak|circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|detected stalls? on CPU|self-detected stall|soft lockup|blocked for more than|Kernel panic|general protection fault|UBSAN:/ {
	reports = reports "\n  " $0
}
END {
	if (reports != "") fail("kernel reports in dmesg:" reports)
	if (!done) {
		fail(hung != "" ? hung : "guest stopped before the tests finished (panic?)")
		print "--- last console lines:"
		for (i = NR - 39; i <= NR; i++) if (i > 0) print tail[i % 40]
	}
	if (npass + nfail == 0) fail("no test ran")
	printf "%d %d %d\n", npass, nfail, nskip > counts
	exit nfail > 0
}' || rc=$?
read -r p f s < "$counts" || true
p=${p:-0} f=${f:-1} s=${s:-0}
if [ "$s" -gt 0 ]; then echo "$p passed, $f failed, $s skipped"; else echo "$p passed, $f failed"; fi
exit "${rc:-0}"
