#!/bin/bash
# boot.sh BZIMAGE INITRD LOG: boot the guest and keep its console in LOG.
# ACCEL (set by run.sh from accel() in lib.sh: KVM when /dev/kvm works,
# else TCG; tcg,thread=single for guests that poke running JITed callers,
# docs/int3.md), SMP vCPUs (default 2), MEM, TIMEOUT seconds before the
# guest counts as hung. Prints QEMU's version and its exact command line.
#   V=1          the console also goes to stderr as it comes (live)
#   GUEST_SHELL=1  interactive: the terminal is the guest's serial console
#                (busybox sh; 'exit' or Ctrl-A X ends it), no timeout
. "$(dirname "$0")/lib.sh"
kernel=$1 initrd=$2 log=$3
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 missing: install qemu-system-x86"
[ -n "${ACCEL:-}" ] || accel "$kernel"
append="console=ttyS0,115200 no_timer_check panic=-1 oops=panic loglevel=5 ${CMDLINE:-}"
serial=stdio
if [ "${GUEST_SHELL:-0}" = 1 ]; then
	append="$append lifetime.shell=1" serial=mon:stdio
fi
qemu=(qemu-system-x86_64
	-accel "$ACCEL" -cpu max -smp "${SMP:-2}" -m "${MEM:-2G}"
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-display none -serial "$serial" -monitor none -nodefaults -no-reboot)
qv=$(qemu-system-x86_64 --version | head -n 1)
echo "== qemu: $qv"
printf '== qemu command: timeout -k 5 %s' "${TIMEOUT:-900}"
for w in "${qemu[@]}"; do	# quoted only where the shell needs it
	case $w in *[!A-Za-z0-9_./=,:+-]* | '') printf " '%s'" "$w" ;; *) printf ' %s' "$w" ;; esac
done
echo
if [ "${GUEST_SHELL:-0}" = 1 ]; then
	echo "== guest shell: busybox sh on the serial console; 'exit' powers off, Ctrl-A X kills QEMU"
	"${qemu[@]}" 2>&1 | tee "$log"
	exit 0
fi
rc=0
if [ "${V:-0}" = 1 ]; then
	set +o pipefail
	timeout -k 5 "${TIMEOUT:-900}" "${qemu[@]}" < /dev/null 2>&1 | tee "$log" >&2
	rc=${PIPESTATUS[0]}
	set -o pipefail
else
	timeout -k 5 "${TIMEOUT:-900}" "${qemu[@]}" < /dev/null > "$log" 2>&1 || rc=$?
fi
[ "$rc" = 124 ] && echo "lifetime-hung: no verdict within ${TIMEOUT:-900}s" >> "$log"
exit 0
