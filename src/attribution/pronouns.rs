//! Pronoun speakers: the person a "he" or "she" means, the organisation an "it" means, and
//! the positions (quotations, speaker phrases) that help decide.

use super::gender::Gender;
use super::{Actor, RuleResolver};
use crate::ner::{Entity, Label};
use crate::quote::Quote;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;

/// The actor of the person whose name ends right before token `end` (a comma), if one does.
fn person_ending_at(
    entities: &[Entity],
    entity_actor: &[Option<usize>],
    end: usize,
) -> Option<usize> {
    let k = entities.partition_point(|en| en.tok_end < end);
    entities
        .get(k)
        .filter(|en| en.tok_end == end && en.label == Label::Per)
        .and_then(|_| entity_actor[k])
}

/// Sentences a chain of opening pronouns is followed back at most.
const MAX_CHAIN: usize = 3;

/// The "he" or "she" of `gender` that opens sentence `s` (after an opening conjunction or
/// quotation mark), if one does.
fn opening_pronoun(doc: &Doc, s: usize, gender: Gender) -> Option<usize> {
    let (ss, se) = doc.sentences[s];
    let mut i = ss;
    while i < se
        && i < ss + 2
        && (doc.tokens[i].kind == TokenKind::Quote
            || matches!(doc.tok(i), "And" | "But" | "So" | "Yet"))
    {
        i += 1;
    }
    let w = doc.tok(i.min(se.saturating_sub(1)));
    (i < se
        && matches!(w, "He" | "he" | "She" | "she")
        && super::gender::pronoun(w) == Some(gender))
    .then_some(i)
}

/// What a pronoun's antecedent is chosen from: the document, its people and the speakers
/// already resolved before it.
pub(super) struct Mentions<'a> {
    pub(super) doc: &'a Doc<'a>,
    pub(super) entities: &'a [Entity],
    pub(super) entity_actor: &'a [Option<usize>],
    pub(super) actors: &'a [Actor],
    /// Speakers resolved other than through a recognized name (pronouns, names the
    /// recognizer missed, roles): (token, actor), sorted.
    pub(super) resolved: &'a [(usize, usize)],
    pub(super) lookup: &'a Lookup,
    /// The content of the quote whose speaker is being resolved (none for other pronouns):
    /// no one named inside it is its speaker ("People like Scott, he said").
    pub(super) own: &'a [Span],
}

impl Mentions<'_> {
    /// The person a "he" or "she" at token `at` refers to: in the same sentence the nearest
    /// person before it; else, sentence by sentence backwards, the speakers of that sentence,
    /// then its subject, then its other people.
    pub(super) fn antecedent(&self, at: usize, gender: Gender, meter: &mut Meter) -> Option<usize> {
        self.antecedent_at_depth(at, gender, 0, meter)
    }

    /// [`Self::antecedent`], `depth` pronouns back along a chain of sentences that open with
    /// one ("She has faced ... She has called ... She said").
    fn antecedent_at_depth(
        &self,
        at: usize,
        gender: Gender,
        depth: usize,
        meter: &mut Meter,
    ) -> Option<usize> {
        let Mentions {
            doc,
            entities,
            entity_actor,
            actors,
            resolved,
            lookup,
            own,
        } = *self;
        let ok_loose =
            |a: usize| actors[a].label == Label::Per && actors[a].evidence.admits(gender);
        let ok_far = |a: usize| actors[a].person && ok_loose(a);
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
        let q0 = lookup.roles.partition_point(|&(t, _)| t < window_start);
        cands.extend(
            lookup.roles[q0..]
                .iter()
                .take_while(|&&(t, _)| t < at)
                .map(|&(t, a)| (t, a, false)),
        );
        for c in &mut cands {
            // A mention that starts a speaker phrase is a speaker.
            if lookup.starts_speaker(c.0) {
                c.2 = true;
            }
        }
        // Someone named inside the quote's own words is not its speaker where a speaker of
        // this gender stands in the window ("People like Scott, he said" after Brooks's
        // quotation), but may be where no one else does ("Ms. Nwanguma was shocked by the
        // reaction, she said").
        let in_own = |t: usize| {
            let b = doc.tokens[t].span.start;
            own.iter().any(|s| s.start <= b && b < s.end)
        };
        if cands.iter().any(|c| c.2 && !in_own(c.0) && ok_loose(c.1)) {
            cands.retain(|c| !in_own(c.0));
        }
        cands.sort();
        // Each candidate is looked at once per sentence of the window at most.
        meter.add((cands.len() * (sent - lo + 1)) as u64);
        let in_sent = |t: usize| doc.sentence_of(t) == sent;
        // People whose names look like people's first, then any PER.
        for strict in [true, false] {
            // A name that is a quote's whole speaker counts as a person's: PER, and saying
            // something ("McLenney said").
            let ok_c = |c: &(usize, usize, bool)| {
                ok_loose(c.1) && (!strict || actors[c.1].person || lookup.is_speaker(c.0))
            };
            // Same sentence, nearest first.
            if let Some(&(_, a, _)) = cands.iter().rev().find(|c| in_sent(c.0) && ok_c(c)) {
                return Some(a);
            }
            let mut chained = false;
            for s in (lo..sent).rev() {
                let (ss, _) = doc.sentences[s];
                // A sentence that opens with "he" or "she" of this gender goes on about
                // whoever that pronoun means, whoever else it names ("She has faced ...
                // investigating his wife, Hillary Clinton ... She said" is still Lynch).
                // Only in one voice: a "he" of the narration is not one of a quotation.
                // Only the nearest such sentence is followed (one call a level, not a tree).
                let voice = |t: usize| lookup.inside_quote(doc, t) == at_in_quote;
                if let Some(p) =
                    opening_pronoun(doc, s, gender).filter(|&p| strict && !chained && voice(p))
                {
                    chained = true;
                    let k = resolved.partition_point(|&(t, _)| t < p);
                    if let Some(&(_, a)) = resolved.get(k).filter(|r| r.0 == p) {
                        return Some(a);
                    }
                    if depth < MAX_CHAIN {
                        if let Some(a) = self.antecedent_at_depth(p, gender, depth + 1, meter) {
                            return Some(a);
                        }
                    }
                }
                let here: Vec<&(usize, usize, bool)> = cands
                    .iter()
                    .filter(|c| doc.sentence_of(c.0) == s && ok_c(c))
                    .collect();
                // A speaker of the sentence's own, before one reported inside another's
                // words ("Earnest said that Obama has long called for ...").
                if let Some(c) = here
                    .iter()
                    .rev()
                    .find(|c| c.2 && !lookup.inside_content(doc, c.0))
                    .or_else(|| here.iter().rev().find(|c| c.2))
                {
                    return Some(c.1);
                }
                if let Some(c) = here.iter().find(|c| c.0 <= ss + 1) {
                    return Some(c.1);
                }
                if let Some(c) = here.first() {
                    return Some(c.1);
                }
            }
        }
        // Nobody of its gender in the window: of the last such speaker before it and the
        // last such person named in the eight sentences before the window, the later; not
        // for a pronoun down a chain (the chain has already reached back past the window).
        if depth > 0 {
            return None;
        }
        let far = doc.sentences[sent.saturating_sub(12)].0;
        let r1 = resolved.partition_point(|&(t, _)| t < at);
        let speaker = resolved[..r1]
            .iter()
            .rev()
            .find(|&&(_, a)| ok_far(a))
            .copied();
        let f0 = entities.partition_point(|e| e.tok_start < far);
        let named = entities[f0..first]
            .iter()
            .enumerate()
            .rev()
            .inspect(|_| meter.add(1))
            .filter(|(_, e)| e.label == Label::Per)
            .filter_map(|(k, e)| entity_actor[f0 + k].map(|a| (e.tok_start, a)))
            .find(|&(_, a)| ok_far(a));
        match (speaker, named) {
            (Some(s), Some(n)) => Some(if n.0 > s.0 { n.1 } else { s.1 }),
            (s, n) => s.or(n).map(|x| x.1),
        }
    }
}

impl RuleResolver {
    /// The actor a relative pronoun whose phrase ends at token `end` stands for: the name
    /// right before it ("Jane Smith, who"), or the person before a place that describes them
    /// ("Donna Sampson Rawlings of Baltimore, Md., who").
    pub(super) fn relative_antecedent(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        end: usize,
    ) -> Option<usize> {
        let mut end = end;
        for _ in 0..3 {
            // Past an age after the name ("Donna Sampson Rawlings, 59, of Ashton, Md., who").
            if end >= 2
                && doc.tok(end - 2) == ","
                && doc.tok(end - 1).len() <= 3
                && doc.tok(end - 1).bytes().all(|b| b.is_ascii_digit())
            {
                end -= 2;
            }
            let k = entities.partition_point(|en| en.tok_end < end);
            let en = entities.get(k).filter(|en| en.tok_end == end)?;
            if en.label != Label::Loc {
                return entity_actor[k];
            }
            // Step back over the place and the "of", "from" or "in" (and commas) before it.
            let mut j = en.tok_start;
            while j > 0 && matches!(doc.tok(j - 1), "," | "of" | "from" | "in") {
                j -= 1;
            }
            if j == en.tok_start || j + 3 < en.tok_start {
                return None;
            }
            end = j;
        }
        None
    }

    /// The person a "who" whose phrase ends at token `end` means across an appositive
    /// ("McConnell, now the Senate majority leader, who"; "John Bentel, a tech staffer at the
    /// State Department who"): a person's name that ends at the last comma of the eight tokens
    /// before, within the sentence.
    pub(super) fn appositive_person(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        end: usize,
    ) -> Option<usize> {
        let first = doc.sentences.get(doc.sentence_of(end.checked_sub(1)?))?.0;
        let c = (end.saturating_sub(9).max(first)..end)
            .rev()
            .find(|&i| doc.tok(i) == ",")?;
        // A description, not a clause: no quotation mark and no verb of saying in it
        // ("side of Trump," said one former staffer, who ...").
        let description = (c + 1..end).all(|i| {
            let w = doc.tok(i);
            let verb = w.chars().next().is_some_and(char::is_lowercase)
                && crate::lexicon::cue_class(w).is_some();
            doc.tokens[i].kind != TokenKind::Quote && !verb
        });
        if c + 1 >= end || !description {
            return None;
        }
        person_ending_at(entities, entity_actor, c)
    }

    /// The person a speaker phrase `[s, e)` describes when it is a description set off by
    /// commas or dashes ("a", "an" or "the" first) right after that person's name: "Tomasz
    /// Kubiak, a fire service spokesman, told" is Tomasz Kubiak, "Donald Tusk, the current
    /// President of the European Council, wrote" is Donald Tusk, not the council. Without the
    /// closing comma the phrase is a clause's own subject ("with Obama, the White House
    /// announced"), and all in capitals it is a name of its own.
    pub(super) fn described_person(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        (s, e): (usize, usize),
    ) -> Option<usize> {
        let comma = s.checked_sub(1)?;
        let set_off = |i: usize| {
            i < doc.tokens.len() && matches!(doc.tok(i), "," | "--" | "\u{2014}" | "\u{2013}")
        };
        // A description has a common word in it; "the American Independent Party" is a name.
        let common = (s + 1..e).any(|i| {
            doc.tokens[i].kind == TokenKind::Word
                && doc.tok(i).chars().next().is_some_and(char::is_lowercase)
        });
        if !set_off(comma) || !set_off(e) || !matches!(doc.tok(s), "a" | "an" | "the") || !common {
            return None;
        }
        person_ending_at(entities, entity_actor, comma)
    }

    /// The phrase a "which" whose phrase ends at token `end` stands for when no name ends
    /// there: "the" and up to three words after it ("the AP, which"; "the Saudi government,
    /// which"), none of them a verb or preposition as far as their form tells ("the video was
    /// released, which" is a clause), and such a phrase before it and "of".
    pub(super) fn relative_phrase(doc: &Doc, end: usize) -> Option<(usize, usize)> {
        let the = (end.saturating_sub(4)..end)
            .rev()
            .find(|&i| doc.tok(i).eq_ignore_ascii_case("the"))?;
        let noun = |i: usize| {
            let w = doc.tok(i);
            let lower = w.chars().next().is_some_and(char::is_lowercase);
            doc.tokens[i].kind == TokenKind::Word
                && !(lower
                    && (w.ends_with("ed")
                        || crate::lexicon::is_np_stop(w)
                        || crate::lexicon::is_preposition(w)))
        };
        if !((the + 1..end).all(noun) && the + 1 < end) {
            return None;
        }
        // The phrase goes on leftwards past "of" ("the Supreme Court of the United States").
        match the.checked_sub(1).filter(|&o| doc.tok(o) == "of") {
            Some(of) => Some((Self::relative_phrase(doc, of).map_or(the, |p| p.0), end)),
            None => Some((the, end)),
        }
    }

    /// The named actors a "they" at token `at` means when the article has just coordinated
    /// them as a sentence's subject ("Rubio, Witkoff and Kushner hastily organized ... they
    /// pledge"): the last such list of two or more names, joined by commas and "and", that
    /// opens its sentence, in one of the two sentences before the pronoun's (within its own
    /// sentence a "they" has nearer plurals: "McConnell and Ryan remain confident despite a
    /// few early supporters ... now saying they think").
    pub(super) fn coordinated_group(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        at: usize,
        meter: &mut Meter,
    ) -> Option<Vec<usize>> {
        let sent = doc.sentence_of(at);
        let from = doc.sentences[sent.saturating_sub(2)].0;
        let lo = entities.partition_point(|e| e.tok_start < from);
        let hi = entities.partition_point(|e| e.tok_end <= doc.sentences[sent].0);
        let mut best = None;
        let mut k = lo;
        while k < hi {
            meter.add(1);
            let label = entities[k].label;
            let opens = {
                let ss = doc.sentences[doc.sentence_of(entities[k].tok_start)].0;
                entities[k].tok_start <= ss + 1
            };
            // Extend the list while only commas and one "and" stand between names.
            let mut j = k;
            let mut joined = false;
            while j + 1 < hi && entities[j + 1].label == label {
                let gap: Vec<&str> = (entities[j].tok_end..entities[j + 1].tok_start)
                    .map(|t| doc.tok(t))
                    .collect();
                let ok = match gap[..] {
                    [","] => true,
                    ["and"] | [",", "and"] | ["&"] => {
                        joined = true;
                        true
                    }
                    _ => false,
                };
                if !ok {
                    break;
                }
                j += 1;
                if joined {
                    break;
                }
            }
            if opens && joined && matches!(label, Label::Per | Label::Org) {
                let mut ids: Vec<usize> = (k..=j).filter_map(|i| entity_actor[i]).collect();
                ids.dedup();
                if ids.len() == j - k + 1 && ids.len() >= 2 {
                    best = Some(ids);
                }
            }
            k = j + 1;
        }
        best
    }

    /// The actor of the person named last before token `at`, in its sentence or the one
    /// before.
    pub(super) fn last_person(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
        at: usize,
    ) -> Option<usize> {
        let from = doc.sentences[doc.sentence_of(at).saturating_sub(1)].0;
        let end = entities.partition_point(|e| e.tok_start < at);
        entities[..end]
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, e)| e.tok_start >= from)
            .find(|(_, e)| e.tok_end <= at && e.label == Label::Per)
            .and_then(|(k, _)| entity_actor[k])
    }

    /// The authors that first-person writing names: each paragraph that only signs a name of
    /// two or more words (as under letters to the editor), and an article's closing
    /// paragraph that introduces its author ("Charlotte Meehan is playwright-in-residence at
    /// ...", an opinion piece's note on its writer), as (paragraph, actor), in text order.
    pub(super) fn authors(
        doc: &Doc,
        entities: &[Entity],
        entity_actor: &[Option<usize>],
    ) -> Vec<(usize, usize)> {
        let last = doc.paragraphs.len().saturating_sub(1);
        let mut out = Vec::new();
        for (k, e) in entities.iter().enumerate() {
            let Some(a) = entity_actor[k] else { continue };
            let words = (e.tok_start..e.tok_end)
                .filter(|&i| doc.tokens[i].kind == TokenKind::Word)
                .count();
            if e.label != Label::Per || words < 2 {
                continue;
            }
            let p = doc.paragraph_of(e.tok_start);
            let (ps, pe) = doc.paragraphs[p];
            if e.tok_start != ps {
                continue;
            }
            let signs = (e.tok_end..pe).all(|i| doc.tokens[i].kind == TokenKind::Punct);
            let introduces = p == last
                && e.tok_end < pe
                && matches!(doc.tok(e.tok_end), "is" | "was" | "writes");
            if signs || introduces {
                out.push((p, a));
            }
        }
        out
    }

    /// The most recent organisation before token `at` within three sentences.
    pub(super) fn recent_org(
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

/// Sorted positions for quick questions during resolution.
pub(super) struct Lookup {
    /// Byte spans of direct quotations' contents, by start, with their quote's index.
    direct: Vec<(Span, usize)>,
    /// First tokens of speaker phrases, sorted.
    speakers: Vec<usize>,
    /// "the ROLE" phrases that name a person: (first token, actor), sorted.
    pub(super) roles: Vec<(usize, usize)>,
    /// Byte spans of every quote's content, by start.
    contents: Vec<Span>,
}

impl Lookup {
    pub(super) fn new(quotes: &[Quote]) -> Self {
        let mut direct: Vec<(Span, usize)> = quotes
            .iter()
            .enumerate()
            .filter(|(_, q)| q.kind == crate::quote::QuoteKind::Direct)
            .flat_map(|(i, q)| q.content.iter().map(move |&c| (c, i)))
            .collect();
        direct.sort();
        let mut speakers: Vec<usize> = quotes
            .iter()
            .filter_map(|q| q.speaker.map(|s| s.0))
            .collect();
        speakers.sort_unstable();
        let mut contents: Vec<Span> = quotes
            .iter()
            .flat_map(|q| q.content.iter().copied())
            .collect();
        contents.sort();
        Lookup {
            direct,
            speakers,
            roles: Vec::new(),
            contents,
        }
    }

    /// The direct quotation token `i` stands in, if any (of the four that start last before
    /// it, the nearest).
    pub(super) fn enclosing_quote(&self, doc: &Doc, i: usize) -> Option<usize> {
        let b = doc.tokens[i].span.start;
        let k = self.direct.partition_point(|(s, _)| s.start <= b);
        self.direct[..k]
            .iter()
            .rev()
            .take(4)
            .find(|(s, _)| b < s.end)
            .map(|&(_, q)| q)
    }

    /// Does token `i` stand inside some quote's content (of the eight that start last before
    /// it)?
    fn inside_content(&self, doc: &Doc, i: usize) -> bool {
        let b = doc.tokens[i].span.start;
        let k = self.contents.partition_point(|s| s.start <= b);
        self.contents[..k].iter().rev().take(8).any(|s| b < s.end)
    }

    /// Is token `i` inside a direct quotation?
    fn inside_quote(&self, doc: &Doc, i: usize) -> bool {
        self.enclosing_quote(doc, i).is_some()
    }

    /// Does a speaker phrase start at token `t`?
    fn is_speaker(&self, t: usize) -> bool {
        self.speakers.binary_search(&t).is_ok()
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
    use crate::tokenize::{NewsSegmenter, Segmenter};

    fn per(doc: &Doc, a: usize, b: usize) -> Entity {
        Entity {
            tok_start: a,
            tok_end: b,
            span: doc.span_of(a, b),
            label: Label::Per,
            score: 1.0,
        }
    }

    fn at(doc: &Doc, w: &str) -> usize {
        (0..doc.tokens.len()).find(|&i| doc.tok(i) == w).unwrap()
    }

    /// `described_person` of `text`, with `name` (first and last word) a person whose actor
    /// is `actor` and the speaker phrase running from word `from` through word `to`.
    fn described(
        text: &str,
        name: (&str, &str),
        actor: Option<usize>,
        phrase: (&str, &str),
    ) -> Option<usize> {
        let doc = NewsSegmenter.segment(text);
        let ents = [per(&doc, at(&doc, name.0), at(&doc, name.1) + 1)];
        let phrase = (at(&doc, phrase.0), at(&doc, phrase.1) + 1);
        RuleResolver::described_person(&doc, &ents, &[actor], phrase)
    }

    #[test]
    fn a_description_set_off_after_a_name_is_that_person() {
        let text = "Tomasz Kubiak, a fire service spokesman, told reporters so.";
        let name = ("Tomasz", "Kubiak");
        let phrase = ("a", "spokesman");
        assert_eq!(described(text, name, Some(0), phrase), Some(0));
        // Not an actor of its own: no description.
        assert_eq!(described(text, name, None, phrase), None);
        // Without the closing comma the phrase is the clause's own subject.
        let text = "After a talk with Barack Obama, the White House staff announced it.";
        assert_eq!(
            described(text, ("Barack", "Obama"), Some(0), ("the", "staff")),
            None
        );
        // A phrase all in capitals is a name, not a description of the one before it.
        let text = "Unlike Harris, the American Independent Party, a small one, said so.";
        assert_eq!(
            described(text, ("Harris", "Harris"), Some(0), ("the", "Party")),
            None
        );
    }
}
