//! The CSV export of scheduled sessions (`GET /admin/export.csv` and the API's
//! `/api/v1/scheduled-sessions.csv`): the filters read from the query string, the columns
//! with the neutralisation of spreadsheet formulas, and the streamed response, one page of
//! sessions in memory at a time.

pub mod columns;
pub mod filters;
pub mod stream;

pub use filters::parse_filters;
pub use stream::csv_response;
