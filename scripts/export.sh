#!/bin/bash
# Write the tree's commits after 'pristine' back to patches/ as
# format-patch files and a series file. export.sh [DIR] writes to DIR.
. "$(dirname "$0")/lib.sh"
out=${1:-$PATCHDIR}
[ -d "$REPO/.git" ] || die "no tree at $REPO: run 'make tree' first"
[ -z "$(kgit status --porcelain -uno)" ] || die "$REPO has uncommitted changes: commit them first"
mkdir -p "$out"
# Drop the patch files of the old series; keep the cover letter and notes.
series_list "$out" | while read -r p; do rm -f "$out/$p"; done
files=$(kgit format-patch --no-signature --zero-commit --no-numbered --full-index \
	-o "$out" pristine..HEAD)
{
	echo "# Applied in order with git am on Debian linux-source-$KVER."
	for f in $files; do basename "$f"; done
} > "$out/series"
series_list "$out" | while read -r p; do
	[ -f "$out/$p" ] || die "export wrote no $p"
done
echo "$(series_list "$out" | wc -l) patches in ${out#"$TOP"/}"
# The tree now is what patches/ holds.
[ "$out" = "$PATCHDIR" ] && echo "$(series_stamp "$PATCHDIR") $(kgit rev-parse HEAD)" > "$KDIR/.series-stamp"
exit 0
