//! Sources as citations a paper can use: CSL-JSON (Zotero, Pandoc, citeproc)
//! and BibTeX (biblatex), for `GET /v1/sources?format=csl-json|bibtex` and
//! for the sources behind one record (`GET /v1/{collection}/{slug}?format=…`).
//! A publication date keeps its precision: a source known only to the month
//! is `"date-parts": [[2010, 12]]` and `date = {2010-12}`, never a made-up day.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::params::Params;
use super::views::SourceView;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiteFormat {
    CslJson,
    Bibtex,
}

/// What `format` takes on a record.
pub const RECORD_FORMATS: &[&str] = &["json", "csl-json", "bibtex"];

impl CiteFormat {
    /// `format=csl-json|bibtex` on a record; `None` for the record itself.
    pub fn of_record(p: &Params) -> Result<Option<Self>> {
        Ok(match p.choice("format", RECORD_FORMATS)?.as_deref() {
            Some("csl-json") => Some(CiteFormat::CslJson),
            Some("bibtex") => Some(CiteFormat::Bibtex),
            _ => None,
        })
    }
}

/// The title as a bibliography prints it: a title the dataset marks as
/// descriptive (`title_is_descriptive`, supplied because the source has none
/// usable) goes in square brackets, the cataloguing convention for a
/// supplied title.
fn title(s: &SourceView) -> String {
    if s.title_is_descriptive {
        format!("[{}]", s.title)
    } else {
        s.title.clone()
    }
}

/// CSL item types for factline's source kinds.
fn csl_type(kind: &str) -> &'static str {
    match kind {
        "news" => "article-newspaper",
        "court_record" => "legal_case",
        "government" => "report",
        "academic" => "article-journal",
        "encyclopedia" | "reference" => "entry-encyclopedia",
        "blog" => "post-weblog",
        "group_statement" | "seed" => "document",
        _ => "webpage",
    }
}

/// The date's known parts: year, then month and day only when known.
fn date_parts(s: &SourceView) -> Option<Vec<i64>> {
    let d = s.published.as_ref()?;
    let first = d.earliest?;
    let mut parts = vec![i64::from(chrono::Datelike::year(&first))];
    if d.precision == "month" || d.precision == "day" {
        parts.push(i64::from(chrono::Datelike::month(&first)));
    }
    if d.precision == "day" {
        parts.push(i64::from(chrono::Datelike::day(&first)));
    }
    Some(parts)
}

pub fn csl_item(s: &SourceView) -> Value {
    let mut item = json!({
        "id": s.slug,
        "type": csl_type(&s.kind),
        "title": title(s),
        "language": s.language,
    });
    if let Some(url) = &s.url {
        item["URL"] = url.clone().into();
    }
    if let Some(p) = &s.publisher {
        // Newspapers and journals are containers; anything else has a publisher.
        let key = match s.kind.as_str() {
            "news" | "academic" | "blog" => "container-title",
            _ => "publisher",
        };
        item[key] = p.clone().into();
    }
    if let Some(parts) = date_parts(s) {
        item["issued"] = json!({ "date-parts": [parts] });
        if let Some(d) = &s.published
            && d.edtf.contains(['?', '~', '%', '/'])
        {
            // Uncertain or interval dates: the EDTF says what the parts cannot.
            item["issued"]["literal"] = d.edtf.clone().into();
        }
    }
    if let Some(a) = &s.archived_url {
        item["note"] = format!("Archived copy: {a}").into();
    }
    item
}

/// Escapes BibTeX's special characters; braces keep the title's case.
fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            // BibTeX counts braces even when escaped: an unbalanced one in a
            // title would swallow the rest of the file, so braces are words.
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c => out.push(c),
        }
    }
    out
}

/// A BibTeX key: the slug with only the characters every BibTeX accepts.
fn key(slug: &str) -> String {
    slug.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn bibtex_entry(s: &SourceView) -> String {
    let entry = match s.kind.as_str() {
        "news" | "academic" => "article",
        "court_record" => "jurisdiction",
        "government" => "report",
        _ if s.url.is_some() => "online",
        _ => "misc",
    };
    let mut fields: Vec<(&str, String)> = vec![("title", format!("{{{}}}", tex(&title(s))))];
    if let Some(p) = &s.publisher {
        let name = match entry {
            "article" => "journaltitle",
            "report" | "jurisdiction" => "institution",
            _ => "organization",
        };
        fields.push((name, tex(p)));
    }
    if let Some(d) = &s.published {
        // biblatex reads ISO 8601 dates at year, month or day precision.
        let parts = date_parts(s).unwrap_or_default();
        let date = match parts.as_slice() {
            [y] => format!("{y:04}"),
            [y, m] => format!("{y:04}-{m:02}"),
            [y, m, day] => format!("{y:04}-{m:02}-{day:02}"),
            _ => String::new(),
        };
        if !date.is_empty() {
            fields.push(("date", date));
        }
        if d.edtf.contains(['?', '~', '%', '/']) {
            fields.push(("note", format!("Date as recorded (EDTF): {}", tex(&d.edtf))));
        }
    }
    if let Some(u) = &s.url {
        fields.push(("url", u.clone()));
    }
    if let Some(a) = &s.archived_url {
        fields.push(("addendum", format!("Archived copy: {}", tex(a))));
    }
    fields.push(("langid", tex(&s.language)));
    fields.push(("keywords", format!("factline, {}", tex(&s.kind))));
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("  {k} = {{{v}}}"))
        .collect();
    format!("@{entry}{{{},\n{}\n}}\n", key(&s.slug), body.join(",\n"))
}

pub fn render(format: CiteFormat, sources: &[SourceView]) -> Response {
    let (body, media) = match format {
        CiteFormat::CslJson => (
            serde_json::to_string_pretty(&Value::Array(sources.iter().map(csl_item).collect()))
                .unwrap_or_else(|_| "[]".into()),
            "application/vnd.citationstyles.csl+json",
        ),
        CiteFormat::Bibtex => (
            sources
                .iter()
                .map(bibtex_entry)
                .collect::<Vec<_>>()
                .join("\n"),
            "application/x-bibtex; charset=utf-8",
        ),
    };
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::views::DateView;

    fn source(published: Option<&str>) -> SourceView {
        SourceView {
            title_is_descriptive: false,
            id: uuid::Uuid::nil(),
            slug: "heise-guzner".into(),
            title: "Scientology-Hacker {pleads} 100% guilty & more_".into(),
            url: Some("https://example.org/a".into()),
            archived_url: None,
            publisher: Some("heise online".into()),
            language: "de".into(),
            kind: "news".into(),
            published: DateView::of(published),
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn dates_keep_their_precision() {
        let month = csl_item(&source(Some("2009-05")));
        assert_eq!(month["issued"]["date-parts"], json!([[2009, 5]]));
        assert_eq!(month["type"], "article-newspaper");
        assert_eq!(month["container-title"], "heise online");
        let year = csl_item(&source(Some("2011")));
        assert_eq!(year["issued"]["date-parts"], json!([[2011]]));
        assert!(csl_item(&source(None)).get("issued").is_none());
        assert!(bibtex_entry(&source(Some("2009-05"))).contains("date = {2009-05}"));
        assert!(bibtex_entry(&source(Some("2011"))).contains("date = {2011}"));
    }

    #[test]
    fn a_descriptive_title_is_bracketed() {
        let mut s = source(None);
        s.title = "Anonymous group attacks anti-piracy sites".into();
        s.title_is_descriptive = true;
        assert_eq!(
            csl_item(&s)["title"],
            "[Anonymous group attacks anti-piracy sites]"
        );
        assert!(
            bibtex_entry(&s).contains("title = {{[Anonymous group attacks anti-piracy sites]}}")
        );
    }

    #[test]
    fn bibtex_escapes_special_characters() {
        let b = bibtex_entry(&source(Some("2009-05-26")));
        assert!(b.starts_with("@article{heise-guzner,\n"), "{b}");
        assert!(
            b.contains(
                r"title = {{Scientology-Hacker \textbraceleft{}pleads\textbraceright{} 100\% guilty \& more\_}}"
            ),
            "{b}"
        );
        assert!(b.contains("date = {2009-05-26}"));
        assert!(b.contains("journaltitle = {heise online}"));
        // An unbalanced brace or a raw % in a URL cannot break the file.
        let mut s = source(None);
        s.title = "Anonymous {leak".into();
        s.archived_url = Some("https://archive.org/a%20b#c".into());
        let b = bibtex_entry(&s);
        assert_eq!(b.matches('{').count(), b.matches('}').count(), "{b}");
        assert!(
            b.contains(r"Archived copy: https://archive.org/a\%20b\#c"),
            "{b}"
        );
    }
}
