//! The transformer tier of attribution (cargo feature `bert`, `--quotes bert`): a MiniLM role
//! tagger in front of the learned model's rankers.
//!
//! The perceptron tagger tags every sentence first; a [`WordTagger`](net::WordTagger) then
//! reads each sentence with its neighbours and the perceptron's O/B/I cue tags as priors. Its
//! head tags cues, sources and contents (three groups of O/B/I). Its cues replace the
//! perceptron's ([`combine`]); its source and content log-odds become a bonus in the learned
//! model's rankers, which still choose each cue's content and source among their candidates
//! (`hints.rs`). Most quotes the default model misses have cues it has seen too rarely
//! (beliefs, plans, stances); a pretrained encoder knows such words from elsewhere. A model
//! folder with the earlier cue-only head still loads (no hints then).
//!
//! Trained by [`train`] (`whosaid train bert-quotes`, in `fit.rs`): the perceptron priors on
//! PolNeAR train are jackknifed (each fifth tagged by a quote model trained on the other
//! four), so they are as wrong there as on new text; the epoch is chosen by attribution F1 on
//! dev. The hints' weights are chosen on dev (`fit.rs`, `tune_roles`). A quote's confidence
//! is its cue's least tag probability, mapped by a logistic curve fitted on dev
//! ([`calibrate`]); weights and curve are kept in `calibration.json` in the model's folder.

use super::context::{flag, Ctx};
use super::hints::{log_odds, RoleHints};
use super::{QuoteModel, SentenceCues, B, I, O};
use crate::learn::bert::{self as net, Head, ModelFiles, Precision, Tagged, TaggerThread};
use crate::learn::calibrate::platt;
use crate::quote::{Quote, QuoteDetector};
use crate::tokenize::Doc;
use crate::work::Meter;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The cue head: O/B/I out, the perceptron tagger's O/B/I in.
const CUE_HEAD: Head = Head {
    name: "cue_head",
    tags: 3,
    priors: 3,
    groups: 1,
};

/// The role head: O/B/I of cues, sources and contents (three groups, in that order), the
/// perceptron tagger's cue O/B/I in. Sources and contents are tagged as the union of the
/// article's spans of the role (nested contents inside one I run).
const ROLE_HEAD: Head = Head {
    name: "role_head",
    tags: 3,
    priors: 3,
    groups: 3,
};

/// Groups of the role head.
const CUE: usize = 0;
const SOURCE: usize = 1;
const CONTENT: usize = 2;

/// The head of the weights file `path`: the role head where it has one, else the cue head.
/// (A safetensors file opens with the length of its JSON header, which names every tensor.)
fn head_of(path: &Path) -> Result<Head> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut len = [0u8; 8];
    f.read_exact(&mut len)
        .with_context(|| format!("reading {}", path.display()))?;
    let n = u64::from_le_bytes(len).min(1 << 24) as usize;
    let mut header = vec![0u8; n];
    f.read_exact(&mut header)
        .with_context(|| format!("reading {}", path.display()))?;
    let key = format!("\"{}.out.weight\"", ROLE_HEAD.name);
    Ok(
        match header.windows(key.len()).any(|w| w == key.as_bytes()) {
            true => ROLE_HEAD,
            false => CUE_HEAD,
        },
    )
}

/// Words of context on either side of a sentence: fewer than NER's, as a cue is mostly
/// decided within its sentence (and the encoder's cost grows with its windows).
const CONTEXT: usize = 16;

/// A cue the perceptron did not tag is kept only when the encoder gives each of its words'
/// tags at least this probability. Chosen on dev, where the encoder's cues alone score
/// attribution F1 66.34; with this rule 67.69 at 0.55, 67.79 at 0.6, 67.91 at 0.7, 67.17 at 0.8
/// (dev quotes of the encoder alone at 0.5–0.6 are right 32% of the time). 0.55 is the low end
/// of that plateau, which keeps the most pronoun speakers found (77.35% against 71.97% at 0.7).
const SOLO: f32 = 0.55;

/// The cues to decide: the encoder's, each kept where the perceptron tagged an overlapping cue
/// or where the encoder is sure of it ([`SOLO`]). Cues the encoder does not tag are dropped.
fn combine(perceptron: &SentenceCues, encoder: SentenceCues) -> SentenceCues {
    encoder
        .into_iter()
        .enumerate()
        .map(|(si, cues)| {
            let theirs = perceptron.get(si).map(Vec::as_slice).unwrap_or_default();
            cues.into_iter()
                .filter(|&((a, b), conf)| {
                    conf >= SOLO || theirs.iter().any(|&((c, d), _)| a < d && c < b)
                })
                .collect()
        })
        .collect()
}

/// The file in a cue tagger's folder that holds its confidence calibration.
const CALIBRATION: &str = "calibration.json";

/// A logistic curve from a cue's least tag probability p to a quote's confidence:
/// sigmoid(a · logit(p) + b). Without a calibration file, the identity (a = 1, b = 0).
/// Also the weights of a role tagger's source and content hints in the rankers' scores
/// (chosen on dev; 0 for a cue tagger).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Slope on the logit.
    pub a: f32,
    /// Offset.
    pub b: f32,
    /// Weights of the source and content hints.
    #[serde(default)]
    pub roles: [f32; 2],
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Calibration {
    const IDENTITY: Calibration = Calibration {
        a: 1.0,
        b: 0.0,
        roles: [0.0; 2],
    };

    /// The calibration in the model folder `dir`; the identity where it has none.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(CALIBRATION);
        if !path.exists() {
            return Ok(Self::IDENTITY);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// The curve that best predicts `pairs` (raw probability, right) by log loss.
    pub fn fit(pairs: &[(f32, bool)]) -> Self {
        let logits: Vec<(f32, bool)> = pairs.iter().map(|&(p, ok)| (logit(p), ok)).collect();
        let [a, b] = platt(&logits);
        Calibration {
            a,
            b,
            roles: [0.0; 2],
        }
    }

    /// The confidence of a raw probability.
    pub fn apply(&self, p: f32) -> f32 {
        1.0 / (1.0 + (-(self.a * logit(p) + self.b)).exp())
    }
}

/// Prior ids (1 = O, 2 = B, 3 = I) of every token from the perceptron's cues.
fn priors(doc: &Doc, cues: &SentenceCues) -> Vec<i64> {
    let mut p = vec![1 + O as i64; doc.tokens.len()];
    for &((a, b), _) in cues.iter().flatten() {
        if a < b && b <= p.len() {
            p[a] = 1 + B as i64;
            p[a + 1..b].fill(1 + I as i64);
        }
    }
    p
}

/// The tokens of a document as words.
fn words<'a>(doc: &Doc<'a>) -> Vec<&'a str> {
    doc.tokens.iter().map(|t| t.text(doc.text)).collect()
}

/// Cue spans of each sentence from the tagger's tags; an I with no B before it starts a cue.
/// A cue's confidence is the least probability among its words' tags.
fn cues_of(doc: &Doc, tagged: &[Tagged]) -> SentenceCues {
    doc.sentences
        .iter()
        .zip(tagged)
        .map(|(&(ss, _), Tagged { tags, probs, .. })| {
            let mut out = Vec::new();
            let mut k = 0;
            while k < tags.len() {
                if tags[k] == O {
                    k += 1;
                    continue;
                }
                let mut e = k + 1;
                while e < tags.len() && tags[e] == I {
                    e += 1;
                }
                let conf = probs[k..e].iter().copied().fold(1.0f32, f32::min);
                out.push(((ss + k, ss + e), conf));
                k = e;
            }
            out
        })
        .collect()
}

/// Source and content log-odds of every token of a document (`None` for a cue head); 0 in
/// the sentences the encoder did not read.
type Odds = Option<(Vec<f32>, Vec<f32>)>;

fn odds_of(doc: &Doc, tagged: &[Tagged], read: &[bool], head: &Head) -> Odds {
    if head.groups <= CONTENT {
        return None;
    }
    let n = doc.tokens.len();
    let (mut src, mut con) = (vec![0f32; n], vec![0f32; n]);
    let (w, k) = (head.width(), head.tags);
    for ((&(s, e), t), &r) in doc.sentences.iter().zip(tagged).zip(read) {
        if !r || t.dist.len() < (e - s) * w {
            continue;
        }
        for i in 0..e - s {
            let d = &t.dist[i * w..(i + 1) * w];
            for (g, out) in [(SOURCE, &mut src), (CONTENT, &mut con)] {
                let p = &d[g * k..(g + 1) * k];
                out[s + i] = log_odds(p[O], p[B], p[I]);
            }
        }
    }
    Some((src, con))
}

/// Whether the encoder reads each sentence (the cascade): only sentences that hold a cue of
/// the perceptron's, a word of the cue lexicon or a quotation mark. In the others the encoder
/// could only add a cue the perceptron missed; the lexicon knows most such words.
fn worth_reading(ctx: &Ctx, cues: &SentenceCues) -> Vec<bool> {
    ctx.doc
        .sentences
        .iter()
        .enumerate()
        .map(|(si, &(s, e))| {
            cues.get(si).is_some_and(|c| !c.is_empty())
                || ctx.toks[s..e]
                    .iter()
                    .any(|t| t.class != 0 || t.flags & flag::QUOTE != 0)
        })
        .collect()
}

/// `--quotes bert`: the learned model with the MiniLM cue tagger on its own thread.
pub struct BertQuotes {
    model: QuoteModel,
    thread: TaggerThread,
    warned: AtomicBool,
    /// Whether the encoder reads only the sentences [`worth_reading`].
    cascade: bool,
    calibration: Calibration,
    /// The tagger's head: cues alone, or cues, sources and contents.
    head: Head,
    /// Tokens of all sentences, and of those the encoder read.
    words: AtomicU64,
    read: AtomicU64,
}

impl BertQuotes {
    /// Loads the cue tagger in `files` (on a new thread) and the built-in quote model; with
    /// `cascade`, the encoder reads only the sentences that hold a cue candidate. The encoder
    /// computes at `precision`.
    pub fn start(files: ModelFiles, cascade: bool, precision: Precision) -> Result<Self> {
        let dir = files.weights.parent().unwrap_or(Path::new("."));
        let calibration = Calibration::load(dir)?;
        let head = head_of(&files.weights)?;
        Ok(BertQuotes {
            calibration,
            head,
            model: QuoteModel::builtin()?,
            thread: TaggerThread::start(files, head, precision)?,
            warned: AtomicBool::new(false),
            cascade,
            words: AtomicU64::new(0),
            read: AtomicU64::new(0),
        })
    }

    /// The encoder's cues of the sentences worth reading (none in the others), and its role
    /// log-odds.
    fn recue(&self, ctx: &Ctx, cues: &SentenceCues) -> Result<(SentenceCues, Odds)> {
        let doc = ctx.doc;
        let w = words(doc);
        let read: Vec<bool> = match self.cascade {
            true => worth_reading(ctx, cues),
            false => vec![true; doc.sentences.len()],
        };
        let chosen: Vec<(usize, usize)> = doc
            .sentences
            .iter()
            .zip(&read)
            .filter(|(_, &r)| r)
            .map(|(&s, _)| s)
            .collect();
        let n_read: usize = chosen.iter().map(|&(s, e)| e - s).sum();
        self.words
            .fetch_add(doc.tokens.len() as u64, Ordering::Relaxed);
        self.read.fetch_add(n_read as u64, Ordering::Relaxed);
        let mut tagged = self
            .thread
            .tag(net::owned_windows(&w, &priors(doc, cues), &chosen, CONTEXT))?
            .into_iter();
        let full: Vec<Tagged> = doc
            .sentences
            .iter()
            .zip(&read)
            .map(|(&(s, e), &r)| match r {
                true => tagged.next().unwrap_or_default(),
                false => Tagged::outside(e - s, &self.head),
            })
            .collect();
        Ok((cues_of(doc, &full), odds_of(doc, &full, &read, &self.head)))
    }

    /// The cues to decide (the two taggers' combined, calibrated) and the role log-odds; the
    /// perceptron's cues alone, with a warning once, where the encoder fails.
    fn recued(&self, ctx: &Ctx, cues: SentenceCues) -> (SentenceCues, Odds) {
        match self.recue(ctx, &cues) {
            Ok((c, odds)) => {
                let mut c = combine(&cues, c);
                for x in c.iter_mut().flatten() {
                    x.1 = self.calibration.apply(x.1);
                }
                (c, odds)
            }
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!("whosaid: the bert role tagger failed ({e:#}); using the built-in model's cues");
                }
                (cues, None)
            }
        }
    }
}

/// Role hints from log-odds under `weights` (none where both are 0).
fn hints(odds: Odds, weights: [f32; 2]) -> Option<RoleHints> {
    let (s, c) = odds?;
    (weights != [0.0; 2]).then(|| RoleHints::new(&s, &c, weights))
}

impl QuoteDetector for BertQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let recue = |ctx: &Ctx, cues: SentenceCues| {
            let (c, odds) = self.recued(ctx, cues);
            (c, hints(odds, self.calibration.roles))
        };
        self.model.detect_with(doc, meter, Some(&recue))
    }

    fn notes(&self) -> Vec<String> {
        if !self.cascade {
            return Vec::new();
        }
        let (w, r) = (
            self.words.load(Ordering::Relaxed),
            self.read.load(Ordering::Relaxed),
        );
        vec![format!(
            "--bert-cascade: the bert role tagger read {r} of {w} tokens ({:.1}%), the \
             sentences with a cue candidate",
            100.0 * r as f64 / w.max(1) as f64
        )]
    }
}

mod fit;
pub use fit::{calibrate, train, BertQuotesOptions};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{NewsSegmenter, Segmenter};

    #[test]
    fn calibration_is_the_identity_until_fitted_and_then_follows_the_outcomes() {
        for p in [0.1f32, 0.5, 0.9] {
            assert!((Calibration::IDENTITY.apply(p) - p).abs() < 1e-5);
        }
        // Raw probabilities far above the share right: the fitted curve lowers them.
        // (Two raw values: with one, the slope and offset of the curve are not determined.)
        let pairs: Vec<(f32, bool)> = (0..200)
            .map(|i| (0.9, i % 10 < 6))
            .chain((0..200).map(|i| (0.6, i % 10 < 3)))
            .collect();
        let c = Calibration::fit(&pairs);
        assert!((c.apply(0.9) - 0.6).abs() < 0.03, "{c:?}");
        assert!((c.apply(0.6) - 0.3).abs() < 0.03, "{c:?}");
        let dir = std::env::temp_dir().join(format!("whosaid-cal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(Calibration::load(&dir).unwrap(), Calibration::IDENTITY);
        std::fs::write(dir.join(CALIBRATION), serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(Calibration::load(&dir).unwrap(), c);
        std::fs::write(dir.join(CALIBRATION), "{").unwrap();
        let err = format!("{:#}", Calibration::load(&dir).unwrap_err());
        assert!(err.contains(CALIBRATION), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encoder_cues_stay_where_the_perceptron_agrees_or_the_encoder_is_sure() {
        let perceptron: SentenceCues = vec![vec![((1, 2), 0.9)], vec![((10, 11), 0.8)]];
        let encoder: SentenceCues = vec![
            // overlaps the perceptron's cue: kept with the encoder's bounds, however unsure
            vec![((1, 3), 0.4), ((5, 6), SOLO), ((7, 8), SOLO - 0.01)],
            // the perceptron's cue is dropped where the encoder has none over it
            vec![],
        ];
        assert_eq!(
            combine(&perceptron, encoder),
            vec![vec![((1, 3), 0.4), ((5, 6), SOLO)], vec![]]
        );
        // A sentence the perceptron has no entry for keeps only sure cues.
        assert_eq!(
            combine(&Vec::new(), vec![vec![((0, 1), 0.9), ((2, 3), 0.3)]]),
            vec![vec![((0, 1), 0.9)]]
        );
    }

    #[test]
    fn role_odds_come_from_the_source_and_content_groups_of_read_sentences() {
        let doc = NewsSegmenter.segment("He said so. It rained.");
        let (s0, s1) = (doc.sentences[0], doc.sentences[1]);
        let mut t = Tagged::outside(s0.1 - s0.0, &ROLE_HEAD);
        // "He": a source; "so": a content.
        t.dist[SOURCE * 3..SOURCE * 3 + 3].copy_from_slice(&[0.1, 0.8, 0.1]);
        let w = ROLE_HEAD.width();
        t.dist[2 * w + CONTENT * 3..2 * w + CONTENT * 3 + 3].copy_from_slice(&[0.2, 0.6, 0.2]);
        let rest = Tagged::outside(s1.1 - s1.0, &ROLE_HEAD);
        let (src, con) = odds_of(&doc, &[t, rest.clone()], &[true, false], &ROLE_HEAD).unwrap();
        assert!((src[0] - 9f32.ln()).abs() < 1e-5, "{src:?}");
        assert!((con[2] - 4f32.ln()).abs() < 1e-5, "{con:?}");
        assert!(src[1] < -9.0 && con[0] < -9.0);
        // The sentence not read says nothing.
        assert!(src[s1.0..].iter().chain(&con[s1.0..]).all(|&x| x == 0.0));
        // A cue tagger gives no odds.
        assert!(odds_of(&doc, &[rest.clone(), rest], &[true, true], &CUE_HEAD).is_none());
    }

    #[test]
    fn the_head_is_read_from_the_weights_file() {
        let dir = std::env::temp_dir().join(format!("whosaid-head-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str| {
            let header = format!("{{\"{name}.out.weight\":{{}}}}");
            let mut b = (header.len() as u64).to_le_bytes().to_vec();
            b.extend(header.as_bytes());
            let p = dir.join(name);
            std::fs::write(&p, b).unwrap();
            p
        };
        assert_eq!(head_of(&file("role_head")).unwrap().groups, 3);
        assert_eq!(head_of(&file("cue_head")).unwrap().groups, 1);
        assert!(head_of(&dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tags_become_cues_and_back() {
        let text = "Rubio said the talks would go on. Officials believe it will work.";
        let doc = NewsSegmenter.segment(text);
        let n0 = doc.sentences[0].1 - doc.sentences[0].0;
        let n1 = doc.sentences[1].1 - doc.sentences[1].0;
        let mut t0 = vec![O; n0];
        t0[1] = B;
        let mut t1 = vec![O; n1];
        t1[1] = I; // an I with no B starts a cue
        let tagged = [(t0, 0.9), (t1, 0.6)].map(|(tags, p)| Tagged {
            probs: vec![p; tags.len()],
            tags,
            dist: Vec::new(),
        });
        let cues = cues_of(&doc, &tagged);
        let s1 = doc.sentences[1].0;
        assert_eq!(
            cues,
            vec![vec![((1, 2), 0.9)], vec![((s1 + 1, s1 + 2), 0.6)]]
        );
        let p = priors(&doc, &cues);
        assert_eq!(p[1], 2);
        assert_eq!(p[s1 + 1], 2);
        assert_eq!(p.iter().filter(|&&x| x != 1).count(), 2);
    }
}
