//! The `sensei` binary: see `sensei --help` and docs/configuration.md.

fn main() -> std::process::ExitCode {
    sensei_http::cli::run()
}
