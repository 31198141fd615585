#!/bin/bash
# Print the kernel version of a source tree, e.g. 6.12.117 or 7.3.0-rc7.
[ -f "$1/Makefile" ] || exit 1
awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3} /^EXTRAVERSION =/{e=$3}
     END{print v "." p "." s e}' "$1/Makefile"
