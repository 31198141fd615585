# BPF map lifetime series: one entry point. See README.md.
#   make run    [KVER=6.12|6.1] [BASE=patched|stock] [DEBUG=1] [SMP=2] [ARGS=...]
#   make check  everything CI runs; ends with "N passed, N failed"
export KVER ?= 6.12
export BASE ?= patched
export DEBUG SMP MEM ARGS REPEAT TIMEOUT JOBS KSRC KOBJ TESTSRC OUT

.PHONY: run check tree export roundtrip reset-tree clean distclean
run:
	@scripts/run.sh
check:
	@scripts/check.sh
tree:
	@scripts/tree.sh
export:
	@scripts/export.sh
roundtrip:
	@scripts/roundtrip.sh
# Drop unexported work in the tree and re-apply the series.
reset-tree:
	rm -f build/$(KVER)/.series-stamp
	git -C build/$(KVER)/linux reset -q --hard pristine
	@scripts/tree.sh
# Drop builds; keep the sources, the trees (and work in them) and ccache.
clean:
	rm -rf build/*/obj* build/*/tests
distclean:
	rm -rf build
