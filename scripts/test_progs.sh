#!/bin/bash
# test_progs.sh SRC KOBJ OUT TEST...: upstream test_progs with only the
# named prog_tests (missing ones are noted and left out), and with
# TEST_MAPS=1 upstream test_maps (all of map_tests/), built by SRC's
# tools/testing/selftests/bpf/Makefile against KOBJ/vmlinux, into OUT/build.
# That Makefile builds every prog_tests/*.c and progs/*.c it finds, so it
# runs in OUT/tree: symlinks to SRC, except tools/testing/selftests/bpf,
# a copy with only the chosen tests and the BPF programs they open (their
# skeletons, their "NAME.bpf.o" strings). rsync keeps mtimes: a rerun
# rebuilds only what changed.
. "$(dirname "$0")/lib.sh"
src=$1 kobj=$2 out=$3; shift 3
sel=tools/testing/selftests/bpf
from=$src/$sel tree=$out/tree build=$out/build
[ -f "$kobj/vmlinux" ] || die "no $kobj/vmlinux to take BTF from"
command -v clang-16 > /dev/null || die "clang-16 missing: install clang-16 llvm-16"
mkdir -p "$build"
# No CCACHE_BASEDIR: gcc would get relative paths and write them into the
# .d files the Makefile reads from another folder.
unset CCACHE_BASEDIR

tests=()
for t in "$@"; do
	if [ -f "$from/prog_tests/$t.c" ]; then tests+=("$t")
	else echo "note: $src has no $sel/prog_tests/$t.c; left out" >&2; fi
done
[ "${#tests[@]}" -gt 0 ] || die "none of the prog_tests '$*' is in $src"

# 6.1's Makefile passes CC=$(HOSTCC) unquoted to the bpftool and libbpf
# sub-makes: a compiler of two words ("ccache gcc") makes its second word
# a make target there. Debian's ccache symlink is one word.
cc="ccache gcc"
[ "$KVER" != 6.1 ] || cc=/usr/lib/ccache/gcc
[ -x "$cc" ] || [ "$cc" = "ccache gcc" ] || die "$cc missing: install ccache"
mk=(-C "$from" OUTPUT="$build" CC="$cc" HOSTCC="$cc"
	CLANG=clang-16 LLC=llc-16 LLVM_STRIP=llvm-strip-16
	LLVM_OBJCOPY=llvm-objcopy-16 LLVM_CONFIG=llvm-config-16
	VMLINUX_BTF="$kobj/vmlinux" GENDIR="$kobj/include/generated"
	# No LLVM disassembler (JIT dump tests only) and no libbfd: linking
	# LLVM into test_progs and bpftool costs more than all the rest.
	SKIP_LLVM=1 SKIP_LIBBFD=1
	# 6.12 has no SKIP_LLVM: its feature probe finds llvm-config-16, and
	# Debian 12 has no LLVM headers installed (llvm-16-dev).
	feature-llvm=0)
# The Makefile's fixed lists of light, signed and linked skeletons; each
# is a prerequisite of every test object, so each must be buildable from
# the copy's progs/. Read in SRC, so with nothing to probe (CHECK_FEAT=)
# and no .d files to remake (an empty OUTPUT).
rm -rf "$out/query" && mkdir -p "$out/query"
# shellcheck disable=SC2016 # $(...) here is make's, for --eval
vars=$(make -s "${mk[@]}" OUTPUT="$out/query" CHECK_FEAT= --eval 'harness-vars: ; @echo LSKELS $(LSKELS); echo LSKELS_SIGNED $(LSKELS_SIGNED); echo LSKELS_EXTRA $(LSKELS_EXTRA); $(foreach s,$(LINKED_SKELS),echo LINKED $(s:.skel.h=) $($(s)-deps);)' harness-vars) ||
	die "cannot read the lists of skeletons from $from/Makefile"

# The BPF programs the chosen tests open, and the .c files they include.
progs=()
add() {	# add NAME: keep progs/NAME.c; fails if there is none
	[ -f "$from/progs/$1.c" ] || return 1
	[[ " ${progs[*]} " == *" $1.c "* ]] || progs+=("$1.c")
}
# shellcheck disable=SC2013 # words: names of programs
maptests=()
[ "${TEST_MAPS:-0}" != 1 ] || maptests=("$from"/map_tests/*.c "$from/test_maps.c")
for n in $(cd "$from/prog_tests" && grep -ohE '#include "[A-Za-z0-9_]+\.(l|sub)?skel\.h"|"(\./)?[A-Za-z0-9_.-]+\.bpf\.o"' \
		"${tests[@]/%/.c}" "${maptests[@]}" | sed -E 's/^#include //; s/"//g; s|^\./||; s/\.(l|sub)?skel\.h$//; s/\.bpf\.o$//'); do
	add "$n" && continue
	deps=$(awk -v n="$n" '$1 == "LINKED" && $2 == n { $1 = $2 = ""; print }' <<< "$vars")
	[ -n "$deps" ] || { echo "note: $n: no progs/$n.c; not built" >&2; continue; }
	for d in $deps; do add "${d%.bpf.o}" || true; done
done
for ((i = 0; i < ${#progs[@]}; i++)); do
	# shellcheck disable=SC2013 # words: names of included .c files
	for c in $(sed -nE 's/^#include "([A-Za-z0-9_]+)\.c".*/\1/p' "$from/progs/${progs[$i]}"); do
		add "$c" || true
	done
done
keep() {	# keep LIST: the names of LIST whose progs/ source is kept
	# shellcheck disable=SC2013 # words: skeleton names
	for s in $(awk -v l="$1" '$1 == l { $1 = ""; print }' <<< "$vars"); do
		[[ " ${progs[*]} " != *" $s "* ]] || printf '%s ' "$s"
	done
}
linked=$(awk '$1 == "LINKED" { print $2 }' <<< "$vars" | while read -r s; do
	all=1
	# shellcheck disable=SC2013 # words: object names
	for d in $(awk -v s="$s" '$1 == "LINKED" && $2 == s { $1 = $2 = ""; print }' <<< "$vars"); do
		[[ " ${progs[*]} " == *" ${d%.bpf.o}.c "* ]] || all=
	done
	[ -z "$all" ] || printf '%s.skel.h ' "$s"
done)

# The tree: SRC's entries as symlinks, but along tools/testing/selftests/bpf.
link_dir() {	# link_dir DIR BUT
	mkdir -p "$tree/$1"
	for e in "$src/$1"/*; do
		[ "${e##*/}" = "$2" ] || ln -sfn "$e" "$tree/$1/"
	done
}
link_dir . tools; link_dir tools testing
link_dir tools/testing selftests; link_dir tools/testing/selftests bpf
{ printf '+ /prog_tests/%s.c\n' "${tests[@]}"; printf '+ /progs/%s\n' "${progs[@]}"
  echo '- /prog_tests/*.c'; echo '- /progs/*.c'; } > "$out/rsync.filter"
# Generated in the source folder by the Makefile: keep them.
rsync -a --delete --delete-excluded --filter='P /prog_tests/tests.h' \
	--filter='P /verification_cert.h' --filter=". $out/rsync.filter" "$from/" "$tree/$sel/"

# The Makefile remakes prog_tests/tests.h (the list test_progs runs) when
# a test is newer than it, not when one is gone; a test_progs without the
# test would still list it ("not built"). Another list makes it anew, and
# the BPF objects of tests no longer chosen go.
listed=$(cat "$out/tests.list" 2>/dev/null) || listed=
if [ "$listed" != "${tests[*]}" ]; then
	rm -f "$tree/$sel/prog_tests/tests.h"
	echo "${tests[*]}" > "$out/tests.list"
fi
for f in "$build"/*.bpf.o; do
	[ -e "$f" ] || continue
	n=${f##*/}; [[ " ${progs[*]} " == *" ${n%.bpf.o}.c "* ]] || rm -f "$f"
done

mk[1]=$tree/$sel
echo "test_progs: ${tests[*]} (${#progs[@]} BPF programs)" > "$out/build.log"
# Only what test_progs itself is made of. Command-line variables beat the
# Makefile's: TRUNNER_EXTRA_FILES (urandom_read, uprobe_multi, sign-file,
# xdp_synproxy, the test kernel modules bpf_testmod.ko and co., the
# btf_dump cases) are helpers other tests run, copied next to test_progs;
# LIBARENA_SKEL is prog_tests/libarena.c's BPF library; -o veristat: a
# separate tool the Makefile builds along with test_progs. The skeleton
# lists: only those whose programs the copy has (above).
lskels=$(keep LSKELS)
lskels_signed=$(keep LSKELS_SIGNED)
lskels_extra=$(keep LSKELS_EXTRA)
if ! make "${mk[@]}" -j"$JOBS" TRUNNER_EXTRA_FILES= LIBARENA_SKEL= \
		LSKELS="$lskels" LSKELS_SIGNED="$lskels_signed" \
		LSKELS_EXTRA="$lskels_extra" LINKED_SKELS="$linked" \
		-o "$build/veristat" test_progs ${maptests:+test_maps} >> "$out/build.log" 2>&1; then
	grep -E -m 20 'error|Error' "$out/build.log" >&2
	die "test_progs build failed: see $out/build.log"
fi
