//! The report's HTML: the summary and the top-speakers chart written here, the speakers
//! table and the article views built by the page's script from the data embedded in it
//! (`page.js`, `page.css`; no network, opens from disk).

use super::{Article, Summary};
use serde_json::{json, Value};
use std::fmt::Write as _;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");
/// Bars in the top-speakers chart.
pub const TOP: usize = 15;

/// Escapes text for HTML and XML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / of as f64)
    }
}

/// The top speakers (named ones: people, organisations, groups) as an SVG bar chart.
pub fn chart(summary: &Summary) -> String {
    let top: Vec<_> = summary
        .speakers
        .iter()
        .filter(|s| s.kind.named())
        .take(TOP)
        .collect();
    let (row, label_w, bar_w) = (22, 220, 420);
    let h = row * top.len().max(1) + 8;
    let mut svg = format!(
        r#"<svg id="top-chart" role="img" aria-label="Top speakers by quotes" width="{}" height="{h}" viewBox="0 0 {} {h}" xmlns="http://www.w3.org/2000/svg">"#,
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    if top.is_empty() {
        svg.push_str(r#"<text x="0" y="16">No named speakers.</text>"#);
    }
    let max = top.first().map_or(1, |s| s.quotes.max(1));
    for (i, s) in top.iter().enumerate() {
        let y = i * row + 4;
        let w = (bar_w * s.quotes).div_ceil(max).max(2);
        let name: String = s.name.chars().take(32).collect();
        let _ = write!(
            svg,
            r#"<g class="bar k-{kind}"><title>{title}: {q} quotes in {a} articles</title><text x="{tx}" y="{ty}" text-anchor="end">{name}</text><rect x="{label_w}" y="{y}" width="{w}" height="{bh}"></rect><text x="{cx}" y="{ty}">{q}</text></g>"#,
            kind = s.kind.name().replace(' ', "-"),
            title = escape(&s.name),
            q = s.quotes,
            a = s.articles,
            tx = label_w - 8,
            ty = y + 14,
            name = escape(&name),
            bh = row - 6,
            cx = label_w + w + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn summary_html(s: &Summary) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<div class="cards"><div class="card"><b id="n-articles">{}</b>articles{}</div><div class="card"><b id="n-quotes">{}</b>quotes ({} direct, {} indirect)</div><div class="card"><b id="named-share">{}</b>of quotes have a named speaker</div><div class="card"><b id="n-speakers">{}</b>speakers named or described</div></div>"#,
        s.articles,
        if s.failed > 0 {
            format!(r#" <span class="bad">({} failed)</span>"#, s.failed)
        } else {
            String::new()
        },
        s.quotes,
        s.direct,
        s.quotes - s.direct,
        if s.quotes == 0 {
            "–".to_string()
        } else {
            format!("{:.1}%", 100.0 * s.named_share())
        },
        s.speakers.len()
    );
    h.push_str(r#"<div class="cols"><div><h3>Speaker kinds</h3><table id="kinds"><thead><tr><th>kind</th><th>quotes</th><th>share</th></tr></thead><tbody>"#);
    for (k, n) in &s.kinds {
        let _ = write!(
            h,
            r#"<tr data-kind="{}"><td><span class="dot k-{}"></span>{}</td><td>{n}</td><td>{}</td></tr>"#,
            k.name(),
            k.name().replace(' ', "-"),
            k.name(),
            pct(*n, s.quotes)
        );
    }
    h.push_str(r#"</tbody></table></div><div><h3>Gender of quoted people</h3><table id="genders"><thead><tr><th>gender</th><th>people</th><th>share</th></tr></thead><tbody>"#);
    let people: usize = s.genders.iter().map(|(_, n)| n).sum();
    for (g, n) in &s.genders {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{n}</td><td>{}</td></tr>"#,
            escape(g.as_deref().unwrap_or("unknown")),
            pct(*n, people)
        );
    }
    if s.genders.iter().all(|(g, _)| g.is_none()) {
        h.push_str(r#"</tbody></table><p class="note">These records carry no gender, so every quoted person counts as unknown.</p>"#);
    } else {
        h.push_str("</tbody></table>");
    }
    let _ = write!(h, r#"</div></div><h3>Top speakers</h3>{}"#, chart(s));
    h
}

fn span(s: &crate::text::OutSpan) -> Value {
    json!([s.start, s.end])
}

/// One article as the page's script reads it: text, entities, actors and quotes, in compact
/// arrays.
fn article_data(a: &Article) -> Value {
    let r = &a.rec;
    let ents: Vec<Value> = r
        .entities
        .iter()
        .map(|e| json!([e.start, e.end, e.label, e.actor]))
        .collect();
    let actors: Vec<Value> = r
        .actors
        .iter()
        .map(|x| json!([x.name, x.label, x.gender]))
        .collect();
    let quotes: Vec<Value> = r
        .quotes
        .iter()
        .map(|q| {
            json!([
                q.kind,
                q.content.iter().map(span).collect::<Vec<_>>(),
                q.cue.as_ref().map(span),
                q.speaker.as_ref().map(span),
                q.speaker_actor,
                q.speaker_name,
                q.confidence,
                super::speaker_kind(r, q).name(),
            ])
        })
        .collect();
    json!({"id": r.id, "title": r.title, "error": r.error, "note": a.note,
           "text": a.text, "ents": ents, "actors": actors, "quotes": quotes})
}

/// The data the page's script reads, as JSON: `{"articles": [...], "speakers": [...]}`,
/// written one article at a time (a corpus's data is never a tree in memory), with every
/// `<` escaped so that no text can close the script element that holds it.
pub fn data(articles: &[Article], s: &Summary) -> String {
    let mut out = String::from("{\"articles\":[");
    for (i, a) in articles.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let json = serde_json::to_string(&article_data(a)).expect("report data serializes");
        out.push_str(&json.replace('<', "\\u003c"));
    }
    let speakers: Vec<Value> = s
        .speakers
        .iter()
        .map(|p| json!([p.name, p.kind.name(), p.gender, p.quotes, p.articles]))
        .collect();
    let json = serde_json::to_string(&speakers).expect("report data serializes");
    out.push_str("],\"speakers\":");
    out.push_str(&json.replace('<', "\\u003c"));
    out.push('}');
    out
}

/// The whole page.
pub fn render(articles: &[Article], s: &Summary, title: &str) -> String {
    let data = data(articles, s);
    format!(
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{CSS}</style></head>
<body>
<header><h1>{title}</h1><p>{n} articles · made by whosaid {version}</p>
<nav id="tabs"><a href="#view=summary" data-tab="summary">Summary</a><a href="#view=speakers" data-tab="speakers">Speakers</a><a href="#view=articles" data-tab="articles">Articles</a><a id="tab-article" data-tab="article-view" hidden>Article</a></nav></header>
<main>
<section id="summary"><h2>Summary</h2>{summary}</section>
<section id="speakers" hidden><h2>Speakers</h2>
<input id="speaker-filter" type="search" placeholder="Filter by name" aria-label="Filter speakers by name">
<span id="speakers-count"></span>
<table id="speakers-table" class="sortable"><thead><tr><th data-col="0">actor</th><th data-col="1">kind</th><th data-col="2">gender</th><th data-col="3" class="num">quotes</th><th data-col="4" class="num">articles</th></tr></thead><tbody></tbody></table>
</section>
<section id="articles" hidden><h2>Articles</h2>
<input id="article-filter" type="search" placeholder="Filter by id, title or speaker" aria-label="Filter articles">
<span id="articles-count"></span>
<table id="articles-table"><thead><tr><th>id</th><th>title</th><th class="num">quotes</th><th class="num">entities</th></tr></thead><tbody></tbody></table>
<nav id="pager"></nav>
</section>
<section id="article-view" hidden>
<h2 id="av-title"></h2>
<p id="av-meta"></p>
<div class="toggles"><label><input type="checkbox" id="t-ent" checked> entities</label> <label><input type="checkbox" id="t-quote" checked> quotes</label> <label><input type="checkbox" id="t-speaker" checked> speakers and cues</label> <span class="legend"><span class="qsp">speaker</span> <span class="qcue">cue</span> <span class="qc">content</span> <span class="ent ent-PER">PER</span> <span class="ent ent-ORG">ORG</span> <span class="ent ent-LOC">LOC</span> <span class="ent ent-MISC">MISC</span></span></div>
<div class="reader"><div id="av-text" class="text"></div><aside id="av-info"><p class="note">Hover over or select a quote, a speaker or a name.</p></aside></div>
<h3>Quotes in this article</h3>
<table id="av-quotes"><thead><tr><th>#</th><th>speaker</th><th>resolved</th><th>cue</th><th>content</th><th class="num">confidence</th></tr></thead><tbody></tbody></table>
</section>
</main>
<script id="data" type="application/json">{data}</script>
<script>{JS}</script>
</body></html>
"##,
        title = escape(title),
        n = s.articles,
        version = env!("CARGO_PKG_VERSION"),
        summary = summary_html(s),
    )
}
