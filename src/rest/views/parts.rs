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
