//! The `roster` binary: sets up logging, parses the command line and runs it.

/// `--log-format json` (or `ROSTER_LOG_FORMAT=json`) switches logs to JSON
/// lines; read before the command line is parsed so that parsing errors are
/// logged in the chosen format too.
fn json_logs(args: &[String]) -> bool {
    let from_args = args.windows(2).any(|w| w[0] == "--log-format" && w[1] == "json")
        || args.iter().any(|a| a == "--log-format=json");
    from_args || std::env::var("ROSTER_LOG_FORMAT").is_ok_and(|v| v == "json")
}

/// mimalloc instead of glibc's allocator: every request allocates and frees
/// dozens of small blocks (and a page of 100 KB), and glibc's bins,
/// consolidation and heap trimming took a fifth of the instructions of a
/// request in callgrind profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One runtime worker per CPU this process may run on. On a single CPU (a
/// container limit, or `taskset -c 1` in the benchmark) the current-thread
/// runtime serves every connection on the main thread: no work stealing and
/// no cross-thread wake-ups. The store's writer thread and the blocking pool
/// (argon2) are threads of their own either way.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = if cpus == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(cpus);
        b
    };
    builder.enable_all().build()
}

fn main() -> std::process::ExitCode {
    match runtime() {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG").unwrap_or_else(|_| "roster=info,warn".into());
    // Colour only for a person at a terminal: a file or a pipe gets plain
    // text (and NO_COLOR, https://no-color.org, turns it off anyway).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    if json_logs(&args) {
        logs.json().init();
    } else {
        logs.init();
    }
    match roster::cli::run(args, &mut std::io::stdout(), &mut std::io::stderr()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
