use super::*;

fn rec(json: &str) -> Record {
    serde_json::from_str(json).unwrap()
}

const TEXT: &str = "Ann Lee said it. Officials said so. He said no. Bo and Cy said yes.";

fn sample() -> Article {
    let r = rec(r#"{"id":"a","title":"T","entities":[
        {"start":0,"end":7,"text":"Ann Lee","label":"PER","score":0.9,"actor":0},
        {"start":48,"end":50,"text":"Bo","label":"PER","score":0.9,"actor":1},
        {"start":55,"end":57,"text":"Cy","label":"PER","score":0.9,"actor":2}],
      "actors":[{"name":"Ann Lee","label":"PER","mentions":[]},
                {"name":"Bo","label":"PER","gender":"male","mentions":[]},
                {"name":"Cy","label":"PER","mentions":[]}],
      "quotes":[
        {"kind":"indirect","content":[{"start":13,"end":15,"text":"it"}],"cue":{"start":8,"end":12,"text":"said"},
         "speaker":{"start":0,"end":7,"text":"Ann Lee"},"speaker_actor":0,"speaker_name":"Ann Lee","confidence":0.8},
        {"kind":"indirect","content":[{"start":32,"end":34,"text":"so"}],"cue":null,
         "speaker":{"start":17,"end":26,"text":"Officials"},"speaker_actor":null,"speaker_name":"Officials","confidence":0.7},
        {"kind":"direct","content":[{"start":44,"end":46,"text":"no"}],"cue":null,
         "speaker":{"start":36,"end":38,"text":"He"},"speaker_actor":null,"speaker_name":"He","confidence":0.5},
        {"kind":"indirect","content":[{"start":63,"end":66,"text":"yes"}],"cue":null,
         "speaker":{"start":48,"end":57,"text":"Bo and Cy"},"speaker_actor":null,"speaker_name":"Bo and Cy","confidence":0.6},
        {"kind":"indirect","content":[{"start":0,"end":3,"text":"xyz"}],"cue":null,"speaker":null,
         "speaker_actor":null,"speaker_name":null,"confidence":0.1}]}"#);
    Article::new(r, TEXT.to_string())
}

#[test]
fn speakers_are_sorted_into_kinds() {
    let a = sample();
    let kinds: Vec<_> = a
        .rec
        .quotes
        .iter()
        .map(|q| speaker_kind(&a.rec, q))
        .collect();
    assert_eq!(
        kinds,
        [
            SpeakerKind::Person,
            SpeakerKind::Unnamed,
            SpeakerKind::Pronoun,
            SpeakerKind::Group
        ]
    );
    assert_eq!(
        a.note.as_deref(),
        Some("1 spans of the record do not match this text and are not shown")
    );
}

#[test]
fn the_summary_counts_quotes_speakers_and_articles() {
    let mut b = sample();
    b.rec.id = "b".into();
    b.rec.quotes.truncate(1);
    let s = summarize(&[sample(), b]);
    assert_eq!((s.articles, s.quotes, s.direct), (2, 5, 1));
    assert_eq!(s.speakers[0].name, "Ann Lee");
    assert_eq!((s.speakers[0].quotes, s.speakers[0].articles), (2, 2));
    assert_eq!(s.speakers.len(), 3, "{:?}", s.speakers);
    assert!((s.named_share() - 0.6).abs() < 1e-9);
    assert_eq!(s.genders, vec![(None, 1)]);
    let html = page::render(&[sample()], &s, "R <&>");
    assert!(html.contains("<title>R &lt;&amp;&gt;</title>"));
    assert_eq!(page::chart(&s).matches("<rect").count(), 2);
}

#[test]
fn no_text_in_the_data_can_close_its_script() {
    let mut a = sample();
    a.rec.title = Some("</script><script>alert(1)</script>".into());
    let s = summarize(std::slice::from_ref(&a));
    let html = page::render(&[a], &s, "t");
    assert_eq!(html.matches("</script>").count(), 2);
}
