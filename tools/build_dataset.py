#!/usr/bin/env python3
"""Merge the seed and the corpus fragments into one factline dataset.

    python3 tools/build_dataset.py [--seed FACTS_JSON] [--corpus DIR] [--corrections JSON] [--out PATH]

Run from anywhere; the defaults are ../shared/data/facts.json and data/corpus
relative to the repository root. The output goes to stdout unless --out.

What it does:
- the seed is facts.json reshaped by tools/transform_facts.py (imported and
  called unchanged);
- seed corrections (tools/seed_corrections.json, or --corrections; it moves
  with FACTLINE_SEED_CURATION): each {record, field, value, citations:
  [{source, field}], note} sets one field of a seed record after the
  transform and before merging, and adds its citations (field = the corrected
  field; sources may be the fragments'), which resolve like any other; `note`
  stays in the file. Errors: no such seed record, a field not in CORRECTABLE,
  a citation for another field, the same record and field twice; a value the
  seed already has is a note;
- every data/corpus/*.json with a record list is a fragment (files in
  subdirectories, such as held/, are not read); crosswalk.json is
  the MISP crosswalk; any other JSON file there is skipped with a note;
- references (parent, part_of, group and target links, a legal outcome's
  operation and group, every citation's source, also inside alternatives)
  resolve across the seed and all fragments together;
- errors, each reported with where it comes from, exit status 1:
  a slug declared twice in one collection, a source URL declared twice, a
  reference that resolves nowhere, a record key outside the format, a
  crosswalk entry for an unknown group or two uuids for one group, and a
  fragment whose own `external_ids.misp_galaxy` differs from the crosswalk's;
- crosswalk `misp_galaxy[].uuid` goes into the group's
  `external_ids.misp_galaxy` (a group without `external_ids` gets one with
  null `wikidata` and `attack`); an `unmatched` slug that names no group is
  only a note (nothing from `unmatched` enters the dataset), one that is also
  matched is an error; entries
  under `wikidata` are refused until someone decides how to apply them;
- each collection is sorted by slug; record contents keep their order.
  Same input, same bytes.

Keys kept: the bundled format (data/README.md) plus the corpus fields
(data/corpus/README.md): `alternatives` on operations and legal outcomes,
`external_ids` on groups, citation `field`/`locator`.
Keys dropped, because the dataset format has none and data/README.md says
nothing of them:
- a fragment's top-level `topic` (the fragment's research topic);
- the crosswalk's `misp_value`, `matched_on`, `checked` and its `unmatched`
  list (the evidence for a match stays in crosswalk.json; only the uuid enters).
"""
import argparse
import contextlib
import io
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import transform_facts  # noqa: E402

KINDS = ("sources", "groups", "targets", "operations", "legal_outcomes")
CORRECTIONS = transform_facts.CURATION / "seed_corrections.json"
# Seed fields a correction may set: single values, each backed by a citation with that field.
CORRECTABLE = {
    "groups": {"founded", "dissolved"},
    "targets": {"country"},
    "operations": {"start", "end"},
    "legal_outcomes": {"date", "jurisdiction", "court", "people_count", "person"},
}
CORRECTION_KEYS = {"record", "field", "value", "citations", "note"}
DROPPED_TOP = {"topic"}
# Record keys allowed per collection: the bundled format plus the corpus fields.
RECORD_KEYS = {
    "sources": {"slug", "title", "title_is_descriptive", "url", "archived_url", "publisher",
                "language", "published", "kind"},
    "groups": {"slug", "kind", "names", "parent", "founded", "dissolved", "texts",
               "external_ids", "citations"},
    "targets": {"slug", "kind", "names", "country", "sector", "texts", "citations"},
    "operations": {"slug", "names", "start", "end", "part_of", "tactics", "texts", "disputed",
                   "dispute_note", "alternatives", "groups", "targets", "citations"},
    "legal_outcomes": {"slug", "kind", "date", "jurisdiction", "court", "operation", "group",
                       "people_count", "person", "money", "texts", "disputed", "dispute_note",
                       "alternatives", "citations"},
}
NESTED_KEYS = {
    "names": {"lang", "text", "kind"},
    "texts": {"field", "lang", "text"},
    "citations": {"source", "quote", "locator", "field"},
    "external_ids": {"wikidata", "misp_galaxy", "attack"},
    "money": {"amount", "currency", "kind", "scope"},
    "alternatives": {"field", "value", "citations", "note"},
    "groups": {"group", "role", "citations"},
    "targets": {"target", "citations"},
}


class BuildError(Exception):
    """Carries every problem found, one message per line."""


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise BuildError(f"{path}: cannot read: {e}")


def seed_dataset(facts_path):
    """The seed as transform_facts.py makes it."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            transform_facts.main(str(facts_path))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BuildError(f"{facts_path}: transform_facts.py failed: {e!r}")
    return json.loads(buf.getvalue())


def apply_corrections(seed, corrections_path, bad, note):
    """Applies tools/seed_corrections.json to the transformed seed in place.

    Returns the ids of the corrected records (their origin reads "seed, corrected")."""
    entries = load_json(corrections_path)
    where = Path(corrections_path).name
    if not isinstance(entries, list):
        bad(f"{where}: not a list of corrections")
        return set()
    by_slug = defaultdict(list)
    for kind in KINDS[1:]:
        for rec in seed.get(kind, []):
            by_slug[rec.get("slug")].append((kind, rec))
    corrected, seen = set(), set()
    for i, c in enumerate(entries):
        at = f"{where}[{i}]"
        if not isinstance(c, dict):
            bad(f"{at}: not an object")
            continue
        for key in sorted(set(c) - CORRECTION_KEYS):
            bad(f"{at}: unknown key {key!r}")
        for key in sorted(CORRECTION_KEYS - set(c)):
            bad(f"{at}: missing {key!r}")
        slug, field = c.get("record"), c.get("field")
        at = f"{at} ({slug} {field})"
        hits = by_slug.get(slug, [])
        if len(hits) != 1:
            bad(f"{at}: record {slug!r} is " + ("in no seed collection" if not hits else "ambiguous in the seed"))
            continue
        kind, rec = hits[0]
        if field not in CORRECTABLE[kind]:
            bad(f"{at}: field {field!r} cannot be corrected on {kind} "
                f"(allowed: {', '.join(sorted(CORRECTABLE[kind]))})")
            continue
        if (slug, field) in seen:
            bad(f"{at}: {slug} {field} corrected twice")
            continue
        seen.add((slug, field))
        cites = c.get("citations")
        if not isinstance(cites, list) or not cites:
            bad(f"{at}: no citations")
            continue
        if any(not isinstance(x, dict) or set(x) != {"source", "field"} or x["field"] != field for x in cites):
            bad(f"{at}: each citation must be {{source, field}} with field {field!r}")
            continue
        if not isinstance(c.get("note"), str) or not c["note"].strip():
            bad(f"{at}: empty note")
            continue
        if rec.get(field) == c.get("value"):
            note(f"{at}: the seed already has {c.get('value')!r}; the correction can go")
        rec[field] = c.get("value")
        have = rec.setdefault("citations", [])
        have.extend(x for x in cites if x not in have)
        corrected.add(id(rec))
    return corrected


def load_corpus(corpus_dir):
    """Returns ({file name: fragment}, crosswalk or None, notes)."""
    fragments, crosswalk, notes = {}, None, []
    for path in sorted(Path(corpus_dir).glob("*.json")):
        data = load_json(path)
        if path.name == "crosswalk.json":
            crosswalk = data
        elif isinstance(data, dict) and any(k in data for k in KINDS):
            fragments[path.name] = data
        else:
            notes.append(f"{path}: no record list, skipped")
    return fragments, crosswalk, notes


def check_keys(where, rec, allowed, bad):
    for key in sorted(set(rec) - allowed):
        bad(f"{where}: unknown key {key!r}")
    for key, sub in rec.items():
        items = sub if isinstance(sub, list) else [sub]
        if key in NESTED_KEYS:
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    check_keys(f"{where}.{key}[{i}]", item, NESTED_KEYS[key], bad)


def collect(parts, bad):
    """Merges [(origin, dataset-like dict)] into collections; reports duplicates."""
    merged = {k: [] for k in KINDS}
    declared = defaultdict(list)
    urls = defaultdict(list)
    for origin, data in parts:
        extra = {"format", "version", "description"} if origin == "seed" else DROPPED_TOP
        for key in sorted(set(data) - set(KINDS) - extra):
            bad(f"{origin}: unknown top-level key {key!r}")
        for kind in KINDS:
            for rec in data.get(kind, []):
                slug = rec.get("slug")
                if not isinstance(slug, str) or not slug:
                    bad(f"{kind} record without a slug in {origin}")
                    continue
                check_keys(f"{kind} {slug} ({origin})", rec, RECORD_KEYS[kind], bad)
                declared[(kind, slug)].append(origin)
                if kind == "sources" and rec.get("url"):
                    urls[rec["url"]].append(f"{origin}:{slug}")
                merged[kind].append(rec)
    for (kind, slug), origins in sorted(declared.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if len(origins) > 1:
            bad(f"{kind} {slug!r}: declared {len(origins)} times ({', '.join(origins)})")
    for url, holders in sorted(urls.items()):
        if len(holders) > 1:
            bad(f"source URL {url} declared {len(holders)} times ({', '.join(holders)})")
    return merged


def check_references(merged, origin_of, bad):
    known = {k: {r.get("slug") for r in merged[k]} for k in KINDS}

    def ref(where, kind, slug, what):
        if slug is not None and slug not in known[kind]:
            bad(f"{where}: {what} {slug!r} resolves nowhere")

    def cites(where, cs):
        for c in cs or []:
            ref(where, "sources", c.get("source"), "citation source")

    def alternatives(where, rec):
        for i, a in enumerate(rec.get("alternatives") or []):
            cites(f"{where}.alternatives[{i}]", a.get("citations"))

    for kind in KINDS[1:]:
        for r in merged[kind]:
            where = f"{kind} {r.get('slug')} ({origin_of[id(r)]})"
            cites(where, r.get("citations"))
            alternatives(where, r)
            if kind == "groups":
                ref(where, "groups", r.get("parent"), "parent")
            elif kind == "operations":
                ref(where, "operations", r.get("part_of"), "part_of")
                for link in r.get("groups") or []:
                    ref(where, "groups", link.get("group"), "group link")
                    cites(f"{where} -> {link.get('group')}", link.get("citations"))
                for link in r.get("targets") or []:
                    ref(where, "targets", link.get("target"), "target link")
                    cites(f"{where} -> {link.get('target')}", link.get("citations"))
            elif kind == "legal_outcomes":
                ref(where, "operations", r.get("operation"), "operation")
                ref(where, "groups", r.get("group"), "group")


def apply_crosswalk(crosswalk, groups, origin_of, bad, note):
    if crosswalk is None:
        return
    by_slug = {g["slug"]: g for g in groups}
    for key in sorted(set(crosswalk) - {"misp_galaxy", "unmatched", "wikidata"}):
        bad(f"crosswalk.json: unknown top-level key {key!r}")
    if crosswalk.get("wikidata"):
        bad("crosswalk.json: `wikidata` entries are not applied by this script yet")
    uuids = {}
    for i, entry in enumerate(crosswalk.get("misp_galaxy") or []):
        slug, uuid = entry.get("group"), entry.get("uuid")
        if not uuid:
            bad(f"crosswalk.json misp_galaxy[{i}]: no uuid for {slug!r}")
        elif slug not in by_slug:
            bad(f"crosswalk.json misp_galaxy[{i}]: group {slug!r} resolves nowhere")
        elif uuids.setdefault(slug, uuid) != uuid:
            bad(f"crosswalk.json: group {slug!r} has two misp_galaxy uuids ({uuids[slug]}, {uuid})")
    for slug in crosswalk.get("unmatched") or []:
        if slug not in by_slug:  # stale, harmless: nothing from `unmatched` enters the dataset
            note(f"crosswalk.json unmatched: group {slug!r} resolves nowhere (stale entry?)")
        elif slug in uuids:
            bad(f"crosswalk.json: group {slug!r} is both matched and unmatched")
    for slug, uuid in sorted(uuids.items()):
        group = by_slug[slug]
        ids = group.get("external_ids") or {}
        own = ids.get("misp_galaxy")
        if own is not None and own != uuid:
            bad(f"groups {slug} ({origin_of[id(group)]}): external_ids.misp_galaxy {own!r} "
                f"disagrees with crosswalk.json {uuid!r}")
            continue
        group["external_ids"] = {"wikidata": None, "misp_galaxy": None, "attack": None, **ids}
        group["external_ids"]["misp_galaxy"] = uuid


def build(facts_path, corpus_dir, corrections_path=None):
    """Returns (dataset, notes); raises BuildError listing every problem."""
    problems = []
    seed = seed_dataset(facts_path)
    fragments, crosswalk, notes = load_corpus(corpus_dir)
    corrected = apply_corrections(seed, corrections_path or CORRECTIONS, problems.append, notes.append)
    parts = [("seed", seed), *fragments.items()]
    origin_of = {id(r): origin for origin, d in parts for k in KINDS for r in d.get(k, [])}
    origin_of.update({i: "seed, corrected" for i in corrected})
    merged = collect(parts, problems.append)
    check_references(merged, origin_of, problems.append)
    apply_crosswalk(crosswalk, merged["groups"], origin_of, problems.append, notes.append)
    if problems:
        raise BuildError("\n".join(problems))
    names = ", ".join(fragments) or "none"
    dataset = {
        "format": seed.get("format", "factline-dataset"),
        "version": seed.get("version", 1),
        "description": "Merged factline dataset: the curated facts.json (tools/transform_facts.py) "
                       f"and the corpus fragments ({names}), built by tools/build_dataset.py.",
    }
    for kind in KINDS:
        dataset[kind] = sorted(merged[kind], key=lambda r: r["slug"])
    return dataset, notes


def dumps(dataset):
    return json.dumps(dataset, ensure_ascii=False, indent=1) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", default=str(ROOT.parent / "shared" / "data" / "facts.json"),
                    help="curated facts.json (default: ../shared/data/facts.json)")
    ap.add_argument("--corpus", default=str(ROOT / "data" / "corpus"),
                    help="directory of fragments and crosswalk.json (default: data/corpus)")
    ap.add_argument("--corrections", default=str(CORRECTIONS),
                    help="seed corrections (default: tools/seed_corrections.json beside the seed curation)")
    ap.add_argument("--out", help="write the dataset here instead of stdout")
    args = ap.parse_args(argv)
    try:
        dataset, notes = build(args.seed, args.corpus, args.corrections)
    except BuildError as e:
        problems = str(e).splitlines()
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        print(f"build_dataset: {len(problems)} error(s), nothing written", file=sys.stderr)
        return 1
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    text = dumps(dataset)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
