#!/bin/bash
# Get Debian's linux-source-$KVER once and unpack it into the cache.
# Prints the path of the pristine source folder.
. "$(dirname "$0")/lib.sh"

src=$CACHE/linux-source-$KVER
if [ ! -f "$src/.unpacked" ]; then
	mkdir -p "$CACHE"
	deb=$(ls "$CACHE"/linux-source-"${KVER}"_*.deb 2>/dev/null | tail -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$CACHE" && apt-get download "linux-source-$KVER" >/dev/null 2>&1) ||
		(apt-get update -q >/dev/null 2>&1 &&
		 cd "$CACHE" && apt-get download "linux-source-$KVER" >/dev/null 2>&1) ||
			die "apt-get download linux-source-$KVER failed (is a Debian mirror with bookworm-security reachable?)"
		deb=$(ls "$CACHE"/linux-source-"${KVER}"_*.deb | tail -n1)
	fi
	echo "== unpacking $(basename "$deb")" >&2
	rm -rf "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$KVER.tar.xz" | tar -xJ -C "$CACHE"
	[ -f "$src/Makefile" ] || die "$deb holds no linux-source-$KVER tree"
	basename "$deb" > "$src/.unpacked"
fi
echo "$src"
