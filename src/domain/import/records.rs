//! Writing each kind of record: sources, groups, targets, operations and
//! legal outcomes, with what hangs off them.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::db::bulk::insert_chunked;
use crate::db::entities::{
    group, legal_outcome, operation, operation_group, operation_tactic, operation_target, source,
    target,
};
use crate::domain::dataset::{
    GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};
use crate::domain::edtf::End;
use crate::domain::model::Subject;
use crate::domain::{Conn, snapshot};
use crate::error::Result;

use super::parts::{display_name, parse_valid, record_id};
use super::stored::load_by_slugs;
use super::writer::{Plan, Writer, stamp};

/// Writing each kind of record.
impl<'a, C: Conn> Writer<'a, C> {
    pub(crate) async fn write_sources(&mut self, records: &[SourceRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<source::Entity, _>(self.db, source::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let mut inserts = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let old_rec = old.map(|m| snapshot::source_record(m));
            let plan = self.plan(r, old_rec.as_ref().zip(old.map(|m| m.version)));
            let id = self.source_ids.own(&r.slug, old.map(|m| m.id));
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

    /// One step of groups, all at one depth of their parent chains.
    pub(crate) async fn write_groups(&mut self, records: &[&GroupRecord]) -> Result<()> {
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
            let id = self.group_ids.own(&r.slug, old.map(|m| m.id));
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let founded = r.founded.as_deref().map(parse_valid);
            let dissolved = r.dissolved.as_deref().map(parse_valid);
            let span = (founded.is_some() || dissolved.is_some()).then(|| {
                (
                    founded.map_or_else(crate::domain::edtf::min_day, |d| d.span().0),
                    dissolved.map_or_else(crate::domain::edtf::max_day, |d| d.span().1),
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
                parent_id: Set(r.parent.as_ref().map(|p| self.group_ids.of(p))),
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

    pub(crate) async fn write_targets(&mut self, records: &[TargetRecord]) -> Result<()> {
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
            let id = self.target_ids.own(&r.slug, old.map(|m| m.id));
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
            self.push_texts(Subject::Target, id, &r.texts);
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

    /// One step of operations, all at one depth of their `part_of` chains.
    pub(crate) async fn write_operations(&mut self, records: &[&OperationRecord]) -> Result<()> {
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
            let id = self.operation_ids.own(&r.slug, old.map(|m| m.id));
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let start = parse_valid(&r.start);
            let end = End::stored(r.end.as_deref());
            let end_date = end.date();
            let am = operation::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                part_of_id: Set(r.part_of.as_ref().map(|p| self.operation_ids.of(p))),
                start_edtf: Set(r.start.clone()),
                start_precision: Set(start.precision().as_str().to_owned()),
                start_earliest: Set(start.span().0),
                start_latest: Set(start.span().1),
                end_edtf: Set(r.end.clone()),
                end_precision: Set(end_date.map(|d| d.precision().as_str().to_owned())),
                end_earliest: Set(end_date.and_then(|d| d.earliest())),
                end_latest: Set(end_date.and_then(|d| d.latest())),
                earliest: Set(start.span().0),
                latest: Set(end.latest()),
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
            self.push_alternatives(Subject::Operation, id, &r.alternatives);
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
                    group_id: Set(self.group_ids.of(&g.group)),
                    role: Set(g.role.clone()),
                });
                self.push_citations(Subject::OperationGroup, link, &g.citations);
            }
            for t in &r.targets {
                let link = record_id("operation_target", &format!("{}/{}", r.slug, t.target));
                target_links.push(operation_target::ActiveModel {
                    id: Set(link),
                    operation_id: Set(id),
                    target_id: Set(self.target_ids.of(&t.target)),
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

    pub(crate) async fn write_legal_outcomes(
        &mut self,
        records: &[LegalOutcomeRecord],
    ) -> Result<()> {
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
                operation_id: Set(r.operation.as_ref().map(|o| self.operation_ids.of(o))),
                group_id: Set(r.group.as_ref().map(|g| self.group_ids.of(g))),
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
            self.push_alternatives(Subject::LegalOutcome, id, &r.alternatives);
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
