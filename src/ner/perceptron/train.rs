//! Training and evaluation of the perceptron model on CoNLL files.

use super::*;

/// BILOU tags of a CoNLL document's gold chunks.
pub(super) fn gold_bilou(doc: &ConllDoc) -> Vec<usize> {
    bilou_tags(&doc.gold, &doc.sentences)
}

/// BILOU tag ids of the chunks of IOB tag names (any IOB scheme), sentence by sentence.
pub fn bilou_tags<S: AsRef<str>>(names: &[S], sentences: &[(usize, usize)]) -> Vec<usize> {
    let found: Vec<(usize, usize, Label)> = sentences
        .iter()
        .flat_map(|&(ss, se)| {
            chunks(&names[ss..se])
                .into_iter()
                .map(move |(s, e, l)| (ss + s, ss + e, l))
        })
        .collect();
    let mut tags = vec![O; names.len()];
    repair::write_chunks(&mut tags, &found);
    tags
}

/// Chunks of predicted BILOU tags, per sentence, as document-level ranges.
pub fn predicted_chunks(
    tags: &[usize],
    sentences: &[(usize, usize)],
) -> Vec<(usize, usize, Label)> {
    let mut out = Vec::new();
    for &(s, e) in sentences {
        let names: Vec<&str> = tags[s..e].iter().map(|&t| BILOU_NAMES[t]).collect();
        out.extend(
            chunks(&names)
                .into_iter()
                .map(|(a, b, l)| (s + a, s + b, l)),
        );
    }
    out
}

/// IOB2 tag names for predicted BILOU tags (for `whosaid tag --conll`).
pub fn iob2_names(tags: &[usize]) -> Vec<&'static str> {
    const NAMES: [&str; 9] = [
        "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
    ];
    tags.iter()
        .map(|&t| match tag_parts(t) {
            None => NAMES[0],
            Some((l, Part::B | Part::U)) => NAMES[1 + 2 * l.index()],
            Some((l, _)) => NAMES[2 + 2 * l.index()],
        })
        .collect()
}

/// Training options.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed for the shuffling of documents.
    pub seed: u64,
    /// Train again on train and dev together for the epoch count chosen on dev.
    pub refit: bool,
    /// Share of training tokens (drawn at random each time) whose word identity is hidden
    /// from their features, so that the model learns to tag from context, shape, clusters and
    /// gazetteer as it must for words it never saw.
    pub word_dropout: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 20,
            seed: 7,
            refit: false,
            word_dropout: 0.1,
        }
    }
}

pub(super) struct Trainer {
    tables: Arc<WordTables>,
    weights: Averaged,
    golds: Vec<Vec<usize>>,
    order: Vec<usize>,
    rng: u64,
    drop_rng: u64,
    /// Share of tokens whose identity is hidden from the features (see [`TrainOptions`]).
    word_dropout: f64,
}

impl Trainer {
    fn new(docs: &[ConllDoc], opts: &TrainOptions) -> Result<Self> {
        let seed = opts.seed;
        Ok(Trainer {
            tables: builtin_tables()?,
            weights: Averaged::new(N_TAGS),
            golds: docs.iter().map(gold_bilou).collect(),
            order: (0..docs.len()).collect(),
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            drop_rng: seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1,
            word_dropout: opts.word_dropout,
        })
    }

    /// One pass over `docs` (the documents the trainer was made with) in a new random order.
    fn epoch(&mut self, docs: &[ConllDoc]) {
        shuffle(&mut self.order, &mut self.rng);
        for k in 0..self.order.len() {
            let d = self.order[k];
            let gold = std::mem::take(&mut self.golds[d]);
            self.train_doc(&docs[d], &gold);
            self.golds[d] = gold;
        }
    }

    fn averaged(&self) -> Model {
        let weights = self.weights.averaged_rows();
        // Drop features whose averaged weights are all small next to the largest weight.
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let floor = max * PRUNE_FLOOR;
        let mut index = Vec::new();
        let mut kept = Vec::new();
        for (&k, &r) in self.weights.current().0 {
            let row = &weights[r as usize * N_TAGS..(r as usize + 1) * N_TAGS];
            if row.iter().any(|w| w.abs() > floor) {
                index.push((k, (kept.len() / N_TAGS) as u32));
                kept.extend_from_slice(row);
            }
        }
        Model::quantized(index, &kept, self.tables.clone())
    }

    fn model_view(&self) -> Model {
        let (index, w) = self.weights.current();
        Model::quantized(index.iter().map(|(&k, &r)| (k, r)), w, self.tables.clone())
    }

    /// One greedy pass over a document with the current weights, updating wherever the gold
    /// tag does not win by a margin.
    fn train_doc(&mut self, doc: &ConllDoc, gold: &[usize]) {
        let words: Vec<&str> = doc.words.iter().map(|s| s.as_str()).collect();
        let cased = truecase(&words, &doc.sentences, &self.tables.clusters);
        let words: Vec<&str> = cased
            .iter()
            .zip(&words)
            .map(|(c, w)| c.as_deref().unwrap_or(w))
            .collect();
        let tables = self.tables.clone();
        let mut scores = [0f32; N_TAGS];
        let drop = self.word_dropout;
        let mut rng = self.drop_rng;
        let unknown = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            ((rng >> 11) as f64 / (1u64 << 53) as f64) < drop
        };
        greedy_document(&words, &doc.sentences, &tables, unknown, |feats, pos| {
            scores.fill(0.0);
            self.weights.score(feats, &mut scores);
            self.weights.tick();
            // Passive-aggressive update (Crammer et al. 2006): against the highest-scoring
            // wrong tag, whenever gold does not beat it by a margin of one, with the
            // smallest step that would make it do so.
            let g = gold[pos];
            let mut rival = O;
            let mut rival_s = f32::NEG_INFINITY;
            for (t, &sc) in scores.iter().enumerate() {
                if t != g && sc > rival_s {
                    rival = t;
                    rival_s = sc;
                }
            }
            // The tag predicted (the first of the highest), which the history records.
            let best = if scores[g] > rival_s || (scores[g] == rival_s && g < rival) {
                g
            } else {
                rival
            };
            let loss = rival_s - scores[g] + 1.0;
            if loss > 0.0 {
                self.weights
                    .update(feats, g, rival, loss / (2.0 * feats.len() as f32));
            }
            best
        });
        self.drop_rng = rng;
    }
}

/// Features whose weights all stay below this share of the model's largest weight are
/// dropped from the saved model: at 1% the model keeps about 110,000 features of 170,000 with
/// the same eng.testa F1 (at 5%, 0.3 less).
pub(super) const PRUNE_FLOOR: f32 = 0.01;

/// Scores a model on CoNLL documents: (true positives, predicted, gold) chunk counts.
pub fn evaluate(model: &Model, docs: &[ConllDoc]) -> (usize, usize, usize) {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|d| {
            let words: Vec<&str> = d.words.iter().map(|s| s.as_str()).collect();
            let (tags, _) = model.tag(&words, &d.sentences);
            let pred = predicted_chunks(&repair(&tags), &d.sentences);
            let mut gold = Vec::new();
            for &(s, e) in &d.sentences {
                gold.extend(
                    chunks(&d.gold[s..e])
                        .into_iter()
                        .map(|(a, b, l)| (s + a, s + b, l)),
                );
            }
            prf(&gold, &pred)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
}

/// Trains on `train`, keeps the epoch with the best F1 on `dev`, and reports progress through
/// `log`. Deterministic for a given seed.
pub fn train(
    train: &ConllFile,
    dev: &ConllFile,
    opts: &TrainOptions,
    mut log: impl FnMut(&str),
) -> Result<(Model, f64)> {
    if train.docs.is_empty() {
        bail!("the training file has no documents");
    }
    let mut best: Option<(Model, f64, usize)> = None;
    let mut t = Trainer::new(&train.docs, opts)?;
    for epoch in 1..=opts.epochs {
        t.epoch(&train.docs);
        let avg = t.averaged();
        let dev_f1 = f1(evaluate(&avg, &dev.docs));
        let raw_f1 = f1(evaluate(
            &t.model_view(),
            &dev.docs[..dev.docs.len().min(20)],
        ));
        log(&format!(
            "epoch {epoch}: {} features, dev F1 {dev_f1:.2} (averaged), {raw_f1:.2} (raw, first 20 docs)",
            avg.n_features()
        ));
        if best.as_ref().is_none_or(|(_, f, _)| dev_f1 > *f) {
            best = Some((avg, dev_f1, epoch));
        }
    }
    let (mut model, f1, best_epoch) = best.expect("at least one epoch");
    // Calibrate: the temperature whose entity confidences best predict correctness on dev.
    let mut best_t = (f64::INFINITY, 1.0f32);
    // Scores' scale depends on the training: search 1/128 to 128 in steps of 2^(1/2).
    for k in -14..=14 {
        let t = 2f32.powf(k as f32 / 2.0);
        model.temperature = t;
        let pairs = entity_confidences(&model, &dev.docs);
        let brier = pairs
            .iter()
            .map(|&(p, ok)| (p as f64 - ok as u8 as f64).powi(2))
            .sum::<f64>()
            / pairs.len().max(1) as f64;
        if brier < best_t.0 {
            best_t = (brier, t);
        }
    }
    model.temperature = best_t.1;
    let pairs = entity_confidences(&model, &dev.docs);
    log(&format!(
        "temperature {} (Brier {:.4}); calibration on dev:",
        best_t.1, best_t.0
    ));
    log(&calibration_table(&pairs));
    if opts.refit {
        let all: Vec<ConllDoc> = train.docs.iter().chain(&dev.docs).cloned().collect();
        let mut t = Trainer::new(&all, opts)?;
        for _ in 0..best_epoch {
            t.epoch(&all);
        }
        let temperature = model.temperature;
        model = t.averaged();
        model.temperature = temperature;
        log(&format!(
            "refit on train + dev ({} documents) for {best_epoch} epochs: {} features",
            all.len(),
            model.n_features()
        ));
    }
    Ok((model, f1))
}

/// Each predicted entity's confidence and whether it is right (span and type), over `docs`.
pub fn entity_confidences(model: &Model, docs: &[ConllDoc]) -> Vec<(f32, bool)> {
    use rayon::prelude::*;
    docs.par_iter()
        .flat_map_iter(|d| {
            let words: Vec<&str> = d.words.iter().map(|s| s.as_str()).collect();
            let (tags, probs) = model.tag(&words, &d.sentences);
            let mut gold = std::collections::HashSet::new();
            for &(s, e) in &d.sentences {
                gold.extend(
                    chunks(&d.gold[s..e])
                        .into_iter()
                        .map(|(a, b, l)| (s + a, s + b, l)),
                );
            }
            predicted_chunks(&tags, &d.sentences)
                .into_iter()
                .map(|c| {
                    let p = probs[c.0..c.1].iter().sum::<f32>() / (c.1 - c.0) as f32;
                    (p, gold.contains(&c))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A table of accuracy by confidence bucket.
pub fn calibration_table(pairs: &[(f32, bool)]) -> String {
    let edges = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01];
    let mut out = String::from("confidence     entities  accuracy\n");
    for w in edges.windows(2) {
        let sel: Vec<&(f32, bool)> = pairs
            .iter()
            .filter(|(p, _)| *p >= w[0] && *p < w[1])
            .collect();
        if sel.is_empty() {
            continue;
        }
        let acc = sel.iter().filter(|(_, ok)| *ok).count() as f64 / sel.len() as f64;
        out.push_str(&format!(
            "[{:.2}, {:.2})  {:>8}  {:>7.1}%\n",
            w[0],
            w[1].min(1.0),
            sel.len(),
            100.0 * acc
        ));
    }
    out
}
