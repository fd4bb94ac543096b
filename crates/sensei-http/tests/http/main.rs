//! The HTTP tests of sensei, one test binary: the real router driven in-process (pages and
//! the JSON API), and the real `sensei` binary run as child processes over real HTTP. One
//! module per area; every module shares `helpers`.

// Tests read the wall clock to set up data; the code under test reads the `Clock` port.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod access;
mod accounts_cli;
mod accounts_erase;
mod accounts_page;
mod api_errors;
mod api_reference;
mod api_scheduling;
mod api_session;
mod api_tokens;
mod api_tokens_page;
mod bad_input;
mod blackbox;
mod calendar_feed;
mod cli_webhook;
mod email;
mod email_served;
mod export_csv;
mod flow;
mod hostile_metrics;
mod live_desk;
mod live_pages;
mod live_processes;
mod live_stream;
mod multi_process;
mod newcomer;
mod nul_text;
mod operations;
mod outage;
mod pending_migrations;
mod queue_place;
mod real_use;
mod rejected_input;
mod served;
mod smtp_sink;
mod student_filter;
mod time_zone;
mod trusted_header;
mod webhook_fairness;
mod webhooks;
mod workflow_api;
mod workflow_pages;
