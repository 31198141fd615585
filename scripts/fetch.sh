#!/bin/bash
# Get the pinned Debian linux-source-$KVER (kernels.tsv) once, check its
# sha256 and unpack it into the cache. Prints the pristine source folder.
# The package is read through a private apt configuration (its own
# sources list, lists and cache under build/cache/apt) whose archive URI
# is the one this machine's own Debian apt source names; the system's
# apt setup is not changed.
. "$(dirname "$0")/lib.sh"

read -r pkg ver suite sha < <(pinned "$KVER") || die "KVER=$KVER is not pinned in kernels.tsv"
src=$CACHE/linux-source-$KVER
deb=$CACHE/${pkg}_${ver/:/%3a}_all.deb
if [ "$(cat "$src/.unpacked" 2>/dev/null)" != "$(basename "$deb")" ]; then
	mkdir -p "$CACHE"
	if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --quiet > /dev/null 2>&1; then
		rm -f "$deb"
		apt_private "$suite" > /dev/null ||
			die "cannot read the $suite package list (see $CACHE/apt/log)"
		(cd "$CACHE" && apt_private_get download "$pkg=$ver" >> "$CACHE/apt/log" 2>&1) ||
			die "$pkg $ver is not offered by $suite; offered: $(apt_private_get -qq madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); printf "%s ", $2}')"
		echo "$sha  $deb" | sha256sum -c --quiet > /dev/null 2>&1 ||
			die "$(basename "$deb"): sha256 $(sha256sum "$deb" | cut -c1-16)... is not the pinned $(echo "$sha" | cut -c1-16)..."
	fi
	echo "== unpacking $(basename "$deb")" >&2
	rm -rf "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$KVER.tar.xz" | tar -xJ -C "$CACHE"
	[ -f "$src/Makefile" ] || die "$deb holds no linux-source-$KVER tree"
	basename "$deb" > "$src/.unpacked"
fi
echo "$src"
