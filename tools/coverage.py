#!/usr/bin/env python3
"""Print a Markdown coverage table of a factline dataset.

    python3 tools/coverage.py [DATASET] [--check README | --write README]

DATASET defaults to data/factline.json. The table has three parts:
- totals: groups, operations, targets, legal outcomes, sources;
- by year: groups by the year they were founded, operations by the year they
  started, legal outcomes by the year of their date (a record without a year
  counts under "unknown");
- by kind: group kinds, legal outcome kinds, source kinds, and operations per
  tactic (an operation with two tactics counts under each).

--check README compares the text between `<!-- coverage:start -->` and
`<!-- coverage:end -->` in README with the generated table and exits 1 with a
diff when they differ; --write README replaces that text. Both exit 2 when
the file or the markers are missing.
"""
import argparse
import difflib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- coverage:start -->"
END = "<!-- coverage:end -->"
UNKNOWN = "unknown"


def year(value):
    """The year of an EDTF date (`2011`, `2011-06`, `2011-06-20`), else None."""
    m = re.match(r"^(\d{4})", value) if isinstance(value, str) else None
    return m.group(1) if m else None


def by_year(records, field):
    return Counter(year(r.get(field)) or UNKNOWN for r in records)


def table(header, rows, text_columns=1):
    """A Markdown table; the columns after the first `text_columns` are counts, right-aligned."""
    align = ["---" if i < text_columns else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def coverage(ds):
    """The Markdown text for a dataset (a dict in the dataset format)."""
    groups, ops = ds.get("groups", []), ds.get("operations", [])
    los, sources, targets = ds.get("legal_outcomes", []), ds.get("sources", []), ds.get("targets", [])
    out = ["**Totals**", ""]
    out += table(["Records", "Count"], [
        ["groups", len(groups)], ["operations", len(ops)], ["targets", len(targets)],
        ["legal outcomes", len(los)], ["sources", len(sources)],
    ])

    founded, started, dated = by_year(groups, "founded"), by_year(ops, "start"), by_year(los, "date")
    years = sorted(set(founded) | set(started) | set(dated), key=lambda y: (y == UNKNOWN, y))
    out += ["", "**By year**", ""]
    out += table(["Year", "Groups founded", "Operations", "Legal outcomes"],
                 [[y, founded[y], started[y], dated[y]] for y in years])

    kinds = [
        ("group kind", Counter(g.get("kind") or UNKNOWN for g in groups)),
        ("legal outcome kind", Counter(lo.get("kind") or UNKNOWN for lo in los)),
        ("source kind", Counter(s.get("kind") or UNKNOWN for s in sources)),
        ("tactic", Counter(t for o in ops for t in o.get("tactics") or [])),
    ]
    out += ["", "**By kind**", ""]
    out += table(["Of", "Kind", "Count"],
                 [[label, kind, n] for label, counts in kinds for kind, n in sorted(counts.items())], 2)
    return "\n".join(out) + "\n"


def split_readme(text, path):
    """Returns (before including the start marker, section, from the end marker on)."""
    i, j = text.find(START), text.find(END)
    if i < 0 or j < 0 or j < i:
        raise ValueError(f"{path}: needs the markers {START} and {END}, in that order")
    head = i + len(START)
    return text[:head], text[head:j], text[j:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", default=str(ROOT / "data" / "factline.json"))
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", metavar="README", help="exit 1 with a diff if README's table is out of date")
    mode.add_argument("--write", metavar="README", help="rewrite README's table")
    args = ap.parse_args(argv)
    try:
        with open(args.dataset, encoding="utf-8") as f:
            generated = coverage(json.load(f))
    except (OSError, json.JSONDecodeError) as e:
        print(f"coverage: cannot read {args.dataset}: {e}", file=sys.stderr)
        return 2
    readme = args.check or args.write
    if not readme:
        sys.stdout.write(generated)
        return 0
    try:
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        head, section, tail = split_readme(text, readme)
    except (OSError, ValueError) as e:
        print(f"coverage: {e}", file=sys.stderr)
        return 2
    if args.write:
        new = head + "\n" + generated + tail
        if new != text:
            with open(readme, "w", encoding="utf-8") as f:
                f.write(new)
        print(f"coverage: {readme} {'updated' if new != text else 'already up to date'}", file=sys.stderr)
        return 0
    if section.strip("\n") == generated.strip("\n"):
        return 0
    diff = difflib.unified_diff(section.strip("\n").splitlines(), generated.strip("\n").splitlines(),
                                f"{readme} (coverage section)", f"generated from {args.dataset}", lineterm="")
    print(f"coverage: the table in {readme} is out of date; run with --write {readme}", file=sys.stderr)
    print("\n".join(diff))
    return 1


if __name__ == "__main__":
    sys.exit(main())
