#!/bin/bash
# make test T=NAME[/SUBTEST] (or ARGS=...): one test or subtest, through
# run.sh (same variables, same exit codes).
#   7.3: test_progs -t T; a test that is not in PROG_TESTS is added to
#   them (test_progs is then rebuilt with it).
#   6.12: test_map_lifetime -r FIXTURE.NAME when T has a dot, else -t NAME.
#   6.1: its kselftest harness takes no filter: the whole suite runs.
#   STABLE=1 (and 7.2, 5.10): test_progs -t T.
. "$(dirname "$0")/lib.sh"
T=${T:-}
[ -n "$T" ] || [ -n "${ARGS:-}" ] ||
	die "make test needs T=NAME[/SUBTEST] (e.g. T=prog_array_lifetime/second_drop_while_pending) or ARGS='-t NAME -n NUM ...'"
if [ -n "$T" ]; then
	case $KVER in
	7.3)	ARGS="-t $T"
		default="pe_preserve_elems tailcalls prog_array_lifetime perf_event_array_lifetime perf_event_array_release"
		PROG_TESTS=${PROG_TESTS:-$default}
		[[ " $PROG_TESTS " == *" ${T%%/*} "* ]] || PROG_TESTS="$PROG_TESTS ${T%%/*}"
		export PROG_TESTS ;;
	*)	if [ "$TEST_PROGS" = 1 ]; then	# the stable backports: test_progs
			ARGS="-t $T"
		elif [ "$KVER" = 6.1 ]; then
			echo "note: 6.1's kselftest harness takes no filter: the whole suite runs" >&2
			ARGS=
		else
			case $T in *.*) ARGS="-r $T" ;; *) ARGS="-t $T" ;; esac
		fi ;;
	esac
	export ARGS
fi
exec "$TOP/scripts/run.sh"
