#!/bin/bash
# bench.sh (make bench): the stock and the patched 7.3 kernel side by side:
# the release cost of a perf event array map file, update and delete, and
# the hot paths as machine code (scripts/bench-7.3.sh).
. "$(dirname "$0")/lib.sh"
[ "$KVER" = 7.3 ] || die "make bench runs on KVER=7.3 only (the stock and patched kernels of build/7.3)"
exec "$TOP/scripts/bench-7.3.sh"
