//! `whosaid report`: the page is self-contained, `--results` gives the same page as a fresh
//! analysis, and in headless Chromium (Debian's `chromium`) the page renders: a linked quote
//! selects exactly its speaker, cue and content segments and shows its actor and confidence,
//! a linked actor highlights its mentions and quotes, the tables fill. Where Chromium is not
//! installed these browser checks skip with a message, unless WHOSAID_REQUIRE_CHROMIUM is set
//! (as CI sets it, after installing the package).

mod common;

use common::{bin, succeeded, tmpdir};
use regex::Regex;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TRICKY: &str = r#"{"id": "tricky", "title": "</script><b>bold</b>", "text": "😀😀 Maria Lopez, the mayor of Springfield, said: \"We will rebuild, fast.\"\n\nShe added that the city had \"no choice\"."}
"#;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    common::seed_and_jsonl(dir, "tricky", TRICKY)
}

fn report(dir: &Path, paths: &[PathBuf], extra: &[&str]) -> String {
    let out = dir.join("report.html");
    let o = bin()
        .arg("report")
        .args(paths)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(&out).unwrap()
}

fn data(html: &str) -> Value {
    let start = html
        .find(r#"<script id="data" type="application/json">"#)
        .unwrap();
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap()
}

#[test]
fn the_page_is_self_contained_and_results_give_the_same_page() {
    let dir = tmpdir("report-results");
    let paths = inputs(&dir);
    let fresh = report(&dir, &paths, &[]);
    for link in ["src=", "href=\"http", "@import", "url("] {
        assert!(!fresh.contains(link), "the page fetches nothing: {link}");
    }
    assert_eq!(
        fresh.matches("</script>").count(),
        2,
        "no text closes a script"
    );
    let run = bin().arg("run").args(&paths).output().unwrap();
    assert!(run.status.success());
    let results = dir.join("results.jsonl");
    std::fs::write(&results, &run.stdout).unwrap();
    let again = report(&dir, &paths, &["--results", results.to_str().unwrap()]);
    assert_eq!(data(&fresh), data(&again));
    assert_eq!(fresh, again);

    // Results over another text: the spans that no longer fit are dropped, and said so.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("seed-article.txt"),
        "A different text, said nobody.",
    )
    .unwrap();
    let o = bin()
        .arg("report")
        .arg(&other)
        .arg("-o")
        .arg(dir.join("r2.html"))
        .arg("--results")
        .arg(&results)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no text of tricky"));
    let d = data(&std::fs::read_to_string(dir.join("r2.html")).unwrap());
    let seed = &d["articles"][0];
    assert!(seed["note"]
        .as_str()
        .unwrap()
        .contains("do not match this text"));
    assert_eq!(seed["quotes"].as_array().unwrap().len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Chromium, started as the environment notes say, or `None` (skipping) where absent.
fn chromium() -> Option<Vec<String>> {
    let exe = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(exe) = exe else {
        if std::env::var_os("WHOSAID_REQUIRE_CHROMIUM").is_some() {
            panic!("WHOSAID_REQUIRE_CHROMIUM is set but chromium is not installed");
        }
        eprintln!("skipping: headless Chromium (Debian package chromium) is not installed");
        return None;
    };
    let profile = tmpdir("report-chromium-profile");
    Some(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect(),
    )
}

fn browse(ch: &[String], args: &[String]) -> Vec<u8> {
    succeeded(
        Command::new(&ch[0])
            .args(&ch[1..])
            .args(args)
            .output()
            .unwrap(),
    )
    .stdout
}

fn dom(ch: &[String], page: &Path, hash: &str) -> String {
    let url = format!("file://{}#{hash}", page.display());
    String::from_utf8(browse(ch, &["--dump-dom".into(), url])).unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The text segments of the article view with their classes.
fn segments(dom: &str) -> Vec<(String, String)> {
    let text = &dom[dom.find(r#"id="av-text""#).unwrap()..];
    let text = &text[..text.find("</div>").unwrap()];
    let re = Regex::new(r#"<span ([^>]*)>([^<]*)</span>"#).unwrap();
    let class = Regex::new(r#"class="([^"]*)""#).unwrap();
    re.captures_iter(text)
        .map(|c| {
            let cls = class
                .captures(&c[1])
                .map_or("", |m| m.get(1).unwrap().as_str());
            (cls.to_string(), unescape(&c[2]))
        })
        .collect()
}

fn has(cls: &str, name: &str) -> bool {
    cls.split(' ').any(|c| c == name)
}

/// The text of a quote's spans in text order, as the selected segments should spell it.
fn quote_text(rec: &Value, q: usize) -> String {
    let text: Vec<char> = rec["text"].as_str().unwrap().chars().collect();
    let q = &rec["quotes"][q];
    let mut covered = vec![false; text.len()];
    let mut mark = |s: &Value| {
        for c in &mut covered[s[0].as_u64().unwrap() as usize..s[1].as_u64().unwrap() as usize] {
            *c = true;
        }
    };
    for part in q[1].as_array().unwrap() {
        mark(part);
    }
    for k in [2, 3] {
        if !q[k].is_null() {
            mark(&q[k]);
        }
    }
    text.iter()
        .zip(&covered)
        .filter(|(_, c)| **c)
        .map(|(t, _)| t)
        .collect()
}

#[test]
fn the_page_renders_and_selections_follow_links() {
    let Some(ch) = chromium() else { return };
    let dir = tmpdir("report-chromium");
    let paths = inputs(&dir);
    let html = report(&dir, &paths, &[]);
    let d = data(&html);
    let page = dir.join("report.html");

    // The summary, and the chart drawn with a bar per top speaker.
    let front = dom(&ch, &page, "view=summary");
    assert!(
        front.contains(r#"data-tab="summary""#),
        "the summary tab shows first"
    );
    assert!(front.contains(r#"<b id="n-articles">2</b>"#));
    assert!(front.contains(r#"<b id="n-quotes">"#));
    let bars = front.matches("<g class=\"bar").count();
    assert!((3..=15).contains(&bars), "{bars} bars");
    assert!(front.contains("data-render-ms="));
    // The speakers table fills from the data, most quoted first.
    let rows = Regex::new(r#"<tr data-name="([^"]*)">"#).unwrap();
    let names: Vec<String> = rows
        .captures_iter(&front)
        .map(|c| unescape(&c[1]))
        .collect();
    assert_eq!(names.len(), d["speakers"].as_array().unwrap().len());
    assert_eq!(names[0], "Marco Rubio");

    // A linked quote: the seed's "he said in a statement" (quote 24) is selected whole.
    let seed = &d["articles"][0];
    assert_eq!(seed["id"], "seed-article");
    let q = seed["quotes"].as_array().unwrap().iter().position(|q| {
        q[2].is_array() && {
            let t: Vec<char> = seed["text"].as_str().unwrap().chars().collect();
            let (a, b) = (
                q[2][0].as_u64().unwrap() as usize,
                q[2][1].as_u64().unwrap() as usize,
            );
            t[a..b].iter().collect::<String>() == "said in a statement"
        }
    });
    let q = q.expect("the seed's quote with 'said in a statement'");
    let view = dom(&ch, &page, &format!("article=seed-article&quote={q}"));
    assert!(view.contains(r#"data-tab="article-view""#));
    let info = &view[view.find(r#"<aside id="av-info""#).unwrap()..];
    let info = &info[..info.find("</aside>").unwrap()];
    assert!(info.contains("Marco Rubio (PER, male)"), "{info}");
    assert!(info.contains(&format!("{:.3}", seed["quotes"][q][6].as_f64().unwrap())));
    let segs = segments(&view);
    let selected: String = segs
        .iter()
        .filter(|(c, _)| has(c, "sel"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(selected, quote_text(seed, q));
    assert!(segs
        .iter()
        .any(|(c, t)| has(c, "qsp") && has(c, "sel") && t == "he"));
    assert!(segs
        .iter()
        .any(|(c, t)| has(c, "qcue") && has(c, "sel") && t == "said in a statement"));
    assert!(view.contains(&format!(r#"<tr data-quote="{q}" class="sel">"#)));

    // The reverse: a linked actor lights its mentions and every quote of it.
    let rubio = seed["actors"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a[0] == "Marco Rubio")
        .unwrap();
    let view = dom(&ch, &page, &format!("article=seed-article&actor={rubio}"));
    let segs = segments(&view);
    let mentions: Vec<&str> = segs
        .iter()
        .filter(|(c, _)| has(c, "sel-a"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        mentions.contains(&"Marco Rubio") && mentions.contains(&"Rubio"),
        "{mentions:?}"
    );
    let of_rubio = seed["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q[4].as_u64() == Some(rubio as u64))
        .count();
    assert_eq!(view.matches(r#"" class="sel">"#).count(), of_rubio);

    // Code points, not UTF-16 units: after two emoji, every span still lands on its text.
    let tricky = &d["articles"][1];
    assert_eq!(tricky["id"], "tricky");
    let view = dom(&ch, &page, "article=tricky&quote=0");
    assert!(
        view.contains("&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"),
        "the title is text"
    );
    let selected: String = segments(&view)
        .iter()
        .filter(|(c, _)| has(c, "sel"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(selected, quote_text(tricky, 0));
    for (c, t) in segments(&view) {
        if has(&c, "ent-PER") {
            assert_eq!(t, "Maria Lopez");
        }
    }

    // A screenshot of the article view, to look at (the README's is made the same way).
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &ch,
        &[
            "--window-size=1280,860".into(),
            format!("--screenshot={}", shot.display()),
            format!("file://{}#article=seed-article&quote={q}", page.display()),
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    eprintln!("screenshot: {}", shot.display());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_page_answers_hover_clicks_and_filters() {
    let Some(_) = chromium() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/browser/report.mjs");
    if !root
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        if std::env::var_os("WHOSAID_REQUIRE_CHROMIUM").is_some() {
            panic!("WHOSAID_REQUIRE_CHROMIUM is set but tests/browser has no playwright-core (npm ci --prefix tests/browser)");
        }
        eprintln!("skipping: playwright-core is not installed (npm ci --prefix tests/browser)");
        return;
    }
    let dir = tmpdir("report-playwright");
    let paths = inputs(&dir);
    report(&dir, &paths, &[]);
    let shot = dir.join("shot.png");
    let out = succeeded(
        Command::new("node")
            .arg(&script)
            .arg(dir.join("report.html"))
            .arg(&shot)
            .output()
            .unwrap(),
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!("{r}");
    assert_eq!(r["errors"], serde_json::json!([]), "no script errors");
    for k in [
        "summary_visible",
        "speakers_visible",
        "articles_visible",
        "view_visible",
    ] {
        assert_eq!(r[k], true, "{k}");
    }
    assert_eq!(r["tab_hash"], "#view=speakers");
    assert_eq!(
        r["article_tab_before"], false,
        "no article tab before one is opened"
    );
    assert_eq!(r["article_tab_after"], "Article: seed-article");
    assert_eq!(r["scroll_after_tab"], 0, "a tab keeps the page at its top");
    assert_eq!(r["speakers_first"], "Marco Rubio");
    let desc: Vec<u64> = serde_json::from_value(r["quotes_desc"].clone()).unwrap();
    let asc: Vec<u64> = serde_json::from_value(r["quotes_asc"].clone()).unwrap();
    assert!(desc.windows(2).all(|w| w[0] >= w[1]) && desc.len() > 5);
    assert!(asc.windows(2).all(|w| w[0] <= w[1]) && asc.len() == desc.len());
    // The filter finds Rubio and the group he speaks in ("they" = Rubio, Witkoff, Kushner);
    // opening the first row filters the articles by it.
    assert_eq!(
        r["filtered"],
        serde_json::json!([
            "Marco Rubio, Steve Witkoff and Jared Kushner",
            "Marco Rubio"
        ])
    );
    assert_eq!(
        r["article_filter"],
        "speaker:Marco Rubio, Steve Witkoff and Jared Kushner"
    );
    assert_eq!(
        r["articles_of_speaker"],
        serde_json::json!(["seed-article"])
    );
    // Hovering a cue selects its quote: speaker, cue and content, with actor and confidence.
    let info = r["hover_cue_info"].as_str().unwrap();
    // The quote's confidence as the golden seed record has it.
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/golden/seed-article.json")).unwrap(),
    )
    .unwrap();
    let confidence = golden["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["cue"]["text"] == "said in a statement")
        .map(|q| q["confidence"].to_string())
        .unwrap();
    assert!(
        info.contains("Marco Rubio (PER, male)")
            && info.contains(&format!("confidence {confidence}")),
        "{info}"
    );
    let sel = r["hover_cue_selected"].as_str().unwrap();
    assert!(
        sel.starts_with("The author of the peace proposal")
            && sel.contains("hesaid in a statement")
    );
    // Hovering the speaker shows the actor and lights its mentions.
    assert!(r["hover_speaker_info"]
        .as_str()
        .unwrap()
        .starts_with("ActorMarco Rubio (PER, male)"));
    let mentions: Vec<String> =
        serde_json::from_value(r["hover_speaker_mentions"].clone()).unwrap();
    assert!(mentions.iter().any(|m| m == "Marco Rubio") && mentions.iter().any(|m| m == "he"));
    assert_eq!(r["pinned_kept"], true);
    assert_eq!(r["cleared"], true);
    assert!(r["row_info"].as_str().unwrap().starts_with("Quote0"));
    assert_eq!(r["entities_hidden"], true);
    assert_eq!(&std::fs::read(&shot).unwrap()[..4], b"\x89PNG");
    let _ = std::fs::remove_dir_all(&dir);
}
