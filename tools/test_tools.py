"""Tests of tools/build_dataset.py and tools/coverage.py on small synthetic data.

    python3 -m unittest tools/test_tools.py      (from the repository root)
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
BUILD, COVERAGE = TOOLS / "build_dataset.py", TOOLS / "coverage.py"

FACTS = {
    "sources": [{"key": "seed-src", "title": "[desc] Seed page", "url": "https://example.org/seed",
                 "publisher": "Example", "language": "en", "published": "2011"}],
    "groups": [{"key": "anonymous", "name_en": "Anonymous", "name_ar": None, "aliases": [],
                "founded": "2003", "parent": None, "description_en": "A collective.",
                "sources": ["seed-src"]}],
    "targets": [{"key": "paypal", "name_en": "PayPal", "name_ar": None, "kind": "company",
                 "country": "US", "sources": ["seed-src"]}],
    "operations": [{"key": "op-payback", "name_en": "Operation Payback", "name_ar": None, "aliases": [],
                    "start": "2010-12", "end": None, "part_of": None, "groups": ["anonymous"],
                    "targets": ["paypal"], "tactics": ["ddos"], "motive_en": "Support.",
                    "disputed": False, "dispute_note": None, "sources": ["seed-src"]}],
    "legal_outcomes": [{"key": "lo-seed-fine", "operation": "op-payback", "group": "anonymous",
                        "kind": "fine", "date": "2013-12", "jurisdiction": "US", "court": None,
                        "people_count": 1, "person": None, "amount": 5600, "currency": "USD",
                        "amount_scope": "total", "summary_en": "A fine.", "disputed": False,
                        "dispute_note": None, "sources": ["seed-src"]}],
}


def source(slug, url):
    return {"slug": slug, "title": slug, "title_is_descriptive": False, "url": url, "archived_url": None,
            "publisher": "Example", "language": "en", "published": None, "kind": "news"}


def group(slug, parent=None, misp=None, cite="a-src"):
    return {"slug": slug, "kind": "cell", "names": [{"lang": "en", "text": slug, "kind": "primary"}],
            "parent": parent, "founded": "2012", "dissolved": None, "texts": [],
            "external_ids": {"wikidata": None, "misp_galaxy": misp, "attack": None},
            "citations": [{"source": cite, "field": "founded"}]}


FRAGMENT_A = {
    "topic": "a",
    "sources": [source("a-src", "https://example.org/a")],
    "groups": [group("cell-a")],
    "targets": [],
    "operations": [{
        "slug": "op-a", "names": [{"lang": "en", "text": "Op A", "kind": "primary"}],
        "start": "2012-03", "end": "..", "part_of": "op-payback", "tactics": ["intrusion", "ddos"],
        "texts": [], "disputed": True, "dispute_note": "Dates differ.",
        "alternatives": [{"field": "start", "value": "2012-04", "citations": [{"source": "b-src"}], "note": "x"}],
        "groups": [{"group": "anonymous", "role": "claimed", "citations": [{"source": "a-src", "field": "role"}]},
                   {"group": "cell-b", "role": "participant", "citations": [{"source": "b-src"}]}],
        "targets": [{"target": "paypal", "citations": [{"source": "a-src"}]}],
        "citations": [{"source": "a-src", "field": "start", "locator": "para 2"}]}],
    "legal_outcomes": [{
        "slug": "lo-a-arrest", "kind": "arrest", "date": "2013-01-05", "jurisdiction": "GB", "court": None,
        "operation": "op-a", "group": "cell-a", "people_count": 2, "person": None, "money": None,
        "texts": [], "disputed": False, "dispute_note": None, "alternatives": [],
        "citations": [{"source": "a-src", "field": "date"}, {"source": "a-src", "field": "people_count"}]}],
}
FRAGMENT_B = {
    "topic": "b",
    "sources": [source("b-src", "https://example.org/b")],
    "groups": [group("cell-b", parent="cell-a", cite="a-src")],
}
CROSSWALK = {"misp_galaxy": [{"group": "cell-b", "uuid": "uuid-b", "misp_value": "Cell B",
                              "matched_on": "Cell B", "checked": "same"}],
             "unmatched": ["anonymous", "cell-a"], "wikidata": []}


def run(script, *args, curation=None):
    env = {**os.environ, **({"FACTLINE_SEED_CURATION": str(curation)} if curation else {})}
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env)


class BuildDatasetTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.corpus = self.dir / "corpus"
        self.corpus.mkdir()
        self.facts = self.write(self.dir / "facts.json", FACTS)
        self.write(self.dir / "seed_source_kinds.json", {"seed-src": "news"})
        self.write(self.dir / "seed_target_names.json", {})
        self.write(self.dir / "seed_corrections.json", [])
        self.write(self.corpus / "a.json", FRAGMENT_A)
        self.write(self.corpus / "b.json", FRAGMENT_B)
        self.write(self.corpus / "crosswalk.json", CROSSWALK)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, path, data):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    def build(self, *extra):
        return run(BUILD, "--seed", self.facts, "--corpus", self.corpus, *extra, curation=self.dir)

    def fragment(self, name, **collections):
        self.write(self.corpus / name, {"topic": name, **collections})

    def assertFails(self, result, *needles):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        for needle in needles:
            self.assertIn(needle, result.stderr)

    def test_merges_seed_and_fragments(self):
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        ds = json.loads(r.stdout)
        self.assertNotIn("topic", ds)
        self.assertEqual([s["slug"] for s in ds["sources"]], ["a-src", "b-src", "seed-src"])
        self.assertEqual([g["slug"] for g in ds["groups"]], ["anonymous", "cell-a", "cell-b"])
        self.assertEqual(ds["operations"][0]["end"], "..")
        self.assertEqual(ds["operations"][0]["alternatives"][0]["value"], "2012-04")
        seed = next(o for o in ds["legal_outcomes"] if o["slug"] == "lo-seed-fine")
        self.assertEqual(seed["money"]["amount"], "5600.00")  # the seed as transform_facts.py makes it
        self.assertNotIn("external_ids", ds["groups"][0])

    def test_crosswalk_applied(self):
        ds = json.loads(self.build().stdout)
        ids = {g["slug"]: g.get("external_ids") for g in ds["groups"]}
        self.assertEqual(ids["cell-b"]["misp_galaxy"], "uuid-b")
        self.assertIsNone(ids["cell-a"]["misp_galaxy"])
        self.assertNotIn("matched_on", json.dumps(ds))

    def test_crosswalk_agreeing_value_is_fine(self):
        self.fragment("b.json", sources=FRAGMENT_B["sources"],
                      groups=[group("cell-b", parent="cell-a", misp="uuid-b")])
        self.assertEqual(self.build().returncode, 0)

    def test_crosswalk_conflict(self):
        self.fragment("b.json", sources=FRAGMENT_B["sources"],
                      groups=[group("cell-b", parent="cell-a", misp="uuid-other")])
        self.assertFails(self.build(), "cell-b", "uuid-other", "disagrees with crosswalk.json")

    def test_crosswalk_unknown_group(self):
        cw = copy.deepcopy(CROSSWALK)
        cw["misp_galaxy"].append({"group": "ghost", "uuid": "uuid-g"})
        self.write(self.corpus / "crosswalk.json", cw)
        self.assertFails(self.build(), "group 'ghost' resolves nowhere")

    def test_deterministic(self):
        out = self.dir / "out.json"
        first, second = self.build(), self.build("--out", out)
        self.assertEqual((first.returncode, second.returncode, second.stdout), (0, 0, ""))
        self.assertEqual(first.stdout.encode("utf-8"), out.read_bytes())
        # Reordering records inside a fragment changes nothing.
        shuffled = copy.deepcopy(FRAGMENT_A)
        shuffled["sources"].append(source("z-src", "https://example.org/z"))
        shuffled["sources"].reverse()  # z-src first in the fragment
        self.write(self.corpus / "a.json", shuffled)
        once, twice = self.build().stdout, self.build().stdout
        self.assertEqual(once, twice)
        self.assertLess(once.index('"a-src"'), once.index('"z-src"'))

    def test_duplicate_slug(self):
        self.fragment("c.json", groups=[group("cell-a")])
        self.assertFails(self.build(), "groups 'cell-a': declared 2 times (a.json, c.json)")

    def test_duplicate_seed_slug(self):
        self.fragment("c.json", sources=[source("seed-src", "https://example.org/c")])
        self.assertFails(self.build(), "sources 'seed-src': declared 2 times (seed, c.json)")

    def test_duplicate_url(self):
        self.fragment("c.json", sources=[source("c-src", "https://example.org/seed")])
        self.assertFails(self.build(), "source URL https://example.org/seed declared 2 times",
                         "seed:seed-src", "c.json:c-src")

    def test_unresolved_reference(self):
        frag = copy.deepcopy(FRAGMENT_A)
        frag["operations"][0]["targets"].append({"target": "nowhere-inc", "citations": [{"source": "a-src"}]})
        frag["legal_outcomes"][0]["citations"].append({"source": "missing-src"})
        self.write(self.corpus / "a.json", frag)
        self.assertFails(self.build(), "operations op-a (a.json): target link 'nowhere-inc' resolves nowhere",
                         "citation source 'missing-src' resolves nowhere")

    def test_unknown_key(self):
        frag = copy.deepcopy(FRAGMENT_A)
        frag["operations"][0]["confidence"] = "high"
        self.write(self.corpus / "a.json", frag)
        self.assertFails(self.build(), "operations op-a (a.json): unknown key 'confidence'")

    def test_subdirectory_not_read(self):
        # data/corpus/held/ keeps records back from the merge: nothing under a subdirectory is read.
        (self.corpus / "held").mkdir()
        self.write(self.corpus / "held" / "held-back.json", {"topic": "held", "legal_outcomes": [
            {**FRAGMENT_A["legal_outcomes"][0], "slug": "lo-held", "held_back_reason": "undated"}]})
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("lo-held", r.stdout)

    def correct(self, *entries):
        self.write(self.dir / "seed_corrections.json", list(entries))

    def test_seed_correction_applied(self):
        # The date comes from a fragment's source; the seed's own citations stay.
        self.correct({"record": "lo-seed-fine", "field": "date", "value": "2013-12-02",
                      "citations": [{"source": "a-src", "field": "date"}], "note": "Day from a-src."})
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        lo = next(o for o in json.loads(r.stdout)["legal_outcomes"] if o["slug"] == "lo-seed-fine")
        self.assertEqual(lo["date"], "2013-12-02")
        self.assertEqual(lo["citations"], [{"source": "seed-src"}, {"source": "a-src", "field": "date"}])
        self.assertNotIn("Day from a-src.", r.stdout)  # the note stays in the corrections file
        self.assertNotIn("alternatives", lo)

    def test_seed_correction_already_in_seed_is_a_note(self):
        self.correct({"record": "op-payback", "field": "start", "value": "2010-12",
                      "citations": [{"source": "a-src", "field": "start"}], "note": "Same."})
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("note: seed_corrections.json[0] (op-payback start): the seed already has '2010-12'", r.stderr)

    def test_seed_correction_errors(self):
        good = {"record": "lo-seed-fine", "field": "date", "value": "2013-12-02",
                "citations": [{"source": "a-src", "field": "date"}], "note": "n"}
        self.correct({**good, "record": "lo-nowhere"},
                     {**good, "field": "money"},
                     {**good, "record": "op-payback", "field": "start", "citations": [{"source": "a-src"}]},
                     {**good, "extra": 1})
        self.assertFails(self.build(), "[0] (lo-nowhere date): record 'lo-nowhere' is in no seed collection",
                         "[1] (lo-seed-fine money): field 'money' cannot be corrected on legal_outcomes",
                         "[2] (op-payback start): each citation must be {source, field} with field 'start'",
                         "[3]: unknown key 'extra'")
        self.correct(good, good)
        self.assertFails(self.build(), "[1] (lo-seed-fine date): lo-seed-fine date corrected twice")
        self.correct({**good, "citations": [{"source": "missing-src", "field": "date"}]})
        self.assertFails(self.build(), "legal_outcomes lo-seed-fine (seed, corrected): "
                                       "citation source 'missing-src' resolves nowhere")


DATASET = {
    "format": "factline-dataset", "version": 1,
    "sources": [{"slug": "s1", "kind": "news"}, {"slug": "s2", "kind": "court_record"}],
    "groups": [{"slug": "g1", "kind": "collective", "founded": "2003"}, {"slug": "g2", "kind": "crew", "founded": None}],
    "targets": [{"slug": "t1"}],
    "operations": [{"slug": "o1", "start": "2011-06", "tactics": ["ddos", "doxing"]},
                   {"slug": "o2", "start": "2011", "tactics": ["ddos"]}],
    "legal_outcomes": [{"slug": "l1", "kind": "arrest", "date": "2012-01-02"},
                       {"slug": "l2", "kind": "plea", "date": None}],
}


class CoverageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.dataset = self.dir / "ds.json"
        self.dataset.write_text(json.dumps(DATASET), encoding="utf-8")
        self.readme = self.dir / "README.md"
        self.readme.write_text("# Data\n\nIntro.\n\n<!-- coverage:start -->\nold\n<!-- coverage:end -->\n\nTail.\n",
                               encoding="utf-8")

    def tearDown(self):
        self.tmp.cleanup()

    def test_table(self):
        r = run(COVERAGE, self.dataset)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        for row in ["| groups | 2 |", "| operations | 2 |", "| targets | 1 |", "| legal outcomes | 2 |",
                    "| sources | 2 |", "| 2003 | 1 | 0 | 0 |", "| 2011 | 0 | 2 | 0 |", "| 2012 | 0 | 0 | 1 |",
                    "| unknown | 1 | 0 | 1 |", "| tactic | ddos | 2 |", "| tactic | doxing | 1 |",
                    "| source kind | court_record | 1 |", "| legal outcome kind | plea | 1 |",
                    "| group kind | crew | 1 |"]:
            self.assertIn(row, lines)
        years = [l.split(" | ")[0][2:] for l in lines if l[2:6].isdigit() or l.startswith("| unknown")]
        self.assertEqual(years, ["2003", "2011", "2012", "unknown"])

    def test_check_mismatch_then_write_then_check(self):
        r = run(COVERAGE, self.dataset, "--check", self.readme)
        self.assertEqual(r.returncode, 1)
        self.assertIn("-old", r.stdout)
        self.assertIn("+| groups | 2 |", r.stdout)
        self.assertEqual(run(COVERAGE, self.dataset, "--write", self.readme).returncode, 0)
        text = self.readme.read_text(encoding="utf-8")
        self.assertTrue(text.startswith("# Data\n\nIntro.\n\n<!-- coverage:start -->\n**Totals**"))
        self.assertTrue(text.endswith("<!-- coverage:end -->\n\nTail.\n"))
        self.assertIn(run(COVERAGE, self.dataset).stdout, text)
        self.assertEqual(run(COVERAGE, self.dataset, "--check", self.readme).returncode, 0)
        # A changed dataset makes the written table stale again.
        changed = copy.deepcopy(DATASET)
        changed["targets"].append({"slug": "t2"})
        self.dataset.write_text(json.dumps(changed), encoding="utf-8")
        r = run(COVERAGE, self.dataset, "--check", self.readme)
        self.assertEqual(r.returncode, 1)
        self.assertIn("-| targets | 1 |", r.stdout)
        self.assertIn("+| targets | 2 |", r.stdout)

    def test_missing_markers(self):
        self.readme.write_text("# Data\n", encoding="utf-8")
        r = run(COVERAGE, self.dataset, "--check", self.readme)
        self.assertEqual(r.returncode, 2)
        self.assertIn("coverage:start", r.stderr)


if __name__ == "__main__":
    unittest.main()
