//! Progress reports of the generator: none, or a bar on the terminal.

use std::time::Duration;

/// Receives progress: one phase per table, then rows as they are written.
pub trait Progress: Send + Sync {
    /// A table starts; `rows` will be written.
    fn phase(&self, table: &'static str, rows: u64);
    /// `rows` more rows were written.
    fn advance(&self, rows: u64);
    /// Everything is written.
    fn finish(&self);
}

/// Reports nothing (tests, scripts).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _table: &'static str, _rows: u64) {}
    fn advance(&self, _rows: u64) {}
    fn finish(&self) {}
}

/// A progress bar on stderr (indicatif; drawn only when stderr is a terminal).
#[derive(Debug, Clone)]
pub struct TerminalProgress {
    bar: indicatif::ProgressBar,
}

impl TerminalProgress {
    /// A bar on stderr.
    pub fn stderr() -> Self {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:>22} [{bar:40.cyan/blue}] {pos:>8}/{len:8} rows {per_sec:>14} {eta:>4}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        TerminalProgress { bar }
    }
}

impl Progress for TerminalProgress {
    fn phase(&self, table: &'static str, rows: u64) {
        self.bar.reset();
        self.bar.set_length(rows);
        self.bar.set_message(table);
    }

    fn advance(&self, rows: u64) {
        self.bar.inc(rows);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
