#!/bin/bash
# fuzz.sh: the lifetime fuzzer (tests/lifetime_fuzz.c, docs/fuzz.md) in a guest.
#   SECS (60) of fuzzing, SEED (1), BASE=patched|stock|mutant-NAME (the
#   kernel image of that build), KIMG (a bzImage: overrides BASE),
#   FUZZ_ARGS (more lifetime_fuzz options: -W, -k, -n OPS, -H HSEED, -v),
#   FUZZ_OUT (folder for the binary, initramfs and console log).
# Prints the fuzzer's lines, then "VERDICT PASS" or "VERDICT FAIL ...".
# Exit: 0 no violation, 1 a violation (or a kernel report: the patterns of
# verdict.sh; kmemleak's own start-up line is none), 2 harness or
# build error, 124 hung guest.
# Under make check (COUNTS set) the run counts as one check.
# shellcheck disable=SC2317
. "$(dirname "$0")/lib.sh"
counts() {	# counts EXIT-STATUS: one KTAP result, counted
	[ -n "${COUNTS:-}" ] || return 0
	tap_result "$1" "fuzz: BASE=$BASE SEED=$SEED SECS=$SECS, exit $1"
	echo "$TAP_PASS $TAP_FAIL 0" > "$COUNTS"
}
trap 'rc=$?; counts $rc' EXIT
trap 'echo "VERDICT FAIL: harness error (line $LINENO)"; exit 2' ERR
err() { echo "error: $*"; echo "VERDICT FAIL: harness error"; exit 2; }
SECS=${SECS:-60}
SEED=${SEED:-1}
BASE=${BASE:-patched}
case $BASE in
patched) sub=linux ;;
stock | mutant-*) sub=$BASE ;;
*) err "BASE must be patched, stock or mutant-NAME" ;;
esac
if [ -z "${KIMG:-}" ]; then
	KIMG=$KDIR/$sub/obj/arch/x86/boot/bzImage
	[ -f "$KIMG" ] || err "no kernel at $KIMG: build it with 'make run BASE=$BASE KVER=$KVER' (or set KIMG)"
fi
[ -f "$KIMG" ] || err "no kernel at $KIMG"
command -v qemu-system-x86_64 > /dev/null || err "qemu-system-x86_64 missing: install qemu-system-x86"
file -b /bin/busybox 2>/dev/null | grep -q 'statically linked' || err "/bin/busybox is not static: install busybox-static"
OUT=${FUZZ_OUT:-$BUILD/fuzz/$BASE}
mkdir -p "$OUT"
gcc -static -O2 -Wall -Wextra -pthread -o "$OUT/lifetime_fuzz" "$TOP/tests/lifetime_fuzz.c" ||
	err "cannot build tests/lifetime_fuzz.c"

root=$(mktemp -d)
trap 'rc=$?; rm -rf "$root"; counts $rc' EXIT
guest_root "$root" "$OUT/lifetime_fuzz"
cat >> "$root/init" <<EOF
echo "lifetime-guest: \$(uname -r) cpus=\$(grep -c ^processor /proc/cpuinfo)"
lifetime_fuzz -s $SEED -t $SECS ${FUZZ_ARGS:-}
echo "lifetime-fuzz-exit: \$?"
if [ -w /sys/kernel/debug/kmemleak ]; then
	# A debug kernel: kmemleak reports objects older than 5 s only.
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
fi
echo "lifetime-dmesg-begin"
dmesg
[ -r /sys/kernel/debug/kmemleak ] && cat /sys/kernel/debug/kmemleak
echo "lifetime-dmesg-end"
poweroff -f
EOF
guest_pack "$root" "$OUT/initrd.gz"

# The shrink after a finding gets up to 240 s more; boot some more.
export TIMEOUT=${TIMEOUT:-$((SECS + 420))}
log=$OUT/console.log
echo "== fuzz: kernel $KIMG, seed $SEED, ${SECS}s, args '${FUZZ_ARGS:-}'"
"$TOP/scripts/boot.sh" "$KIMG" "$OUT/initrd.gz" "$log"
tr -d '\r' < "$log" > "$log.txt"
grep -a '^lifetime-fuzz: \|^lifetime-guest: ' "$log.txt" || true
reports=$(sed -n '/^lifetime-dmesg-begin/,/^lifetime-dmesg-end/p' "$log.txt" |
	grep -a -E 'BUG:|WARNING:|Oops|unreferenced object|suspected memory leak|circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|detected stalls? on CPU|self-detected stall|soft lockup|blocked for more than|Kernel panic|general protection fault|UBSAN:' || true)
rc=$(sed -n 's/^lifetime-fuzz-exit: \([0-9]*\)$/\1/p' "$log.txt" | tail -n 1)
echo "== console: ${log#"$TOP"/}.txt"
if grep -aq '^lifetime-hung:' "$log.txt"; then
	echo "last console lines:"; tail -n 15 "$log.txt"
	echo "VERDICT FAIL: hung guest (no verdict within ${TIMEOUT}s)"
	exit 124
fi
if [ -z "$rc" ]; then
	panic=$(grep -a -m1 -E 'Kernel panic|BUG:|Oops' "$log.txt" || true)
	echo "last console lines:"; tail -n 15 "$log.txt"
	if [ -n "$panic" ]; then
		echo "VERDICT FAIL: the guest died: $panic"
		exit 1
	fi
	echo "VERDICT FAIL: the fuzzer gave no exit status"
	exit 2
fi
if [ -n "$reports" ]; then
	echo "kernel reports in dmesg:"; echo "$reports"
	echo "VERDICT FAIL: kernel report in dmesg"
	exit 1
fi
case $rc in
0) echo "VERDICT PASS"; exit 0 ;;
1) why=$(grep -a '^lifetime-fuzz: FAIL' "$log.txt" | tail -n 1) || true
   echo "VERDICT FAIL: $why"; exit 1 ;;
*) echo "VERDICT FAIL: the fuzzer could not run (exit $rc)"; exit 2 ;;
esac
