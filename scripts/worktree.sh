#!/bin/bash
# worktree.sh NAME COMMIT: a second checkout of $REPO at COMMIT (stock
# kernel, mutants), kept between runs so that builds stay incremental.
. "$(dirname "$0")/lib.sh"
name=$1 commit=$2
wt=$KDIR/$name
# Parallel runs (make mutants) register worktrees of one repository in
# turn; the checkouts of 90,000 files each then go on side by side.
if [ ! -d "$wt" ]; then
	(
		flock 8
		kgit worktree prune
		kgit worktree add -q --no-checkout --detach "$wt" "$commit"
	) 8> "$KDIR/.worktree.lock"
fi
# seed-obj.sh gave every file an old mtime; without a refresh of the
# index, checkout -f would rewrite them all (new mtimes), and kbuild
# would rebuild the whole kernel on the next run (measured: 1422 objects).
git -C "$wt" update-index -q --refresh > /dev/null 2>&1 || true
git -C "$wt" checkout -q -f --detach "$commit"
git -C "$wt" reset -q --hard
echo "$wt"
