//! Attribution and coreference: entities become actors (mention chains), and each quote's
//! speaker mention is resolved to an actor ("he" -> Marco Rubio, "the WSJ" -> The Wall Street
//! Journal) or kept as an unnamed group ("Officials").

use crate::lexicon;
use crate::ner::{Entity, Label};
use crate::quote::Quote;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;

/// An actor: one person or organisation and every mention of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The fullest name in the article.
    pub name: String,
    /// PER or ORG.
    pub label: Label,
    /// Mentions in text order (entities and resolved pronouns).
    pub mentions: Vec<Span>,
    /// 'm', 'f' or '?' for people.
    gender: char,
    /// Name tokens of the canonical name (for surname and acronym matching).
    name_tokens: Vec<String>,
}

/// A quote's resolved speaker.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Speaker {
    /// The actor it refers to.
    pub actor: Option<usize>,
    /// The actor's name, or the mention's text for unnamed speakers.
    pub name: Option<String>,
}

/// Everything the attribution stage adds.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    /// The actors.
    pub actors: Vec<Actor>,
    /// For each entity, its actor.
    pub entity_actor: Vec<Option<usize>>,
    /// For each quote, its resolved speaker.
    pub speakers: Vec<Speaker>,
}

/// A pipeline stage that links entities and quotes into actors and speakers.
pub trait Resolver: Send + Sync {
    /// Builds actors from `entities` and resolves each quote's speaker, counting the
    /// candidates it compares on `meter`.
    fn resolve(
        &self,
        doc: &Doc,
        entities: &[Entity],
        quotes: &[Quote],
        meter: &mut Meter,
    ) -> Attribution;
}

/// The rule-based resolver: name matching for chains, salience for pronouns.
#[derive(Debug, Default, Clone, Copy)]
pub struct RuleResolver;

/// The part of a speaker mention `[s, e)` that names the speaker: the mention without its
/// appositives, relative clauses and parentheticals ("Chad Bown, an expert on trade at the
/// Peterson Institute" -> "Chad Bown", "Sen. Lindsey Graham (R-S.C.)" -> "Sen. Lindsey
/// Graham"), or the name a leading description gives way to ("Another critic, Laurence H.
/// Tribe" -> "Laurence H. Tribe").
fn head_phrase(doc: &Doc, entities: &[Entity], s: usize, e: usize) -> (usize, usize) {
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
fn name_tokens(doc: &Doc, e: &Entity) -> Vec<String> {
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
fn display_name(doc: &Doc, e: &Entity) -> String {
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

fn acronym(tokens: &[String]) -> String {
    tokens
        .iter()
        .filter(|t| t.chars().next().is_some_and(|c| c.is_uppercase()))
        .filter_map(|t| t.chars().next())
        .collect()
}

/// Does a mention with tokens `m` refer to the actor with name tokens `a`?
fn matches_actor(m: &[String], a: &[String], label: Label) -> bool {
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
            (m.len() == 1 || a.len() == 1) && same(last_m, last_a)
                || (m.len() > 1 && a.len() > 1 && same(last_m, last_a) && same(&m[0], &a[0]))
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

fn gender_of(tokens: &[String], doc: &Doc, e: &Entity) -> char {
    if e.tok_start > 0 {
        match doc.tok(e.tok_start - 1) {
            "Mr." | "Mr" | "Sir" | "King" | "Prince" => return 'm',
            w if lexicon::is_female_name(w) => return 'f',
            _ => {}
        }
    }
    if tokens.first().is_some_and(|t| lexicon::is_female_name(t)) {
        'f'
    } else {
        '?'
    }
}

impl Resolver for RuleResolver {
    fn resolve(
        &self,
        doc: &Doc,
        entities: &[Entity],
        quotes: &[Quote],
        meter: &mut Meter,
    ) -> Attribution {
        let mut actors: Vec<Actor> = Vec::new();
        let mut entity_actor = vec![None; entities.len()];
        // 1. Chains of names. Longer names first, so "Witkoff" finds "Steve Witkoff" wherever
        // it stands.
        // Each name's tokens, computed once.
        let mut order: Vec<(usize, Vec<String>)> = (0..entities.len())
            .filter(|&k| matches!(entities[k].label, Label::Per | Label::Org))
            .map(|k| (k, name_tokens(doc, &entities[k])))
            .collect();
        order.sort_by_key(|(k, toks)| (std::cmp::Reverse(toks.len()), entities[*k].span.start));
        let mut index = NameIndex::default();
        for (k, toks) in order {
            let e = &entities[k];
            if toks.is_empty() {
                continue;
            }
            let cands = index.candidates(&toks);
            meter.add(1 + cands.len() as u64);
            let found = cands.into_iter().find(|&id| {
                actors[id].label == e.label
                    && matches_actor(&toks, &actors[id].name_tokens, e.label)
            });
            let id = match found {
                Some(id) => id,
                None => {
                    let name = display_name(doc, e);
                    actors.push(Actor {
                        name,
                        label: e.label,
                        mentions: Vec::new(),
                        gender: gender_of(&toks, doc, e),
                        name_tokens: toks.clone(),
                    });
                    index.add(actors.len() - 1, &toks);
                    actors.len() - 1
                }
            };
            let a = &mut actors[id];
            if a.gender == '?' {
                a.gender = gender_of(&toks, doc, e);
            }
            a.mentions.push(e.span);
            entity_actor[k] = Some(id);
        }
        // Order actors by first mention, so ids read in text order.
        for a in &mut actors {
            a.mentions.sort();
        }
        let mut by_first: Vec<usize> = (0..actors.len()).collect();
        by_first.sort_by_key(|&i| actors[i].mentions.first().map(|s| s.start));
        let mut remap = vec![0; actors.len()];
        for (new, &old) in by_first.iter().enumerate() {
            remap[old] = new;
        }
        let mut actors: Vec<Actor> = by_first.iter().map(|&i| actors[i].clone()).collect();
        for ea in &mut entity_actor {
            *ea = ea.map(|a| remap[a]);
        }
        let mut index = NameIndex::default();
        for (id, a) in actors.iter().enumerate() {
            index.add(id, &a.name_tokens);
        }
        let lookup = Lookup::new(quotes);

        // 2. Speakers, in text order so that a resolved "he" helps resolve the next one.
        let mut speakers = vec![Speaker::default(); quotes.len()];
        let mut qorder: Vec<usize> = (0..quotes.len())
            .filter(|&q| quotes[q].speaker.is_some())
            .collect();
        qorder.sort_by_key(|&q| quotes[q].speaker.map(|s| s.0));
        // Resolved pronoun speakers: (token, actor).
        let mut resolved: Vec<(usize, usize)> = Vec::new();
        for qi in qorder {
            meter.add(1);
            let (s, e) = quotes[qi].speaker.unwrap_or((0, 0));
            let (s, e) = head_phrase(doc, entities, s, e);
            let mention = doc.span_of(s, e);
            let head = doc.tok(e - 1);
            let actor = if e - s == 1 && lexicon::pronoun(head).is_some() {
                let g = lexicon::pronoun(head).unwrap_or('n');
                let actor = if matches!(g, 'm' | 'f') {
                    self.antecedent(
                        doc,
                        entities,
                        &entity_actor,
                        &actors,
                        &resolved,
                        &lookup,
                        s,
                        g,
                        meter,
                    )
                } else if head.eq_ignore_ascii_case("it") {
                    self.recent_org(doc, entities, &entity_actor, s, meter)
                } else {
                    None
                };
                if let Some(a) = actor {
                    resolved.push((s, a));
                    actors[a].mentions.push(mention);
                    if actors[a].gender == '?' {
                        actors[a].gender = g;
                    }
                }
                actor
            } else if e - s == 1 && matches!(head, "who" | "which") {
                // A relative pronoun stands for the name right before it ("Jane Smith, who ...").
                let end = if s > 0 && doc.tok(s - 1) == "," {
                    s - 1
                } else {
                    s
                };
                let k = entities.partition_point(|en| en.tok_end < end);
                let actor = entities
                    .get(k)
                    .filter(|en| en.tok_end == end)
                    .and_then(|_| entity_actor[k]);
                if let Some(a) = actor {
                    actors[a].mentions.push(mention);
                }
                actor
            } else {
                // The entity that heads the phrase ("Secretary of State Marco Rubio", "the WSJ");
                // a phrase headed by a common noun is a group ("the Journal's sources").
                let first = entities.partition_point(|en| en.tok_start < s);
                let head_entity = entities[first..]
                    .iter()
                    .enumerate()
                    .take_while(|(_, en)| en.tok_start < e)
                    .filter(|(_, en)| en.tok_end <= e + 1 && en.tok_end >= e)
                    .find_map(|(k, _)| entity_actor[first + k]);
                let actor = head_entity.or_else(|| {
                    // A name the recognizer missed but the article names elsewhere.
                    let toks: Vec<String> = (s..e)
                        .filter(|&i| doc.tokens[i].kind == TokenKind::Word)
                        .map(|i| doc.tok(i).to_string())
                        .filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
                        .collect();
                    let last_is_cap = doc
                        .tok(e - 1)
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase());
                    if toks.is_empty() || !last_is_cap {
                        return None;
                    }
                    let cands = index.candidates(&toks);
                    meter.add(cands.len() as u64);
                    cands
                        .into_iter()
                        .find(|&id| matches_actor(&toks, &actors[id].name_tokens, actors[id].label))
                });
                if let (Some(a), None) = (actor, head_entity) {
                    // Duplicates go at the end (sort and dedup).
                    actors[a].mentions.push(mention);
                }
                actor
            };
            speakers[qi] = Speaker {
                actor,
                name: Some(actor.map_or_else(
                    || mention.slice(doc.text).to_string(),
                    |a| actors[a].name.clone(),
                )),
            };
        }
        for a in &mut actors {
            a.mentions.sort();
            a.mentions.dedup();
        }
        Attribution {
            actors,
            entity_actor,
            speakers,
        }
    }
}

impl RuleResolver {
    /// The person a "he" or "she" at token `at` refers to: in the same sentence the nearest
    /// person before it; else, sentence by sentence backwards, the speakers of that sentence,
    /// then its subject, then its other people.
    #[allow(clippy::too_many_arguments)]
    fn antecedent(
        &self,
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        actors: &[Actor],
        resolved: &[(usize, usize)],
        lookup: &Lookup,
        at: usize,
        gender: char,
        meter: &mut Meter,
    ) -> Option<usize> {
        let ok = |a: usize| {
            actors[a].label == Label::Per && (actors[a].gender == '?' || actors[a].gender == gender)
        };
        let sent = doc.sentence_of(at);
        let lo = sent.saturating_sub(4);
        let window_start = doc.sentences[lo].0;
        // Person mentions in the window before `at`: (token, actor, is_speaker).
        let first = entities.partition_point(|e| e.tok_start < window_start);
        let at_in_quote = lookup.inside_quote(doc, at);
        let mut cands: Vec<(usize, usize, bool)> = entities[first..]
            .iter()
            .enumerate()
            .take_while(|(_, e)| e.tok_start < at)
            .filter(|(_, e)| e.tok_end <= at && e.label == Label::Per)
            .filter_map(|(k, e)| entity_actor[first + k].map(|a| (e.tok_start, a, false)))
            .filter(|&(t, _, _)| at_in_quote || !lookup.inside_quote(doc, t))
            .collect();
        let r0 = resolved.partition_point(|&(t, _)| t < window_start);
        cands.extend(
            resolved[r0..]
                .iter()
                .filter(|&&(t, _)| t < at)
                .map(|&(t, a)| (t, a, true)),
        );
        for c in &mut cands {
            // A mention that starts a speaker phrase is a speaker.
            if lookup.starts_speaker(c.0) {
                c.2 = true;
            }
        }
        cands.sort();
        // Each candidate is looked at once per sentence of the window at most.
        meter.add((cands.len() * (sent - lo + 1)) as u64);
        let in_sent = |t: usize| doc.sentence_of(t) == sent;
        // Same sentence, nearest first.
        if let Some(&(_, a, _)) = cands.iter().rev().find(|&&(t, a, _)| in_sent(t) && ok(a)) {
            return Some(a);
        }
        for s in (lo..sent).rev() {
            let (ss, _) = doc.sentences[s];
            let here: Vec<&(usize, usize, bool)> = cands
                .iter()
                .filter(|c| doc.sentence_of(c.0) == s && ok(c.1))
                .collect();
            if let Some(c) = here.iter().rev().find(|c| c.2) {
                return Some(c.1);
            }
            if let Some(c) = here.iter().find(|c| c.0 <= ss + 1) {
                return Some(c.1);
            }
            if let Some(c) = here.last() {
                return Some(c.1);
            }
        }
        None
    }

    /// The most recent organisation before token `at` within three sentences.
    fn recent_org(
        &self,
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        at: usize,
        meter: &mut Meter,
    ) -> Option<usize> {
        let sent = doc.sentence_of(at);
        let end = entities.partition_point(|e| e.tok_start < at);
        entities[..end]
            .iter()
            .enumerate()
            .rev()
            .inspect(|_| meter.add(1))
            .take_while(|(_, e)| sent - doc.sentence_of(e.tok_start) <= 3)
            .filter(|(_, e)| e.tok_end <= at && e.label == Label::Org)
            .find_map(|(k, _)| entity_actor[k])
    }
}

/// Most actors of one name key a mention is compared with.
const MAX_CANDIDATES: usize = 32;

/// Actors by name key (lowercased last name token, and acronyms of ORG names), so that each
/// mention is compared with a few actors rather than all of them.
#[derive(Default)]
struct NameIndex {
    by_key: std::collections::HashMap<String, Vec<usize>>,
}

impl NameIndex {
    fn add(&mut self, id: usize, toks: &[String]) {
        if let Some(last) = toks.last() {
            self.by_key.entry(last.to_lowercase()).or_default().push(id);
        }
        let acr = acronym(toks);
        if acr.chars().count() > 1 {
            self.by_key.entry(acr.to_lowercase()).or_default().push(id);
        }
    }

    /// Actor ids that may match a mention, in creation order: at most [`MAX_CANDIDATES`] of
    /// each key, so that an article naming thousands of different Smiths costs linear work.
    fn candidates(&self, toks: &[String]) -> Vec<usize> {
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

/// Sorted positions for quick questions during resolution.
struct Lookup {
    /// Byte spans of direct quotations' contents, by start.
    direct: Vec<Span>,
    /// First tokens of speaker phrases, sorted.
    speakers: Vec<usize>,
}

impl Lookup {
    fn new(quotes: &[Quote]) -> Self {
        let mut direct: Vec<Span> = quotes
            .iter()
            .filter(|q| q.kind == crate::quote::QuoteKind::Direct)
            .flat_map(|q| q.content.iter().copied())
            .collect();
        direct.sort();
        let mut speakers: Vec<usize> = quotes
            .iter()
            .filter_map(|q| q.speaker.map(|s| s.0))
            .collect();
        speakers.sort_unstable();
        Lookup { direct, speakers }
    }

    /// Is token `i` inside a direct quotation?
    fn inside_quote(&self, doc: &Doc, i: usize) -> bool {
        let b = doc.tokens[i].span.start;
        let k = self.direct.partition_point(|s| s.start <= b);
        self.direct[..k].iter().rev().take(4).any(|s| b < s.end)
    }

    /// Does a speaker phrase start at most three tokens before `t`?
    fn starts_speaker(&self, t: usize) -> bool {
        let k = self.speakers.partition_point(|&s| s + 4 <= t);
        self.speakers.get(k).is_some_and(|&s| s <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
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
        assert!(!matches_actor(
            &s(&["Street"]),
            &s(&["Wall", "Street", "Journal"]),
            Label::Org
        ));
    }
}
