//! Attribution and coreference: entities become actors (mention chains), and each quote's
//! speaker mention is resolved to an actor ("he" -> Marco Rubio, "the WSJ" -> The Wall Street
//! Journal) or kept as an unnamed group ("Officials").

pub mod gender;
mod names;
mod pronouns;
mod roles;

use crate::lexicon;
use crate::ner::gazetteer::Gazetteer;
use crate::ner::{Entity, Label};
use crate::quote::Quote;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;
use gender::{Evidence, FirstNames, Gender, GenderSource};
use names::{display_name, head_phrase, matches_actor, name_tokens, NameIndex};
use pronouns::{Lookup, Mentions};

/// An actor: one person or organisation and every mention of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The fullest name in the article.
    pub name: String,
    /// PER or ORG.
    pub label: Label,
    /// Mentions in text order (entities and resolved pronouns).
    pub mentions: Vec<Span>,
    /// A person's gender with its evidence; none for organisations, and where the evidence
    /// is missing or conflicting.
    pub gender: Option<(Gender, GenderSource)>,
    /// What the article says about a person's gender so far.
    evidence: Evidence,
    /// PER with a name that looks like a person's (see `RuleResolver::person_like`).
    person: bool,
    /// Name tokens of the canonical name (for surname and acronym matching).
    name_tokens: Vec<String>,
}

/// A quote's resolved speaker.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Speaker {
    /// The actor it refers to.
    pub actor: Option<usize>,
    /// The actor's name, or the mention's text for unnamed speakers; for a group, its
    /// actors' names joined ("Marco Rubio, Steve Witkoff and Jared Kushner").
    pub name: Option<String>,
    /// For a group of named actors ("they" = Rubio, Witkoff and Kushner), their ids; `actor`
    /// is then none.
    pub group: Vec<usize>,
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

/// The rule-based resolver: name matching for chains, salience for pronouns, and the
/// first-name table for genders.
#[derive(Clone, Default)]
pub struct RuleResolver {
    names: FirstNames,
    /// Surnames and places, to tell a person's name from a mislabelled one ("Wikinews").
    gazetteer: Gazetteer,
}

impl RuleResolver {
    /// The resolver with the built-in first-name table.
    pub fn builtin() -> anyhow::Result<Self> {
        Ok(RuleResolver {
            names: FirstNames::builtin()?,
            gazetteer: Gazetteer::builtin()?,
        })
    }

    /// The resolver with a given first-name table and gazetteer.
    pub fn new(names: FirstNames, gazetteer: Gazetteer) -> Self {
        RuleResolver { names, gazetteer }
    }

    /// Adds what a person's mention `e` (name tokens `toks`) says about gender: an honorific
    /// before it or at its start, else the first name of a name of two or more words (after
    /// abbreviated titles: "Sen. Lindsey Graham").
    fn name_evidence(&self, doc: &Doc, e: &Entity, toks: &[String], ev: &mut Evidence) {
        let before = e.tok_start.checked_sub(1).map(|i| doc.tok(i));
        if let Some(g) = before
            .and_then(gender::honorific)
            .or_else(|| toks.first().and_then(|t| gender::honorific(t)))
        {
            ev.add(GenderSource::Honorific, g);
            return;
        }
        let rest = toks
            .iter()
            .position(|t| !(t.ends_with('.') && t.chars().count() > 2))
            .map_or(&[][..], |i| &toks[i..]);
        if rest.len() >= 2 {
            if let Some(g) = self.names.gender(&rest[0]) {
                ev.add(GenderSource::FirstName, g);
            }
        }
    }

    /// The one person whose full name ends in a surname one letter off the one-word name `w`
    /// (the article's own misspelling: "Wines" after "Leslie Wimes"), of gender `g` where
    /// known; never for a first name ("David" is not a misspelt "Davis").
    fn misspelt_actor(
        &self,
        index: &NameIndex,
        actors: &[Actor],
        w: &str,
        g: Option<Gender>,
    ) -> Option<usize> {
        if self.names.get(w).is_some() {
            return None;
        }
        let lw = w.to_lowercase();
        let mut found = index.misspelt(w).into_iter().filter(|&id| {
            let a = &actors[id];
            a.label == Label::Per
                && a.name_tokens.len() >= 2
                && a.name_tokens
                    .last()
                    .is_some_and(|l| names::one_letter_off(&lw, &l.to_lowercase()))
                && g.is_none_or(|g| a.evidence.prior().is_none_or(|h| h == g))
        });
        match (found.next(), found.next()) {
            (Some(a), None) => Some(a),
            _ => None,
        }
    }

    /// Does a PER actor's name look like a person's, so that "he" or "she" may mean it? Yes
    /// with an honorific or a first name, a surname last, or two or more words none of which
    /// is only a place's; not "Wikinews" or "Hong Kongers".
    fn person_like(&self, a: &Actor) -> bool {
        use crate::ner::gazetteer as gz;
        if a.evidence.prior().is_some() {
            return true;
        }
        let bits = |w: &str| self.gazetteer.get(crate::learn::hash::hash_str(w, true));
        let name = gz::FIRST_NAME | gz::SURNAME_1K | gz::SURNAME_10K | gz::SURNAME_RARE;
        let surname = gz::SURNAME_1K | gz::SURNAME_10K | gz::SURNAME_RARE;
        let place = gz::COUNTRY_WORD | gz::PLACE | gz::REGION_WORD | gz::CITY_WORD | gz::CITY;
        match &a.name_tokens[..] {
            [] => false,
            [w] => bits(w) & name != 0 || self.names.get(w).is_some(),
            toks => {
                bits(&toks[toks.len() - 1]) & surname != 0
                    || toks.iter().all(|w| {
                        let b = bits(w);
                        b & place == 0 || b & name != 0
                    })
            }
        }
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
            // What the mention itself says of gender ("Mrs. Clinton" is not Bill Clinton).
            let mut own = Evidence::default();
            if e.label == Label::Per {
                self.name_evidence(doc, e, &toks, &mut own);
            }
            let own_g = own.prior();
            let found = cands.into_iter().filter(|&id| {
                actors[id].label == e.label
                    && matches_actor(&toks, &actors[id].name_tokens, e.label)
                    && own_g.is_none_or(|g| actors[id].evidence.prior().is_none_or(|h| h == g))
            });
            // A bare name that fits several ("Johnson": Jeh Johnson and Gary Johnson) joins
            // the one named most recently before it, else the first named after it; one
            // named only later joins it within ten sentences ("President Obama" at the top
            // is not the Michelle Obama of the tenth paragraph).
            let sent_at =
                |byte: usize| doc.sentence_of(doc.tokens.partition_point(|t| t.span.start < byte));
            let here = doc.sentence_of(e.tok_start);
            let mut found = found.filter(|&id| {
                let m = &actors[id].mentions;
                e.label != Label::Per
                    || toks.len() >= actors[id].name_tokens.len()
                    || m.iter().any(|s| s.start < e.span.start)
                    || m.first().is_some_and(|s| sent_at(s.start) <= here + 10)
            });
            let found = match (found.next(), found.next()) {
                (Some(a), Some(b)) => {
                    let at = e.span.start;
                    let rank = |id: usize| {
                        let m = &actors[id].mentions;
                        let before = m.iter().filter(|s| s.start < at).map(|s| s.start).max();
                        let after = m.iter().filter(|s| s.start >= at).map(|s| s.start).min();
                        (
                            before.is_some(),
                            before.unwrap_or(0),
                            std::cmp::Reverse(after),
                        )
                    };
                    [a, b].into_iter().chain(found).max_by_key(|&id| rank(id))
                }
                (a, _) => a,
            };
            // "Mr. Ban" is Ban Ki-moon: an honorific before a word that starts a fuller name
            // and is no gendered first name (names written family name first).
            let found = found.or_else(|| match &toks[..] {
                [w] if e.label == Label::Per
                    && own.has(GenderSource::Honorific)
                    && self.names.gender(w).is_none() =>
                {
                    index.by_first(w).into_iter().find(|&id| {
                        actors[id].label == Label::Per
                            && own_g
                                .is_none_or(|g| actors[id].evidence.prior().is_none_or(|h| h == g))
                    })
                }
                _ => None,
            });
            let found = found.or_else(|| match &toks[..] {
                [w] if e.label == Label::Per => self.misspelt_actor(&index, &actors, w, own_g),
                _ => None,
            });
            let id = match found {
                Some(id) => id,
                None => {
                    let name = display_name(doc, e);
                    actors.push(Actor {
                        name,
                        label: e.label,
                        mentions: Vec::new(),
                        gender: None,
                        evidence: Evidence::default(),
                        person: false,
                        name_tokens: toks.clone(),
                    });
                    index.add(actors.len() - 1, &toks);
                    actors.len() - 1
                }
            };
            let a = &mut actors[id];
            a.evidence.merge(&own);
            a.mentions.push(e.span);
            entity_actor[k] = Some(id);
        }
        // A person only ever named by one word, a first name more than a surname ("Vanessa",
        // not "Williams"), is known by it.
        for a in &mut actors {
            if let [w] = &a.name_tokens[..] {
                if a.label == Label::Per
                    && a.evidence.prior().is_none()
                    && !self.names.mostly_surname(w)
                {
                    if let Some(g) = self.names.gender(w) {
                        a.evidence.add(GenderSource::FirstName, g);
                    }
                }
            }
        }
        for a in &mut actors {
            a.person = a.label == Label::Per && self.person_like(a);
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
        let mut lookup = Lookup::new(quotes);
        lookup.roles = Self::role_mentions(doc, entities, &entity_actor, &actors, meter);

        // 2. Speakers, in text order so that a resolved "he" helps resolve the next one.
        let mut speakers = vec![Speaker::default(); quotes.len()];
        let mut qorder: Vec<usize> = (0..quotes.len())
            .filter(|&q| quotes[q].speaker.is_some())
            .collect();
        qorder.sort_by_key(|&q| quotes[q].speaker.map(|s| s.0));
        // Speakers resolved to an actor other than through a recognized name (pronouns, names
        // the recognizer missed, roles): (token, actor), in text order.
        let mut resolved: Vec<(usize, usize)> = Vec::new();
        for qi in qorder {
            meter.add(1);
            let (s0, e0) = quotes[qi].speaker.unwrap_or((0, 0));
            let (s, e) = head_phrase(doc, entities, s0, e0);
            let mention = doc.span_of(s, e);
            let head = doc.tok(e - 1);
            let mut group = Vec::new();
            // The words a pronoun stands for where they name no actor ("the AP, which").
            let mut phrase = None;
            let actor = if e - s == 1
                && (lexicon::pronoun(head).is_some() || gender::pronoun(head).is_some())
            {
                // "he", "she", and the possessives that stand for a speaker ("his aides").
                let g = gender::pronoun(head);
                let actor = if let Some(g) = g {
                    Mentions {
                        doc,
                        entities,
                        entity_actor: &entity_actor,
                        actors: &actors,
                        resolved: &resolved,
                        lookup: &lookup,
                        own: &quotes[qi].content,
                    }
                    .antecedent(s, g, meter)
                } else if head.eq_ignore_ascii_case("it") {
                    self.recent_org(doc, entities, &entity_actor, s, meter)
                } else {
                    if head.eq_ignore_ascii_case("they") {
                        group = Self::coordinated_group(doc, entities, &entity_actor, s, meter)
                            .unwrap_or_default();
                    }
                    None
                };
                if let Some(a) = actor {
                    resolved.push((s, a));
                    actors[a].mentions.push(mention);
                    if let Some(g) = g {
                        actors[a].evidence.add(GenderSource::Pronoun, g);
                    }
                }
                actor
            } else if e - s == 1 && matches!(head, "who" | "which") {
                // A relative pronoun stands for the name right before it ("Jane Smith, who ...").
                let end = if s > 0 && matches!(doc.tok(s - 1), "," | "\u{2014}" | "\u{2013}" | "--")
                {
                    s - 1
                } else {
                    s
                };
                let mut actor = Self::relative_antecedent(doc, entities, &entity_actor, end);
                if head == "who" && actor.is_none_or(|a| actors[a].label != Label::Per) {
                    // A person's "who" past a description of them.
                    actor = Self::appositive_person(doc, entities, &entity_actor, end).or(actor);
                }
                if actor.is_none() && head == "which" {
                    phrase = Self::relative_phrase(doc, end);
                }
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
                // A speaker phrase that is only the place a "who" follows is the person from
                // there ("Donna Sampson Rawlings, 59, of Ashton, Md., who watched ...").
                let from_place = if head_entity.is_none() && e < doc.tokens.len() {
                    let who = if doc.tok(e) == "," { e + 1 } else { e };
                    (who < doc.tokens.len() && doc.tok(who) == "who")
                        .then(|| Self::relative_antecedent(doc, entities, &entity_actor, e))
                        .flatten()
                        .filter(|&a| actors[a].label == Label::Per)
                } else {
                    None
                };
                // Unless the description gives way to a name of its own ("..., the president
                // of the league, Jamel Msallem, said").
                let described = (s == s0)
                    .then(|| Self::described_person(doc, entities, &entity_actor, (s0, e0)))
                    .flatten();
                let actor = described.or(head_entity).or(from_place).or_else(|| {
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
                        .or_else(|| match &toks[..] {
                            [w] => self.misspelt_actor(&index, &actors, w, None),
                            _ => None,
                        })
                });
                // A title or role the article has given someone ("the senator").
                let actor = actor.or_else(|| {
                    Self::role_antecedent(doc, entities, &entity_actor, &actors, (s, e), meter)
                });
                if let (Some(a), None, None) = (actor, head_entity, from_place) {
                    // Duplicates go at the end (sort and dedup).
                    actors[a].mentions.push(mention);
                    // A speaker the recognizer missed ("Trump responded ...") is one a later
                    // "he" may mean, as much as a recognized one.
                    resolved.push((s, a));
                }
                actor
            };
            let name = match (actor, &group[..]) {
                (Some(a), _) => actors[a].name.clone(),
                (None, []) => match phrase {
                    Some((a, b)) => doc.span_of(a, b).slice(doc.text).to_string(),
                    None => mention.slice(doc.text).to_string(),
                },
                (None, [init @ .., last]) => {
                    let init: Vec<&str> = init.iter().map(|&a| actors[a].name.as_str()).collect();
                    format!("{} and {}", init.join(", "), actors[*last].name)
                }
            };
            speakers[qi] = Speaker {
                actor,
                name: Some(name),
                group,
            };
        }
        // An "I" inside someone's direct quotation is that quotation's speaker (whose name
        // may come after it: "'I told him,' Smith said").
        for qi in 0..quotes.len() {
            let Some((s, e)) = quotes[qi].speaker else {
                continue;
            };
            if speakers[qi].actor.is_some() || e - s != 1 || !matches!(doc.tok(s), "I" | "me") {
                continue;
            }
            meter.add(1);
            let outer = lookup
                .enclosing_quote(doc, s)
                .filter(|&qj| qj != qi && speakers[qj].actor.is_some());
            if let Some(qj) = outer {
                let a = speakers[qj].actor;
                speakers[qi].actor = a;
                speakers[qi].name = speakers[qj].name.clone();
                if let Some(a) = a {
                    actors[a].mentions.push(doc.span_of(s, e));
                }
            }
        }

        // An "I" outside every quotation, in first-person writing, is its author where the
        // article names one after it: the next signature, or the note on the writer at the
        // end.
        let mut authors: Option<Vec<(usize, usize)>> = None;
        for qi in 0..quotes.len() {
            let Some((s, e)) = quotes[qi].speaker else {
                continue;
            };
            if speakers[qi].actor.is_some()
                || e - s != 1
                || !matches!(doc.tok(s), "I" | "me")
                || lookup.enclosing_quote(doc, s).is_some()
            {
                continue;
            }
            let authors =
                authors.get_or_insert_with(|| Self::authors(doc, entities, &entity_actor));
            meter.add(1);
            // Authors come in text order: the first at or after this paragraph.
            let p = doc.paragraph_of(s);
            if let Some(&(_, a)) = authors.get(authors.partition_point(|&(ap, _)| ap < p)) {
                speakers[qi].actor = Some(a);
                speakers[qi].name = Some(actors[a].name.clone());
                actors[a].mentions.push(doc.span_of(s, e));
            }
        }

        // 3. Every "he", "she", "his", "her" that is no speaker tells its antecedent's gender
        // (after the speakers, whose resolution it would otherwise sway). One that finds no
        // one of its gender, right after a person the names gave the other gender ("McNeill"
        // after "Louis McNeill": his wife), puts that first-name estimate in doubt.
        let mut speaker_tokens: Vec<usize> = quotes
            .iter()
            .filter_map(|q| q.speaker)
            .filter(|&(s, e)| e - s == 1)
            .map(|(s, _)| s)
            .collect();
        speaker_tokens.sort_unstable();
        for i in 0..doc.tokens.len() {
            let Some(g) = gender::pronoun(doc.tok(i)) else {
                continue;
            };
            if speaker_tokens.binary_search(&i).is_ok() {
                continue;
            }
            let found = Mentions {
                doc,
                entities,
                entity_actor: &entity_actor,
                actors: &actors,
                resolved: &resolved,
                lookup: &lookup,
                own: &[],
            }
            .antecedent(i, g, meter);
            if let Some(a) = found {
                actors[a].evidence.add(GenderSource::Pronoun, g);
            } else if let Some(a) = Self::last_person(doc, entities, &entity_actor, i) {
                if !actors[a].evidence.admits(g) {
                    actors[a].evidence.contradict();
                }
            }
        }

        for a in &mut actors {
            a.mentions.sort();
            a.mentions.dedup();
            if a.label == Label::Per {
                a.gender = a.evidence.decide();
            }
        }
        Attribution {
            actors,
            entity_actor,
            speakers,
        }
    }
}
