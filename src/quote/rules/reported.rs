//! Reported speech: "X said (that) ...", "According to X, ...", "..., X said.", polls.

use super::{Detector, Quotation};
use crate::lexicon::{self, CueClass};
use crate::quote::{Quote, QuoteKind, Rule};
use crate::tokenize::TokenKind;

impl<'d, 'a> Detector<'d, 'a> {
    /// Reported speech, found from cue words.
    pub(super) fn reported_speech(
        &mut self,
        quotations: &[Quotation],
        direct: &[Quote],
    ) -> Vec<Quote> {
        let doc = self.doc;
        let n = doc.tokens.len();
        let mut out = Vec::new();
        let quote_start: Vec<bool> = {
            let mut v = vec![false; n + 1];
            for q in quotations {
                v[q.open] = true;
            }
            v
        };
        // Words inside an attributed quotation are its speaker's, not the writer's: their cues
        // ("you called them miracles") attribute nothing. (A quoted passage without a speaker,
        // such as an article quoted whole, keeps its attributions.)
        let mut quoted = vec![false; n + 1];
        for d in direct
            .iter()
            .filter(|d| d.cue.is_some() || d.speaker.is_some())
        {
            for c in &d.content {
                let (a, b) = (self.token_at(c.start), self.token_at(c.end));
                for x in &mut quoted[a..b.min(n)] {
                    *x = true;
                }
            }
        }
        for q in quotations {
            let (ps, pe) = self.para_bounds(q.open);
            let whole_paragraph = q.open == ps && q.close + 2 >= pe;
            if !whole_paragraph {
                for x in &mut quoted[q.open + 1..q.close.min(n)] {
                    *x = true;
                }
            }
        }
        for si in 0..doc.sentences.len() {
            if self.over_budget() {
                break;
            }
            let (ss, se) = doc.sentences[si];
            // Content ends before the sentence's final punctuation.
            // Content ends before the sentence's final punctuation, and before a closing mark
            // whose opening mark lies outside the sentence.
            let opens_inside = (ss..se).any(|k| quote_start[k]);
            self.steps(se - ss);
            let mut ce = se;
            while ce > ss {
                match doc.tokens[ce - 1].kind {
                    TokenKind::Punct => ce -= 1,
                    TokenKind::Quote if !opens_inside && !quote_start[ce - 1] => ce -= 1,
                    _ => break,
                }
            }
            let mut i = ss;
            while i < se {
                if self.used[i] || !self.is_word(i) || quoted[i] {
                    i += 1;
                    continue;
                }
                let w = self.w(i);
                // "According to X, ..." and "..., according to X."
                if w.eq_ignore_ascii_case("according")
                    && i + 1 < se
                    && self.w(i + 1).eq_ignore_ascii_case("to")
                {
                    if let Some(q) = self.according_to(i, ss, se, ce) {
                        self.mark_used(i, i + 2);
                        out.push(q);
                    }
                    i += 2;
                    continue;
                }
                if i == ss && w == "In" {
                    if let Some(q) = self.in_poll(i, se, ce) {
                        out.push(q);
                    }
                }
                let Some(class) = self.cue_at(i) else {
                    i += 1;
                    continue;
                };
                // A participle follows a comma, or a preposition with the sentence's subject as
                // its speaker ("responded by saying ...", "criticized for saying ...").
                if lexicon::is_participle(w)
                    && !self.progressive(i)
                    && !(i > ss
                        && matches!(
                            self.w(i - 1).to_ascii_lowercase().as_str(),
                            "," | "by" | "for" | "after"
                        ))
                {
                    i += 1;
                    continue;
                }
                if let Some(q) = self.reported_at(i, class, ss, se, ce) {
                    self.used[i] = true;
                    out.push(q);
                }
                i += 1;
            }
        }
        out
    }

    pub(super) fn according_to(&self, i: usize, ss: usize, se: usize, ce: usize) -> Option<Quote> {
        let doc = self.doc;
        // Speaker: after "to" up to a comma or the sentence end.
        // A fronted source may be long ("According to early results of exit polls conducted
        // by Edison Research for the Associated Press, ...").
        let fronted = i == ss
            || (i > ss && self.w(i - 1) != ",") && i < ss + 2
            || (i > ss && self.w(i - 1) == ":");
        let max_len = if fronted { 24 } else { 12 };
        let mut e = i + 2;
        while e < se && !matches!(self.w(e), "," | "." | ";" | ":") && e - i < max_len {
            e += 1;
        }
        if e == i + 2 {
            return None;
        }
        let speaker = Some((i + 2, e));
        let content = if fronted {
            // Fronted: content is what follows the comma (or colon).
            if e < se && matches!(self.w(e), "," | ":") && ce > e + 1 {
                Some((e + 1, ce))
            } else {
                None
            }
        } else if i > ss && self.w(i - 1) == "," {
            // Trailing: content is what precedes it.
            (i - 1 > ss).then_some((ss, i - 1))
        } else {
            None
        }?;
        if self.word_count(content.0, content.1) < 3 {
            return None;
        }
        Some(Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(content.0, content.1)],
            cue: Some(doc.span_of(i, i + 2)),
            speaker,
            confidence: Rule::AccordingTo.confidence(),
            rule: Rule::AccordingTo,
        })
    }

    /// "In an NBC News poll released Monday, 50 percent chose Clinton": a survey or study
    /// named in a fronted phrase is the source of the clause after the comma, when no cue in the
    /// sentence names another.
    pub(super) fn in_poll(&self, i: usize, se: usize, ce: usize) -> Option<Quote> {
        let comma = (i + 2..se.min(i + 16)).find(|&k| self.w(k) == ",")?;
        let survey = (i + 1..comma).any(|k| {
            matches!(
                self.w(k).to_ascii_lowercase().as_str(),
                "poll" | "polls" | "survey" | "surveys" | "study" | "analysis" | "count"
            )
        });
        if !survey
            || (i + 1..comma).any(|k| !self.is_word(k) && self.w(k) != "/")
            || (i + 1..se).any(|k| self.cue_at(k).is_some())
            || self.word_count(comma + 1, ce) < 4
        {
            return None;
        }
        Some(Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(comma + 1, ce)],
            cue: Some(self.doc.span_of(i, i + 1)),
            speaker: Some((i + 1, comma)),
            confidence: Rule::InPoll.confidence(),
            rule: Rule::InPoll,
        })
    }

    pub(super) fn reported_at(
        &self,
        c: usize,
        class: CueClass,
        ss: usize,
        se: usize,
        ce: usize,
    ) -> Option<Quote> {
        let doc = self.doc;
        // ", saying (that) ...": a participle's speaker is the sentence's subject.
        let participle = lexicon::is_participle(self.w(c)) && !self.progressive(c);
        let mut speaker = if participle {
            // `"...," the mayor said, adding that ...`: without a subject at the sentence start,
            // the speaker of the cue before the participle.
            self.np_at_start(ss, c).or_else(|| {
                let k = (ss..c)
                    .rev()
                    .find(|&k| self.cue_at(k).is_some() && !lexicon::is_participle(self.w(k)))?;
                self.subject_of(k, ss).or_else(|| self.np_right(k + 1, c))
            })
        } else {
            self.subject_of(c, ss)
        };
        // A cue inside a quotation ("he said") is attribution of that quotation, not a new quote.
        let mut k = c + 1;
        let mut cue_end = c + 1;
        // Objects of tell-verbs and explicit complementizers.
        let mut that = false;
        let mut look = c + 1;
        while look < se.min(c + 8) {
            let w = self.w(look);
            if w.eq_ignore_ascii_case("that") {
                that = true;
                break;
            }
            // A listener may carry a quoted programme name: `told MSNBC's "Morning Joe" that`.
            let quoted_name = self.doc.tokens[look].kind == TokenKind::Quote;
            if (!self.is_word(look) && !quoted_name) || lexicon::cue_class(w).is_some() {
                break;
            }
            look += 1;
        }
        match class {
            CueClass::Tell => {
                if that {
                    cue_end = if look > c + 1 && lexicon::is_listener(self.w(c + 1)) {
                        (c + 2).min(look)
                    } else {
                        c + 1
                    };
                    k = look;
                } else if k < se && lexicon::is_listener(self.w(k)) {
                    while k < se && lexicon::is_listener(self.w(k)) {
                        k += 1;
                    }
                    cue_end = k;
                } else if (c + 2..se.min(c + 9)).any(|t| {
                    // "urged Republicans to join ...": an object and an infinitive, all said.
                    self.w(t) == "to"
                        && self.w(t + 1).starts_with(|ch: char| ch.is_lowercase())
                        && (c + 1..t).all(|x| self.is_word(x))
                }) {
                    k = c + 1;
                } else {
                    return None;
                }
            }
            CueClass::Think => {
                // "Polls show Clinton with a lead", "one study found Trump would raise taxes":
                // evidence verbs take a bare clause when their subject is no person.
                let evidence = matches!(
                    self.w(c).to_ascii_lowercase().as_str(),
                    "show" | "shows" | "showed" | "found" | "finds"
                ) && speaker.is_some_and(|(a, b)| {
                    lexicon::pronoun(self.w(b - 1)).is_none()
                        && !self.w(a).eq_ignore_ascii_case("who")
                        && !self.w(b - 1).starts_with(|ch: char| ch.is_uppercase())
                });
                if !(evidence || (that && look == c + 1)) {
                    return None;
                }
            }
            CueClass::Say => {
                if that && look <= c + 3 {
                    k = look;
                }
            }
            CueClass::Propose => {}
            CueClass::Call => match self.w(c + 1).to_ascii_lowercase().as_str() {
                "for" | "on" => {
                    cue_end = c + 2;
                    k = c + 2;
                }
                // Naming counts only with a quotation: `called them "deplorables"`.
                _ if self.mark_in(c + 1, se) => {}
                _ => return None,
            },
        }
        // Adjuncts right after the cue: "said in a statement, ..." belongs to the cue, unless a
        // clause follows ("Sources say in doing so, X relied ...").
        let starts_with_prep = k < se
            && lexicon::is_preposition(self.w(k))
            && !that
            && !(class == CueClass::Propose && self.w(k).eq_ignore_ascii_case("to"));
        if starts_with_prep && participle {
            return None;
        }
        let mut content_start = k;
        if starts_with_prep {
            let mut comma = None;
            for j in k..se.min(k + 8) {
                if self.w(j) == "," {
                    comma = Some(j);
                    break;
                }
            }
            match comma {
                Some(j)
                    if j + 1 < ce
                        && !lexicon::is_participle(self.w(j + 1))
                        && doc.tokens[j + 1].kind == TokenKind::Word
                        && self.word_count(j + 1, ce) >= 4
                        && !matches!(class, CueClass::Propose) =>
                {
                    content_start = k;
                }
                // "said after the convention he would ...": a short adjunct, then a clause.
                _ => {
                    content_start = (k + 1..se.min(k + 6))
                        .find(|&j| {
                            matches!(
                                self.w(j),
                                "he" | "she"
                                    | "they"
                                    | "we"
                                    | "I"
                                    | "it"
                                    | "He"
                                    | "She"
                                    | "They"
                                    | "We"
                                    | "It"
                            ) && (k..j).all(|x| self.is_word(x))
                        })
                        .unwrap_or(ce)
                }
            }
        }
        // Reported content ends before a clause that attributes something else: ", saying ...",
        // ", though she noted ...", ", experts say", ", according to ...".
        let ce = if content_start < ce {
            self.cut_at_next_attribution(content_start, ce)
        } else {
            ce
        };
        let forward_ok = content_start < ce
            && self.word_count(content_start, ce) >= 3 + usize::from(that)
            && doc.tokens[content_start].kind != TokenKind::Punct
            && (doc.tokens[content_start].kind != TokenKind::Quote
                || that
                || self.quoted_words_then_more(content_start, ce));
        if forward_ok && speaker.is_some() {
            if class == CueClass::Propose
                && !(self.w(content_start) == "to"
                    || self.w(content_start).ends_with("ing")
                    || that)
            {
                return None;
            }
            let rule = if participle {
                Rule::Participle
            } else if lexicon::cue_class(self.w(c)).is_none() {
                Rule::ReportedLearned
            } else if that {
                Rule::ReportedThat
            } else {
                Rule::ReportedBare
            };
            return Some(Quote {
                kind: QuoteKind::Indirect,
                content: vec![self.content_of(content_start, ce)],
                cue: Some(doc.span_of(c, cue_end)),
                speaker,
                confidence: rule.confidence(),
                rule,
            });
        }
        if participle {
            return None;
        }
        // Parenthetical: "The latest test, North Korea said, was its biggest yet."
        if let Some(sp) = speaker {
            if sp.0 > ss + 1 && self.w(sp.0 - 1) == "," {
                let mut j = c + 1;
                while j < ce && self.is_word(j) && j - c <= 5 {
                    j += 1;
                }
                if j < ce
                    && self.w(j) == ","
                    && self.word_count(j + 1, ce) >= 3
                    && self.word_count(ss, sp.0 - 1) >= 2
                    && doc.tokens[sp.0 - 2].kind == TokenKind::Word
                {
                    return Some(Quote {
                        kind: QuoteKind::Indirect,
                        content: vec![self.content_of(ss, sp.0 - 1), self.content_of(j + 1, ce)],
                        cue: Some(doc.span_of(c, c + 1)),
                        speaker,
                        confidence: Rule::Parenthetical.confidence(),
                        rule: Rule::Parenthetical,
                    });
                }
            }
        }
        // Post-posed: "CONTENT, SPEAKER CUE." with nothing but adjuncts after the cue.
        let after_comma = c > ss && self.w(c - 1) == ",";
        let tail_ok = {
            let mut j = c + 1;
            while j < ce && (self.is_word(j) && j - c <= 5) {
                j += 1;
            }
            // "..., said Brian Baker, a longtime adviser to the family.": an appositive after
            // the inverted speaker.
            j >= ce || (after_comma && j > c + 1 && self.w(j) == ",")
        } && matches!(class, CueClass::Say);
        if tail_ok {
            // "..., said Batchelder.": after a comma the speaker follows the cue, even where an
            // earlier comma made the words before it look like an appositive subject.
            let inverted = after_comma && self.np_right(c + 1, ce).is_some();
            if speaker.is_none() || inverted {
                // Inverted: "..., said the official."
                speaker = Some(self.np_right(c + 1, ce)?);
                if c == ss || self.w(c - 1) != "," {
                    return None;
                }
                let content = (ss, c - 1);
                if self.word_count(content.0, content.1) < 4
                    || doc.tokens[c - 2].kind == TokenKind::Quote
                {
                    return None;
                }
                return Some(Quote {
                    kind: QuoteKind::Indirect,
                    content: vec![self.content_of(content.0, content.1)],
                    cue: Some(doc.span_of(c, c + 1)),
                    speaker,
                    confidence: Rule::Postposed.confidence(),
                    rule: Rule::Postposed,
                });
            }
            let sp = speaker?;
            if sp.0 == ss || self.w(sp.0 - 1) != "," {
                return None;
            }
            let content_end = sp.0 - 1;
            if content_end <= ss || doc.tokens[content_end - 1].kind == TokenKind::Quote {
                return None;
            }
            if self.word_count(ss, content_end) < 4 {
                return None;
            }
            return Some(Quote {
                kind: QuoteKind::Indirect,
                content: vec![self.content_of(ss, content_end)],
                cue: Some(doc.span_of(c, c + 1)),
                speaker,
                confidence: Rule::Postposed.confidence(),
                rule: Rule::Postposed,
            });
        }
        None
    }
}
