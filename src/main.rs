//! The `newshound` command line: a thin layer over the library's pipeline.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use newshound::annotate::Annotator;
use newshound::annotate::designations::train::{HeadOptions, SetScore};
use newshound::annotate::ner::{self, NerModel, train::TrainOptions};
use newshound::config::Config;
use newshound::index::NewsIndex;
use newshound::index::designations::DesignationFilter;
use newshound::index::search::SearchRequest;
use newshound::lists::update::{Updated, update};
use newshound::lists::{ListId, ListLinker, ListStore};
use newshound::pipeline::{Pipeline, Summary};
use newshound::progress::Progress;
use newshound::queue::{self, IndexerOptions, Queue, WorkerOptions, run_indexer, run_worker};
use newshound::sinks::{FtmSink, IndexSink, JsonlSink, Sink};
use newshound::sources::crawl::Crawler;
use newshound::sources::{HttpFetcher, Input, Item, items, resolve_inputs};

#[derive(Parser)]
#[command(name = "newshound", version, about = "Reads the news for people who track sanctions")]
struct Cli {
    /// Configuration file (default: ./config.toml, else ~/.config/newshound/config.toml, else none).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only print errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Threads that extract and annotate (default: one per core).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// The official lists' store, read by every command that annotates (default: `[lists] path` in
    /// the config, else ~/.local/share/newshound/lists).
    #[arg(long, global = true, value_name = "DIR", env = "NEWSHOUND_LISTS")]
    lists: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the index is, for the commands that use it.
#[derive(clap::Args)]
struct IndexArg {
    /// Index directory (default: `index.path` in the config, else ~/.local/share/newshound/index).
    #[arg(long, value_name = "DIR")]
    index: Option<PathBuf>,
}

/// Where the shared queue is, for the commands that use it.
#[derive(clap::Args)]
struct RedisArg {
    /// The Redis server that holds the shared queue, e.g. redis://queue-host:6379/.
    #[arg(long, value_name = "URL", env = "NEWSHOUND_REDIS")]
    redis: String,
}

/// Where a crawl starts, for `crawl` and `enqueue`.
#[derive(clap::Args)]
struct CrawlStarts {
    /// A page to start from (its same-site links are followed).
    #[arg(long = "seed", value_name = "URL")]
    seeds: Vec<String>,
    /// An RSS or Atom feed whose entries are crawled.
    #[arg(long = "feed", value_name = "URL")]
    feeds: Vec<String>,
    /// A sitemap or sitemap index (news sitemaps included).
    #[arg(long = "sitemap", value_name = "URL")]
    sitemaps: Vec<String>,
    /// Pages fetched per crawl at most (default: `crawl.max_pages`).
    #[arg(long)]
    max_pages: Option<usize>,
}

impl CrawlStarts {
    /// The `[crawl]` settings with these start points (after those of the config) and page budget.
    fn applied_to(self, config: &newshound::config::CrawlConfig) -> newshound::config::CrawlConfig {
        let mut crawl = config.clone();
        crawl.seeds.extend(self.seeds);
        crawl.feeds.extend(self.feeds);
        crawl.sitemaps.extend(self.sitemaps);
        crawl.max_pages = self.max_pages.unwrap_or(crawl.max_pages);
        crawl
    }
}

/// Which NER model annotates, for the commands that annotate.
#[derive(clap::Args)]
struct ModelArg {
    /// NER model folder to use instead of the one built into newshound (default: `annotate.ner_model`
    /// in the config, else the built-in model).
    #[arg(long, value_name = "DIR", env = "NEWSHOUND_MODEL")]
    model: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Extract, annotate and index pages: files, directories (recursive) and http(s) URLs.
    Ingest {
        #[arg(required = true, value_name = "PATH|URL")]
        inputs: Vec<String>,
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Print the extracted article of each page as JSON, without touching the index.
    Extract {
        #[arg(required = true, value_name = "PATH|URL")]
        inputs: Vec<String>,
        /// One JSON object per line instead of pretty-printed objects.
        #[arg(long)]
        jsonl: bool,
        /// Leave out entities and designations (for extraction benchmarks).
        #[arg(long)]
        no_annotate: bool,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Crawl news sites, feeds and sitemaps into the index, politely and incrementally.
    Crawl {
        #[command(flatten)]
        starts: CrawlStarts,
        /// Keep crawling: start again this long after each run ends (e.g. 30s, 10m, 1h).
        #[arg(long, value_parser = parse_interval)]
        watch: Option<std::time::Duration>,
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Designated targets reported in the indexed articles, most recently first seen first.
    Designations {
        /// Only targets first reported at or after this date (YYYY-MM-DD or RFC 3339).
        #[arg(long, value_parser = parse_since)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Words of the target's name or aliases.
        #[arg(long)]
        target: Option<String>,
        /// Words of the authority's name, or its country code (US, EU, GB, UN, …).
        #[arg(long)]
        authority: Option<String>,
        /// Words of the programme or legal basis ("E.O. 13224").
        #[arg(long)]
        program: Option<String>,
        /// Print `{"targets": [...]}` as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Per list entry that reported targets match, the first article that reported it and the
        /// days between the listing and it; then the reported targets no list has, and how many list
        /// additions in the articles' time range no article reported (lists from `[lists] path`).
        #[arg(long)]
        lifecycle: bool,
        /// Targets printed at most (1 to 10000).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=10000))]
        limit: u16,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Serve the index over HTTP: JSON API, web page, Atom feed of new designations (read-only).
    Serve {
        /// Address to listen on; the default accepts local connections only.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Print each newly indexed designation as a JSON line (and POST it to `[watch] webhook`), plus new
    /// mentions and designations of the `[watch] watchlist` names. Runs until stopped.
    Watch {
        /// First report the targets first seen since this date (YYYY-MM-DD or RFC 3339).
        #[arg(long, value_parser = parse_since)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Put inputs on the shared queue (Redis) for `newshound worker`s: files, directories
    /// (recursive), WARC archives (in ranges of pages) and http(s) URLs; and the start points of a
    /// crawl the workers share (with the `[crawl]` settings: hosts, patterns, delay, page budget).
    Enqueue {
        #[arg(value_name = "PATH|URL", required_unless_present_any = ["seeds", "feeds", "sitemaps"])]
        inputs: Vec<String>,
        /// Start points of a crawl the workers share (the config's own `[crawl]` start points are
        /// not queued).
        #[command(flatten)]
        starts: CrawlStarts,
        /// Pages of a WARC archive per work entry.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
        warc_batch: u32,
        #[command(flatten)]
        redis: RedisArg,
    },
    /// Take work from the shared queue, extract and annotate it, and hand the documents to the
    /// indexer. Run any number, on any machine that sees the same files.
    Worker {
        /// This worker's name, unique among the workers (default: host name and process id).
        #[arg(long)]
        name: Option<String>,
        /// Take over work another worker has held this long without finishing (it died).
        #[arg(long, default_value = "120s", value_parser = parse_interval)]
        claim_after: std::time::Duration,
        /// Work handed out this many times without finishing goes to the dead letters.
        #[arg(long, default_value_t = 3)]
        max_deliveries: u64,
        /// Exit once no work is waiting or being done, instead of waiting for more.
        #[arg(long)]
        drain: bool,
        #[command(flatten)]
        redis: RedisArg,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Write the workers' documents into the index, committing in batches: the index's one writer.
    Indexer {
        /// Documents per commit at most.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
        batch: u32,
        /// Exit once no work is waiting or being done and every document is committed.
        #[arg(long)]
        drain: bool,
        #[command(flatten)]
        redis: RedisArg,
        #[command(flatten)]
        index: IndexArg,
    },
    /// The shared queue.
    Queue {
        #[command(subcommand)]
        command: QueueCommand,
    },
    /// Tag a CoNLL file (token in the first column) with the NER model; writes `token TAG` lines.
    Tag {
        #[arg(long, value_name = "FILE")]
        conll: PathBuf,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Train the NER model on CoNLL-2003 (train.txt, selected on valid.txt) from a BERT-style encoder.
    TrainNer {
        /// Folder with CoNLL-2003 train.txt and valid.txt.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Base encoder folder (config.json, model.safetensors, tokenizer.json).
        #[arg(long, value_name = "DIR")]
        base: PathBuf,
        #[arg(long, value_name = "DIR", default_value = "models/ner")]
        out: PathBuf,
        #[arg(long, default_value_t = 4)]
        epochs: usize,
        #[arg(long, default_value_t = 16)]
        batch_size: usize,
        #[arg(long, default_value_t = 1e-4)]
        learning_rate: f64,
        /// Encoder layers kept from the base (default: all).
        #[arg(long)]
        layers: Option<usize>,
        #[arg(long, default_value_t = 13)]
        seed: u64,
    },
    /// Train the designation head on labelled texts, after a cross-validation by document.
    TrainDesignations {
        /// A gold file: JSON lines with `case` and `designees` (`name`, `aliases`), texts in
        /// `sources/CASE.txt|html` beside it (or at `source_file`). Repeat for several sets.
        #[arg(long = "gold", required = true, value_name = "FILE")]
        gold: Vec<PathBuf>,
        /// A folder of ordinary news pages (sport, markets, elections …), each taken to report no
        /// sanctions action: they teach the gate what such a text looks like, and the report says
        /// how many of them give any designation. Repeat for several sets.
        #[arg(long = "general", value_name = "DIR")]
        general: Vec<PathBuf>,
        /// Where the head is written: the folder of the NER model it reads.
        #[arg(long, value_name = "DIR", default_value = "models/ner")]
        out: PathBuf,
        #[command(flatten)]
        head: HeadOptions,
        /// Write each text's out-of-fold designations (first seed) as JSON lines
        /// (`designation_eval.py` reads them).
        #[arg(long, value_name = "FILE")]
        predictions: Option<PathBuf>,
        /// Write every candidate's features and label as JSON lines, for analysis.
        #[arg(long, value_name = "FILE")]
        candidates: Option<PathBuf>,
        #[command(flatten)]
        model: ModelArg,
    },
    /// Write the indexed articles, their entities and designations to standard output: FollowTheMoney
    /// entities (for Aleph, OpenSanctions' tools, `ftm`) or newshound's own JSON lines.
    Export {
        #[arg(long, value_enum, default_value = "ftm")]
        format: ExportFormat,
        /// Only articles ingested at or after this date (YYYY-MM-DD or RFC 3339), for incremental exports.
        #[arg(long, value_parser = parse_since)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        #[command(flatten)]
        index: IndexArg,
    },
    /// The official sanctions lists: download, import, and what the store holds.
    Lists {
        #[command(subcommand)]
        command: ListsCommand,
    },
    /// Full-text search over titles, bodies and entity names.
    Search {
        query: String,
        /// Print `{total, hits}` as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Hits printed at most (1 to 1000).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
        limit: u16,
        #[command(flatten)]
        index: IndexArg,
    },
}

#[derive(Subcommand)]
enum QueueCommand {
    /// Work waiting and in flight, documents not yet indexed, done, failed, and each worker's rate.
    Status {
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        redis: RedisArg,
    },
}

#[derive(Subcommand)]
enum ListsCommand {
    /// Download each list of `[lists] sources` (only if it changed) and store it as a snapshot:
    /// prints what was added, removed and changed. A download that fails or does not parse leaves
    /// the previous snapshot in force.
    Update {
        /// Only these lists (ofac-sdn, uk-ofsi, un-sc, ca-sema, au-dfat).
        #[arg(long = "list", value_name = "LIST")]
        lists: Vec<ListId>,
        /// The snapshot's date (default: the file's Last-Modified day, else today).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Store a published list file as the snapshot of its date (older dates backfill the history).
    Import {
        file: PathBuf,
        #[arg(long)]
        list: ListId,
        #[arg(long)]
        date: chrono::NaiveDate,
    },
    /// The list entries a name matches, as a reported target's are matched: prints its standing
    /// as JSON. With `--jsonl`, reads queries from standard input, one JSON object a line
    /// (`{"name", "type", "date", "aliases", "country"}`), and prints one answer a line.
    Match {
        #[arg(required_unless_present = "jsonl")]
        name: Option<String>,
        /// What the name is: person, organisation, company, vessel, aircraft.
        #[arg(long = "type", default_value = "person", value_parser = parse_target_type)]
        kind: newshound::document::TargetType,
        /// The article's date: says whether the listing is older than the report.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// A vessel's IMO number (seven digits): it decides between vessels.
        #[arg(long)]
        imo: Option<String>,
        #[arg(long, conflicts_with = "name")]
        jsonl: bool,
    },
    /// Each list's snapshots and entries.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    /// FollowTheMoney entities, one JSON object a line; ids are stable across exports.
    Ftm,
    /// One stored document a line, as `extract --jsonl` prints it.
    Jsonl,
}

impl Command {
    /// The `--index` given to a command that uses the index.
    fn index(&self) -> Option<&Path> {
        match self {
            Command::Ingest { index, .. }
            | Command::Crawl { index, .. }
            | Command::Designations { index, .. }
            | Command::Serve { index, .. }
            | Command::Watch { index, .. }
            | Command::Export { index, .. }
            | Command::Indexer { index, .. }
            | Command::Search { index, .. } => index.index.as_deref(),
            Command::Extract { .. }
            | Command::Enqueue { .. }
            | Command::Worker { .. }
            | Command::Queue { .. }
            | Command::Lists { .. }
            | Command::Tag { .. }
            | Command::TrainNer { .. }
            | Command::TrainDesignations { .. } => None,
        }
    }
}

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
            enqueue(&config, &inputs, &crawl, warc_batch as usize, &redis.redis)
        }
        Command::Worker { name, claim_after, max_deliveries, drain, redis, model } => {
            let options = WorkerOptions {
                name: name.unwrap_or_else(default_worker_name),
                batch: rayon::current_num_threads(),
                claim_after,
                max_deliveries,
                drain,
                fetch: config.fetch.clone(),
            };
            worker(&config, model_of(model), &redis.redis, &options, cli.quiet)
        }
        Command::Indexer { batch, drain, redis, .. } => {
            indexer(&config, &redis.redis, &IndexerOptions { batch: batch as usize, drain }, cli.quiet)
        }
        Command::Queue { command: QueueCommand::Status { json, redis } } => queue_status(&redis.redis, json),
        Command::Ingest { inputs, model, .. } => ingest(&config, model_of(model), &inputs, cli.quiet),
        Command::Extract { inputs, jsonl, no_annotate, model } => {
            extract(&config, model_of(model), &inputs, jsonl, no_annotate)
        }
        Command::Search { query, json, limit, .. } => search(&config, &query, json, limit.into()),
        Command::Lists { command } => lists(&config, command),
        Command::Export { format, since, .. } => export(&config, format, since),
        Command::Crawl { starts, watch, model, .. } => {
            let model = model_of(model);
            let crawl = starts.applied_to(&config.crawl);
            if crawl.seeds.is_empty() && crawl.feeds.is_empty() && crawl.sitemaps.is_empty() {
                anyhow::bail!("nothing to crawl: give --seed, --feed or --sitemap (or set them in [crawl])");
            }
            loop {
                let code = crawl_once(&config, model.as_deref(), &crawl, cli.quiet)?;
                let Some(interval) = watch else { return Ok(code) };
                tracing::info!("next crawl in {interval:?}");
                std::thread::sleep(interval);
            }
        }
        Command::Tag { conll, model } => tag(&conll, model_of(model).as_deref()),
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
            let inputs = TrainingInputs { gold, general };
            let outputs = TrainingOutputs { head: out, predictions, candidates };
            train_designations(&config, model_of(model).as_deref(), &inputs, &outputs, &head, cli.quiet)
        }
        Command::Designations { since, target, authority, program, json, lifecycle, limit, .. } => {
            let filter = DesignationFilter { since, target, authority, program, ..DesignationFilter::default() };
            if lifecycle {
                return designation_lifecycle(&config, &filter, json);
            }
            designations(&config, &filter, json, limit.into())
        }
    }
}

/// What `train-designations` reads: gold files of labelled texts, and folders of general news.
struct TrainingInputs {
    gold: Vec<PathBuf>,
    general: Vec<PathBuf>,
}

/// Where `train-designations` writes: the head, and optionally the out-of-fold predictions and the
/// candidate table.
struct TrainingOutputs {
    head: PathBuf,
    predictions: Option<PathBuf>,
    candidates: Option<PathBuf>,
}

fn write_json_lines<T: serde::Serialize>(path: &Path, rows: &[T]) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    for row in rows {
        serde_json::to_writer(&mut out, row)?;
        std::io::Write::write_all(&mut out, b"\n")?;
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}

fn train_designations(
    config: &Config,
    model: Option<&Path>,
    inputs: &TrainingInputs,
    outputs: &TrainingOutputs,
    options: &HeadOptions,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let out = &outputs.head;
    let mut articles = newshound::labelled::load(&inputs.gold, config.fetch.max_body_bytes)?;
    articles.extend(newshound::labelled::load_general(&inputs.general, config.fetch.max_body_bytes)?);
    let ner = NerModel::open(model)?;
    let mut progress = Progress::counting(Some(articles.len()), !quiet, "texts");
    let lists = if options.list_evidence { ListLinker::load(&ListStore::open(&config.lists.path))? } else { None };
    let (head, report) = newshound::annotate::designations::train::train(
        &articles,
        &ner,
        model,
        options,
        lists.as_ref(),
        &mut progress,
    )?;
    head.save(out)?;
    std::fs::write(out.join("designations-training.json"), serde_json::to_string_pretty(&report)? + "\n")?;
    if let Some(path) = &outputs.predictions {
        write_json_lines(path, &report.cross_validated[0].predictions)?;
    }
    if let Some(path) = &outputs.candidates {
        write_json_lines(path, &report.candidate_table)?;
    }
    println!(
        "{} texts ({} general-news pages), {} candidates ({} designees); {} gold designees have no candidate",
        report.documents, report.general_pages, report.candidates, report.positives, report.gold_without_candidate
    );
    let print = |name: &str, set: &str, score: &SetScore| match score {
        SetScore::Designees(s) => println!(
            "{name:>22} {set:<40} P {:.4}  R {:.4}  F1 {:.4}  ({} texts, {} gold, {} predicted)",
            s.precision, s.recall, s.f1, s.documents, s.gold, s.predicted
        ),
        SetScore::General(a) => println!(
            "{name:>22} {set:<40} {} of {} pages give any designation ({:.1} per 1,000; {} designations)",
            a.pages_with_any, a.pages, a.per_thousand, a.designations
        ),
    };
    for cv in &report.cross_validated {
        for (set, score) in &cv.by_set {
            print(&format!("cross-validated ({})", cv.seed), set, score);
        }
        for (set, score) in cv.untuned_by_set.iter().flatten() {
            print(&format!("before tuning ({})", cv.seed), set, score);
        }
    }
    for (set, score) in &report.in_sample {
        print("in-sample", set, score);
    }
    println!(
        "gate L2 {} {} words, gate threshold {:.3}, candidate threshold {:.3}; head written to {}",
        report.gate.l2,
        if report.gate.words { "with" } else { "without" },
        report.gate_threshold,
        report.threshold,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn tag(conll_path: &Path, model_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let model = NerModel::open(model_dir)?;
    let documents = ner::conll::read(conll_path, false)?;
    let words: Vec<_> = documents.iter().map(ner::conll::Document::words).collect();
    let tags = model.tag(&words)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    ner::conll::write(&mut out, &documents, &tags)?;
    std::io::Write::flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// The pipeline; `annotate` names the NER model folder (`Some(None)`: the built-in model).
fn pipeline(config: &Config, annotate: Option<Option<&Path>>, keep_empty: bool) -> anyhow::Result<Pipeline> {
    Ok(Pipeline {
        annotator: match annotate {
            Some(model) => {
                let lists = ListLinker::load(&ListStore::open(&config.lists.path))?;
                Some(Annotator::with_model(model)?.with_lists(lists))
            }
            None => None,
        },
        http: HttpFetcher::new(&config.fetch),
        max_body_bytes: config.fetch.max_body_bytes,
        keep_empty,
    })
}

fn ingest(config: &Config, model: Option<PathBuf>, args: &[String], quiet: bool) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    for e in &missing {
        eprintln!("error: {e}");
    }
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::new(page_count_hint(&inputs), !quiet);
    let items = items(inputs, config.fetch.max_body_bytes);
    let mut summary = pipeline(config, Some(model.as_deref()), false)?.run(items, &mut sink, &mut progress)?;
    summary.failures.splice(0..0, missing);
    print_summary(&summary, &config.index.path);
    Ok(ExitCode::from(summary.exit_code() as u8))
}

/// Queues `args` as work, and the start points of `crawl` (its seeds, feeds and sitemaps) on the
/// shared frontier.
fn enqueue(
    config: &Config,
    args: &[String],
    crawl: &newshound::config::CrawlConfig,
    warc_batch: usize,
    redis: &str,
) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    let (work, unreadable) = queue::work_for(inputs, warc_batch, config.fetch.max_body_bytes);
    for e in missing.iter().chain(&unreadable) {
        eprintln!("error: {e}");
    }
    let mut queue = Queue::connect(redis)?;
    queue.enqueue(&work)?;
    if !args.is_empty() {
        println!("enqueued {} work entries on {redis}", work.len());
    }
    if !(crawl.seeds.is_empty() && crawl.feeds.is_empty() && crawl.sitemaps.is_empty()) {
        let starts = queue::enqueue_crawl(&mut queue, crawl, &crawl.seeds, &crawl.feeds, &crawl.sitemaps)?;
        println!("queued {starts} crawl start points (at most {} pages) on {redis}", crawl.max_pages);
    }
    let failed = work.is_empty() && !args.is_empty() && !(missing.is_empty() && unreadable.is_empty());
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The host name and process id: unique among the workers of one queue.
fn default_worker_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer's length is passed; the name is NUL-terminated when it fits.
    let host = if unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0 {
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        String::from_utf8_lossy(&buffer[..end]).into_owned()
    } else {
        "worker".to_string()
    };
    format!("{host}-{}", std::process::id())
}

fn worker(
    config: &Config,
    model: Option<PathBuf>,
    redis: &str,
    options: &WorkerOptions,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let pipeline = pipeline(config, Some(model.as_deref()), false)?;
    let mut queue = Queue::connect(redis)?;
    tracing::info!(name = %options.name, threads = options.batch, "worker ready");
    let mut progress = Progress::counting(None, !quiet, "entries");
    let report = run_worker(&mut queue, &pipeline, options, &mut progress)?;
    progress.finish();
    println!(
        "worker {}: {} work entries, {} documents, {} failed",
        options.name, report.entries, report.documents, report.failed
    );
    Ok(ExitCode::SUCCESS)
}

fn indexer(config: &Config, redis: &str, options: &IndexerOptions, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut queue = Queue::connect(redis)?;
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::counting(None, !quiet, "documents");
    let report = run_indexer(&mut queue, &mut sink, options, &mut progress)?;
    progress.finish();
    println!(
        "indexed {} documents ({} near-duplicates not stored) into {}",
        report.documents,
        report.near_duplicates,
        config.index.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn queue_status(redis: &str, json: bool) -> anyhow::Result<ExitCode> {
    let status = Queue::connect(redis)?.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("backlog          {}", status.backlog);
    println!("in flight        {}", status.in_flight);
    println!("results pending  {}", status.results_pending);
    println!("done             {}", status.done);
    println!("failed           {}", status.failed);
    for w in &status.workers {
        println!(
            "worker {}: {} entries, {} documents, {} failed, {:.2} documents/s, last seen {}",
            w.name,
            w.entries,
            w.documents,
            w.failed,
            w.documents_per_second,
            chrono::DateTime::from_timestamp(w.seen, 0).map_or_else(String::new, |t| t.to_rfc3339())
        );
    }
    let crawl = &status.crawl;
    if crawl.seen > 0 {
        let counts: Vec<String> = crawl.counts.iter().map(|(what, n)| format!("{n} {what}")).collect();
        let errors: Vec<String> = crawl.errors.iter().map(|(kind, n)| format!("{n}× {kind}")).collect();
        println!("crawl            {} hosts, {} URLs queued, {} seen", crawl.hosts, crawl.queued, crawl.seen);
        println!("crawled          {}", if counts.is_empty() { "nothing yet".to_string() } else { counts.join(", ") });
        println!("crawl errors     {}", if errors.is_empty() { "none".to_string() } else { errors.join(", ") });
    }
    for f in &status.recent_failures {
        println!("failed: {}: {}", f.work, f.reason);
    }
    Ok(ExitCode::SUCCESS)
}

/// Designations listed in the ingest summary; the rest are counted.
const SUMMARY_DESIGNATIONS: usize = 30;

/// How many pages the inputs hold, when that is known before reading them (archives are not counted).
fn page_count_hint(inputs: &[Input]) -> Option<usize> {
    (!inputs.iter().any(|i| matches!(i, Input::Warc(_)))).then_some(inputs.len())
}

fn print_summary(s: &Summary, index: &Path) {
    println!(
        "ingested {} documents ({} entities, {} designations) into {}",
        s.documents,
        s.entities,
        s.designations,
        index.display()
    );
    if !s.entities_by_label.is_empty() {
        let labels: Vec<String> = s.entities_by_label.iter().map(|(l, n)| format!("{n} {}", l.as_str())).collect();
        println!("entities: {}", labels.join(", "));
    }
    if !s.designated.is_empty() {
        println!("designations:");
        for (doc, d) in s.designated.iter().take(SUMMARY_DESIGNATIONS) {
            let by = d.authority.as_ref().map_or("unknown authority", |a| a.name.as_str());
            let date = d.date.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
            let listing = d.listing.as_ref().map(|l| format!("; {l}")).unwrap_or_default();
            println!(
                "  {} ({}) {} by {by}, {date}{listing}  [{doc}]",
                d.target.name,
                d.target.kind.as_str(),
                d.action.past_tense()
            );
        }
        if s.designated.len() > SUMMARY_DESIGNATIONS {
            println!("  … and {} more", s.designated.len() - SUMMARY_DESIGNATIONS);
        }
    }
    if !s.skipped.is_empty() {
        println!("skipped {} pages:", s.skipped.len());
        for e in &s.skipped {
            println!("  {e}");
        }
    }
    if !s.failures.is_empty() {
        println!("{} failures:", s.failures.len());
        for e in &s.failures {
            println!("  {e}");
        }
    }
}

fn extract(
    config: &Config,
    model: Option<PathBuf>,
    args: &[String],
    jsonl: bool,
    no_annotate: bool,
) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    for e in &missing {
        eprintln!("error: {e}");
    }
    let stdout = std::io::stdout().lock();
    let mut sink = JsonlSink::new(std::io::BufWriter::new(stdout), !jsonl);
    let mut progress = Progress::new(page_count_hint(&inputs), false);
    let items = items(inputs, config.fetch.max_body_bytes);
    let annotate = (!no_annotate).then_some(model.as_deref());
    let mut summary = pipeline(config, annotate, true)?.run(items, &mut sink, &mut progress)?;
    summary.failures.splice(0..0, missing);
    Ok(ExitCode::from(summary.exit_code() as u8))
}

fn search(config: &Config, query: &str, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
    let index = NewsIndex::open(&config.index.path)?;
    let results =
        index.search(&SearchRequest::text(query, limit)).with_context(|| format!("search for {query:?} failed"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} results for {query:?}", results.total);
    for (rank, hit) in results.hits.iter().enumerate() {
        let date = hit.published.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "undated".into());
        println!("\n{}. {}  [{date}, score {:.2}]", rank + 1, hit.title.as_deref().unwrap_or(&hit.id), hit.score);
        println!("   {}", hit.url);
        let (bold, plain) = if std::io::stdout().is_terminal() { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
        let snippet = hit.snippet.replace("<b>", bold).replace("</b>", plain).replace('\n', " ");
        println!("   {}", unescape_html(&snippet));
        if !hit.designations.is_empty() {
            let targets: Vec<String> =
                hit.designations.iter().map(|d| format!("{} ({})", d.target.name, d.target.kind.as_str())).collect();
            println!("   designations: {}", targets.join("; "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    config: &Config,
    format: ExportFormat,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<ExitCode> {
    let index = NewsIndex::open(&config.index.path)?;
    let docs = index.articles_ingested_since(since)?;
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut sink: Box<dyn Sink> = match format {
        ExportFormat::Ftm => Box::new(FtmSink::new(out)),
        ExportFormat::Jsonl => Box::new(JsonlSink::new(out, false)),
    };
    for doc in &docs {
        sink.write(doc).with_context(|| format!("cannot export {}", doc.id))?;
    }
    sink.finish()?;
    tracing::info!("exported {} articles from {}", docs.len(), config.index.path.display());
    Ok(ExitCode::SUCCESS)
}

/// Snippets come HTML-escaped (for the web); a terminal wants the characters.
fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&")
}

fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    newshound::dates::parse_date(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("not a date: {s:?} (expected YYYY-MM-DD or RFC 3339)"))
}

fn designations(config: &Config, filter: &DesignationFilter, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
    let index = NewsIndex::open(&config.index.path)?;
    let targets = index.designations(filter, limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "targets": targets }))?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} designated targets", targets.len());
    for t in &targets {
        let latest = &t.reports[t.reports.len() - 1].designation;
        let by = latest.authority.as_ref().map_or("unknown authority", |a| a.name.as_str());
        let date = latest.date.map(|d| format!(" on {d}")).unwrap_or_default();
        let program = latest.program.as_ref().map(|p| format!(" under {p}")).unwrap_or_default();
        println!(
            "\n{}  {} ({}) {} by {by}{date}{program}",
            t.first_seen.format("%Y-%m-%d"),
            t.target,
            latest.target.kind.as_str(),
            latest.action.past_tense()
        );
        for r in &t.reports {
            println!("    {:?}", r.designation.evidence.text);
            println!("    — {} <{}>", r.title.as_deref().unwrap_or(&r.article_id), r.url);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lists(config: &Config, command: ListsCommand) -> anyhow::Result<ExitCode> {
    let store = ListStore::open(&config.lists.path);
    let print_delta = |list: ListId, date: chrono::NaiveDate, delta: &newshound::lists::Delta| {
        println!(
            "{list} {date}: {} added, {} removed, {} changed",
            delta.added.len(),
            delta.removed.len(),
            delta.changed.len()
        );
        for (mark, entries) in [("+", &delta.added), ("-", &delta.removed)] {
            for e in entries.iter().take(SUMMARY_DESIGNATIONS) {
                println!("  {mark} {} {}", e.id, e.name);
            }
            if entries.len() > SUMMARY_DESIGNATIONS {
                println!("  {mark} … and {} more", entries.len() - SUMMARY_DESIGNATIONS);
            }
        }
    };
    match command {
        ListsCommand::Import { file, list, date } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let origin =
                newshound::lists::store::Origin { url: Some(file.display().to_string()), ..Default::default() };
            let delta = store.import(list, &bytes, date, origin).with_context(|| file.display().to_string())?;
            print_delta(list, date, &delta);
        }
        ListsCommand::Update { lists, date } => {
            let fetcher = HttpFetcher::new(&config.fetch);
            let sources: Vec<_> =
                config.lists.sources.iter().filter(|s| lists.is_empty() || lists.contains(&s.list)).collect();
            if sources.is_empty() {
                anyhow::bail!("no list to update: add [[lists.sources]] to the config (see config.toml)");
            }
            let mut failed = 0;
            for source in sources {
                match update(&store, &fetcher, source, date) {
                    Ok(Updated::NotModified) => println!("{}: not modified since the last snapshot", source.list),
                    Ok(Updated::Stored { date, delta }) => print_delta(source.list, date, &delta),
                    Err(e) => {
                        eprintln!("error: {e} (the previous snapshot stays in force)");
                        failed += 1;
                    }
                }
            }
            if failed > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        ListsCommand::Match { name, kind, date, imo, jsonl } => {
            let linker = ListLinker::load(&store)?.with_context(|| {
                format!("no lists in {}: run `newshound lists update` or `lists import`", store.dir().display())
            })?;
            let answer = |target: &newshound::document::Target, date| linker.status(target, date);
            if !jsonl {
                let target = newshound::document::Target {
                    name: name.unwrap_or_default(),
                    kind,
                    imo,
                    aliases: Vec::new(),
                    country: None,
                };
                println!("{}", serde_json::to_string_pretty(&answer(&target, date))?);
                return Ok(ExitCode::SUCCESS);
            }
            #[derive(serde::Deserialize)]
            struct Query {
                #[serde(flatten)]
                target: newshound::document::Target,
                date: Option<chrono::NaiveDate>,
            }
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for (n, line) in std::io::stdin().lines().enumerate() {
                let line = line?;
                let query: Query =
                    serde_json::from_str(&line).with_context(|| format!("standard input, line {}", n + 1))?;
                serde_json::to_writer(&mut out, &answer(&query.target, query.date))?;
                std::io::Write::write_all(&mut out, b"\n")?;
            }
        }
        ListsCommand::Status { json } => {
            let mut rows = Vec::new();
            for list in ListId::ALL {
                let state = store.state(list)?;
                let Some(newest) = state.snapshots.last() else { continue };
                let listed = state.listed();
                rows.push(serde_json::json!({
                    "list": list, "authority": list.authority(), "snapshots": state.snapshots.len(),
                    "first": state.snapshots[0].date, "newest": newest.date, "listed": listed,
                    "ever_listed": state.entries.len(), "last_delta": {
                        "added": newest.added, "removed": newest.removed, "changed": newest.changed },
                }));
                if !json {
                    println!(
                        "{list:<9} {listed:>6} listed  {} snapshots {} … {}  (last: +{} -{} ~{})",
                        state.snapshots.len(),
                        state.snapshots[0].date,
                        newest.date,
                        newest.added,
                        newest.removed,
                        newest.changed
                    );
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "lists": rows }))?);
            } else if rows.is_empty() {
                println!("no lists in {}: run `newshound lists update` or `lists import`", store.dir().display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn designation_lifecycle(config: &Config, filter: &DesignationFilter, json: bool) -> anyhow::Result<ExitCode> {
    let store = ListStore::open(&config.lists.path);
    let linker = ListLinker::load(&store)?.with_context(|| {
        format!("no lists in {}: run `newshound lists update` or `lists import` first", store.dir().display())
    })?;
    let index = NewsIndex::open(&config.index.path)?;
    let targets = index.designations(filter, usize::MAX)?;
    let lifecycle = newshound::lists::lifecycle::lifecycle(&targets, &linker);
    if json {
        println!("{}", serde_json::to_string_pretty(&lifecycle)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} list entries reported (lists as of {})", lifecycle.listed.len(), linker.as_of());
    for l in &lifecycle.listed {
        let listed = match (l.entry.since, l.entry.added_after) {
            (Some(day), _) => day.to_string(),
            (None, Some(after)) => format!("{after}…{}", l.entry.first_seen),
            (None, None) => format!("≤{}", l.entry.first_seen),
        };
        let lag = l.lag_days.map_or_else(|| "lag unknown".to_string(), |d| format!("{d:+} days"));
        let report = &l.first_report;
        println!(
            "  {} {} {listed}  first reported {} ({lag})  {}  [{}]",
            l.entry.list, l.entry.entry_id, report.date, l.target, report.article_id
        );
    }
    println!("{} reported targets on no list", lifecycle.not_listed.len());
    for (target, report) in &lifecycle.not_listed {
        println!("  {target}  first reported {}  [{}]", report.date, report.article_id);
    }
    for (list, n) in &lifecycle.unreported_additions {
        println!("{list}: {n} additions in the reports' time range that no article reported");
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_target_type(s: &str) -> Result<newshound::document::TargetType, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown type {s:?} (person, organisation, company, vessel, aircraft)"))
}

fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = s.trim().split_at(s.trim().find(|c: char| !c.is_ascii_digit()).unwrap_or(s.trim().len()));
    let n: u64 = number.parse().map_err(|_| format!("not an interval: {s:?} (e.g. 30s, 10m, 1h)"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("unknown unit in {s:?}: use s, m or h")),
    };
    Ok(std::time::Duration::from_secs(seconds.max(1)))
}

/// The crawl state lives beside the index directory, not inside it (tantivy owns that one).
fn crawl_state_path(index: &Path) -> PathBuf {
    let mut name = index.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "index".into());
    name.push(".crawl-state.json");
    index.with_file_name(name)
}

fn crawl_once(
    config: &Config,
    model: Option<&Path>,
    crawl: &newshound::config::CrawlConfig,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&config.index.path)?;
    let crawler = Crawler::new(crawl.clone(), &config.fetch, crawl_state_path(&config.index.path))?;
    let (pages, received) = std::sync::mpsc::sync_channel(64);
    let worker = {
        let crawler = std::sync::Arc::clone(&crawler);
        std::thread::spawn(move || crawler.run(pages))
    };
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::new(None, !quiet);
    let mut checkpoint = |consumed: u64| {
        crawler.checkpoint(consumed)?;
        Ok(crawler.status_line())
    };
    let pages = received.into_iter().map(|page| Ok(Item::Page(page)));
    let summary =
        pipeline(config, Some(model), false)?.run_with_checkpoints(pages, &mut sink, &mut progress, &mut checkpoint)?;
    worker.join().map_err(|_| anyhow::anyhow!("the crawler stopped unexpectedly"))?;
    crawler.checkpoint(u64::MAX)?;
    print_summary(&summary, &config.index.path);
    let stats = crawler.stats();
    println!(
        "crawl: {} pages fetched, {} unchanged (304), {} duplicates, {} disallowed by robots.txt, {} left queued",
        stats.fetched,
        stats.unchanged,
        stats.duplicates,
        stats.disallowed,
        crawler.queued()
    );
    for (kind, n) in &stats.errors {
        println!("  {n} × {kind}");
    }
    Ok(ExitCode::SUCCESS)
}
