//! The command line's flags and subcommands (clap), and the parsers of their values.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use newshound::annotate::designations::train::HeadOptions;
use newshound::lists::ListId;

#[derive(Parser)]
#[command(name = "newshound", version, about = "Reads the news for people who track sanctions")]
pub struct Cli {
    /// Configuration file (default: ./config.toml, else ~/.config/newshound/config.toml, else none).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only print errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Threads that extract and annotate (default: one per core).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// The official lists' store, read by every command that annotates (default: `[lists] path` in
    /// the config, else ~/.local/share/newshound/lists).
    #[arg(long, global = true, value_name = "DIR", env = "NEWSHOUND_LISTS")]
    pub lists: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the index is, for the commands that use it.
#[derive(clap::Args)]
pub struct IndexArg {
    /// Index directory (default: `index.path` in the config, else ~/.local/share/newshound/index).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
}

/// Where the shared queue is, for the commands that use it.
#[derive(clap::Args)]
pub struct RedisArg {
    /// The Redis server that holds the shared queue, e.g. redis://queue-host:6379/.
    #[arg(long, value_name = "URL", env = "NEWSHOUND_REDIS")]
    pub redis: String,
}

/// Where a crawl starts, for `crawl` and `enqueue`.
#[derive(clap::Args)]
pub struct CrawlStarts {
    /// A page to start from (its same-site links are followed).
    #[arg(long = "seed", value_name = "URL")]
    pub seeds: Vec<String>,
    /// An RSS or Atom feed whose entries are crawled.
    #[arg(long = "feed", value_name = "URL")]
    pub feeds: Vec<String>,
    /// A sitemap or sitemap index (news sitemaps included).
    #[arg(long = "sitemap", value_name = "URL")]
    pub sitemaps: Vec<String>,
    /// Pages fetched per crawl at most (default: `crawl.max_pages`).
    #[arg(long)]
    pub max_pages: Option<usize>,
}

impl CrawlStarts {
    /// The `[crawl]` settings with these start points (after those of the config) and page budget.
    pub fn applied_to(self, config: &newshound::config::CrawlConfig) -> newshound::config::CrawlConfig {
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
pub struct ModelArg {
    /// NER model folder to use instead of the one built into newshound (default: `annotate.ner_model`
    /// in the config, else the built-in model).
    #[arg(long, value_name = "DIR", env = "NEWSHOUND_MODEL")]
    pub model: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
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
pub enum QueueCommand {
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
pub enum ListsCommand {
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
        /// A file the list publishes beside it, read with it (OFAC's `alt.csv`, `add.csv`: which
        /// one is told by its columns); repeat for each.
        #[arg(long = "companion", value_name = "FILE")]
        companions: Vec<PathBuf>,
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
pub enum ExportFormat {
    /// FollowTheMoney entities, one JSON object a line; ids are stable across exports.
    Ftm,
    /// One stored document a line, as `extract --jsonl` prints it.
    Jsonl,
}

impl Command {
    /// The `--index` given to a command that uses the index.
    pub fn index(&self) -> Option<&Path> {
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

pub fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    newshound::dates::parse_date(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("not a date: {s:?} (expected YYYY-MM-DD or RFC 3339)"))
}

pub fn parse_target_type(s: &str) -> Result<newshound::document::TargetType, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown type {s:?} (person, organisation, company, vessel, aircraft)"))
}

pub fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
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
