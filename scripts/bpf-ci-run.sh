#!/bin/bash
# bpf-ci-run.sh W KERNEL SUITES: boot W/KERNEL (stock or series) with the
# host's / as its read-only root (9p) and run SUITES from W/selftests,
# with W/kmods-KERNEL's test modules, as BPF CI runs them: test_progs
# flavours with the DENYLIST files (-d @DENYLIST...), test_maps,
# test_verifier. Results in W/run-KERNEL: SUITE.log, SUITE.json, dmesg,
# console (RUN_NAME=rerunN: in W/rerunN-KERNEL). TIMEOUT (default
# 14400 s): a guest still running then is hung; the guest powers itself
# off 300 s before, with its dmesg kept.
# Exit: 0 the guest ran the job to its end, 2 it did not (QEMU failed,
# panic), 124 it hung.
. "$(dirname "$0")/lib.sh"
W=$1 k=$2 suites=$3
arch=${BPFCI_ARCH:-x86_64}
sel=$W/selftests run=$W/${RUN_NAME:-run}-$k
rm -rf "$run" && mkdir -p "$run"
plat=$arch; [ "$arch" != arm64 ] || plat=aarch64
deny=
for f in DENYLIST "DENYLIST.$plat"; do
	[ ! -f "$sel/$f" ] || deny="$deny -d @$f"
done
tsel=
[ -z "${T:-}" ] || tsel=" -t $(printf '%q' "$T")"
# TCG runs the guest several times slower than BPF CI's KVM runners: the
# watchdog that kills a test after 120 s there gets 600 s here.
mkdir -p "$run/kmods"
cp "$W/kmods-$k"/*.ko "$run/kmods/"
{
	# test_progs-no_alu32 and -cpuv4 run in no_alu32/ and cpuv4/ and
	# load the test modules from there.
	echo "for d in . no_alu32 cpuv4; do [ ! -d \$d ] || cp --remove-destination /run/out/kmods/*.ko \$d/; done"
	for s in $suites; do
		echo "echo \"bpf-ci: $s start \$(date +%s)\""
		case $s in
		test_progs*) echo "./$s$deny$tsel -w 600 --json-summary=/run/out/$s.json < /dev/null > /run/out/$s.log 2>&1" ;;
		*) echo "./$s < /dev/null > /run/out/$s.log 2>&1" ;;
		esac
		echo "echo \"bpf-ci: $s exit \$? \$(date +%s)\""
	done
} > "$run/job.sh"

# x86_64: the host's / is the guest's root. arm64: the Debian arm64 root
# of bpf-ci-arm64-root.sh, and the selftests as a share of their own
# (tag sel), mounted where they are on the host.
root=/ sel9p=() init=$TOP/scripts/bpf-ci-init
case $arch in
x86_64)
	img=$W/$k/arch/x86/boot/bzImage
	qemu=(qemu-system-x86_64 -cpu max) con=ttyS0 ;;
arm64)
	img=$W/$k/arch/arm64/boot/Image
	root=$BUILD/bpf-ci/arm64-root/root
	mkdir -p "$root$sel"
	cp "$init" "$root/bpf-ci-init"
	init="/bpf-ci-init bpfci.sel=1"
	sel9p=(-fsdev "local,id=sel,path=$sel,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=sel,mount_tag=sel")
	qemu=(qemu-system-aarch64 -M virt -cpu max) con=ttyAMA0 ;;
esac
# TCG with one thread for all vCPUs: with one thread each, QEMU runs stale
# code after the kernel pokes a running JITed program, and the guest
# oopses at an int3 (docs/int3.md). Seen here on stock and series alike,
# at test_progs' fentry/fexit tests, with thread=multi.
export TCG_THREAD=${TCG_THREAD:-single}
if [ "$arch" = arm64 ]; then
	ACCEL=${ACCEL:-tcg,thread=$TCG_THREAD}	# lib.sh's KVM probe is x86_64's
else
	[ -n "${ACCEL:-}" ] || accel "$img"
fi
tmo=${TIMEOUT:-14400}
qemu+=(-accel "$ACCEL" -smp "${SMP:-2}" -m "${MEM:-4G}" -kernel "$img"
	-append "console=$con root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro init=$init bpfci.dir=$sel bpfci.timeout=$((tmo > 600 ? tmo - 300 : tmo / 2)) panic=-1"
	-fsdev "local,id=root,path=$root,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=root,mount_tag=/dev/root"
	-fsdev "local,id=out,path=$run,security_model=none,multidevs=remap"
	-device "virtio-9p-pci,fsdev=out,mount_tag=out" "${sel9p[@]}"
	-display none -serial stdio -monitor none -nodefaults -no-reboot)
an=$(accel_name)
cmd=$(printf '%q ' "${qemu[@]}")
say "$k: $an; $cmd"
t0=$SECONDS
rc=0
timeout -k 5 "$tmo" "${qemu[@]}" < /dev/null > "$run/console" 2>&1 || rc=$?
[ "$rc" != 124 ] || echo "bpf-ci: hung: no end within $tmo s" >> "$run/console"
grep -a '^bpf-ci: ' "$run/console" | sed 's/^/   /' || true
say "$k: $((SECONDS - t0)) s"
[ "$rc" != 124 ] || exit 124
! grep -aq '^bpf-ci: guest timeout' "$run/console" || exit 124
grep -aq '^bpf-ci: done' "$run/console" || { echo "error: the $k guest did not run its job to the end (QEMU exit $rc; see $run/console)" >&2; exit 2; }
