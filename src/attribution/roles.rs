//! Titles and roles as speakers ("the senator", "the president", "the Republican nominee",
//! "the newspaper", "the commission"): the actor the article has given that title or role,
//! where it has made it clear.

use super::{Actor, RuleResolver};
use crate::ner::{Entity, Label};
use crate::tokenize::Doc;
use crate::work::Meter;

/// Heads of roles that name one person, with the title forms written before a name.
const PERSON_ROLES: &[(&str, &[&str])] = &[
    ("president", &["President", "Pres."]),
    ("senator", &["Senator", "Sen.", "Sen"]),
    ("governor", &["Governor", "Gov.", "Gov"]),
    ("mayor", &["Mayor"]),
    ("congressman", &["Rep.", "Congressman"]),
    ("congresswoman", &["Rep.", "Congresswoman"]),
    ("representative", &["Rep.", "Representative"]),
    ("secretary", &["Secretary"]),
    ("minister", &["Minister"]),
    ("chancellor", &["Chancellor"]),
    ("chairman", &["Chairman"]),
    ("chairwoman", &["Chairwoman"]),
    ("judge", &["Judge"]),
    ("justice", &["Justice"]),
    ("general", &["General", "Gen."]),
    ("ambassador", &["Ambassador"]),
    ("prosecutor", &["Prosecutor"]),
    ("speaker", &["Speaker"]),
    ("nominee", &[]),
    ("candidate", &[]),
    ("businessman", &[]),
    ("businesswoman", &[]),
    ("billionaire", &[]),
    ("lawmaker", &[]),
    ("leader", &["Leader"]),
    ("premier", &["Premier"]),
    ("spokesman", &[]),
    ("spokeswoman", &[]),
];

/// Heads of roles that name an organisation, and words its name may end in.
const ORG_ROLES: &[(&str, &[&str])] = &[
    (
        "newspaper",
        &[
            "Times",
            "Post",
            "Journal",
            "News",
            "Herald",
            "Tribune",
            "Guardian",
            "Telegraph",
            "Gazette",
            "Globe",
            "Independent",
        ],
    ),
    (
        "daily",
        &[
            "Times",
            "Post",
            "Journal",
            "News",
            "Herald",
            "Tribune",
            "Guardian",
            "Telegraph",
        ],
    ),
    (
        "paper",
        &[
            "Times", "Post", "Journal", "News", "Herald", "Tribune", "Guardian",
        ],
    ),
    (
        "company",
        &[
            "Inc", "Inc.", "Corp", "Corp.", "Company", "Co.", "Ltd", "Group",
        ],
    ),
    (
        "firm",
        &["Inc", "Inc.", "Corp", "Corp.", "LLP", "Ltd", "Group"],
    ),
    ("commission", &["Commission"]),
    ("committee", &["Committee"]),
    ("court", &["Court"]),
    ("agency", &["Agency", "Administration"]),
    ("department", &["Department"]),
    ("ministry", &["Ministry"]),
    ("party", &["Party"]),
    ("council", &["Council"]),
    ("university", &["University"]),
    ("bank", &["Bank"]),
    ("union", &["Union"]),
    ("network", &["News", "Network", "Broadcasting"]),
];

/// How far before a name a title may stand ("Secretary of State Marco Rubio"), and after it
/// an appositive's role ("Donald Trump, the Republican presidential nominee").
const TITLE_SPAN: usize = 4;
const APPOSITIVE_SPAN: usize = 6;
/// Most entities looked at before a role speaker.
const MAX_LOOKBACK: usize = 300;

impl RuleResolver {
    /// The actor a speaker phrase `[s, e)` of the form "the ROLE" ("the senator", "the
    /// Republican nominee", "the newspaper") means: the last person before it the article
    /// titled so ("Sen. Ted Cruz") or described so in an appositive ("Trump, the Republican
    /// nominee,"), or for organisations the last one whose name ends in the role's word
    /// ("the commission": the European Commission) or so described.
    pub(super) fn role_antecedent(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        actors: &[Actor],
        (s, e): (usize, usize),
        meter: &mut Meter,
    ) -> Option<usize> {
        if e - s < 2 || e - s > 5 || !doc.tok(s).eq_ignore_ascii_case("the") {
            return None;
        }
        // Every word lowercase after "the" ("the Republican nominee" allows one capital).
        let words: Vec<&str> = (s + 1..e).map(|i| doc.tok(i)).collect();
        let head = words[words.len() - 1];
        if !head.chars().all(|c| c.is_lowercase()) {
            return None;
        }
        let modifiers = &words[..words.len() - 1];
        let person = PERSON_ROLES.iter().find(|(h, _)| *h == head);
        let org = ORG_ROLES.iter().find(|(h, _)| *h == head);
        let (label, titles) = match (person, org) {
            (Some((_, t)), _) => (Label::Per, *t),
            (None, Some((_, t))) => (Label::Org, *t),
            _ => return None,
        };
        let end = entities.partition_point(|en| en.tok_end <= s);
        for k in (end.saturating_sub(MAX_LOOKBACK)..end).rev() {
            meter.add(1);
            let en = &entities[k];
            let Some(a) = entity_actor[k] else { continue };
            if en.label != label || actors[a].label != label {
                continue;
            }
            // A title right before the name, or (organisations) the name's own last word.
            let titled = match label {
                Label::Per => Self::titled(doc, en.tok_start, titles, modifiers),
                _ => {
                    titles.contains(&doc.tok(en.tok_end - 1))
                        && lowercase(modifiers).all(|m| {
                            (en.tok_start..en.tok_end).any(|i| doc.tok(i).eq_ignore_ascii_case(m))
                        })
                }
            };
            if titled || Self::described(doc, en.tok_end, head, modifiers) {
                return Some(a);
            }
        }
        None
    }

    /// Is the name starting at token `start` written after one of `titles` ("Sen. Ted Cruz",
    /// "Secretary of State Marco Rubio"), with nothing but capitalized words and "of" between,
    /// and with the speaker phrase's lowercase `modifiers` ("former") among the words before
    /// it? A "Vice" or "Deputy" before the title makes it another title.
    fn titled(doc: &Doc, start: usize, titles: &[&str], modifiers: &[&str]) -> bool {
        let Some(t) = (start.saturating_sub(TITLE_SPAN)..start)
            .rev()
            .find(|&i| titles.contains(&doc.tok(i)))
        else {
            return false;
        };
        let between_ok = (t + 1..start).all(|i| {
            let w = doc.tok(i);
            w == "of" || w.starts_with(char::is_uppercase)
        });
        let before: Vec<&str> = (t.saturating_sub(2)..t).map(|i| doc.tok(i)).collect();
        let other_title = before
            .last()
            .is_some_and(|w| matches!(*w, "Vice" | "vice" | "Deputy" | "deputy" | "Lt." | "Lt"));
        let unqualified = before
            .last()
            .is_some_and(|w| w.eq_ignore_ascii_case("former") || *w == "ex-")
            && !modifiers.iter().any(|m| m.eq_ignore_ascii_case("former"));
        between_ok
            && !other_title
            && !unqualified
            && lowercase(modifiers)
                .all(|m| (t.saturating_sub(2)..start).any(|i| doc.tok(i).eq_ignore_ascii_case(m)))
    }

    /// Every "the ROLE" phrase of a person's role in the text ("the president", "the
    /// Republican nominee") that names someone: (its first token, the actor), in text order.
    /// They become candidates for the pronouns after them ("The president's roots ... he").
    pub(super) fn role_mentions(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        actors: &[Actor],
        meter: &mut Meter,
    ) -> Vec<(usize, usize)> {
        let n = doc.tokens.len();
        let mut out = Vec::new();
        for i in 0..n {
            if !doc.tok(i).eq_ignore_ascii_case("the") {
                continue;
            }
            let Some(h) = (i + 1..(i + 4).min(n))
                .find(|&j| PERSON_ROLES.iter().any(|(r, _)| *r == doc.tok(j)))
            else {
                continue;
            };
            let span = (i, h + 1);
            if let Some(a) = Self::role_antecedent(doc, entities, entity_actor, actors, span, meter)
            {
                if actors[a].label == Label::Per {
                    out.push((i, a));
                }
            }
        }
        out
    }

    /// Does an appositive right after a name ending at token `end` give it the role `head`
    /// (", the Republican presidential nominee", ", a senator from Texas")? Its modifiers
    /// must include the speaker phrase's (`modifiers`, "Republican" for "the Republican
    /// nominee").
    fn described(doc: &Doc, end: usize, head: &str, modifiers: &[&str]) -> bool {
        if end >= doc.tokens.len() || doc.tok(end) != "," {
            return false;
        }
        let stop = (end + 1 + APPOSITIVE_SPAN).min(doc.tokens.len());
        let Some(h) = (end + 1..stop)
            .take_while(|&i| !matches!(doc.tok(i), "," | "." | ";" | "(" | ")"))
            .find(|&i| doc.tok(i) == head)
        else {
            return false;
        };
        let span: Vec<&str> = (end + 1..h).map(|i| doc.tok(i)).collect();
        matches!(span.first(), Some(&"the") | Some(&"a") | Some(&"an"))
            && modifiers.iter().all(|m| span.contains(m))
    }
}

/// The modifiers written in lowercase ("former", "health"; not "Republican").
fn lowercase<'a>(modifiers: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    modifiers
        .iter()
        .copied()
        .filter(|m| m.chars().next().is_some_and(char::is_lowercase))
}
