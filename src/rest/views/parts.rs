//! Mapping the pieces every record has (names, texts, citations, money) to
//! their wire shapes.

use super::wire::{
    AlternativeView, CitationView, DateView, LegalOutcomeRef, MoneyView, NameView, SourceRef,
    TextView,
};
use crate::db::entities::legal_outcome;
use crate::domain::model::{Alternative, Citation, Money, Name, Text};
use crate::error::Result;

pub(crate) fn names(v: Vec<Name>) -> Vec<NameView> {
    v.into_iter()
        .map(|n| NameView {
            lang: n.lang,
            text: n.text,
            kind: n.kind,
        })
        .collect()
}

pub(crate) fn texts(v: Vec<Text>) -> Vec<TextView> {
    v.into_iter()
        .map(|t| TextView {
            field: t.field,
            lang: t.lang,
            text: t.text,
        })
        .collect()
}

pub(crate) fn citations(v: Vec<Citation>) -> Result<Vec<CitationView>> {
    v.into_iter()
        .map(|c| {
            Ok(CitationView {
                source: SourceRef::try_from(c.source)?,
                quote: c.quote,
                locator: c.locator,
                field: c.field,
            })
        })
        .collect()
}

pub(crate) fn alternatives(v: Vec<Alternative>) -> Result<Vec<AlternativeView>> {
    v.into_iter()
        .map(|a| {
            Ok(AlternativeView {
                citations: citations(a.citations)?,
                field: a.field,
                value: a.value,
                note: a.note,
            })
        })
        .collect()
}

/// An alternative as one CSV cell item: `money=5200000.00 USD
/// (scmagazine-2013-01)`, `start=2011-03 (a-source | another)`.
pub(crate) fn alternative_text<'a>(
    field: &str,
    value: &serde_json::Value,
    sources: impl Iterator<Item = &'a str>,
) -> String {
    let value = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(m) if m.contains_key("amount") => format!(
            "{} {}",
            m["amount"].as_str().unwrap_or_default(),
            m.get("currency")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
        ),
        other => other.to_string(),
    };
    let sources: Vec<&str> = sources.collect();
    format!("{field}={value} ({})", sources.join(" | "))
}

pub(crate) fn lo_ref(l: &legal_outcome::Model) -> LegalOutcomeRef {
    LegalOutcomeRef {
        slug: l.slug.clone(),
        kind: l.kind.clone(),
        date: DateView::of(Some(&l.date_edtf)),
    }
}

pub(crate) fn money(l: &legal_outcome::Model) -> Option<MoneyView> {
    Money::of(l).map(|m| MoneyView {
        amount: m.amount.to_string(),
        currency: m.currency,
        kind: m.kind,
        scope: m.scope,
    })
}
