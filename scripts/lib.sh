# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KVER=${KVER:-7.3}
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/cache
# The series applied in order: for mainline the bpf fixes, then the
# bpf-next rework on top (the tree's tag 'bpf' marks where one ends). The
# stable backports of the bpf fixes (patches/stable/KVER) are the only
# series of 7.2 and 5.10; for 6.12 and 6.1 STABLE=1 picks them instead of
# the older series of everything (patches/series, patches/6.1), in a tree
# of their own (build/stable/KVER).
case $KVER in 7.2 | 5.10) STABLE=1 ;; esac
STABLE=${STABLE:-0}
if [ "$STABLE" = 1 ]; then
	KDIR=${KDIR:-$BUILD/stable/$KVER}
	SERIES=("$TOP/patches/stable/$KVER")
else
	KDIR=${KDIR:-$BUILD/$KVER}
	case $KVER in
	7.3)	SERIES=("$TOP/patches/bpf" "$TOP/patches/bpf-next") ;;
	6.12)	SERIES=("$TOP/patches") ;;
	*)	SERIES=("$TOP/patches/$KVER") ;;
	esac
fi
REPO=$KDIR/linux			# git tree: pristine commit + series
# Mutants and the stock kernel's expected failures of this series.
MUTDIR=$TOP/mutants/$KVER
[ "$STABLE" = 0 ] || MUTDIR=$TOP/mutants/stable/$KVER
# The tests are upstream test_progs (with a BTF kernel) for mainline and
# the stable backports; the older 6.12 and 6.1 series have their own.
TEST_PROGS=0
[ "$KVER" != 7.3 ] && [ "$STABLE" = 0 ] || TEST_PROGS=1
PATCHDIR=${SERIES[0]}
JOBS=${JOBS:-$(nproc)}
# ccache outlives the clone, so CI on a machine that built before is warm.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-map-lifetime-ccache}

# pinned KVER: "package version suite sha256" from kernels.tsv.
pinned() { awk -v k="$1" '$1 == k { print $2, $3, $4, $5; f = 1 } END { exit !f }' "$TOP/kernels.tsv"; }

# apt_private SUITE: a private apt configuration that reads SUITE from
# the archive this machine's Debian apt source names; updates its lists
# once. apt_private_get ARGS...: apt-get (or apt-cache for madison/policy)
# with it.
APT=$CACHE/apt
apt_opts() {
	echo "-o Dir::Etc::SourceList=$APT/sources.list -o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$APT/lists -o Dir::Cache=$APT/cache -o APT::Sandbox::User=root"
}
apt_private() {
	local suite=$1 want=main uri
	case $suite in *-security) want=security ;; esac
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		sed -n -e 's/^URIs: *//p' -e 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' |
		awk -v w="$want" '/debian-security/ { if (w == "security") { print; exit } next }
				   /debian/ { if (w == "main") { print; exit } }')
	[ -n "$uri" ] || { echo "no Debian apt source on this machine to read $suite from" >&2; return 1; }
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	local line="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	[ "$(cat "$APT/sources.list" 2>/dev/null)" = "$line" ] && [ -f "$APT/.updated" ] && return 0
	echo "$line" > "$APT/sources.list"
	rm -f "$APT/.updated"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update >> "$APT/log" 2>&1 && touch "$APT/.updated"
}
apt_private_get() {
	case " $* " in
	*" madison "* | *" policy "*) # shellcheck disable=SC2046
		apt-cache $(apt_opts) "$@" ;;
	*)	# shellcheck disable=SC2046
		apt-get $(apt_opts) "$@" ;;
	esac
}

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
