use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Parse before starting the runtime: `--help` and usage errors stay instant.
    let cli = evrelay::cli::Cli::parse();
    let verbose = cli.global.verbose;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(evrelay::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            evrelay::report_error(&e, verbose);
            ExitCode::from(e.exit_code())
        }
    }
}
