//! The file a backup is written to: created new and exclusively before the copy, so that
//! nothing already at the path, and above all no symbolic link, is ever written through.
//!
//! `VACUUM INTO` opens its target by name and follows links; given a dangling link it would
//! create the link's target wherever that points. Creating the file ourselves with
//! `O_CREAT | O_EXCL` (`create_new`) fails on any existing entry, links included (POSIX:
//! "regardless of the contents of the symbolic link"), and `VACUUM INTO` accepts the empty
//! file. After the copy, the path must still be that same file.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::path::Path;

use crate::error::DatabaseError;

/// Creates the empty backup file at `to`, readable and writable by its owner only.
///
/// # Errors
/// [`DatabaseError::Backup`] when anything exists at `to` (a file, a directory, a symbolic
/// link even if it points nowhere), its directory is missing, or the file cannot be created.
pub(super) fn create(to: &Path) -> Result<File, DatabaseError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A backup holds password hashes: not for other users of the machine.
        options.mode(0o600);
    }
    options.open(to).map_err(|error| match error.kind() {
        ErrorKind::AlreadyExists if is_symlink(to) => DatabaseError::Backup(format!(
            "{} is a symbolic link; a backup is written only to a new file, never through a \
             link: choose a new file name",
            to.display()
        )),
        ErrorKind::AlreadyExists => DatabaseError::Backup(format!(
            "{} already exists; choose a new file name (a backup never overwrites)",
            to.display()
        )),
        ErrorKind::NotFound => DatabaseError::Backup(format!(
            "the directory {} does not exist; create it first",
            to.parent().unwrap_or(Path::new(".")).display()
        )),
        _ => DatabaseError::Backup(format!("creating {}: {error}", to.display())),
    })
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

/// The outcome of the copy into `created` at `to`: a copy that failed leaves no empty file
/// behind (so a retry with the same name works), and a copy is reported only if `to` is
/// still the file created for it (not replaced, by a link or otherwise, while it was written).
///
/// # Errors
/// The copy's own error; [`DatabaseError::Backup`] when `to` is no longer the created file.
pub(super) fn confirm<Summary>(
    created: &File,
    to: &Path,
    copied: Result<Summary, DatabaseError>,
) -> Result<Summary, DatabaseError> {
    let still_ours = is_same_file(created, to);
    match copied {
        Ok(summary) if still_ours => Ok(summary),
        Ok(_) => Err(DatabaseError::Backup(format!(
            "{} was replaced while the backup was written; the copy cannot be trusted: \
             check who else writes to that directory and back up again to a new file",
            to.display()
        ))),
        Err(error) => {
            if still_ours {
                // Best effort: the error at hand is the one to report.
                let _ = std::fs::remove_file(to);
            }
            Err(error)
        }
    }
}

/// Whether `path`, not following a link, is the file `file` is open on.
#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => {
            named.file_type().is_file() && open.dev() == named.dev() && open.ino() == named.ino()
        }
        _ => false,
    }
}

/// Whether `path`, not following a link, is a regular file (no inode to compare here).
#[cfg(not(unix))]
fn is_same_file(_file: &File, path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_file())
}
