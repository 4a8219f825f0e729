//! Tokenization and segmentation of news text into tokens, sentences and paragraphs.
//!
//! Tokens are byte spans into the text (they borrow nothing and allocate nothing per token).
//! The rules know news text: abbreviations (U.S., Mr., Nov.), initials, numbers ($350 million,
//! 13:20, 25.11.2025), hyphenated names, possessives, straight and curly quotes, dashes,
//! datelines, and paragraphs separated by blank lines or single newlines.

use crate::text::Span;

/// What kind of token this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, digits and their joiners.
    Word,
    /// A quotation mark (straight or curly, double or single, guillemets).
    Quote,
    /// Any other punctuation or symbol.
    Punct,
}

/// One token: a byte span and a few facts about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span in the text.
    pub span: Span,
    /// Word, quote mark or punctuation.
    pub kind: TokenKind,
    /// White space stands right before this token.
    pub space_before: bool,
    /// This token begins a paragraph (first token or first after a newline).
    pub para_start: bool,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        self.span.slice(text)
    }
}

/// A tokenized article: tokens, sentences and paragraphs (as token index ranges).
#[derive(Debug, Clone, Default)]
pub struct Doc<'a> {
    /// The text as read.
    pub text: &'a str,
    /// All tokens in order.
    pub tokens: Vec<Token>,
    /// Sentences as `[start, end)` token index ranges.
    pub sentences: Vec<(usize, usize)>,
    /// Paragraphs as `[start, end)` token index ranges.
    pub paragraphs: Vec<(usize, usize)>,
}

impl<'a> Doc<'a> {
    /// The text of token `i`.
    pub fn tok(&self, i: usize) -> &'a str {
        self.tokens[i].span.slice(self.text)
    }

    /// Byte span covering tokens `[a, b)`.
    pub fn span_of(&self, a: usize, b: usize) -> Span {
        Span::new(self.tokens[a].span.start, self.tokens[b - 1].span.end)
    }

    /// Index of the sentence holding token `i`.
    pub fn sentence_of(&self, i: usize) -> usize {
        self.sentences.partition_point(|&(_, e)| e <= i)
    }

    /// Index of the paragraph holding token `i`.
    pub fn paragraph_of(&self, i: usize) -> usize {
        self.paragraphs.partition_point(|&(_, e)| e <= i)
    }
}

/// A pipeline stage that splits text into a [`Doc`].
pub trait Segmenter: Send + Sync {
    /// Tokenizes and segments `text`.
    fn segment<'a>(&self, text: &'a str) -> Doc<'a>;
}

/// The rule-based news tokenizer and sentence splitter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NewsSegmenter;

impl Segmenter for NewsSegmenter {
    fn segment<'a>(&self, text: &'a str) -> Doc<'a> {
        let tokens = tokenize(text);
        let paragraphs = paragraphs(&tokens);
        let sentences = sentences(text, &tokens, &paragraphs);
        Doc {
            text,
            tokens,
            sentences,
            paragraphs,
        }
    }
}

/// True for characters that are quotation marks.
pub fn is_quote_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '\u{201C}'
            | '\u{201D}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{00AB}'
            | '\u{00BB}'
            | '\u{201E}'
            | '\u{201A}'
            | '\u{2039}'
            | '\u{203A}'
            | '`'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_hyphen(c: char) -> bool {
    c == '-' || c == '\u{2010}' || c == '\u{2011}'
}

/// Words that take a period and do not end a sentence there (compared without the period,
/// case-sensitively as they are written).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Maj", "Capt",
    "Cmdr", "Sgt", "Adm", "Pres", "Rev", "Hon", "St", "Mt", "Ft", "Jr", "Sr", "Inc", "Corp", "Co",
    "Ltd", "Bros", "vs", "etc", "No", "Nos", "Vol", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri",
    "Sat", "Sun", "Ave", "Blvd", "Rd", "Dept", "Univ", "Assn", "est", "approx", "e.g", "i.e",
    "Fig", "al", "Ph.D", "a.m", "p.m", "U.S", "U.K", "U.N", "E.U", "D.C", "Calif", "Fla", "Ill",
    "Mass", "Mich", "Minn", "Penn", "Tenn", "Tex", "Va", "Wash", "Wis", "Ariz", "Colo", "Conn",
    "Ga", "Ky", "La", "Md", "Mo", "Nev", "Okla", "Ore", "Pa", "Sens", "Reps", "Govs", "Del",
];

/// Abbreviations that precede a name and never end a sentence.
const TITLE_ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Maj", "Capt",
    "Cmdr", "Sgt", "Adm", "Pres", "Rev", "Hon", "St", "Mt", "Ft", "No", "Nos", "Vol", "Fig", "Jan",
    "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Sens", "Reps",
    "Govs", "Del",
];

/// Words that, capitalized after a dotted acronym or initials, open a new sentence ("in the
/// U.S. The talks ..."); any other capitalized word continues the name or phrase ("the U.S.
/// Senate", "George H.W. Bush", "Rep. G.K. Butterfield"). Lower case, sorted.
#[rustfmt::skip]
const SENTENCE_OPENERS: &[&str] = &[
    "a", "according", "after", "all", "also", "although", "an", "and", "another", "as", "at",
    "because", "before", "both", "but", "by", "during", "each", "earlier", "even", "every", "for",
    "from", "he", "her", "his", "how", "however", "i", "if", "in", "initially", "instead", "it",
    "its", "last", "later", "many", "meanwhile", "most", "my", "no", "not", "now", "on", "one",
    "or", "other", "others", "our", "she", "since", "so", "some", "still", "such", "that", "the",
    "their", "then", "there", "these", "they", "this", "those", "though", "to", "today", "under",
    "we", "what", "when", "where", "while", "who", "why", "with", "yesterday", "yet", "you",
];

/// Whether `word` (capitalized, after a dotted acronym) opens a sentence.
fn opens_sentence(word: &str) -> bool {
    word.len() <= 12
        && SENTENCE_OPENERS
            .binary_search(&word.to_lowercase().as_str())
            .is_ok()
}

fn is_abbreviation(word: &str) -> bool {
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    // Initials ("J." in "J. Smith") and dotted acronyms ("U.S", "a.m").
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_uppercase(),
        _ => word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2),
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
    let mut i = 0;
    let mut space_before = false;
    let mut para_start = true;
    let n = text.len();
    let char_at = |i: usize| -> Option<char> { text[i..].chars().next() };
    while i < n {
        let c = char_at(i).unwrap_or(' ');
        if c.is_whitespace() {
            if c == '\n' || c == '\u{2029}' || c == '\u{2028}' {
                para_start = true;
            }
            space_before = true;
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let kind;
        let glued = !space_before
            && tokens
                .last()
                .is_some_and(|t: &Token| t.kind == TokenKind::Word);
        if let Some(len) = clitic_len(text, i).filter(|_| glued) {
            kind = TokenKind::Word;
            i += len;
        } else if is_word_char(c) {
            kind = TokenKind::Word;
            i = scan_word(text, i);
        } else if is_quote_char(c) {
            kind = TokenKind::Quote;
            i += c.len_utf8();
            // `` and '' as one mark.
            if (c == '`' || c == '\'') && i < n && bytes[i] == c as u8 {
                i += 1;
            }
        } else {
            kind = TokenKind::Punct;
            i += c.len_utf8();
            // Runs of the same dash or dot ("--", "...") stay one token.
            if c == '-' || c == '.' {
                while i < n && bytes[i] == c as u8 {
                    i += 1;
                }
            }
        }
        tokens.push(Token {
            span: Span::new(start, i),
            kind,
            space_before,
            para_start,
        });
        space_before = false;
        para_start = false;
    }
    tokens
}

/// Length of a clitic ("'s", "’re", "n't") starting at `i`, if one does and a word boundary follows.
fn clitic_len(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    let body_start = if is_apostrophe(first) {
        first.len_utf8()
    } else if first == 'n' || first == 'N' {
        let (j, a) = chars.next()?;
        if !is_apostrophe(a) {
            return None;
        }
        let after = &rest[j + a.len_utf8()..];
        let t = after.chars().next()?;
        if t != 't' && t != 'T' {
            return None;
        }
        let end = j + a.len_utf8() + 1;
        return match rest[end..].chars().next() {
            Some(c) if is_word_char(c) => None,
            _ => Some(end),
        };
    } else {
        return None;
    };
    let end = run_end(text, i + body_start) - i;
    let body = rest[body_start..end].to_ascii_lowercase();
    matches!(body.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m").then_some(end)
}

/// Scans one word starting at `start` and returns its end (bytes).
fn scan_word(text: &str, start: usize) -> usize {
    let n = text.len();
    let mut i = start;
    let next = |j: usize| -> Option<char> {
        if j < n {
            text[j..].chars().next()
        } else {
            None
        }
    };
    loop {
        // A run of word characters.
        while let Some(c) = next(i) {
            if is_word_char(c) {
                i += c.len_utf8();
            } else {
                break;
            }
        }
        let Some(c) = next(i) else { break };
        let after = next(i + c.len_utf8());
        let prev = text[..i].chars().next_back();
        match (c, after) {
            // Hyphenated words and names: Witkoff-Kushner, Russia-Ukraine, 25-year-old.
            (h, Some(a)) if is_hyphen(h) && is_word_char(a) => {
                i += h.len_utf8();
            }
            // Periods inside words: U.S, 25.11.2025, 3.5, e.g.
            ('.', Some(a)) if is_word_char(a) && !a.is_lowercase() => {
                // Only join when both sides are short runs (acronyms) or digit runs (numbers).
                let seg_end = run_end(text, i + 1);
                let seg = &text[i + 1..seg_end];
                let cur = text[start..i].rsplit(['.', '-']).next().unwrap_or("");
                let digits = cur.chars().all(|ch| ch.is_ascii_digit())
                    && seg.chars().all(|ch| ch.is_ascii_digit());
                let acronym = cur.chars().count() <= 2 && seg.chars().count() <= 2;
                if digits || acronym {
                    i += 1;
                } else {
                    break;
                }
            }
            ('.', Some(a)) if a.is_lowercase() => {
                // a.m, e.g, i.e
                let cur_len = text[start..i].chars().count();
                let seg_end = run_end(text, i + 1);
                if cur_len <= 2 && text[i + 1..seg_end].chars().count() <= 2 {
                    i += 1;
                } else {
                    break;
                }
            }
            // Digit groups and times: 350,000 and 13:20.
            (',' | ':', Some(a))
                if a.is_ascii_digit() && prev.is_some_and(|p| p.is_ascii_digit()) =>
            {
                i += 1;
            }
            // Apostrophes: O'Brien stays one word; possessives and clitics split off.
            (q, Some(a)) if is_apostrophe(q) && a.is_alphabetic() => {
                let rest_end = run_end(text, i + q.len_utf8());
                let rest = &text[i + q.len_utf8()..rest_end];
                let lower = rest.to_ascii_lowercase();
                if matches!(lower.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m" | "t") {
                    if lower == "t" && text[start..i].ends_with(['n', 'N']) && i - start > 1 {
                        // don't -> do n't
                        return i - 1;
                    }
                    break;
                }
                i += q.len_utf8();
            }
            _ => break,
        }
    }
    // A trailing period belongs to abbreviations and initials.
    if next(i) == Some('.') && next(i + 1) != Some('.') {
        let word = &text[start..i];
        if is_abbreviation(word) {
            i += 1;
        }
    }
    i
}

fn run_end(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(j, _)| from + j)
}

fn paragraphs(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.para_start && i > start {
            out.push((start, i));
            start = i;
        }
    }
    if start < tokens.len() {
        out.push((start, tokens.len()));
    }
    out
}

fn is_closer(s: &str) -> bool {
    matches!(
        s,
        ")" | "]" | "\"" | "\u{201D}" | "\u{2019}" | "'" | "\u{00BB}" | "''" | "\u{203A}"
    )
}

fn sentences(text: &str, tokens: &[Token], paragraphs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(ps, pe) in paragraphs {
        let mut start = ps;
        let mut i = ps;
        while i < pe {
            let t = tokens[i].span.slice(text);
            let is_end = matches!(t, "." | "!" | "?" | "..." | "\u{2026}")
                || (t.ends_with('.')
                    && t.len() > 1
                    && tokens[i].kind == TokenKind::Word
                    && !TITLE_ABBREVIATIONS.contains(&&t[..t.len() - 1])
                    && t.len() > 2);
            if is_end {
                let mut j = i + 1;
                while j < pe && is_closer(tokens[j].span.slice(text)) && !tokens[j].space_before {
                    j += 1;
                }
                // A sentence ends when the next token starts a new one.
                let boundary = if j >= pe {
                    true
                } else {
                    let nt = tokens[j].span.slice(text);
                    let c = nt.chars().next().unwrap_or(' ');
                    let next_starts = c.is_uppercase()
                        || c.is_ascii_digit()
                        || tokens[j].kind == TokenKind::Quote
                        || matches!(nt, "(" | "[" | "-" | "\u{2014}" | "\u{2013}");
                    let abbrev_word = tokens[i].kind == TokenKind::Word;
                    // "U.S. officials" and "the U.S. Senate" continue; "in the U.S. The" ends.
                    let dotted = abbrev_word && t[..t.len() - 1].contains('.');
                    next_starts
                        && tokens[j].space_before
                        && (!abbrev_word || c.is_uppercase())
                        && (!dotted || !c.is_alphabetic() || opens_sentence(nt))
                };
                if boundary && j > start {
                    out.push((start, j));
                    start = j;
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
        if start < pe {
            out.push((start, pe));
        }
    }
    cap_sentences(text, tokens, out)
}

/// Most tokens in one sentence. Longer runs without a sentence end (lists, tables, scraped
/// text without punctuation, hostile input) are split, so that every stage's work per token,
/// which scans at most its sentence, stays bounded: real news sentences are far shorter (on
/// PolNeAR, 99.9% of attributed contents hold under 160 words).
pub const MAX_SENTENCE_TOKENS: usize = 200;

/// Splits sentences longer than [`MAX_SENTENCE_TOKENS`], each piece ending after the last
/// semicolon, colon or comma in the second half of the window, or at the window's end.
fn cap_sentences(text: &str, tokens: &[Token], sents: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    if sents.iter().all(|&(a, b)| b - a <= MAX_SENTENCE_TOKENS) {
        return sents;
    }
    let mut out = Vec::with_capacity(sents.len() + 1);
    for (a, b) in sents {
        let mut start = a;
        while b - start > MAX_SENTENCE_TOKENS {
            let limit = start + MAX_SENTENCE_TOKENS;
            let cut = (start + MAX_SENTENCE_TOKENS / 2..limit)
                .rev()
                .find(|&k| matches!(tokens[k].span.slice(text), ";" | ":" | ","))
                .map_or(limit, |k| k + 1);
            out.push((start, cut));
            start = cut;
        }
        out.push((start, b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn abbreviations_and_numbers() {
        assert_eq!(
            toks("The U.S. paid $350 million on Nov. 18 at 13:20, 25.11.2025."),
            vec![
                "The",
                "U.S.",
                "paid",
                "$",
                "350",
                "million",
                "on",
                "Nov.",
                "18",
                "at",
                "13:20",
                ",",
                "25.11.2025",
                "."
            ]
        );
        assert_eq!(toks("Mr. J. Smith"), vec!["Mr.", "J.", "Smith"]);
        assert_eq!(toks("1,000 people"), vec!["1,000", "people"]);
    }

    #[test]
    fn hyphens_possessives_quotes() {
        assert_eq!(
            toks("the Witkoff-Kushner plan, Zelensky’s \"peace plan\" — don't"),
            vec![
                "the",
                "Witkoff-Kushner",
                "plan",
                ",",
                "Zelensky",
                "’s",
                "\"",
                "peace",
                "plan",
                "\"",
                "—",
                "do",
                "n't"
            ]
        );
        assert_eq!(toks("O'Brien's"), vec!["O'Brien", "'s"]);
        assert_eq!(
            toks("“Yes,” he said."),
            vec!["“", "Yes", ",", "”", "he", "said", "."]
        );
    }

    /// The text of each sentence of `s`.
    fn sentence_texts(s: &str) -> Vec<&str> {
        let d = NewsSegmenter.segment(s);
        d.sentences
            .iter()
            .map(|&(a, b)| d.span_of(a, b).slice(s))
            .collect()
    }

    #[test]
    fn sentences_and_paragraphs() {
        let s = "Mr. Smith went to the U.S. He said so. \"Really?\" she asked.\nNew para here\n\nThird.";
        let d = NewsSegmenter.segment(s);
        assert_eq!(
            sentence_texts(s),
            vec![
                "Mr. Smith went to the U.S.",
                "He said so.",
                "\"Really?\" she asked.",
                "New para here",
                "Third."
            ]
        );
        assert_eq!(d.paragraphs.len(), 3);
    }

    #[test]
    fn dotted_acronyms_and_initials_end_a_sentence_only_before_an_opener() {
        let s = "The U.S. Senate voted. Former President George H.W. Bush agreed. \
                 Rep. G.K. Butterfield spoke, as did Del. Stacey Plaskett and Sens. Jeff \
                 Merkley and Tom Carper, D-Del. The vote was close in the U.S. They said so.";
        assert_eq!(
            sentence_texts(s),
            vec![
                "The U.S. Senate voted.",
                "Former President George H.W. Bush agreed.",
                "Rep. G.K. Butterfield spoke, as did Del. Stacey Plaskett and Sens. Jeff \
                 Merkley and Tom Carper, D-Del.",
                "The vote was close in the U.S.",
                "They said so."
            ]
        );
        assert!(SENTENCE_OPENERS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn endless_sentences_are_cut_at_a_comma() {
        let s = "one, two three ".repeat(200);
        let d = NewsSegmenter.segment(&s);
        assert!(d.sentences.len() >= 4);
        assert!(d
            .sentences
            .iter()
            .all(|&(a, b)| b > a && b - a <= MAX_SENTENCE_TOKENS));
        assert_eq!(d.sentences[0].0, 0);
        assert_eq!(d.sentences.last().unwrap().1, d.tokens.len());
        assert!(d.sentences.windows(2).all(|w| w[0].1 == w[1].0));
        // Each piece but the last ends with the comma it was cut after.
        assert_eq!(d.tok(d.sentences[0].1 - 1), ",");
        let words = "word ".repeat(1000);
        let d = NewsSegmenter.segment(&words);
        assert_eq!(d.sentences.len(), 5);
    }

    #[test]
    fn us_officials_continues() {
        let s = "Talking to U.S. officials helped.";
        let d = NewsSegmenter.segment(s);
        assert_eq!(d.sentences.len(), 1);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for s in [
            "",
            "'",
            "'s",
            "a.",
            ".a",
            "a-",
            "-a",
            "1,",
            "1:",
            "x\u{2019}",
            "é.é.é",
            "n't",
        ] {
            let t = tokenize(s);
            for tok in &t {
                assert!(!tok.text(s).is_empty());
            }
        }
    }
}
