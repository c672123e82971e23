#!/usr/bin/env python3
"""Turn the curated ../shared/data/facts.json into factline's bundled dataset.

    python3 tools/transform_facts.py ../shared/data/facts.json > data/factline.json

The transformation adds no fact. It only reshapes what facts.json says:
- keys become slugs; `name_en`/`name_ar` become primary names per language and
  each alias gets the language of its script (Arabic script: `ar`, else `en`);
- `description_en`, `motive_en`, `summary_en` become per-language texts;
- every record's `sources` become its citations, in the curated order;
- an operation's groups and targets become links cited by the operation's
  sources (facts.json attributes at record level, and those sources are what
  support the attribution); a group link's role is `attributed`;
- integer amounts become exact decimal strings with the currency's minor unit
  (`5600` USD becomes "5600.00"); the money kind follows the outcome kind
  (restitution: restitution_ordered, fine: fine, damages_claim: damages_claim);
- a title facts.json prefixes with "[desc] " loses the prefix and gets
  `title_is_descriptive: true`;
- a source's kind is set per source in tools/seed_source_kinds.json (what
  the source is: news, court record, wiki, blog, forum, ...), never guessed
  from its host; group kinds: GROUP_KIND below; both are documented in
  data/README.md;
- a target whose curated name carries an explanation ("PayPal (owned by
  eBay)") gets its name as a name, the explanation as its description, and
  alternative names as aliases: tools/seed_target_names.json, which only
  rearranges the curated name strings;
- the seed article's own spellings of a name (SEED_SPELLINGS) become aliases,
  so that a search with them finds the record;
- where a disputed record's curated dispute note ties each reported figure
  to its sources, tools/seed_claims.json says so as data: the sources of the
  value the record shows cite it with `field`, and each other figure becomes
  an alternative with its own sources (values and sources as the note gives
  them; the notes on alternatives are ours).
"""
import json
import os
import sys
from pathlib import Path

# The per-record curation beside the script; FACTLINE_SEED_CURATION names
# another directory holding the two files (the tools' own tests use it).
CURATION = Path(os.environ.get("FACTLINE_SEED_CURATION") or Path(__file__).resolve().parent)
SOURCE_KINDS = json.loads((CURATION / "seed_source_kinds.json").read_text(encoding="utf-8"))
TARGET_NAMES = json.loads((CURATION / "seed_target_names.json").read_text(encoding="utf-8"))
_claims = CURATION / "seed_claims.json"
CLAIMS = json.loads(_claims.read_text(encoding="utf-8")) if _claims.exists() else {}


def alternatives_and_citations(slug, citations):
    citations, alternatives = claimed(slug, citations)
    out = {"alternatives": alternatives} if alternatives else {}
    out["citations"] = citations
    return out


def claimed(slug, citations):
    """The record's citations with the fields seed_claims.json names, and its
    alternatives."""
    claim = CLAIMS.get(slug)
    if not claim:
        return citations, []
    for field, sources in claim["field_citations"].items():
        for c in citations:
            if c["source"] in sources:
                c["field"] = field
        missing = set(sources) - {c["source"] for c in citations}
        if missing:
            sys.exit(f"tools/seed_claims.json: {slug} does not cite {sorted(missing)}")
    return citations, claim["alternatives"]

# Spellings the seed article (source `seed-article`) uses for these records,
# beside the curated names. (It writes Habbo in Latin letters only, so no
# Arabic spelling of Habbo is added.)
SEED_SPELLINGS = {
    "church-of-scientology": ["السينتولوجي"],
    "op-tunisia": ["تونس"],
}

MINOR_UNITS = {"USD": 2, "GBP": 2, "EUR": 2}

GROUP_KIND = {
    # "leaderless international hacktivist collective"
    "anonymous": "collective",
    # "self-described 'crew of six'"
    "lulzsec": "crew",
    # "Banner launched in June 2011"
    "antisec": "banner",
    # "Name under which ... collaborated"
    "internet-feds": "other",
}

AMOUNT_KIND = {
    "restitution": "restitution_ordered",
    "fine": "fine",
    "damages_claim": "damages_claim",
}


# facts.json marks a title it wrote itself (the page's headline was not
# visible) with this prefix; the dataset says so with `title_is_descriptive`.
DESC = "[desc] "



# The curated file leaves `end` null both for an operation that ended on an
# unknown day and for one that ran on; factline tells them apart (either
# matches every date range after its start, but only an open end says the
# operation went on). What the curated notes say of each null end:
# - op-habbo-raid-2006: the raids recurred in later years: open.
# - op-chanology: its raids and protests recurred: open.
# - op-antisec: it ended (Stratfor, its last part, ends 2012-03), but the
#   file gives no end: unknown, left null.
ENDS = {
    "op-habbo-raid-2006": "..",
    "op-chanology": "..",
}

def strip_desc(title):
    return title[len(DESC):] if title.startswith(DESC) else title


def is_arabic(text):
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def source_kind(src):
    try:
        return SOURCE_KINDS[src["key"]]
    except KeyError:
        sys.exit(f"tools/seed_source_kinds.json has no kind for source {src['key']!r}")


def names(rec):
    out = []
    renamed = TARGET_NAMES.get(rec["key"], {})
    name_en = renamed.get("name_en") or rec.get("name_en")
    if name_en:
        out.append({"lang": "en", "text": name_en, "kind": "primary"})
    if rec.get("name_ar"):
        out.append({"lang": "ar", "text": rec["name_ar"], "kind": "primary"})
    aliases = [*(rec.get("aliases") or []), *renamed.get("aliases_en", []), *SEED_SPELLINGS.get(rec["key"], [])]
    seen = {n["text"] for n in out}
    for alias in aliases:
        if alias not in seen:
            seen.add(alias)
            out.append({"lang": "ar" if is_arabic(alias) else "en", "text": alias, "kind": "alias"})
    return out


def texts(field, text):
    return [{"field": field, "lang": "en", "text": text}] if text else []


def cite(keys):
    return [{"source": k} for k in keys]


def money(lo):
    if lo["amount"] is None:
        return None
    cur = lo["currency"]
    amount = f"{lo['amount']:.{MINOR_UNITS[cur]}f}" if isinstance(lo["amount"], int) else str(lo["amount"])
    return {"amount": amount, "currency": cur, "kind": AMOUNT_KIND[lo["kind"]], "scope": lo["amount_scope"]}


def main(path):
    facts = json.load(open(path, encoding="utf-8"))
    ds = {
        "format": "factline-dataset",
        "version": 1,
        "description": "Bundled factline dataset, transformed from the curated facts.json by tools/transform_facts.py.",
        "sources": [
            {
                "slug": s["key"],
                "title": strip_desc(s["title"]),
                "title_is_descriptive": s["title"].startswith(DESC),
                "url": s["url"],
                "archived_url": None,
                "publisher": s["publisher"],
                "language": s["language"],
                "published": s["published"],
                "kind": source_kind(s),
            }
            for s in facts["sources"]
        ],
        "groups": [
            {
                "slug": g["key"],
                "kind": GROUP_KIND[g["key"]],
                "names": names(g),
                "parent": g["parent"],
                "founded": g["founded"],
                "dissolved": None,
                "texts": texts("description", g["description_en"]),
                "citations": cite(g["sources"]),
            }
            for g in facts["groups"]
        ],
        "targets": [
            {
                "slug": t["key"],
                "kind": t["kind"],
                "names": names(t),
                "country": t["country"],
                "sector": None,
                "texts": texts("description", TARGET_NAMES.get(t["key"], {}).get("description_en")),
                "citations": cite(t["sources"]),
            }
            for t in facts["targets"]
        ],
        "operations": [
            {
                "slug": o["key"],
                "names": names(o),
                "start": o["start"],
                "end": ENDS.get(o["key"], o["end"]),
                "part_of": o["part_of"],
                "tactics": o["tactics"],
                "texts": texts("motive", o["motive_en"]),
                "disputed": o["disputed"],
                "dispute_note": o["dispute_note"],
                "groups": [{"group": g, "role": "attributed", "citations": cite(o["sources"])} for g in o["groups"]],
                "targets": [{"target": t, "citations": cite(o["sources"])} for t in o["targets"]],
                "citations": cite(o["sources"]),
            }
            for o in facts["operations"]
        ],
        "legal_outcomes": [
            {
                "slug": lo["key"],
                "kind": lo["kind"],
                "date": lo["date"],
                "jurisdiction": lo["jurisdiction"],
                "court": lo["court"],
                "operation": lo["operation"],
                "group": lo["group"],
                "people_count": lo["people_count"],
                "person": lo["person"],
                "money": money(lo),
                "texts": texts("summary", lo["summary_en"]),
                "disputed": lo["disputed"],
                "dispute_note": lo["dispute_note"],
                **alternatives_and_citations(lo["key"], cite(lo["sources"])),
            }
            for lo in facts["legal_outcomes"]
        ],
    }
    json.dump(ds, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/facts.json")
