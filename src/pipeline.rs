//! The one place that knows the order of the stages:
//! text -> segmentation -> {NER, quote detection} in parallel -> attribution -> output.

use crate::attribution::{Attribution, Resolver, RuleResolver};
use crate::input::{Article, Item};
use crate::ner::perceptron::{Model, PerceptronNer};
use crate::ner::{Entity, Recognizer};
use crate::output::{Record, RecordView};
use crate::quote::{Quote, QuoteDetector, QuoteModel};
use crate::tokenize::{Doc, NewsSegmenter, Segmenter};
use crate::work::{Budget, Meter, Work};
use anyhow::Result;
use std::io::Write;
use std::path::Path;

/// Everything the pipeline found in one article.
pub struct Analysis<'a> {
    /// Tokens, sentences, paragraphs.
    pub doc: Doc<'a>,
    /// Named entities.
    pub entities: Vec<Entity>,
    /// Quotes.
    pub quotes: Vec<Quote>,
    /// Actors and resolved speakers.
    pub attribution: Attribution,
    /// Each stage's work, in its own steps.
    pub work: Work,
    /// What limited the analysis (a work budget reached); empty when nothing did.
    pub warnings: Vec<String>,
}

/// What one record written by [`Pipeline::write_record`] holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Entities.
    pub entities: usize,
    /// Quotes.
    pub quotes: usize,
    /// An error record.
    pub failed: bool,
    /// Warnings in the record (a work budget reached).
    pub warnings: usize,
}

impl Written {
    fn failed() -> Self {
        Written {
            failed: true,
            ..Written::default()
        }
    }
}

/// The stages, each behind its trait.
pub struct Pipeline {
    segmenter: Box<dyn Segmenter>,
    ner: Box<dyn Recognizer>,
    quotes: Box<dyn QuoteDetector>,
    resolver: Box<dyn Resolver>,
    budget: Budget,
}

impl Pipeline {
    /// The default pipeline with the built-in NER model.
    pub fn new_default() -> Result<Self> {
        Self::with_ner(Box::new(PerceptronNer::default_model()?))
    }

    /// The default pipeline with the NER model in `path`.
    pub fn with_model_file(path: &Path) -> Result<Self> {
        Self::with_ner(Box::new(PerceptronNer::new(Model::load(path)?)))
    }

    /// The default stages around a given recognizer.
    pub fn with_ner(ner: Box<dyn Recognizer>) -> Result<Self> {
        Self::with_parts(ner, Box::new(QuoteModel::builtin()?))
    }

    /// The default segmenter and resolver around a given recognizer and quote detector.
    pub fn with_parts(ner: Box<dyn Recognizer>, quotes: Box<dyn QuoteDetector>) -> Result<Self> {
        Ok(Pipeline {
            segmenter: Box::new(NewsSegmenter),
            ner,
            quotes,
            resolver: Box::new(RuleResolver::builtin()?),
            budget: Budget::default(),
        })
    }

    /// What the stages have to say after a run ([`QuoteDetector::notes`]).
    pub fn notes(&self) -> Vec<String> {
        self.quotes.notes()
    }

    /// Replaces the quote stage (to score one model after another on the same pipeline).
    pub fn set_quotes(&mut self, quotes: Box<dyn QuoteDetector>) {
        self.quotes = quotes;
    }

    /// The same pipeline with another per-article work budget.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The per-article work budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Runs every stage on `text`; an error when a stage could not run.
    /// Each stage counts its work; one that reaches the budget stops early, and the analysis
    /// then holds what was found and a warning naming the budget.
    pub fn analyze<'a>(&self, text: &'a str) -> Result<Analysis<'a>> {
        let doc = self.segmenter.segment(text);
        let n = doc.tokens.len();
        // NER and attribution take a fixed number of steps per token and only count them;
        // quote detection, whose work depends on what the text holds, stops at the budget.
        let (mut ner_m, mut quote_m, mut resolve_m) =
            (Meter::unlimited(), self.budget.meter(n), Meter::unlimited());
        let (entities, quotes) = rayon::join(
            || self.ner.recognize(&doc, &mut ner_m),
            || self.quotes.detect(&doc, &mut quote_m),
        );
        let entities = entities?;
        let attribution = self
            .resolver
            .resolve(&doc, &entities, &quotes, &mut resolve_m);
        let warnings = quote_m
            .exhausted()
            .then(|| {
                format!(
                    "work budget reached in quote detection ({} steps allowed for {n} \
                     tokens): the rest of the article was not searched",
                    quote_m.limit()
                )
            })
            .into_iter()
            .collect();
        Ok(Analysis {
            work: Work {
                tokens: n as u64,
                ner: ner_m.steps(),
                quotes: quote_m.steps(),
                resolve: resolve_m.steps(),
            },
            warnings,
            doc,
            entities,
            quotes,
            attribution,
        })
    }

    /// [`Pipeline::analyze`], with a panic inside a stage caught: the error message.
    fn analyze_caught<'a>(&self, text: &'a str) -> std::result::Result<Analysis<'a>, String> {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.analyze(text)));
        match run {
            Ok(Ok(a)) => Ok(a),
            Ok(Err(e)) => Err(format!("{e:#}")),
            Err(p) => {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown failure".into());
                Err(format!("internal error: {msg}"))
            }
        }
    }

    /// The output record of one article; a failure inside a stage becomes an error record.
    pub fn record(&self, article: &Article) -> Record {
        match self.analyze_caught(&article.text) {
            Ok(a) => Record::from_analysis(article.id.clone(), article.title.clone(), &a),
            Err(e) => Record::error(article.id.clone(), article.title.clone(), e),
        }
    }

    /// Writes the JSON of one input item's record (without a newline) to `out`, straight from
    /// the analysis: the same bytes as serializing [`Pipeline::record_item`], in less memory.
    pub fn write_record(&self, item: &Item, out: &mut dyn Write) -> std::io::Result<Written> {
        match item {
            Ok(a) => self.write_article(a, out),
            Err(e) => {
                let rec = Record::error(e.id.clone(), None, e.message.clone());
                serde_json::to_writer(&mut *out, &rec)?;
                Ok(Written::failed())
            }
        }
    }

    /// [`Pipeline::write_record`] of one article.
    pub fn write_article(
        &self,
        article: &Article,
        out: &mut dyn Write,
    ) -> std::io::Result<Written> {
        match self.analyze_caught(&article.text) {
            Ok(a) => {
                let view = RecordView::new(&article.id, article.title.as_deref(), &a);
                serde_json::to_writer(&mut *out, &view)?;
                Ok(Written {
                    entities: a.entities.len(),
                    quotes: a.quotes.len(),
                    failed: false,
                    warnings: a.warnings.len(),
                })
            }
            Err(e) => {
                let rec = Record::error(article.id.clone(), article.title.clone(), e);
                serde_json::to_writer(&mut *out, &rec)?;
                Ok(Written::failed())
            }
        }
    }

    /// The output record of one input item (an article or an input error).
    pub fn record_item(&self, item: &Item) -> Record {
        match item {
            Ok(a) => self.record(a),
            Err(e) => Record::error(e.id.clone(), None, e.message.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recognizer that cannot run (a model thread gone, say).
    struct Failing;

    impl Recognizer for Failing {
        fn recognize(&self, _doc: &Doc, _meter: &mut Meter) -> Result<Vec<Entity>> {
            anyhow::bail!("model unavailable")
        }
    }

    #[test]
    fn a_failing_stage_gives_an_error_record() {
        let p = Pipeline::with_parts(
            Box::new(Failing),
            Box::new(crate::quote::RuleQuotes::rules_only()),
        )
        .unwrap();
        let r = p.record(&Article {
            id: "a".into(),
            title: None,
            text: "Rubio said the plan was good.".into(),
        });
        assert_eq!(r.error.as_deref(), Some("model unavailable"));
        assert!(r.quotes.is_empty() && r.entities.is_empty());
    }
}
