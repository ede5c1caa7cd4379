//! The `tidings` binary: parse the command line, then hand over to the library.

use clap::Parser;

// mimalloc rather than glibc malloc: the push sender and the WebSocket
// fan-out allocate many small short-lived buffers (about 10 % less CPU per
// push; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tidings::main(tidings::cli::Cli::parse())
}
