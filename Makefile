# BPF map lifetime series: one entry point. 'make' or 'make help' lists
# the targets; README.md says what they cost. Every target's line in the
# help is its '## ' comment below.
export KVER ?= 7.3
export BASE ?= patched
export DEBUG SMP MEM ARGS REPEAT TIMEOUT JOBS KSRC KOBJ TESTSRC OUT V ACCEL TCG_THREAD PROG_TESTS T BOOTS HOG

.DEFAULT_GOAL := help
.PHONY: help run test shell check check-quick check-stable shellcheck ktap-check tree export \
	roundtrip reset-tree bpf-ci mutants checkpatch bisect-check boots bench fuzz poke-stress kprobe-rereg clean distclean

## Usage: make TARGET [VAR=value ...]; exit 0 pass, 1 a test failed, 2 harness or
##   build failure, 124 guest hung (make itself says "Error N"; scripts/run.sh
##   and scripts/check.sh exit with N, and build/check/exit holds make check's).
##
## Run the tests
help: ## this list
	@sed -n 's/^## \{0,1\}//p; s/^\([a-z-]*\):.*## \(.*\)/  \1\t\2/p' $(MAKEFILE_LIST) | expand -t 18
run: ## tree, kernel, tests, QEMU; KTAP and "N passed, N failed" (KVER BASE ARGS ...)
	@scripts/run.sh
test: ## one test or subtest: T=prog_array_lifetime/second_drop_while_pending (or ARGS=...)
	@scripts/test.sh
shell: ## boot the guest with the tests (and bpftool, 7.3) into a busybox shell
	@GUEST_SHELL=1 scripts/run.sh
## Check everything
check: ## everything CI runs, as KTAP; the last line is "N passed, N failed"
	@scripts/check.sh
check-quick: ## make check without kernel builds (deps, shellcheck, harness, 7.3 patches)
	@CHECK_STAGES=quick scripts/check.sh
bpf-ci: ## selftests/bpf as BPF CI runs it, stock vs series: the differential (ARCH LLVM T SUITES)
	@BPFCI_ARCH=$(or $(ARCH),x86_64) BPFCI_LLVM=$(or $(LLVM),0) BPFCI_SUITES="$(SUITES)" scripts/bpf-ci.sh
check-stable: ## every stable branch: stock, patched, debug kernel; a matrix
	@scripts/check-stable.sh
shellcheck: ## shellcheck every script (.shellcheckrc: the deliberate exceptions)
	@scripts/shellcheck.sh
ktap-check: ## validate KTAP on stdin or F=FILE (e.g. a saved make check output)
	@python3 scripts/ktap-check.py --summary $(F)
mutants: ## each mutants/KVER/*.patch is caught by exactly the tests it names
	@scripts/mutants.sh
checkpatch: ## checkpatch.pl --strict on every patch; MAINTAINERS covers new files
	@scripts/checkpatch.sh
boots: ## the run of make run in BOOTS=N fresh guests (HOG=1: busy loops); per-test pass counts
	@scripts/boots.sh
bisect-check: ## build and boot (smoke test) the tree after each patch
	@scripts/bisect-check.sh
bench: ## stock vs patched 7.3 (BOOTS=3): close cost by map size, update/delete, hot paths
	@scripts/bench.sh
kprobe-rereg: ## a kprobe registered twice (tracefs, no BPF) on KIMG=bzImage: docs/ftrace-jmp.md
	@scripts/kprobe-rereg.sh "$(KIMG)"
poke-stress: ## emulator self-test: code rewritten under a running JITed caller
	@scripts/poke-stress.sh
## Work on the series (the tree: build/KVER/linux)
tree: ## build/KVER/linux: pristine Debian source + the series, as git commits
	@scripts/tree.sh
export: ## the tree's commits after 'pristine' -> patches/
	@scripts/export.sh
roundtrip: ## export == patches/, and pristine + patches == tree
	@scripts/roundtrip.sh
reset-tree: ## drop unexported work in the tree and re-apply the series
	rm -f build/$(KVER)/.series-stamp
	git -C build/$(KVER)/linux reset -q --hard pristine
	@scripts/tree.sh
clean: ## drop builds; keep the trees (and work in them), the .debs and ccache
	rm -rf build/*/*/obj* build/stable/*/*/obj* build/*/mutant-runs build/stable/*/mutant-runs build/*/bench build/check
distclean: ## remove build/ (ccache stays in ~/.cache/bpf-map-lifetime-ccache)
	rm -rf build
##
## Variables: KVER=7.3|7.2|6.12|6.1|5.10  BASE=patched|stock|mutant-NAME  ARGS='-t NAME[/SUB]'
##   or '-n NUM[/SUB]' (test_progs; all = every test)  T=NAME[/SUB]  V=1 (console live)
##   DEBUG=1 (KASAN, kmemleak, lockdep)  SMP=2  REPEAT=1 (not on 7.3: use boots)  TIMEOUT=900  ACCEL=kvm|tcg,...
##   KVER other than 7.3: patches/stable/KVER in build/stable/KVER  BOOTS=20 HOG=1 (boots; bench: 3)
##   PROG_TESTS='...' (the prog_tests test_progs is built with)  SECS= (poke-stress)
## shell: the tests and the bpftool built with test_progs. 'exit' powers the guest
##   off; Ctrl-A X quits QEMU.
fuzz: ## the lifetime fuzzer in a guest (docs/fuzz.md): SECS SEED BASE FUZZ_ARGS FUZZ_OUT KIMG
	@scripts/fuzz.sh
