//! GraphQL values shared by the record types: scalars, dates, names, texts,
//! money, citations, global ids and the `Node` interface.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, Enum, ID, InputValueError, InputValueResult, Result, Scalar, ScalarType, SimpleObject,
    Value,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use uuid::Uuid;

use super::records::{Operation, Source};
use crate::domain::model::{DateValue, Subject};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

pub type Loader = DataLoader<DbLoader>;

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Loads<'a> {
    Loads(ctx.data_unchecked::<Loader>())
}

/// Caps a relation list per parent (`first`, default 20, at most 100): the
/// multiplier complexity uses. Complete lists page through the root connections.
pub(crate) fn cap<T>(mut v: Vec<T>, first: i32) -> Vec<T> {
    v.truncate(first.clamp(0, 100) as usize);
    v
}

// --- scalars and small values ---

/// An exact decimal number as a string (`"5600.00"`), never a float.
#[derive(Debug, Clone)]
pub struct Decimal(pub String);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) if crate::domain::dataset::parse_amount(&s).is_some() => {
                Ok(Decimal(s))
            }
            _ => Err(InputValueError::custom(
                "expected a decimal number as a string, e.g. \"5600.00\"",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A date that keeps its precision.
#[derive(SimpleObject, Debug, Clone)]
pub struct Date {
    /// EDTF text: `2003`, `2010-12`, `2010-12-08`, `2011-01/2011-02`, `2006-07?`.
    pub edtf: String,
    /// For an interval, the coarser of its ends.
    pub precision: Precision,
    /// First day it can denote; null for an open or unknown start.
    pub earliest: Option<NaiveDate>,
    /// Last day it can denote; null for an open or unknown end.
    pub latest: Option<NaiveDate>,
}

impl Date {
    pub fn of(edtf: Option<&str>) -> Option<Self> {
        DateValue::from_stored(edtf).map(|d| Date {
            edtf: d.edtf,
            precision: match d.precision {
                crate::domain::edtf::Precision::Year => Precision::Year,
                crate::domain::edtf::Precision::Month => Precision::Month,
                crate::domain::edtf::Precision::Day => Precision::Day,
            },
            earliest: d.earliest,
            latest: d.latest,
        })
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Name {
    /// BCP 47 language tag.
    pub lang: String,
    pub text: String,
    /// `primary` or `alias` (names sources use), `transliteration` or
    /// `translation` (ours, where no source names it in that language).
    pub kind: String,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Text {
    /// `description`, `motive` or `summary`.
    pub field: String,
    pub lang: String,
    pub text: String,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct MoneyValue {
    pub amount: Decimal,
    /// ISO 4217.
    pub currency: String,
    /// victim_reported_loss, prosecution_alleged_loss, restitution_ordered, fine, damages_claim.
    pub kind: String,
    /// per_person or total.
    pub scope: String,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ExternalIds {
    pub wikidata: Option<String>,
    pub misp_galaxy: Option<String>,
    pub attack: Option<String>,
}

/// A source supporting a record or link.
#[derive(SimpleObject, Debug, Clone)]
pub struct Citation {
    pub source: Source,
    /// Words of the source, in its language.
    pub quote: Option<String>,
    /// Where in the source.
    pub locator: Option<String>,
    /// The field it supports, when not the whole record.
    pub field: Option<String>,
}

/// A value another source reports for a disputed field of its record; the
/// record's own field keeps the value it shows.
#[derive(SimpleObject, Debug, Clone)]
pub struct Alternative {
    /// The field it is another value of (`start`, `end`, `date`, `money`,
    /// `peopleCount` as `people_count`, `court`, `person`, `kind`,
    /// `jurisdiction`).
    pub field: String,
    /// In the field's own shape: an EDTF string, a money object (amount as an
    /// exact decimal string), a count, a text.
    pub value: async_graphql::Json<serde_json::Value>,
    pub note: Option<String>,
    pub citations: Vec<Citation>,
}

pub(crate) async fn alternatives(
    ctx: &Context<'_>,
    subject: Subject,
    id: Uuid,
) -> Result<Vec<Alternative>> {
    let columns = Source::columns(&ctx.look_ahead().field("citations").field("source"));
    Ok(loader(ctx)
        .load_one(crate::graphql::loaders::AlternativesOf(
            subject, id, columns,
        ))
        .await
        .gql()?
        .unwrap_or_default()
        .into_iter()
        .map(|a| Alternative {
            field: a.field,
            value: async_graphql::Json(a.value),
            note: a.note,
            citations: a.citations.into_iter().map(Citation::from).collect(),
        })
        .collect())
}

pub(crate) async fn names(ctx: &Context<'_>, subject: Subject, id: Uuid) -> Result<Vec<Name>> {
    Ok(loader(ctx)
        .load_one(NamesOf(subject, id))
        .await
        .gql()?
        .unwrap_or_default()
        .into_iter()
        .map(|n| Name {
            lang: n.lang,
            text: n.text,
            kind: n.kind,
        })
        .collect())
}

pub(crate) async fn texts(ctx: &Context<'_>, subject: Subject, id: Uuid) -> Result<Vec<Text>> {
    Ok(loader(ctx)
        .load_one(TextsOf(subject, id))
        .await
        .gql()?
        .unwrap_or_default()
        .into_iter()
        .map(|t| Text {
            field: t.field,
            lang: t.lang,
            text: t.text,
        })
        .collect())
}

pub async fn citations(ctx: &Context<'_>, subject: Subject, id: Uuid) -> Result<Vec<Citation>> {
    let columns = Source::columns(&ctx.look_ahead().field("source"));
    Ok(loader(ctx)
        .load_one(CitationsOf(subject, id, columns))
        .await
        .gql()?
        .unwrap_or_default()
        .into_iter()
        .map(Citation::from)
        .collect())
}

impl From<crate::domain::model::Citation> for Citation {
    fn from(c: crate::domain::model::Citation) -> Self {
        Citation {
            source: Source(c.source),
            quote: c.quote,
            locator: c.locator,
            field: c.field,
        }
    }
}

// --- global ids ---

/// Relay global ids: `Kind:uuid`, base64url-encoded, opaque to clients.
pub fn global_id(kind: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

pub fn parse_global_id(id: &str) -> Option<(String, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

// --- groups ---

/// The operation at the other end of a group's or a target's link, through
/// the request's loader.
pub(super) async fn linked_operation(ctx: &Context<'_>, id: Uuid) -> Result<Operation> {
    let o = loader(ctx).load_one(OperationId(id)).await.gql()?;
    o.map(Operation)
        .ok_or_else(|| async_graphql::Error::new("the linked operation is gone"))
}
