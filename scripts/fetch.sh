#!/bin/bash
# Get the pinned Debian linux-source-$KVER (kernels.tsv) once into the
# cache and check its sha256. Prints the .deb's path. The package is read
# through a private apt configuration (its own sources list, lists and
# cache under build/cache/apt) whose archive URI is the one this machine's
# own Debian apt source names; the system's apt setup is not changed.
# The .deb is kept; it is unpacked only into the tree (tree.sh), never
# into a second copy here (disk: docs/RESULTS.md).
. "$(dirname "$0")/lib.sh"

pin=$(pinned "$KVER") || die "KVER=$KVER is not pinned in kernels.tsv"
read -r pkg ver suite sha <<< "$pin"
deb=$CACHE/${pkg}_${ver/:/%3a}_all.deb
# An unpacked copy left by an older harness is 1.5 to 2 GB of nothing.
rm -rf "$CACHE/linux-source-$KVER"
if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --quiet > /dev/null 2>&1; then
	mkdir -p "$CACHE"
	rm -f "$deb"
	apt_private "$suite" > /dev/null ||
		die "cannot read the $suite package list (see $CACHE/apt/log)"
	if ! (cd "$CACHE" && apt_private_get download "$pkg=$ver" >> "$CACHE/apt/log" 2>&1); then
		offered=$(apt_private_get -qq madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); printf "%s ", $2}') || true
		die "$pkg $ver is not offered by $suite; offered: $offered"
	fi
	if ! echo "$sha  $deb" | sha256sum -c --quiet > /dev/null 2>&1; then
		got=$(sha256sum "$deb" | cut -c1-16)
		die "$(basename "$deb"): sha256 $got... is not the pinned ${sha:0:16}..."
	fi
fi
echo "$deb"
