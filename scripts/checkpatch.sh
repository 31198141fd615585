#!/bin/bash
# checkpatch.pl --strict on every patch of the series. Accepted findings:
# - MISSING_SIGN_OFF: the series awaits its submitter's sign-off;
# - UNKNOWN_COMMIT_ID: the Debian tree has no upstream history to look the
#   cited commits up in;
# - FILE_PATH_CHANGES: new files need no MAINTAINERS change when an entry
#   already covers them, which get_maintainer.pl is asked below.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
# checkpatch.pl checks SPDX lines with scripts/spdxcheck.py, which needs
# python3-ply; 5.10's runs it as "python", which Debian 12 does not have
# (another python on PATH lacks ply): "python" is Debian's python3 here.
pybin=$BUILD/python-bin
mkdir -p "$pybin" && ln -sfn /usr/bin/python3 "$pybin/python"
tap_begin
for d in "${SERIES[@]}"; do
	list=$(series_list "$d")
	while read -r p; do
		[ -n "$p" ] || continue
		p=${d#"$TOP"/patches}/$p p=${p#/}
		if out=$(cd "$REPO" && PATH=$pybin:/usr/bin:$PATH ./scripts/checkpatch.pl --strict --quiet --no-summary \
				--ignore MISSING_SIGN_OFF,UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES --show-types "$TOP/patches/$p" 2>&1) && [ -z "$out" ]; then
			tap_ok "checkpatch $p"
		else
			tap_diag "$out"
			tap_not_ok "checkpatch $p"
		fi
	done <<< "$list"
done
# Every file the series adds falls under a BPF entry of MAINTAINERS.
added=$(kgit diff --name-only --diff-filter=A pristine..HEAD)
for f in $added; do
	ents=$(cd "$REPO" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
		--subsystem --no-email --no-l --no-s --no-r --no-m -f "$f" 2>/dev/null |
		grep '^BPF' | paste -sd, -)
	if [ -n "$ents" ]; then
		tap_ok "maintainers $f: $ents"
	else
		tap_not_ok "maintainers $f: no BPF entry covers it"
	fi
done
tap_done
