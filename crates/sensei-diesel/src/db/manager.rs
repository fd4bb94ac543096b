//! The r2d2 connection manager: Diesel's, plus a flag that retires a connection whose
//! server went away.

use diesel::r2d2::{ConnectionManager, ManageConnection, R2D2Connection};

/// A pooled connection with a flag the adapter sets when the connection failed at the
/// connection level, so the pool drops it instead of handing a dead connection out again
/// (Diesel's own check only notices broken transactions, not a restarted server).
pub(crate) struct Managed<C> {
    pub(crate) conn: C,
    pub(crate) broken: bool,
}

/// How a connection is opened: Diesel's manager's `connect`, or a backend's wrapper of it.
pub(crate) type Open<C> = fn(&ConnectionManager<C>) -> Result<C, diesel::r2d2::Error>;

/// Diesel's r2d2 manager, wrapped to honour [`Managed::broken`].
#[derive(Debug)]
pub(crate) struct Manager<C: 'static> {
    inner: ConnectionManager<C>,
    open: Open<C>,
}

impl<C: R2D2Connection + 'static> Manager<C> {
    pub(super) fn new(url: String) -> Self {
        Manager {
            inner: ConnectionManager::new(url),
            open: ConnectionManager::connect,
        }
    }

    /// Opens each connection with `open` (SQLite: inside `sqlite_qpsg::while_opening`).
    #[cfg(feature = "sqlite")]
    pub(super) fn opening_with(self, open: Open<C>) -> Self {
        Manager { open, ..self }
    }
}

impl<C: R2D2Connection + Send + 'static> ManageConnection for Manager<C> {
    type Connection = Managed<C>;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Managed<C>, diesel::r2d2::Error> {
        (self.open)(&self.inner).map(|conn| Managed {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, managed: &mut Managed<C>) -> Result<(), diesel::r2d2::Error> {
        self.inner.is_valid(&mut managed.conn)
    }

    fn has_broken(&self, managed: &mut Managed<C>) -> bool {
        managed.broken || self.inner.has_broken(&mut managed.conn)
    }
}
