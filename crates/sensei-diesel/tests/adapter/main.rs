//! The adapter's tests, one test binary: most tests run on SQLite (a temporary file) and on
//! PostgreSQL (a fresh database per test, when `SENSEI_TEST_POSTGRES_URL` points at a
//! reachable server; otherwise they print `*** SKIPPED: ` and pass). One module per area;
//! every module shares `common`. The child processes some tests start are the programs in
//! `tests/bin` (`CARGO_BIN_EXE_*`).

// Tests read the wall clock to set up data; the code under test reads the `Clock` port.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

// The schema: migrations, sharing the platform's table, the append-only audit trail.
mod audit_trail;
mod compatibility;
mod migrations;

// Sessions: the ports, deduplication, the queue, one-trip reads, the counter, kept dashboards.
mod content;
mod dashboard_cache;
mod dedup;
mod odd_rows_and_counter;
mod one_trip;
mod port_methods;
mod queue;

// The workflow: transitions in one process and across processes; the backends compared.
mod differential;
mod workflow;
mod workflow_processes;

// Accounts: management, who changed what, erasure, preferences, API tokens, calendar feeds.
mod account_admin;
mod account_changes;
mod api_tokens;
mod calendar;
mod desk;
mod erasure;
mod preferences;

// Outboxes: webhooks and email.
mod email;
mod webhooks;

// The live stream's feed and wake-ups.
mod live_feed;

// Connections, faults and the benchmark-data generator.
mod connections;
mod faults;
mod generate;
mod wait_backtest;
