//! Unit tests of the rules, one behaviour each.

use super::*;
use crate::quote::QuoteDetector;
use crate::tokenize::{NewsSegmenter, Segmenter};

/// (kind, contents, cue, speaker) of every quote, as text.
fn q(text: &str) -> Vec<(String, Vec<String>, String, String)> {
    let doc = NewsSegmenter.segment(text);
    RuleQuotes::rules_only()
        .detect(&doc, &mut Meter::unlimited())
        .into_iter()
        .map(|q| {
            (
                q.kind.as_str().to_string(),
                q.content
                    .iter()
                    .map(|s| s.slice(text).to_string())
                    .collect(),
                q.cue.map(|s| s.slice(text).to_string()).unwrap_or_default(),
                q.speaker
                    .map(|(a, b)| doc.span_of(a, b).slice(text).to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn one(text: &str) -> (String, Vec<String>, String, String) {
    let v = q(text);
    assert_eq!(v.len(), 1, "{text:?} gave {v:?}");
    v.into_iter().next().unwrap()
}

#[test]
fn direct_after_curly() {
    let r = one("“The plan is dead,” he said.");
    assert_eq!(r.0, "direct");
    assert_eq!(r.1, vec!["The plan is dead,"]);
    assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "he"));
}

#[test]
fn direct_straight_inverted() {
    let r = one("\"We will not give up our land,\" said Volodymyr Zelensky.");
    assert_eq!(r.3, "Volodymyr Zelensky");
    assert_eq!(r.1, vec!["We will not give up our land,"]);
}

#[test]
fn direct_split_is_one_quote() {
    let r = one("\"The author is the United States,\" he said in a statement, adding, \"It is based on proposals. But also on others.\"");
    assert_eq!(r.1.len(), 2);
    assert_eq!(r.1[1], "It is based on proposals. But also on others.");
    assert_eq!(r.3, "he");
}

#[test]
fn direct_split_mid_sentence() {
    let r = one("“This is,” Rubio said, “only the beginning of the talks.”");
    assert_eq!(r.1, vec!["This is,", "only the beginning of the talks."]);
    assert_eq!(r.3, "Rubio");
}

#[test]
fn direct_colon_before() {
    let r = one("Secretary of State Marco Rubio said: \"We made progress on every point today.\"");
    assert_eq!(r.0, "direct");
    assert_eq!(r.3, "Secretary of State Marco Rubio");
    assert_eq!(r.2, "said");
}

#[test]
fn block_quote_after_colon() {
    let r = one("The envoy made significant contributions to the plan:\n\"U.S. representatives brought the document to Miami the weekend before Halloween.\"");
    assert_eq!(r.0, "direct");
    assert_eq!(r.2, "");
    assert!(r.1[0].starts_with("U.S. representatives"));
}

#[test]
fn multi_paragraph_quote() {
    let t = "“We have talked for weeks about the plan and its terms,” she said. “We went to Miami.\n\n“Then we flew home and wrote it down,” she added.";
    let v = q(t);
    assert!(
        v.iter().any(|r| r
            .1
            .iter()
            .any(|c| c.contains("We went to Miami.") && c.contains("Then we flew home"))),
        "{v:?}"
    );
}

#[test]
fn scare_quotes_are_not_statements() {
    assert!(q("Trump had a \"peace plan\" for Ukraine written down.").is_empty());
    assert!(q("It Has Become Known How Trump Had A \"peace Plan\" For Ukraine").is_empty());
}

#[test]
fn reported_that() {
    let r = one("For his part, Dmitriev insisted that Ukraine could never join NATO.");
    assert_eq!(r.0, "indirect");
    assert_eq!(r.1, vec!["that Ukraine could never join NATO"]);
    assert_eq!((r.2.as_str(), r.3.as_str()), ("insisted", "Dmitriev"));
    let r = one("Dmitriev also suggested that the U.S. and Russia sign economic agreements.");
    assert_eq!(r.3, "Dmitriev");
}

#[test]
fn reported_without_that() {
    let r = one("Officials said Rubio was aware of the initiative.");
    assert_eq!(r.1, vec!["Rubio was aware of the initiative"]);
    assert_eq!(r.3, "Officials");
    let r =
        one("Sources say in doing so, Witkoff and Kushner relied on information from an insider.");
    assert_eq!(r.3, "Sources");
    assert!(r.1[0].starts_with("in doing so"));
}

#[test]
fn reported_told_and_nested() {
    let v = q("Lawmakers told reporters at the conference that Rubio told them that the initial draft was influenced by a certain Russian.");
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].3, "Lawmakers");
    assert_eq!(v[1].3, "Rubio");
    assert_eq!(
        v[1].1,
        vec!["that the initial draft was influenced by a certain Russian"]
    );
    let r = one("He bluntly told them that it was more favorable to Russia.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("told them", "He"));
}

#[test]
fn reported_postposed_and_according() {
    let r = one("November 16, Kushner and Witkoff briefed the Ukrainian president on the plan, the WSJ wrote.");
    assert_eq!(r.3, "the WSJ");
    assert_eq!(
        r.1,
        vec!["November 16, Kushner and Witkoff briefed the Ukrainian president on the plan"]
    );
    let r = one("According to the Journal's sources, the first draft was written on a flight.");
    assert_eq!(r.3, "the Journal's sources");
    assert_eq!(r.2, "According to");
    assert_eq!(r.1, vec!["the first draft was written on a flight"]);
    let r = one("The plan was drafted in October, according to two officials.");
    assert_eq!(r.3, "two officials");
}

#[test]
fn reported_coordinated_and_propose() {
    let v = q(
        "He promised to contact them with his thoughts and said the plan needed to be worked on.",
    );
    assert!(v.iter().any(|r| r.2 == "said" && r.3 == "He"), "{v:?}");
    let r = one("He recommended contacting Zelensky by phone to brief him.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("recommended", "He"));
}

#[test]
fn appositive_subject() {
    let v = q("The article noted that Witkoff, talking to officials and studying intelligence, concluded that Ukraine was weaker.");
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].3, "The article");
    assert_eq!(v[1].3, "Witkoff");
    let v = q("Witkoff, talking to officials and studying intelligence, concluded that Ukraine was in a weaker position.");
    assert_eq!(v[0].3, "Witkoff");
}

#[test]
fn reported_warned_denied_noted_sources() {
    let r = one("The minister warned lawmakers that the deal would collapse within weeks.");
    assert_eq!(
        (r.2.as_str(), r.3.as_str()),
        ("warned lawmakers", "The minister")
    );
    assert_eq!(r.1, vec!["that the deal would collapse within weeks"]);
    let r = one("Peskov denied that Moscow had seen the final draft of the plan.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("denied", "Peskov"));
    let r = one("Analysts noted that prices rose for a third month in a row.");
    assert_eq!(r.3, "Analysts");
    let r = one("Sources say the talks will resume in Geneva next week.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("say", "Sources"));
    assert_eq!(r.1, vec!["the talks will resume in Geneva next week"]);
    let r = one("The talks will resume in Geneva next week, officials said.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "officials"));
    assert_eq!(r.1, vec!["The talks will resume in Geneva next week"]);
}

#[test]
fn continuation_participle_parenthetical() {
    let r = one("\"We are ready,\" Rubio said. \"The rest is up to Moscow.\"");
    assert_eq!(r.1, vec!["We are ready,", "The rest is up to Moscow."]);
    let v = q("Clinton criticized the plan on Monday, saying that it would hurt working families.");
    assert!(
        v.iter().any(|r| r.2 == "saying" && r.3 == "Clinton"),
        "{v:?}"
    );
    let r = one("The latest test, North Korea said, was its biggest yet by far.");
    assert_eq!(r.1, vec!["The latest test", "was its biggest yet by far"]);
    assert_eq!(r.3, "North Korea");
    let r = one("\"It was a mistake,\" said Rep. Gwen Moore (D-Wis.) in a statement.");
    assert!(r.3.starts_with("Rep. Gwen Moore"), "{r:?}");
}

#[test]
fn content_stops_before_another_attribution() {
    let v = q("Trump said the tax plan would help workers, though she noted that critics disagree strongly.");
    assert!(
        v.iter()
            .any(|r| r.3 == "Trump" && r.1 == vec!["the tax plan would help workers"]),
        "{v:?}"
    );
    let r = one("The audit has no bearing on the returns, experts say.");
    assert_eq!(r.3, "experts");
    // A nested attribution stays inside the outer content.
    let v = q(
        "Sources say that when they met him, he bluntly told them that it was unfair to Ukraine.",
    );
    assert!(
        v.iter()
            .any(|r| r.3 == "Sources" && r.1[0].ends_with("unfair to Ukraine")),
        "{v:?}"
    );
}

#[test]
fn speakers_with_long_appositives_and_no_time_speakers() {
    let r = one("''Their strategy is very clear,'' Michael McFaul, a senior fellow at the Hoover Institution and a former ambassador, said of RT.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "Michael McFaul"));
    let v = q("\"We will appeal this ruling,\" said Tuesday a statement.");
    assert!(v.iter().all(|r| r.3 != "Tuesday"), "{v:?}");
}

#[test]
fn unattributed_quotation_continues_the_previous_speaker() {
    let v = q("Lawrence Cummings said he was a master at bolting deals together. \"He showed again and again an ability to put together deals that nobody else could.\"");
    let d = v.iter().find(|r| r.0 == "direct").unwrap();
    assert_eq!(d.3, "Lawrence Cummings", "{v:?}");
}

#[test]
fn headlines_calls_and_wants() {
    let v = q("Pat Caddell: Democrat Voters Worried About Clinton's Health\n\nThe pollster spoke on Thursday.");
    assert!(
        v.iter().any(|r| r.2 == ":" && r.3 == "Pat Caddell"),
        "{v:?}"
    );
    let r = one("Trump Could Address Clean Energy, Lindsey Graham Says.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("Says", "Lindsey Graham"));
    let r = one("Clinton called half of Trump's supporters \"deplorables\" at a fundraiser.");
    assert_eq!((r.0.as_str(), r.3.as_str()), ("direct", "Clinton"));
    let r = one("Trump called for female contestants to wear shorter dresses on the show.");
    assert_eq!(r.2, "called for");
    assert!(q("Rubio had to take calls from angry officials.").is_empty());
    let r = one("She wants to triple the size of the AmeriCorps program.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("wants", "She"));
}

#[test]
fn nouns_are_not_cues() {
    assert!(q("The state had extended early voting after voters faced long lines.").is_empty());
    assert!(
        q("Following initial reports of the explosion, the mayor arrived at the scene.").is_empty()
    );
    assert!(q("We don't have the exact legislation written down in any form.").is_empty());
    let r = one("The report states that the program failed most of its targets.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("states", "The report"));
}

#[test]
fn reported_speech_quoting_words_is_direct() {
    let r = one("Trump said the plan was \"a very good deal\" for everyone involved.");
    assert_eq!(r.0, "direct");
    assert_eq!(
        r.1,
        ["the plan was \"a very good deal\" for everyone involved"]
    );
    let r = one("Trump said the plan was a very good deal for everyone involved.");
    assert_eq!(r.0, "indirect");
}

#[test]
fn short_objects_are_not_content() {
    assert!(q("Rubio later denied that claim, however.").is_empty());
    assert!(q("WSJ reporters revealed the details.").is_empty());
}

#[test]
fn chained_contents_hold_at_most_three_other_cues() {
    let t = "Smith said that Jones said that Brown said that Green said that White said that \
             Black said that the plan works.";
    let r = q(t);
    assert_eq!(r.len(), 6);
    for (_, content, _, _) in &r {
        let cues =
            content[0].matches(" said ").count() + usize::from(content[0].starts_with("said "));
        assert!(cues <= MAX_NESTED_CUES, "{content:?}");
    }
    // The innermost ones are whole.
    assert_eq!(r[5].1, ["that the plan works"]);
    assert_eq!(
        r[2].1,
        ["that Green said that White said that Black said that the plan works"]
    );
}

#[test]
fn unbalanced_marks_do_not_panic() {
    for t in [
        "\"",
        "“",
        "”",
        "\"a",
        "a\"",
        "“ said he",
        "said",
        ", said",
        "according to",
        "According to X,",
        "\"x\" \"",
        "told",
        "He told",
    ] {
        let _ = q(t);
    }
}

#[test]
fn characterizing_verbs_with_a_quotation() {
    let r = one("Japan branded North Korea an \"outlaw nation in the neighborhood\" on Friday.");
    assert_eq!(
        (r.0.as_str(), r.2.as_str(), r.3.as_str()),
        ("direct", "branded", "Japan")
    );
    assert!(q("Japan branded its new cars for export.").is_empty());
}

#[test]
fn a_quotation_ending_its_sentence_is_not_the_next_clause_s() {
    let v = q("Japan branded North Korea an \"outlaw nation.\" Russia insisted that Pyongyang \"stop its dangerous escapades.\"");
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].3, "Japan", "{v:?}");
    assert_eq!((v[1].2.as_str(), v[1].3.as_str()), ("insisted", "Russia"));
    let r = one("\"We will appeal this ruling.\" Husted said Tuesday.");
    assert_eq!(r.3, "Husted");
}

#[test]
fn participle_after_a_quotation_takes_its_speaker() {
    let v = q("\"We do not see a link to terrorism,\" the mayor said, adding that it would take \"more hours\" before details emerge.");
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!((v[1].2.as_str(), v[1].3.as_str()), ("adding", "the mayor"));
    assert_eq!(
        v[1].1,
        ["that it would take \"more hours\" before details emerge"]
    );
    let r = one("Obama responded to a Gold Star mother by saying his refusal to use the words was a manufactured issue.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("saying", "Obama"));
}

#[test]
fn inverted_cue_before_a_colon() {
    let r =
        one("Said Ellis: \"I don't get the sense she's the least bit interested in tax reform.\"");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("Said", "Ellis"));
}

#[test]
fn titles_in_quote_marks_are_not_statements() {
    let v = q("On \"Fox News Sunday,\" Pence said the tweet was only meant to mock the campaign.");
    assert!(v.iter().all(|r| r.1 != ["Fox News Sunday"]), "{v:?}");
    assert!(v.iter().any(|r| r.3 == "Pence"), "{v:?}");
    assert!(q("In his 2002 book, \"Make Your Kid a Millionaire,\" he set out a plan.").is_empty());
}

#[test]
fn cues_inside_an_attributed_quotation_attribute_nothing() {
    let v =
        q("\"The scientific community is against the products you called miracles,\" she said.");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].3, "she");
    // A paragraph quoted whole, without a speaker, keeps its attributions.
    let v =
        q("\"Sources said all three had similar views on what the proposal should look like.\"");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].3, "Sources");
}

#[test]
fn a_closing_mark_misprinted_at_a_paragraph_start_opens() {
    let r = one("\u{201D}Fear. I am truly afraid that he will win and that we are in trouble.\u{201D} \u{2015} Edwin G. Monroy");
    assert_eq!((r.0.as_str(), r.3.as_str()), ("direct", "Edwin G. Monroy"));
}

#[test]
fn writer_s_tails_are_cut_from_content() {
    let r = one(
        "He said the moderators would not be fair to him, engaging in what analysts call pressure.",
    );
    assert_eq!(r.1, ["the moderators would not be fair to him"]);
    let r = one("Tribe said the rules amounted to burning the Constitution - a charge that stung.");
    assert_eq!(r.1, ["the rules amounted to burning the Constitution"]);
}

#[test]
fn evidence_verbs_take_a_bare_clause() {
    let r = one("Polling averages show Clinton with a lead in the low single digits.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("show", "Polling averages"));
    assert!(q("He found the keys under the car yesterday.").is_empty());
}

#[test]
fn inverted_speaker_after_a_comma() {
    let r = one("Trump would expand the deduction, but for some, the losses would outstrip the gains, said Batchelder.");
    assert_eq!(r.3, "Batchelder");
    assert_eq!(
        r.1,
        ["Trump would expand the deduction, but for some, the losses would outstrip the gains"]
    );
    let r = one("Its first national television ad could start this week, said Brian Baker, a longtime political adviser to the family.");
    assert_eq!(r.3, "Brian Baker");
}

#[test]
fn urging_someone_to_act_and_adjuncts_before_a_clause() {
    let r = one(
        "In his speech, Graham urged Republicans to join the ranks of climate change believers.",
    );
    assert_eq!((r.2.as_str(), r.3.as_str()), ("urged", "Graham"));
    assert_eq!(
        r.1,
        ["Republicans to join the ranks of climate change believers"]
    );
    let r = one(
        "Trump said after the convention he would not accept the endorsement if it were offered.",
    );
    assert_eq!(
        r.1,
        ["he would not accept the endorsement if it were offered"]
    );
}

#[test]
fn transcript_turns_and_quoted_headlines() {
    let v = q("Debate night\n\nPartial transcript follows.\n\nTAPPER: Do you think Donald Trump has campaigned as a racial healer?\n\nPIERSON: Absolutely.");
    assert!(v.iter().any(|r| r.3 == "TAPPER" && r.2 == ":"), "{v:?}");
    assert!(
        v.iter().all(|r| r.3 != "PIERSON"),
        "one word is no statement: {v:?}"
    );
    let v = q("Kasich: \u{2018}We Are Going To Go All The Way To Cleveland.\u{2019}\n\nThe governor spoke in Ohio.");
    assert!(v.iter().any(|r| r.3 == "Kasich"), "{v:?}");
}

#[test]
fn a_poll_named_up_front_is_the_source() {
    let r = one("In an NBC News/Wall Street Journal poll released Monday, 50 percent of respondents chose Clinton.");
    assert_eq!(
        (r.2.as_str(), r.3.as_str()),
        ("In", "an NBC News/Wall Street Journal poll released Monday")
    );
    assert!(q("In a statement, the campaign said the poll was wrong.")
        .iter()
        .all(|r| r.2 != "In"));
}

#[test]
fn progressive_cues_have_subjects() {
    let r = one("Trump is claiming that voting fraud is rampant in some states.");
    assert_eq!((r.2.as_str(), r.3.as_str()), ("claiming", "Trump"));
    let r =
        one("Fellow Republicans are now urging Trump to make the second debate a game-changer.");
    assert_eq!(r.3, "Fellow Republicans");
}

#[test]
fn a_listener_with_a_quoted_programme_name() {
    let v = q("Sanders told MSNBC's \"Morning Joe\" that nobody would question her intelligence.");
    assert!(
        v.iter()
            .any(|r| r.3 == "Sanders" && r.1 == ["that nobody would question her intelligence"]),
        "{v:?}"
    );
}
