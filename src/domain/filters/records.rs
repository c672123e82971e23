//! The filters of the five lists, each declared once (`filter!`), and how
//! each becomes SQL over the records it names.

use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, Condition};

use super::dates::DateRange;
use super::named::{Filter, Kind, Named};
use super::text::{escape_like, ids_where, matching, query_key};
use crate::db::entities::{
    group, legal_outcome, name, operation, operation_group, operation_tactic, operation_target,
    source, target, text,
};
use crate::domain::vocab;
use crate::error::Result;

filter! {
    /// Which groups a list holds.
    GroupFilter as "GroupFilterInput" {
        /// Group kind.
        kind: one_of(vocab::GROUP_KINDS),
        /// Slug of the parent group.
        parent: slug,
        /// Earliest day of interest (EDTF; `2011` means from 2011-01-01): groups active then or later.
        from: date,
        /// Latest day of interest (EDTF; `2011` means up to 2011-12-31).
        to: date,
        /// How a record's span must meet `from`/`to`: `overlaps` (default: it may have happened then; `2011` overlaps January 2011) or `within` (it certainly happened then: its whole span is inside; an operation whose end is not known is within no range that has a `to`).
        date_match: date_match,
        /// Text search in names, aliases and descriptions (folds case, diacritics, Arabic variants; at most 200 characters).
        q: query,
    }
}

filter! {
    /// Which targets a list holds.
    TargetFilter as "TargetFilterInput" {
        /// Target kind.
        kind: one_of(vocab::TARGET_KINDS),
        /// ISO 3166-1 alpha-2 country code.
        country: codes(vocab::is_country, "an ISO 3166-1 alpha-2 code", vocab::countries),
        /// Slug of a group whose operations targeted it.
        group: slug,
        /// Slug of an operation that targeted it.
        operation: slug,
        /// Text search in names and aliases (at most 200 characters).
        q: query,
    }
}

filter! {
    /// Which operations a list holds.
    OperationFilter as "OperationFilterInput" {
        /// Slug of a group the operation is linked to.
        group: slug,
        /// Slug of a target of the operation.
        target: slug,
        /// A tactic the operation used.
        tactic: one_of(vocab::TACTICS),
        /// Slug of the parent operation.
        part_of: slug,
        /// Earliest day of interest (EDTF; `2011` means from 2011-01-01): operations that had not ended before it.
        from: date,
        /// Latest day of interest (EDTF; `2011` means up to 2011-12-31): operations that had begun by then.
        to: date,
        /// How a record's span must meet `from`/`to`: `overlaps` (default: it may have happened then; `2011` overlaps January 2011) or `within` (it certainly happened then: its whole span is inside; an operation whose end is not known is within no range that has a `to`).
        date_match: date_match,
        /// Only disputed (`true`) or undisputed (`false`) operations.
        disputed: flag,
        /// Text search in names, aliases, motives and summaries (at most 200 characters).
        q: query,
    }
}

filter! {
    /// Which legal outcomes a list holds.
    LegalOutcomeFilter as "LegalOutcomeFilterInput" {
        /// Outcome kind.
        kind: one_of(vocab::LEGAL_OUTCOME_KINDS),
        /// ISO 3166-1 or 3166-2 code; a country also matches its subdivisions (`US` matches `US-CA`).
        jurisdiction: codes(vocab::is_jurisdiction, "an ISO 3166-1 or 3166-2 code", vocab::jurisdictions),
        /// Slug of the group concerned, directly or through one of its operations.
        group: slug,
        /// Slug of the operation concerned.
        operation: slug,
        /// Slug of a target of the operation concerned.
        target: slug,
        /// Earliest day of interest (EDTF; `2011` means from 2011-01-01).
        from: date,
        /// Latest day of interest (EDTF; `2011` means up to 2011-12-31).
        to: date,
        /// How a record's span must meet `from`/`to`: `overlaps` (default: it may have happened then; `2011` overlaps January 2011) or `within` (it certainly happened then: its whole span is inside; an operation whose end is not known is within no range that has a `to`).
        date_match: date_match,
        /// Only disputed (`true`) or undisputed (`false`) outcomes.
        disputed: flag,
        /// Text search in summaries (at most 200 characters).
        q: query,
    }
}

filter! {
    /// Which sources a list holds.
    SourceFilter as "SourceFilterInput" {
        /// Source kind.
        kind: one_of(vocab::SOURCE_KINDS),
        /// BCP 47 language tag of the source.
        language: shaped(vocab::is_language_tag_shape, "a language tag: a language, then optionally a script and a region (`pt-BR`)", vocab::LANGUAGE_TAG_PATTERN),
        /// Earliest day of interest (EDTF): sources published then or later.
        from: date,
        /// Latest day of interest (EDTF): sources published by then.
        to: date,
        /// How a record's span must meet `from`/`to`: `overlaps` (default: it may have happened then; `2011` overlaps January 2011) or `within` (it certainly happened then: its whole span is inside; an operation whose end is not known is within no range that has a `to`).
        date_match: date_match,
    }
}

/// `from` and `to` of a dated filter, parsed.
fn dates(
    from: &Option<String>,
    to: &Option<String>,
    matching: Option<super::dates::DateMatch>,
) -> Result<DateRange> {
    Ok(DateRange::parse(from.as_deref(), to.as_deref())?.matching(matching))
}

impl Filter for GroupFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![(Kind::Group, &self.parent)]
    }

    fn check(&self) -> Result<()> {
        self.checks().range(&self.from, &self.to).done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(group::Column::Kind.eq(k.as_str()));
        }
        if let Some(p) = &self.parent {
            c = c.add(named.is(group::Column::ParentId, Kind::Group, p));
        }
        c = c.add_option(
            dates(&self.from, &self.to, self.date_match)?
                .condition(group::Column::Earliest, group::Column::Latest),
        );
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(group::Column::Id.in_subquery(matching(
                Some(name::Column::GroupId),
                text::Column::GroupId,
                &key,
            )));
        }
        Ok(c)
    }
}

impl Filter for TargetFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Operation, &self.operation),
        ]
    }

    fn check(&self) -> Result<()> {
        self.checks().done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(target::Column::Kind.eq(k.as_str()));
        }
        if let Some(cc) = &self.country {
            c = c.add(target::Column::Country.eq(cc.as_str()));
        }
        if let Some(g) = &self.group {
            let ops = ids_where(
                operation_group::Column::OperationId,
                operation_group::Entity,
                Condition::all().add(named.is(operation_group::Column::GroupId, Kind::Group, g)),
            );
            c = c.add(target::Column::Id.in_subquery(ids_where(
                operation_target::Column::TargetId,
                operation_target::Entity,
                Condition::all().add(operation_target::Column::OperationId.in_subquery(ops)),
            )));
        }
        if let Some(o) = &self.operation {
            c = c.add(target::Column::Id.in_subquery(ids_where(
                operation_target::Column::TargetId,
                operation_target::Entity,
                Condition::all().add(named.is(
                    operation_target::Column::OperationId,
                    Kind::Operation,
                    o,
                )),
            )));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(target::Column::Id.in_subquery(matching(
                Some(name::Column::TargetId),
                text::Column::TargetId,
                &key,
            )));
        }
        Ok(c)
    }
}

impl Filter for OperationFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Target, &self.target),
            (Kind::Operation, &self.part_of),
        ]
    }

    fn check(&self) -> Result<()> {
        self.checks().range(&self.from, &self.to).done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(g) = &self.group {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_group::Column::OperationId,
                operation_group::Entity,
                Condition::all().add(named.is(operation_group::Column::GroupId, Kind::Group, g)),
            )));
        }
        if let Some(t) = &self.target {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_target::Column::OperationId,
                operation_target::Entity,
                Condition::all().add(named.is(operation_target::Column::TargetId, Kind::Target, t)),
            )));
        }
        if let Some(t) = &self.tactic {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_tactic::Column::OperationId,
                operation_tactic::Entity,
                Condition::all().add(operation_tactic::Column::Tactic.eq(t.as_str())),
            )));
        }
        if let Some(p) = &self.part_of {
            c = c.add(named.is(operation::Column::PartOfId, Kind::Operation, p));
        }
        c = c.add_option(
            dates(&self.from, &self.to, self.date_match)?
                .condition(operation::Column::Earliest, operation::Column::Latest),
        );
        if let Some(d) = self.disputed {
            c = c.add(operation::Column::Disputed.eq(d));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(operation::Column::Id.in_subquery(matching(
                Some(name::Column::OperationId),
                text::Column::OperationId,
                &key,
            )));
        }
        Ok(c)
    }
}

impl Filter for LegalOutcomeFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Operation, &self.operation),
            (Kind::Target, &self.target),
        ]
    }

    fn check(&self) -> Result<()> {
        self.checks().range(&self.from, &self.to).done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(legal_outcome::Column::Kind.eq(k.as_str()));
        }
        if let Some(j) = &self.jurisdiction {
            // `US` also matches the states: `US-CA` is a US jurisdiction.
            c = c.add(
                Condition::any()
                    .add(legal_outcome::Column::Jurisdiction.eq(j.as_str()))
                    .add(
                        Expr::col(legal_outcome::Column::Jurisdiction)
                            .like(LikeExpr::new(format!("{}-%", escape_like(j))).escape('\\')),
                    ),
            );
        }
        if let Some(g) = &self.group {
            // Outcomes concerning the group: named directly, or through one
            // of the group's operations.
            c = c.add(
                Condition::any()
                    .add(named.is(legal_outcome::Column::GroupId, Kind::Group, g))
                    .add(legal_outcome::Column::OperationId.in_subquery(ids_where(
                        operation_group::Column::OperationId,
                        operation_group::Entity,
                        Condition::all().add(named.is(
                            operation_group::Column::GroupId,
                            Kind::Group,
                            g,
                        )),
                    ))),
            );
        }
        if let Some(o) = &self.operation {
            c = c.add(named.is(legal_outcome::Column::OperationId, Kind::Operation, o));
        }
        if let Some(t) = &self.target {
            c = c.add(legal_outcome::Column::OperationId.in_subquery(ids_where(
                operation_target::Column::OperationId,
                operation_target::Entity,
                Condition::all().add(named.is(operation_target::Column::TargetId, Kind::Target, t)),
            )));
        }
        c = c.add_option(dates(&self.from, &self.to, self.date_match)?.condition(
            legal_outcome::Column::Earliest,
            legal_outcome::Column::Latest,
        ));
        if let Some(d) = self.disputed {
            c = c.add(legal_outcome::Column::Disputed.eq(d));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(legal_outcome::Column::Id.in_subquery(matching(
                None,
                text::Column::LegalOutcomeId,
                &key,
            )));
        }
        Ok(c)
    }
}

impl Filter for SourceFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        Vec::new()
    }

    fn check(&self) -> Result<()> {
        self.checks().range(&self.from, &self.to).done()
    }

    fn build(&self, _named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(source::Column::Kind.eq(k.as_str()));
        }
        if let Some(l) = &self.language {
            c = c.add(source::Column::Language.eq(l.as_str()));
        }
        c = c.add_option(
            dates(&self.from, &self.to, self.date_match)?
                .condition(source::Column::Earliest, source::Column::Latest),
        );
        Ok(c)
    }
}
