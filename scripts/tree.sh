#!/bin/bash
# Make $REPO: a git tree whose first commit (tag 'pristine') is Debian's
# linux-source-$KVER and whose next commits are the series, applied with
# git am. Re-applies only when patches/ changed, and refuses to throw away
# commits that were made in the tree but not exported.
. "$(dirname "$0")/lib.sh"

# One tree.sh at a time per kernel version (make mutants runs in
# parallel).
mkdir -p "$KDIR"
exec 7> "$KDIR/.tree.lock"
flock 7
deb=$("$TOP/scripts/fetch.sh")
stamp_file=$KDIR/.series-stamp
stamp=$(for d in "${SERIES[@]}"; do series_stamp "$d"; done | sha1sum | cut -c1-40)

if [ ! -d "$REPO/.git" ]; then
	say "creating $REPO from $(basename "$deb")"
	rm -rf "$REPO" && mkdir -p "$REPO"
	# Straight from the .deb into the tree: no unpacked copy in the cache.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$KVER.tar.xz" |
		tar -xJ --strip-components=1 -C "$REPO" ||
		die "cannot unpack linux-source-$KVER.tar.xz from $deb"
	[ -f "$REPO/Makefile" ] || die "$deb holds no linux-source-$KVER tree"
	kgit init -q -b series
	# 90,000 files: store them uncompressed, and never let git gc --auto
	# pack them behind the next stage's back (a minute of both cores).
	kgit config core.looseCompression 0
	kgit config gc.auto 0
	kgit add -A -f .
	kv=$("$TOP/scripts/version.sh" "$REPO")
	kgit commit -q -m "Debian linux-source-$KVER $kv (pristine)"
	kgit tag pristine
	rm -f "$stamp_file"
fi

head=$(kgit rev-parse HEAD)
if [ -f "$stamp_file" ]; then
	read -r old_stamp old_head < "$stamp_file"
	[ "$old_stamp" = "$stamp" ] && [ "$old_head" = "$head" ] && exit 0
	changes=$(kgit status --porcelain -uno)
	if [ "$old_head" != "$head" ] || [ -n "$changes" ]; then
		[ "$old_stamp" = "$stamp" ] && exit 0	# work in progress: use as is
		die "$REPO has commits or changes not in patches/: 'make export' them, or 'make reset-tree' to drop them"
	fi
fi

kgit am --abort >/dev/null 2>&1 || true
kgit checkout -q -B series pristine
kgit reset -q --hard pristine
rm -f "$stamp_file"
for d in "${SERIES[@]}"; do
	say "applying ${d#"$TOP"/}/series to $REPO"
	n=$(apply_series "$REPO" "$d")
	say "applied $n patches"
	# The end of the bpf series: BASE=bpf builds it, export splits there.
	[ "${#SERIES[@]}" = 1 ] || [ "$d" != "${SERIES[0]}" ] || kgit tag -f bpf > /dev/null
done
head=$(kgit rev-parse HEAD)
echo "$stamp $head" > "$stamp_file"
