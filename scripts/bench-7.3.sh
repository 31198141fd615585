#!/bin/bash
# shellcheck disable=SC2312 # a failed measurement shows as a missing value in the table
# bench-7.3.sh (make bench, KVER=7.3): tests/bench_lifetime.c, static, in a
# busybox initramfs, booted on the stock and the patched kernel, one guest
# at a time, BOOTS times in turn; then the hot paths compared as machine
# code. One table of the two kernels, then the goals.
#   KIMG_STOCK, KIMG_PATCHED  bzImages (default build/7.3/stock/obj/... and
#			build/7.3/linux/obj/...); the vmlinux of each is
#			taken from beside it (../../../vmlinux)
#   BOOTS=3		boots of each kernel, in turn (stock, patched)
#   BENCH_ARGS		bench_lifetime's options (-r ROUNDS -u OPS; see the source)
#   BENCH_OUT		where the console logs go (default build/7.3/bench)
# Each value is the median over the boots of bench_lifetime's medians.
# It builds no kernel ('make run BASE=stock' and 'make run' do). Writes
# "pass fail 0" to $COUNTS: one count per goal.
. "$(dirname "$0")/lib.sh"
kimg() { echo "$KDIR/$1/obj/arch/x86/boot/bzImage"; }
KIMG_STOCK=${KIMG_STOCK:-$(kimg stock)}
KIMG_PATCHED=${KIMG_PATCHED:-$(kimg linux)}
BOOTS=${BOOTS:-3}
bout=${BENCH_OUT:-$KDIR/bench}
kernels=(stock patched)
declare -A img=([stock]=$KIMG_STOCK [patched]=$KIMG_PATCHED)
for k in "${kernels[@]}"; do
	[ -f "${img[$k]}" ] || die "no $k kernel at ${img[$k]} (make run$([ "$k" = stock ] && echo ' BASE=stock') builds it)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

"$TOP/scripts/deps.sh"
say "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), load:$(uptime | sed 's/.*load average://')"
for k in "${kernels[@]}"; do
	echo "    $k: ${img[$k]} (sha1 $(sha1sum < "${img[$k]}" | cut -c1-12), $(date -u -r "${img[$k]}" '+%Y-%m-%d %H:%M'))"
done
mkdir -p "$bout" "$tmp/bin"
gcc -O2 -Wall -static -o "$tmp/bin/bench_lifetime" "$TOP/tests/bench_lifetime.c" ||
	die "tests/bench_lifetime.c failed to build"
echo bench_lifetime > "$tmp/bin/list"
ARGS=${BENCH_ARGS:-} REPEAT=1 "$TOP/scripts/initramfs.sh" "$tmp/bin" "$bout/initramfs.cpio.gz"

# "# bench KEY VALUE" of each boot -> $tmp/KERNEL.all ("KEY VALUE" lines)
for k in "${kernels[@]}"; do : > "$tmp/$k.all"; done
for b in $(seq "$BOOTS"); do
	for k in "${kernels[@]}"; do
		log=$bout/$k.$b.log
		say "bench: boot $b of $BOOTS, $k: ${img[$k]}"
		t0=$(date +%s)
		TIMEOUT=${TIMEOUT:-900} "$TOP/scripts/boot.sh" "${img[$k]}" \
			"$bout/initramfs.cpio.gz" "$log" > "$bout/$k.$b.qemu"
		tr -d '\r' < "$log" > "$tmp/log"
		if ! grep -q '^# bench-done' "$tmp/log"; then
			echo "bench: the $k guest gave no result (boot $b), its console:"
			tail -n 30 "$log"
			fail=$((fail + 1))
			continue
		fi
		awk '/^# bench [^ ]+ [0-9]+$/ { print $3, $4 }' "$tmp/log" >> "$tmp/$k.all"
		echo "    $(awk '/^# bench (update|delete|close_nonowner_1M_perf|obj_get_close_8K_perf) / { printf "%s %s, ", $3, $4 }' "$tmp/log")$(( $(date +%s) - t0 )) s, load:$(uptime | sed 's/.*load average://')"
	done
done
# the median over the boots
for k in "${kernels[@]}"; do
	sort -k1,1 -k2,2n "$tmp/$k.all" | awk '{ v[$1, ++n[$1]] = $2 }
	END { for (k in n) print k, v[k, int((n[k] + 1) / 2)] }' | sort > "$tmp/$k.val"
done

get() {	# get KERNEL KEY: the value, empty if missing
	awk -v k="$2" '$1 == k { print $2 }' "$tmp/$1.val" 2>/dev/null
}
ratio() {	# ratio A B: A/B, or "-"
	if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
	else
		echo -
	fi
}
within() {	# within RATIO LO HI: LO <= RATIO <= HI (false for "-")
	[ "$1" != - ] && awk -v r="$1" -v lo="$2" -v hi="$3" \
		'BEGIN { exit !(r >= lo && r <= hi) }'
}

keys=()
for s in 64 1K 8K 64K 1M; do keys+=("close_nonowner_${s}_perf" "close_nonowner_${s}_array"); done
keys+=(obj_get_close_8K_perf obj_get_close_8K_array update delete)
echo
{
	printf 'measurement (ns)'
	for k in "${kernels[@]}"; do printf '|%s' "$k"; done
	printf '|patched/stock'
	for k in "${kernels[@]}"; do printf '|perf/array %s' "$k"; done
	echo
	for m in "${keys[@]}"; do
		printf '%s' "$m"
		for k in "${kernels[@]}"; do v=$(get "$k" "$m"); printf '|%s' "${v:--}"; done
		printf '|%s' "$(ratio "$(get patched "$m")" "$(get stock "$m")")"
		for k in "${kernels[@]}"; do
			case $m in
			*_perf)	printf '|%s' "$(ratio "$(get "$k" "$m")" "$(get "$k" "${m%_perf}_array")")" ;;
			*)	printf '|' ;;
			esac
		done
		echo
	done
} | column -t -s '|'
echo

goal() {	# goal TEXT met|missed
	echo "goal $2: $1"
	if [ "$2" = met ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# 1. Update and delete through bpf(): neither series touches them, so
# within 1.03x of stock.
for m in update delete; do
	r=$(ratio "$(get patched $m)" "$(get stock $m)")
	within "$r" 0 1.03 && v=met || v=missed
	goal "$m within 1.03x of stock (patched/stock $r: $(get patched $m) against $(get stock $m) ns)" "$v"
done

# 2. The hot paths are the same machine code: the readers, the tail call
# (emitted by the x86 JIT, emit_bpf_tail_call_{direct,indirect}() inlined
# into do_jit(), and run by the interpreter's JMP_TAIL_CALL in
# ___bpf_prog_run()) and the writers of a slot. Addresses are normalized:
# a symbol where objdump names one, ADDR for other absolute addresses
# and jump table bases. A function in neither vmlinux was inlined in both.
hot=(bpf_perf_event_read bpf_perf_event_read_value bpf_perf_prog_read_value
     bpf_perf_event_output bpf_perf_event_output_tp bpf_perf_event_output_raw_tp
     bpf_event_output bpf_skb_event_output bpf_xdp_event_output
     perf_event_read_local do_jit ___bpf_prog_run
     bpf_fd_array_map_update_elem fd_array_map_delete_elem __fd_array_map_delete_elem)
dis() {	# dis VMLINUX FUNC: its code, addresses normalized; nothing if absent
	local a s
	read -r a s < <(nm -S "$1" | awk -v f="$2" '$4 == f { print $1, $2; exit }') || true
	[ -n "${a:-}" ] || return 0
	objdump -d --no-show-raw-insn --start-address="0x$a" \
		--stop-address="$(printf '0x%x' $((0x$a + 0x$s)))" "$1" |
	sed -n -E '/^ *[0-9a-f]+:/{
		s/^ *[0-9a-f]+:[[:space:]]*//
		s/\b[0-9a-f]{16} </</g
		s/(%[a-z]+:)?-?0x[0-9a-f]+(\(%rip\).*# *)(<[^>]*>)/\1\3\2\3/
		s/# *0x[0-9a-f]+ *//
		s/-0x7[0-9a-f]{7}\(/ADDR(/g
		s/0xffffffff[0-9a-f]{8}/ADDR/g
		p
	}'
}
vstock=$(dirname "$KIMG_STOCK")/../../../vmlinux
vpatched=$(dirname "$KIMG_PATCHED")/../../../vmlinux
for v in "$vstock" "$vpatched"; do [ -f "$v" ] || die "no vmlinux at $v"; done
same=0 inlined=0 differ=0
: > "$bout/hotpath.diff"
for f in "${hot[@]}"; do
	dis "$vstock" "$f" > "$tmp/s"
	dis "$vpatched" "$f" > "$tmp/p"
	n=$(wc -l < "$tmp/s")
	if [ ! -s "$tmp/s" ] && [ ! -s "$tmp/p" ]; then
		echo "hot path $f: in neither vmlinux (inlined in both)"
		inlined=$((inlined + 1))
	elif [ ! -s "$tmp/s" ] || [ ! -s "$tmp/p" ]; then
		echo "hot path $f: differs, in $([ -s "$tmp/s" ] && echo stock || echo patched)'s vmlinux only"
		differ=$((differ + 1))
	elif cmp -s "$tmp/s" "$tmp/p"; then
		echo "hot path $f: identical ($n instructions)"
		same=$((same + 1))
	else
		echo "hot path $f: differs ($n instructions on stock), diff in $bout/hotpath.diff:"
		diff -u --label "stock/$f" --label "patched/$f" "$tmp/s" "$tmp/p" | tee -a "$bout/hotpath.diff" | head -n 20
		differ=$((differ + 1))
	fi
done
[ "$differ" = 0 ] && v=met || v=missed
goal "hot paths the same machine code in stock and patched vmlinux ($same of ${#hot[@]} functions identical, $inlined inlined in both, $differ differ)" "$v"

# 3. A close() that owns nothing still walks every slot; patch 4 adds a
# test per slot and an RCU unlock, cond_resched() and lock per 1024
# slots: at 1M slots within 1.10x of stock.
m=close_nonowner_1M_perf
r=$(ratio "$(get patched $m)" "$(get stock $m)")
within "$r" 0 1.10 && v=met || v=missed
goal "non-owner close of a perf event array at 1M slots within 1.10x of stock (patched/stock $r: $(get patched $m) against $(get stock $m) ns)" "$v"

# Not a goal: the short-lived user of an 8K-slot map (BPF_OBJ_GET +
# close), the case for or against a release that costs what the file owns.
echo "8K short-lived user (BPF_OBJ_GET + close, not a goal): perf/array $(ratio "$(get patched obj_get_close_8K_perf)" "$(get patched obj_get_close_8K_array)") patched, $(ratio "$(get stock obj_get_close_8K_perf)" "$(get stock obj_get_close_8K_array)") stock"

echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
