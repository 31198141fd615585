#!/bin/bash
# Make $REPO: a git tree whose first commit (tag 'pristine') is Debian's
# linux-source-$KVER and whose next commits are the series, applied with
# git am. Re-applies only when patches/ changed, and refuses to throw away
# commits that were made in the tree but not exported.
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/fetch.sh")
stamp_file=$KDIR/.series-stamp
stamp=$( (series_list "$PATCHDIR"; series_list "$PATCHDIR" |
	  while read -r p; do cat "$PATCHDIR/$p" 2>/dev/null; done) | sha1sum | cut -c1-40)

if [ ! -d "$REPO/.git" ]; then
	say "creating $REPO from $(cat "$src/.unpacked")"
	rm -rf "$REPO" && mkdir -p "$REPO"
	cp -a "$src/." "$REPO/" && rm -f "$REPO/.unpacked"
	kgit init -q -b series
	kgit add -A -f .
	kgit commit -q -m "Debian linux-source-$KVER $("$TOP/scripts/version.sh" "$REPO") (pristine)"
	kgit tag pristine
	rm -f "$stamp_file"
fi

head=$(kgit rev-parse HEAD)
if [ -f "$stamp_file" ]; then
	read -r old_stamp old_head < "$stamp_file"
	[ "$old_stamp" = "$stamp" ] && [ "$old_head" = "$head" ] && exit 0
	if [ "$old_head" != "$head" ] || [ -n "$(kgit status --porcelain -uno)" ]; then
		[ "$old_stamp" = "$stamp" ] && exit 0	# work in progress: use as is
		die "$REPO has commits or changes not in ${PATCHDIR#"$TOP"/}: 'make export' them, or 'make reset-tree' to drop them"
	fi
fi

say "applying ${PATCHDIR#"$TOP"/}/series to $REPO"
kgit am --abort >/dev/null 2>&1 || true
kgit checkout -q -B series pristine
kgit reset -q --hard pristine
n=0
while read -r p; do
	f=$PATCHDIR/$p
	[ -f "$f" ] || die "series names $p, which is not in ${PATCHDIR#"$TOP"/}/"
	if ! out=$(kgit am -q --keep-cr "$f" 2>&1); then
		kgit am --abort >/dev/null 2>&1 || true
		where=$(printf '%s\n' "$out" | sed -n 's/^error: patch failed: \(.*\)$/\1/p;s/^error: \(.*\): does not exist in index$/\1 (missing)/p;s/^error: \(.*\): already exists in working directory$/\1 (exists)/p' | head -n1)
		rm -f "$stamp_file"
		die "patch $p does not apply: ${where:-$(printf '%s\n' "$out" | grep -m1 -i error)}"
	fi
	n=$((n + 1))
done < <(series_list "$PATCHDIR")
echo "$stamp $(kgit rev-parse HEAD)" > "$stamp_file"
say "applied $n patches"
