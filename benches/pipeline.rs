//! Criterion benches over `corpus/`: the whole pipeline per article, and its stages. Each bench
//! first checks that the pipeline still finds exactly the entities and quotes of the reviewed
//! golden digest (`tests/golden/corpus-digest.tsv`), so a fast-but-wrong change cannot pass.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use std::path::PathBuf;
use whosaid::input::{Article, InputOptions, Inputs};
use whosaid::ner::perceptron::PerceptronNer;
use whosaid::ner::Recognizer;
use whosaid::quote::{QuoteDetector, QuoteModel};
use whosaid::tokenize::{NewsSegmenter, Segmenter};
use whosaid::work::Meter;
use whosaid::Pipeline;

fn corpus() -> Vec<Article> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Inputs::open(&[root.join("corpus")], InputOptions::default())
        .map(|a| a.expect("corpus articles are readable"))
        .collect()
}

/// Entity and quote totals of the golden digest.
fn golden_counts() -> (usize, usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let digest = std::fs::read_to_string(root.join("tests/golden/corpus-digest.tsv"))
        .expect("golden digest");
    let mut entities = 0;
    let mut quotes = 0;
    for line in digest.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let nums: Vec<usize> = cols[1].split(' ').filter_map(|x| x.parse().ok()).collect();
        entities += nums.iter().sum::<usize>();
        quotes += cols.get(3).map_or(0, |q| {
            if q.is_empty() {
                0
            } else {
                q.split(" | ").count()
            }
        });
    }
    (entities, quotes)
}

fn benches(c: &mut Criterion) {
    let articles = corpus();
    let words: usize = articles
        .iter()
        .map(|a| a.text.split_whitespace().count())
        .sum();
    let pipeline = Pipeline::new_default().unwrap();
    let (want_e, want_q) = golden_counts();
    let counts: Vec<(usize, usize)> = articles
        .par_iter()
        .map(|a| {
            let r = pipeline.record(a);
            (r.entities.len(), r.quotes.len())
        })
        .collect();
    let got = counts.iter().fold((0, 0), |s, c| (s.0 + c.0, s.1 + c.1));
    assert_eq!(
        got,
        (want_e, want_q),
        "the pipeline's counts differ from the golden digest"
    );

    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(words as u64));
    g.sample_size(10);
    g.bench_function("pipeline_parallel", |b| {
        b.iter(|| {
            let n: usize = articles
                .par_iter()
                .map(|a| pipeline.record(a).quotes.len())
                .sum();
            assert_eq!(n, want_q);
        })
    });
    g.bench_function("pipeline_one_thread", |b| {
        b.iter(|| {
            let n: usize = articles
                .iter()
                .map(|a| pipeline.record(a).entities.len())
                .sum();
            assert_eq!(n, want_e);
        })
    });
    g.bench_function("segment", |b| {
        b.iter(|| {
            let n: usize = articles
                .iter()
                .map(|a| NewsSegmenter.segment(&a.text).tokens.len())
                .sum();
            black_box(n)
        })
    });
    let ner = PerceptronNer::default_model().unwrap();
    let docs: Vec<_> = articles
        .iter()
        .map(|a| NewsSegmenter.segment(&a.text))
        .collect();
    g.bench_function("ner", |b| {
        b.iter(|| {
            let n: usize = docs
                .iter()
                .map(|d| {
                    ner.recognize(d, &mut Meter::unlimited())
                        .map_or(0, |e| e.len())
                })
                .sum();
            assert_eq!(n, want_e);
        })
    });
    let quotes = QuoteModel::builtin().unwrap();
    g.bench_function("quotes", |b| {
        b.iter(|| {
            let n: usize = docs
                .iter()
                .map(|d| quotes.detect(d, &mut Meter::unlimited()).len())
                .sum();
            assert_eq!(n, want_q);
        })
    });
    g.finish();
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
