//! Speaker resolution through the whole pipeline, on short made-up articles.

use whosaid::input::Article;
use whosaid::Pipeline;

fn record(text: &str) -> whosaid::output::Record {
    let p = Pipeline::new_default().unwrap();
    p.record(&Article {
        id: "t".into(),
        title: None,
        text: text.into(),
    })
}

/// (speaker mention, resolved speaker name) of every quote.
fn speakers(text: &str) -> Vec<(String, String)> {
    record(text)
        .quotes
        .iter()
        .map(|q| {
            (
                q.speaker
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_default(),
                q.speaker_name.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_relative_pronoun_speaks_for_the_name_before_it() {
    let v =
        speakers("The campaign hired Jane Smith, who argued that the tax plan would fail badly.");
    assert_eq!(v, [("who".to_string(), "Jane Smith".to_string())]);
}

#[test]
fn a_relative_pronoun_speaks_for_the_person_a_description_follows() {
    let v = speakers(
        "The senator met Mitch McConnell, now the Senate majority leader, who argued that the \
         budget would fail.",
    );
    assert!(v.contains(&pair("who", "Mitch McConnell")), "{v:?}");
    let v = speakers(
        "Investigators questioned John Bentel, a tech staffer at the State Department who told \
         colleagues that the server was safe.",
    );
    assert!(v.contains(&pair("who", "John Bentel")), "{v:?}");
    // A clause between the name and the comma is no description of it.
    let v = speakers(
        "\"I will not vote for Trump,\" said one former campaign staffer, who argued that the \
         race was lost.",
    );
    assert!(v.iter().all(|(_, name)| name != "Trump"), "{v:?}");
}

#[test]
fn which_speaks_for_the_phrase_before_it_where_no_name_ends_there() {
    let v = speakers(
        "Officials disclosed the deal to the Saudi government, which argued that the law \
         would hurt relations.",
    );
    assert!(v.contains(&pair("which", "the Saudi government")), "{v:?}");
    let v = speakers(
        "Protesters gathered in front of the Supreme Court of the United States, which argued \
         that the lawsuit had no merit.",
    );
    assert!(
        v.contains(&pair("which", "the Supreme Court of the United States")),
        "{v:?}"
    );
    // A clause is not a speaker's name.
    let v = speakers(
        "After decades of use, the video was released, which argued that the police had lied.",
    );
    assert!(
        v.iter().all(|(_, name)| !name.contains("released")),
        "{v:?}"
    );
}

#[test]
fn a_she_that_opens_sentence_after_sentence_stays_with_whom_the_first_meant() {
    let text = "\"Make yourself heard,\" Loretta Lynch said. She has faced controversies since \
                taking office, most recently a meeting while the department was investigating \
                Hillary Clinton. She has called the shootings a moment like the civil rights \
                movement. She said she was not aware of a backlash.";
    let v = speakers(text);
    assert_eq!(v.last(), Some(&pair("She", "Loretta Lynch")), "{v:?}");
    // A "he" inside someone's quotation starts no chain for the narration's "he".
    let text = "Pete King spoke to reporters. \"He stated that he was clear, and that is not my \
                recollection,\" King said. \"It was not a terrorist attack,\" he said.";
    let v = speakers(text);
    assert_eq!(v.last(), Some(&pair("he", "Pete King")), "{v:?}");
}

#[test]
fn he_resolves_to_the_last_named_man() {
    let v = speakers(
        "Senator John Miller spoke on Tuesday. He said the bill would pass the Senate easily.",
    );
    assert_eq!(v, [("He".to_string(), "John Miller".to_string())]);
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[test]
fn she_never_resolves_to_a_man() {
    // The nearest person before "She" is a man by first name and by "Mr.".
    let v = speakers(
        "Mary Jones met Mr. Peter Brown in Boston on Monday. She said the talks went well.",
    );
    assert_eq!(v, [pair("She", "Mary Jones")]);
}

#[test]
fn a_bare_surname_joins_the_nearest_full_name_of_its_gender() {
    let r = record(
        "Gary Johnson spoke in Denver. Later, Jeh Johnson visited Texas. \
         Johnson said the border was secure. Mrs. Clinton met Bill Clinton and Hillary Clinton. \
         Clinton said the plan was sound.",
    );
    let speaker = |mention: &str| {
        r.quotes
            .iter()
            .find(|q| q.speaker.as_ref().is_some_and(|s| s.text == mention))
            .and_then(|q| q.speaker_name.clone())
    };
    assert_eq!(speaker("Johnson").as_deref(), Some("Jeh Johnson"));
    // "Mrs. Clinton" is not Bill Clinton.
    let bill = r.actors.iter().find(|a| a.name == "Bill Clinton").unwrap();
    assert_eq!(bill.mentions.len(), 1, "{:?}", bill.mentions);
    assert_eq!(bill.gender(), Some("male"));
}

#[test]
fn people_carry_a_gender_with_its_evidence() {
    let r = record(
        "Ms. Lee Kwan arrived in Seoul. Anna Petrova met Alex Chen, the mayor. \
         Chen said he would resign. Acme Corp declined to comment.",
    );
    let actor = |name: &str| r.actors.iter().find(|a| a.name == name).unwrap();
    let g = |name: &str| {
        let a = actor(name);
        (a.gender(), a.gender_source())
    };
    assert_eq!(g("Lee Kwan"), (Some("female"), Some("honorific")));
    assert_eq!(g("Anna Petrova"), (Some("female"), Some("first_name")));
    assert_eq!(g("Alex Chen"), (Some("male"), Some("pronoun")));
    assert_eq!(g("Acme Corp"), (None, None));
    // Organisations carry no gender fields at all; people carry them, null when unknown.
    let json = serde_json::to_value(&r).unwrap();
    let org = json["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Acme Corp")
        .unwrap();
    assert!(org.get("gender").is_none());
}

#[test]
fn they_after_a_list_of_names_is_that_group() {
    let r = record(
        "Marco Rubio, Steve Witkoff and Jared Kushner met officials in Geneva on Sunday. \
         In doing so, they pledged that the plan would protect Ukraine.",
    );
    let q = r
        .quotes
        .iter()
        .find(|q| q.speaker.as_ref().is_some_and(|s| s.text == "they"))
        .expect("a quote spoken by they");
    assert_eq!(
        q.speaker_name.as_deref(),
        Some("Marco Rubio, Steve Witkoff and Jared Kushner")
    );
    assert_eq!(q.speaker_actor, None);
    let names: Vec<&str> = q
        .speaker_actors
        .as_ref()
        .unwrap()
        .iter()
        .map(|&a| r.actors[a].name.as_str())
        .collect();
    assert_eq!(names, ["Marco Rubio", "Steve Witkoff", "Jared Kushner"]);
    // An unnamed group stays unnamed.
    let v = speakers("Officials met on Sunday. They said the plan would protect Ukraine.");
    assert_eq!(v, [pair("They", "They")]);
}

#[test]
fn titles_and_roles_resolve_to_the_one_the_article_gave_them() {
    let v = speakers(
        "Sen. Ted Cruz arrived in Houston on Monday. Later the senator said the storm had been terrible.",
    );
    assert_eq!(v, [pair("the senator", "Ted Cruz")]);
    let v = speakers(
        "Donald Trump, the Republican nominee, spoke in Ohio. Mike Pence also spoke. \
         The Republican nominee said the economy was weak.",
    );
    assert_eq!(
        v.last().unwrap(),
        &pair("The Republican nominee", "Donald Trump")
    );
    // "Vice President Joe Biden" is not "the president"; nor is a former one.
    let v = speakers(
        "Vice President Joe Biden and former President Bill Clinton met on Monday. \
         The president said the talks went well.",
    );
    assert_eq!(v, [pair("The president", "The president")]);
    let v = speakers(
        "Pacific Gas and Electric Company cut power to thousands of homes on Monday. \
         The company said the cuts would last a week.",
    );
    assert_eq!(v, [pair("The company", "Pacific Gas and Electric Company")]);
}

#[test]
fn first_person_writing_speaks_for_its_signed_or_introduced_author() {
    // Letters to the editor: each "I" is the writer whose signature follows the letter.
    let letters = "I believe that the council should drop the new parking fee.\n\n\
        Margaret Olsen.\n\n\
        I think that the fee will hurt the small shops on Main Street.\n\n\
        Daniel Ortiz.\n";
    let v = speakers(letters);
    assert_eq!(
        v,
        [pair("I", "Margaret Olsen"), pair("I", "Daniel Ortiz")],
        "{v:?}"
    );
    // An opinion piece whose closing note introduces its author.
    let op_ed = "I believe that the city has waited too long to fix its bridges.\n\n\
        Repairs will cost more every year.\n\n\
        Laura Brennan is a civil engineer in Portland.\n";
    assert_eq!(speakers(op_ed), [pair("I", "Laura Brennan")]);
    // Without a signature or a note on the writer, "I" stays unnamed.
    let plain = "I believe that the city has waited too long to fix its bridges.";
    assert_eq!(speakers(plain), [pair("I", "I")]);
}

#[test]
fn a_quoted_nickname_stays_inside_the_name_it_belongs_to() {
    let text = "Rep. Robert C. \"Bobby\" Scott opened his yard on Monday. \
        Bobby Scott said that the party would win the seat.";
    let names: Vec<String> = record(text).entities.into_iter().map(|e| e.text).collect();
    assert!(
        names.contains(&"Robert C. \"Bobby\" Scott".to_string()),
        "{names:?}"
    );
    assert_eq!(
        speakers(text),
        [pair("Bobby Scott", "Robert C. \"Bobby\" Scott")]
    );
}

#[test]
fn a_one_word_speaker_is_a_person_a_pronoun_may_mean() {
    // "McLenney" (misspelt in the article) looks like no one's name, but she is the one who
    // spoke: the next "she said" is hers, not Hillary Clinton's.
    let v = speakers(
        "Voters met Hillary Clinton in Tampa. McLenney said Clinton does not show consistency. \
         \"It is only when the media gets a video,\" she said.",
    );
    assert_eq!(v.last(), Some(&pair("she", "McLenney")), "{v:?}");
}

#[test]
fn a_relative_pronoun_looks_past_an_age_a_place_and_a_dash() {
    let v = speakers(
        "The council met on Monday. Jane Smith, 59, of Boston, who argued that the tax plan \
         would fail badly, left early.",
    );
    assert_eq!(v, [pair("who", "Jane Smith")], "{v:?}");
    let v = speakers(
        "The tax is an issue in the campaign, with Hillary Clinton \u{2014} who argued that the \
         rich should pay more \u{2014} ahead in the polls.",
    );
    assert_eq!(v, [pair("who", "Hillary Clinton")], "{v:?}");
}

#[test]
fn a_misspelt_surname_is_the_person_of_the_full_name() {
    // The article's own slips ("Wines" for Leslie Wimes, "McLenney" for Tyresha McClenney)
    // name the person already introduced, and so does the "she" after them.
    let v = speakers(
        "\"The campaign is in panic mode,\" said Leslie Wimes, a Florida organiser. Wines \
         believes that the campaign took voters for granted. \"They have a big problem,\" she \
         said.",
    );
    assert_eq!(v.last(), Some(&pair("she", "Leslie Wimes")), "{v:?}");
    let v = speakers(
        "Voters such as Tyresha McClenney met Hillary Clinton in Tampa. McLenney said Clinton \
         does not show consistency. \"It is only when the media gets a video,\" she said.",
    );
    assert!(v.contains(&pair("McLenney", "Tyresha McClenney")), "{v:?}");
    assert_eq!(v.last(), Some(&pair("she", "Tyresha McClenney")), "{v:?}");
    // A plural is no misspelling, nor is a first name.
    let r = record(
        "Hillary Clinton spoke in Ohio. The Clintons said that they would return. David and \
         Jeanne Davis wrote that the trip went well.",
    );
    for a in &r.actors {
        let mentions: Vec<&str> = a.mentions.iter().map(|m| m.text.as_str()).collect();
        if a.name == "Hillary Clinton" {
            assert!(!mentions.contains(&"Clintons"), "{mentions:?}");
        }
        if a.name == "Jeanne Davis" {
            assert!(!mentions.contains(&"David"), "{mentions:?}");
        }
    }
}

#[test]
fn a_speaker_phrase_ending_in_a_place_before_who_is_the_person_from_there() {
    let text = "The ceremony drew crowds. Donna Sampson Rawlings, 59, of Ashton, Md., who \
                watched the ceremony on a screen, said the event moved her.";
    let v = speakers(text);
    assert!(
        v.iter().all(|(_, name)| name == "Donna Sampson Rawlings"),
        "{v:?}"
    );
}

#[test]
fn a_named_speaker_the_recognizer_missed_is_one_a_later_he_may_mean() {
    let v = speakers(
        "Donald Trump and Bill Clinton met for a debate. The transcript shows that Clinton \
         talked about criminal justice reform. Trump \
         responded by using the example of Chicago.  He said: \"We have a situation where we \
         have our inner cities living in hell.\"",
    );
    assert_eq!(v.last(), Some(&pair("He", "Donald Trump")), "{v:?}");
}

#[test]
fn a_pronoun_speaker_with_adverbs_is_the_pronoun() {
    let v = speakers(
        "\"His fortunes have changed,\" The New York Times wrote. \"He continues to pursue \
         trophy projects,\" it further wrote.",
    );
    let it = v.iter().find(|(m, _)| m.starts_with("it"));
    assert_eq!(
        it.map(|(_, name)| name.as_str()),
        Some("The New York Times"),
        "{v:?}"
    );
}

#[test]
fn no_one_named_in_a_quote_is_its_pronoun_speaker_where_a_speaker_stands_before() {
    let v = speakers(
        "\"Congress knows little about these issues,\" said Cornell William Brooks, president \
         of the NAACP. \"We need people of substance.\" People like Bobby Scott, he said.",
    );
    assert_eq!(
        v.last(),
        Some(&pair("he", "Cornell William Brooks")),
        "{v:?}"
    );
    // With no other speaker of her gender about, the one named in her words is still she.
    let v = speakers(
        "Protesters are often surrounded. In Louisville on March 1, Ms. Kashiya Nwanguma was \
         shocked by the reaction from the crowd, she said in an interview later.",
    );
    assert_eq!(v.last(), Some(&pair("she", "Kashiya Nwanguma")), "{v:?}");
}

#[test]
fn a_possessive_speaker_is_its_possessor() {
    let r = record(
        "Donald Trump spoke on Monday. Trump's claim that crime is up was rated true. \"It's \
         over,\" it's said.",
    );
    let q = r
        .quotes
        .iter()
        .find(|q| q.speaker.as_ref().is_some_and(|s| s.text == "Trump's"))
        .expect("a quote with the speaker Trump's");
    assert_eq!(q.speaker_name.as_deref(), Some("Donald Trump"));
    // A contraction is no possessive.
    assert!(r
        .quotes
        .iter()
        .all(|q| q.speaker_name.as_deref() != Some("it")));
}

#[test]
fn a_description_set_off_after_a_name_speaks_for_that_person() {
    let text = "The fire killed five teenagers on Friday. Tomasz Kubiak, a fire service \
                spokesman, told reporters that the victim was in intensive care. Donald Tusk, \
                the current President of the European Council, wrote that he was shocked.";
    let v = speakers(text);
    let names: Vec<&str> = v.iter().map(|(_, n)| n.as_str()).collect();
    assert!(names.contains(&"Tomasz Kubiak"), "{v:?}");
    assert!(names.contains(&"Donald Tusk"), "{v:?}");
    assert!(!names.contains(&"European Council"), "{v:?}");
    // Without the closing comma the phrase is the clause's own subject.
    let v = speakers(
        "After a meeting with Barack Obama, the White House announced that the talks had failed.",
    );
    assert!(v.iter().all(|(_, name)| name != "Barack Obama"), "{v:?}");
}
