//! Chosen values of a MISP galaxy cluster file as a dataset of groups: the
//! value as the group's primary name, its synonyms as aliases, its MISP uuid
//! as `external_ids.misp_galaxy`, and its `meta.refs` as the sources the group
//! cites. Only names, the uuid and URLs are read: MISP's descriptions and
//! other free text are its own sentences and stay out. A value without refs
//! is refused, since factline holds no fact without a source.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::bounds;
use crate::domain::dataset::{
    CitationRecord, Dataset, ExternalIds, GroupRecord, NameRecord, SourceRecord,
};
use crate::error::{Error, FieldError, Result};

/// A MISP value says nothing of how a group is organised (collective, crew,
/// cell…), so every imported group is `other` until an editor knows better.
pub const GROUP_KIND: &str = "other";

/// MISP names carry no language; English is the language of the cluster
/// files and what factline's convenience `name` looks for.
const NAME_LANG: &str = "en";

/// A ref's page is unread: its language is undetermined (BCP 47 `und`) and
/// its kind unknown.
const REF_LANG: &str = "und";
const REF_KIND: &str = "other";

/// The slug of a value's group: its name in lower case, runs of anything
/// but ASCII letters and digits made one hyphen; a name with no such
/// character (all in another script) falls back on the value's uuid.
pub fn group_slug(value: &str, uuid: &str) -> String {
    let slug = hyphenate(value, bounds::SLUG);
    if slug.is_empty() {
        format!("misp-{}", uuid.to_ascii_lowercase())
    } else {
        slug
    }
}

/// The slug of a ref's source: `ref-`, the host, and the first 48 bits of
/// the URL's SHA-256, so the same URL always gets the same slug, from any
/// value and any file, and two URLs on one host do not collide.
pub fn source_slug(url: &str) -> String {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let digest = Sha256::digest(url.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let host = hyphenate(host, 60);
    if host.is_empty() {
        format!("ref-{hex}")
    } else {
        format!("ref-{host}-{hex}")
    }
}

/// Lower-case ASCII letters and digits, single hyphens between runs, at
/// most `max` bytes, no hyphen at either end.
fn hyphenate(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(max);
    out.trim_end_matches('-').to_owned()
}

/// The dataset that brings the values named in `only` in from `cluster`
/// (a cluster file's text). Every fault is reported at once, each naming the
/// value and field, and nothing is returned when there is any.
pub fn dataset_of(cluster: &str, only: &[String]) -> Result<Dataset> {
    let doc: Value = serde_json::from_str(cluster)
        .map_err(|e| Error::invalid("file", format!("not JSON: {e}")))?;
    let Some(values) = doc.get("values").and_then(Value::as_array) else {
        return Err(Error::invalid(
            "values",
            "a MISP galaxy cluster has a `values` array",
        ));
    };
    if only.is_empty() {
        return Err(Error::invalid(
            "--only",
            "name the values to import (a cluster holds hundreds)",
        ));
    }
    let mut errors = Vec::new();
    let mut ds = Dataset::default();
    let mut missing = Vec::new();
    let mut chosen: Vec<&String> = Vec::new();
    for name in only {
        if !chosen.contains(&name) {
            chosen.push(name);
        }
    }
    for name in chosen {
        let found = values
            .iter()
            .find(|v| v.get("value").and_then(Value::as_str) == Some(name.as_str()));
        match found {
            None => missing.push(name.as_str()),
            Some(v) => read_value(name, v, &mut ds, &mut errors),
        }
    }
    if !missing.is_empty() {
        errors.insert(
            0,
            FieldError::new(
                "--only",
                format!("not a value of the cluster: {}", missing.join(", ")),
            ),
        );
    }
    if errors.is_empty() {
        ds.sources.sort_by(|a, b| a.slug.cmp(&b.slug));
        ds.sources.dedup_by(|a, b| a.slug == b.slug);
        Ok(ds)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Adds one value's group and ref sources to `ds`, or its faults to `errors`.
fn read_value(name: &str, v: &Value, ds: &mut Dataset, errors: &mut Vec<FieldError>) {
    let at = |field: &str| format!("values[{name}].{field}");
    let before = errors.len();
    let uuid = match v
        .get("uuid")
        .and_then(Value::as_str)
        .map(uuid::Uuid::parse_str)
    {
        Some(Ok(u)) => u.to_string(),
        _ => {
            errors.push(FieldError::new(at("uuid"), "a UUID is required"));
            String::new()
        }
    };
    let meta = v.get("meta");
    let strings = |key: &str, errors: &mut Vec<FieldError>| -> Vec<String> {
        match meta.and_then(|m| m.get(key)) {
            None => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                .iter()
                .filter_map(|s| s.as_str().map(str::trim).map(str::to_owned))
                .filter(|s| !s.is_empty())
                .collect(),
            Some(_) => {
                errors.push(FieldError::new(
                    at(&format!("meta.{key}")),
                    "a list of strings is required",
                ));
                Vec::new()
            }
        }
    };
    let synonyms = strings("synonyms", errors);
    let mut refs = strings("refs", errors);
    refs.dedup();
    if refs.is_empty() && errors.len() == before {
        errors.push(FieldError::new(
            at("meta.refs"),
            "the value cites no source: factline holds no fact without one",
        ));
    }
    for (i, r) in refs.iter().enumerate() {
        if !(r.starts_with("https://") || r.starts_with("http://")) {
            errors.push(FieldError::new(
                at(&format!("meta.refs[{i}]")),
                "not an http(s) URL",
            ));
        }
    }
    if errors.len() > before {
        return;
    }
    let mut names = vec![NameRecord {
        lang: NAME_LANG.into(),
        text: name.to_owned(),
        kind: "primary".into(),
    }];
    for s in synonyms {
        if !names.iter().any(|n| n.text == s) {
            names.push(NameRecord {
                lang: NAME_LANG.into(),
                text: s,
                kind: "alias".into(),
            });
        }
    }
    let mut citations = Vec::new();
    for url in refs {
        let slug = source_slug(&url);
        if citations.iter().any(|c: &CitationRecord| c.source == slug) {
            continue;
        }
        citations.push(CitationRecord {
            source: slug.clone(),
            quote: None,
            locator: None,
            field: None,
        });
        ds.sources.push(ref_source(slug, url));
    }
    ds.groups.push(GroupRecord {
        slug: group_slug(name, &uuid),
        kind: GROUP_KIND.into(),
        names,
        parent: None,
        founded: None,
        dissolved: None,
        texts: Vec::new(),
        external_ids: ExternalIds {
            misp_galaxy: Some(uuid),
            ..ExternalIds::default()
        },
        citations,
    });
}

/// A ref as a source. Nobody read the page, so its headline is unknown: the
/// title is the URL itself, marked as ours (`title_is_descriptive`); a URL
/// too long for a title gives way to a plain description naming its host.
fn ref_source(slug: String, url: String) -> SourceRecord {
    let title = if url.len() <= bounds::TITLE {
        url.clone()
    } else {
        format!("A web page listed as a MISP galaxy reference ({slug})")
    };
    SourceRecord {
        slug,
        title,
        title_is_descriptive: true,
        url: Some(url),
        archived_url: None,
        publisher: None,
        language: REF_LANG.into(),
        published: None,
        kind: REF_KIND.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocab;

    #[test]
    fn slugs_are_valid_and_stable() {
        assert_eq!(group_slug("NoName057(16)", "x"), "noname057-16");
        assert_eq!(
            group_slug("熊猫", "E62937D0-dec6-4c39-a836-e43b1d138df4"),
            "misp-e62937d0-dec6-4c39-a836-e43b1d138df4"
        );
        let a = source_slug("https://www.therecord.media/a?b=1");
        assert!(a.starts_with("ref-therecord-media-"), "{a}");
        assert!(vocab::is_slug(&a));
        assert_eq!(a, source_slug("https://www.therecord.media/a?b=1"));
        assert_ne!(a, source_slug("https://www.therecord.media/b"));
        assert!(vocab::is_language_tag(REF_LANG));
        assert!(vocab::SOURCE_KINDS.contains(&REF_KIND));
        assert!(vocab::GROUP_KINDS.contains(&GROUP_KIND));
    }
}
