#!/bin/bash
# kernel.sh SRC OBJ FRAGMENT...: tinyconfig + fragments, then bzImage.
# Incremental: the config is remade only when a fragment changed.
. "$(dirname "$0")/lib.sh"
src=$1 obj=$2; shift 2
mkdir -p "$obj"
# One build at a time in a build folder.
exec 9> "$obj/.lock"
flock 9
export CCACHE_BASEDIR=$BUILD
# Depend mode: hash kbuild's -MMD output instead of running the
# preprocessor first; a cold build costs a third less (README).
export CCACHE_DEPEND=1
# With debug info (7.3's BTF needs it) ccache hashes the working folder
# too: a clone elsewhere (CI) would miss on every object. The folder only
# names DW_AT_comp_dir, which neither pahole nor the guest reads.
export CCACHE_NOHASHDIR=1
kmake() { make -C "$src" O="$obj" CC="$TOP/scripts/cc-ccache" HOSTCC="ccache gcc" -j"$JOBS" "$@"; }

want=$(cat "$@" | sha1sum | cut -c1-40)
have=$(cat "$obj/.fragments" 2>/dev/null) || have=
if [ "$have" != "$want" ] || [ ! -f "$obj/.config" ]; then
	kmake tinyconfig > "$obj/config.log" 2>&1 || die "tinyconfig failed: see $obj/config.log"
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "$@") \
		>> "$obj/config.log" 2>&1 || die "merge_config.sh failed: see $obj/config.log"
	kmake olddefconfig >> "$obj/config.log" 2>&1 || die "olddefconfig failed: see $obj/config.log"
	# Every option a fragment asks for must have survived olddefconfig.
	# One this kernel's Kconfig does not define at all (renamed or gone:
	# 7.3 has SYSCTL, no PROC_SYSCTL) is only noted.
	grep -h '^CONFIG_' "$@" | while IFS= read -r l; do
		k=${l%%=*} v=${l#*=}
		if [ "$v" = n ]; then
			! grep -q "^$k=" "$obj/.config" && continue
		else
			grep -qx "$l" "$obj/.config" && continue
		fi
		grep -rqsE --include='Kconfig*' "^(menu)?config ${k#CONFIG_}[[:space:]]*$" "$src" ||
			{ echo "note: config: $k is no option of this kernel" >&2; continue; }
		[ "$v" = n ] && die "config: $k=n was not kept"
		got=$(grep "^$k=" "$obj/.config") || got="(unset)"
		die "config: $l not set (got: $got)"
	done
	echo "$want" > "$obj/.fragments"
fi
# .built: when the last successful build started (seed-obj.sh).
touch "$obj/.building"
if ! kmake bzImage > "$obj/build.log" 2>&1; then
	grep -E 'error|Error' "$obj/build.log" | head -n 20 >&2
	die "kernel build failed in $src: see $obj/build.log"
fi
mv "$obj/.building" "$obj/.built"
ls "$obj/arch/x86/boot/bzImage" > /dev/null
