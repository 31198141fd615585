#!/bin/bash
# checkpatch.pl --strict on every patch of the series. Accepted findings:
# - MISSING_SIGN_OFF: the series awaits its submitter's sign-off;
# - UNKNOWN_COMMIT_ID: the Debian tree has no upstream history to look the
#   cited commits up in;
# - FILE_PATH_CHANGES: new files need no MAINTAINERS change when an entry
#   already covers them, which get_maintainer.pl is asked below.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
pass=0 fail=0 n=0
for d in "${SERIES[@]}"; do
	for p in $(series_list "$d"); do
		n=$((n + 1)) p=${d#"$TOP"/patches}/$p p=${p#/}
		if out=$(cd "$REPO" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --quiet --no-summary \
				--ignore MISSING_SIGN_OFF,UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES --show-types "$TOP/patches/$p" 2>&1) && [ -z "$out" ]; then
			echo "ok $n checkpatch $p"; pass=$((pass + 1))
		else
			echo "not ok $n checkpatch $p"; printf '%s\n' "$out" | sed 's/^/# /'
			fail=$((fail + 1))
		fi
	done
done
# Every file the series adds falls under a BPF entry of MAINTAINERS.
for f in $(kgit diff --name-only --diff-filter=A pristine..HEAD); do
	n=$((n + 1))
	ents=$(cd "$REPO" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
		--subsystem --no-email --no-l --no-s --no-r --no-m -f "$f" 2>/dev/null |
		grep '^BPF' | paste -sd, -)
	if [ -n "$ents" ]; then
		echo "ok $n maintainers $f: $ents"; pass=$((pass + 1))
	else
		echo "not ok $n maintainers $f: no BPF entry covers it"; fail=$((fail + 1))
	fi
done
echo "$pass $fail 0" > "${COUNTS:-/dev/null}"
[ "$fail" = 0 ]
