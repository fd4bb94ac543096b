//! Unit tests of domain rules that adapters and logs rely on, kept apart from the modules:
//! the stored forms, the counters' shortcut, the secrets kept out of `Debug`, the policy's
//! bounds.

mod account;
mod account_changes;
mod actor;
mod api_token;
mod cancel;
mod eligibility;
mod email;
mod policy;
mod records;
mod time_zone;
mod webhook_edges;
