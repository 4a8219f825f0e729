//! `whosaid train quotes`: the epoch chosen on dev, cross-validation on train (held-out
//! figures, and the out-of-fold quotes that fit the confidence calibration), the model saved.
//! Progress and figures go to stderr.

use super::train::{self, TrainOptions};
use super::QuoteModel;
use crate::eval::{self, Evaluation};
use crate::ner::perceptron::PerceptronNer;
use crate::pipeline::Pipeline;
use crate::quote::RuleQuotes;
use anyhow::Result;
use std::path::Path;

/// Cue margins are divided by this before the sigmoid while the calibration is measured, so
/// that no confidence saturates.
const MARGIN_SCALE: f32 = 100.0;

/// `whosaid train quotes`: the epoch chosen on dev, cross-validation on train (held-out
/// figures, and the out-of-fold quotes that fit the confidence calibration), the model saved.
pub fn train_quotes(
    train: &Path,
    dev: &Path,
    output: &Path,
    epochs: usize,
    seed: u64,
    folds: usize,
) -> Result<()> {
    let tr = crate::polnear::read_split(train)?;
    let dv = crate::polnear::read_split(dev)?;
    let t0 = std::time::Instant::now();
    let log = |s: &str| eprintln!("[{:6.1}s] {s}", t0.elapsed().as_secs_f64());
    let mut pipeline = Pipeline::with_parts(
        Box::new(PerceptronNer::default_model()?),
        Box::new(RuleQuotes::rules_only()),
    )?;
    let figures = |e: &Evaluation| {
        let s = &e.scores;
        let r: Vec<f64> = e.roles.iter().map(|c| c.score().exact[2]).collect();
        format!(
            "attribution F1 {:.2} (R {:.2}), direct {:.2}, speaker {:.2}, content@0.9 {:.2}; roles source {:.1} cue {:.1} content {:.1}",
            s.attribution[2], s.attribution[1], s.direct[2], s.speaker_acc, s.content9[2], r[0], r[1], r[2]
        )
    };
    let opts = TrainOptions { epochs, seed };
    let (model, best) = {
        let mut pick = |m: &QuoteModel| {
            pipeline.set_quotes(Box::new(m.clone()));
            eval::evaluate(&pipeline, &dv).scores.attribution[2]
        };
        train::train(&tr, opts, Some(&mut pick), log)?
    };
    log(&format!("best epoch on dev: {best}"));
    let r = train::ranker_accuracy(&model, &dv);
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    log(&format!(
        "dev, given the gold cues: content at Jaccard >= 0.5 {:.1}%, exact {:.1}%; source right {:.1}% of those (of {}); source exact {:.1}%, reachable {:.1}% (of {} with a source)",
        pct(r.content_half, r.quotes),
        pct(r.content_exact, r.quotes),
        pct(r.source_right, r.content_half),
        r.quotes,
        pct(r.source_exact, r.with_source),
        pct(r.source_reachable, r.with_source),
        r.with_source
    ));
    let mut pairs = Vec::new();
    if folds >= 2 {
        let mut sums = [0f64; 8];
        for k in 0..folds {
            let (held, rest): (Vec<_>, Vec<_>) = tr
                .iter()
                .cloned()
                .enumerate()
                .partition(|(i, _)| i % folds == k);
            let held: Vec<_> = held.into_iter().map(|x| x.1).collect();
            let rest: Vec<_> = rest.into_iter().map(|x| x.1).collect();
            let opts = TrainOptions { epochs: best, seed };
            let (m, _) = train::train(&rest, opts, None, |_| {})?;
            pipeline.set_quotes(Box::new(m.with_calibration([1.0 / MARGIN_SCALE, 0.0])));
            let e = eval::evaluate(&pipeline, &held);
            log(&format!("fold {}/{folds}: {}", k + 1, figures(&e)));
            let s = &e.scores;
            let r: Vec<f64> = e.roles.iter().map(|c| c.score().exact[2]).collect();
            for (x, v) in sums.iter_mut().zip([
                s.attribution[2],
                s.attribution[1],
                s.direct[2],
                s.speaker_acc,
                s.content9[2],
                r[0],
                r[1],
                r[2],
            ]) {
                *x += v / folds as f64;
            }
            pairs.extend(e.quotes);
        }
        log(&format!(
            "{folds}-fold CV mean: attribution F1 {:.2} (R {:.2}), direct {:.2}, speaker {:.2}, content@0.9 {:.2}; roles source {:.1} cue {:.1} content {:.1}",
            sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]
        ));
    } else {
        let m = model.clone().with_calibration([1.0 / MARGIN_SCALE, 0.0]);
        pipeline.set_quotes(Box::new(m));
        pairs = eval::evaluate(&pipeline, &dv).quotes;
    }
    // The held-out confidences are sigmoid(margin / MARGIN_SCALE), far from saturation:
    // fit the calibration on the scaled margins they give back.
    let margins: Vec<(f32, bool)> = pairs
        .iter()
        .map(|&(c, ok)| {
            let c = c.clamp(1e-6, 1.0 - 1e-6);
            ((c / (1.0 - c)).ln(), ok)
        })
        .collect();
    let [a, b] = crate::learn::calibrate::platt(&margins);
    let cal = [a / MARGIN_SCALE, b];
    log(&format!(
        "calibration: sigmoid({:.4} * margin + {:.4})",
        cal[0], cal[1]
    ));
    let model = model.with_calibration(cal);
    pipeline.set_quotes(Box::new(model.clone()));
    let e = eval::evaluate(&pipeline, &dv);
    log(&format!("dev: {}", figures(&e)));
    eprint!("{}", eval::calibration_report(&e.quotes));
    model.save(output)?;
    let [c, n, s] = model.sizes();
    log(&format!(
        "wrote {} ({c} cue, {n} content, {s} source features; rebuild whosaid to use it)",
        output.display()
    ));
    Ok(())
}
