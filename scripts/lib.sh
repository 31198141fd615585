# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KVER=${KVER:-6.12}
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/cache
KDIR=$BUILD/$KVER
REPO=$KDIR/linux			# git tree: pristine commit + series
PATCHDIR=$TOP/patches
[ "$KVER" = 6.12 ] || PATCHDIR=$TOP/patches/$KVER
JOBS=${JOBS:-$(nproc)}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "== $*"; }

# The series file: names relative to its folder, '#' comments allowed.
series_list() {
	local f=$1/series
	[ -f "$f" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$f"
}

# Git with a fixed identity: the harness commits only the pristine source.
kgit() {
	git -C "$REPO" -c user.name="map lifetime harness" \
		-c user.email="harness@invalid" -c advice.detachedHead=false "$@"
}
