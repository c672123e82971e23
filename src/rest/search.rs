//! `GET /v1/search`: mixed results across entities, ranked.

use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::params::{Errors, Params};
use crate::domain::search;
use crate::error::{Error, Result};
use crate::http::problem::Problem;
use crate::rest::reader::ReadDb;

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// What to look for, in any language (at most 200 characters). Case,
    /// diacritics, tashkeel, tatweel and Arabic letter variants are folded.
    q: String,
    /// Most hits to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// group, operation, target or legal_outcome.
    pub kind: String,
    pub slug: String,
    pub name: String,
    /// exact, prefix, all_words (every word of the query starts a word of the name, in any order), substring (names and aliases contain every word) or text (descriptions, motives, summaries), best first.
    pub matched: String,
    /// name, alias, transliteration, translation, description, motive or summary.
    pub field: String,
    pub lang: String,
    /// The matching name or text as stored.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    pub data: Vec<SearchHit>,
}

#[utoipa::path(get, path = "/v1/search", tag = "search",
    params(SearchParams, super::v1::AsOfParams),
    responses(
        (status = 200, description = "Ranked hits across every kind of record: exact before prefix before substring, names and aliases before texts", body = SearchResults),
        (status = 400, description = "`q` missing, empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(s: ReadDb, p: Params) -> Result<Json<SearchResults>> {
    let mut e = Errors::default();
    e.take(p.only(&[&["q", "limit", crate::rest::params::AS_OF]]))?;
    let q = e.take(p.text("q"))?;
    let limit = e.take(p.int("limit"))?;
    if q.is_none() {
        e.take::<()>(Err(Error::invalid("q", "required")))?;
    }
    let limit = e.take(search::hits(limit, "limit"))?;
    e.finish()?;
    let q = q.unwrap_or_default();
    let hits = search::search(&s.db, &q, limit).await?;
    Ok(Json(SearchResults {
        query: q,
        data: hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind.as_str().to_owned(),
                slug: h.slug,
                name: h.name,
                matched: h.matched.as_str().to_owned(),
                field: h.field,
                lang: h.lang,
                text: h.text,
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use utoipa::IntoParams;

    use super::*;

    /// The documented bounds of `limit` are the domain's policy.
    #[test]
    fn the_documented_limit_is_the_search_policy() {
        let params = SearchParams::into_params(|| None);
        let limit = params.iter().find(|p| p.name == "limit").unwrap();
        let schema = serde_json::to_value(&limit.schema).unwrap();
        assert_eq!(schema["maximum"], search::MAX_HITS);
        assert_eq!(schema["minimum"], 1);
        let doc = limit.description.as_deref().unwrap();
        assert!(doc.contains(&format!("default {}", search::DEFAULT_HITS)));
        assert!(doc.contains(&format!("1 to {}", search::MAX_HITS)));
    }
}
