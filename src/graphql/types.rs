//! GraphQL object types: thin wrappers over domain rows whose relation
//! fields resolve through the DataLoader.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputValueError, InputValueResult, Interface, Lookahead,
    Object, Result, Scalar, ScalarType, SimpleObject, Value,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::error::GqlResult;
use super::loaders::*;
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::domain::model::{CitedSource, DateValue, Money, Subject};
use crate::domain::relations::SourceColumns;

pub type Loader = DataLoader<DbLoader>;

pub(super) fn loader<'a>(ctx: &Context<'a>) -> Loads<'a> {
    Loads(ctx.data_unchecked::<Loader>())
}

/// Caps a relation list per parent (`first`, default 20, at most 100): the
/// multiplier complexity uses. Complete lists page through the root connections.
fn cap<T>(mut v: Vec<T>, first: i32) -> Vec<T> {
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
    /// `primary` or `alias`.
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

async fn names(ctx: &Context<'_>, subject: Subject, id: Uuid) -> Result<Vec<Name>> {
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

async fn texts(ctx: &Context<'_>, subject: Subject, id: Uuid) -> Result<Vec<Text>> {
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
        .map(|c| Citation {
            source: Source(c.source),
            quote: c.quote,
            locator: c.locator,
            field: c.field,
        })
        .collect())
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

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Group(Group),
    Operation(Operation),
    Target(Target),
    LegalOutcome(LegalOutcome),
    Source(Source),
}

// --- groups ---

#[derive(Debug, Clone)]
pub struct Group(pub group::Model);

/// An operation a group took part in, with the group's role.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct GroupOperation {
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    pub operation: Operation,
    #[graphql(skip)]
    pub link: Uuid,
}

#[ComplexObject]
impl GroupOperation {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationGroup, self.link).await
    }
}

/// A group linked to an operation, with its role.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct OperationGroup {
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    pub group: Group,
    #[graphql(skip)]
    pub link: Uuid,
}

#[ComplexObject]
impl OperationGroup {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationGroup, self.link).await
    }
}

/// A target of an operation.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct OperationTarget {
    pub target: Target,
    #[graphql(skip)]
    pub link: Uuid,
}

#[ComplexObject]
impl OperationTarget {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationTarget, self.link).await
    }
}

#[Object]
impl Group {
    pub async fn id(&self) -> ID {
        global_id("Group", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The English primary name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Group, self.0.id).await
    }
    /// collective, cell, crew, banner, faction, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        let Some(p) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(GroupId(p)).await.gql()?.map(Group))
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<Group>> {
        let v = loader(ctx)
            .load_one(ChildrenOfGroup(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(Group)
            .collect())
    }
    async fn founded(&self) -> Option<Date> {
        Date::of(self.0.founded_edtf.as_deref())
    }
    async fn dissolved(&self) -> Option<Date> {
        Date::of(self.0.dissolved_edtf.as_deref())
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::Group, self.0.id).await
    }
    async fn external_ids(&self) -> ExternalIds {
        ExternalIds {
            wikidata: self.0.wikidata_id.clone(),
            misp_galaxy: self.0.misp_galaxy_id.map(|u| u.to_string()),
            attack: self.0.attack_id.clone(),
        }
    }
    /// Operations the group is linked to, by start date.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<GroupOperation>> {
        let links = loader(ctx)
            .load_one(OperationsOfGroup(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|(l, o)| GroupOperation {
                role: l.role,
                operation: Operation(o),
                link: l.id,
            })
            .collect())
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn legal_outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<LegalOutcome>> {
        let v = loader(ctx)
            .load_one(LegalOutcomesOfGroup(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(LegalOutcome)
            .collect())
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Group, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

// --- operations ---

#[derive(Debug, Clone)]
pub struct Operation(pub operation::Model);

#[Object]
impl Operation {
    pub async fn id(&self) -> ID {
        global_id("Operation", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Operation, self.0.id).await
    }
    async fn start(&self) -> Option<Date> {
        Date::of(Some(&self.0.start_edtf))
    }
    async fn end(&self) -> Option<Date> {
        Date::of(self.0.end_edtf.as_deref())
    }
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<Operation>> {
        let Some(p) = self.0.part_of_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(OperationId(p))
            .await
            .gql()?
            .map(Operation))
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn parts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<Operation>> {
        let v = loader(ctx)
            .load_one(PartsOfOperation(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(Operation)
            .collect())
    }
    /// ddos, doxing, defacement, protest, data_leak, raid, …
    async fn tactics(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loader(ctx)
            .load_one(TacticsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default())
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::Operation, self.0.id).await
    }
    async fn disputed(&self) -> bool {
        self.0.disputed
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note.as_deref()
    }
    /// Groups linked to the operation, each with its role and the link's sources.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<OperationGroup>> {
        let links = loader(ctx)
            .load_one(GroupsOfOperation(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|(l, g)| OperationGroup {
                role: l.role,
                group: Group(g),
                link: l.id,
            })
            .collect())
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<OperationTarget>> {
        let links = loader(ctx)
            .load_one(TargetsOfOperation(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|(l, t)| OperationTarget {
                target: Target(t),
                link: l.id,
            })
            .collect())
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn legal_outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<LegalOutcome>> {
        let v = loader(ctx)
            .load_one(LegalOutcomesOfOperation(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(LegalOutcome)
            .collect())
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Operation, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

// --- targets ---

#[derive(Debug, Clone)]
pub struct Target(pub target::Model);

#[Object]
impl Target {
    pub async fn id(&self) -> ID {
        global_id("Target", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Target, self.0.id).await
    }
    /// company, government, religious_org, website, person, ngo, media, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// ISO 3166-1 alpha-2.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    async fn sector(&self) -> Option<&str> {
        self.0.sector.as_deref()
    }
    /// Operations against the target, by start date.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<Operation>> {
        let v = loader(ctx)
            .load_one(OperationsOfTarget(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(|(_, o)| Operation(o))
            .collect())
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Target, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

// --- legal outcomes ---

#[derive(Debug, Clone)]
pub struct LegalOutcome(pub legal_outcome::Model);

#[Object]
impl LegalOutcome {
    pub async fn id(&self) -> ID {
        global_id("LegalOutcome", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn date(&self) -> Option<Date> {
        Date::of(Some(&self.0.date_edtf))
    }
    /// ISO 3166-1 or 3166-2.
    async fn jurisdiction(&self) -> Option<&str> {
        self.0.jurisdiction.as_deref()
    }
    async fn court(&self) -> Option<&str> {
        self.0.court.as_deref()
    }
    async fn operation(&self, ctx: &Context<'_>) -> Result<Option<Operation>> {
        let Some(id) = self.0.operation_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(OperationId(id))
            .await
            .gql()?
            .map(Operation))
    }
    async fn group(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        let Some(id) = self.0.group_id else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(GroupId(id)).await.gql()?.map(Group))
    }
    async fn people_count(&self) -> Option<i32> {
        self.0.people_count
    }
    /// Named only where a public court record or official statement names them.
    async fn person(&self) -> Option<&str> {
        self.0.person.as_deref()
    }
    async fn money(&self) -> Option<MoneyValue> {
        Money::of(&self.0).map(|m| MoneyValue {
            amount: Decimal(m.amount.to_string()),
            currency: m.currency,
            kind: m.kind,
            scope: m.scope,
        })
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::LegalOutcome, self.0.id).await
    }
    async fn disputed(&self) -> bool {
        self.0.disputed
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note.as_deref()
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::LegalOutcome, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

// --- sources ---

/// Each record type wraps its row (mutations build them by `From`).
macro_rules! wraps_model {
    ($($ty:ident($model:path)),*) => {
        $(impl From<$model> for $ty {
            fn from(m: $model) -> Self {
                $ty(m)
            }
        })*
    };
}
wraps_model!(
    Group(group::Model),
    Target(target::Model),
    Operation(operation::Model),
    LegalOutcome(legal_outcome::Model)
);

/// A source, whole (read by slug or listed) or as a citation's reader
/// selected it (`Source::columns`).
#[derive(Debug, Clone)]
pub struct Source(pub CitedSource);

impl From<source::Model> for Source {
    fn from(m: source::Model) -> Self {
        Source(m.into())
    }
}

/// A record that cites a source.
#[derive(SimpleObject, Debug, Clone)]
pub struct CitingRecordView {
    /// group, target, operation or legal_outcome.
    pub kind: String,
    pub slug: String,
    pub name: String,
}

impl Source {
    /// The columns read by the fields `selection` asks of a source; `id`
    /// and `citedBy` need only the id, which is always read. A field of
    /// `Source` missing here would answer with an empty value when reached
    /// through a citation: the test
    /// `every_source_field_reads_alike_through_a_citation` asks for them all.
    fn columns(selection: &Lookahead<'_>) -> SourceColumns {
        use source::Column as C;
        const FIELDS: [(&str, source::Column); 12] = [
            ("slug", C::Slug),
            ("title", C::Title),
            ("titleIsDescriptive", C::TitleIsDescriptive),
            ("url", C::Url),
            ("archivedUrl", C::ArchivedUrl),
            ("publisher", C::Publisher),
            ("language", C::Language),
            ("kind", C::Kind),
            ("published", C::PublishedEdtf),
            ("version", C::Version),
            ("createdAt", C::CreatedAt),
            ("updatedAt", C::UpdatedAt),
        ];
        FIELDS
            .iter()
            .filter(|(field, _)| selection.field(field).exists())
            .fold(SourceColumns::NONE, |cols, (_, c)| cols.with(*c))
    }
}

#[Object]
impl Source {
    pub async fn id(&self) -> ID {
        global_id("Source", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn title(&self) -> Result<&str> {
        self.0.title().gql()
    }
    /// True when the title is ours, written because the page's headline
    /// could not be read: not to be quoted as the source's words.
    async fn title_is_descriptive(&self) -> Result<bool> {
        self.0.title_is_descriptive().gql()
    }
    async fn url(&self) -> Result<Option<&str>> {
        self.0.url().gql()
    }
    async fn archived_url(&self) -> Result<Option<&str>> {
        self.0.archived_url().gql()
    }
    async fn publisher(&self) -> Result<Option<&str>> {
        self.0.publisher().gql()
    }
    /// BCP 47.
    async fn language(&self) -> Result<&str> {
        self.0.language().gql()
    }
    async fn kind(&self) -> Result<&str> {
        self.0.kind().gql()
    }
    async fn published(&self) -> Result<Option<Date>> {
        Ok(Date::of(self.0.published_edtf().gql()?))
    }
    /// The records that cite this source (a link's citation counts for its operation).
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn cited_by(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<CitingRecordView>> {
        let v = loader(ctx).load_one(CitedBy(self.0.id)).await.gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(|r| CitingRecordView {
                kind: r.kind.to_owned(),
                slug: r.slug,
                name: r.name,
            })
            .collect())
    }
    async fn version(&self) -> Result<i32> {
        self.0.version().gql()
    }
    async fn created_at(&self) -> Result<DateTime<Utc>> {
        self.0.created_at().gql()
    }
    async fn updated_at(&self) -> Result<DateTime<Utc>> {
        self.0.updated_at().gql()
    }
}
