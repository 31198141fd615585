#!/bin/sh
# shellcheck shell=dash
# Guest side of docs/ftrace-jmp.md: a kprobe through tracefs (no BPF) on
# FUNC at +0, an ftrace site: add, enable, hit, disable, remove; three
# rounds. FUNC (default do_truncate) is hit by truncate(1). A kernel
# whose ftrace trampoline jumps to an odd-addressed handler instead of
# calling it oopses in round 2 ("ftrace: Expected E8, got e9" first).
T=/sys/kernel/tracing
F=${1:-do_truncate}
for r in 1 2 3; do
	echo "kp: round $r: p:kp $F"
	echo "p:kp $F" > $T/kprobe_events || { echo "kp: cannot add"; exit 1; }
	echo 1 > $T/events/kprobes/kp/enable
	grep -c . $T/enabled_functions | sed 's/^/kp: enabled_functions lines: /'
	: > /tmp/f; truncate -s 0 /tmp/f
	hits=$(grep -c 'kp:' $T/trace) || hits=0
	echo "kp: hits: $hits"
	echo 0 > $T/events/kprobes/kp/enable
	echo "-:kp" >> $T/kprobe_events
	echo > $T/trace
done
echo "kp: done"
