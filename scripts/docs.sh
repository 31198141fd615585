#!/bin/bash
# The documentation pages the series adds are free of docutils warnings.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/tree.sh" > /dev/null
tap_begin
added=$(kgit diff --name-only --diff-filter=A pristine..HEAD -- 'Documentation/*.rst')
for f in $added; do
	if out=$(PATH=/usr/bin:$PATH rst2html --halt=warning --report=warning \
			"$REPO/$f" 2>&1 > /dev/null); then
		tap_ok "docutils $f"
	else
		tap_diag "$out"
		tap_not_ok "docutils $f"
	fi
done
tap_done
