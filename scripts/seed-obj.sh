#!/bin/bash
# seed-obj.sh SRC SEED OBJ: start a new build of SRC (a stock or mutant
# worktree of $REPO) in OBJ from $REPO's finished build SEED, so that
# kbuild rebuilds only what differs instead of running every file through
# ccache, objtool and the links again.
# kbuild decides by mtime: every file of SRC gets an old mtime, then the
# files that may differ from what SEED was built from get the current one:
#  - files where $REPO's working tree differs from SRC's commit,
#  - SRC's own uncommitted changes (a mutant patch),
#  - files of $REPO changed since SEED's last successful build started.
. "$(dirname "$0")/lib.sh"
src=$1 seed=$2 obj=$3
[ -f "$seed/.built" ] || die "seed-obj: $seed has no finished build"
mkdir -p "$(dirname "$obj")"
cp -a "$seed" "$obj.tmp"
rm -rf "$obj.tmp/run"
# The list first: once every mtime changed, git would re-read each file.
head=$(git -C "$src" rev-parse HEAD)
{
	git -C "$REPO" diff --name-only "$head"
	git -C "$src" diff --name-only HEAD
	find "$REPO" \( -path "$REPO/.git" -o -path "$REPO/obj*" \) -prune -o \
		-type f -newer "$seed/.built" -printf '%P\n'
} | sort -u > "$obj.tmp/.seed-differs"
find "$src" \( -name .git -o -path "$src/obj*" \) -prune -o -type f -print0 |
	xargs -0 touch -h -d @946684800
while IFS= read -r f; do
	[ ! -e "$src/$f" ] || touch -h "$src/$f"
done < "$obj.tmp/.seed-differs"
mv "$obj.tmp" "$obj"
