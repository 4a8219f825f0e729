//! The `whosaid` command line: a thin layer over the library.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::commands;
use whosaid::export::Format;
use whosaid::input::{InputOptions, Inputs};
use whosaid::ner::conll::ConllFile;
use whosaid::ner::perceptron::{self, Model, PerceptronNer, TrainOptions};
use whosaid::pipeline::Pipeline;
use whosaid::runner::{self, RunOptions};

/// Who said what: named entities, quotes and their speakers in news articles.
#[derive(Parser)]
#[command(name = "whosaid", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Common {
    /// NER model file (default: the built-in CoNLL-2003 model).
    #[arg(long, value_name = "FILE")]
    ner_model: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Largest article accepted, in bytes; larger ones get an error record.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    max_article_bytes: usize,
    /// Quote detection: `model` (the learned attribution model, built in), `bert` (that model
    /// with the transformer role tagger; needs a build with `--features bert`), `rules` (the
    /// hand-written rules with the learned cue model) or `rules-only` (rules alone).
    #[arg(long, default_value = "model", value_parser = ["model", "bert", "rules", "rules-only"])]
    quotes: String,
    /// Quote model file for `--quotes model` (default: the built-in PolNeAR model).
    #[arg(long, value_name = "FILE")]
    quote_model: Option<PathBuf>,
    /// NER backend: `perceptron` (built in) or `bert` (needs a build with `--features bert`).
    #[arg(long, default_value = "perceptron", value_parser = ["perceptron", "bert"])]
    ner: String,
    /// Folder of the bert NER model (config.json, vocab.txt, model.safetensors).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "models/bert-minilm-conll2003"
    )]
    bert_model: PathBuf,
    /// Folder of the bert role tagger for `--quotes bert`.
    #[arg(long, value_name = "DIR", default_value = "models/bert-minilm-polnear")]
    bert_quotes_model: PathBuf,
    /// With `--quotes bert`: the encoder reads only sentences with a cue candidate (a cue of
    /// the built-in model, a cue-lexicon word or a quotation mark). About 1.3 times as fast,
    /// and it finds fewer of the cues the lexicon does not know (dev attribution F1 0.6 lower).
    #[arg(long)]
    bert_cascade: bool,
    /// Number format of the transformer tiers at inference: `bf16` (about twice as fast on a
    /// CPU with AVX512-BF16; outputs differ a little), `f32`, or `auto` (bf16 where the CPU
    /// has it).
    #[arg(long, default_value = "auto", value_parser = ["auto", "bf16", "f32"])]
    bert_precision: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// Analyse articles and write one JSON object per article (JSON Lines).
    Run {
        /// `.txt` files, folders (their .txt and .jsonl files), `.jsonl` files, or - for
        /// JSON Lines on stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write to FILE (atomically, when complete) instead of stdout; with `--format brat`,
        /// the folder to write into.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Output format: `jsonl` (one record per article, the default), `csv` (one row per
        /// quote), `brat` (`ID.txt` and `ID.ann` per article in the `-o` folder) or
        /// `label-studio` (a JSON array of pre-annotation tasks).
        #[arg(long, default_value = "jsonl", value_parser = Format::NAMES)]
        format: String,
        /// Continue the run that was interrupted with the same arguments: the records it
        /// wrote to FILE's partial file are kept, and the run goes on after them.
        #[arg(long, requires = "output")]
        resume: bool,
        /// Most articles analysed per batch (for tests of interrupted runs).
        #[arg(long, default_value_t = 256, hide = true)]
        batch_articles: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Write a self-contained HTML report: a summary, the speakers, and each article with its
    /// entities and quotes highlighted.
    Report {
        /// The articles (as for `run`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The HTML file to write.
        #[arg(short, long, value_name = "FILE", default_value = "report.html")]
        output: PathBuf,
        /// Use an earlier run's records (JSON Lines) instead of analysing again; the texts
        /// still come from PATH.
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
        /// The page's title.
        #[arg(long, default_value = "whosaid report")]
        title: String,
        #[command(flatten)]
        common: Common,
    },
    /// Show each article's analysis for a person: entities marked in the text, then quotes.
    Show {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Colour: auto, always or never.
        #[arg(long, default_value = "auto")]
        color: String,
        #[command(flatten)]
        common: Common,
    },
    /// Measure throughput: articles/s, words/s, words per CPU-second, peak memory.
    Bench {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Passes over the articles.
        #[arg(long, default_value_t = 3)]
        passes: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// NER tags in CoNLL form: of a CoNLL file (each token line gets the predicted tag
    /// appended, for conlleval.py) or of articles (token and tag per line).
    Tag {
        /// A CoNLL file: its lines come back with the predicted tag appended.
        #[arg(long, value_name = "FILE", conflicts_with = "paths")]
        conll: Option<PathBuf>,
        /// Articles, read as `run` reads them, written as CoNLL (token and tag per line).
        #[arg(required_unless_present = "conll")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Run the pipeline on an annotated split and score it.
    Eval {
        #[command(subcommand)]
        what: EvalCmd,
    },
    /// Train a model.
    Train {
        #[command(subcommand)]
        what: TrainCmd,
    },
}

#[derive(Subcommand)]
enum EvalCmd {
    /// Score who-said-what on a PolNeAR split (text/ and attributions/) exactly as
    /// polnear_score.py does, plus the precision of each quote rule.
    Polnear {
        /// The split folder, e.g. ../shared/data/polnear/dev.
        split: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check the genders given to people on GAP files (`../shared/data/gap/gap-*.tsv`): of the
    /// names coreferent with the pronoun, how many get a gender (coverage) and how many the
    /// pronoun's (accuracy).
    Gender {
        /// GAP files (tab-separated, with a header).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

/// Fine-tuning settings of the transformer models.
#[derive(Args, Clone)]
struct BertTune {
    /// The encoder's folder (config.json, vocab.txt, model.safetensors); default
    /// $WHOSAID_MINILM, which scripts/setup-libtorch sets.
    #[arg(long, value_name = "DIR")]
    encoder: Option<PathBuf>,
    /// Passes over the training data.
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-4)]
    lr: f64,
    /// Sentences per step.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Train on the first N documents only (0: all).
    #[arg(long, default_value_t = 0)]
    limit_docs: usize,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// libtorch threads.
    #[arg(long, default_value_t = 2)]
    threads: i32,
}

impl BertTune {
    fn with(&self, train: PathBuf, dev: PathBuf, output: PathBuf) -> commands::bert::TrainBert {
        commands::bert::TrainBert {
            train,
            dev,
            encoder: self.encoder.clone(),
            output,
            epochs: self.epochs,
            lr: self.lr,
            batch: self.batch,
            limit_docs: self.limit_docs,
            seed: self.seed,
            threads: self.threads,
        }
    }
}

#[derive(Subcommand)]
enum TrainCmd {
    /// Train the averaged-perceptron NER model on CoNLL-2003.
    Ner {
        /// Training file (CoNLL format); repeat it to train on several.
        #[arg(long, required = true)]
        train: Vec<PathBuf>,
        /// Development file, used to pick the best epoch.
        #[arg(long)]
        dev: PathBuf,
        /// Where to write the model.
        #[arg(long, short, default_value = "models/ner-conll2003.bin")]
        output: PathBuf,
        /// Passes over the training data.
        #[arg(long, default_value_t = 20)]
        epochs: usize,
        /// Shuffling seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Share of training tokens whose word identity is hidden from their features.
        #[arg(long, default_value_t = 0.1)]
        word_dropout: f64,
        /// After choosing the epoch (and the confidence temperature) on the dev file, train
        /// again from scratch on train and dev together for that many epochs, and ship that
        /// model. Its dev score is then no longer a held-out figure.
        #[arg(long)]
        refit: bool,
    },
    /// Train the attribution-cue detector on PolNeAR.
    Cues {
        /// PolNeAR training split (with text/ and attributions/).
        #[arg(long)]
        train: PathBuf,
        /// PolNeAR development split, to pick the epoch and threshold.
        #[arg(long)]
        dev: PathBuf,
        /// Where to write the model.
        #[arg(long, short, default_value = "models/cues-polnear.bin")]
        output: PathBuf,
        /// Passes over the training data.
        #[arg(long, default_value_t = 8)]
        epochs: usize,
    },
    /// Train the learned attribution model on PolNeAR: the epoch is chosen on dev, then
    /// (with --folds) cross-validation on train reports held-out figures and fits the
    /// confidence calibration.
    Quotes {
        /// PolNeAR training split (with text/ and attributions/).
        #[arg(long)]
        train: PathBuf,
        /// PolNeAR development split, to pick the epoch.
        #[arg(long)]
        dev: PathBuf,
        /// Where to write the model.
        #[arg(long, short, default_value = "models/quotes-polnear.bin")]
        output: PathBuf,
        /// Most passes over the training data.
        #[arg(long, default_value_t = 8)]
        epochs: usize,
        /// Seed of the example order.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Folds of cross-validation on train (0: none; the calibration is then fitted on
        /// dev).
        #[arg(long, default_value_t = 5)]
        folds: usize,
    },
    /// Fine-tune the MiniLM encoder for NER on CoNLL-2003 (needs `--features bert`).
    Bert {
        /// Training file (CoNLL format).
        #[arg(long)]
        train: PathBuf,
        /// Development file, used to pick the best epoch.
        #[arg(long)]
        dev: PathBuf,
        /// Folder to write the model to.
        #[arg(long, short, default_value = "models/bert-minilm-conll2003")]
        output: PathBuf,
        #[command(flatten)]
        tune: BertTune,
    },
    /// Fine-tune the MiniLM encoder as the attribution role tagger (cue, source and content
    /// tags) on PolNeAR, for `--quotes bert` (needs `--features bert`); the epoch is chosen by
    /// attribution F1 on dev.
    BertQuotes {
        /// PolNeAR training split (with text/ and attributions/).
        #[arg(long, required_unless_present = "calibrate_only")]
        train: Option<PathBuf>,
        /// PolNeAR development split, to pick the epoch.
        #[arg(long)]
        dev: PathBuf,
        /// Folder to write the model to.
        #[arg(long, short, default_value = "models/bert-minilm-polnear")]
        output: PathBuf,
        /// Only choose the hints' weights and fit the confidence calibration of the model in
        /// the output folder on dev (what training does after its last epoch); `--train` is
        /// not read.
        #[arg(long)]
        calibrate_only: bool,
        #[command(flatten)]
        tune: BertTune,
    },
    /// Derive the word-cluster table from spaCy `en_core_web_md` vectors (its `vocab/` folder).
    Clusters {
        /// The model's `vocab/` folder (strings.json, key2row, vectors).
        #[arg(long)]
        vocab: PathBuf,
        /// Where to write the table.
        #[arg(long, short, default_value = "models/clusters-en-md.bin")]
        output: PathBuf,
    },
    /// Build the NER gazetteer from a word list (see `scripts/build-gazetteer`).
    Gazetteer {
        /// Lines of `word<TAB>bits` (bits as in `src/ner/gazetteer.rs`).
        #[arg(long)]
        list: PathBuf,
        /// Where to write the table.
        #[arg(long, short, default_value = "models/gazetteer-en.bin")]
        output: PathBuf,
    },
    /// Build the NER phrase table from the Wikipedia name lists' folder (Illinois NER).
    Phrases {
        /// The folder of the lists (`../shared/data/knowledge/wikipedia-lists`).
        #[arg(long)]
        dir: PathBuf,
        /// Where to write the table.
        #[arg(long, short, default_value = "models/phrases-wiki-en.bin")]
        output: PathBuf,
    },
    /// Build the first-name gender table from a name list (see `scripts/build-first-names`).
    FirstNames {
        /// Lines of `name<TAB>f|m|u` (female, male, unisex).
        #[arg(long)]
        list: PathBuf,
        /// Where to write the table.
        #[arg(long, short, default_value = "models/first-names-en.bin")]
        output: PathBuf,
    },
}

impl Common {
    fn setup(&self) -> Result<Pipeline> {
        if let Some(n) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global()
                .context("setting up the thread pool")?;
        }
        Pipeline::with_parts(self.recognizer()?, self.quote_detector()?)
    }

    /// The quote stage the options ask for.
    fn quote_detector(&self) -> Result<Box<dyn whosaid::quote::QuoteDetector>> {
        use whosaid::quote::{QuoteModel, RuleQuotes};
        Ok(match self.quotes.as_str() {
            "rules-only" => Box::new(RuleQuotes::rules_only()),
            "rules" => Box::new(RuleQuotes::with_builtin_cues()?),
            "bert" => commands::bert::quotes(
                &self.bert_quotes_model,
                self.bert_cascade,
                &self.bert_precision,
            )?,
            _ => Box::new(match &self.quote_model {
                Some(p) => QuoteModel::load(p)?,
                None => QuoteModel::builtin()?,
            }),
        })
    }

    /// The NER stage the options ask for.
    fn recognizer(&self) -> Result<Box<dyn whosaid::ner::Recognizer>> {
        if self.ner == "bert" {
            return commands::bert::recognizer(&self.bert_model, &self.bert_precision);
        }
        Ok(Box::new(match &self.ner_model {
            Some(p) => PerceptronNer::new(Model::load(p)?),
            None => PerceptronNer::default_model()?,
        }))
    }

    /// The key of a resumable run over `paths`: the version, the paths and the options that
    /// change the output (not the thread count).
    fn run_key(&self, paths: &[PathBuf]) -> u64 {
        let mut parts = vec![env!("CARGO_PKG_VERSION").to_string()];
        parts.extend(paths.iter().map(|p| p.display().to_string()));
        parts.extend([
            format!("{:?}", self.ner_model),
            self.max_article_bytes.to_string(),
            self.quotes.clone(),
            format!("{:?}", self.quote_model),
            self.ner.clone(),
            self.bert_model.display().to_string(),
            self.bert_quotes_model.display().to_string(),
            self.bert_cascade.to_string(),
            self.bert_precision.clone(),
        ]);
        runner::run_key(&parts)
    }

    fn input(&self) -> InputOptions {
        InputOptions {
            max_article_bytes: self.max_article_bytes,
        }
    }
}

/// Exit status: 0 when every record was made (also when the reader of the output closed it
/// early, as `| head` does), 2 when some article got an error record, 1 when the run could
/// not go on (bad usage, a model that cannot load, output that cannot be written).
fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("whosaid: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether an error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn real_main() -> Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 1.
            let _ = e.print();
            return Ok(if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
    };
    match cli.cmd {
        Cmd::Run {
            paths,
            output,
            resume,
            format,
            batch_articles,
            common,
        } => {
            let pipeline = common.setup()?;
            let args = commands::run::RunArgs {
                key: common.run_key(&paths),
                paths,
                output,
                resume,
                format: Format::from_name(&format).expect("clap checks the format's name"),
                opts: RunOptions {
                    input: common.input(),
                    batch_articles: batch_articles.max(1),
                    ..RunOptions::default()
                },
            };
            commands::run::run(&pipeline, args)
        }
        Cmd::Report {
            paths,
            output,
            results,
            title,
            common,
        } => {
            let pipeline = match results {
                Some(_) => None,
                None => Some(common.setup()?),
            };
            let args = commands::report::ReportArgs {
                paths,
                output,
                results,
                title,
                input: common.input(),
            };
            commands::report::report(pipeline.as_ref(), &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Show {
            paths,
            color,
            common,
        } => {
            let pipeline = common.setup()?;
            let style = whosaid::show::Style {
                color: match color.as_str() {
                    "always" => true,
                    "never" => false,
                    _ => std::io::stdout().is_terminal(),
                },
            };
            let mut failed = 0;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for item in Inputs::open(&paths, common.input()) {
                let rec = pipeline.record_item(&item);
                failed += usize::from(rec.error.is_some());
                let text = item.as_ref().map_or("", |a| a.text.as_str());
                writeln!(out, "{}", whosaid::show::render(&rec, text, style))?;
            }
            Ok(if failed > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Cmd::Bench {
            paths,
            passes,
            json,
            common,
        } => {
            let pipeline = common.setup()?;
            let (articles, bad) = whosaid::bench::load(&paths, common.input());
            if articles.is_empty() {
                anyhow::bail!("no readable articles in the given paths");
            }
            // One untimed pass warms caches and the thread pool.
            let _ = whosaid::bench::bench(&pipeline, &articles[..articles.len().min(20)], 1);
            let r = whosaid::bench::bench(&pipeline, &articles, passes);
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "articles        {} ({} unreadable skipped), {} words, {} passes, {} threads",
                    r.articles, bad, r.words, r.passes, r.threads
                );
                println!("wall            {:.3} s, CPU {:.3} s", r.wall_s, r.cpu_s);
                println!("articles/s      {:.1}", r.articles_per_s);
                println!("words/s         {:.0}", r.words_per_s);
                println!("words/CPU-s     {:.0}", r.words_per_cpu_s);
                println!("peak RSS        {:.1} MiB", r.peak_rss_mib);
                println!(
                    "found per pass  {} entities, {} quotes",
                    r.entities, r.quotes
                );
                for note in pipeline.notes() {
                    println!("note            {note}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Tag {
            conll,
            paths,
            common,
        } => {
            let model = || -> Result<Model> {
                match &common.ner_model {
                    Some(p) => Model::load(p),
                    None => Ok(PerceptronNer::default_model()?.model().clone()),
                }
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let Some(conll) = conll else {
                if common.ner == "bert" {
                    anyhow::bail!("tagging articles needs the default tagger (--ner perceptron)");
                }
                let failed = commands::tag::articles(&model()?, &paths, &mut out)?;
                out.flush()?;
                return Ok(if failed > 0 {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                });
            };
            let f = ConllFile::read(&conll)?;
            let tags = if common.ner == "bert" {
                commands::bert::tag_conll(&common.bert_model, &f, &common.bert_precision)?
            } else {
                commands::tag::conll_tags(&model()?, &f)
            };
            commands::tag::write_conll(&f, &tags, &mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Eval {
            what: EvalCmd::Polnear { split, common },
        } => {
            let pipeline = common.setup()?;
            let gold = whosaid::polnear::read_split(&split)?;
            let e = whosaid::eval::evaluate(&pipeline, &gold);
            print!("{}", whosaid::eval::report(&e));
            for note in pipeline.notes() {
                eprintln!("whosaid: {note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Eval {
            what: EvalCmd::Gender { files, common },
        } => {
            let pipeline = common.setup()?;
            let mut examples = Vec::new();
            for f in &files {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?;
                examples.extend(
                    whosaid::eval::gap::read_gap(&text)
                        .with_context(|| format!("in {}", f.display()))?,
                );
            }
            let s = whosaid::eval::gap::evaluate_gender(&pipeline, &examples);
            print!("{}", whosaid::eval::gap::report(&s));
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Train {
            what:
                TrainCmd::Quotes {
                    train,
                    dev,
                    output,
                    epochs,
                    seed,
                    folds,
                },
        } => {
            whosaid::quote::model::command::train_quotes(
                &train, &dev, &output, epochs, seed, folds,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Train {
            what:
                TrainCmd::Cues {
                    train,
                    dev,
                    output,
                    epochs,
                },
        } => {
            let tr = whosaid::polnear::read_split(&train)?;
            let dv = whosaid::polnear::read_split(&dev)?;
            let t0 = std::time::Instant::now();
            let m = whosaid::cues::train(&tr, &dv, epochs, |s| {
                eprintln!("[{:6.1}s] {s}", t0.elapsed().as_secs_f64())
            })?;
            m.save(&output)?;
            eprintln!("wrote {} (rebuild whosaid to use it)", output.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Train {
            what:
                TrainCmd::Bert {
                    train,
                    dev,
                    output,
                    tune,
                },
        } => {
            commands::bert::train_ner(&tune.with(train, dev, output))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Train {
            what:
                TrainCmd::BertQuotes {
                    train,
                    dev,
                    output,
                    calibrate_only,
                    tune,
                },
        } => {
            match train {
                Some(train) if !calibrate_only => {
                    commands::bert::train_quotes(&tune.with(train, dev, output))?
                }
                _ => commands::bert::calibrate_quotes(&output, &dev)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Train {
            what: TrainCmd::Clusters { vocab, output },
        } => {
            let c = whosaid::ner::clusters::Clusters::build(&vocab, |s| eprintln!("{s}"))?;
            c.save(&output)?;
            commands::wrote_table(c.len(), "words", &output, true)
        }
        Cmd::Train {
            what: TrainCmd::Gazetteer { list, output },
        } => {
            let g = whosaid::ner::gazetteer::Gazetteer::from_list(&commands::read_list(&list)?)
                .with_context(|| format!("in {}", list.display()))?;
            g.save(&output)?;
            commands::wrote_table(g.len(), "words", &output, true)
        }
        Cmd::Train {
            what: TrainCmd::Phrases { dir, output },
        } => {
            let p = whosaid::ner::phrases::Phrases::build(&dir, |s| eprintln!("{s}"))?;
            p.save(&output)?;
            commands::wrote_table(p.len(), "keys", &output, true)
        }
        Cmd::Train {
            what: TrainCmd::FirstNames { list, output },
        } => {
            let t =
                whosaid::attribution::gender::FirstNames::from_list(&commands::read_list(&list)?)
                    .with_context(|| format!("in {}", list.display()))?;
            t.save(&output)?;
            commands::wrote_table(t.len(), "names", &output, false)
        }
        Cmd::Train {
            what:
                TrainCmd::Ner {
                    train,
                    dev,
                    output,
                    epochs,
                    seed,
                    word_dropout,
                    refit,
                },
        } => {
            let mut tr = ConllFile::default();
            for t in &train {
                tr.docs.extend(ConllFile::read(t)?.docs);
            }
            let dv = ConllFile::read(&dev)?;
            let t0 = std::time::Instant::now();
            if !(0.0..1.0).contains(&word_dropout) {
                anyhow::bail!("--word-dropout must be in [0, 1)");
            }
            let opts = TrainOptions {
                epochs,
                seed,
                refit,
                word_dropout,
            };
            let (model, f1) = perceptron::train(&tr, &dv, &opts, |s| {
                eprintln!("[{:6.1}s] {s}", t0.elapsed().as_secs_f64())
            })?;
            model.save(&output)?;
            eprintln!(
                "best dev F1 {f1:.2} (internal count; score with conlleval.py); {} features; wrote {}",
                model.n_features(),
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
