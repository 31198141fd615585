#!/usr/bin/env python3
"""ktap-check.py [--summary] [--strict] [FILE]: validate KTAP output.

Checks what docs.kernel.org/dev-tools/ktap.html asks of version 1 output,
for the top level and every nested test (any deeper indentation opens one):
  - it starts with "KTAP version 1" (a nested one also with "TAP version
    13/14");
  - one plan "1..N", right after the version line (diagnostics between
    allowed) or after the last result;
  - results "ok N [description] [# directive]" / "not ok N ...", numbered
    1, 2, ... N with N the plan;
  - a test whose subtests failed is not "ok";
  - lines of no KTAP kind ("unknown lines") are warnings; with --strict,
    errors, except the harness's final "N passed, N failed[, N skipped]".
The harness's final line, when present, must match the leaf results (the
results that have no subtests): passed = ok, failed = not ok, skipped =
ok # SKIP. --summary prints the counts. Exit 0 when valid, 1 otherwise.
Python 3 standard library only.
"""
import re
import sys

VERSION = re.compile(r"^(KTAP version 1|TAP version 1[34])$")
PLAN = re.compile(r"^1\.\.(\d+)(\s+#.*)?$")
RESULT = re.compile(r"^(not )?ok (\d+)(?: (.*))?$")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")


def directive(desc):
    """The directive of a description ('SKIP', 'TODO', ...) or ''."""
    m = re.search(r"(?<!\\)#\s*(\w+)", desc or "")
    return m.group(1).upper() if m else ""


class Block:
    def __init__(self, lineno):
        self.lineno = lineno
        self.plan = None
        self.results = []  # (lineno, ok, num, desc, children)


def main(argv):
    summary = "--summary" in argv
    strict = "--strict" in argv
    files = [a for a in argv if not a.startswith("--")]
    with open(files[0], errors="replace") if files else sys.stdin as f:
        lines = [l.rstrip("\n").rstrip("\r") for l in f]
    errors, warnings = [], []

    def err(n, msg):
        errors.append(f"line {n}: {msg}")

    # The harness's last line (CI reads it): outside KTAP.
    final = None
    body = [(n, l) for n, l in enumerate(lines, 1) if l.strip()]
    if body and SUMMARY.match(body[-1][1]):
        final = body.pop()
    pos = [0]

    def indent_of(l):
        return len(l) - len(l.lstrip(" "))

    def parse(indent):
        """One test's output at this indentation, from its version line."""
        while body[pos[0]][1].strip().startswith("#"):
            pos[0] += 1  # diagnostics before its version line
        n, raw = body[pos[0]]
        blk = Block(n)
        if not VERSION.match(raw.strip()):
            err(n, f"a test must start with 'KTAP version 1', got {raw.strip()[:60]!r}")
        else:
            pos[0] += 1
        children = None
        while pos[0] < len(body):
            n, raw = body[pos[0]]
            ind, text = indent_of(raw), raw.strip()
            if ind < indent:
                break
            if ind > indent:
                if text.startswith("#") and not body_has_version_at(ind):
                    pos[0] += 1  # indented diagnostics
                    continue
                if children is not None:
                    err(n, "two nested tests for one result line")
                children = parse(ind)
                continue
            pos[0] += 1
            if VERSION.match(text):
                err(n, "a second version line in one test")
                continue
            m = PLAN.match(text)
            if m:
                if blk.plan is not None:
                    err(n, "a second plan")
                elif blk.results and pos[0] < len(body) and any(
                        RESULT.match(l.strip()) and indent_of(l) == indent
                        for _, l in body[pos[0]:]):
                    err(n, "the plan must come first or after the last result")
                blk.plan = int(m.group(1))
                continue
            m = RESULT.match(text)
            if m:
                ok, num, desc = not m.group(1), int(m.group(2)), m.group(3) or ""
                want = len(blk.results) + 1
                if num != want:
                    err(n, f"result numbered {num}, expected {want}")
                if children is not None:
                    failed = [r for r in children.results
                              if not r[1] and directive(r[3]) != "TODO"]
                    if ok and failed and directive(desc) != "SKIP":
                        err(n, f"'ok {num}' although {len(failed)} of its subtests failed")
                blk.results.append((n, ok, num, desc, children))
                children = None
                continue
            if text.startswith("#"):
                continue
            (errors if strict else warnings).append(
                f"line {n}: not a KTAP line: {text[:70]!r}")
        if children is not None:
            err(children.lineno, "a nested test without its result line")
        if blk.plan is None:
            err(blk.lineno, "test has no plan")
        elif blk.plan != len(blk.results):
            err(blk.lineno, f"plan 1..{blk.plan} but {len(blk.results)} results")
        return blk

    def body_has_version_at(ind):
        """Whether a nested test starts here (its version line)."""
        for _, l in body[pos[0]:]:
            if indent_of(l) != ind:
                return False
            t = l.strip()
            if VERSION.match(t):
                return True
            if not t.startswith("#"):
                return False
        return False

    top = None
    if not body:
        err(1, "no KTAP output")
    elif indent_of(body[0][1]):
        err(body[0][0], "the top-level version line must not be indented")
    else:
        top = parse(0)
        if pos[0] < len(body):
            err(body[pos[0]][0], "output after the end of the top-level test")

    # Leaf counts, and the final line against them.
    counts = [0, 0, 0]

    def leaves(blk):
        for _, ok, _, desc, children in blk.results:
            if children is not None and children.results:
                leaves(children)
            elif not ok:
                counts[1] += 1
            elif directive(desc) == "SKIP":
                counts[2] += 1
            else:
                counts[0] += 1
    if top is not None:
        leaves(top)
    if final is not None:
        m = SUMMARY.match(final[1])
        got = [int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)]
        if got != counts:
            err(final[0], f"final line {final[1]!r} does not match the results: "
                f"{counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
    elif strict:
        errors.append("no final 'N passed, N failed' line")

    for w in warnings:
        print(f"ktap-check: warning: {w}", file=sys.stderr)
    for e in errors:
        print(f"ktap-check: error: {e}", file=sys.stderr)
    if summary and top is not None:
        fails = [f"{r[2]} {r[3]}" for r in top.results if not r[1]]
        print(f"ktap-check: {'valid' if not errors else 'INVALID'} KTAP; "
              f"{len(top.results)} top-level tests ({len(fails)} not ok); "
              f"leaves: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        for f in fails:
            print(f"ktap-check: not ok {f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
