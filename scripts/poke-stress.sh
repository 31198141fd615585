#!/bin/bash
# poke-stress.sh: the harness's cross-modifying-code self-test (docs/int3.md).
# Boots the guest kernel with tests/poke_stress.c and runs, for SECS seconds
# each, the modes in MODES:
#   xmc     no BPF: one vCPU rewrites code, publishes it, the other executes
#           CPUID and the code; a stale result is an emulator error
#   upddel  a JITed tail-call caller runs on CPU0 while CPU1 alternates
#           update(0)/delete(0) on its prog array: text_poke on a running caller
#   update  the same with update(0, A)/update(0, B): jmp -> jmp only
# Each mode is one check; the last line is "N passed, N failed".
# ACCEL (default tcg,thread=single: with thread=multi QEMU 7.2 and 10.0 run
# stale translations and the guest oopses, see docs/int3.md), CPU (max), SMP (2),
# QEMU (qemu-system-x86_64), KIMG (default: the KVER tree's bzImage),
# SECS (30), OPS (0: no limit; stop a mode after this many operations).
. "$(dirname "$0")/lib.sh"
SECS=${SECS:-30}
OPS=${OPS:-0}
ACCEL=${ACCEL:-tcg,thread=single}
CPU=${CPU:-max}
SMP=${SMP:-2}
QEMU=${QEMU:-qemu-system-x86_64}
MODES=${MODES:-xmc upddel update}
KIMG=${KIMG:-$KDIR/linux/obj/arch/x86/boot/bzImage}
OUT=${POKE_OUT:-$BUILD/poke-stress}

command -v "$QEMU" > /dev/null || die "$QEMU missing: install qemu-system-x86"
[ -f "$KIMG" ] || die "no kernel at $KIMG: build one (make run) or set KIMG"
if [ ! -x /bin/busybox ] || file -b /bin/busybox 2>/dev/null | grep -q dynamic; then
	die "/bin/busybox is not static: install busybox-static"
fi
mkdir -p "$OUT"
gcc -static -O2 -Wall -Wextra -pthread -o "$OUT/poke_stress" "$TOP/tests/poke_stress.c"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
guest_root "$root" "$OUT/poke_stress"
cat >> "$root/init" <<EOF
echo "poke-guest: \$(uname -r) cpus=\$(grep -c ^processor /proc/cpuinfo) jit=\$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)"
for m in $MODES; do
	poke_stress -m \$m -t $SECS -n $OPS
	echo "poke-exit: \$m \$?"
done
echo "poke-done"
poweroff -f
EOF
guest_pack "$root" "$OUT/initrd.gz"

nmodes=$(echo "$MODES" | wc -w)
limit=$((nmodes * (SECS + 60) + 120))
log=$OUT/console.log
cmd=(nice -n 10 timeout -k 5 "$limit" "$QEMU" -accel "$ACCEL" -cpu "$CPU" -smp "$SMP" -m 1G
	-kernel "$KIMG" -initrd "$OUT/initrd.gz"
	-append "console=ttyS0,115200 no_timer_check panic=-1 oops=panic loglevel=5"
	-display none -serial stdio -monitor none -nodefaults -no-reboot)
qv=$("$QEMU" --version | head -n 1)
echo "poke-stress: QEMU: $qv"
echo "poke-stress: kernel: $KIMG"
echo "poke-stress: command: $(printf '%q ' "${cmd[@]}")"
echo "poke-stress: modes: $MODES, $SECS s each, ops limit $OPS; console: ${log#"$TOP"/}"
start=$(date +%s)
"${cmd[@]}" < /dev/null > "$log" 2>&1 || true
end=$(date +%s)
echo "poke-stress: guest ran $((end - start)) s"
tr -d '\r' < "$log" > "$log.txt"
log=$log.txt

tap_begin "$nmodes"
for m in $MODES; do
	line=$(grep -a "^poke-stress: \(PASS\|FAIL\) mode=$m " "$log" | tail -n 1 || true)
	last=$(grep -a "^poke-stress: progress mode=$m " "$log" | tail -n 1 || true)
	if [ -n "$line" ] && [ "${line#poke-stress: PASS}" != "$line" ]; then
		tap_ok "$m: ${line#poke-stress: }"
	elif [ -n "$line" ]; then
		tap_not_ok "$m: ${line#poke-stress: }"
	else
		tap_not_ok "$m: no verdict (last: ${last:-none})"
	fi
done
if grep -aq -e 'Oops' -e 'Kernel panic' -e 'BUG:' "$log"; then
	tap_diag "poke-stress: the guest kernel died:"
	{ grep -a -m 1 -e 'Oops' -e 'BUG:' "$log"; grep -a -m 1 -e 'RIP:' "$log"
	  grep -a -m 1 -e '^\[.*\] Code:' "$log"; } | sed 's/^/  /' | tap_diag
fi
tap_done
