#!/bin/bash
# cover.sh: refresh the generated tail of each cover letter of $KVER's
# series from the tree: the patch count in the subject, the shortlog and
# the diffstat. The prose above "BPF map lifetime series (" is kept.
. "$(dirname "$0")/lib.sh"
[ -d "$REPO/.git" ] || die "no tree at $REPO: run 'make tree' first"
ends=(HEAD)
[ "${#SERIES[@]}" = 1 ] || ends=(bpf HEAD)
from=pristine
for i in "${!SERIES[@]}"; do
	d=${SERIES[$i]} to=${ends[$i]} cl=${SERIES[$i]}/0000-cover-letter.patch
	[ -f "$cl" ] || die "no ${cl#"$TOP"/}"
	n=$(kgit rev-list --count "$from..$to")
	{
		sed -e "s|^\(Subject: \[PATCH [^]]* \)0/[0-9]*\]|\10/$n]|" \
			-e '/^BPF map lifetime series (/,$d' "$cl"
		kgit shortlog -w72,2,4 "$from..$to"
		kgit diff --stat=72 --summary "$from..$to"
		echo
	} > "$cl.new"
	mv "$cl.new" "$cl"
	echo "${cl#"$TOP"/}: $n patches"
	from=$to
done
