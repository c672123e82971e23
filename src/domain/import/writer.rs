//! The import's writer: plans each record (create, update or keep), collects
//! names, texts, citations and revisions, and writes them in batches.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::parts::{ImportReport, Progress, record_id};
use super::staged::{Kind, Spools};
use super::stored::StoredIds;
use crate::db::bulk::insert_chunked;
use crate::db::entities::{
    alternative, citation, name, operation_group, operation_tactic, operation_target, revision,
    text,
};
use crate::domain::Conn;
use crate::domain::dataset::{
    AlternativeRecord, CitationRecord, GroupRecord, LegalOutcomeRecord, NameRecord,
    OperationRecord, Scope, SlugSet, SourceRecord, TargetRecord, TextRecord, canonical,
    check_group, check_legal_outcome, check_operation, check_source, check_target,
};
use crate::domain::model::Subject;
use crate::domain::text::search_key;
use crate::error::{FieldError, Result};

/// Rows collected for one import, written kind by kind.
pub(crate) struct Writer<'a, C: Conn> {
    pub(crate) db: &'a C,
    pub(crate) actor: Option<Uuid>,
    pub(crate) reason: Option<String>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) progress: Progress<'a>,
    pub(crate) done: u64,
    pub(crate) total: u64,
    pub(crate) report: ImportReport,
    pub(crate) source_ids: Ids,
    pub(crate) group_ids: Ids,
    pub(crate) target_ids: Ids,
    pub(crate) operation_ids: Ids,
    pub(crate) names: Vec<name::ActiveModel>,
    pub(crate) texts: Vec<text::ActiveModel>,
    pub(crate) alternatives: Vec<alternative::ActiveModel>,
    pub(crate) citations: Vec<citation::ActiveModel>,
    pub(crate) revisions: Vec<revision::ActiveModel>,
}

/// The id of each record of one kind a file names: a stored record keeps
/// its own; a new one gets its deterministic id (`record_id`), computed when
/// asked rather than kept for every slug of a large file. Kept here are the
/// stored ids of the records the file refers to outside itself (validation
/// has made sure they are stored) and of the file's records already written
/// whose stored id is not their `record_id` (a database filled by other
/// means): a kind is written before the kinds that refer to it, and a
/// parent before its children. In a database where most ids are not
/// `record_id`s this map grows with the file, as the ids loaded up front
/// once did.
pub(crate) struct Ids {
    kind: &'static str,
    stored: HashMap<String, Uuid>,
}

impl Ids {
    fn new(kind: &'static str, stored: HashMap<String, Uuid>) -> Self {
        Ids { kind, stored }
    }

    pub(crate) fn of(&self, slug: &str) -> Uuid {
        self.stored
            .get(slug)
            .copied()
            .unwrap_or_else(|| record_id(self.kind, slug))
    }

    /// The id of a record of the file about to be written, given the id it
    /// is stored under, if it is.
    pub(crate) fn own(&mut self, slug: &str, stored: Option<Uuid>) -> Uuid {
        let new = record_id(self.kind, slug);
        match stored {
            Some(id) if id != new => {
                self.stored.insert(slug.to_owned(), id);
                id
            }
            _ => new,
        }
    }
}

/// What happens to one record.
pub(crate) enum Plan {
    Create,
    Update {
        version: i32,
        before: serde_json::Value,
    },
    Keep,
}

impl<'a, C: Conn> Writer<'a, C> {
    pub(crate) fn new(
        db: &'a C,
        actor: Option<Uuid>,
        reason: Option<&str>,
        progress: Progress<'a>,
        total: u64,
        stored: StoredIds,
    ) -> Self {
        let w = Writer {
            db,
            actor,
            reason: reason.map(str::to_owned),
            now: Utc::now(),
            progress,
            done: 0,
            total,
            report: ImportReport::default(),
            source_ids: Ids::new("source", stored.sources),
            group_ids: Ids::new("group", stored.groups),
            target_ids: Ids::new("target", stored.targets),
            operation_ids: Ids::new("operation", stored.operations),
            names: Vec::new(),
            texts: Vec::new(),
            alternatives: Vec::new(),
            citations: Vec::new(),
            revisions: Vec::new(),
        };
        (w.progress)(0, w.total);
        w
    }

    pub(crate) fn tick(&mut self, n: usize) {
        self.done += n as u64;
        (self.progress)(self.done, self.total);
    }

    pub(crate) fn plan<T: PartialEq + serde::Serialize>(
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

    pub(crate) fn revision<T: serde::Serialize>(
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
            seq: sea_orm::ActiveValue::NotSet,
        });
    }

    pub(crate) fn push_names(&mut self, subject: Subject, owner: Uuid, names: &[NameRecord]) {
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

    pub(crate) fn push_texts(&mut self, subject: Subject, owner: Uuid, texts: &[TextRecord]) {
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

    pub(crate) fn push_citations(
        &mut self,
        subject: Subject,
        owner: Uuid,
        citations: &[CitationRecord],
    ) {
        self.push_cited(subject, owner, None, citations);
    }

    /// The alternatives of an operation or legal outcome, and their
    /// citations: rows of the record's own kind, marked with the
    /// alternative they back.
    pub(crate) fn push_alternatives(
        &mut self,
        subject: Subject,
        owner: Uuid,
        alternatives: &[AlternativeRecord],
    ) {
        for (i, a) in alternatives.iter().enumerate() {
            let id = Uuid::new_v4();
            self.alternatives.push(alternative::ActiveModel {
                id: Set(id),
                operation_id: Set((subject == Subject::Operation).then_some(owner)),
                legal_outcome_id: Set((subject == Subject::LegalOutcome).then_some(owner)),
                field: Set(a.field.clone()),
                value: Set(canonical(&a.value)),
                note: Set(a.note.clone()),
                position: Set(i as i32),
            });
            self.push_cited(subject, owner, Some(id), &a.citations);
        }
    }

    fn push_cited(
        &mut self,
        subject: Subject,
        owner: Uuid,
        alternative: Option<Uuid>,
        citations: &[CitationRecord],
    ) {
        for (i, c) in citations.iter().enumerate() {
            let is = |s: Subject| Set((subject == s).then_some(owner));
            self.citations.push(citation::ActiveModel {
                id: Set(Uuid::new_v4()),
                source_id: Set(self.source_ids.of(&c.source)),
                group_id: is(Subject::Group),
                target_id: is(Subject::Target),
                operation_id: is(Subject::Operation),
                legal_outcome_id: is(Subject::LegalOutcome),
                operation_group_id: is(Subject::OperationGroup),
                operation_target_id: is(Subject::OperationTarget),
                alternative_id: Set(alternative),
                field: Set(c.field.clone()),
                quote: Set(c.quote.clone()),
                locator: Set(c.locator.clone()),
                position: Set(i as i32),
            });
        }
    }

    /// Removes the dependent rows of records about to be rewritten.
    pub(crate) async fn clear_children(&self, subject: Subject, ids: &[Uuid]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for chunk in ids.chunks(crate::domain::relations::CHUNK) {
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
                    text::Entity::delete_many()
                        .filter(text::Column::TargetId.is_in(ids.clone()))
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
                    // Their citations go with them (ON DELETE CASCADE).
                    alternative::Entity::delete_many()
                        .filter(alternative::Column::OperationId.is_in(ids.clone()))
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
                    alternative::Entity::delete_many()
                        .filter(alternative::Column::LegalOutcomeId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::LegalOutcomeId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::OperationGroup | Subject::OperationTarget | Subject::Alternative => {}
            }
        }
        Ok(())
    }

    /// Reads the staged file back kind by kind, a step of
    /// `RECORDS_PER_STEP` records at a time, checking each record and
    /// writing the step: its rows, and the names, texts, citations and
    /// revisions they bring, are inserted before the next step is read.
    /// Building every row first held all of them at once, many times the
    /// file's size (bench/README.md, "Measurements behind the code").
    ///
    /// Groups and operations are read once per depth of their parent chains
    /// within the file, each pass writing one depth, so parents come first;
    /// the first pass also checks them all. Once any fault is found nothing
    /// more is written, but every record is still checked (the first pass of
    /// each kind). A chain of d records in one file costs d passes over its
    /// kind: parent chains in the data are a few records deep.
    pub(crate) async fn write(
        mut self,
        spools: &mut Spools,
        scope: &Scope<'_>,
        parents: &Parents<'_>,
        errors: &mut Vec<FieldError>,
    ) -> Result<ImportReport> {
        let mut steps = spools.steps::<SourceRecord>(Kind::Source)?;
        while let Some(step) = steps.next_step()? {
            step.iter().for_each(|r| check_source(r, errors));
            if errors.is_empty() {
                self.write_sources(&step).await?;
                self.flush().await?;
            }
        }
        let deepest = parents.groups.values().max().copied().unwrap_or(0);
        for depth in 0..=deepest {
            if depth > 0 && !errors.is_empty() {
                break;
            }
            let mut steps = spools.steps::<GroupRecord>(Kind::Group)?;
            while let Some(step) = steps.next_step()? {
                if depth == 0 {
                    step.iter().for_each(|r| check_group(r, scope, errors));
                }
                let at = at_depth(&step, depth, |r| &r.slug, &parents.groups);
                if errors.is_empty() && !at.is_empty() {
                    self.write_groups(&at).await?;
                    self.flush().await?;
                }
            }
        }
        let mut steps = spools.steps::<TargetRecord>(Kind::Target)?;
        while let Some(step) = steps.next_step()? {
            step.iter().for_each(|r| check_target(r, scope, errors));
            if errors.is_empty() {
                self.write_targets(&step).await?;
                self.flush().await?;
            }
        }
        let deepest = parents.operations.values().max().copied().unwrap_or(0);
        for depth in 0..=deepest {
            if depth > 0 && !errors.is_empty() {
                break;
            }
            let mut steps = spools.steps::<OperationRecord>(Kind::Operation)?;
            while let Some(step) = steps.next_step()? {
                if depth == 0 {
                    step.iter().for_each(|r| check_operation(r, scope, errors));
                }
                let at = at_depth(&step, depth, |r| &r.slug, &parents.operations);
                if errors.is_empty() && !at.is_empty() {
                    self.write_operations(&at).await?;
                    self.flush().await?;
                }
            }
        }
        let mut steps = spools.steps::<LegalOutcomeRecord>(Kind::LegalOutcome)?;
        while let Some(step) = steps.next_step()? {
            step.iter()
                .for_each(|r| check_legal_outcome(r, scope, errors));
            if errors.is_empty() {
                self.write_legal_outcomes(&step).await?;
                self.flush().await?;
            }
        }
        Ok(self.report)
    }

    /// Inserts the dependent rows collected so far: their owners are written.
    pub(crate) async fn flush(&mut self) -> Result<()> {
        insert_chunked(self.db, std::mem::take(&mut self.names)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.texts)).await?;
        // Before the citations that back them.
        insert_chunked(self.db, std::mem::take(&mut self.alternatives)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.citations)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.revisions)).await?;
        Ok(())
    }
}

/// How many of a record's ancestors the file itself holds, for the records
/// that have any: the writer writes each depth before the next, so a parent
/// is stored before its children.
#[derive(Default)]
pub(crate) struct Parents<'a> {
    pub(crate) groups: HashMap<&'a str, usize>,
    pub(crate) operations: HashMap<&'a str, usize>,
}

impl Parents<'_> {
    /// Each record's depth, from `parents` (record, its parent) and the
    /// slugs the file holds; each chain is walked once, its depths kept for
    /// the records below it. Only for parent links without cycles (checked
    /// first: `apply_staged` asks only then).
    pub(crate) fn depths<'a>(
        parents: &'a HashMap<String, String>,
        file: &SlugSet,
    ) -> HashMap<&'a str, usize> {
        let mut out: HashMap<&'a str, usize> = HashMap::new();
        let mut path = Vec::new();
        for child in parents.keys() {
            // Up from `child` to a record whose depth is known or that has no
            // parent in the file (depth 0, not stored).
            let mut at = child.as_str();
            let mut base = 0;
            while !out.contains_key(at) {
                match parents.get(at).filter(|p| file.contains(p.as_str())) {
                    Some(p) if path.len() <= parents.len() => {
                        path.push(at);
                        at = p.as_str();
                    }
                    _ => break,
                }
            }
            if let Some(d) = out.get(at) {
                base = *d;
            }
            for (i, slug) in path.drain(..).rev().enumerate() {
                out.insert(slug, base + i + 1);
            }
        }
        out
    }
}

/// The records of a step whose parent chains within the file are `depth` long.
fn at_depth<'r, T>(
    step: &'r [T],
    depth: usize,
    slug: impl Fn(&T) -> &String,
    depths: &HashMap<&str, usize>,
) -> Vec<&'r T> {
    step.iter()
        .filter(|r| depths.get(slug(r).as_str()).copied().unwrap_or(0) == depth)
        .collect()
}

/// `created_at` and `version` of a record about to be written.
pub(crate) fn stamp(
    plan: &Plan,
    created: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, i32) {
    match plan {
        Plan::Update { version, .. } => (created.unwrap_or(now), version + 1),
        Plan::Keep => (created.unwrap_or(now), 0),
        Plan::Create => (now, 1),
    }
}
