#!/bin/bash
# tests.sh SRC OUT [KOBJ]: build the tree's libbpf and the test programs,
# static. The smoke test comes from this repo (tests/); the lifetime
# selftests are the tree's upstream test_progs with the prog_tests named in
# PROG_TESTS, built against KOBJ's vmlinux (test_progs.sh).
. "$(dirname "$0")/lib.sh"
src=$1 out=$2 kobj=${3:-}
mkdir -p "$out/libbpf" "$out/bin"


make -C "$src/tools/lib/bpf" OUTPUT="$out/libbpf/" DESTDIR="$out/libbpf" \
	prefix= CC="ccache gcc" BUILD_STATIC_ONLY=1 -j"$JOBS" \
	"$out/libbpf/libbpf.a" install_headers > "$out/libbpf.log" 2>&1 ||
	die "libbpf build failed: see $out/libbpf.log"

sel=$src/tools/testing/selftests
cflags="-O2 -g -Wall -static -D_GNU_SOURCE -I$out/libbpf/include
	-I$src/tools/include -I$src/tools/include/uapi -I$sel -I$sel/bpf -I$TOP/tests"
libs="$out/libbpf/libbpf.a -lelf -lz -lzstd -lpthread"
build() {	# build NAME SOURCE
	# shellcheck disable=SC2086
	ccache gcc $cflags -o "$out/bin/$1" "$2" $libs 2> "$out/$1.log" ||
		{ cat "$out/$1.log" >&2; die "test $1 failed to build"; }
	echo "$1" >> "$out/bin/list"
}
rm -f "$out/bin/list"
build smoke "$TOP/tests/smoke.c"
[ "${SMOKE_ONLY:-0}" = 1 ] && exit 0
# shellcheck disable=SC2086
"$TOP/scripts/test_progs.sh" "$src" "$kobj" "$out/test_progs" $PROG_TESTS
# test_progs opens the *.bpf.o of its tests from its folder. 5.10 names
# them NAME.o, and the tests it is built with embed theirs (skeletons):
# it has none to copy.
rm -f "$out/bin/"*.bpf.o
cp "$out/test_progs/build/test_progs" "$out/bin/"
for f in "$out/test_progs/build/"*.bpf.o; do
	[ ! -e "$f" ] || cp "$f" "$out/bin/"
done
echo test_progs >> "$out/bin/list"
if [ "${TEST_MAPS:-0}" = 1 ]; then
	cp "$out/test_progs/build/test_maps" "$out/bin/"
	echo test_maps >> "$out/bin/list"
fi
