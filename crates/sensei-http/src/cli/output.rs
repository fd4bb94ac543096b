//! What the commands print, without `println!`: `println!` panics when standard output is
//! gone (a closed pipe, as in `sensei webhook add URL | head -1`), after the command's work
//! was done and before it could say so. Here a failed write is an error the command handles
//! (`webhook add` removes the endpoint whose secret it could not show) and reports.
//!
//! Rust starts programs with SIGPIPE ignored, so a write to a closed pipe returns `EPIPE`
//! (`ErrorKind::BrokenPipe`) instead of killing the process.

use std::fmt;
use std::io::{self, Write};

/// Standard output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The reader went away (`EPIPE`).
    #[error("could not write to standard output: the reading end of the pipe was closed")]
    Closed(#[source] io::Error),
    /// Any other failure (a full disk, a closed descriptor).
    #[error("could not write to standard output: {0}")]
    Failed(#[source] io::Error),
}

impl From<io::Error> for OutputError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            OutputError::Closed(error)
        } else {
            OutputError::Failed(error)
        }
    }
}

/// Writes `text` and a newline to standard output and flushes it, so that success means
/// the operating system took every byte.
///
/// # Errors
/// [`OutputError`] when the write or the flush fails.
pub fn line(text: fmt::Arguments<'_>) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    out.write_fmt(text)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Writes `text` and a newline to standard error. A failure is dropped: there is nowhere
/// left to report it.
pub fn error_line(text: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(text);
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_apart_from_other_failures() {
        let closed = OutputError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(matches!(closed, OutputError::Closed(_)));
        assert_eq!(
            closed.to_string(),
            "could not write to standard output: the reading end of the pipe was closed"
        );
        let other = OutputError::from(io::Error::other("disk full"));
        assert_eq!(
            other.to_string(),
            "could not write to standard output: disk full"
        );
    }
}
