#!/bin/bash
# tree -> patches -> tree: exporting the tree reproduces patches/ byte for
# byte (full blob ids: abbreviations depend on the repository), and
# applying that export to the pristine commit gives the tree.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
outs=()
for i in "${!SERIES[@]}"; do outs+=("$tmp/p$i"); done
"$TOP/scripts/export.sh" "${outs[@]}" > /dev/null
tap_begin $((${#SERIES[@]} + 1))
for i in "${!SERIES[@]}"; do
	d=${SERIES[$i]} o=${outs[$i]}
	series_list "$d" > "$tmp/want"
	series_list "$o" > "$tmp/got"
	if diff -u "$tmp/want" "$tmp/got" > "$tmp/diff" &&
	   (series_list "$o" | while read -r p; do diff -u "$d/$p" "$o/$p" || exit 1; done) >> "$tmp/diff"; then
		tap_ok "roundtrip: export of the tree equals ${d#"$TOP"/}"
	else
		head -n 20 "$tmp/diff" | tap_diag
		tap_not_ok "roundtrip: export of the tree differs from ${d#"$TOP"/}"
	fi
done
export GIT_INDEX_FILE=$tmp/index
kgit read-tree pristine
for o in "${outs[@]}"; do
	series_list "$o" | while read -r p; do kgit apply --cached "$o/$p"; done
done
got=$(kgit write-tree)
want=$(kgit rev-parse 'HEAD^{tree}')
if [ "$got" = "$want" ]; then
	tap_ok "roundtrip: pristine + exported patches = tree"
else
	tap_not_ok "roundtrip: pristine + exported patches != tree"
fi
tap_done
