#!/bin/bash
# Write the tree's commits after 'pristine' back to patches/ as
# format-patch files and a series file per series folder: with two
# series (7.3), pristine..bpf goes to patches/bpf and bpf..HEAD to
# patches/bpf-next. export.sh [DIR...] writes to DIR... instead.
. "$(dirname "$0")/lib.sh"
[ -d "$REPO/.git" ] || die "no tree at $REPO: run 'make tree' first"
changes=$(kgit status --porcelain -uno)
[ -z "$changes" ] || die "$REPO has uncommitted changes: commit them first"
outs=("${SERIES[@]}")
[ $# = 0 ] || outs=("$@")
[ "${#outs[@]}" = "${#SERIES[@]}" ] || die "export needs ${#SERIES[@]} folders"
ends=(HEAD)
[ "${#SERIES[@]}" = 1 ] || ends=(bpf HEAD)
from=pristine
for i in "${!outs[@]}"; do
	out=${outs[$i]} to=${ends[$i]}
	name=$(basename "${SERIES[$i]}")
	opts=(--no-numbered)
	case $name in bpf | bpf-next) opts=(--numbered "--subject-prefix=PATCH $name") ;; esac
	[ "$STABLE" = 0 ] || opts=(--numbered "--subject-prefix=PATCH $KVER")
	mkdir -p "$out"
	# Drop the patch files of the old series; keep the cover letter.
	series_list "$out" | while read -r p; do rm -f "$out/$p"; done
	files=$(kgit format-patch --no-signature --zero-commit --full-index "${opts[@]}" \
		-o "$out" "$from..$to")
	{
		on=linux-source-$KVER
		[ "$i" = 0 ] || on="$on and ${SERIES[0]#"$TOP"/}"
		echo "# Applied in order with git am on Debian $on."
		for f in $files; do basename "$f"; done
	} > "$out/series"
	series_list "$out" | while read -r p; do
		[ -f "$out/$p" ] || die "export wrote no $p"
	done
	n=$(series_list "$out" | wc -l)
	echo "$n patches in ${out#"$TOP"/}"
	from=$to
done
# The tree now is what patches/ holds.
if [ $# = 0 ]; then
	stamp=$(for d in "${SERIES[@]}"; do series_stamp "$d"; done | sha1sum | cut -c1-40)
	head=$(kgit rev-parse HEAD)
	echo "$stamp $head" > "$KDIR/.series-stamp"
fi
