# BPF map lifetime series: one entry point. See README.md.
#   make run    [KVER=7.3|6.12|6.1] [BASE=patched|stock] [DEBUG=1] [SMP=2] [ARGS=...]
#   make check  everything CI runs; ends with "N passed, N failed"
export KVER ?= 7.3
export BASE ?= patched
export DEBUG SMP MEM ARGS REPEAT TIMEOUT JOBS KSRC KOBJ TESTSRC OUT BOOTS HOG

.PHONY: run check check-stable tree export roundtrip reset-tree mutants checkpatch bisect-check bench clean distclean
run:
	@scripts/run.sh
check:
	@scripts/check.sh
# The stable branches make check leaves out (6.12 mutants, 6.1).
check-stable:
	@scripts/check-stable.sh
tree:
	@scripts/tree.sh
export:
	@scripts/export.sh
roundtrip:
	@scripts/roundtrip.sh
# Each mutant must be caught by exactly the tests named for it.
mutants:
	@scripts/mutants.sh
checkpatch:
	@scripts/checkpatch.sh
# The run of 'make run' in BOOTS=N fresh guests (HOG=1: busy loops
# beside the tests); how often each test passed.
.PHONY: boots
boots:
	@scripts/boots.sh
# Stock and patched kernels in one run: release cost and hot paths.
bench:
	@scripts/bench.sh
# Build and boot the tree after each patch.
bisect-check:
	@scripts/bisect-check.sh
# Drop unexported work in the tree and re-apply the series.
reset-tree:
	rm -f build/$(KVER)/.series-stamp
	git -C build/$(KVER)/linux reset -q --hard pristine
	@scripts/tree.sh
# Drop builds; keep the sources, the trees (and work in them) and ccache.
clean:
	rm -rf build/*/*/obj* build/*/mutant-runs build/*/bench
distclean:
	rm -rf build
# Emulator self-test: cross-modifying code and text_poke on a running
# JITed caller (docs/int3.md). SECS=.. per check, ACCEL=.. (default
# tcg,thread=single), MODES=.., CPU=.., SMP=.., QEMU=.., KIMG=..
.PHONY: poke-stress
poke-stress:
	@scripts/poke-stress.sh
# Lifetime fuzzer in a guest (docs/fuzz.md): SECS, SEED, BASE, FUZZ_ARGS, FUZZ_OUT, KIMG.
.PHONY: fuzz
fuzz:
	@scripts/fuzz.sh
