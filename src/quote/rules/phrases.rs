//! Noun phrases and clause edges around cues: speakers to the left or right of a cue, the
//! subject of a clause, where a content ends before the next attribution.

use super::Detector;
use crate::lexicon;
use crate::tokenize::TokenKind;

impl<'d, 'a> Detector<'d, 'a> {
    /// The speaker noun phrase that ends right before token `end` (exclusive), not reaching
    /// before `limit`. Returns a token range.
    pub(super) fn np_left(&self, end: usize, limit: usize) -> Option<(usize, usize)> {
        if end == 0 || end <= limit {
            return None;
        }
        let last = end - 1;
        if self.is_word(last) && lexicon::pronoun(self.w(last)).is_some() {
            return Some((last, end));
        }
        let mut start = end;
        let mut i = end;
        while i > limit {
            let j = i - 1;
            let w = self.w(j);
            // A parenthesis inside a name: "Rep. Gwen Moore (D-Wis.) said".
            if w == ")" {
                if let Some(open) = (j.saturating_sub(8).max(limit)..j)
                    .rev()
                    .find(|&k| self.w(k) == "(")
                {
                    if open > limit && self.is_word(open - 1) {
                        start = open;
                        i = open;
                        continue;
                    }
                }
                break;
            }
            let t = &self.doc.tokens[j];
            let ok = match t.kind {
                TokenKind::Word => {
                    let possessive = w.ends_with("'s") || w.ends_with("\u{2019}s");
                    if possessive && w.len() <= 4 {
                        true
                    } else if w.eq_ignore_ascii_case("of") || w.eq_ignore_ascii_case("and") {
                        // Inside a name: "Secretary of State", "Witkoff and Kushner".
                        let left_cap = j > limit
                            && self.is_word(j - 1)
                            && self
                                .w(j - 1)
                                .chars()
                                .next()
                                .is_some_and(|c| c.is_uppercase());
                        let right_cap = self
                            .w(j + 1)
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_uppercase());
                        left_cap && right_cap && start == j + 1
                    } else if lexicon::pronoun(w).is_some() {
                        false
                    } else {
                        !lexicon::is_np_stop(w)
                    }
                }
                TokenKind::Punct => w == "-" && !t.space_before,
                TokenKind::Quote => {
                    (w == "\u{2019}" || w == "'")
                        && j + 1 < end
                        && self.w(j + 1).eq_ignore_ascii_case("s")
                }
            };
            if !ok {
                break;
            }
            start = j;
            i = j;
            if end - start > 10 {
                break;
            }
        }
        if start >= end {
            return None;
        }
        // Trim a leading lowercase modifier run that is really a verb phrase's tail: keep it
        // simple and only drop leading adverbs.
        while start < end && lexicon::is_cue_modifier(self.w(start)) {
            start += 1;
        }
        (start < end && (start..end).any(|k| self.is_word(k)) && !self.is_time_phrase(start, end))
            .then_some((start, end))
    }

    /// True when tokens `[a, b)` are only a time expression ("Tuesday", "late August", "2010").
    pub(super) fn is_time_phrase(&self, a: usize, b: usize) -> bool {
        (a..b).all(|k| {
            let w = self.w(k);
            lexicon::is_time_word(w) || w.chars().all(|c| c.is_ascii_digit())
        })
    }

    /// The speaker noun phrase starting at `start`, going right up to a comma, period or
    /// preposition ("said Rubio.", "said Sen. John Smith, a Democrat").
    pub(super) fn np_right(&self, start: usize, limit: usize) -> Option<(usize, usize)> {
        if start >= limit {
            return None;
        }
        if lexicon::pronoun(self.w(start)).is_some() {
            return Some((start, start + 1));
        }
        let mut end = start;
        while end < limit && end - start < 8 {
            let w = self.w(end);
            let ok = self.is_word(end)
                && (!lexicon::is_np_stop(w) || { (w == "of" || w == "and") && end > start })
                || (end > start
                    && self.doc.tokens[end].kind == TokenKind::Quote
                    && !self.doc.tokens[end].space_before
                    && self.w(end + 1).eq_ignore_ascii_case("s"));
            if !ok {
                break;
            }
            end += 1;
        }
        while end > start && matches!(self.w(end - 1), "of" | "and") {
            end -= 1;
        }
        (end > start && !self.is_time_phrase(start, end)).then_some((start, end))
    }

    /// The end of content running from `a` to `b`: the first "and" before a cue verb ("... and
    /// said ..."), or the first comma (after a few words, outside quotation marks) that opens
    /// another attribution — "according to", a participle cue (", saying"), a conjunction and a
    /// speaker with a cue (", though she noted"), or a speaker and a cue that end the sentence
    /// (", experts say") — else `b`.
    pub(super) fn cut_at_next_attribution(&self, a: usize, b: usize) -> usize {
        let mut k = a + 3;
        let mut marks = 0;
        while k < b {
            if self.doc.tokens[k].kind == TokenKind::Quote {
                marks += 1;
            }
            // "... and said ...": a coordinated cue starts an attribution of its own.
            if marks % 2 == 0
                && self.w(k).eq_ignore_ascii_case("and")
                && self.cue_at(k + 1).is_some()
                && !lexicon::is_participle(self.w(k + 1))
            {
                return k;
            }
            // Quoted text is never cut.
            if self.w(k) == "," && marks % 2 == 0 {
                let next = self.w(k + 1);
                let conj = matches!(next, "but" | "though" | "although" | "while" | "and");
                let first = k + 1 + usize::from(conj);
                let cut = next.eq_ignore_ascii_case("according")
                    // ", saying ..."
                    || (self.cue_at(k + 1).is_some() && lexicon::is_participle(next))
                    // ", though she noted ..." / ", experts say."
                    || (first + 1..(first + 4).min(b)).any(|m| {
                        self.cue_at(m).is_some()
                            && !self.used[m]
                            && (conj || m + 3 >= b)
                            && (first..m).all(|x| self.is_word(x))
                    });
                // ", engaging in ...", ", citing ...": a participle clause after the content
                // is the writer's, not the speaker's.
                let tail_participle = next.len() > 4
                    && next.ends_with("ing")
                    && next.starts_with(|c: char| c.is_lowercase())
                    && !lexicon::is_preposition(next)
                    && !matches!(
                        next,
                        "including"
                            | "being"
                            | "having"
                            | "something"
                            | "nothing"
                            | "everything"
                            | "anything"
                    );
                // ", but ...", ", yet ...": a contrast the writer adds, unless quoted words
                // follow (`he said, but "when it comes to ..."`).
                let contrast = matches!(next, "but" | "yet") && !self.mark_in(k + 1, b);
                if cut || tail_participle || contrast {
                    return k;
                }
            }
            // "... - a charge that ...": an appositive after a spaced dash.
            if marks % 2 == 0
                && matches!(self.w(k), "\u{2014}" | "\u{2013}" | "--" | "-")
                && k > a
                && self.doc.tokens[k - 1].span.end < self.doc.tokens[k].span.start
                && lexicon::is_determiner(self.w(k + 1))
            {
                return k;
            }
            k += 1;
        }
        b
    }

    /// The form of "be" (or its clitic 's, 're) right before token `i`, past up to three
    /// adverbs or auxiliaries ("was also found", "are now urging").
    pub(super) fn be_before(&self, i: usize) -> Option<&'a str> {
        let mut b = i;
        while b > 0 && b + 4 > i {
            let w = self.w(b - 1);
            if matches!(
                w.to_ascii_lowercase().as_str(),
                "is" | "are"
                    | "was"
                    | "were"
                    | "been"
                    | "be"
                    | "being"
                    | "'s"
                    | "\u{2019}s"
                    | "'re"
                    | "\u{2019}re"
            ) {
                return Some(w);
            }
            if !lexicon::is_cue_modifier(w) {
                return None;
            }
            b -= 1;
        }
        None
    }

    /// Whether the -ing word at `i` is a progressive verb ("is claiming", "are now urging").
    pub(super) fn progressive(&self, i: usize) -> bool {
        self.be_before(i).is_some()
    }

    /// Whether token `i` opens a clause or an object after a cue, rather than ending the
    /// sentence or adding an adjunct ("Tuesday", "in a statement", "reporters").
    pub(super) fn opens_clause(&self, i: usize) -> bool {
        let w = self.w(i);
        self.is_word(i)
            && !lexicon::is_time_word(w)
            && !lexicon::is_preposition(w)
            && !lexicon::is_listener(w)
            && !lexicon::is_cue_modifier(w)
    }

    /// The noun phrase that opens a sentence (its subject, roughly), skipping one fronted
    /// phrase that ends with a comma ("In a speech on Friday, Clinton said ...").
    pub(super) fn np_at_start(&self, ss: usize, limit: usize) -> Option<(usize, usize)> {
        // A sentence that opens with a quotation has its subject after it, not inside it.
        if self
            .doc
            .tokens
            .get(ss)
            .is_some_and(|t| t.kind == TokenKind::Quote)
        {
            return None;
        }
        let scan = |from: usize| -> Option<(usize, usize)> {
            if lexicon::pronoun(self.w(from)).is_some() {
                return Some((from, from + 1));
            }
            let mut e = from;
            while e < limit && e - from < 8 {
                let w = self.w(e);
                let ok = if self.is_word(e) {
                    let lower = w.starts_with(|c: char| c.is_lowercase());
                    !lexicon::is_np_stop(w)
                        && lexicon::pronoun(w).is_none()
                        && !(lower && (w.ends_with("ed") || lexicon::is_cue_modifier(w)))
                } else {
                    self.doc.tokens[e].kind == TokenKind::Quote
                        && self.w(e + 1).eq_ignore_ascii_case("s")
                        && !self.doc.tokens[e].space_before
                };
                if !ok {
                    break;
                }
                e += 1;
            }
            // "Chastened by the criticism, Trump ...": a participle opening the sentence is
            // no subject.
            let opener = e == from + 1 && {
                let w = self.w(from);
                w.len() > 5 && (w.ends_with("ed") || w.ends_with("ing"))
            };
            (e > from
                && !opener
                && (from..e).any(|k| {
                    self.w(k).starts_with(|c: char| c.is_uppercase())
                        || lexicon::is_group_noun(self.w(k))
                }))
            .then_some((from, e))
        };
        if let Some(np) = scan(ss) {
            return Some(np);
        }
        let comma = (ss..limit.min(ss + 12)).find(|&k| self.w(k) == ",")?;
        scan(comma + 1)
    }

    /// Skips cue modifiers rightwards from `i`; returns the first other token.
    pub(super) fn skip_modifiers_right(&self, mut i: usize, limit: usize) -> usize {
        while i < limit && self.is_word(i) && lexicon::is_cue_modifier(self.w(i)) {
            i += 1;
        }
        i
    }

    /// Skips cue modifiers leftwards from `i` (exclusive); returns the new end.
    pub(super) fn skip_modifiers_left(&self, mut i: usize, limit: usize) -> usize {
        while i > limit && self.is_word(i - 1) && lexicon::is_cue_modifier(self.w(i - 1)) {
            i -= 1;
        }
        i
    }

    /// The subject of a cue at `c`: the noun phrase before it, past modifiers, appositives
    /// ("Witkoff, talking to ..., concluded") and coordination ("He promised ... and said").
    pub(super) fn subject_of(&self, c: usize, limit: usize) -> Option<(usize, usize)> {
        let e = self.skip_modifiers_left(c, limit);
        // A relative pronoun is the subject as written ("Stevie Wonder, who joked ...",
        // "Clinton, who's called for ..."); resolution finds whom it stands for.
        let rel = if e > limit && matches!(self.w(e - 1), "'s" | "\u{2019}s") {
            e - 1
        } else {
            e
        };
        if rel > limit && matches!(self.w(rel - 1), "who" | "which") {
            return Some((rel - 1, rel));
        }
        // "McConnell, who in 2010 said ...": a time adjunct after the relative pronoun.
        if let Some(r) = (e.saturating_sub(4).max(limit)..e.saturating_sub(1))
            .find(|&r| matches!(self.w(r), "who" | "which"))
        {
            let adjunct =
                lexicon::is_preposition(self.w(r + 1)) || lexicon::is_time_word(self.w(r + 1));
            if adjunct && (r + 1..e).all(|x| self.doc.tokens[x].kind != TokenKind::Punct) {
                return Some((r, r + 1));
            }
        }
        if let Some(np) = self.np_left(e, limit) {
            return Some(np);
        }
        if e > limit && self.w(e - 1) == "," {
            // Appositive or participial clause: the subject stands before the opening comma.
            let mut j = e - 1;
            while j > limit {
                j -= 1;
                if self.w(j) == "," {
                    return self.np_left(j, limit);
                }
                if matches!(self.w(j), "." | ";" | ":") {
                    break;
                }
            }
        }
        if e > limit && self.w(e - 1).eq_ignore_ascii_case("and") {
            // Coordinated verbs share the sentence's subject.
            let mut end = limit;
            while end < e - 1 && self.is_word(end) && !lexicon::is_np_stop(self.w(end)) {
                end += 1;
                if lexicon::pronoun(self.w(end - 1)).is_some() {
                    break;
                }
            }
            if end > limit {
                return Some((limit, end));
            }
        }
        None
    }
}
