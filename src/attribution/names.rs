//! Names: the part of a speaker mention that names someone, the tokens and text of a name,
//! and whether two names can be one actor.

use crate::lexicon;
use crate::ner::{Entity, Label};
use crate::tokenize::{Doc, TokenKind};

/// The part of a speaker mention `[s, e)` that names the speaker: the mention without its
/// appositives, relative clauses and parentheticals ("Chad Bown, an expert on trade at the
/// Peterson Institute" -> "Chad Bown", "Sen. Lindsey Graham (R-S.C.)" -> "Sen. Lindsey
/// Graham"), or the name a leading description gives way to ("Another critic, Laurence H.
/// Tribe" -> "Laurence H. Tribe"); a pronoun without the adverbs after it ("it further" ->
/// "it"), and a possessor without its "'s" ("Trump's" -> "Trump").
pub(super) fn head_phrase(doc: &Doc, entities: &[Entity], s: usize, e: usize) -> (usize, usize) {
    let (s, mut e) = named_segment(doc, entities, s, e);
    // A pronoun with the adverbs or auxiliaries that stood between it and the cue ("it
    // further wrote") is that pronoun.
    if e - s >= 2
        && lexicon::pronoun(doc.tok(s)).is_some()
        && (s + 1..e).all(|i| lexicon::is_cue_modifier(doc.tok(i)))
    {
        e = s + 1;
    }
    // A possessive speaker is its possessor ("Trump's claim that ...": Trump claims), not a
    // contraction ("it's", "let's"), and only a phrase that is all possessor: no function
    // word or past form in it ("questions about Biden's", "This fulfilled Biden's" are the
    // learned ranker's slips, not Biden).
    if e - s >= 2
        && matches!(doc.tok(e - 1), "'s" | "\u{2019}s" | "'" | "\u{2019}")
        && !matches!(
            doc.tok(e - 2).to_lowercase().as_str(),
            "it" | "he" | "she" | "that" | "let" | "there" | "here" | "what" | "who"
        )
        && (s..e - 1).all(|i| {
            let w = doc.tok(i);
            !lexicon::is_np_stop(w) && !w.ends_with("ed") && !matches!(w, "This" | "this" | "of")
        })
    {
        e -= 1;
    }
    (s, e)
}

/// The segment of a speaker mention `[s, e)` that names someone: [`head_phrase`] before its
/// pronoun and possessive trims.
fn named_segment(doc: &Doc, entities: &[Entity], s: usize, e: usize) -> (usize, usize) {
    // A person (or, with `org`, an organisation) ends `[a, b)`, with one token of slack as
    // the head rule allows ("The mayor of Paris" ends in a place: not a head).
    let ends_entity = |(a, b): (usize, usize), org: bool| {
        let k = entities.partition_point(|en| en.tok_end < b);
        entities[k..]
            .iter()
            .take_while(|en| en.tok_end <= b + 1)
            .any(|en| {
                en.tok_start >= a && (en.label == Label::Per || org && en.label == Label::Org)
            })
    };
    // Top-level segments between commas, each cut at a relative pronoun, and at a
    // parenthesis that follows a name ("Sen. Lindsey Graham (R-S.C.)", but "Member of
    // parliament (MP) Kevin Conolly" stays whole).
    let mut segs: Vec<(usize, usize)> = Vec::new();
    let (mut a, mut depth) = (s, 0usize);
    for k in s..=e {
        let t = if k < e { doc.tok(k) } else { "," };
        match t {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "," if depth == 0 || k == e => {
                let cut = (a + 1..k)
                    .find(|&j| match doc.tok(j) {
                        "who" | "whom" | "whose" | "which" => true,
                        "(" => ends_entity((a, j), true),
                        // "Dr. Tristan Smith of University College London".
                        "of" => ends_entity((a, j), false),
                        _ => false,
                    })
                    .unwrap_or(k);
                if a < cut {
                    segs.push((a, cut));
                }
                a = k + 1;
            }
            _ => {}
        }
    }
    let Some(&first) = segs.first() else {
        return (s, e);
    };
    if segs.len() == 1 || ends_entity(first, false) {
        return first;
    }
    // A description, then the person: "The Senate Minority Leader, Chuck Schumer".
    segs[1..]
        .iter()
        .copied()
        .find(|&(a, b)| {
            b - a <= 6 && ends_entity((a, b), false) && doc.tok(a).starts_with(char::is_uppercase)
        })
        .unwrap_or(first)
}

/// Name tokens of an entity: its words without a trailing possessive.
pub(super) fn name_tokens(doc: &Doc, e: &Entity) -> Vec<String> {
    let mut v: Vec<String> = (e.tok_start..e.tok_end)
        .filter(|&i| doc.tokens[i].kind == TokenKind::Word)
        .map(|i| doc.tok(i).to_string())
        .filter(|w| !matches!(w.as_str(), "'s" | "\u{2019}s"))
        .collect();
    if v.len() > 1 && v[0].eq_ignore_ascii_case("the") {
        v.remove(0);
    }
    v
}

/// An entity's text as written, without a trailing possessive.
pub(super) fn display_name(doc: &Doc, e: &Entity) -> String {
    let t = e.span.slice(doc.text);
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("\u{2019}s"))
        .unwrap_or(t)
        .trim_end()
        .to_string()
}

fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

pub(super) fn acronym(tokens: &[String]) -> String {
    tokens
        .iter()
        .filter(|t| t.chars().next().is_some_and(|c| c.is_uppercase()))
        .filter_map(|t| t.chars().next())
        .collect()
}

/// Does a mention with tokens `m` refer to the actor with name tokens `a`?
pub(super) fn matches_actor(m: &[String], a: &[String], label: Label) -> bool {
    if m.is_empty() || a.is_empty() {
        return false;
    }
    if m.len() == a.len() && m.iter().zip(a).all(|(x, y)| same(x, y)) {
        return true;
    }
    match label {
        Label::Per => {
            // "Witkoff" -> "Steve Witkoff"; "Steve Witkoff" -> an actor named "Witkoff".
            let last_m = &m[m.len() - 1];
            let last_a = &a[a.len() - 1];
            // A name of two or more words that ends the actor's fuller one ("Guajardo
            // Villarreal" -> "Ildefonso Guajardo Villarreal").
            (m.len() == 1 || a.len() == 1) && same(last_m, last_a)
                || (m.len() > 1 && a.len() > 1 && same(last_m, last_a) && same(&m[0], &a[0]))
                || (m.len() > 1
                    && a.len() > m.len()
                    && m.iter()
                        .zip(&a[a.len() - m.len()..])
                        .all(|(x, y)| same(x, y)))
        }
        _ => {
            // "WSJ" -> "Wall Street Journal"; "the Journal" -> "The Wall Street Journal".
            let acr_a = acronym(a);
            let acr_m = acronym(m);
            (m.len() == 1 && acr_a.len() > 1 && m[0] == acr_a)
                || (a.len() == 1 && acr_m.len() > 1 && a[0] == acr_m)
                || (m.len() == 1 && a.len() > 1 && same(&m[0], &a[a.len() - 1]))
        }
    }
}

/// Most actors of one name key a mention is compared with.
const MAX_CANDIDATES: usize = 32;

/// Fewest letters of a surname that a misspelling is looked for in.
const MIN_MISSPELT: usize = 5;

/// Most letters of one: each letter makes a key of the word's length, so a longer word
/// (no one's surname; an adversarial article's 10,000-letter "name") would cost its square.
const MAX_MISSPELT: usize = 24;

/// `w` less each of its letters in turn.
fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    w.char_indices()
        .map(move |(i, c)| format!("{}{}", &w[..i], &w[i + c.len_utf8()..]))
}

/// Is `a` one letter off `b` (lower-case): one changed, added or dropped, or two neighbours
/// swapped, inside the word (the first and last letters the same: not "Latino" for "Latina"),
/// and not `b` with an "s" added or dropped at the end?
pub(super) fn one_letter_off(a: &str, b: &str) -> bool {
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let plural = |long: &[char], short: &[char]| {
        long.len() == short.len() + 1 && long.ends_with(&['s']) && long.starts_with(short)
    };
    if x == y || plural(&x, &y) || plural(&y, &x) || x.first() != y.first() || x.last() != y.last()
    {
        return false;
    }
    let p = x.iter().zip(&y).take_while(|(c, d)| c == d).count();
    let (xs, ys) = (&x[p..], &y[p..]);
    match xs.len() as isize - ys.len() as isize {
        0 => {
            xs[1..] == ys[1..]
                || (xs.len() >= 2 && xs[0] == ys[1] && xs[1] == ys[0] && xs[2..] == ys[2..])
        }
        1 => xs[1..] == *ys,
        -1 => *xs == ys[1..],
        _ => false,
    }
}

/// Actors by name key (lowercased last name token, and acronyms of ORG names), so that each
/// mention is compared with a few actors rather than all of them.
#[derive(Default)]
pub(super) struct NameIndex {
    by_key: std::collections::HashMap<String, Vec<usize>>,
}

impl NameIndex {
    pub(super) fn add(&mut self, id: usize, toks: &[String]) {
        if let Some(last) = toks.last() {
            self.by_key.entry(last.to_lowercase()).or_default().push(id);
        }
        let acr = acronym(toks);
        if acr.chars().count() > 1 {
            self.by_key.entry(acr.to_lowercase()).or_default().push(id);
        }
        if let [first, _, ..] = toks {
            let k = format!("^{}", first.to_lowercase());
            self.by_key.entry(k).or_default().push(id);
        }
        // A full name's surname, and that surname less each letter in turn, for
        // [`Self::misspelt`].
        if let [_, .., last] = toks {
            let last = last.to_lowercase();
            if (MIN_MISSPELT..=MAX_MISSPELT).contains(&last.chars().count()) {
                for k in std::iter::once(last.clone()).chain(deletions(&last)) {
                    let ids = self.by_key.entry(format!("~{k}")).or_default();
                    if ids.last() != Some(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }

    /// Actors with a full name whose surname is one letter off the one-word name `word`
    /// (a letter changed, added, dropped or two swapped: the article's own "Wines" for
    /// "Leslie Wimes", "McLenney" for "Tyresha McClenney"), but not a plural or possessive of
    /// it ("Clintons"); at most [`MAX_CANDIDATES`].
    pub(super) fn misspelt(&self, word: &str) -> Vec<usize> {
        let w = word.to_lowercase();
        if !(MIN_MISSPELT..=MAX_MISSPELT).contains(&w.chars().count())
            || !word.chars().all(char::is_alphabetic)
        {
            return Vec::new();
        }
        let mut out: Vec<usize> = std::iter::once(w.clone())
            .chain(deletions(&w))
            .filter_map(|k| self.by_key.get(&format!("~{k}")))
            .flat_map(|ids| ids.iter().take(MAX_CANDIDATES).copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out.truncate(MAX_CANDIDATES);
        out
    }

    /// Actors whose name of two or more words starts with `first` ("Ban" of "Ban Ki-moon"),
    /// at most [`MAX_CANDIDATES`].
    pub(super) fn by_first(&self, first: &str) -> Vec<usize> {
        let k = format!("^{}", first.to_lowercase());
        self.by_key
            .get(&k)
            .into_iter()
            .flatten()
            .take(MAX_CANDIDATES)
            .copied()
            .collect()
    }

    /// Actor ids that may match a mention, in creation order: at most [`MAX_CANDIDATES`] of
    /// each key, so that an article naming thousands of different Smiths costs linear work.
    pub(super) fn candidates(&self, toks: &[String]) -> Vec<usize> {
        let of_key = |k: &str| {
            self.by_key
                .get(&k.to_lowercase())
                .into_iter()
                .flatten()
                .take(MAX_CANDIDATES)
        };
        let mut out = Vec::new();
        if let Some(last) = toks.last() {
            out.extend(of_key(last));
        }
        let acr = acronym(toks);
        if toks.len() > 1 && acr.chars().count() > 1 {
            out.extend(of_key(&acr));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn one_letter_off_finds_misspellings_not_plurals() {
        assert!(one_letter_off("wines", "wimes"));
        assert!(one_letter_off("mclenney", "mcclenney"));
        assert!(one_letter_off("mcclenney", "mclenney"));
        assert!(one_letter_off("smtih", "smith"));
        assert!(!one_letter_off("clintons", "clinton"));
        assert!(!one_letter_off("clinton", "clintons"));
        assert!(!one_letter_off("smith", "smith"));
        assert!(!one_letter_off("smith", "smythe"));
        assert!(!one_letter_off("jones", "james"));
        assert!(one_letter_off("jones", "janes"));
        assert!(!one_letter_off("latino", "latina"));
        assert!(!one_letter_off("wimes", "mimes"));
    }

    #[test]
    fn misspelt_surnames_find_the_full_name() {
        let mut index = NameIndex::default();
        index.add(0, &s(&["Leslie", "Wimes"]));
        index.add(1, &s(&["Tyresha", "McClenney"]));
        index.add(2, &s(&["Clinton"]));
        index.add(3, &s(&["Hillary", "Clinton"]));
        assert_eq!(index.misspelt("Wines"), vec![0]);
        assert_eq!(index.misspelt("McLenney"), vec![1]);
        // Candidates still to be checked by `one_letter_off`: the exact surname is among them.
        assert!(index.misspelt("Clintons").contains(&3));
        assert!(index.misspelt("Bob").is_empty());
        // Words past MAX_MISSPELT letters are neither keyed nor looked up.
        let long = "Q".repeat(10_000);
        index.add(4, &s(&["Ann", &long]));
        assert!(index.by_key.len() < 100, "{}", index.by_key.len());
        assert!(index.misspelt(&long).is_empty());
    }

    /// The head phrase of `speaker` (a substring of `text`), with `names` marked as entities.
    fn head_of(text: &str, speaker: &str, names: &[(&str, Label)]) -> String {
        use crate::tokenize::{NewsSegmenter, Segmenter};
        let doc = NewsSegmenter.segment(text);
        let tok_of = |byte: usize| doc.tokens.partition_point(|t| t.span.start < byte);
        let range = |sub: &str| {
            let a = text.find(sub).expect("substring");
            (tok_of(a), tok_of(a + sub.len()))
        };
        let mut entities: Vec<Entity> = names
            .iter()
            .map(|&(n, label)| {
                let (a, b) = range(n);
                Entity {
                    tok_start: a,
                    tok_end: b,
                    span: doc.span_of(a, b),
                    label,
                    score: 1.0,
                }
            })
            .collect();
        entities.sort_by_key(|e| e.tok_start);
        let (s, e) = range(speaker);
        let (hs, he) = head_phrase(&doc, &entities, s, e);
        doc.span_of(hs, he).slice(text).to_string()
    }

    #[test]
    fn speaker_heads_drop_appositives_and_find_the_name() {
        let t = "Chad Bown, an expert on trade at the Peterson Institute, said it.";
        let names = [
            ("Chad Bown", Label::Per),
            ("Peterson Institute", Label::Org),
        ];
        let sp = "Chad Bown, an expert on trade at the Peterson Institute";
        assert_eq!(head_of(t, sp, &names), "Chad Bown");
        let t = "Sen. Lindsey Graham (R-S.C.) said it.";
        let sp = "Sen. Lindsey Graham (R-S.C.)";
        assert_eq!(
            head_of(t, sp, &[("Lindsey Graham", Label::Per)]),
            "Sen. Lindsey Graham"
        );
        let t = "Member of parliament (MP) Kevin Conolly said it.";
        let sp = "Member of parliament (MP) Kevin Conolly";
        assert_eq!(head_of(t, sp, &[("Kevin Conolly", Label::Per)]), sp);
        let t = "The mayor of Paris, Anne Hidalgo, said it.";
        let names = [("Paris", Label::Loc), ("Anne Hidalgo", Label::Per)];
        let sp = "The mayor of Paris, Anne Hidalgo";
        assert_eq!(head_of(t, sp, &names), "Anne Hidalgo");
        let t = "Dr. Tristan Smith of University College London said it.";
        let names = [
            ("Tristan Smith", Label::Per),
            ("University College London", Label::Org),
        ];
        let sp = "Dr. Tristan Smith of University College London";
        assert_eq!(head_of(t, sp, &names), "Dr. Tristan Smith");
        let t = "Travis Hood, who witnessed the collision, said it.";
        let sp = "Travis Hood, who witnessed the collision";
        assert_eq!(
            head_of(t, sp, &[("Travis Hood", Label::Per)]),
            "Travis Hood"
        );
        // No name at all: the first phrase.
        let t = "Proponents, including the mayors, said it.";
        assert_eq!(
            head_of(t, "Proponents, including the mayors", &[]),
            "Proponents"
        );
        // A plain mention is its own head.
        let t = "Officials said it.";
        assert_eq!(head_of(t, "Officials", &[]), "Officials");
    }

    #[test]
    fn name_matching() {
        assert!(matches_actor(
            &s(&["Witkoff"]),
            &s(&["Steve", "Witkoff"]),
            Label::Per
        ));
        assert!(matches_actor(
            &s(&["Steve", "Witkoff"]),
            &s(&["Witkoff"]),
            Label::Per
        ));
        assert!(!matches_actor(
            &s(&["Kushner"]),
            &s(&["Steve", "Witkoff"]),
            Label::Per
        ));
        assert!(matches_actor(
            &s(&["WSJ"]),
            &s(&["Wall", "Street", "Journal"]),
            Label::Org
        ));
        assert!(matches_actor(
            &s(&["Journal"]),
            &s(&["Wall", "Street", "Journal"]),
            Label::Org
        ));
        assert!(matches_actor(
            &s(&["Guajardo", "Villarreal"]),
            &s(&["Ildefonso", "Guajardo", "Villarreal"]),
            Label::Per
        ));
        assert!(!matches_actor(
            &s(&["Jeh", "Johnson"]),
            &s(&["Gary", "Johnson"]),
            Label::Per
        ));
        assert!(!matches_actor(
            &s(&["Street"]),
            &s(&["Wall", "Street", "Journal"]),
            Label::Org
        ));
    }
}
