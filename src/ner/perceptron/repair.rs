//! Fixes to a tag sequence that CoNLL's conventions ask for (titles, particles, calendar
//! words), and truecasing of all-caps text before tagging.

use super::*;

/// Lower-case words inside names ("Mohammed bin Salman", "Ursula von der Leyen").
pub(super) const NAME_PARTICLES: &[&str] = &["bin", "al", "de", "van", "von", "der", "ibn"];

pub(super) fn capitalized(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Words that title a person and are not part of the name ("Crown Prince Mohammed bin
/// Salman" is PER "Mohammed bin Salman" by CoNLL's conventions).
pub(super) const TITLES: &[&str] = &[
    "President",
    "Prince",
    "Princess",
    "King",
    "Queen",
    "Minister",
    "Secretary",
    "Advisor",
    "Adviser",
    "Chancellor",
    "Senator",
    "Sen.",
    "Governor",
    "Gov.",
    "General",
    "Gen.",
    "Envoy",
    "Director",
    "Chairman",
    "Chairwoman",
    "Ambassador",
    "Premier",
    "Mayor",
    "Judge",
    "Justice",
    "Representative",
    "Rep.",
    "Speaker",
    "Pope",
    "Sheikh",
    "Emir",
    "Commissioner",
    "Spokesman",
    "Spokeswoman",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Prof.",
    "Lt.",
    "Col.",
    "Capt.",
    "Sgt.",
];

/// Capitalized phrases that are no names under CoNLL's conventions: holidays (conll2020.dev
/// has "Christmas" 16 times, never tagged; eng.train has none) and a photo credit's "File
/// Photo" ("REUTERS/Jane Doe/File Photo"), which follows a person's name there.
const NOT_NAMES: &[&[&str]] = &[
    &["File", "Photo"],
    &["FILE", "PHOTO"],
    &["Christmas", "Eve"],
    &["Christmas"],
    &["Xmas"],
    &["New", "Year", "'s", "Eve"],
    &["New", "Year", "\u{2019}s", "Eve"],
    &["New", "Year", "'s", "Day"],
    &["New", "Year", "\u{2019}s", "Day"],
    &["New", "Year", "'s"],
    &["New", "Year", "\u{2019}s"],
    &["New", "Year"],
    &["Easter"],
    &["Thanksgiving"],
    &["Halloween"],
    &["Hanukkah"],
    &["Passover"],
    &["Ramadan"],
    &["Diwali"],
];

/// Lower-case words that describe a company right before its name, and never a person
/// ("producer", "developer", "operator" and "publisher" may be people: "record producer Terry
/// Melcher").
const COMPANY_WORDS: &[&str] = &[
    "retailer",
    "company",
    "firm",
    "group",
    "maker",
    "brand",
    "carrier",
    "airline",
    "chain",
    "startup",
    "lender",
    "manufacturer",
    "conglomerate",
    "automaker",
    "carmaker",
    "subsidiary",
];

/// A double quotation mark, straight, curly or doubled ASCII.
pub(super) fn dquote(w: &str) -> bool {
    matches!(w, "\"" | "\u{201C}" | "\u{201D}" | "''" | "``")
}

/// Document-level repairs of the tagger's output, by chunk:
/// - a possessive ("'s") never ends a name;
/// - a name after a title is a person ("... Security Advisor Rustem Umerov" -> "Rustem Umerov");
/// - a word that is the surname of a person named in full elsewhere in the document is that
///   person ("Umerov", "Witkoff"), whatever the tagger said.
pub(super) fn repair_document(words: &[&str], tags: &mut [usize], sentences: &[(usize, usize)]) {
    // A double quotation mark belongs to no name, except around a nickname inside one (joined
    // below): chunks are cut at the marks first.
    let mut chunks: Vec<(usize, usize, Label)> = Vec::new();
    for (a, b, l) in predicted_chunks(tags, sentences) {
        let mut start = a;
        let marks = (a..b).filter(|&i| dquote(words[i]));
        for i in marks.chain([b]) {
            if i > start {
                chunks.push((start, i, l));
            }
            start = i + 1;
        }
    }
    for c in &mut chunks {
        while c.1 > c.0 + 1 && matches!(words[c.1 - 1], "'s" | "\u{2019}s" | "'" | "\u{2019}") {
            c.1 -= 1;
        }
        // A month or weekday does not open a name ("[August National Association of
        // Purchasing Management]" -> "August [National ...]"), unless it may be a first name.
        if c.1 > c.0 + 1 && c.2 != Label::Per && CALENDAR.contains(&words[c.0]) {
            c.0 += 1;
        }
        // A weekday ends no person's or place's name ("[Trump Friday]PER" -> "[Trump]PER"),
        // nor is one alone ("[on Friday]PER"): left as they are, such a name would make
        // "Friday" a surname below, and every Friday of the article a person.
        if matches!(c.2, Label::Per | Label::Loc) {
            let end = c.1;
            while c.1 > c.0 && WEEKDAYS.contains(&words[c.1 - 1]) {
                c.1 -= 1;
            }
            if c.1 < end && (c.0..c.1).all(|k| !capitalized(words[k])) {
                c.1 = c.0;
            }
        }
        if c.1 == c.0 {
            continue;
        }
        if let Some(t) = (c.0..c.1).rev().find(|&k| TITLES.contains(&words[k])) {
            let rest = t + 1..c.1;
            if !rest.is_empty()
                && rest.len() <= 4
                && words[rest.clone()]
                    .iter()
                    .all(|w| capitalized(w) || NAME_PARTICLES.contains(w))
            {
                *c = (t + 1, c.1, Label::Per);
            }
        }
    }
    // A holiday is no name, alone or joined to another ("[Christmas]LOC", "[Christmas and New
    // Year]ORG"); one that opens a name stays in it ("Christmas Island"). Nor is a photo
    // credit's "[File Photo]PER".
    chunks.retain(|c| {
        let mut k = c.0;
        while k < c.1 {
            match NOT_NAMES.iter().find(|h| words[k..c.1].starts_with(h)) {
                Some(h) => k += h.len(),
                None if k > c.0 && matches!(words[k], "and" | "&" | ",") => k += 1,
                None => return true,
            }
        }
        false
    });
    chunks.retain(|c| c.1 > c.0);
    // A name right after a company descriptor is an organisation ("fashion retailer [Ted
    // Baker]", "industrial gases group [Linde]"), and so is every mention of it tagged a
    // person elsewhere in the document. On eng.train's gold, all 49 names after these words
    // are organisations.
    let orgs: std::collections::HashSet<&[&str]> = chunks
        .iter()
        .filter(|c| c.2 == Label::Per && c.0 > 0 && COMPANY_WORDS.contains(&words[c.0 - 1]))
        .map(|c| &words[c.0..c.1])
        .collect();
    if !orgs.is_empty() {
        for c in chunks.iter_mut() {
            if c.2 == Label::Per && orgs.contains(&words[c.0..c.1]) {
                c.2 = Label::Org;
            }
        }
    }
    // The end of the sentence holding token `i` (sentences are sorted and disjoint).
    let sentence_end = |i: usize| {
        let k = sentences.partition_point(|s| s.1 <= i);
        sentences.get(k).map_or(words.len(), |s| s.1)
    };
    // A chunk that ends in a title, then a name that the tagger split: "[Saudi Crown
    // Prince]LOC Mohammed bin [Salman]PER" -> "[Mohammed bin Salman]PER".
    let mut k = 0;
    while k < chunks.len() {
        let c = chunks[k];
        if c.2 != Label::Per && TITLES.contains(&words[c.1 - 1]) {
            let end = sentence_end(c.0);
            let mut j = c.1;
            while j < end
                && j - c.1 < 4
                && (capitalized(words[j]) || NAME_PARTICLES.contains(&words[j]))
            {
                j += 1;
            }
            while j > c.1 && !capitalized(words[j - 1]) {
                j -= 1;
            }
            let after: Vec<usize> = (k + 1..chunks.len())
                .take_while(|&m| chunks[m].0 < j)
                .collect();
            if !after.is_empty()
                && after
                    .iter()
                    .all(|&m| chunks[m].2 == Label::Per && chunks[m].1 <= j)
            {
                chunks.drain(k + 1..k + 1 + after.len());
                chunks[k] = (c.1, j, Label::Per);
            }
        }
        k += 1;
    }
    // Two parts of one name around a particle: "[Mohammed]PER bin [Salman]PER".
    let mut k = 0;
    while k + 1 < chunks.len() {
        let (a, b) = (chunks[k], chunks[k + 1]);
        if a.2 == Label::Per
            && b.2 == Label::Per
            && b.0 > a.1
            && b.0 - a.1 <= 2
            && words[a.1..b.0].iter().all(|w| NAME_PARTICLES.contains(w))
            && b.1 <= sentence_end(a.0)
        {
            chunks[k] = (a.0, b.1, Label::Per);
            chunks.remove(k + 1);
        } else {
            k += 1;
        }
    }
    // A nickname in quotation marks inside a name: [Robert C.]PER " Bobby " [Scott]PER ->
    // [Robert C. "Bobby" Scott]PER.
    let mut k = 0;
    while k < chunks.len() {
        let a = chunks[k];
        let open = a.1;
        // The nickname: one to four words, capitalized but for small words inside
        // (Roberto "Hands of Stone" Duran).
        let close = (open + 2..(open + 6).min(words.len())).find(|&j| dquote(words[j]));
        let joined = close.filter(|&close| {
            let nick = &words[open + 1..close];
            a.2 == Label::Per
                && dquote(words[open])
                && capitalized(nick[0])
                && capitalized(nick[nick.len() - 1])
                && nick
                    .iter()
                    .all(|w| capitalized(w) || matches!(*w, "of" | "the" | "and"))
                && close < sentence_end(a.0)
        });
        let after = joined.and_then(|close| {
            let end = chunks[k + 1..]
                .iter()
                .position(|c| c.0 > close)
                .map(|m| k + 1 + m)?;
            let b = chunks[end];
            (b.0 == close + 1
                && b.2 == Label::Per
                && chunks[k + 1..end].iter().all(|c| c.2 == Label::Per))
            .then_some(end)
        });
        if let Some(end) = after {
            chunks[k] = (a.0, chunks[end].1, Label::Per);
            chunks.drain(k + 1..=end);
        }
        k += 1;
    }
    // A one-word nickname of any case between two capitalized words, one of them a person's
    // name and neither more than one word of another label: [Robin]PER “ ropz ” Kool and
    // [Nicolai]ORG “ device ” [Reedtz]PER -> one person each (gamers' handles, "Magic").
    let mut handles = Vec::new();
    let mut i = 1;
    while i + 3 < words.len() {
        let nick = words[i + 1];
        // The marks open and close the nickname: not a closing mark then an opening one, nor
        // the close of a quotation that opened right before the first name ("Bobby" Scott).
        let candidate = dquote(words[i])
            && dquote(words[i + 2])
            && words[i] != "\u{201D}"
            && words[i + 2] != "\u{201C}"
            && (i < 2 || !dquote(words[i - 2]))
            && !dquote(nick)
            && nick.chars().any(char::is_alphanumeric)
            && capitalized(words[i - 1])
            && capitalized(words[i + 3])
            && sentence_end(i - 1) == sentence_end(i + 3)
            && sentence_end(i - 1) > i + 3;
        if !candidate {
            i += 1;
            continue;
        }
        // Chunks are sorted and disjoint: binary searches keep a flood of marks linear.
        let at = |j: usize| {
            let k = chunks.partition_point(|c| c.1 <= j);
            (k < chunks.len() && chunks[k].0 <= j).then_some(k)
        };
        let (ka, kb) = (at(i - 1), at(i + 3));
        let label = |k: Option<usize>| k.map(|k| chunks[k].2);
        let fits = |k: Option<usize>| {
            k.is_none_or(|k| chunks[k].2 == Label::Per || chunks[k].1 - chunks[k].0 == 1)
        };
        let person = label(ka) == Some(Label::Per) || label(kb) == Some(Label::Per);
        let ends_a = ka.is_none_or(|k| chunks[k].1 == i);
        let starts_b = kb.is_none_or(|k| chunks[k].0 == i + 3);
        // A chunk of the nickname alone joins too; one across its marks does not.
        let inside = chunks[chunks.partition_point(|c| c.1 <= i)..]
            .iter()
            .take_while(|c| c.0 < i + 3)
            .any(|c| c.0 >= i && (c.0, c.1) != (i + 1, i + 2));
        if person && fits(ka) && fits(kb) && ends_a && starts_b && !inside {
            let start = ka.map_or(i - 1, |k| chunks[k].0);
            let end = kb.map_or(i + 4, |k| chunks[k].1);
            handles.push((start, end, Label::Per));
            i = end;
        } else {
            i += 1;
        }
    }
    if !handles.is_empty() {
        // Each joined name replaces the chunks inside it.
        let mut h = handles.iter().peekable();
        chunks.retain(|c| {
            while h.next_if(|j| j.1 <= c.0).is_some() {}
            h.peek().is_none_or(|j| c.1 <= j.0)
        });
        chunks.extend(handles);
        chunks.sort_unstable_by_key(|c| c.0);
    }
    // A capitalized word right before a person's name, which the document names a person by
    // alone elsewhere, belongs to the name: "Ban [Ki-moon]PER" with "Mr. [Ban]PER" below
    // (not a title, and not when the name is itself used alone elsewhere: two people).
    let mut alone: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in chunks
        .iter()
        .filter(|c| c.2 == Label::Per && c.1 - c.0 == 1)
    {
        *alone.entry(words[c.0]).or_default() += 1;
    }
    for k in 0..chunks.len() {
        let c = chunks[k];
        if c.2 != Label::Per || c.0 == 0 {
            continue;
        }
        let w = words[c.0 - 1];
        let free = k == 0 || chunks[k - 1].1 < c.0;
        let same_sentence = sentence_end(c.0 - 1) == sentence_end(c.0);
        let itself = usize::from(c.1 - c.0 == 1);
        if free
            && same_sentence
            && capitalized(w)
            && !TITLES.contains(&w)
            && alone.contains_key(w)
            && alone.get(words[c.0]).copied().unwrap_or(0) <= itself
        {
            chunks[k].0 -= 1;
        }
    }
    let surnames: std::collections::HashSet<&str> = chunks
        .iter()
        .filter(|c| c.2 == Label::Per && c.1 - c.0 >= 2)
        .map(|c| words[c.1 - 1])
        .filter(|w| w.chars().count() > 2)
        .collect();
    if !surnames.is_empty() {
        for c in &mut chunks {
            if c.1 - c.0 == 1 && surnames.contains(words[c.0]) {
                c.2 = Label::Per;
            }
        }
        let covered = covered(&chunks, words.len());
        for &(s, e) in sentences {
            for i in s + 1..e {
                if !covered[i] && surnames.contains(words[i]) {
                    chunks.push((i, i + 1, Label::Per));
                }
            }
        }
    }
    // A word of letters and digits that the tagger made a one-word name of one type
    // ("COVID-19", "Hayabusa2") is that name wherever else it stands alone in the document.
    let mut coined: std::collections::HashMap<&str, Option<Label>> = Default::default();
    for c in chunks.iter().filter(|c| c.1 - c.0 == 1) {
        let w = words[c.0];
        if w.chars().any(|ch| ch.is_ascii_digit()) && w.chars().any(char::is_alphabetic) {
            let e = coined.entry(w).or_insert(Some(c.2));
            if *e != Some(c.2) {
                *e = None;
            }
        }
    }
    coined.retain(|_, l| l.is_some());
    if !coined.is_empty() {
        let covered = covered(&chunks, words.len());
        for (i, w) in words.iter().enumerate() {
            if let Some(&Some(l)) = coined.get(w).filter(|_| !covered[i]) {
                chunks.push((i, i + 1, l));
            }
        }
    }
    write_chunks(tags, &chunks);
}

/// Which of `n` tokens lie inside one of `chunks`.
fn covered(chunks: &[(usize, usize, Label)], n: usize) -> Vec<bool> {
    let mut covered = vec![false; n];
    for c in chunks {
        covered[c.0..c.1].iter_mut().for_each(|x| *x = true);
    }
    covered
}

/// Writes disjoint `chunks` over `tags` as BILOU tags, O elsewhere.
pub(super) fn write_chunks(tags: &mut [usize], chunks: &[(usize, usize, Label)]) {
    tags.iter_mut().for_each(|t| *t = O);
    for &(a, b, l) in chunks {
        if b - a == 1 {
            tags[a] = tag_id(l, Part::U);
        } else {
            tags[a] = tag_id(l, Part::B);
            tags[a + 1..b - 1]
                .iter_mut()
                .for_each(|t| *t = tag_id(l, Part::I));
            tags[b - 1] = tag_id(l, Part::L);
        }
    }
}

/// Lower-cases the ordinary words of a title-case headline ("It Has Become Known How Trump
/// Had ..."), so that capitals there mean what they mean in prose. A word is lowered when the
/// document writes it in lower case elsewhere, or when it is a known lower-case word that the
/// document never capitalizes inside a sentence. Returns the replacement of each word, if any.
pub(super) fn truecase(
    words: &[&str],
    sentences: &[(usize, usize)],
    clusters: &Clusters,
) -> Vec<Option<String>> {
    let mut out = vec![None; words.len()];
    let cases: Vec<SentCase> = sentences
        .iter()
        .map(|&(s, e)| SentCase::of(&words[s..e]))
        .collect();
    // Only a headline: the document's first sentence, in title case, of four words or more.
    if cases.first() != Some(&SentCase::Title) || sentences[0].1 - sentences[0].0 < 4 {
        return out;
    }
    let mut lower_seen: IdMap<()> = IdMap::default();
    let mut cap_inside: IdMap<()> = IdMap::default();
    for (&(s, e), case) in sentences.iter().zip(&cases) {
        for (k, w) in words[s..e].iter().enumerate() {
            let first = w.chars().next().unwrap_or(' ');
            if first.is_lowercase() {
                lower_seen.insert(crate::learn::hash::hash_str(w, true), ());
            } else if first.is_uppercase() && k > 0 && *case == SentCase::Normal {
                cap_inside.insert(crate::learn::hash::hash_str(w, true), ());
            }
        }
    }
    {
        let (s, e) = sentences[0];
        for i in s..e {
            let w = words[i];
            if !w.chars().next().is_some_and(char::is_uppercase)
                || w.chars().skip(1).any(char::is_uppercase)
            {
                continue;
            }
            let h = crate::learn::hash::hash_str(w, true);
            if lower_seen.contains_key(&h) || (!cap_inside.contains_key(&h) && clusters.knows(h)) {
                out[i] = Some(w.to_lowercase());
            }
        }
    }
    out
}

/// Month and weekday names, which open no multi-word name in CoNLL-2003's training data but
/// one ("Sunday Bada", a person).
pub(super) const CALENDAR: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The weekday names of [`CALENDAR`].
const WEEKDAYS: &[&str] = CALENDAR.split_at(12).1;
