//! The commands that read the index: `search`, `designations` (with `--lifecycle`) and `export`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use newshound::config::Config;
use newshound::index::NewsIndex;
use newshound::index::designations::DesignationFilter;
use newshound::index::search::SearchRequest;
use newshound::lists::{ListLinker, ListStore};
use newshound::sinks::{FtmSink, JsonlSink, Sink};

use super::flags::ExportFormat;

pub fn search(config: &Config, query: &str, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
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

/// Snippets come HTML-escaped (for the web); a terminal wants the characters.
pub fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&")
}

pub fn export(
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

pub fn designations(config: &Config, filter: &DesignationFilter, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
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

pub fn designation_lifecycle(config: &Config, filter: &DesignationFilter, json: bool) -> anyhow::Result<ExitCode> {
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
