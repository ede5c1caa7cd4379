//! The `tidings` binary: parse the command line, then hand over to the library.

use clap::Parser;

// mimalloc rather than glibc malloc: the push sender and the WebSocket
// fan-out allocate many small short-lived buffers (about 10 % less CPU per
// push; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = tidings::cli::Cli::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    // Defaults to one worker per core; small hosts sharing their cores with
    // other services may do better with fewer (fewer cross-thread wake-ups).
    if let Some(workers) = std::env::var("TIDINGS_WORKER_THREADS").ok().and_then(|v| v.parse().ok()) {
        runtime.worker_threads(workers);
    }
    let runtime = match runtime.build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("tidings: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(tidings::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tidings: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
