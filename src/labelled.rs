//! Labelled sanctions texts, read for training and scoring the designation head: gold files of JSON
//! lines (`{"case", "designees": [{"name", "aliases"}], "source_file"?}`) beside their texts
//! (`source_file` relative to the gold file, else `sources/CASE.txt` or `.html`), as in
//! `../shared/data/sanctions-news` and `../shared/data/sanctions-dev`; and folders of ordinary news
//! pages, which report no sanctions action. Texts go through the same extraction as `ingest`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::annotate::designations::train::LabelledArticle;
use crate::extract::extract;
use crate::sources::load_file;

#[derive(Deserialize)]
struct GoldLine {
    case: String,
    #[serde(default)]
    designees: Vec<GoldDesignee>,
    #[serde(default)]
    delisted: Vec<String>,
    source_file: Option<PathBuf>,
}

#[derive(Deserialize)]
struct GoldDesignee {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

const SOURCE_EXTENSIONS: &[&str] = &["txt", "html", "htm", "html.gz"];

/// Every case of every gold file, with its text extracted.
pub fn load(gold_files: &[PathBuf], max_bytes: u64) -> anyhow::Result<Vec<LabelledArticle>> {
    let mut articles = Vec::new();
    for gold in gold_files {
        let dir = gold.parent().unwrap_or(Path::new("."));
        let set = format!(
            "{}/{}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("."),
            gold.file_stem().and_then(|n| n.to_str()).unwrap_or("gold")
        );
        let text = std::fs::read_to_string(gold).with_context(|| format!("cannot read {}", gold.display()))?;
        for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let line: GoldLine = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a gold line", gold.display(), number + 1))?;
            let source = match &line.source_file {
                Some(file) => dir.join(file),
                None => SOURCE_EXTENSIONS
                    .iter()
                    .map(|ext| dir.join("sources").join(format!("{}.{ext}", line.case)))
                    .find(|p| p.is_file())
                    .with_context(|| format!("{}: no source text for case {}", gold.display(), line.case))?,
            };
            let page = load_file(&source, max_bytes)?;
            let article = extract(&page).with_context(|| format!("{}: extraction failed", source.display()))?;
            let designees =
                line.designees.into_iter().map(|d| std::iter::once(d.name).chain(d.aliases).collect()).collect();
            let (id, delisted) = (line.case, line.delisted);
            articles.push(LabelledArticle { id, set: set.clone(), article, designees, delisted, general: false });
        }
    }
    Ok(articles)
}

/// Every page in each folder (not its subfolders), taken as reporting no sanctions action; a
/// folder's pages form a set named after it.
pub fn load_general(folders: &[PathBuf], max_bytes: u64) -> anyhow::Result<Vec<LabelledArticle>> {
    let mut articles = Vec::new();
    for folder in folders {
        let set = folder.file_name().and_then(|n| n.to_str()).unwrap_or(".").to_string();
        let mut pages: Vec<PathBuf> = std::fs::read_dir(folder)
            .with_context(|| format!("cannot read the folder {}", folder.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("cannot list {}", folder.display()))?;
        pages.retain(|p| p.is_file());
        pages.sort();
        anyhow::ensure!(!pages.is_empty(), "{}: no pages in this folder", folder.display());
        for path in pages {
            let page = load_file(&path, max_bytes)?;
            let article = extract(&page).with_context(|| format!("{}: extraction failed", path.display()))?;
            let id = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            articles.push(LabelledArticle {
                id,
                set: set.clone(),
                article,
                designees: Vec::new(),
                delisted: Vec::new(),
                general: true,
            });
        }
    }
    Ok(articles)
}
