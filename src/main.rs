use std::process::ExitCode;

fn main() -> ExitCode {
    // Parse before starting the runtime: `--help` and usage errors stay instant.
    let cli = evrelay::cli::parse();
    let printer = evrelay::printer::Printer::new(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            printer.error(&evrelay::Error::failed(format!(
                "could not start the async runtime: {e}"
            )));
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(evrelay::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
