//! Reading an account import (`sensei user import FILE.csv` and the accounts page's CSV
//! form, one reader for both): a header line naming the columns `email`, `role` and
//! `password` (in any order, any letter case), then one account per line. Each row keeps its
//! line number for the report; a row that cannot be read (wrong number of fields) is
//! reported on its own and the others go on.

use sensei_core::ImportRow;

/// The most rows one import takes (split a larger cohort into several files).
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// The largest file one import takes, in bytes.
pub const MAX_IMPORT_BYTES: u64 = 32 << 20;

/// The file as a whole cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum CsvFileError {
    /// The header does not name the three columns.
    #[error(
        "line 1: the header must name the columns email, role and password (found {found:?}); \
         nothing was imported"
    )]
    Header {
        /// The header as read.
        found: String,
    },
    /// The header names a column twice or one not known.
    #[error("line 1: unknown or repeated column {0:?}: use email, role and password; nothing was imported")]
    Column(String),
    /// More rows than [`MAX_IMPORT_ROWS`].
    #[error("the file has more than {MAX_IMPORT_ROWS} rows: split it; nothing was imported")]
    TooManyRows,
    /// The file cannot be read.
    #[error("cannot read the file: {0}")]
    Read(String),
}

/// A row that could not be read as a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Its line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// The rows of the file: the readable ones and the unreadable ones, each with its line.
#[derive(Debug, Default)]
pub struct CsvRows {
    /// Rows to import.
    pub rows: Vec<ImportRow>,
    /// Rows that could not be read.
    pub bad: Vec<BadRow>,
}

/// Reads the rows of a whole file's bytes (a byte-order mark at the start is skipped).
///
/// # Errors
/// [`CsvFileError`] when the header is wrong or the file has too many rows.
pub fn read_rows(input: &[u8]) -> Result<CsvRows, CsvFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|error| CsvFileError::Read(error.to_string()))?
        .clone();
    let columns = Columns::of(&header)?;
    let mut rows = CsvRows::default();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |at| line_at(input, at));
                match error.into_kind() {
                    csv::ErrorKind::Io(error) => return Err(CsvFileError::Read(error.to_string())),
                    kind => rows.bad.push(BadRow {
                        line,
                        reason: unreadable(&kind),
                    }),
                }
                continue;
            }
        };
        if rows.rows.len() + rows.bad.len() >= MAX_IMPORT_ROWS {
            return Err(CsvFileError::TooManyRows);
        }
        let line = record.position().map_or(0, |at| line_at(input, at));
        if record.len() != header.len() {
            rows.bad.push(BadRow {
                line,
                reason: format!(
                    "{} fields where the header has {}: check for a missing or extra comma",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let field = |index: usize| record.get(index).unwrap_or_default().to_owned();
        rows.rows.push(ImportRow {
            line,
            email: field(columns.email),
            role: field(columns.role),
            password: field(columns.password),
        });
    }
    Ok(rows)
}

/// The line a record starts on. The reader's own line count places a record that follows
/// blank lines on the first of them, so the line is counted here from the record's byte
/// offset, past the line breaks before it.
fn line_at(input: &[u8], at: &csv::Position) -> u64 {
    let start = usize::try_from(at.byte())
        .unwrap_or(usize::MAX)
        .min(input.len());
    let before = input.get(..start).unwrap_or_default();
    let skipped = input
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r');
    let breaks = |bytes: &mut dyn Iterator<Item = &u8>| {
        u64::try_from(bytes.filter(|&&b| b == b'\n').count()).unwrap_or(u64::MAX)
    };
    1 + breaks(&mut before.iter()) + breaks(&mut skipped.into_iter())
}

fn unreadable(kind: &csv::ErrorKind) -> String {
    match kind {
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".to_owned(),
        _ => "the row cannot be read as CSV".to_owned(),
    }
}

/// Where each column is.
struct Columns {
    email: usize,
    role: usize,
    password: usize,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Self, CsvFileError> {
        let (mut email, mut role, mut password) = (None, None, None);
        for (index, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim();
            let slot = match name.to_ascii_lowercase().as_str() {
                "email" => &mut email,
                "role" => &mut role,
                "password" => &mut password,
                _ => return Err(CsvFileError::Column(name.to_owned())),
            };
            if slot.replace(index).is_some() {
                return Err(CsvFileError::Column(name.to_owned()));
            }
        }
        match (email, role, password) {
            (Some(email), Some(role), Some(password)) => Ok(Self {
                email,
                role,
                password,
            }),
            _ => Err(CsvFileError::Header {
                found: header.iter().collect::<Vec<_>>().join(","),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_lines_and_short_rows_are_reported_alone() {
        let file = "\u{feff}Email,role,password\n\
                    a@example.com,student,password one\n\
                    \n\
                    b@example.com,instructor\n\
                    \"c@example.com\",admin,\"with, comma\"\n";
        let read = read_rows(file.as_bytes()).unwrap();
        let lines: Vec<(u64, &str, &str)> = read
            .rows
            .iter()
            .map(|row| (row.line, row.email.as_str(), row.password.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (2, "a@example.com", "password one"),
                (5, "c@example.com", "with, comma"),
            ]
        );
        assert_eq!(read.bad.len(), 1);
        assert_eq!(read.bad[0].line, 4);
        assert!(read.bad[0].reason.contains("2 fields"), "{:?}", read.bad);
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let read = read_rows("password,email,role\npw123456,a@b.c,student\n".as_bytes()).unwrap();
        assert_eq!(read.rows[0].email, "a@b.c");
        assert_eq!(read.rows[0].password, "pw123456");
    }

    #[test]
    fn a_wrong_header_stops_the_import() {
        assert!(matches!(
            read_rows("email,role\na,b\n".as_bytes()),
            Err(CsvFileError::Header { .. })
        ));
        assert!(matches!(
            read_rows("email,role,pass\n".as_bytes()),
            Err(CsvFileError::Column(_))
        ));
        assert!(matches!(
            read_rows("email,role,password,email\n".as_bytes()),
            Err(CsvFileError::Column(_))
        ));
    }
}
