//! Quotations in quote marks with their cue and speaker, headlines and colon quotes.

use super::{Detector, Quotation};
use crate::lexicon;
use crate::quote::{Quote, QuoteKind, Rule};
use crate::tokenize::TokenKind;

impl<'d, 'a> Detector<'d, 'a> {
    /// Direct quotations with their attribution.
    pub(super) fn direct_quotes(&mut self, quotations: &[Quotation]) -> Vec<Quote> {
        let doc = self.doc;
        let n = doc.tokens.len();
        let mut out: Vec<Quote> = Vec::new();
        let mut merged_into: Vec<Option<usize>> = vec![None; quotations.len()];
        let mut opened_at: Vec<Option<usize>> = vec![None; n + 1];
        for (k, q) in quotations.iter().enumerate() {
            opened_at[q.open] = Some(k);
        }
        for (qi, q) in quotations.iter().enumerate() {
            if self.over_budget() {
                break;
            }
            if merged_into[qi].is_some() {
                continue;
            }
            let words = self.word_count(q.open + 1, q.close);
            let (ps, pe) = self.para_bounds(q.open);
            let para_initial = q.open == ps;
            let mut cue = None;
            let mut speaker = None;
            let mut after_attr = None;
            // 1. Attribution after the closing mark: `"...," he said` / `"...," said Rubio`.
            let pe_close = if q.close < n {
                self.para_bounds(q.close).1
            } else {
                pe
            };
            // A quotation that ends its sentence ("... neighborhood.\"") is followed by a new
            // sentence, whose cue attributes the quotation only if nothing follows the cue
            // ("\"...\" Trump said Tuesday."), not if it opens a clause ("Russia insisted that").
            let ends_sentence = q.close > q.open + 1 && self.w(q.close - 1) == ".";
            let mut j = q.close + 1;
            if j < pe_close && self.w(j) == "," {
                j += 1;
            }
            if j < pe_close {
                let (_, se) = self.sentence_bounds(j);
                let se = se.min(pe_close).max(j);
                if self.cue_at(j).is_some() {
                    if let Some(np) = self.np_right(j + 1, se) {
                        cue = Some((j, j + 1));
                        speaker = Some(np);
                        after_attr = Some(np.1);
                    }
                } else {
                    // Speaker then cue within a few tokens; the speaker may carry a
                    // parenthesis or an age ("Rep. Gwen Moore (D-Wis.) said", "Mr. King,
                    // 82, told me").
                    let mut k = j;
                    while k < se.min(j + 12) && k < n {
                        if self.cue_at(k).is_some()
                            && !lexicon::is_participle(self.w(k))
                            && !(ends_sentence && self.opens_clause(k + 1))
                        {
                            // The speaker phrase must start right after the quotation; a
                            // parenthesis or a determiner-led phrase ("a narrator in the
                            // Clinton ad asks") may hide its start from the subject search.
                            let np = self.subject_of(k, j).and_then(|np| {
                                if np.0 == j {
                                    Some(np)
                                } else if self.w(np.0 - 1) == ")"
                                    || lexicon::is_determiner(self.w(j))
                                {
                                    Some((j, np.1))
                                } else {
                                    None
                                }
                            });
                            if let Some(np) = np {
                                cue = Some((k, k + 1));
                                speaker = Some(np);
                                after_attr = Some(k + 1);
                            }
                            break;
                        }
                        let w = self.w(k);
                        if w == "(" {
                            match (k + 1..(k + 8).min(se)).find(|&m| self.w(m) == ")") {
                                Some(m) => {
                                    k = m + 1;
                                    continue;
                                }
                                None => break,
                            }
                        }
                        if w == ","
                            && self.w(k + 1).chars().all(|c| c.is_ascii_digit())
                            && self.w(k + 2) == ","
                        {
                            k += 3;
                            continue;
                        }
                        if w == "," && k > j {
                            // `"...," Michael McFaul, a senior fellow at ..., said`: a long
                            // appositive between the name and the cue.
                            let close = (k + 1..(k + 30).min(se)).find(|&m| self.w(m) == ",");
                            if let Some(m) = close {
                                let c = self.skip_modifiers_right(m + 1, se);
                                if self.cue_at(c).is_some() && !lexicon::is_participle(self.w(c)) {
                                    cue = Some((c, c + 1));
                                    speaker = Some((j, k));
                                    after_attr = Some(c + 1);
                                }
                            }
                            break;
                        }
                        if !self.is_word(k) && w != "-" && !w.ends_with('s') {
                            break;
                        }
                        k += 1;
                    }
                }
            }
            // 2. Attribution before the opening mark: `He said: "..."`, `Rubio told reporters, "..."`.
            if cue.is_none() && q.open > ps {
                let p = q.open - 1;
                // After "that" the quotation is part of reported content ("said that \"a
                // bomb\" had gone off"), which the reported-speech rules find whole.
                if matches!(self.w(p), ":" | ",")
                    && !self.w(p.saturating_sub(1)).eq_ignore_ascii_case("that")
                {
                    let (ss, _) = self.sentence_bounds(p);
                    let lo = ss.max(ps).max(p.saturating_sub(8));
                    let mut k = p;
                    while k > lo {
                        k -= 1;
                        if self.used[k] {
                            break;
                        }
                        if self.cue_at(k).is_some() {
                            let np = if lexicon::is_participle(self.w(k)) {
                                // `..., saying, "..."`: the sentence's subject speaks.
                                self.np_at_start(ss.max(ps), k)
                            } else {
                                // `Said Ellis: "..."`: the speaker may follow the cue.
                                self.subject_of(k, ss.max(ps))
                                    .or_else(|| self.np_right(k + 1, p))
                            };
                            if let Some(np) = np {
                                cue = Some((k, k + 1));
                                speaker = Some(np);
                            }
                            break;
                        }
                    }
                }
            }
            // 3. A block quote after a paragraph that ends with a colon.
            let mut block = false;
            if cue.is_none() && para_initial {
                let pi = doc.paragraph_of(q.open);
                if pi > 0 {
                    let (pps, ppe) = doc.paragraphs[pi - 1];
                    if self.w(ppe - 1) == ":" {
                        block = true;
                        let (ss, _) = self.sentence_bounds(ppe - 1);
                        let ss = ss.max(pps);
                        // The intro's last cue, if it has one, names the speaker.
                        for k in (ss..ppe - 1).rev() {
                            if self.cue_at(k).is_some() && !self.used[k] {
                                if let Some(np) = self.subject_of(k, ss) {
                                    cue = Some((k, k + 1));
                                    speaker = Some(np);
                                }
                                break;
                            }
                        }
                    }
                }
            }
            // 3b. A dash and a name after the quotation: `"..." ― Ariana Huichapa.`
            if cue.is_none()
                && q.close + 1 < pe_close
                && matches!(
                    self.w(q.close + 1),
                    "\u{2015}" | "\u{2014}" | "-" | "\u{2013}"
                )
            {
                if let Some(np) = self.np_right(q.close + 2, pe_close) {
                    if self.w(np.0).starts_with(|c: char| c.is_uppercase()) {
                        cue = Some((q.close + 1, q.close + 2));
                        speaker = Some(np);
                    }
                }
            }
            // 3c. A paragraph that is one quotation, right after a paragraph whose last quote
            // has a speaker, continues that speaker ("floating" quotes).
            let mut floating = false;
            if cue.is_none() && para_initial && !block && q.close + 1 >= pe_close.min(n) {
                let pi = doc.paragraph_of(q.open);
                if let Some(prev) = out.last() {
                    if let (Some(sp), Some(c)) = (prev.speaker, prev.cue) {
                        let prev_para = doc.paragraph_of(sp.0);
                        let close_para = doc.paragraph_of(self.token_at(c.start));
                        if pi > 0 && (prev_para == pi - 1 || close_para == pi - 1) {
                            speaker = Some(sp);
                            floating = true;
                        }
                    }
                }
            }
            // Titles of shows, books and ads are no statements: `on "Fox News Sunday,"`,
            // `titled "Arrogant,"`, `his book, "Make Your Kid a Millionaire,"`.
            if words <= 6 && self.is_title(q) {
                continue;
            }
            let attributed = cue.is_some();
            // Scare quotes and quoted names are no statements.
            let statement = attributed || block || (para_initial && words >= 5) || words >= 12;
            if !statement {
                continue;
            }
            let mut content = vec![self.content_span(q)];
            if content[0].is_empty() {
                continue;
            }
            if let Some((a, b)) = cue {
                self.mark_used(a, b);
            }
            // 4. A split quotation: `"A," he said, adding, "B."` continues with the same speaker.
            if let Some(mut k) = after_attr {
                let limit = self.sentence_bounds(k).1.max(k + 1).min(pe_close);
                while k < limit {
                    if let Some(nq) = opened_at[k] {
                        let prev = self.w(k - 1);
                        if matches!(prev, "," | ":") || prev.eq_ignore_ascii_case("adding") {
                            content.push(self.content_span(&quotations[nq]));
                            merged_into[nq] = Some(out.len());
                            self.mark_used(after_attr.unwrap_or(k), k);
                        }
                        break;
                    }
                    if matches!(self.w(k), "." | "!" | "?" | ";") {
                        // `"A," he said. "B."`: quotations that follow the attribution's
                        // sentence in the same paragraph, with no attribution of their own,
                        // continue the quote.
                        let mut next = k + 1;
                        while next < pe_close {
                            let Some(nq) = opened_at[next] else { break };
                            let close = quotations[nq].close;
                            let own_attribution = close + 1 < pe_close
                                && (self.is_word(close + 1)
                                    || (self.w(close + 1) == "," && self.is_word(close + 2)));
                            if own_attribution || merged_into[nq].is_some() {
                                break;
                            }
                            content.push(self.content_span(&quotations[nq]));
                            merged_into[nq] = Some(out.len());
                            next = close + 1;
                        }
                        break;
                    }
                    k += 1;
                }
            }
            let rule = if floating {
                Rule::DirectFloating
            } else if attributed {
                match speaker.map(|(a, _)| lexicon::pronoun(self.w(a)).is_some()) {
                    Some(true) => Rule::DirectPronoun,
                    _ => Rule::DirectNamed,
                }
            } else if block {
                Rule::DirectBlock
            } else {
                Rule::DirectBare
            };
            out.push(Quote {
                kind: QuoteKind::Direct,
                content,
                cue: cue.map(|(a, b)| doc.span_of(a, b)),
                speaker,
                confidence: rule.confidence(),
                rule,
            });
        }
        out
    }

    /// Headlines of the form "Pat Caddell: Democrat Voters Worried About ...", in the article's
    /// first two paragraphs, and transcript turns ("TAPPER: ...") anywhere after them: the name
    /// before the colon says what follows it.
    pub(super) fn headline_colons(&self) -> Vec<Quote> {
        let doc = self.doc;
        let mut out = Vec::new();
        // Transcript turns anywhere: "TAPPER: Do you think ...".
        for &(ps, pe) in doc.paragraphs.iter().skip(2) {
            let ps = if doc.tokens[ps].kind == TokenKind::Quote {
                ps + 1
            } else {
                ps
            };
            let Some(colon) = (ps + 1..pe.min(ps + 4)).find(|&k| self.w(k) == ":") else {
                continue;
            };
            let caps = (ps..colon).all(|k| {
                let w = self.w(k);
                self.is_word(k)
                    && w.len() >= 2
                    && w.chars().all(|c| c.is_uppercase() || c == '.' || c == '\'')
            });
            if caps && self.word_count(colon + 1, pe) >= 3 && !self.used[colon] {
                out.push(self.colon_quote(ps, colon, pe, Rule::Transcript));
            }
        }
        for &(ps, pe) in doc.paragraphs.iter().take(2) {
            let Some(colon) = (ps + 1..pe.min(ps + 7)).find(|&k| self.w(k) == ":") else {
                continue;
            };
            let name_ok = (ps..colon)
                .all(|k| (self.is_word(k) && self.cue_at(k).is_none()) || self.w(k) == "-")
                && self.doc.tokens[colon + 1..pe]
                    .first()
                    .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quote))
                && self.w(ps).starts_with(|c: char| c.is_uppercase())
                && !self.is_time_phrase(ps, colon);
            if !name_ok || self.word_count(colon + 1, pe) < 3 || self.used[colon] {
                continue;
            }
            out.push(self.colon_quote(ps, colon, pe, Rule::Headline));
        }
        out
    }

    /// "NAME: what they say" over tokens `[ps, pe)` with the colon at `colon`.
    pub(super) fn colon_quote(&self, ps: usize, colon: usize, pe: usize, rule: Rule) -> Quote {
        Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(colon + 1, pe)],
            cue: Some(self.doc.span_of(colon, colon + 1)),
            speaker: Some((ps, colon)),
            confidence: rule.confidence(),
            rule,
        }
    }
}
