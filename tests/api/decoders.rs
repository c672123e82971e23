//! Every entity model has two decoders: sqlx's `FromRow`, which
//! `db::rows` uses on Postgres, and SeaORM's `FromQueryResult`, which it
//! uses elsewhere. They must read every column alike, NULLs included: each
//! table here holds a row whose nullable columns are all NULL beside rows
//! that fill them, and both decoders must return the same models.

use factline::db::entities::{
    alternative, api_key, citation, group, legal_outcome, name, operation, operation_group,
    operation_tactic, operation_target, revision, source, target, text,
};
use factline::db::rows;
use factline::domain::auth::{self, Role};
use factline::domain::write::{self, Collection};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement,
};
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestDb;

/// The nullable columns of `table`, as the database declares them.
async fn nullable_columns(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT column_name FROM information_schema.columns \
             WHERE table_name = '{table}' AND is_nullable = 'YES' ORDER BY column_name"
        ),
        _ => format!(
            "SELECT name FROM pragma_table_info('{table}') WHERE \"notnull\" = 0 AND pk = 0 ORDER BY name"
        ),
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// NULL in one row for each nullable column that has none yet, where
/// another row keeps a value and a constraint lets it be NULL on its own.
async fn null_what_may_be(db: &DatabaseConnection, table: &str, cols: &[String]) {
    for c in cols {
        if count_where(db, table, &format!("{c} IS NULL")).await > 0
            || count_where(db, table, &format!("{c} IS NOT NULL")).await < 2
        {
            continue;
        }
        let sql = format!(
            "UPDATE {table} SET {c} = NULL \
             WHERE id = (SELECT id FROM {table} WHERE {c} IS NOT NULL ORDER BY id LIMIT 1)"
        );
        let _ = db.execute_unprepared(&sql).await;
    }
}

/// How many rows of `table` hold NULL (or not) in `column`.
async fn count_where(db: &DatabaseConnection, table: &str, cond: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table} WHERE {cond}");
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

/// Both decoders over every row of `E`'s table: the same models, and
/// at least one row with NULLs.
async fn agree<E>(db: &DatabaseConnection, table: &str)
where
    E: EntityTrait,
    E::Model: rows::Decode + PartialEq + std::fmt::Debug,
{
    let cols = nullable_columns(db, table).await;
    null_what_may_be(db, table, &cols).await;
    for c in &cols {
        assert!(
            count_where(db, table, &format!("{c} IS NULL")).await > 0,
            "{table}.{c}: no row holds NULL"
        );
        assert!(
            count_where(db, table, &format!("{c} IS NOT NULL")).await > 0,
            "{table}.{c}: no row holds a value"
        );
    }
    let by_seaorm = E::find().all(db).await.unwrap();
    let by_rows = rows::all(db, E::find()).await.unwrap();
    assert!(by_seaorm.len() >= 2, "{table}: too few rows to compare");
    assert_eq!(by_seaorm, by_rows, "{table}: the decoders differ");
}

both_backends!(
    both_decoders_read_every_entity_alike_nulls_included,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = t.db.clone();
        // Rows the bundled dataset lacks: keys (one revoked) and revisions.
        let (_, key) = auth::create_key(&db, Role::Editor, "decoders")
            .await
            .unwrap();
        let (spare, _) = auth::create_key(&db, Role::Reader, "spare").await.unwrap();
        auth::revoke_key(&db, &spare.id.to_string()).await.unwrap();
        let actor = auth::authenticate(&db, Some(&format!("Bearer {key}")))
            .await
            .unwrap();
        for slug in ["decoded-a", "decoded-b"] {
            let body = json!({"slug": slug, "kind": "company", "sector": "finance", "country": "US",
            "names": [{"lang": "en", "text": slug, "kind": "primary"}],
            "citations": [{"source": "seed-article"}]});
            write::create(&db, &actor, Collection::Targets, body, Some("why"))
                .await
                .unwrap();
        }
        let source = json!({"slug": "decoded-source", "title": "Decoded", "kind": "news",
        "url": "https://example.org/a", "archived_url": "https://archive.example.org/a",
        "publisher": "Example", "language": "en", "published": "2011-02"});
        write::create(&db, &actor, Collection::Sources, source, None)
            .await
            .unwrap();
        let group = json!({"slug": "decoded-group", "kind": "crew", "parent": "anonymous",
        "names": [{"lang": "en", "text": "Decoded", "kind": "primary"}],
        "founded": "2011-05", "dissolved": "2012",
        "external_ids": {"wikidata": "Q1", "misp_galaxy": "7cdbbc9c-5a0f-4c6b-a4f4-4f2b7b1e1a01",
                         "attack": "G0001"},
        "citations": [{"source": "decoded-source", "quote": "q", "locator": "p. 2",
                       "field": "founded"}]});
        write::create(&db, &actor, Collection::Groups, group, None)
            .await
            .unwrap();
        // Alternatives, with and without a note, and their citations.
        let outcome = json!({"slug": "lo-decoded", "kind": "fine", "date": "2011",
        "group": "anonymous", "disputed": true, "dispute_note": "two figures are reported",
        "money": {"amount": "100.00", "currency": "EUR", "kind": "fine", "scope": "total"},
        "alternatives": [
            {"field": "money", "note": "a later report",
             "value": {"amount": "120.00", "currency": "EUR", "kind": "fine", "scope": "total"},
             "citations": [{"source": "decoded-source", "field": "money", "locator": "para. 3"}]},
            {"field": "date", "value": "2012", "citations": [{"source": "seed-article"}]}],
        "citations": [{"source": "seed-article"}]});
        write::create(&db, &actor, Collection::LegalOutcomes, outcome, None)
            .await
            .unwrap();
        let operation = json!({"slug": "op-decoded", "start": "2011-02", "end": "2011-02",
        "disputed": true, "dispute_note": "the month differs",
        "names": [{"lang": "en", "text": "Decoded", "kind": "primary"}],
        "alternatives": [{"field": "start", "value": "2011-03",
                          "citations": [{"source": "decoded-source", "field": "start"}]}],
        "citations": [{"source": "seed-article"}]});
        write::create(&db, &actor, Collection::Operations, operation, None)
            .await
            .unwrap();
        write::delete(&db, &actor, Collection::Targets, "decoded-b", 1, None)
            .await
            .unwrap();

        // Targets have no texts today, but the table allows them: one by hand.
        let target_id = rows::one(&db, target::Entity::find())
            .await
            .unwrap()
            .unwrap()
            .id;
        text::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            target_id: Set(Some(target_id)),
            field: Set("description".into()),
            lang: Set("en".into()),
            text: Set("A target.".into()),
            search_key: Set("a target.".into()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();

        agree::<source::Entity>(&db, "sources").await;
        agree::<group::Entity>(&db, "groups").await;
        agree::<target::Entity>(&db, "targets").await;
        agree::<operation::Entity>(&db, "operations").await;
        agree::<legal_outcome::Entity>(&db, "legal_outcomes").await;
        agree::<name::Entity>(&db, "names").await;
        agree::<text::Entity>(&db, "texts").await;
        agree::<citation::Entity>(&db, "citations").await;
        agree::<alternative::Entity>(&db, "alternatives").await;
        agree::<operation_group::Entity>(&db, "operation_groups").await;
        agree::<operation_target::Entity>(&db, "operation_targets").await;
        agree::<operation_tactic::Entity>(&db, "operation_tactics").await;
        agree::<api_key::Entity>(&db, "api_keys").await;
        agree::<revision::Entity>(&db, "revisions").await;
    }
);
