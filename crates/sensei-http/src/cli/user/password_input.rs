//! Where a new password comes from: a prompt on the terminal (typed twice, not echoed) or one
//! line of standard input (`--password-stdin`). Never a command-line flag: arguments are
//! visible to every user of the machine (`ps`) and kept in shell histories.

use std::io::{BufRead, IsTerminal};

use sensei_core::MAX_PASSWORD_BYTES;

use crate::cli::CliResultError;

/// Reading the password failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordInputError {
    /// No terminal to prompt on, and `--password-stdin` not given.
    #[error(
        "standard input is not a terminal, so the password cannot be prompted for: pass \
         --password-stdin and write the password on standard input"
    )]
    NoTerminal,
    /// The two typed passwords differ.
    #[error("the two passwords differ; nothing was saved")]
    Mismatch,
    /// Standard input ended before a password.
    #[error("standard input was empty: write the password on it (one line)")]
    Empty,
    /// The terminal or standard input could not be read.
    #[error("cannot read the password: {0}")]
    Read(#[from] std::io::Error),
}

/// Reads the new password: from standard input when `from_stdin`, else from the terminal.
/// Runs on the blocking pool (the reads block).
///
/// # Errors
/// [`PasswordInputError`] as above.
pub async fn read_new_password(from_stdin: bool) -> Result<String, CliResultError> {
    let read = tokio::task::spawn_blocking(move || {
        if from_stdin {
            first_line(std::io::stdin().lock())
        } else {
            prompt_twice()
        }
    });
    Ok(read.await??)
}

/// The first line of `input`, without its line ending; at most a little more than
/// [`MAX_PASSWORD_BYTES`] is read (the rules refuse a longer password anyway).
pub fn first_line(input: impl BufRead) -> Result<String, PasswordInputError> {
    let limit = u64::try_from(MAX_PASSWORD_BYTES + 3).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    input.take(limit).read_until(b'\n', &mut bytes)?;
    if bytes.is_empty() {
        return Err(PasswordInputError::Empty);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        PasswordInputError::Read(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the password is not UTF-8 text",
        ))
    })
}

fn prompt_twice() -> Result<String, PasswordInputError> {
    if !std::io::stdin().is_terminal() {
        return Err(PasswordInputError::NoTerminal);
    }
    let first = rpassword::prompt_password("New password: ")?;
    let second = rpassword::prompt_password("Repeat it: ")?;
    if first == second {
        Ok(first)
    } else {
        Err(PasswordInputError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_is_read_without_its_ending_and_spaces_are_kept() {
        assert_eq!(
            first_line(&b"  pass word \r\nnext"[..]).unwrap(),
            "  pass word "
        );
        assert_eq!(first_line(&b"no newline"[..]).unwrap(), "no newline");
        assert!(matches!(
            first_line(&b""[..]),
            Err(PasswordInputError::Empty)
        ));
        assert!(matches!(
            first_line(&b"\xff\xfe\n"[..]),
            Err(PasswordInputError::Read(_))
        ));
        let long = "x".repeat(5000);
        assert!(first_line(long.as_bytes()).unwrap().len() > MAX_PASSWORD_BYTES);
    }
}
