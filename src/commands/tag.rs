//! `whosaid tag`: the NER tagger's tags in CoNLL form, for a CoNLL file (its lines with the
//! predicted tag appended, for `conlleval.py`) or for articles (each token with its tag, a
//! blank line after each sentence, `-DOCSTART-` before each article: text to read, score or
//! train on).

use crate::input::{InputOptions, Inputs};
use crate::ner::conll::ConllFile;
use crate::ner::perceptron::{iob2_names, Model};
use crate::tokenize::{NewsSegmenter, Segmenter};
use anyhow::Result;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// IOB2 tags of every document of a CoNLL file.
pub fn conll_tags(model: &Model, f: &ConllFile) -> Vec<Vec<&'static str>> {
    f.docs
        .par_iter()
        .map(|d| {
            let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
            iob2_names(&model.tag(&words, &d.sentences).0)
        })
        .collect()
}

/// Writes a CoNLL file's lines with each token line's tag appended.
pub fn write_conll(f: &ConllFile, tags: &[Vec<&str>], out: &mut impl Write) -> Result<()> {
    for (line, lt) in f.lines.iter().zip(&f.line_tokens) {
        match lt {
            Some((d, t)) => writeln!(out, "{line} {}", tags[*d][*t])?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

/// Tags the articles of `paths` (as `whosaid run` reads them) and writes them in CoNLL form.
/// An article that cannot be read is reported on stderr and left out; returns how many were.
pub fn articles(model: &Model, paths: &[PathBuf], out: &mut impl Write) -> Result<usize> {
    let mut failed = 0;
    let mut batch = Vec::new();
    let mut inputs = Inputs::open(paths, InputOptions::default()).peekable();
    while inputs.peek().is_some() {
        batch.clear();
        for item in inputs.by_ref().take(256) {
            match item {
                Ok(a) => batch.push(a),
                Err(e) => {
                    eprintln!("{}: {}", e.location, e.message);
                    failed += 1;
                }
            }
        }
        let blocks: Vec<String> = batch
            .par_iter()
            .map(|a| article_block(model, &a.text))
            .collect();
        for b in blocks {
            out.write_all(b.as_bytes())?;
        }
    }
    Ok(failed)
}

/// One article in CoNLL form: `-DOCSTART- O`, then `token TAG` lines with a blank line after
/// each sentence. White space inside a token becomes `_`, so each line keeps two columns.
fn article_block(model: &Model, text: &str) -> String {
    let doc = NewsSegmenter.segment(text);
    let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(text)).collect();
    let tags = iob2_names(&model.tag(&words, &doc.sentences).0);
    let mut s = String::from("-DOCSTART- O\n\n");
    for &(a, b) in &doc.sentences {
        for i in a..b {
            for c in words[i].chars() {
                s.push(if c.is_whitespace() { '_' } else { c });
            }
            s.push(' ');
            s.push_str(tags[i]);
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::perceptron::PerceptronNer;

    #[test]
    fn article_block_reads_back_as_conll() {
        let model = PerceptronNer::default_model().unwrap().model().clone();
        let b = article_block(
            &model,
            "Steve Witkoff met Vladimir Putin in Moscow.\n\nHe left on Friday.",
        );
        let f = ConllFile::parse(&b);
        assert_eq!(f.docs.len(), 1);
        assert_eq!(f.docs[0].sentences.len(), 2);
        assert_eq!(f.docs[0].words[0], "Steve");
        assert_eq!(f.docs[0].gold[..2], ["B-PER", "I-PER"]);
        let moscow = f.docs[0].words.iter().position(|w| w == "Moscow").unwrap();
        assert_eq!(f.docs[0].gold[moscow], "B-LOC");
    }
}
