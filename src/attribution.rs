//! Attribution and coreference: entities become actors (mention chains), and each quote's
//! speaker mention is resolved to an actor ("he" -> Marco Rubio, "the WSJ" -> The Wall Street
//! Journal) or kept as an unnamed group ("Officials").

use crate::lexicon;
use crate::ner::{Entity, Label};
use crate::quotes::Quote;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};

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
    /// Builds actors from `entities` and resolves each quote's speaker.
    fn resolve(&self, doc: &Doc, entities: &[Entity], quotes: &[Quote]) -> Attribution;
}

/// The rule-based resolver: name matching for chains, salience for pronouns.
#[derive(Debug, Default, Clone, Copy)]
pub struct RuleResolver;

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
    fn resolve(&self, doc: &Doc, entities: &[Entity], quotes: &[Quote]) -> Attribution {
        let mut actors: Vec<Actor> = Vec::new();
        let mut entity_actor = vec![None; entities.len()];
        // 1. Chains of names. Longer names first, so "Witkoff" finds "Steve Witkoff" wherever
        // it stands.
        let mut order: Vec<usize> = (0..entities.len())
            .filter(|&k| matches!(entities[k].label, Label::Per | Label::Org))
            .collect();
        order.sort_by_key(|&k| {
            (
                std::cmp::Reverse(name_tokens(doc, &entities[k]).len()),
                entities[k].span.start,
            )
        });
        for k in order {
            let e = &entities[k];
            let toks = name_tokens(doc, e);
            if toks.is_empty() {
                continue;
            }
            let found = actors
                .iter()
                .position(|a| a.label == e.label && matches_actor(&toks, &a.name_tokens, e.label));
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

        // 2. Speakers, in text order so that a resolved "he" helps resolve the next one.
        let mut speakers = vec![Speaker::default(); quotes.len()];
        let mut qorder: Vec<usize> = (0..quotes.len())
            .filter(|&q| quotes[q].speaker.is_some())
            .collect();
        qorder.sort_by_key(|&q| quotes[q].speaker.map(|s| s.0));
        // Resolved pronoun speakers: (token, actor).
        let mut resolved: Vec<(usize, usize)> = Vec::new();
        let inside_quote = |i: usize| -> bool {
            let b = doc.tokens[i].span.start;
            quotes.iter().any(|q| {
                q.kind == crate::quotes::QuoteKind::Direct
                    && q.content.iter().any(|c| c.start <= b && b < c.end)
            })
        };
        let speaker_tokens: Vec<usize> = quotes
            .iter()
            .filter_map(|q| q.speaker.map(|s| s.0))
            .collect();
        for qi in qorder {
            let (s, e) = quotes[qi].speaker.unwrap_or((0, 0));
            let mention = doc.span_of(s, e);
            let head = doc.tok(e - 1);
            let sp = if e - s == 1 && lexicon::pronoun(head).is_some() {
                let g = lexicon::pronoun(head).unwrap_or('n');
                let actor = if matches!(g, 'm' | 'f') {
                    self.antecedent(
                        doc,
                        entities,
                        &entity_actor,
                        &actors,
                        &resolved,
                        &speaker_tokens,
                        s,
                        g,
                        &inside_quote,
                    )
                } else if head.eq_ignore_ascii_case("it") {
                    self.recent_org(doc, entities, &entity_actor, s)
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
                Speaker {
                    actor,
                    name: Some(actor.map_or_else(
                        || mention.slice(doc.text).to_string(),
                        |a| actors[a].name.clone(),
                    )),
                }
            } else {
                // The entity that heads the phrase ("Secretary of State Marco Rubio", "the WSJ");
                // a phrase headed by a common noun is a group ("the Journal's sources").
                let head_entity = entities
                    .iter()
                    .enumerate()
                    .filter(|(_, en)| en.tok_start >= s && en.tok_end <= e + 1 && en.tok_end >= e)
                    .find_map(|(k, _)| entity_actor[k]);
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
                    actors
                        .iter()
                        .position(|a| matches_actor(&toks, &a.name_tokens, a.label))
                });
                if let Some(a) = actor {
                    if !actors[a].mentions.contains(&mention) && head_entity.is_none() {
                        actors[a].mentions.push(mention);
                    }
                }
                Speaker {
                    actor,
                    name: Some(actor.map_or_else(
                        || mention.slice(doc.text).to_string(),
                        |a| actors[a].name.clone(),
                    )),
                }
            };
            speakers[qi] = sp;
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
        speaker_tokens: &[usize],
        at: usize,
        gender: char,
        inside_quote: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        let ok = |a: usize| {
            actors[a].label == Label::Per && (actors[a].gender == '?' || actors[a].gender == gender)
        };
        // Person mentions before `at`: (token, actor, is_speaker).
        let mut cands: Vec<(usize, usize, bool)> = entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.tok_end <= at && e.label == Label::Per)
            .filter_map(|(k, e)| entity_actor[k].map(|a| (e.tok_start, a, false)))
            .filter(|&(t, _, _)| !inside_quote(t) || inside_quote(at))
            .collect();
        cands.extend(
            resolved
                .iter()
                .filter(|&&(t, _)| t < at)
                .map(|&(t, a)| (t, a, true)),
        );
        for c in &mut cands {
            // A mention that starts a speaker phrase is a speaker.
            if speaker_tokens.iter().any(|&s| s <= c.0 && c.0 < s + 4) {
                c.2 = true;
            }
        }
        cands.sort();
        let sent = doc.sentence_of(at);
        let in_sent = |t: usize| doc.sentence_of(t) == sent;
        // Same sentence, nearest first.
        if let Some(&(_, a, _)) = cands.iter().rev().find(|&&(t, a, _)| in_sent(t) && ok(a)) {
            return Some(a);
        }
        let lo = sent.saturating_sub(4);
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
    ) -> Option<usize> {
        let sent = doc.sentence_of(at);
        entities
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, e)| {
                e.tok_end <= at && e.label == Label::Org && sent - doc.sentence_of(e.tok_start) <= 3
            })
            .find_map(|(k, _)| entity_actor[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
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
