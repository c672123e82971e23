//! The house's shape, checked: no module imports another that (through any
//! path) imports it back, and the layers of docs/ARCHITECTURE.md hold.
//!
//! A file's imports are the `crate::…`, `super::…` and `self::…` paths in
//! its code (comments and unit-test modules aside), each resolved to
//! the deepest module file it names. This reads the code as text, which is
//! enough for this crate's style (no glob re-exports, no macros that import).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module of `src/` by its path (`["domain", "dataset"]`), with its file.
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                let mut p = prefix.to_vec();
                p.push(name);
                walk(&path, &p, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut p = prefix.to_vec();
                if !matches!(name.as_str(), "mod" | "lib" | "main") {
                    p.push(name);
                } else if name == "main" {
                    continue;
                }
                out.insert(p, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The code of a file without comments and without its unit-test modules
/// (`#[cfg(test)] mod … { … }`, braces matched).
fn code(path: &Path) -> String {
    let mut text = std::fs::read_to_string(path).unwrap();
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]").map(|i| from + i) {
        from = at + 1;
        // Only an inline module (`mod tests { … }`); `mod tests;` is a file
        // of its own, read as a module like any other.
        let after = text[at + "#[cfg(test)]".len()..].trim_start();
        let inline = after.starts_with("mod ")
            && after
                .find(['{', ';'])
                .is_some_and(|i| after.as_bytes()[i] == b'{');
        if !inline {
            continue;
        }
        let Some(open) = text[at..].find('{').map(|i| at + i) else {
            break;
        };
        let mut depth = 0;
        let mut close = text.len();
        for (i, ch) in text[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        text.replace_range(at..close, "");
        from = at;
    }
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.to_owned()];
    };
    let close = path.rfind('}').unwrap_or(path.len());
    let head = &path[..open];
    let inner = &path[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{head}{p}")))
        .collect()
}

/// The module paths one file's code names.
fn imports(module: &[String], children: &BTreeSet<&str>, code: &str) -> BTreeSet<Vec<String>> {
    let mut paths = Vec::new();
    // `use` statements, braces and all.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = after.find(';') {
            // Drop renames (`a::b as c`), then the white space.
            let words: Vec<&str> = after[..end].split_whitespace().collect();
            let mut kept = Vec::new();
            let mut i = 0;
            while i < words.len() {
                if words[i] == "as" {
                    i += 2;
                    // The rename may end with the list's comma or brace.
                    if let Some(tail) = words.get(i - 1).and_then(|w| w.find([',', '}'])) {
                        kept.push(&words[i - 1][tail..]);
                    }
                } else {
                    kept.push(words[i]);
                    i += 1;
                }
            }
            paths.extend(expand(&kept.concat()));
        }
    }
    // Paths written inline in the code.
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            paths.push(code[at..end].trim_end_matches(':').to_owned());
        }
    }
    let mut out = BTreeSet::new();
    for p in paths {
        let mut segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        let mut base: Vec<String> = match segs.first() {
            Some(&"crate") => Vec::new(),
            Some(&"super") => module[..module.len().saturating_sub(1)].to_vec(),
            Some(&"self") => module.to_vec(),
            // A path from a child module (`pub use child::Item`): the
            // parent depends on the child, which must not import it back.
            Some(first) if children.contains(*first) => {
                let mut b = module.to_vec();
                b.push((*first).to_owned());
                b
            }
            _ => continue,
        };
        segs.remove(0);
        while segs.first() == Some(&"super") {
            segs.remove(0);
            base.pop();
        }
        base.extend(segs.iter().map(|s| (*s).to_owned()));
        out.insert(base);
    }
    out
}

/// The deepest module a path names (`domain::dataset::Dataset` → `domain::dataset`).
fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains_key(p))
}

fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules = modules();
    modules
        .iter()
        .map(|(m, file)| {
            let children: BTreeSet<&str> = modules
                .keys()
                .filter(|k| k.len() == m.len() + 1 && k.starts_with(m))
                .map(|k| k[m.len()].as_str())
                .collect();
            let deps = imports(m, &children, &code(file))
                .iter()
                .filter_map(|p| resolve(p, &modules))
                // A module's own items, and its parent's `mod` list, are no import.
                .filter(|d| d != m && !d.is_empty())
                .collect();
            (m.clone(), deps)
        })
        .collect()
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let g = graph();
    // Tarjan's strongly connected components; any of more than one module is a cycle.
    struct State<'a> {
        g: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        cycles: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let Some((w, _)) = s.g.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                component.push(name(w));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.cycles.push(component);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        cycles: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    assert!(
        s.cycles.is_empty(),
        "modules that import each other: {:?}",
        s.cycles
    );
    // The check sees imports at all (a broken parser would find no cycle either).
    let handlers = g
        .get(&vec![
            "rest".to_owned(),
            "writes".to_owned(),
            "handlers".to_owned(),
        ])
        .unwrap();
    assert!(handlers.contains(&vec!["domain".to_owned(), "write".to_owned()]));
}

#[test]
fn the_layers_import_only_downwards() {
    let g = graph();
    // Which top-level modules each may import (beside its own submodules).
    let allowed: &[(&str, &[&str])] = &[
        ("config", &[]),
        ("error", &[]),
        ("telemetry", &["config"]),
        ("db", &["config", "error"]),
        ("domain", &["config", "db", "error"]),
        ("http", &["config", "domain", "error"]),
        (
            "graphql",
            &["config", "db", "domain", "error", "http", "state"],
        ),
        ("state", &["config", "db", "domain", "graphql", "http"]),
        (
            "rest",
            &["config", "db", "domain", "error", "http", "state"],
        ),
        (
            "startup",
            &["config", "db", "domain", "graphql", "http", "rest", "state"],
        ),
        (
            "cli",
            &[
                "config",
                "db",
                "domain",
                "error",
                "graphql",
                "rest",
                "startup",
                "state",
                "telemetry",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        let Some(top) = m.first() else { continue };
        let Some((_, may)) = allowed.iter().find(|(t, _)| t == top) else {
            wrong.push(format!(
                "{} is a layer docs/ARCHITECTURE.md does not place",
                name(m)
            ));
            continue;
        };
        for d in deps {
            let dtop = d.first().map(String::as_str).unwrap_or("crate");
            if dtop != top && !may.contains(&dtop) {
                wrong.push(format!("{} imports {}", name(m), name(d)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}
