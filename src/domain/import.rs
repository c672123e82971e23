//! Loading a dataset file: validate everything first, then write in one
//! transaction. Records are matched by slug; a record equal to what is stored
//! is left alone (no version bump, no revision), so importing the same file
//! twice changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::Conn;
use super::dataset::{
    CitationRecord, Dataset, GroupRecord, KnownSlugs, LegalOutcomeRecord, NameRecord,
    OperationRecord, SourceRecord, TargetRecord, TextRecord, validate,
};
use super::edtf::Edtf;
use super::model::Subject;
use super::snapshot;
use super::text::search_key;
use crate::db::bulk::{Upkeep, insert_chunked, plan_each_statement};
use crate::db::entities::{
    citation, group, legal_outcome, name, operation, operation_group, operation_tactic,
    operation_target, revision, source, target, text,
};
use crate::db::rows;
use crate::error::{Error, Result};

/// Namespace of the deterministic record ids (UUIDv5 of `kind/slug`), so the
/// same dataset gets the same ids on every machine.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_9d0b_4c1e_8a53_7e2f_0b9d_4a61);

pub fn record_id(kind: &str, slug: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("{kind}/{slug}").as_bytes())
}

/// Records of one kind built and written together (see `Writer::write`): a
/// step's rows with their names, texts and citations stay a few tens of MB.
const RECORDS_PER_STEP: usize = 5_000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportReport {
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged
    }
}

/// Reports progress as (records done, records in the file).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Ids of the stored records among `slugs`, keyed by slug.
async fn ids_of<E: EntityTrait, C: Conn>(
    db: &C,
    id: E::Column,
    slug: E::Column,
    slugs: &HashSet<String>,
) -> Result<HashMap<String, Uuid>> {
    let slugs: Vec<&String> = slugs.iter().collect();
    let mut out = HashMap::new();
    for chunk in slugs.chunks(super::relations::CHUNK) {
        out.extend(
            rows::tuples::<(String, Uuid), _, _>(
                db,
                E::find()
                    .select_only()
                    .column(slug)
                    .column(id)
                    .filter(slug.is_in(chunk.iter().map(|s| s.as_str()))),
            )
            .await?,
        );
    }
    Ok(out)
}

/// Every slug a dataset mentions, by kind: its own records and the records
/// they refer to. Lookups touch only these, not whole tables.
#[derive(Debug, Default)]
struct Mentioned {
    sources: HashSet<String>,
    groups: HashSet<String>,
    targets: HashSet<String>,
    operations: HashSet<String>,
}

impl Mentioned {
    fn of(ds: &Dataset) -> Self {
        let mut m = Mentioned::default();
        let cite = |m: &mut Mentioned, cs: &[CitationRecord]| {
            m.sources.extend(cs.iter().map(|c| c.source.clone()));
        };
        m.sources.extend(ds.sources.iter().map(|r| r.slug.clone()));
        for r in &ds.groups {
            m.groups.insert(r.slug.clone());
            m.groups.extend(r.parent.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.targets {
            m.targets.insert(r.slug.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.operations {
            m.operations.insert(r.slug.clone());
            m.operations.extend(r.part_of.clone());
            cite(&mut m, &r.citations);
            for g in &r.groups {
                m.groups.insert(g.group.clone());
                cite(&mut m, &g.citations);
            }
            for t in &r.targets {
                m.targets.insert(t.target.clone());
                cite(&mut m, &t.citations);
            }
        }
        for r in &ds.legal_outcomes {
            m.operations.extend(r.operation.clone());
            m.groups.extend(r.group.clone());
            cite(&mut m, &r.citations);
        }
        m
    }
}

/// Stored ids of every mentioned slug, by kind.
struct StoredIds {
    sources: HashMap<String, Uuid>,
    groups: HashMap<String, Uuid>,
    targets: HashMap<String, Uuid>,
    operations: HashMap<String, Uuid>,
}

impl StoredIds {
    async fn load<C: Conn>(db: &C, m: &Mentioned) -> Result<Self> {
        Ok(StoredIds {
            sources: ids_of::<source::Entity, _>(
                db,
                source::Column::Id,
                source::Column::Slug,
                &m.sources,
            )
            .await?,
            groups: ids_of::<group::Entity, _>(
                db,
                group::Column::Id,
                group::Column::Slug,
                &m.groups,
            )
            .await?,
            targets: ids_of::<target::Entity, _>(
                db,
                target::Column::Id,
                target::Column::Slug,
                &m.targets,
            )
            .await?,
            operations: ids_of::<operation::Entity, _>(
                db,
                operation::Column::Id,
                operation::Column::Slug,
                &m.operations,
            )
            .await?,
        })
    }

    fn known(&self) -> KnownSlugs {
        KnownSlugs {
            sources: self.sources.keys().cloned().collect(),
            groups: self.groups.keys().cloned().collect(),
            targets: self.targets.keys().cloned().collect(),
            operations: self.operations.keys().cloned().collect(),
        }
    }
}

/// Validates `ds` against itself and the database, then writes it in one
/// transaction. Nothing is written when any record is at fault.
pub async fn import(
    db: &DatabaseConnection,
    ds: Dataset,
    actor: Option<Uuid>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let txn = db.begin().await?;
    plan_each_statement(&txn).await?;
    let upkeep = if db.get_database_backend() == DbBackend::Postgres {
        Upkeep::suspend(&txn).await?
    } else {
        Upkeep::default()
    };
    let report = apply(&txn, ds, actor, Some("import"), progress).await?;
    upkeep.restore(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

/// Validates and writes `ds` on a connection the caller holds (a
/// transaction), recording a revision for every record it creates or changes.
pub async fn apply<C: Conn>(
    db: &C,
    mut ds: Dataset,
    actor: Option<Uuid>,
    reason: Option<&str>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    ds.normalize();
    let mentioned = Mentioned::of(&ds);
    let stored = StoredIds::load(db, &mentioned).await?;
    let mut errors = validate(&ds, &stored.known());
    if errors.is_empty() {
        errors = stored_cycles(db, &ds).await?;
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Writer::new(db, actor, reason, progress, &ds, stored)
        .write(&ds)
        .await
}

/// Parent chains that would loop once the file's records join the stored
/// ones (validation already refused loops within the file).
async fn stored_cycles<C: Conn>(db: &C, ds: &Dataset) -> Result<Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let groups: HashMap<&str, Option<&str>> = ds
        .groups
        .iter()
        .map(|g| (g.slug.as_str(), g.parent.as_deref()))
        .collect();
    for g in &ds.groups {
        if let Some(p) = &g.parent
            && reaches(db, p, &g.slug, &groups, true).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("groups[{}].parent", g.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    let ops: HashMap<&str, Option<&str>> = ds
        .operations
        .iter()
        .map(|o| (o.slug.as_str(), o.part_of.as_deref()))
        .collect();
    for o in &ds.operations {
        if let Some(p) = &o.part_of
            && reaches(db, p, &o.slug, &ops, false).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("operations[{}].part_of", o.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    Ok(errors)
}

/// Does the parent chain from `start` reach `target`? The file's records
/// take precedence over stored ones.
async fn reaches<C: Conn>(
    db: &C,
    start: &str,
    target: &str,
    in_file: &HashMap<&str, Option<&str>>,
    groups: bool,
) -> Result<bool> {
    let mut at = Some(start.to_owned());
    let mut steps = 0;
    while let Some(slug) = at {
        if slug == target {
            return Ok(true);
        }
        steps += 1;
        if steps > 10_000 {
            return Ok(true);
        }
        at = match in_file.get(slug.as_str()) {
            Some(p) => p.map(str::to_owned),
            None if groups => {
                let parent = rows::one(
                    db,
                    group::Entity::find().filter(group::Column::Slug.eq(slug.as_str())),
                )
                .await?
                .and_then(|g| g.parent_id);
                match parent {
                    Some(id) => rows::one(db, group::Entity::find_by_id(id))
                        .await?
                        .map(|g| g.slug),
                    None => None,
                }
            }
            None => {
                let parent = rows::one(
                    db,
                    operation::Entity::find().filter(operation::Column::Slug.eq(slug.as_str())),
                )
                .await?
                .and_then(|o| o.part_of_id);
                match parent {
                    Some(id) => rows::one(db, operation::Entity::find_by_id(id))
                        .await?
                        .map(|o| o.slug),
                    None => None,
                }
            }
        };
    }
    Ok(false)
}

/// Rows collected for one import, written kind by kind.
struct Writer<'a, C: Conn> {
    db: &'a C,
    actor: Option<Uuid>,
    reason: Option<String>,
    now: DateTime<Utc>,
    progress: Progress<'a>,
    done: u64,
    total: u64,
    report: ImportReport,
    source_ids: HashMap<String, Uuid>,
    group_ids: HashMap<String, Uuid>,
    target_ids: HashMap<String, Uuid>,
    operation_ids: HashMap<String, Uuid>,
    names: Vec<name::ActiveModel>,
    texts: Vec<text::ActiveModel>,
    citations: Vec<citation::ActiveModel>,
    revisions: Vec<revision::ActiveModel>,
}

/// What happens to one record.
enum Plan {
    Create,
    Update {
        version: i32,
        before: serde_json::Value,
    },
    Keep,
}

impl<'a, C: Conn> Writer<'a, C> {
    fn new(
        db: &'a C,
        actor: Option<Uuid>,
        reason: Option<&str>,
        progress: Progress<'a>,
        ds: &Dataset,
        stored: StoredIds,
    ) -> Self {
        let mut w = Writer {
            db,
            actor,
            reason: reason.map(str::to_owned),
            now: Utc::now(),
            progress,
            done: 0,
            total: (ds.sources.len()
                + ds.groups.len()
                + ds.targets.len()
                + ds.operations.len()
                + ds.legal_outcomes.len()) as u64,
            report: ImportReport::default(),
            source_ids: stored.sources,
            group_ids: stored.groups,
            target_ids: stored.targets,
            operation_ids: stored.operations,
            names: Vec::new(),
            texts: Vec::new(),
            citations: Vec::new(),
            revisions: Vec::new(),
        };
        // New records get their deterministic ids up front, so references
        // within the file resolve before anything is inserted.
        for r in &ds.sources {
            w.source_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("source", &r.slug));
        }
        for r in &ds.groups {
            w.group_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("group", &r.slug));
        }
        for r in &ds.targets {
            w.target_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("target", &r.slug));
        }
        for r in &ds.operations {
            w.operation_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("operation", &r.slug));
        }
        (w.progress)(0, w.total);
        w
    }

    fn tick(&mut self, n: usize) {
        self.done += n as u64;
        (self.progress)(self.done, self.total);
    }

    fn plan<T: PartialEq + serde::Serialize>(
        &mut self,
        incoming: &T,
        existing: Option<(&T, i32)>,
    ) -> Plan {
        match existing {
            None => {
                self.report.created += 1;
                Plan::Create
            }
            Some((old, _)) if old == incoming => {
                self.report.unchanged += 1;
                Plan::Keep
            }
            Some((old, version)) => {
                self.report.updated += 1;
                Plan::Update {
                    version,
                    before: serde_json::to_value(old).unwrap_or_default(),
                }
            }
        }
    }

    fn revision<T: serde::Serialize>(
        &mut self,
        kind: &str,
        id: Uuid,
        slug: &str,
        version: i32,
        plan: &Plan,
        after: &T,
    ) {
        let (action, before) = match plan {
            Plan::Create => ("create", None),
            Plan::Update { before, .. } => ("update", Some(before.clone())),
            Plan::Keep => return,
        };
        self.revisions.push(revision::ActiveModel {
            id: Set(Uuid::new_v4()),
            entity_kind: Set(kind.to_owned()),
            entity_id: Set(id),
            entity_slug: Set(slug.to_owned()),
            version: Set(version),
            action: Set(action.to_owned()),
            actor_key_id: Set(self.actor),
            at: Set(self.now),
            before: Set(before),
            after: Set(serde_json::to_value(after).ok()),
            reason: Set(self.reason.clone()),
        });
    }

    fn push_names(&mut self, subject: Subject, owner: Uuid, names: &[NameRecord]) {
        for (i, n) in names.iter().enumerate() {
            self.names.push(name::ActiveModel {
                id: Set(Uuid::new_v4()),
                group_id: Set((subject == Subject::Group).then_some(owner)),
                target_id: Set((subject == Subject::Target).then_some(owner)),
                operation_id: Set((subject == Subject::Operation).then_some(owner)),
                lang: Set(n.lang.clone()),
                text: Set(n.text.clone()),
                kind: Set(n.kind.clone()),
                position: Set(i as i32),
                search_key: Set(search_key(&n.text)),
            });
        }
    }

    fn push_texts(&mut self, subject: Subject, owner: Uuid, texts: &[TextRecord]) {
        for t in texts {
            self.texts.push(text::ActiveModel {
                id: Set(Uuid::new_v4()),
                group_id: Set((subject == Subject::Group).then_some(owner)),
                target_id: Set((subject == Subject::Target).then_some(owner)),
                operation_id: Set((subject == Subject::Operation).then_some(owner)),
                legal_outcome_id: Set((subject == Subject::LegalOutcome).then_some(owner)),
                field: Set(t.field.clone()),
                lang: Set(t.lang.clone()),
                text: Set(t.text.clone()),
                search_key: Set(search_key(&t.text)),
            });
        }
    }

    fn push_citations(&mut self, subject: Subject, owner: Uuid, citations: &[CitationRecord]) {
        for (i, c) in citations.iter().enumerate() {
            let is = |s: Subject| Set((subject == s).then_some(owner));
            self.citations.push(citation::ActiveModel {
                id: Set(Uuid::new_v4()),
                source_id: Set(self.source_ids[&c.source]),
                group_id: is(Subject::Group),
                target_id: is(Subject::Target),
                operation_id: is(Subject::Operation),
                legal_outcome_id: is(Subject::LegalOutcome),
                operation_group_id: is(Subject::OperationGroup),
                operation_target_id: is(Subject::OperationTarget),
                field: Set(c.field.clone()),
                quote: Set(c.quote.clone()),
                locator: Set(c.locator.clone()),
                position: Set(i as i32),
            });
        }
    }

    /// Removes the dependent rows of records about to be rewritten.
    async fn clear_children(&self, subject: Subject, ids: &[Uuid]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for chunk in ids.chunks(super::relations::CHUNK) {
            let ids = chunk.iter().copied();
            match subject {
                Subject::Group => {
                    name::Entity::delete_many()
                        .filter(name::Column::GroupId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    text::Entity::delete_many()
                        .filter(text::Column::GroupId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::GroupId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::Target => {
                    name::Entity::delete_many()
                        .filter(name::Column::TargetId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::TargetId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::Operation => {
                    name::Entity::delete_many()
                        .filter(name::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    text::Entity::delete_many()
                        .filter(text::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    operation_tactic::Entity::delete_many()
                        .filter(operation_tactic::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    // Link citations go with their links (ON DELETE CASCADE).
                    operation_group::Entity::delete_many()
                        .filter(operation_group::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    operation_target::Entity::delete_many()
                        .filter(operation_target::Column::OperationId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::LegalOutcome => {
                    text::Entity::delete_many()
                        .filter(text::Column::LegalOutcomeId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::LegalOutcomeId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::OperationGroup | Subject::OperationTarget => {}
            }
        }
        Ok(())
    }

    /// Writes the file kind by kind, `RECORDS_PER_STEP` records at a time:
    /// each step's rows, and the names, texts, citations and revisions they
    /// bring, are inserted before the next step builds its own. Building
    /// every row first held all of them at once, many times the file's size
    /// (bench/README.md, "Measurements behind the code"). Parents still come before their
    /// children, as steps follow `parents_first` order.
    async fn write(mut self, ds: &Dataset) -> Result<ImportReport> {
        for step in ds.sources.chunks(RECORDS_PER_STEP) {
            self.write_sources(step).await?;
            self.flush().await?;
        }
        let groups = parents_first(&ds.groups, |r| &r.slug, |r| r.parent.as_deref());
        for step in groups.chunks(RECORDS_PER_STEP) {
            self.write_groups(step).await?;
            self.flush().await?;
        }
        for step in ds.targets.chunks(RECORDS_PER_STEP) {
            self.write_targets(step).await?;
            self.flush().await?;
        }
        let operations = parents_first(&ds.operations, |r| &r.slug, |r| r.part_of.as_deref());
        for step in operations.chunks(RECORDS_PER_STEP) {
            self.write_operations(step).await?;
            self.flush().await?;
        }
        for step in ds.legal_outcomes.chunks(RECORDS_PER_STEP) {
            self.write_legal_outcomes(step).await?;
            self.flush().await?;
        }
        Ok(self.report)
    }

    /// Inserts the dependent rows collected so far: their owners are written.
    async fn flush(&mut self) -> Result<()> {
        insert_chunked(self.db, std::mem::take(&mut self.names)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.texts)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.citations)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.revisions)).await?;
        Ok(())
    }

    async fn write_sources(&mut self, records: &[SourceRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<source::Entity, _>(self.db, source::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let mut inserts = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let old_rec = old.map(|m| snapshot::source_record(m));
            let plan = self.plan(r, old_rec.as_ref().zip(old.map(|m| m.version)));
            let id = self.source_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let published = r.published.as_deref().map(parse_valid);
            let am = source::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                title: Set(r.title.clone()),
                url: Set(r.url.clone()),
                archived_url: Set(r.archived_url.clone()),
                publisher: Set(r.publisher.clone()),
                language: Set(r.language.clone()),
                kind: Set(r.kind.clone()),
                published_edtf: Set(r.published.clone()),
                published_precision: Set(published.map(|d| d.precision().as_str().to_owned())),
                earliest: Set(published.map(|d| d.span().0)),
                latest: Set(published.map(|d| d.span().1)),
                title_is_descriptive: Set(r.title_is_descriptive),
            };
            self.revision("source", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    source::Entity::update(am).exec(self.db).await?;
                }
                Plan::Keep => {}
            }
        }
        insert_chunked(self.db, inserts).await?;
        self.tick(records.len());
        Ok(())
    }

    /// One step of groups, parents before their children.
    async fn write_groups(&mut self, records: &[&GroupRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows = load_by_slugs::<group::Entity, _>(self.db, group::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs =
            snapshot::by_slug(snapshot::group_records(self.db, &rows).await?, |r| &r.slug);
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for &r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.group_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let founded = r.founded.as_deref().map(parse_valid);
            let dissolved = r.dissolved.as_deref().map(parse_valid);
            let span = (founded.is_some() || dissolved.is_some()).then(|| {
                (
                    founded.map_or_else(super::edtf::min_day, |d| d.span().0),
                    dissolved.map_or_else(super::edtf::max_day, |d| d.span().1),
                )
            });
            let am = group::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                kind: Set(r.kind.clone()),
                parent_id: Set(r.parent.as_ref().map(|p| self.group_ids[p])),
                founded_edtf: Set(r.founded.clone()),
                founded_precision: Set(founded.map(|d| d.precision().as_str().to_owned())),
                founded_earliest: Set(founded.and_then(|d| d.earliest())),
                founded_latest: Set(founded.and_then(|d| d.latest())),
                dissolved_edtf: Set(r.dissolved.clone()),
                dissolved_precision: Set(dissolved.map(|d| d.precision().as_str().to_owned())),
                dissolved_earliest: Set(dissolved.and_then(|d| d.earliest())),
                dissolved_latest: Set(dissolved.and_then(|d| d.latest())),
                earliest: Set(span.map(|s| s.0)),
                latest: Set(span.map(|s| s.1)),
                wikidata_id: Set(r.external_ids.wikidata.clone()),
                misp_galaxy_id: Set(r
                    .external_ids
                    .misp_galaxy
                    .as_deref()
                    .and_then(|u| Uuid::parse_str(u).ok())),
                attack_id: Set(r.external_ids.attack.clone()),
            };
            self.revision("group", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Group, id, &r.names);
            self.push_texts(Subject::Group, id, &r.texts);
            self.push_citations(Subject::Group, id, &r.citations);
        }
        self.clear_children(Subject::Group, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            group::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }

    async fn write_targets(&mut self, records: &[TargetRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<target::Entity, _>(self.db, target::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs =
            snapshot::by_slug(snapshot::target_records(self.db, &rows).await?, |r| &r.slug);
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.target_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let am = target::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                kind: Set(r.kind.clone()),
                country: Set(r.country.clone()),
                sector: Set(r.sector.clone()),
            };
            self.revision("target", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Target, id, &r.names);
            self.push_citations(Subject::Target, id, &r.citations);
        }
        self.clear_children(Subject::Target, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            target::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }

    /// One step of operations, parents before their parts.
    async fn write_operations(&mut self, records: &[&OperationRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<operation::Entity, _>(self.db, operation::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs = snapshot::by_slug(snapshot::operation_records(self.db, &rows).await?, |r| {
            &r.slug
        });
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        let mut tactics = Vec::new();
        let mut group_links = Vec::new();
        let mut target_links = Vec::new();
        for &r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.operation_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let start = parse_valid(&r.start);
            let end = r.end.as_deref().map(parse_valid);
            let am = operation::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                part_of_id: Set(r.part_of.as_ref().map(|p| self.operation_ids[p])),
                start_edtf: Set(r.start.clone()),
                start_precision: Set(start.precision().as_str().to_owned()),
                start_earliest: Set(start.span().0),
                start_latest: Set(start.span().1),
                end_edtf: Set(r.end.clone()),
                end_precision: Set(end.map(|d| d.precision().as_str().to_owned())),
                end_earliest: Set(end.and_then(|d| d.earliest())),
                end_latest: Set(end.and_then(|d| d.latest())),
                earliest: Set(start.span().0),
                latest: Set(end.map_or(start.span().1, |e| e.span().1)),
                disputed: Set(r.disputed),
                dispute_note: Set(r.dispute_note.clone()),
            };
            self.revision("operation", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Operation, id, &r.names);
            self.push_texts(Subject::Operation, id, &r.texts);
            self.push_citations(Subject::Operation, id, &r.citations);
            for t in &r.tactics {
                tactics.push(operation_tactic::ActiveModel {
                    operation_id: Set(id),
                    tactic: Set(t.clone()),
                });
            }
            for g in &r.groups {
                let link = record_id("operation_group", &format!("{}/{}", r.slug, g.group));
                group_links.push(operation_group::ActiveModel {
                    id: Set(link),
                    operation_id: Set(id),
                    group_id: Set(self.group_ids[&g.group]),
                    role: Set(g.role.clone()),
                });
                self.push_citations(Subject::OperationGroup, link, &g.citations);
            }
            for t in &r.targets {
                let link = record_id("operation_target", &format!("{}/{}", r.slug, t.target));
                target_links.push(operation_target::ActiveModel {
                    id: Set(link),
                    operation_id: Set(id),
                    target_id: Set(self.target_ids[&t.target]),
                });
                self.push_citations(Subject::OperationTarget, link, &t.citations);
            }
        }
        self.clear_children(Subject::Operation, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            operation::Entity::update(am).exec(self.db).await?;
        }
        insert_chunked(self.db, tactics).await?;
        insert_chunked(self.db, group_links).await?;
        insert_chunked(self.db, target_links).await?;
        self.tick(records.len());
        Ok(())
    }

    async fn write_legal_outcomes(&mut self, records: &[LegalOutcomeRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<legal_outcome::Entity, _>(self.db, legal_outcome::Column::Slug, &slugs)
                .await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs = snapshot::by_slug(
            snapshot::legal_outcome_records(self.db, &rows).await?,
            |r| &r.slug,
        );
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = old.map_or_else(|| record_id("legal_outcome", &r.slug), |m| m.id);
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let date = parse_valid(&r.date);
            let money = r.money.as_ref();
            let am = legal_outcome::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                kind: Set(r.kind.clone()),
                date_edtf: Set(r.date.clone()),
                date_precision: Set(date.precision().as_str().to_owned()),
                earliest: Set(date.span().0),
                latest: Set(date.span().1),
                jurisdiction: Set(r.jurisdiction.clone()),
                court: Set(r.court.clone()),
                operation_id: Set(r.operation.as_ref().map(|o| self.operation_ids[o])),
                group_id: Set(r.group.as_ref().map(|g| self.group_ids[g])),
                people_count: Set(r.people_count),
                person: Set(r.person.clone()),
                amount: Set(money.map(|m| m.amount.clone())),
                currency: Set(money.map(|m| m.currency.clone())),
                amount_kind: Set(money.map(|m| m.kind.clone())),
                amount_scope: Set(money.map(|m| m.scope.clone())),
                disputed: Set(r.disputed),
                dispute_note: Set(r.dispute_note.clone()),
            };
            self.revision("legal_outcome", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_texts(Subject::LegalOutcome, id, &r.texts);
            self.push_citations(Subject::LegalOutcome, id, &r.citations);
        }
        self.clear_children(Subject::LegalOutcome, &rewritten)
            .await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            legal_outcome::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }
}

/// `created_at` and `version` of a record about to be written.
fn stamp(plan: &Plan, created: Option<DateTime<Utc>>, now: DateTime<Utc>) -> (DateTime<Utc>, i32) {
    match plan {
        Plan::Update { version, .. } => (created.unwrap_or(now), version + 1),
        Plan::Keep => (created.unwrap_or(now), 0),
        Plan::Create => (now, 1),
    }
}

/// Dates were validated before writing starts.
fn parse_valid(s: &str) -> Edtf {
    Edtf::parse(s).unwrap_or_else(|e| unreachable!("validated before writing: {e}"))
}

/// The convenience `name`: the English primary name, else the first primary.
pub fn display_name(names: &[NameRecord]) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == "en")
        .or_else(|| names.iter().find(|n| n.kind == "primary"))
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

async fn load_by_slugs<E: EntityTrait, C: Conn>(
    db: &C,
    col: E::Column,
    slugs: &[&str],
) -> Result<Vec<E::Model>>
where
    E::Model: rows::Decode,
{
    let mut out = Vec::new();
    for chunk in slugs.chunks(super::relations::CHUNK) {
        out.extend(rows::all(db, E::find().filter(col.is_in(chunk.iter().copied()))).await?);
    }
    Ok(out)
}

/// Records ordered so that a parent named in the same file comes before its
/// children (cycles were refused by validation).
fn parents_first<T>(
    records: &[T],
    slug: impl Fn(&T) -> &String,
    parent: impl Fn(&T) -> Option<&str>,
) -> Vec<&T> {
    let index: HashMap<&str, &T> = records.iter().map(|r| (slug(r).as_str(), r)).collect();
    let depth = |r: &T| {
        let mut d = 0usize;
        let mut at = parent(r);
        while let Some(p) = at.and_then(|p| index.get(p)) {
            d += 1;
            at = parent(p);
            if d > records.len() {
                break;
            }
        }
        d
    };
    let mut ordered: Vec<(usize, &T)> = records.iter().map(|r| (depth(r), r)).collect();
    ordered.sort_by_key(|(d, _)| *d);
    ordered.into_iter().map(|(_, r)| r).collect()
}
