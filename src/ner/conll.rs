//! CoNLL-2003 files: reading documents with their gold tags, entity chunks, and a quick F1
//! used to pick the best training epoch (the official figures come from `conlleval.py`).

use super::Label;
use anyhow::{Context, Result};
use std::path::Path;

/// One document of a CoNLL file.
#[derive(Debug, Clone, Default)]
pub struct ConllDoc {
    /// Tokens in order.
    pub words: Vec<String>,
    /// Gold NER tags (last column), as written.
    pub gold: Vec<String>,
    /// Sentences as token ranges.
    pub sentences: Vec<(usize, usize)>,
}

/// A CoNLL file: its lines and documents, with each token line's place.
#[derive(Debug, Clone, Default)]
pub struct ConllFile {
    /// Every line of the file, without its newline.
    pub lines: Vec<String>,
    /// The documents (split at `-DOCSTART-`).
    pub docs: Vec<ConllDoc>,
    /// For each line: `Some((doc, token))` when it is a token line.
    pub line_tokens: Vec<Option<(usize, usize)>>,
}

impl ConllFile {
    /// Reads a CoNLL file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading CoNLL file {}", path.display()))?;
        Ok(Self::parse(&text))
    }

    /// Parses CoNLL text: token lines (token first, NER tag last), blank lines between
    /// sentences, `-DOCSTART-` between documents.
    pub fn parse(text: &str) -> Self {
        let mut out = ConllFile::default();
        let mut doc = ConllDoc::default();
        let mut sent_start = 0;
        let close_sentence = |doc: &mut ConllDoc, sent_start: &mut usize| {
            if doc.words.len() > *sent_start {
                doc.sentences.push((*sent_start, doc.words.len()));
            }
            *sent_start = doc.words.len();
        };
        for line in text.lines() {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.first() == Some(&"-DOCSTART-") {
                close_sentence(&mut doc, &mut sent_start);
                if !doc.words.is_empty() {
                    out.docs.push(std::mem::take(&mut doc));
                }
                sent_start = 0;
                out.line_tokens.push(None);
            } else if cols.is_empty() {
                close_sentence(&mut doc, &mut sent_start);
                out.line_tokens.push(None);
            } else {
                out.line_tokens
                    .push(Some((out.docs.len(), doc.words.len())));
                doc.words.push(cols[0].to_string());
                doc.gold.push(if cols.len() > 1 {
                    cols[cols.len() - 1].to_string()
                } else {
                    "O".to_string()
                });
            }
            out.lines.push(line.to_string());
        }
        close_sentence(&mut doc, &mut sent_start);
        if !doc.words.is_empty() {
            out.docs.push(doc);
        }
        out
    }
}

fn split_tag(tag: &str) -> (char, Option<Label>) {
    match tag.split_once('-') {
        Some((p, k)) => (p.chars().next().unwrap_or('O'), Label::parse(k)),
        None => ('O', None),
    }
}

/// Entity chunks `(start, end, label)` of a tag sequence in IOB1, IOB2 or IOBES, by
/// conlleval's rules.
pub fn chunks<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, Label)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, Label)> = None;
    let mut prev_prefix = 'O';
    for i in 0..=tags.len() {
        let (prefix, kind) = if i < tags.len() {
            split_tag(tags[i].as_ref())
        } else {
            ('O', None)
        };
        let kind = if prefix == 'O' { None } else { kind };
        if let Some((s, k)) = cur {
            let ends = kind.is_none()
                || matches!(prefix, 'B' | 'S' | 'U')
                || kind != Some(k)
                || matches!(prev_prefix, 'E' | 'S' | 'L' | 'U');
            if ends {
                out.push((s, i, k));
                cur = None;
            }
        }
        if let Some(k) = kind {
            if cur.is_none() {
                cur = Some((i, k));
            }
        }
        prev_prefix = prefix;
    }
    out
}

/// Precision, recall and F1 (in percent) of predicted chunks against gold ones.
pub fn prf(
    gold: &[(usize, usize, Label)],
    pred: &[(usize, usize, Label)],
) -> (usize, usize, usize) {
    let g: std::collections::HashSet<_> = gold.iter().collect();
    let tp = pred.iter().filter(|c| g.contains(c)).count();
    (tp, pred.len(), gold.len())
}

/// F1 in percent from counts `(true positives, predicted, gold)`.
pub fn f1((tp, np, ng): (usize, usize, usize)) -> f64 {
    let p = if np > 0 { tp as f64 / np as f64 } else { 0.0 };
    let r = if ng > 0 { tp as f64 / ng as f64 } else { 0.0 };
    if p + r > 0.0 {
        200.0 * p * r / (p + r)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_iob1_and_iob2() {
        let iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"];
        assert_eq!(
            chunks(&iob1),
            vec![
                (0, 2, Label::Per),
                (3, 4, Label::Loc),
                (4, 5, Label::Loc),
                (5, 6, Label::Org)
            ]
        );
        let iob2 = ["B-PER", "I-PER", "B-PER", "O"];
        assert_eq!(chunks(&iob2), vec![(0, 2, Label::Per), (2, 3, Label::Per)]);
    }

    #[test]
    fn parse_keeps_lines_and_docs() {
        let t = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nX NNP I-NP I-LOC\n";
        let f = ConllFile::parse(t);
        assert_eq!(f.docs.len(), 2);
        assert_eq!(f.docs[0].sentences, vec![(0, 2), (2, 3)]);
        assert_eq!(f.lines.len(), f.line_tokens.len());
        assert_eq!(f.line_tokens[2], Some((0, 0)));
        assert_eq!(f.docs[1].words, vec!["X"]);
    }
}
