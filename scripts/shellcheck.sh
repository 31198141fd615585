#!/bin/bash
# Runs every shell script of the harness through shellcheck
# (Debian's, installed by deps.sh), one result per script. The deliberate
# exceptions are in .shellcheckrc (and, where one line needs one, a
# "# shellcheck disable=..." comment with its reason beside it).
. "$(dirname "$0")/lib.sh"
command -v shellcheck > /dev/null || die "shellcheck missing: install shellcheck (scripts/deps.sh does)"
cd "$TOP"
files=(scripts/*.sh scripts/init scripts/bpf-ci-init scripts/cc-ccache tests/*.sh .ci/run)
tap_begin "${#files[@]}"
for f in "${files[@]}"; do
	if out=$(shellcheck -x -f gcc "$f" 2>&1); then
		tap_ok "shellcheck $f"
	else
		tap_diag "$out"
		tap_not_ok "shellcheck $f"
	fi
done
v=$(shellcheck --version | sed -n 's/^version: /shellcheck /p')
tap_diag "$v"
tap_done
