#!/bin/sh
# libs.sh BINARY: every shared library the dynamic loader maps for BINARY (ldd = transitive closure), with on-disk size.
ldd "$1" | awk '/=> \//{print $1, $3}' | while read name path; do
  real=$(readlink -f "$path"); printf "%-28s %9d  %s\n" "$name" "$(stat -c %s "$real")" "$(dpkg -S "$real" 2>/dev/null | cut -d: -f1 | head -1)"
done | sort -k2 -n -r
