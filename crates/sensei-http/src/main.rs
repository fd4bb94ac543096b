//! The `sensei` binary: see `sensei --help` and docs/configuration.md.

fn main() -> std::process::ExitCode {
    // Before any thread starts: large blocks (a sign-in's 19 MiB work area) go back to the
    // system when freed (see `allocator`).
    sensei_http::allocator::return_large_blocks();
    sensei_http::cli::run()
}
