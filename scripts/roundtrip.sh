#!/bin/bash
# tree -> patches -> tree: exporting the tree reproduces patches/ byte for
# byte (full blob ids: abbreviations depend on the repository), and applying that export to the pristine commit gives the tree.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/export.sh" "$tmp/p" > /dev/null
pass=0 fail=0
if diff -u <(series_list "$PATCHDIR") <(series_list "$tmp/p") > "$tmp/diff" &&
   (for p in $(series_list "$tmp/p"); do diff -u "$PATCHDIR/$p" "$tmp/p/$p" || exit 1; done) >> "$tmp/diff"; then
	echo "ok 1 roundtrip: export of the tree equals ${PATCHDIR#"$TOP"/}"; pass=$((pass + 1))
else
	echo "not ok 1 roundtrip: export of the tree differs from ${PATCHDIR#"$TOP"/}:"
	head -n 20 "$tmp/diff"; fail=$((fail + 1))
fi
export GIT_INDEX_FILE=$tmp/index
kgit read-tree pristine
for p in $(series_list "$tmp/p"); do kgit apply --cached "$tmp/p/$p"; done
if [ "$(kgit write-tree)" = "$(kgit rev-parse 'HEAD^{tree}')" ]; then
	echo "ok 2 roundtrip: pristine + exported patches = tree"; pass=$((pass + 1))
else
	echo "not ok 2 roundtrip: pristine + exported patches != tree"; fail=$((fail + 1))
fi
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
