#!/bin/bash
# kprobe-rereg.sh [BZIMAGE]: boot BZIMAGE (default: the 7.3 stock kernel)
# with tests/kprobe_rereg.sh as the only test, under TCG thread=single,
# and say whether a kprobe on an ftrace site survives being registered a
# second time (docs/ftrace-jmp.md). Exit 0 it does, 1 the guest oopsed.
. "$(dirname "$0")/lib.sh"
kimg=${1:-$KDIR/stock/obj/arch/x86/boot/bzImage}
[ -f "$kimg" ] || die "no kernel at $kimg (make run BASE=stock builds it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$BUILD/kprobe-rereg"
cp "$TOP/tests/kprobe_rereg.sh" "$tmp/bin/kp"
echo kp > "$tmp/bin/list"
ARGS=${FUNC:-} REPEAT=1 "$TOP/scripts/initramfs.sh" "$tmp/bin" "$tmp/initrd.gz"
log=$BUILD/kprobe-rereg/console.log
ACCEL=${ACCEL:-tcg,thread=single} "$TOP/scripts/boot.sh" "$kimg" "$tmp/initrd.gz" "$log"
tr -d '\r' < "$log" | grep -E '^kp: round|Expected E8|RIP: 0010:0x0|^kp: done' | sed 's/^/  /' || true
if grep -q '^kp: done' "$log" && ! grep -q 'Oops' "$log"; then
	say "kprobe-rereg: 3 rounds, no oops ($kimg); console in $log"
	exit 0
fi
say "kprobe-rereg: the guest oopsed ($kimg); console in $log"
exit 1
