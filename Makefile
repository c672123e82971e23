# Shortcuts; `make check` is what CI runs (.ci/run).
.PHONY: run test check data

run:
	cargo run --release -- serve

test:
	cargo test --workspace

check:
	bash .ci/run

# Regenerate the bundled dataset (the curated seed facts of
# ../shared/data/facts.json with the corpus of data/corpus/), and the seed
# story alone, which the tests are written against.
data:
	python3 tools/transform_facts.py ../shared/data/facts.json > tests/fixtures/seed.json
	python3 tools/build_dataset.py --out data/factline.json
