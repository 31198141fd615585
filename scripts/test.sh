#!/bin/bash
# make test T=NAME[/SUBTEST] (or ARGS=...): one test or subtest, through
# run.sh (same variables, same exit codes): test_progs -t T; a test that
# is not in PROG_TESTS is added to them (test_progs is then rebuilt with
# it). test_maps runs only when asked (TEST_MAPS=1).
export TEST_MAPS=${TEST_MAPS:-0}
. "$(dirname "$0")/lib.sh"
T=${T:-}
[ -n "$T" ] || [ -n "${ARGS:-}" ] ||
	die "make test needs T=NAME[/SUBTEST] (e.g. T=prog_array_lifetime/second_drop_while_pending) or ARGS='-t NAME -n NUM ...'"
if [ -n "$T" ]; then
	ARGS="-t $T"
	PROG_TESTS=${PROG_TESTS:-$DEFAULT_PROG_TESTS}
	[[ " $PROG_TESTS " == *" ${T%%/*} "* ]] || PROG_TESTS="$PROG_TESTS ${T%%/*}"
	export ARGS PROG_TESTS
fi
exec "$TOP/scripts/run.sh"
