use super::*;

#[test]
fn long_documents_are_cut_into_windows_of_whole_sentences() {
    let sents = [(0, 4), (4, 9), (9, 10), (10, 30), (30, 31)];
    assert_eq!(windows(&sents, 10), vec![(0, 3), (3, 4), (4, 5)]);
    assert_eq!(windows(&sents, 100), vec![(0, 5)]);
    assert!(windows(&[], 10).is_empty());
}

#[test]
fn tag_names_follow_ids() {
    for t in 1..N_TAGS {
        let (l, p) = tag_parts(t).unwrap();
        assert_eq!(tag_name(t), format!("{:?}-{}", p, l.as_str()));
    }
    assert_eq!(tag_name(O), "O");
}

#[test]
fn transitions() {
    let bper = tag_id(Label::Per, Part::B);
    let iper = tag_id(Label::Per, Part::I);
    let lper = tag_id(Label::Per, Part::L);
    let uorg = tag_id(Label::Org, Part::U);
    assert!(allowed(O, bper, false));
    assert!(!allowed(O, bper, true));
    assert!(!allowed(O, iper, false));
    assert!(allowed(bper, iper, false));
    assert!(!allowed(bper, iper, true));
    assert!(allowed(bper, lper, true));
    assert!(!allowed(bper, O, false));
    assert!(allowed(lper, uorg, false));
}

#[test]
fn repair_mends_broken_chunks() {
    let bper = tag_id(Label::Per, Part::B);
    let lper = tag_id(Label::Per, Part::L);
    let uper = tag_id(Label::Per, Part::U);
    assert_eq!(repair(&[O, lper, O]), vec![O, uper, O]);
    assert_eq!(repair(&[bper, O]), vec![uper, O]);
    assert_eq!(
        iob2_names(&[bper, lper, uper]),
        vec!["B-PER", "I-PER", "B-PER"]
    );
}

#[test]
fn document_repair_joins_a_name_split_after_a_title() {
    let words = [
        "during", "Saudi", "Crown", "Prince", "Mohammed", "bin", "Salman", "'s", "visit",
    ];
    let mut tags = vec![O; words.len()];
    tags[1] = tag_id(Label::Loc, Part::B);
    tags[2] = tag_id(Label::Loc, Part::I);
    tags[3] = tag_id(Label::Loc, Part::L);
    tags[6] = tag_id(Label::Per, Part::U);
    repair_document(&words, &mut tags, &[(0, words.len())]);
    let chunks = predicted_chunks(&tags, &[(0, words.len())]);
    assert_eq!(chunks, vec![(4, 7, Label::Per)]);
    // Or cut it at the particle.
    let mut tags = vec![O; words.len()];
    tags[4] = tag_id(Label::Per, Part::U);
    tags[6] = tag_id(Label::Per, Part::U);
    repair_document(&words, &mut tags, &[(0, words.len())]);
    let chunks = predicted_chunks(&tags, &[(0, words.len())]);
    assert_eq!(chunks, vec![(4, 7, Label::Per)]);
    // A place before a person is left alone when no title ends it.
    let words = ["in", "Riyadh", "Mohammed", "Salman", "said"];
    let mut tags = vec![O; words.len()];
    tags[1] = tag_id(Label::Loc, Part::U);
    tags[2] = tag_id(Label::Per, Part::B);
    tags[3] = tag_id(Label::Per, Part::L);
    repair_document(&words, &mut tags, &[(0, words.len())]);
    let chunks = predicted_chunks(&tags, &[(0, words.len())]);
    assert_eq!(chunks, vec![(1, 2, Label::Loc), (2, 4, Label::Per)]);
}

#[test]
fn document_repair_drops_a_leading_month_but_keeps_the() {
    let words = [
        "The",
        "University",
        "of",
        "Michigan",
        "and",
        "the",
        "August",
        "Chicago",
        "NAPM",
        "at",
        "The",
        "Oval",
        "with",
        "April",
        "Ryan",
    ];
    let mut tags = vec![O; words.len()];
    let mut put = |a: usize, b: usize, l: Label| {
        tags[a] = tag_id(l, if b == a + 1 { Part::U } else { Part::B });
        for t in &mut tags[a + 1..b] {
            *t = tag_id(l, Part::I);
        }
        if b > a + 1 {
            tags[b - 1] = tag_id(l, Part::L);
        }
    };
    put(0, 4, Label::Org);
    put(6, 9, Label::Org);
    put(10, 12, Label::Loc);
    put(13, 15, Label::Per);
    let all = [(0, words.len())];
    repair_document(&words, &mut tags, &all);
    assert_eq!(
        predicted_chunks(&tags, &all),
        vec![
            (0, 4, Label::Org),
            (7, 9, Label::Org),
            (10, 12, Label::Loc),
            (13, 15, Label::Per)
        ]
    );
}

#[test]
fn learns_a_toy_corpus() {
    let mut text = String::new();
    for name in ["Smith", "Jones", "Brown", "Clark"] {
        text.push_str(&format!(
            "-DOCSTART- -X- O O\n\nMr. NNP I-NP O\n{name} NNP I-NP I-PER\nvisited VBD I-VP O\nParis NNP I-NP I-LOC\n. . O O\n\n"
        ));
    }
    let f = ConllFile::parse(&text);
    let (model, dev_f1) = train(
        &f,
        &f,
        &TrainOptions {
            epochs: 5,
            seed: 1,
            refit: false,
            word_dropout: 0.0,
        },
        |_| {},
    )
    .unwrap();
    assert!(dev_f1 > 99.0, "toy F1 {dev_f1}");
    let dir = std::env::temp_dir().join(format!("whosaid-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("m.bin");
    model.save(&p).unwrap();
    let back = Model::load(&p).unwrap();
    assert_eq!(back.n_features(), model.n_features());
    let (tags, _) = back.tag(&["Mr.", "Jones", "visited", "Paris", "."], &[(0, 5)]);
    assert_eq!(tag_name(tags[1]), "U-PER");
    assert_eq!(tag_name(tags[3]), "U-LOC");
    assert!(Model::from_bytes(b"garbage").is_err());
    // The built-in model reads and writes back byte for byte.
    let builtin = super::recognizer::DEFAULT_MODEL;
    Model::from_bytes(builtin).unwrap().save(&p).unwrap();
    assert!(std::fs::read(&p).unwrap() == builtin);
    // Refit: trained again on train + dev, keeping the temperature chosen on dev.
    let opts = TrainOptions {
        epochs: 5,
        seed: 1,
        refit: true,
        word_dropout: 0.2,
    };
    let (refit, _) = train(&f, &f, &opts, |_| {}).unwrap();
    assert_eq!(refit.temperature, model.temperature);
    let (tags, _) = refit.tag(&["Mr.", "Clark", "visited", "Paris", "."], &[(0, 5)]);
    assert_eq!(tag_name(tags[1]), "U-PER");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn document_repair_keeps_weekdays_out_of_names() {
    // "[Trump Friday]PER" would make "Friday" a surname, and every later Friday a person.
    let words = [
        "Trump", "Friday", "said", ";", "on", "Friday", "he", "met", "Sunday", "Bada", "on",
        "Friday",
    ];
    let mut tags = vec![O; words.len()];
    tags[0] = tag_id(Label::Per, Part::B);
    tags[1] = tag_id(Label::Per, Part::L);
    tags[4] = tag_id(Label::Per, Part::B);
    tags[5] = tag_id(Label::Per, Part::L);
    tags[8] = tag_id(Label::Per, Part::B);
    tags[9] = tag_id(Label::Per, Part::L);
    tags[11] = tag_id(Label::Loc, Part::U);
    let all = [(0, words.len())];
    repair_document(&words, &mut tags, &all);
    assert_eq!(
        predicted_chunks(&tags, &all),
        vec![(0, 1, Label::Per), (8, 10, Label::Per)]
    );
}

#[test]
fn document_repair_joins_a_quoted_nickname_into_its_name() {
    // [Robert C.]PER " [Bobby]PER " [Scott]PER -> one person, the marks inside the name.
    let words = [
        "Rep.", "Robert", "C.", "\"", "Bobby", "\"", "Scott", "spoke", ";", "\"", "Bobby", "\"",
        "Scott", "\u{201C}", "Fast", "\u{201D}", "cars", ".", "Jeremy", "\"", "Spike", "\"",
        "Cohen",
    ];
    let mut tags = vec![O; words.len()];
    tags[1] = tag_id(Label::Per, Part::B);
    tags[2] = tag_id(Label::Per, Part::L);
    tags[4] = tag_id(Label::Per, Part::U);
    tags[6] = tag_id(Label::Per, Part::U);
    // No name before the first mark: nothing to join. A quoted word after a name, then a
    // common noun: nothing either.
    tags[10] = tag_id(Label::Per, Part::U);
    tags[12] = tag_id(Label::Per, Part::U);
    // A name the tagger drew across a mark is cut there, then joined whole.
    tags[18] = tag_id(Label::Per, Part::B);
    tags[19] = tag_id(Label::Per, Part::I);
    tags[20] = tag_id(Label::Per, Part::L);
    tags[22] = tag_id(Label::Per, Part::U);
    let all = [(0, words.len())];
    repair_document(&words, &mut tags, &all);
    assert_eq!(
        predicted_chunks(&tags, &all),
        vec![
            (1, 7, Label::Per),
            (10, 11, Label::Per),
            (12, 13, Label::Per),
            (18, 23, Label::Per)
        ]
    );
}

/// The chunks left by the document repairs of `words` tagged with `chunks`.
fn repaired(
    words: &[&str],
    chunks: &[(usize, usize, Label)],
    sentences: &[(usize, usize)],
) -> Vec<(usize, usize, Label)> {
    let mut tags = vec![O; words.len()];
    repair::write_chunks(&mut tags, chunks);
    repair_document(words, &mut tags, sentences);
    predicted_chunks(&tags, sentences)
}

#[test]
fn document_repair_joins_a_one_word_handle_of_any_case() {
    // [Robin]PER “ ropz ” Kool, [Nicolai]ORG “ device ” [Reedtz]PER, and a handle the tagger
    // drew as a name of its own: each one person. Not a quoted word between a name and a
    // common noun, nor between names of no person.
    let words = [
        "Robin", "\u{201C}", "ropz", "\u{201D}", "Kool", "won", ";", "Nicolai", "\u{201C}",
        "device", "\u{201D}", "Reedtz", "and", "Mario", "\u{201C}", "malbsMd", "\u{201D}",
        "Samayoa", "lost", "to", "Smith", "\u{201C}", "badly", "\u{201D}", "at", "Apple", "\"",
        "Genius", "\"", "Bar", ".",
    ];
    let (per, org) = (Label::Per, Label::Org);
    let tagged = [
        (0, 1, per),
        (7, 8, org),
        (11, 12, per),
        (13, 14, per),
        (15, 16, per),
        (17, 18, per),
        (20, 21, per),
        (25, 26, org),
    ];
    let want = [
        (0, 5, per),
        (7, 12, per),
        (13, 18, per),
        (20, 21, per),
        (25, 26, org),
    ];
    assert_eq!(repaired(&words, &tagged, &[(0, words.len())]), want);
}

#[test]
fn a_name_after_a_company_word_is_an_organisation_throughout() {
    // "retailer [Ted Baker]PER" -> ORG, and so the other mention; "producer" may be a person.
    let words = [
        "retailer", "Ted", "Baker", "cut", "jobs", ".", "Ted", "Baker", "fell", ".", "record",
        "producer", "Terry", "Melcher", "spoke", ".",
    ];
    let tagged = [(1, 3, Label::Per), (6, 8, Label::Per), (12, 14, Label::Per)];
    let want = [(1, 3, Label::Org), (6, 8, Label::Org), (12, 14, Label::Per)];
    assert_eq!(
        repaired(&words, &tagged, &[(0, 6), (6, 10), (10, 16)]),
        want
    );
}

#[test]
fn a_holiday_is_no_name_but_may_open_one() {
    let words = [
        "during",
        "Christmas",
        "and",
        "New",
        "Year",
        ",",
        "on",
        "Christmas",
        "Island",
        "and",
        "at",
        "Easter",
        ",",
        "REUTERS",
        "/",
        "File",
        "Photo",
        ".",
    ];
    let tagged = [
        (1, 5, Label::Org),
        (7, 9, Label::Loc),
        (11, 12, Label::Loc),
        (15, 17, Label::Per),
    ];
    let got = repaired(&words, &tagged, &[(0, words.len())]);
    assert_eq!(got, [(7, 9, Label::Loc)]);
}

#[test]
fn a_coined_word_keeps_its_type_through_the_document() {
    // [COVID-19]MISC once, so at its other mentions too; a word the tagger typed two ways,
    // or one without digits, is left alone.
    let words = [
        "COVID-19", "spread", ";", "COVID-19", "cases", "and", "F1", "F1", "F1", "Paris", "Paris",
    ];
    let (misc, org, loc) = (Label::Misc, Label::Org, Label::Loc);
    let tagged = [(0, 1, misc), (6, 7, misc), (7, 8, org), (9, 10, loc)];
    let want = [
        (0, 1, misc),
        (3, 4, misc),
        (6, 7, misc),
        (7, 8, org),
        (9, 10, loc),
    ];
    assert_eq!(repaired(&words, &tagged, &[(0, words.len())]), want);
}

#[test]
fn a_nickname_may_hold_small_words() {
    let words = [
        "Roberto", "\"", "Hands", "of", "Stone", "\"", "Duran", "won",
    ];
    let mut tags = vec![O; words.len()];
    tags[0] = tag_id(Label::Per, Part::U);
    tags[6] = tag_id(Label::Per, Part::U);
    let all = [(0, words.len())];
    repair_document(&words, &mut tags, &all);
    assert_eq!(predicted_chunks(&tags, &all), vec![(0, 7, Label::Per)]);
}

#[test]
fn a_name_the_document_uses_alone_joins_the_name_after_it() {
    let words = [
        "Lanka", ".", "Ban", "Ki-moon", ",", "the", "chief", ".", "Mr.", "Ban", "'s", "term",
    ];
    let mut tags = vec![O; words.len()];
    tags[0] = tag_id(Label::Loc, Part::U);
    tags[3] = tag_id(Label::Per, Part::U);
    tags[9] = tag_id(Label::Per, Part::U);
    let sents = [(0, 2), (2, 8), (8, 12)];
    repair_document(&words, &mut tags, &sents);
    assert_eq!(
        predicted_chunks(&tags, &sents),
        vec![(0, 1, Label::Loc), (2, 4, Label::Per), (9, 10, Label::Per)]
    );
}

#[test]
fn tag_dists_agree_with_tag() {
    let model = Model::from_bytes(super::recognizer::DEFAULT_MODEL).unwrap();
    let words = [
        "Marco", "Rubio", "met", "Steve", "Witkoff", "in", "Paris", ".", "He", "left", ".",
    ];
    let sents = [(0, 8), (8, 11)];
    let (tags, probs) = model.tag(&words, &sents);
    let (dtags, dists) = model.tag_dists(&words, &sents);
    assert_eq!(tags, dtags);
    assert_eq!(dists.len(), words.len());
    for (i, d) in dists.iter().enumerate() {
        assert!(
            (d.iter().sum::<f32>() - 1.0).abs() < 1e-4,
            "token {i}: {d:?}"
        );
        // Before the repairs (which leave this sentence alone), the chosen tag's
        // probability is the one `tag` gives.
        assert!((d[tags[i]] - probs[i]).abs() < 1e-5, "token {i}");
    }
    assert_eq!(tag_name(tags[1]), "L-PER");
    assert!(model.tag_dists(&[], &[]).1.is_empty());
    // The repairs alone, on tags from elsewhere: a title split from the name after it.
    let words = ["Crown", "Prince", "Mohammed", "bin", "Salman", "spoke", "."];
    let per = |p: &str| BILOU_NAMES.iter().position(|n| *n == p).unwrap();
    let mut t = vec![
        per("B-PER"),
        per("I-PER"),
        per("I-PER"),
        per("I-PER"),
        per("L-PER"),
        O,
        O,
    ];
    model.repair(&words, &mut t, &[(0, 7)]);
    assert_eq!(
        t[0],
        O,
        "{:?}",
        t.iter().map(|&x| tag_name(x)).collect::<Vec<_>>()
    );
    assert_eq!(tag_name(t[2]), "B-PER");
}
