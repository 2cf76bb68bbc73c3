//! `newshound lists`: import, update, match and the status of the official lists.

use std::process::ExitCode;

use anyhow::Context;
use newshound::config::Config;
use newshound::lists::update::{Updated, update};
use newshound::lists::{Companion, ListId, ListLinker, ListStore};
use newshound::sources::HttpFetcher;

use super::flags::ListsCommand;
use super::ingest::SUMMARY_DESIGNATIONS;

pub fn lists(config: &Config, command: ListsCommand) -> anyhow::Result<ExitCode> {
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
        ListsCommand::Import { file, list, date, companions } => {
            let read =
                |file: &std::path::Path| std::fs::read(file).with_context(|| format!("cannot read {}", file.display()));
            let bytes = read(&file)?;
            let companions = companions
                .iter()
                .map(|path| Companion::read(list, read(path)?).with_context(|| path.display().to_string()))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let origin =
                newshound::lists::store::Origin { url: Some(file.display().to_string()), ..Default::default() };
            let delta =
                store.import(list, &bytes, &companions, date, origin).with_context(|| file.display().to_string())?;
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
