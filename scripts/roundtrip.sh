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
pass=0 fail=0 n=0
for i in "${!SERIES[@]}"; do
	d=${SERIES[$i]} o=${outs[$i]} n=$((n + 1))
	if diff -u <(series_list "$d") <(series_list "$o") > "$tmp/diff" &&
	   (for p in $(series_list "$o"); do diff -u "$d/$p" "$o/$p" || exit 1; done) >> "$tmp/diff"; then
		echo "ok $n roundtrip: export of the tree equals ${d#"$TOP"/}"; pass=$((pass + 1))
	else
		echo "not ok $n roundtrip: export of the tree differs from ${d#"$TOP"/}:"
		head -n 20 "$tmp/diff"; fail=$((fail + 1))
	fi
done
export GIT_INDEX_FILE=$tmp/index
kgit read-tree pristine
for o in "${outs[@]}"; do
	for p in $(series_list "$o"); do kgit apply --cached "$o/$p"; done
done
n=$((n + 1))
if [ "$(kgit write-tree)" = "$(kgit rev-parse 'HEAD^{tree}')" ]; then
	echo "ok $n roundtrip: pristine + exported patches = tree"; pass=$((pass + 1))
else
	echo "not ok $n roundtrip: pristine + exported patches != tree"; fail=$((fail + 1))
fi
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
