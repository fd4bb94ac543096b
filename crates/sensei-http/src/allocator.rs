//! How the process's allocator gives memory back (glibc only; elsewhere nothing is changed).
//!
//! glibc's malloc serves a large block (above its mmap threshold, 128 KiB at start) with its
//! own mapping and unmaps it on free, but then *raises* the threshold to that block's size,
//! so the next block of that size comes from a heap that is only trimmed when 2× the
//! threshold is free at its top. A password check needs a 19 MiB work area: after the first
//! sign-in, every later work area stayed resident for the life of the process (peak resident
//! memory under the benchmark: 65–68 MiB, of which 19 MiB was one sign-in's work area). A
//! fixed threshold turns the dynamic adjustment off, so blocks of 1 MiB and more are always
//! mapped on their own and returned on free. Fewer arenas (glibc makes up to 8 per core)
//! keep freed small blocks in fewer places to be reused.

/// Blocks of at least this many bytes are mapped on their own and unmapped on free.
pub const MMAP_THRESHOLD: usize = 1024 * 1024;

/// The most malloc arenas: per-thread arenas beyond these share the existing ones.
pub const ARENA_MAX: usize = 2;

/// Applies [`MMAP_THRESHOLD`] and [`ARENA_MAX`]; call it first thing in `main`, before any
/// thread starts. Returns whether the allocator took both settings (always `false` where
/// the allocator is not glibc's).
pub fn return_large_blocks() -> bool {
    set_mallopt(MallocOption::MmapThreshold, MMAP_THRESHOLD)
        & set_mallopt(MallocOption::ArenaMax, ARENA_MAX)
}

/// The `mallopt` parameters used here.
#[derive(Debug, Clone, Copy)]
enum MallocOption {
    MmapThreshold,
    ArenaMax,
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_mallopt(option: MallocOption, value: usize) -> bool {
    let param = match option {
        MallocOption::MmapThreshold => libc::M_MMAP_THRESHOLD,
        MallocOption::ArenaMax => libc::M_ARENA_MAX,
    };
    let Ok(value) = libc::c_int::try_from(value) else {
        return false;
    };
    // SAFETY: mallopt only sets a parameter of glibc's allocator; it takes plain integers,
    // touches no memory of ours, and is safe to call at any time (it takes the arena lock).
    unsafe { libc::mallopt(param, value) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_mallopt(_option: MallocOption, _value: usize) -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn glibc_takes_both_settings() {
        assert!(return_large_blocks());
    }
}
