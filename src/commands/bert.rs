//! The transformer tier's commands and stages (`--ner bert`, `--quotes bert`, `train bert`,
//! `train bert-quotes`). Without the cargo feature `bert` each says how to get a build that
//! has it.

use crate::ner::conll::ConllFile;
use crate::ner::Recognizer;
use crate::quote::QuoteDetector;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Settings of `whosaid train bert` and `whosaid train bert-quotes`.
#[derive(Debug, Clone)]
pub struct TrainBert {
    /// Training data: a CoNLL file (NER) or a PolNeAR split folder (quotes).
    pub train: PathBuf,
    /// Development data of the same kind, to pick the epoch.
    pub dev: PathBuf,
    /// The encoder's folder; `None`: `$WHOSAID_MINILM`.
    pub encoder: Option<PathBuf>,
    /// Folder to write the model to.
    pub output: PathBuf,
    /// Passes over the training data.
    pub epochs: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Windows per step.
    pub batch: usize,
    /// Train on the first N documents only (0: all).
    pub limit_docs: usize,
    /// Seed.
    pub seed: u64,
    /// libtorch threads.
    pub threads: i32,
}

#[cfg(not(feature = "bert"))]
fn unavailable<T>() -> Result<T> {
    anyhow::bail!(
        "this whosaid was built without the bert backend: run scripts/setup-libtorch, then \
         `source target/libtorch/env && cargo build --release --features bert`"
    )
}

#[cfg(feature = "bert")]
use crate::learn::bert::{FineTune, ModelFiles};

#[cfg(feature = "bert")]
impl TrainBert {
    /// The fine-tuning settings.
    fn tune(&self) -> FineTune {
        FineTune {
            epochs: self.epochs,
            lr: self.lr,
            batch: self.batch,
            seed: self.seed,
        }
    }
}

/// A progress log to stderr, each line with the seconds since it was made.
#[cfg(feature = "bert")]
fn progress() -> impl FnMut(&str) {
    let t0 = std::time::Instant::now();
    move |s| eprintln!("[{:7.1}s] {s}", t0.elapsed().as_secs_f64())
}

/// The model files in `dir`, or an error naming the command that makes them.
#[cfg(feature = "bert")]
fn model_files(dir: &Path, what: &str, command: &str) -> Result<ModelFiles> {
    let files = ModelFiles::in_dir(dir, "model.safetensors");
    if !files.weights.exists() {
        anyhow::bail!(
            "no bert {what} model at {} (train one with `whosaid train {command}`)",
            files.weights.display()
        );
    }
    Ok(files)
}

/// `--bert-precision`: `auto`, `bf16` or `f32`.
#[cfg(feature = "bert")]
fn precision(name: &str) -> Result<crate::learn::bert::Precision> {
    use anyhow::Context;
    crate::learn::bert::Precision::parse(name).context("--bert-precision")
}

/// `--ner bert`: the transformer NER model in `dir`, computing at `precision`.
#[cfg(feature = "bert")]
pub fn recognizer(dir: &Path, precision_name: &str) -> Result<Box<dyn Recognizer>> {
    let files = model_files(dir, "NER", "bert")?;
    Ok(Box::new(crate::ner::bert::BertRecognizer::start(
        files,
        precision(precision_name)?,
    )?))
}

/// `--ner bert`: the transformer NER model in `dir`, computing at `precision`.
#[cfg(not(feature = "bert"))]
pub fn recognizer(_dir: &Path, _precision_name: &str) -> Result<Box<dyn Recognizer>> {
    unavailable()
}

/// `--quotes bert`: the learned attribution model with the transformer role tagger in `dir`
/// (reading only sentences with a cue candidate where `cascade`), computing at `precision`.
#[cfg(feature = "bert")]
pub fn quotes(dir: &Path, cascade: bool, precision_name: &str) -> Result<Box<dyn QuoteDetector>> {
    let files = model_files(dir, "role", "bert-quotes")?;
    Ok(Box::new(crate::quote::model::bert::BertQuotes::start(
        files,
        cascade,
        precision(precision_name)?,
    )?))
}

/// `--quotes bert`: the learned attribution model with the transformer role tagger in `dir`
/// (reading only sentences with a cue candidate where `cascade`), computing at `precision`.
#[cfg(not(feature = "bert"))]
pub fn quotes(
    _dir: &Path,
    _cascade: bool,
    _precision_name: &str,
) -> Result<Box<dyn QuoteDetector>> {
    unavailable()
}

/// `whosaid tag --ner bert`: IOB2 tags for every document of a CoNLL file.
#[cfg(feature = "bert")]
pub fn tag_conll(
    dir: &Path,
    f: &ConllFile,
    precision_name: &str,
) -> Result<Vec<Vec<&'static str>>> {
    use crate::ner::bert::{tag_mixed, BertNer};
    use crate::ner::perceptron::{iob2_names, PerceptronNer};
    let files = model_files(dir, "NER", "bert")?;
    let mut net = BertNer::new(&files)?;
    net.load(&files.weights, false)?;
    net.set_precision(precision(precision_name)?);
    let prior = PerceptronNer::default_model()?;
    let mut out = Vec::new();
    for d in &f.docs {
        let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
        let (tags, _) = tag_mixed(prior.model(), &words, &d.sentences, |priors, spans| {
            net.tag_doc(&words, priors, spans)
        })?;
        let tags = iob2_names(&tags);
        out.push(tags);
    }
    Ok(out)
}

/// `whosaid tag --ner bert`: IOB2 tags for every document of a CoNLL file.
#[cfg(not(feature = "bert"))]
pub fn tag_conll(
    _dir: &Path,
    _f: &ConllFile,
    _precision_name: &str,
) -> Result<Vec<Vec<&'static str>>> {
    unavailable()
}

/// The encoder's files, and the output folder made with the encoder's config and vocabulary.
#[cfg(feature = "bert")]
fn prepare_output(o: &TrainBert) -> Result<ModelFiles> {
    use anyhow::Context;
    let encoder = o
        .encoder
        .clone()
        .or_else(|| std::env::var_os("WHOSAID_MINILM").map(PathBuf::from))
        .context("no encoder folder: pass --encoder or run scripts/setup-libtorch")?;
    tch::set_num_threads(o.threads);
    std::fs::create_dir_all(&o.output)
        .with_context(|| format!("creating {}", o.output.display()))?;
    for f in ["config.json", "vocab.txt"] {
        std::fs::copy(encoder.join(f), o.output.join(f))
            .with_context(|| format!("copying {f} from {}", encoder.display()))?;
    }
    Ok(ModelFiles::in_dir(&encoder, "model.safetensors"))
}

/// `whosaid train bert`: fine-tunes the encoder for NER on CoNLL-2003.
#[cfg(feature = "bert")]
pub fn train_ner(o: &TrainBert) -> Result<()> {
    use crate::ner::bert::{self, BertTrainOptions};
    let files = prepare_output(o)?;
    let tr = ConllFile::read(&o.train)?;
    let dv = ConllFile::read(&o.dev)?;
    let FineTune {
        epochs,
        lr,
        batch,
        seed,
    } = o.tune();
    let opts = BertTrainOptions {
        epochs,
        lr,
        batch,
        seed,
        limit_docs: o.limit_docs,
        ..Default::default()
    };
    let f1 = bert::train(
        &files,
        &tr,
        &dv,
        &o.output.join("model.safetensors"),
        &opts,
        progress(),
    )?;
    eprintln!(
        "best dev F1 {f1:.2} (internal count; score with conlleval.py); wrote {}",
        o.output.display()
    );
    Ok(())
}

/// `whosaid train bert`: fine-tunes the encoder for NER on CoNLL-2003.
#[cfg(not(feature = "bert"))]
pub fn train_ner(_o: &TrainBert) -> Result<()> {
    unavailable()
}

/// `whosaid train bert-quotes`: fine-tunes the encoder as the attribution role tagger on
/// PolNeAR.
#[cfg(feature = "bert")]
pub fn train_quotes(o: &TrainBert) -> Result<()> {
    use crate::quote::model::bert::{self, BertQuotesOptions};
    let files = prepare_output(o)?;
    let tr = crate::polnear::read_split(&o.train)?;
    let dv = crate::polnear::read_split(&o.dev)?;
    let opts = BertQuotesOptions {
        tune: o.tune(),
        folds: 5,
        quote_epochs: 6,
        limit_docs: o.limit_docs,
    };
    let f1 = bert::train(
        &files,
        &tr,
        &dv,
        &o.output.join("model.safetensors"),
        &opts,
        progress(),
    )?;
    eprintln!(
        "best dev attribution F1 {f1:.2}; wrote {}",
        o.output.display()
    );
    let files = ModelFiles::in_dir(&o.output, "model.safetensors");
    bert::calibrate(&files, &dv, progress())?;
    Ok(())
}

/// `whosaid train bert-quotes --calibrate-only`: chooses the hints' weights and fits the
/// confidence calibration of the role tagger in `dir` on the PolNeAR split `dev` (no
/// fine-tuning).
#[cfg(feature = "bert")]
pub fn calibrate_quotes(dir: &Path, dev: &Path) -> Result<()> {
    let files = model_files(dir, "role", "bert-quotes")?;
    let dv = crate::polnear::read_split(dev)?;
    crate::quote::model::bert::calibrate(&files, &dv, progress())?;
    Ok(())
}

/// `whosaid train bert-quotes --calibrate-only`: chooses the hints' weights and fits the
/// confidence calibration of the role tagger in `dir` on the PolNeAR split `dev` (no
/// fine-tuning).
#[cfg(not(feature = "bert"))]
pub fn calibrate_quotes(_dir: &Path, _dev: &Path) -> Result<()> {
    unavailable()
}

/// `whosaid train bert-quotes`: fine-tunes the encoder as the attribution role tagger on
/// PolNeAR.
#[cfg(not(feature = "bert"))]
pub fn train_quotes(_o: &TrainBert) -> Result<()> {
    unavailable()
}
