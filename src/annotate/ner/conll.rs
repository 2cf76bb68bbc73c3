//! CoNLL-2003 files: one token a line with its tag in the last column, blank lines between sentences,
//! `-DOCSTART-` lines between documents.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, bail};

use super::tags::{TAGS, spans, tag_index};

#[derive(Debug)]
pub struct Sentence {
    pub tokens: Vec<String>,
    /// IOB2 tag indices (IOB1 input is converted); empty when the file has no tag column.
    pub tags: Vec<usize>,
}

#[derive(Debug)]
pub struct Document {
    pub sentences: Vec<Sentence>,
}

impl Document {
    pub fn words(&self) -> Vec<Vec<&str>> {
        self.sentences.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect()
    }
}

/// Reads a CoNLL file into documents. `tagged` requires a valid NER tag in the last column.
pub fn read(path: &Path, tagged: bool) -> anyhow::Result<Vec<Document>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut documents = vec![Document { sentences: Vec::new() }];
    let mut sentence = Sentence { tokens: Vec::new(), tags: Vec::new() };
    let mut tag_names: Vec<&str> = Vec::new();
    let close_sentence = |documents: &mut Vec<Document>, sentence: &mut Sentence, names: &mut Vec<&str>| {
        if !sentence.tokens.is_empty() {
            sentence.tags = to_iob2(names);
            names.clear();
            documents
                .last_mut()
                .expect("one document")
                .sentences
                .push(std::mem::replace(sentence, Sentence { tokens: Vec::new(), tags: Vec::new() }));
        }
    };
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.starts_with("-DOCSTART-") {
            close_sentence(&mut documents, &mut sentence, &mut tag_names);
            if !documents.last().expect("one document").sentences.is_empty() {
                documents.push(Document { sentences: Vec::new() });
            }
            continue;
        }
        if line.trim().is_empty() {
            close_sentence(&mut documents, &mut sentence, &mut tag_names);
            continue;
        }
        let mut columns = line.split_whitespace();
        let token = columns.next().expect("a non-blank line has a first column");
        if tagged {
            let tag = columns.next_back().filter(|_| line.split_whitespace().count() > 1);
            match tag {
                Some(t) if is_tag(t) => tag_names.push(t),
                _ => bail!("{}:{}: expected an NER tag in the last column of {line:?}", path.display(), number + 1),
            }
        }
        sentence.tokens.push(token.to_string());
    }
    close_sentence(&mut documents, &mut sentence, &mut tag_names);
    documents.retain(|d| !d.sentences.is_empty());
    Ok(documents)
}

fn is_tag(tag: &str) -> bool {
    tag == "O"
        || tag
            .split_once('-')
            .is_some_and(|(prefix, kind)| matches!(prefix, "B" | "I") && tag_index(&format!("B-{kind}")).is_some())
}

/// IOB1 marks a chunk's first word B- only after a chunk of the same type; IOB2 always does.
fn to_iob2(tags: &[&str]) -> Vec<usize> {
    let mut out = Vec::with_capacity(tags.len());
    let mut previous_type = "";
    for tag in tags {
        let (prefix, kind) = tag.split_once('-').unwrap_or(("O", ""));
        let prefix = if prefix == "I" && kind != previous_type { "B" } else { prefix };
        let name = if prefix == "O" { "O".to_string() } else { format!("{prefix}-{kind}") };
        out.push(tag_index(&name).expect("tags were checked on reading"));
        previous_type = kind;
    }
    out
}

/// Writes `tokens TAG` lines with the documents' sentence and document breaks.
pub fn write(out: &mut impl std::io::Write, documents: &[Document], tags: &[Vec<Vec<usize>>]) -> std::io::Result<()> {
    for (document, document_tags) in documents.iter().zip(tags) {
        writeln!(out, "-DOCSTART- O\n")?;
        for (sentence, sentence_tags) in document.sentences.iter().zip(document_tags) {
            for (token, &tag) in sentence.tokens.iter().zip(sentence_tags) {
                writeln!(out, "{token} {}", TAGS[tag])?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Entity-level micro F1 (exact span and type), as conlleval scores it.
pub fn entity_f1(gold: &[Vec<usize>], predicted: &[Vec<usize>]) -> f64 {
    let collect = |sentences: &[Vec<usize>]| -> HashSet<(usize, usize, usize, &'static str)> {
        sentences
            .iter()
            .enumerate()
            .flat_map(|(i, tags)| spans(tags).into_iter().map(move |(s, e, l)| (i, s, e, l.as_str())))
            .collect()
    };
    let (gold, predicted) = (collect(gold), collect(predicted));
    let correct = gold.intersection(&predicted).count() as f64;
    if correct == 0.0 {
        return 0.0;
    }
    let (precision, recall) = (correct / predicted.len() as f64, correct / gold.len() as f64);
    2.0 * precision * recall / (precision + recall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob1_chunks_become_iob2() {
        let names = |t: &[usize]| t.iter().map(|&i| TAGS[i]).collect::<Vec<_>>();
        assert_eq!(
            names(&to_iob2(&["I-PER", "I-PER", "O", "I-LOC", "B-LOC"])),
            ["B-PER", "I-PER", "O", "B-LOC", "B-LOC"]
        );
    }

    #[test]
    fn reads_documents_and_sentences() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        std::fs::write(
            &path,
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n\
             -DOCSTART- -X- -X- O\n\nBonn NNP B-NP B-LOC\n",
        )
        .unwrap();
        let docs = read(&path, true).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tags, vec![3, 0]);
        assert_eq!(docs[1].sentences[0].tokens, vec!["Bonn"]);
        std::fs::write(&path, "EU NNP\n").unwrap();
        let err = read(&path, true).unwrap_err().to_string();
        assert!(err.contains("x.txt:1"), "{err}");
    }
}
