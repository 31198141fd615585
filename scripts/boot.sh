#!/bin/bash
# boot.sh BZIMAGE INITRD LOG: boot the guest under TCG and keep its console.
# SMP vCPUs (default 2), MEM, TIMEOUT seconds before the guest counts as hung.
# Prints QEMU's version and its exact command line first.
# ACCEL: tcg,thread=multi by default; tcg,thread=single for guests that
# poke running JITed callers (multi-threaded TCG runs stale code there,
# docs/int3.md).
. "$(dirname "$0")/lib.sh"
kernel=$1 initrd=$2 log=$3
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 missing: install qemu-system-x86"
qemu=(qemu-system-x86_64
	-accel "${ACCEL:-tcg,thread=multi}" -cpu max -smp "${SMP:-2}" -m "${MEM:-2G}"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0,115200 no_timer_check panic=-1 oops=panic loglevel=5 ${CMDLINE:-}"
	-display none -serial stdio -monitor none -nodefaults -no-reboot)
echo "== qemu: $(qemu-system-x86_64 --version | head -n 1)"
printf '== qemu command: timeout -k 5 %s' "${TIMEOUT:-900}"
for w in "${qemu[@]}"; do	# quoted only where the shell needs it
	case $w in *[!A-Za-z0-9_./=,:+-]* | '') printf " '%s'" "$w" ;; *) printf ' %s' "$w" ;; esac
done
echo
rc=0
timeout -k 5 "${TIMEOUT:-900}" "${qemu[@]}" < /dev/null > "$log" 2>&1 || rc=$?
[ "$rc" = 124 ] && echo "lifetime-hung: no verdict within ${TIMEOUT:-900}s" >> "$log"
exit 0
