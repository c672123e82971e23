#!/usr/bin/env python3
"""Check the corpus fragments (data/corpus/*.json) before they are merged.

    python3 tools/corpus_check.py [FRAGMENT ...]

Reports, per fragment: records by kind, references that resolve nowhere
(neither in the fragment, another fragment nor the bundled dataset), values
outside the vocabularies, malformed dates, groups and operations without an
Arabic name, dates/figures/persons and group-link roles without a citation
naming their `field`, operations without a start, disputed records without
alternatives or a note, alternatives without a citation, non-English names
of kind `primary` without a `names` citation, slugs declared in more than one
file (another fragment or the bundled dataset), sources without a kind,
source URLs held twice, and sources no record cites. Exits 1 when anything
but the last two is found.
Files under data/corpus/ without any record list (e.g. crosswalk.json) are
not fragments and are skipped.

This is the research stage's check; `factline check` (the corpus issue)
becomes the one that runs on the merged dataset.
"""
import glob
import json
import re
import sys
from collections import Counter, defaultdict

KINDS = ("sources", "groups", "targets", "operations", "legal_outcomes")
VOCAB = {
    "group.kind": {"collective", "cell", "crew", "banner", "faction", "other"},
    "target.kind": {"company", "government", "religious_org", "website", "person", "ngo", "media", "other"},
    "tactic": {"ddos", "doxing", "defacement", "protest", "data_leak", "raid", "black_fax", "prank_calls",
               "account_takeover", "website_takedown", "sql_injection", "financial_fraud", "intrusion",
               "phishing", "dns_hijack", "other"},
    "lo.kind": {"arrest", "charge", "indictment", "plea", "conviction", "acquittal", "sentence", "fine",
                "restitution", "damages_claim", "other"},
    "source.kind": {"news", "court_record", "government", "press_release", "academic", "encyclopedia",
                    "wiki", "blog", "forum", "report", "social", "group_statement", "reference", "other",
                    "seed"},
    "role": {"attributed", "claimed", "organizer", "participant", "supporter"},
    "name.kind": {"primary", "alias", "transliteration", "translation"},
    "money.kind": {"victim_reported_loss", "prosecution_alleged_loss", "restitution_ordered", "fine", "damages_claim"},
}
EDTF = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(paths):
    seed = load("data/factline.json")
    every = {p: d for p in sorted(glob.glob("data/corpus/*.json"))
             for d in [load(p)] if any(k in d for k in KINDS)}
    fragments = {p: every.get(p) or load(p) for p in (paths or every)}
    # References resolve against every fragment, whichever are checked.
    everything = [seed, *every.values(), *fragments.values()]
    known = {k: {r["slug"] for d in everything for r in d.get(k, [])} for k in KINDS}
    declared = defaultdict(list)
    for name, d in [("seed", seed), *every.items()]:
        for k in KINDS:
            for r in d.get(k, []):
                declared[(k, r["slug"])].append(name)
    urls = defaultdict(list)
    for name, d in [("seed", seed), *every.items()]:
        for s in d.get("sources", []):
            if s.get("url"):
                urls[s["url"]].append(f"{name}:{s['slug']}")
    failed = False
    for path, d in fragments.items():
        problems, notes = [], []
        bad = problems.append
        cited = set()

        def cites(where, cs, fields=()):
            for c in cs or []:
                if c.get("source") not in known["sources"]:
                    bad(f"{where}: unknown source {c.get('source')!r}")
                cited.add(c.get("source"))
            have = {c.get("field") for c in cs or []}
            for f in fields:
                if f not in have:
                    bad(f"{where}: no citation with field {f!r}")

        def date(where, v, open_ok=False):
            if v is None or (open_ok and v == ".."):
                return
            if not isinstance(v, str) or not EDTF.match(v):
                bad(f"{where}: {v!r} is not an EDTF date (YYYY, YYYY-MM, YYYY-MM-DD)")

        def names(where, ns, need_ar):
            langs = {n.get("lang") for n in ns or []}
            if "en" not in langs:
                bad(f"{where}: no English name")
            if need_ar and "ar" not in langs:
                bad(f"{where}: no Arabic name")
            for n in ns or []:
                if n.get("kind") not in VOCAB["name.kind"]:
                    bad(f"{where}: name kind {n.get('kind')!r}")

        def primary_names(where, r):
            # A name in another language counts as a source's own spelling only with a citation for it.
            if any(n.get("kind") == "primary" and n.get("lang") != "en" for n in r.get("names") or []) \
                    and not any(c.get("field") == "names" for c in r.get("citations") or []):
                bad(f"{where}: non-English primary name without a citation with field 'names'")

        def disputes(where, r):
            alts = r.get("alternatives") or []
            if r.get("disputed") and not alts and not r.get("dispute_note"):
                bad(f"{where}: disputed without alternatives or a note")
            for i, a in enumerate(alts):
                if not a.get("citations"):
                    bad(f"{where}.alternatives[{i}]: no citation")
                cites(f"{where}.alternatives[{i}]", a.get("citations"))

        for s in d.get("sources", []):
            if s.get("kind") not in VOCAB["source.kind"]:
                bad(f"source {s['slug']}: kind {s.get('kind')!r}")
            if not s.get("url"):
                bad(f"source {s['slug']}: no url")
            date(f"source {s['slug']}.published", s.get("published"))
        for g in d.get("groups", []):
            w = f"group {g['slug']}"
            if g.get("kind") not in VOCAB["group.kind"]:
                bad(f"{w}: kind {g.get('kind')!r}")
            if g.get("parent") and g["parent"] not in known["groups"]:
                bad(f"{w}: unknown parent {g['parent']!r}")
            names(w, g.get("names"), True)
            primary_names(w, g)
            date(f"{w}.founded", g.get("founded"))
            date(f"{w}.dissolved", g.get("dissolved"))
            cites(w, g.get("citations"),
                  [f for f in ("founded", "dissolved") if g.get(f)])
        for t in d.get("targets", []):
            w = f"target {t['slug']}"
            if t.get("kind") not in VOCAB["target.kind"]:
                bad(f"{w}: kind {t.get('kind')!r}")
            names(w, t.get("names"), False)
            primary_names(w, t)
            cites(w, t.get("citations"))
        for o in d.get("operations", []):
            w = f"operation {o['slug']}"
            names(w, o.get("names"), True)
            primary_names(w, o)
            if not o.get("start"):
                # factline requires a start; EDTF's open start exists only inside an interval.
                bad(f"{w}: no start (an EDTF date, at least a year)")
            date(f"{w}.start", o.get("start"))
            date(f"{w}.end", o.get("end"), open_ok=True)
            if o.get("part_of") and o["part_of"] not in known["operations"]:
                bad(f"{w}: unknown part_of {o['part_of']!r}")
            for tac in o.get("tactics", []):
                if tac not in VOCAB["tactic"]:
                    bad(f"{w}: tactic {tac!r}")
            cites(w, o.get("citations"),
                  [f for f in ("start",) if o.get("start")]
                  # An operation of one day or month: the start's citation backs its end.
                  + [f for f in ("end",) if o.get("end") not in (None, "..", o.get("start"))])
            for l in o.get("groups", []):
                if l.get("group") not in known["groups"]:
                    bad(f"{w}: unknown group {l.get('group')!r}")
                if l.get("role") not in VOCAB["role"]:
                    bad(f"{w}: role {l.get('role')!r}")
                if not l.get("citations"):
                    bad(f"{w}: link to {l.get('group')} has no citation")
                # The role (claimed, attributed, ...) is a fact like a date: cite it with its field.
                cites(f"{w} -> {l.get('group')}", l.get("citations"), ["role"])
            for l in o.get("targets", []):
                if l.get("target") not in known["targets"]:
                    bad(f"{w}: unknown target {l.get('target')!r}")
                if not l.get("citations"):
                    bad(f"{w}: link to {l.get('target')} has no citation")
                cites(f"{w} -> {l.get('target')}", l.get("citations"))
            disputes(w, o)
        for lo in d.get("legal_outcomes", []):
            w = f"legal outcome {lo['slug']}"
            if lo.get("kind") not in VOCAB["lo.kind"]:
                bad(f"{w}: kind {lo.get('kind')!r}")
            date(f"{w}.date", lo.get("date"))
            if lo.get("operation") and lo["operation"] not in known["operations"]:
                bad(f"{w}: unknown operation {lo['operation']!r}")
            if lo.get("group") and lo["group"] not in known["groups"]:
                bad(f"{w}: unknown group {lo['group']!r}")
            m = lo.get("money")
            if m and m.get("kind") not in VOCAB["money.kind"]:
                bad(f"{w}: money kind {m.get('kind')!r}")
            need = [f for f in ("date", "money", "person") if lo.get(f) not in (None, "")]
            # A named person's outcome counts one person: the person's citation backs it.
            if lo.get("people_count") not in (None, 1) or (lo.get("people_count") and not lo.get("person")):
                need.append("people_count")
            cites(w, lo.get("citations"), need)
            disputes(w, lo)
        for k in KINDS:
            for slug, n in Counter(r["slug"] for r in d.get(k, [])).items():
                if n > 1:
                    bad(f"{k} {slug}: declared {n} times")
                others = sorted({x for x in declared[(k, slug)] if x != path})
                if others:
                    bad(f"{k} {slug}: also declared in {', '.join(others)} (reuse that record instead)")
        for s in d.get("sources", []):
            if s["slug"] not in cited:
                notes.append(f"source {s['slug']}: cited by no record of this fragment")
            if len(urls[s["url"]]) > 1:
                notes.append(f"source {s['slug']}: URL also in {', '.join(u for u in urls[s['url']] if u != path + ':' + s['slug'])}")
        counts = ", ".join(f"{len(d.get(k, []))} {k}" for k in KINDS)
        print(f"{path}: {counts}; {len(problems)} problems, {len(notes)} notes")
        for p in problems:
            print(f"  problem: {p}")
        for n in notes:
            print(f"  note: {n}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
