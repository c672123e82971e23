//! Writing CSV: a page at once, or a whole list streamed in batches.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::columns::{Column, CsvRecord};
use crate::error::{Error, Result};

/// The column description of a list, for the OpenAPI document.
pub fn describe(columns: &[Column]) -> String {
    let mut s = String::from(
        "CSV (`format=csv` or `Accept: text/csv`): UTF-8 with a header row, one row per record. \
         Multi-valued cells are joined with ` | `; dates become `_edtf`, `_precision`, `_earliest`, `_latest`.\n\nColumns:\n",
    );
    for (name, what) in columns {
        s.push_str(&format!("- `{name}`: {what}\n"));
    }
    s
}

pub fn render<T: CsvRecord>(rows: &[T]) -> Result<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(format!("csv: {e}"));
    w.write_record(T::COLUMNS.iter().map(|c| c.0))
        .map_err(internal)?;
    for r in rows {
        w.write_record(r.row()).map_err(internal)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(format!("csv: {e}")))?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(res)
}

/// Rows fetched per query when a whole list is streamed as CSV: fewer round
/// trips against the memory two exports at once may hold; larger batches
/// were faster still but doubled that peak (bench/README.md, "Measurements
/// behind the code").
pub const STREAM_BATCH: u64 = 1_000;

/// One page of a list for [`stream`]: its rows, the next page's cursor, and
/// the total the list's filters match.
pub type Fetched<T> = (Vec<T>, Option<String>, u64);

pub(crate) fn encode_rows<T: CsvRecord>(
    rows: &[T],
    header: bool,
) -> std::result::Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(T::COLUMNS.iter().map(|c| c.0))
            .map_err(|e| e.to_string())?;
    }
    for r in rows {
        w.write_record(r.row()).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A whole list as CSV (from `start`'s cursor, if any), read and sent a page
/// at a time: memory stays at one page whatever the list's size. It is not
/// a snapshot: a record edited mid-stream may move (`/v1/export` reads one). The first page is read before answering,
/// so a bad filter or sort is still a 400 and `X-Total-Count` is known; a
/// failure after that can only cut the body short (it is logged).
pub async fn stream<T, F, Fut>(
    start: crate::domain::page::PageRequest,
    mut fetch: F,
) -> Result<Response>
where
    T: CsvRecord + Send + 'static,
    F: FnMut(crate::domain::page::PageRequest) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Fetched<T>>> + Send + 'static,
{
    use crate::domain::page::{Cursor, PageRequest};
    let first_page = PageRequest {
        limit: STREAM_BATCH,
        cursor: start.cursor,
        count: true,
    };
    let (rows, next, total) = fetch(first_page).await?;
    let head = encode_rows(&rows, true).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    drop(rows);
    let rest = futures::stream::unfold((fetch, next), |(mut fetch, cursor)| async move {
        let cursor = cursor?;
        let page = match Cursor::decode(&cursor) {
            Ok(c) => PageRequest {
                limit: STREAM_BATCH,
                cursor: Some(c),
                count: false,
            },
            Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (fetch, None))),
        };
        match fetch(page).await {
            Ok((rows, next, _)) => match encode_rows(&rows, false) {
                Ok(bytes) => Some((Ok(bytes), (fetch, next))),
                Err(e) => Some((Err(std::io::Error::other(e)), (fetch, None))),
            },
            Err(e) => {
                tracing::error!(error = %e, "CSV stream failed mid-way");
                Some((
                    Err(std::io::Error::other("csv stream failed")),
                    (fetch, None),
                ))
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end,
    // and `unfold` panics when polled past its end.
    let body = futures::StreamExt::fuse(futures::StreamExt::chain(
        futures::stream::once(async { Ok(head) }),
        rest,
    ));
    let mut res = axum::body::Body::from_stream(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    res.headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    Ok(res)
}

/// Writes a whole collection as CSV (the same columns as its list), a page at
/// a time: `factline export --format csv --collection …`. `progress` gets the
/// rows written so far and the total.
pub async fn write_collection(
    db: &sea_orm::DatabaseConnection,
    collection: crate::domain::write::Collection,
    out: &mut dyn std::io::Write,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<u64> {
    use crate::domain::page::{Cursor, PageRequest};
    use crate::domain::read;
    use crate::domain::write::Collection;
    let mut page = PageRequest {
        limit: STREAM_BATCH,
        cursor: None,
        count: true,
    };
    let mut written = 0u64;
    let mut total = 0u64;
    let io = |e: std::io::Error| Error::Internal(format!("cannot write the export: {e}"));
    loop {
        macro_rules! fetch {
            ($list:path, |$items:ident| $view:expr) => {{
                let p = $list(db, &Default::default(), None, &page).await?;
                let $items = p.items;
                let rows = $view;
                let bytes = encode_rows(&rows, page.cursor.is_none())
                    .map_err(|e| Error::Internal(format!("csv: {e}")))?;
                (bytes, rows.len() as u64, p.next_cursor, p.total)
            }};
        }
        let (bytes, n, next, t) = match collection {
            Collection::Groups => fetch!(read::list_groups, |items| {
                crate::rest::views::groups(db, items).await?
            }),
            Collection::Operations => fetch!(read::list_operations, |items| {
                crate::rest::views::operation_rows(db, items).await?
            }),
            Collection::Targets => fetch!(read::list_targets, |items| {
                crate::rest::views::targets(db, items).await?
            }),
            Collection::LegalOutcomes => fetch!(read::list_legal_outcomes, |items| {
                crate::rest::views::legal_outcomes(db, items).await?
            }),
            Collection::Sources => {
                fetch!(read::list_sources, |items| crate::rest::views::sources(
                    items
                ))
            }
        };
        if page.count {
            total = t;
        }
        out.write_all(&bytes).map_err(io)?;
        written += n;
        progress(written, total);
        match next {
            Some(c) => {
                page = PageRequest {
                    limit: STREAM_BATCH,
                    cursor: Some(Cursor::decode(&c)?),
                    count: false,
                };
            }
            None => return Ok(written),
        }
    }
}
