//! The alternatives of many operations or legal outcomes, each with its
//! citations: two statements for any number of records.

use std::collections::HashMap;

use uuid::Uuid;

use super::batch::rows_where_in;
use super::citations::{SourceColumns, citations_of};
use crate::db::entities::alternative;
use crate::domain::Conn;
use crate::domain::model::{Alternative, Subject};
use crate::error::{Error, Result};

/// Each record's alternatives in their order, with the `columns` of their
/// citations' sources.
pub async fn alternatives_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
    columns: SourceColumns,
) -> Result<HashMap<Uuid, Vec<Alternative>>> {
    let owner = match subject {
        Subject::Operation => alternative::Column::OperationId,
        Subject::LegalOutcome => alternative::Column::LegalOutcomeId,
        _ => return Ok(HashMap::new()),
    };
    let rows =
        rows_where_in::<alternative::Entity, _>(db, owner, ids, [alternative::Column::Position])
            .await?;
    let alt_ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut cites = citations_of(db, Subject::Alternative, &alt_ids, columns).await?;
    let mut out: HashMap<Uuid, Vec<Alternative>> = HashMap::new();
    for a in rows {
        let Some(record) = a.operation_id.or(a.legal_outcome_id) else {
            continue;
        };
        let value = serde_json::from_str(&a.value)
            .map_err(|e| Error::Internal(format!("a stored alternative is not JSON: {e}")))?;
        out.entry(record).or_default().push(Alternative {
            field: a.field,
            value,
            note: a.note,
            citations: cites.remove(&a.id).unwrap_or_default(),
        });
    }
    Ok(out)
}
