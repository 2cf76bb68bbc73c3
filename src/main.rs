//! The `newshound` command line: parses the flags and dispatches to the command, each a thin
//! layer over the library.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use newshound::annotate::ner::{self, train::TrainOptions};
use newshound::config::Config;
use newshound::index::NewsIndex;
use newshound::index::designations::DesignationFilter;
use newshound::lists::ListStore;

use cli::flags::{Cli, Command, ModelArg, QueueCommand};
use cli::{ingest, lists, queue, read, train};

/// mimalloc rather than the system allocator: parsing pages allocates and frees many small nodes
/// and strings from several threads, where glibc's malloc spends a tenth of extraction's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Piping into `head` closes stdout early: end quietly, as command-line tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let default_level = if cli.quiet { "error" } else { "info" };
    tracing_subscriber::fmt()
        // html5ever logs every parse error it recovers from; those are the pages' problems, not ours.
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| format!("{default_level},html5ever=off").into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only where a person reads them: a log file or pipe gets plain lines.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::find(cli.config.as_deref())?;
    // The command line comes before the config file.
    if let Some(dir) = cli.command.index() {
        config.index.path = dir.to_path_buf();
    }
    if let Some(dir) = &cli.lists {
        config.lists.path = dir.clone();
    }
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new().num_threads(threads.into()).build_global()?;
    }
    let model_of = |arg: ModelArg| arg.model.or_else(|| config.annotate.ner_model.clone());
    match cli.command {
        Command::Enqueue { inputs, starts, warc_batch, redis } => {
            let crawl_settings = newshound::config::CrawlConfig {
                seeds: Vec::new(),
                feeds: Vec::new(),
                sitemaps: Vec::new(),
                ..config.crawl.clone()
            };
            let crawl = starts.applied_to(&crawl_settings);
            queue::enqueue(&config, &inputs, &crawl, warc_batch as usize, &redis.redis)
        }
        Command::Worker { name, claim_after, max_deliveries, drain, redis, model } => {
            let options = newshound::queue::WorkerOptions {
                name: name.unwrap_or_else(queue::default_worker_name),
                batch: rayon::current_num_threads(),
                claim_after,
                max_deliveries,
                drain,
                fetch: config.fetch.clone(),
            };
            queue::worker(&config, model_of(model), &redis.redis, &options, cli.quiet)
        }
        Command::Indexer { batch, drain, redis, .. } => queue::indexer(
            &config,
            &redis.redis,
            &newshound::queue::IndexerOptions { batch: batch as usize, drain },
            cli.quiet,
        ),
        Command::Queue { command: QueueCommand::Status { json, redis } } => queue::queue_status(&redis.redis, json),
        Command::Ingest { inputs, model, .. } => ingest::ingest(&config, model_of(model), &inputs, cli.quiet),
        Command::Extract { inputs, jsonl, no_annotate, model } => {
            ingest::extract(&config, model_of(model), &inputs, jsonl, no_annotate)
        }
        Command::Search { query, json, limit, .. } => read::search(&config, &query, json, limit.into()),
        Command::Lists { command } => lists::lists(&config, command),
        Command::Export { format, since, .. } => read::export(&config, format, since),
        Command::Crawl { starts, watch, model, .. } => {
            let model = model_of(model);
            let crawl = starts.applied_to(&config.crawl);
            if crawl.seeds.is_empty() && crawl.feeds.is_empty() && crawl.sitemaps.is_empty() {
                anyhow::bail!("nothing to crawl: give --seed, --feed or --sitemap (or set them in [crawl])");
            }
            loop {
                let code = ingest::crawl_once(&config, model.as_deref(), &crawl, cli.quiet)?;
                let Some(interval) = watch else { return Ok(code) };
                tracing::info!("next crawl in {interval:?}");
                std::thread::sleep(interval);
            }
        }
        Command::Tag { conll, model } => train::tag(&conll, model_of(model).as_deref()),
        Command::Watch { since, .. } => {
            let index = NewsIndex::open(&config.index.path)?;
            let lists = ListStore::open(&config.lists.path);
            let watcher = newshound::watch::Watcher::new(&index, &config.watch, lists)?;
            watcher.run(since, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr, .. } => {
            newshound::serve::serve(&config.index.path, addr)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainNer { data, base, out, epochs, batch_size, learning_rate, layers, seed } => {
            let options =
                TrainOptions { data, base, out, epochs, batch_size, learning_rate, layers, seed, progress: !cli.quiet };
            let report = ner::train::train(&options)?;
            println!(
                "best epoch {} with valid F1 {:.4}; model written to {}",
                report.best_epoch,
                report.best_valid_f1,
                options.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainDesignations { gold, general, out, head, predictions, candidates, model } => {
            let inputs = train::TrainingInputs { gold, general };
            let outputs = train::TrainingOutputs { head: out, predictions, candidates };
            train::train_designations(&config, model_of(model).as_deref(), &inputs, &outputs, &head, cli.quiet)
        }
        Command::Designations { since, target, authority, program, json, lifecycle, limit, .. } => {
            let filter = DesignationFilter { since, target, authority, program, ..DesignationFilter::default() };
            if lifecycle {
                return read::designation_lifecycle(&config, &filter, json);
            }
            read::designations(&config, &filter, json, limit.into())
        }
    }
}
