#!/bin/sh
# The documentation stays true to the tree, as TAP tests of `make
# user-test`; run from the top of the tree: `make help` names every target
# the Makefile declares, each Documentation/*.rst parses without a
# docutils warning, and the man page formats without a groff warning.
# shellcheck source=qemu/lib.sh
. ./qemu/lib.sh
tap_start 3

# Targets: the .PHONY list, less the internal check-kdir.
targets=$(sed -n '/^\.PHONY:/,/[^\\]$/p' Makefile | tr -d '\\\n' |
	sed 's/^\.PHONY://' | tr -s ' \t' '\n' | grep -v '^check-kdir$' | grep .)
help=$(make --no-print-directory help)
missing=""
for t in $targets; do
	printf '%s\n' "$help" | grep -q "^  $t " || missing="$missing $t"
done
if [ -z "$missing" ]; then
	tap_ok "make help names all $(echo "$targets" | wc -l) targets"
else
	tap_not_ok "make help names every target" "missing:$missing"
fi

if ! python3 -c 'import docutils' 2>/dev/null; then
	tap_not_ok "Documentation/*.rst parse cleanly" "python3-docutils is not installed"
else
	out=$(python3 - Documentation/*.rst <<'PY' 2>&1
import sys, docutils.core
for f in sys.argv[1:]:
    with open(f) as src:
        docutils.core.publish_doctree(src.read(), source_path=f,
            settings_overrides={"report_level": 2, "halt_level": 5})
PY
)
	if [ -z "$out" ]; then
		tap_ok "Documentation/*.rst parse without a docutils warning"
	else
		tap_not_ok "Documentation/*.rst parse without a docutils warning" "$out"
	fi
fi

if out=$(groff -man -ww -z Documentation/madvstat.1 2>&1) && [ -z "$out" ]; then
	tap_ok "Documentation/madvstat.1 formats without a groff warning"
else
	tap_not_ok "Documentation/madvstat.1 formats without a groff warning" "$out"
fi
tap_finish
