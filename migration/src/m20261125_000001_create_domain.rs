//! The whole domain model of DESIGN.md: entities, their per-language names and
//! texts, relation links, citations, revisions and API keys.
//!
//! Conventions that the domain layer relies on:
//! - every entity has `id` (UUID), `slug` (unique), `created_at`, `updated_at`, `version`;
//! - a date is stored as four columns: the EDTF text, its precision and its
//!   earliest and latest day; each dated entity also has `earliest`/`latest`
//!   (the span a range filter tests), so overlap filters are
//!   `earliest <= :to AND latest >= :from` on an index;
//! - names, texts and citations point at their subject through one nullable
//!   foreign key per subject kind (exactly one is set, enforced by a CHECK), so
//!   deleting a subject cascades to them on both backends;
//! - money is stored as its canonical decimal string: SQLite has no exact
//!   decimal type (sea-query maps `Decimal` to `real` there), and the amount
//!   must never pass through a float.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Sources {
    Table,
    Id,
    Slug,
    Title,
    Url,
    ArchivedUrl,
    Publisher,
    Language,
    Kind,
    PublishedEdtf,
    PublishedPrecision,
    Earliest,
    Latest,
}

#[derive(DeriveIden, Clone, Copy)]
enum Groups {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    ParentId,
    FoundedEdtf,
    FoundedPrecision,
    FoundedEarliest,
    FoundedLatest,
    DissolvedEdtf,
    DissolvedPrecision,
    DissolvedEarliest,
    DissolvedLatest,
    Earliest,
    Latest,
    WikidataId,
    MispGalaxyId,
    AttackId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Targets {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    Country,
    Sector,
}

#[derive(DeriveIden, Clone, Copy)]
enum Operations {
    Table,
    Id,
    Slug,
    Name,
    PartOfId,
    StartEdtf,
    StartPrecision,
    StartEarliest,
    StartLatest,
    EndEdtf,
    EndPrecision,
    EndEarliest,
    EndLatest,
    Earliest,
    Latest,
    Disputed,
    DisputeNote,
}

#[derive(DeriveIden, Clone, Copy)]
enum OperationTactics {
    Table,
    OperationId,
    Tactic,
}

#[derive(DeriveIden, Clone, Copy)]
enum OperationGroups {
    Table,
    Id,
    OperationId,
    GroupId,
    Role,
}

#[derive(DeriveIden, Clone, Copy)]
enum OperationTargets {
    Table,
    Id,
    OperationId,
    TargetId,
}

#[derive(DeriveIden, Clone, Copy)]
enum LegalOutcomes {
    Table,
    Id,
    Slug,
    Kind,
    DateEdtf,
    DatePrecision,
    Earliest,
    Latest,
    Jurisdiction,
    Court,
    OperationId,
    GroupId,
    PeopleCount,
    Person,
    Amount,
    Currency,
    AmountKind,
    AmountScope,
    Disputed,
    DisputeNote,
}

#[derive(DeriveIden, Clone, Copy)]
enum Names {
    Table,
    Id,
    GroupId,
    TargetId,
    OperationId,
    Lang,
    Text,
    Kind,
    Position,
    SearchKey,
}

#[derive(DeriveIden, Clone, Copy)]
enum Texts {
    Table,
    Id,
    GroupId,
    TargetId,
    OperationId,
    LegalOutcomeId,
    Field,
    Lang,
    Text,
    SearchKey,
}

#[derive(DeriveIden, Clone, Copy)]
enum Citations {
    Table,
    Id,
    SourceId,
    GroupId,
    TargetId,
    OperationId,
    LegalOutcomeId,
    OperationGroupId,
    OperationTargetId,
    Field,
    Quote,
    Locator,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Revisions {
    Table,
    Id,
    EntityKind,
    EntityId,
    EntitySlug,
    Version,
    Action,
    ActorKeyId,
    At,
    Before,
    After,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
    Id,
    Name,
    Role,
    Prefix,
    KeyHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Common {
    CreatedAt,
    UpdatedAt,
    Version,
}

/// `id`, `slug`, timestamps and `version`: what every entity table starts with.
fn entity_table<T: IntoIden + Copy + 'static>(table: T, id: T, slug: T) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(pk_uuid(id))
        .col(string_len_uniq(slug, 200))
        .col(timestamp_with_time_zone(Common::CreatedAt))
        .col(timestamp_with_time_zone(Common::UpdatedAt))
        .col(integer(Common::Version).default(1))
        .to_owned()
}

/// The EDTF text, precision and earliest/latest days of one date.
fn date_cols<T: IntoIden + Copy>(
    stmt: &mut TableCreateStatement,
    nullable: bool,
    [edtf, precision, earliest, latest]: [T; 4],
) {
    if nullable {
        stmt.col(string_len_null(edtf, 64))
            .col(string_len_null(precision, 8))
            .col(date_null(earliest))
            .col(date_null(latest));
    } else {
        stmt.col(string_len(edtf, 64))
            .col(string_len(precision, 8))
            .col(date(earliest))
            .col(date(latest));
    }
}

fn fk<T: IntoIden + Copy + 'static, U: IntoIden + Copy + 'static>(
    from: T,
    col: T,
    to: U,
    to_col: U,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, to_col)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index<T: IntoIden + Copy + 'static>(name: &str, table: T, cols: &[T]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}

/// CHECK that exactly one of the nullable subject columns is set.
fn exactly_one<T: IntoIden + Copy + 'static>(cols: &[T]) -> SimpleExpr {
    let count = cols
        .iter()
        .map(|c| Expr::case(Expr::col(*c).is_not_null(), 1).finally(0).into())
        .reduce(|a: SimpleExpr, b| a.add(b))
        .expect("at least one subject column");
    count.eq(1)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // sources
        let mut t = entity_table(Sources::Table, Sources::Id, Sources::Slug);
        t.col(text(Sources::Title))
            .col(text_null(Sources::Url))
            .col(text_null(Sources::ArchivedUrl))
            .col(text_null(Sources::Publisher))
            .col(string_len(Sources::Language, 35))
            .col(string_len(Sources::Kind, 32));
        date_cols(
            &mut t,
            true,
            [
                Sources::PublishedEdtf,
                Sources::PublishedPrecision,
                Sources::Earliest,
                Sources::Latest,
            ],
        );
        m.create_table(t).await?;
        for (name, cols) in [
            ("idx_sources_kind", &[Sources::Kind][..]),
            ("idx_sources_language", &[Sources::Language]),
            ("idx_sources_span", &[Sources::Earliest, Sources::Latest]),
        ] {
            m.create_index(index(name, Sources::Table, cols)).await?;
        }

        // groups
        let mut t = entity_table(Groups::Table, Groups::Id, Groups::Slug);
        t.col(text(Groups::Name))
            .col(string_len(Groups::Kind, 32))
            .col(uuid_null(Groups::ParentId));
        date_cols(
            &mut t,
            true,
            [
                Groups::FoundedEdtf,
                Groups::FoundedPrecision,
                Groups::FoundedEarliest,
                Groups::FoundedLatest,
            ],
        );
        date_cols(
            &mut t,
            true,
            [
                Groups::DissolvedEdtf,
                Groups::DissolvedPrecision,
                Groups::DissolvedEarliest,
                Groups::DissolvedLatest,
            ],
        );
        t.col(date_null(Groups::Earliest))
            .col(date_null(Groups::Latest))
            .col(string_len_null(Groups::WikidataId, 32))
            .col(uuid_null(Groups::MispGalaxyId))
            .col(string_len_null(Groups::AttackId, 16))
            .foreign_key(&mut fk(
                Groups::Table,
                Groups::ParentId,
                Groups::Table,
                Groups::Id,
                ForeignKeyAction::SetNull,
            ));
        m.create_table(t).await?;
        for (name, cols) in [
            ("idx_groups_kind", &[Groups::Kind][..]),
            ("idx_groups_parent", &[Groups::ParentId]),
            ("idx_groups_span", &[Groups::Earliest, Groups::Latest]),
            ("idx_groups_name", &[Groups::Name]),
        ] {
            m.create_index(index(name, Groups::Table, cols)).await?;
        }

        // targets
        let mut t = entity_table(Targets::Table, Targets::Id, Targets::Slug);
        t.col(text(Targets::Name))
            .col(string_len(Targets::Kind, 32))
            .col(string_len_null(Targets::Country, 2))
            .col(text_null(Targets::Sector));
        m.create_table(t).await?;
        for (name, cols) in [
            ("idx_targets_kind", &[Targets::Kind][..]),
            ("idx_targets_country", &[Targets::Country]),
            ("idx_targets_name", &[Targets::Name]),
        ] {
            m.create_index(index(name, Targets::Table, cols)).await?;
        }

        // operations
        let mut t = entity_table(Operations::Table, Operations::Id, Operations::Slug);
        t.col(text(Operations::Name))
            .col(uuid_null(Operations::PartOfId));
        date_cols(
            &mut t,
            false,
            [
                Operations::StartEdtf,
                Operations::StartPrecision,
                Operations::StartEarliest,
                Operations::StartLatest,
            ],
        );
        date_cols(
            &mut t,
            true,
            [
                Operations::EndEdtf,
                Operations::EndPrecision,
                Operations::EndEarliest,
                Operations::EndLatest,
            ],
        );
        t.col(date(Operations::Earliest))
            .col(date(Operations::Latest))
            .col(boolean(Operations::Disputed).default(false))
            .col(text_null(Operations::DisputeNote))
            .foreign_key(&mut fk(
                Operations::Table,
                Operations::PartOfId,
                Operations::Table,
                Operations::Id,
                ForeignKeyAction::SetNull,
            ));
        m.create_table(t).await?;
        for (name, cols) in [
            ("idx_operations_part_of", &[Operations::PartOfId][..]),
            (
                "idx_operations_span",
                &[Operations::Earliest, Operations::Latest],
            ),
            ("idx_operations_latest", &[Operations::Latest]),
            ("idx_operations_disputed", &[Operations::Disputed]),
            ("idx_operations_name", &[Operations::Name]),
        ] {
            m.create_index(index(name, Operations::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(OperationTactics::Table)
                .col(uuid(OperationTactics::OperationId))
                .col(string_len(OperationTactics::Tactic, 32))
                .primary_key(
                    Index::create()
                        .col(OperationTactics::OperationId)
                        .col(OperationTactics::Tactic),
                )
                .foreign_key(&mut fk(
                    OperationTactics::Table,
                    OperationTactics::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_operation_tactics_tactic",
            OperationTactics::Table,
            &[OperationTactics::Tactic, OperationTactics::OperationId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OperationGroups::Table)
                .col(pk_uuid(OperationGroups::Id))
                .col(uuid(OperationGroups::OperationId))
                .col(uuid(OperationGroups::GroupId))
                .col(string_len(OperationGroups::Role, 32))
                .foreign_key(&mut fk(
                    OperationGroups::Table,
                    OperationGroups::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    OperationGroups::Table,
                    OperationGroups::GroupId,
                    Groups::Table,
                    Groups::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_operation_groups_pair",
                OperationGroups::Table,
                &[OperationGroups::OperationId, OperationGroups::GroupId],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_operation_groups_group",
            OperationGroups::Table,
            &[OperationGroups::GroupId, OperationGroups::OperationId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OperationTargets::Table)
                .col(pk_uuid(OperationTargets::Id))
                .col(uuid(OperationTargets::OperationId))
                .col(uuid(OperationTargets::TargetId))
                .foreign_key(&mut fk(
                    OperationTargets::Table,
                    OperationTargets::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    OperationTargets::Table,
                    OperationTargets::TargetId,
                    Targets::Table,
                    Targets::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_operation_targets_pair",
                OperationTargets::Table,
                &[OperationTargets::OperationId, OperationTargets::TargetId],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_operation_targets_target",
            OperationTargets::Table,
            &[OperationTargets::TargetId, OperationTargets::OperationId],
        ))
        .await?;

        // legal outcomes
        let mut t = entity_table(LegalOutcomes::Table, LegalOutcomes::Id, LegalOutcomes::Slug);
        t.col(string_len(LegalOutcomes::Kind, 32));
        date_cols(
            &mut t,
            false,
            [
                LegalOutcomes::DateEdtf,
                LegalOutcomes::DatePrecision,
                LegalOutcomes::Earliest,
                LegalOutcomes::Latest,
            ],
        );
        t.col(string_len_null(LegalOutcomes::Jurisdiction, 6))
            .col(text_null(LegalOutcomes::Court))
            .col(uuid_null(LegalOutcomes::OperationId))
            .col(uuid_null(LegalOutcomes::GroupId))
            .col(integer_null(LegalOutcomes::PeopleCount))
            .col(text_null(LegalOutcomes::Person))
            .col(string_len_null(LegalOutcomes::Amount, 40))
            .col(string_len_null(LegalOutcomes::Currency, 3))
            .col(string_len_null(LegalOutcomes::AmountKind, 32))
            .col(string_len_null(LegalOutcomes::AmountScope, 16))
            .col(boolean(LegalOutcomes::Disputed).default(false))
            .col(text_null(LegalOutcomes::DisputeNote))
            .foreign_key(&mut fk(
                LegalOutcomes::Table,
                LegalOutcomes::OperationId,
                Operations::Table,
                Operations::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                LegalOutcomes::Table,
                LegalOutcomes::GroupId,
                Groups::Table,
                Groups::Id,
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t).await?;
        for (name, cols) in [
            ("idx_legal_outcomes_kind", &[LegalOutcomes::Kind][..]),
            (
                "idx_legal_outcomes_jurisdiction",
                &[LegalOutcomes::Jurisdiction],
            ),
            (
                "idx_legal_outcomes_operation",
                &[LegalOutcomes::OperationId],
            ),
            ("idx_legal_outcomes_group", &[LegalOutcomes::GroupId]),
            (
                "idx_legal_outcomes_span",
                &[LegalOutcomes::Earliest, LegalOutcomes::Latest],
            ),
            ("idx_legal_outcomes_latest", &[LegalOutcomes::Latest]),
            ("idx_legal_outcomes_disputed", &[LegalOutcomes::Disputed]),
        ] {
            m.create_index(index(name, LegalOutcomes::Table, cols))
                .await?;
        }

        // names: per-language primary names and aliases of groups, targets, operations
        let subjects = [Names::GroupId, Names::TargetId, Names::OperationId];
        m.create_table(
            Table::create()
                .table(Names::Table)
                .col(pk_uuid(Names::Id))
                .col(uuid_null(Names::GroupId))
                .col(uuid_null(Names::TargetId))
                .col(uuid_null(Names::OperationId))
                .col(string_len(Names::Lang, 35))
                .col(text(Names::Text))
                .col(string_len(Names::Kind, 16))
                .col(integer(Names::Position))
                .col(text(Names::SearchKey))
                .check(exactly_one(&subjects))
                .foreign_key(&mut fk(
                    Names::Table,
                    Names::GroupId,
                    Groups::Table,
                    Groups::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Names::Table,
                    Names::TargetId,
                    Targets::Table,
                    Targets::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Names::Table,
                    Names::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_names_group", Names::GroupId),
            ("idx_names_target", Names::TargetId),
            ("idx_names_operation", Names::OperationId),
            ("idx_names_search_key", Names::SearchKey),
        ] {
            m.create_index(index(name, Names::Table, &[col])).await?;
        }

        // texts: per-language descriptions, motives and summaries
        let subjects = [
            Texts::GroupId,
            Texts::TargetId,
            Texts::OperationId,
            Texts::LegalOutcomeId,
        ];
        m.create_table(
            Table::create()
                .table(Texts::Table)
                .col(pk_uuid(Texts::Id))
                .col(uuid_null(Texts::GroupId))
                .col(uuid_null(Texts::TargetId))
                .col(uuid_null(Texts::OperationId))
                .col(uuid_null(Texts::LegalOutcomeId))
                .col(string_len(Texts::Field, 32))
                .col(string_len(Texts::Lang, 35))
                .col(text(Texts::Text))
                .col(text(Texts::SearchKey))
                .check(exactly_one(&subjects))
                .foreign_key(&mut fk(
                    Texts::Table,
                    Texts::GroupId,
                    Groups::Table,
                    Groups::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Texts::Table,
                    Texts::TargetId,
                    Targets::Table,
                    Targets::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Texts::Table,
                    Texts::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Texts::Table,
                    Texts::LegalOutcomeId,
                    LegalOutcomes::Table,
                    LegalOutcomes::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_texts_group", Texts::GroupId),
            ("idx_texts_target", Texts::TargetId),
            ("idx_texts_operation", Texts::OperationId),
            ("idx_texts_legal_outcome", Texts::LegalOutcomeId),
        ] {
            m.create_index(index(name, Texts::Table, &[col])).await?;
        }

        // citations: a source supporting an entity or a relation link
        let subjects = [
            Citations::GroupId,
            Citations::TargetId,
            Citations::OperationId,
            Citations::LegalOutcomeId,
            Citations::OperationGroupId,
            Citations::OperationTargetId,
        ];
        m.create_table(
            Table::create()
                .table(Citations::Table)
                .col(pk_uuid(Citations::Id))
                .col(uuid(Citations::SourceId))
                .col(uuid_null(Citations::GroupId))
                .col(uuid_null(Citations::TargetId))
                .col(uuid_null(Citations::OperationId))
                .col(uuid_null(Citations::LegalOutcomeId))
                .col(uuid_null(Citations::OperationGroupId))
                .col(uuid_null(Citations::OperationTargetId))
                .col(string_len_null(Citations::Field, 64))
                .col(text_null(Citations::Quote))
                .col(text_null(Citations::Locator))
                .col(integer(Citations::Position))
                .check(exactly_one(&subjects))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::SourceId,
                    Sources::Table,
                    Sources::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::GroupId,
                    Groups::Table,
                    Groups::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::TargetId,
                    Targets::Table,
                    Targets::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::OperationId,
                    Operations::Table,
                    Operations::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::LegalOutcomeId,
                    LegalOutcomes::Table,
                    LegalOutcomes::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::OperationGroupId,
                    OperationGroups::Table,
                    OperationGroups::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Citations::Table,
                    Citations::OperationTargetId,
                    OperationTargets::Table,
                    OperationTargets::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_citations_source", Citations::SourceId),
            ("idx_citations_group", Citations::GroupId),
            ("idx_citations_target", Citations::TargetId),
            ("idx_citations_operation", Citations::OperationId),
            ("idx_citations_legal_outcome", Citations::LegalOutcomeId),
            ("idx_citations_operation_group", Citations::OperationGroupId),
            (
                "idx_citations_operation_target",
                Citations::OperationTargetId,
            ),
        ] {
            m.create_index(index(name, Citations::Table, &[col]))
                .await?;
        }

        // revisions: no foreign keys, so a deleted record keeps its history
        m.create_table(
            Table::create()
                .table(Revisions::Table)
                .col(pk_uuid(Revisions::Id))
                .col(string_len(Revisions::EntityKind, 32))
                .col(uuid(Revisions::EntityId))
                .col(string_len(Revisions::EntitySlug, 200))
                .col(integer(Revisions::Version))
                .col(string_len(Revisions::Action, 16))
                .col(uuid_null(Revisions::ActorKeyId))
                .col(timestamp_with_time_zone(Revisions::At))
                .col(json_null(Revisions::Before))
                .col(json_null(Revisions::After))
                .col(text_null(Revisions::Reason))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_revisions_entity",
            Revisions::Table,
            &[
                Revisions::EntityKind,
                Revisions::EntitySlug,
                Revisions::Version,
            ],
        ))
        .await?;
        m.create_index(index(
            "idx_revisions_entity_id",
            Revisions::Table,
            &[Revisions::EntityId, Revisions::Version],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(string_len(ApiKeys::Name, 200))
                .col(string_len(ApiKeys::Role, 16))
                .col(string_len(ApiKeys::Prefix, 16))
                .col(string_len_uniq(ApiKeys::KeyHash, 128))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents so foreign keys never block a drop.
        for table in [
            ApiKeys::Table.into_iden(),
            Revisions::Table.into_iden(),
            Citations::Table.into_iden(),
            Texts::Table.into_iden(),
            Names::Table.into_iden(),
            LegalOutcomes::Table.into_iden(),
            OperationTargets::Table.into_iden(),
            OperationGroups::Table.into_iden(),
            OperationTactics::Table.into_iden(),
            Operations::Table.into_iden(),
            Targets::Table.into_iden(),
            Groups::Table.into_iden(),
            Sources::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
