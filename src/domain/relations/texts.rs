//! Names, texts and tactics of records.

use std::collections::HashMap;

use uuid::Uuid;

use super::batch::{group_by, rows_where_in};
use crate::db::entities::{name, operation_tactic, text};
use crate::domain::Conn;
use crate::domain::model::{Name, Subject, Text};
use crate::error::Result;

pub async fn names_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Name>>> {
    let col = match subject {
        Subject::Group => name::Column::GroupId,
        Subject::Target => name::Column::TargetId,
        Subject::Operation => name::Column::OperationId,
        _ => return Ok(HashMap::new()),
    };
    let rows = rows_where_in::<name::Entity, _>(db, col, ids, [name::Column::Position]).await?;
    Ok(group_by(rows.into_iter().filter_map(|r| {
        let owner = r.group_id.or(r.target_id).or(r.operation_id)?;
        Some((
            owner,
            Name {
                lang: r.lang,
                text: r.text,
                kind: r.kind,
            },
        ))
    })))
}

pub async fn texts_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Text>>> {
    let col = match subject {
        Subject::Group => text::Column::GroupId,
        Subject::Target => text::Column::TargetId,
        Subject::Operation => text::Column::OperationId,
        Subject::LegalOutcome => text::Column::LegalOutcomeId,
        _ => return Ok(HashMap::new()),
    };
    let rows =
        rows_where_in::<text::Entity, _>(db, col, ids, [text::Column::Field, text::Column::Lang])
            .await?;
    Ok(group_by(rows.into_iter().filter_map(|r| {
        let owner = r
            .group_id
            .or(r.target_id)
            .or(r.operation_id)
            .or(r.legal_outcome_id)?;
        Some((
            owner,
            Text {
                field: r.field,
                lang: r.lang,
                text: r.text,
            },
        ))
    })))
}

pub async fn tactics_of<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let rows = rows_where_in::<operation_tactic::Entity, _>(
        db,
        operation_tactic::Column::OperationId,
        operation_ids,
        [operation_tactic::Column::Tactic],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().map(|r| (r.operation_id, r.tactic)),
    ))
}
