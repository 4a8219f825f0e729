//! Quote marks paired into quotations (curly, straight, multi-paragraph), and quotations told
//! apart from titles and scare quotes.

use super::Detector;
use crate::text::Span;
use crate::tokenize::TokenKind;

/// A quotation found by pairing marks: token indices of the marks (close may be the end of a
/// paragraph for a multi-paragraph quote).
#[derive(Debug, Clone, Copy)]
pub(super) struct Quotation {
    pub(super) open: usize,
    /// Index of the closing mark (content is `open+1 .. close`).
    pub(super) close: usize,
}

pub(super) fn opens(s: &str) -> Option<bool> {
    match s {
        "\u{201C}" | "\u{00AB}" | "\u{201E}" | "``" => Some(true),
        "\u{201D}" | "\u{00BB}" => Some(false),
        _ => None,
    }
}

impl<'d, 'a> Detector<'d, 'a> {
    /// Pairs quote marks within paragraphs, continuing a quotation across paragraphs when the
    /// next paragraph opens with a mark.
    pub(super) fn pair_marks(&self) -> Vec<Quotation> {
        let doc = self.doc;
        let mut out = Vec::new();
        let mut open: Option<usize> = None;
        for (pi, &(ps, pe)) in doc.paragraphs.iter().enumerate() {
            for i in ps..pe {
                let t = &doc.tokens[i];
                if t.kind != TokenKind::Quote {
                    continue;
                }
                let s = self.w(i);
                // A closing curly mark that opens a paragraph and is glued to the word after it
                // is a typo for an opening one (`”Fear. I am afraid ...” ― Edwin`).
                let misprint = s == "\u{201D}"
                    && i == ps
                    && open.is_none()
                    && doc
                        .tokens
                        .get(i + 1)
                        .is_some_and(|n| !n.space_before && n.kind == TokenKind::Word);
                let dir = if misprint { Some(true) } else { opens(s) };
                let dir = dir.or_else(|| {
                    if s == "\"" || s == "''" {
                        // Straight marks: open unless a quotation is open and this one is glued
                        // to the word before it.
                        let glued_left = !t.space_before && i > ps;
                        let glued_right = doc
                            .tokens
                            .get(i + 1)
                            .is_some_and(|n| !n.space_before && !n.para_start);
                        Some(match open {
                            Some(_) => !glued_left && glued_right,
                            None => !glued_left || glued_right,
                        })
                    } else {
                        None
                    }
                });
                match (dir, open) {
                    (Some(true), None) => open = Some(i),
                    (Some(true), Some(o)) if doc.paragraph_of(o) != pi && i == ps => {
                        // A new paragraph that opens with a mark continues the quotation.
                    }
                    (Some(true), Some(_)) => open = Some(i),
                    (Some(false), Some(o)) => {
                        if i > o + 1 {
                            out.push(Quotation { open: o, close: i });
                        }
                        open = None;
                    }
                    _ => {}
                }
            }
            // A paragraph that leaves a quotation open continues only if the next opens with a
            // mark; otherwise the unbalanced mark is ignored.
            if let Some(o) = open {
                let next_opens = doc.paragraphs.get(pi + 1).is_some_and(|&(ns, _)| {
                    doc.tokens[ns].kind == TokenKind::Quote && opens(self.w(ns)) != Some(false)
                });
                if !next_opens {
                    if pe > o + 1 && doc.paragraph_of(o) != pi {
                        // Multi-paragraph quote whose last paragraph lacks the closing mark.
                        out.push(Quotation { open: o, close: pe });
                    }
                    open = None;
                }
            }
        }
        out
    }

    pub(super) fn content_span(&self, q: &Quotation) -> Span {
        let a = q.open + 1;
        let mut b = q.close;
        // Leave out trailing punctuation-only tokens at a paragraph end.
        while b > a && self.doc.tokens[b - 1].kind == TokenKind::Quote {
            b -= 1;
        }
        if b <= a {
            return Span::new(
                self.doc.tokens[q.open].span.end,
                self.doc.tokens[q.open].span.end,
            );
        }
        self.doc.span_of(a, b)
    }

    /// Whether a short quotation names a work: its words are in title case and it follows "on",
    /// "titled" and kin, or a comma after a word for a work ("his book, ...").
    pub(super) fn is_title(&self, q: &Quotation) -> bool {
        let title_case = (q.open + 1..q.close).filter(|&k| self.is_word(k)).all(|k| {
            let w = self.w(k);
            w.starts_with(|c: char| c.is_uppercase())
                || matches!(
                    w,
                    "a" | "an" | "the" | "of" | "to" | "and" | "in" | "for" | "on"
                )
        });
        if !title_case || q.open == 0 {
            return false;
        }
        let before = self.w(q.open - 1).to_ascii_lowercase();
        let work_before_comma = before == ","
            && q.open >= 2
            && matches!(
                self.w(q.open - 2).to_ascii_lowercase().as_str(),
                "book"
                    | "show"
                    | "program"
                    | "programme"
                    | "film"
                    | "movie"
                    | "song"
                    | "album"
                    | "column"
                    | "ad"
                    | "video"
                    | "documentary"
                    | "series"
                    | "memoir"
                    | "novel"
            );
        let before2 = if q.open >= 2 {
            self.w(q.open - 2).to_ascii_lowercase()
        } else {
            String::new()
        };
        // `episode of "The Steve Harvey Morning Show,"`, `CBS's "Face the Nation,"`.
        let work_of = before == "of"
            && matches!(
                before2.as_str(),
                "episode" | "broadcast" | "edition" | "host" | "author" | "season" | "issue"
            );
        let possessive = matches!(before.as_str(), "'s" | "\u{2019}s");
        work_before_comma
            || work_of
            || possessive
            || matches!(
                before.as_str(),
                "on" | "titled"
                    | "entitled"
                    | "headlined"
                    | "dubbed"
                    | "named"
                    | "nickname"
                    | "slogan"
                    | "motto"
                    | "hashtag"
            )
    }

    /// Whether the quotation opening at token `open` closes before `end` with at least two
    /// more words after it (`said "budget reforms" and the collection of taxes would pay`).
    pub(super) fn quoted_words_then_more(&self, open: usize, end: usize) -> bool {
        self.first_mark(open + 1, end)
            .is_some_and(|close| self.word_count(close + 1, end) >= 2)
    }
}
