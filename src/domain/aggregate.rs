//! Records with their relations and citations (aggregates), built for a
//! whole page at once with the batch functions of [`relations`]: a fixed
//! number of statements whatever the page size. REST and the CSV export map
//! these to their wire shapes and read nothing else; GraphQL resolves the
//! same relation functions field by field through its loaders, since a query
//! asks for only some of them.

use std::collections::HashMap;

use uuid::Uuid;

use crate::db::entities::{group, legal_outcome, operation, target};
use crate::domain::model::{Alternative, Citation, Name, Subject, Text};
use crate::domain::relations::{self, LinkedOperation, SourceColumns};
use crate::domain::{Conn, read};
use crate::error::Result;

/// A linked record as another record lists it: its slug and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

impl From<&group::Model> for Named {
    fn from(g: &group::Model) -> Self {
        Named {
            slug: g.slug.clone(),
            name: g.name.clone(),
        }
    }
}

impl From<&operation::Model> for Named {
    fn from(o: &operation::Model) -> Self {
        Named {
            slug: o.slug.clone(),
            name: o.name.clone(),
        }
    }
}

/// A link between an operation and a group or a target, seen from either
/// end, with the link's own citations (a group link's role is cited there).
#[derive(Debug, Clone)]
pub struct Link<T> {
    pub record: T,
    /// A group's role; none for a target.
    pub role: Option<String>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub row: group::Model,
    pub names: Vec<Name>,
    pub texts: Vec<Text>,
    pub parent: Option<Named>,
    pub children: Vec<Named>,
    pub operations: Vec<Link<LinkedOperation>>,
    pub legal_outcomes: Vec<legal_outcome::Model>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone)]
pub struct TargetRecord {
    pub row: target::Model,
    pub names: Vec<Name>,
    pub texts: Vec<Text>,
    pub operations: Vec<Link<LinkedOperation>>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone)]
pub struct OperationRecord {
    pub row: operation::Model,
    pub names: Vec<Name>,
    pub texts: Vec<Text>,
    pub part_of: Option<Named>,
    pub parts: Vec<Named>,
    pub tactics: Vec<String>,
    pub groups: Vec<Link<group::Model>>,
    pub targets: Vec<Link<target::Model>>,
    pub legal_outcomes: Vec<legal_outcome::Model>,
    pub alternatives: Vec<Alternative>,
    pub citations: Vec<Citation>,
}

/// An operation as a CSV row prints it: its links as slugs only, and neither
/// parts nor the citations of its links, which no column prints (three
/// statements fewer per page than [`operations`], and no linked rows
/// decoded).
#[derive(Debug, Clone)]
pub struct OperationCells {
    pub row: operation::Model,
    pub names: Vec<Name>,
    pub texts: Vec<Text>,
    pub part_of: Option<String>,
    pub tactics: Vec<String>,
    /// `(slug, role)` by group name.
    pub groups: Vec<(String, String)>,
    pub targets: Vec<String>,
    pub legal_outcomes: Vec<String>,
    pub sources: Vec<String>,
    /// With their sources' slugs only.
    pub alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone)]
pub struct LegalOutcomeRecord {
    pub row: legal_outcome::Model,
    pub texts: Vec<Text>,
    pub operation: Option<Named>,
    pub group: Option<Named>,
    pub alternatives: Vec<Alternative>,
    pub citations: Vec<Citation>,
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> Uuid) -> Vec<Uuid> {
    rows.iter().map(id).collect()
}

fn take<V>(map: &mut HashMap<Uuid, Vec<V>>, id: &Uuid) -> Vec<V> {
    map.remove(id).unwrap_or_default()
}

/// The operations of groups or targets, each with its link's citations.
async fn operation_links<C: Conn>(
    db: &C,
    owner: Subject,
    ids: &[Uuid],
    cited: SourceColumns,
) -> Result<HashMap<Uuid, Vec<Link<LinkedOperation>>>> {
    let linked = relations::linked_operations(db, owner, ids).await?;
    let link_ids: Vec<Uuid> = linked.values().flatten().map(|o| o.link).collect();
    let link_subject = match owner {
        Subject::Group => Subject::OperationGroup,
        _ => Subject::OperationTarget,
    };
    let mut cites = relations::citations_of(db, link_subject, &link_ids, cited).await?;
    Ok(linked
        .into_iter()
        .map(|(owner, ops)| {
            let links = ops
                .into_iter()
                .map(|o| Link {
                    citations: take(&mut cites, &o.link),
                    role: o.role.clone(),
                    record: o,
                })
                .collect();
            (owner, links)
        })
        .collect())
}

pub async fn groups<C: Conn>(
    db: &C,
    rows: Vec<group::Model>,
    cited: SourceColumns,
) -> Result<Vec<GroupRecord>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.parent_id).collect();
    let parents = read::groups_by_ids(db, &parent_ids).await?;
    let mut names = relations::names_of(db, Subject::Group, &ids).await?;
    let mut texts = relations::texts_of(db, Subject::Group, &ids).await?;
    let mut citations = relations::citations_of(db, Subject::Group, &ids, cited).await?;
    let mut children = relations::children_of_groups(db, &ids).await?;
    let mut operations = operation_links(db, Subject::Group, &ids, cited).await?;
    let mut outcomes = relations::legal_outcomes_of_groups(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|g| GroupRecord {
            names: take(&mut names, &g.id),
            texts: take(&mut texts, &g.id),
            parent: g.parent_id.and_then(|p| parents.get(&p)).map(Named::from),
            children: take(&mut children, &g.id).iter().map(Named::from).collect(),
            operations: take(&mut operations, &g.id),
            legal_outcomes: take(&mut outcomes, &g.id),
            citations: take(&mut citations, &g.id),
            row: g,
        })
        .collect())
}

pub async fn targets<C: Conn>(
    db: &C,
    rows: Vec<target::Model>,
    cited: SourceColumns,
) -> Result<Vec<TargetRecord>> {
    let ids = ids(&rows, |r| r.id);
    let mut names = relations::names_of(db, Subject::Target, &ids).await?;
    let mut texts = relations::texts_of(db, Subject::Target, &ids).await?;
    let mut citations = relations::citations_of(db, Subject::Target, &ids, cited).await?;
    let mut operations = operation_links(db, Subject::Target, &ids, cited).await?;
    Ok(rows
        .into_iter()
        .map(|t| TargetRecord {
            names: take(&mut names, &t.id),
            texts: take(&mut texts, &t.id),
            operations: take(&mut operations, &t.id),
            citations: take(&mut citations, &t.id),
            row: t,
        })
        .collect())
}

pub async fn operations<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
    cited: SourceColumns,
) -> Result<Vec<OperationRecord>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.part_of_id).collect();
    let parents = read::operations_by_ids(db, &parent_ids).await?;
    let mut names = relations::names_of(db, Subject::Operation, &ids).await?;
    let mut texts = relations::texts_of(db, Subject::Operation, &ids).await?;
    let mut citations = relations::citations_of(db, Subject::Operation, &ids, cited).await?;
    let mut alternatives = relations::alternatives_of(db, Subject::Operation, &ids, cited).await?;
    let mut tactics = relations::tactics_of(db, &ids).await?;
    let mut groups = relations::groups_of_operations(db, &ids).await?;
    let mut targets = relations::targets_of_operations(db, &ids).await?;
    let mut outcomes = relations::legal_outcomes_of_operations(db, &ids).await?;
    let mut parts = relations::parts_of_operations(db, &ids).await?;
    let link_ids: Vec<Uuid> = groups.values().flatten().map(|(l, _)| l.id).collect();
    let mut group_cites =
        relations::citations_of(db, Subject::OperationGroup, &link_ids, cited).await?;
    let link_ids: Vec<Uuid> = targets.values().flatten().map(|(l, _)| l.id).collect();
    let mut target_cites =
        relations::citations_of(db, Subject::OperationTarget, &link_ids, cited).await?;
    Ok(rows
        .into_iter()
        .map(|o| OperationRecord {
            names: take(&mut names, &o.id),
            texts: take(&mut texts, &o.id),
            part_of: o.part_of_id.and_then(|p| parents.get(&p)).map(Named::from),
            parts: take(&mut parts, &o.id).iter().map(Named::from).collect(),
            tactics: tactics.remove(&o.id).unwrap_or_default(),
            groups: take(&mut groups, &o.id)
                .into_iter()
                .map(|(l, g)| Link {
                    citations: take(&mut group_cites, &l.id),
                    role: Some(l.role),
                    record: g,
                })
                .collect(),
            targets: take(&mut targets, &o.id)
                .into_iter()
                .map(|(l, t)| Link {
                    citations: take(&mut target_cites, &l.id),
                    role: None,
                    record: t,
                })
                .collect(),
            legal_outcomes: take(&mut outcomes, &o.id),
            alternatives: take(&mut alternatives, &o.id),
            citations: take(&mut citations, &o.id),
            row: o,
        })
        .collect())
}

pub async fn operation_cells<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
) -> Result<Vec<OperationCells>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.part_of_id).collect();
    let parents = read::operations_by_ids(db, &parent_ids).await?;
    let mut names = relations::names_of(db, Subject::Operation, &ids).await?;
    let mut texts = relations::texts_of(db, Subject::Operation, &ids).await?;
    let mut sources = relations::cited_source_slugs(db, Subject::Operation, &ids).await?;
    let mut alternatives =
        relations::alternatives_of(db, Subject::Operation, &ids, SourceColumns::NONE).await?;
    let mut tactics = relations::tactics_of(db, &ids).await?;
    let mut links = relations::operation_link_slugs(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|o| OperationCells {
            names: take(&mut names, &o.id),
            texts: take(&mut texts, &o.id),
            part_of: o
                .part_of_id
                .and_then(|p| parents.get(&p))
                .map(|p| p.slug.clone()),
            tactics: tactics.remove(&o.id).unwrap_or_default(),
            groups: take(&mut links.groups, &o.id),
            targets: take(&mut links.targets, &o.id),
            legal_outcomes: take(&mut links.legal_outcomes, &o.id),
            sources: take(&mut sources, &o.id),
            alternatives: take(&mut alternatives, &o.id),
            row: o,
        })
        .collect())
}

pub async fn legal_outcomes<C: Conn>(
    db: &C,
    rows: Vec<legal_outcome::Model>,
    cited: SourceColumns,
) -> Result<Vec<LegalOutcomeRecord>> {
    let ids = ids(&rows, |r| r.id);
    let op_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.operation_id).collect();
    let group_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.group_id).collect();
    let ops = read::operations_by_ids(db, &op_ids).await?;
    let groups = read::groups_by_ids(db, &group_ids).await?;
    let mut texts = relations::texts_of(db, Subject::LegalOutcome, &ids).await?;
    let mut citations = relations::citations_of(db, Subject::LegalOutcome, &ids, cited).await?;
    let mut alternatives =
        relations::alternatives_of(db, Subject::LegalOutcome, &ids, cited).await?;
    Ok(rows
        .into_iter()
        .map(|l| LegalOutcomeRecord {
            texts: take(&mut texts, &l.id),
            operation: l.operation_id.and_then(|i| ops.get(&i)).map(Named::from),
            group: l.group_id.and_then(|i| groups.get(&i)).map(Named::from),
            alternatives: take(&mut alternatives, &l.id),
            citations: take(&mut citations, &l.id),
            row: l,
        })
        .collect())
}
