//! The shipped NER model: loading, whole-article coverage, the `tag` command, and clear errors when
//! its files are missing or damaged.

use std::path::Path;
use std::process::Command;

use newshound::annotate::Annotator;
use newshound::annotate::ner::NerModel;

mod common;

use common::copy_encoder;
use newshound::document::{Article, EntityLabel};

fn article(paragraphs: Vec<String>) -> Article {
    Article { title: Some("Long report".into()), paragraphs, ..Article::default() }
}

#[test]
fn a_long_article_is_tagged_to_its_end() {
    // About 30,000 words: hundreds of model windows. The names in the last paragraph must be found.
    let filler = "The committee met again on the matter and its members discussed the report at length, \
                  without reaching any conclusion that the public could follow in detail";
    let mut paragraphs: Vec<String> = (0..1000).map(|i| format!("{filler} for the {i}th time.")).collect();
    paragraphs.push("Finally, Angela Merkel met Emmanuel Macron in Berlin to discuss Siemens.".into());
    let article = article(paragraphs);
    let body = article.body();
    let annotations = Annotator::new().unwrap().annotate(&article).unwrap();
    let tail_start = body.chars().count() - 80;
    let tail: Vec<(&str, EntityLabel)> =
        annotations.entities.iter().filter(|e| e.start >= tail_start).map(|e| (e.text.as_str(), e.label)).collect();
    assert!(tail.contains(&("Angela Merkel", EntityLabel::Per)), "{tail:?}");
    assert!(tail.contains(&("Emmanuel Macron", EntityLabel::Per)), "{tail:?}");
    assert!(tail.contains(&("Berlin", EntityLabel::Loc)), "{tail:?}");
}

#[test]
fn one_very_long_sentence_is_covered_by_overlapping_windows() {
    let names = ["Boris Johnson", "Olaf Scholz", "Mario Draghi", "Pedro Sanchez", "Mark Rutte"];
    let mut sentence = String::from("The summit was attended by");
    for round in 0..60 {
        for name in names {
            sentence.push_str(&format!(" {name} of delegation {round},"));
        }
    }
    sentence.push_str(" and Justin Trudeau.");
    let annotations = Annotator::new().unwrap().annotate(&article(vec![sentence])).unwrap();
    let people = annotations.entities.iter().filter(|e| e.label == EntityLabel::Per).count();
    assert!(people >= 290, "only {people} of 301 people found");
    assert!(annotations.entities.iter().any(|e| e.text == "Justin Trudeau" && e.label == EntityLabel::Per));
}

#[test]
fn missing_or_damaged_model_files_are_named_with_the_way_to_a_good_model() {
    let dir = tempfile::tempdir().unwrap();
    let error = |dir: &Path| NerModel::load(dir).err().expect("loading must fail").to_string();

    let message = error(dir.path());
    assert!(message.contains("config.json") && message.contains("missing"), "{message}");
    assert!(message.contains("--model") && message.contains("built into newshound"), "{message}");

    copy_encoder(dir.path());
    std::fs::write(dir.path().join("model.safetensors"), b"not a safetensors file").unwrap();
    let message = error(dir.path());
    assert!(message.contains("model.safetensors") && message.contains("models/ner"), "{message}");

    copy_encoder(dir.path());
    std::fs::write(dir.path().join("config.json"), b"{\"hidden_size\": 384}").unwrap();
    let message = error(dir.path());
    assert!(message.contains("config.json") && message.contains("models/ner"), "{message}");

    copy_encoder(dir.path());
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    assert!(error(dir.path()).contains("tokenizer.json"));

    copy_encoder(dir.path());
    std::fs::write(dir.path().join("tokenizer.json"), b"{").unwrap();
    let message = error(dir.path());
    assert!(message.contains("tokenizer.json") && message.contains("models/ner"), "{message}");
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();

    // And from the command line, with a non-zero exit.
    let out = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .args(["tag", "--conll", "Cargo.toml", "--model"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tokenizer.json"));
}

#[test]
fn tag_writes_one_tag_per_token_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(
        &input,
        "-DOCSTART- -X- -X- O\n\nGerman NNP\nchancellor NN\nOlaf NNP\nScholz NNP\nvisited VBD\nParis NNP\n. .\n\n\
         Siemens NNP\nrose VBD\n.\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_newshound")).args(["tag", "--conll"]).arg(&input).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("-DOCSTART-"))
        .map(|l| l.split_once(' ').unwrap())
        .collect();
    let tokens: Vec<&str> = rows.iter().map(|r| r.0).collect();
    assert_eq!(tokens, ["German", "chancellor", "Olaf", "Scholz", "visited", "Paris", ".", "Siemens", "rose", "."]);
    let tags: Vec<&str> = rows.iter().map(|r| r.1).collect();
    assert_eq!(&tags[..7], ["B-MISC", "O", "B-PER", "I-PER", "O", "B-LOC", "O"]);
    assert_eq!(tags[7], "B-ORG");
    // The two sentences stay apart.
    assert!(text.contains(". O\n\nSiemens"));
}
