#!/bin/bash
# bench.sh (make bench): the release cost and hot paths of the bpf-next
# rework, which only mainline has: scripts/bench-7.3.sh.
. "$(dirname "$0")/lib.sh"
[ "$KVER" = 7.3 ] || die "make bench runs on KVER=7.3: the stable branches have the fixes only"
exec "$TOP/scripts/bench-7.3.sh"
