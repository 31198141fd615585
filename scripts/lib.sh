# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KVER=${KVER:-6.12}
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/cache
KDIR=${KDIR:-$BUILD/$KVER}
REPO=$KDIR/linux			# git tree: pristine commit + series
PATCHDIR=$TOP/patches
[ "$KVER" = 6.12 ] || PATCHDIR=$TOP/patches/$KVER
JOBS=${JOBS:-$(nproc)}
# ccache outlives the clone, so CI on a machine that built before is warm.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-map-lifetime-ccache}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "== $*"; }

# The series file: names relative to its folder, '#' comments allowed.
series_list() {
	local f=$1/series
	[ -f "$f" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$f"
}

# series_stamp DIR: a hash of the series and its patches.
series_stamp() {
	(series_list "$1"; series_list "$1" | while read -r p; do
		cat "$1/$p" 2> /dev/null; done) | sha1sum | cut -c1-40
}

# Git with a fixed identity: the harness commits only the pristine source.
kgit() {
	git -C "$REPO" -c user.name="map lifetime harness" \
		-c user.email="harness@invalid" -c advice.detachedHead=false "$@"
}

# apply_series TREE DIR: git am every patch of DIR/series onto TREE's HEAD.
# A patch that does not apply aborts the am and ends the run with one line
# naming the patch and where it failed.
apply_series() {
	local tree=$1 dir=$2 p out where n=0
	while read -r p; do
		[ -f "$dir/$p" ] || die "series names $p, which is not in ${dir#"$TOP"/}/"
		if ! out=$(git -C "$tree" -c user.name=harness -c user.email=harness@invalid \
				am -q --keep-cr "$dir/$p" 2>&1); then
			git -C "$tree" am --abort > /dev/null 2>&1 || true
			where=$(printf '%s\n' "$out" | sed -n \
				-e 's/^error: patch failed: \(.*\)$/hunk at \1/p' \
				-e 's/^error: \(.*\): does not exist in index$/\1 (no such file)/p' \
				-e 's/^error: \(.*\): already exists in working directory$/\1 (already exists)/p' |
				head -n 1)
			die "patch $p does not apply: ${where:-$(printf '%s\n' "$out" | grep -m1 -i -e error -e fatal)}"
		fi
		n=$((n + 1))
	done < <(series_list "$dir")
	echo "$n"
}
