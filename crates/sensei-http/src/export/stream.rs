//! The export's response: the header row and the first page, then one page at a time as
//! the client reads, so a 100,000-row export holds one page of sessions in memory.

use std::io;

use futures_util::stream::{self, StreamExt};
use poem::http::{header, StatusCode};
use poem::{Body, Response};
use sensei_core::services::SessionExport;

use super::columns;
use crate::error::AppError;

fn encoding_failed(error: &csv::Error) -> AppError {
    AppError::internal(format!("csv encoding: {error}"))
}

/// Streams `export` as `text/csv; charset=utf-8`, an attachment named after the instant
/// the rows' states are judged at. The first page is read before answering, so a database
/// that cannot be reached answers 503; a failure after that ends the body early (the
/// response is cut short, never completed with missing rows) and is logged.
///
/// # Errors
/// [`AppError`] from the first page's read (503 unavailable, 500 internal).
pub async fn csv_response(mut export: SessionExport) -> Result<Response, AppError> {
    let as_of = export.as_of();
    let first = export
        .next_page()
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let mut opening = columns::header_bytes().map_err(|error| encoding_failed(&error))?;
    if let Some(rows) = &first {
        opening.extend(columns::rows_bytes(rows, as_of).map_err(|error| encoding_failed(&error))?);
    }
    let rest = stream::unfold(
        (export, first.is_some()),
        move |(mut export, more)| async move {
            if !more {
                return None;
            }
            let chunk = match export.next_page().await {
                Ok(None) => return None,
                Ok(Some(rows)) => columns::rows_bytes(&rows, as_of).map_err(io::Error::other),
                Err(error) => {
                    tracing::warn!(error = %error, "export stopped: the next page could not be read");
                    Err(io::Error::other(error.to_string()))
                }
            };
            let more = chunk.is_ok();
            Some((chunk, (export, more)))
        },
    );
    let body = stream::once(async move { Ok::<_, io::Error>(opening) }).chain(rest);
    let filename = format!(
        "scheduled-sessions-{}.csv",
        as_of.format("%Y-%m-%dT%H%M%SZ")
    );
    Ok(Response::builder()
        .status(StatusCode::OK)
        .content_type("text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_bytes_stream(body)))
}
