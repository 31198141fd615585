#!/bin/bash
# worktree.sh NAME COMMIT: a second checkout of $REPO at COMMIT (stock
# kernel, mutants), kept between runs so that builds stay incremental.
. "$(dirname "$0")/lib.sh"
name=$1 commit=$2
wt=$KDIR/$name
# Parallel runs (make mutants) add worktrees of one repository in turn.
exec 8> "$KDIR/.worktree.lock"
flock 8
if [ ! -d "$wt" ]; then
	kgit worktree prune
	kgit worktree add -q --detach "$wt" "$commit"
else
	git -C "$wt" checkout -q -f --detach "$commit"
	git -C "$wt" reset -q --hard
fi
echo "$wt"
