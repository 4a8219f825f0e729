//! Confidence calibration: Platt scaling (a logistic curve fitted to scores and outcomes by
//! Newton's method) and the expected calibration error that checks it.

/// `[a, b]` such that sigmoid(a * score + b) best predicts the outcomes (log loss), fitted by
/// Newton's method with Platt's smoothed targets. `[1, 0]` when there is nothing to fit.
pub fn platt(pairs: &[(f32, bool)]) -> [f32; 2] {
    let pos = pairs.iter().filter(|p| p.1).count() as f64;
    let neg = pairs.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return [1.0, 0.0];
    }
    let (hi, lo) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(x, y) in pairs {
            let x = x as f64;
            let t = if y { hi } else { lo };
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            let d = p - t;
            let w = (p * (1.0 - p)).max(1e-12);
            ga += d * x;
            gb += d;
            haa += w * x * x;
            hab += w * x;
            hbb += w;
        }
        // A small ridge keeps the step defined when the scores hardly vary.
        let (haa, hbb) = (haa + 1e-9, hbb + 1e-9);
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let (mut da, mut db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        // Step halving: a full Newton step from a saturated start can overshoot.
        let before = log_loss(pairs, a, b, hi, lo);
        while log_loss(pairs, a - da, b - db, hi, lo) > before && da.abs() + db.abs() > 1e-12 {
            da /= 2.0;
            db /= 2.0;
        }
        a -= da;
        b -= db;
        if da.abs() < 1e-9 && db.abs() < 1e-9 {
            break;
        }
    }
    [a as f32, b as f32]
}

/// Log loss of sigmoid(a * score + b) against Platt's targets `hi` (right) and `lo`.
fn log_loss(pairs: &[(f32, bool)], a: f64, b: f64, hi: f64, lo: f64) -> f64 {
    pairs
        .iter()
        .map(|&(x, y)| {
            let z = a * x as f64 + b;
            let t = if y { hi } else { lo };
            // -[t ln p + (1 - t) ln(1 - p)] with p = sigmoid(z), written to stay finite.
            let softplus = |v: f64| v.max(0.0) + (-v.abs()).exp().ln_1p();
            t * softplus(-z) + (1.0 - t) * softplus(z)
        })
        .sum()
}

/// Reliability over ten equal-width confidence bins: per bin (count, mean confidence, share
/// right), and the expected calibration error (the count-weighted mean gap).
pub fn reliability(pairs: &[(f32, bool)]) -> (Vec<(usize, f64, f64)>, f64) {
    let mut bins = vec![(0usize, 0f64, 0f64); 10];
    for &(c, ok) in pairs {
        let k = ((c.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        bins[k].0 += 1;
        bins[k].1 += c as f64;
        bins[k].2 += ok as u8 as f64;
    }
    let n = pairs.len().max(1) as f64;
    let mut ece = 0.0;
    for b in &mut bins {
        if b.0 > 0 {
            b.1 /= b.0 as f64;
            b.2 /= b.0 as f64;
            ece += b.0 as f64 / n * (b.1 - b.2).abs();
        }
    }
    (bins, ece)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_recovers_a_logistic_curve() {
        // Outcomes drawn as sigmoid(2x - 1) would give them, deterministically by quantiles.
        let mut pairs = Vec::new();
        for i in 0..400 {
            let x = -3.0 + 6.0 * i as f32 / 400.0;
            let p = 1.0 / (1.0 + (-(2.0 * x - 1.0)).exp());
            for k in 0..10 {
                pairs.push((x, (k as f32 + 0.5) / 10.0 < p));
            }
        }
        let [a, b] = platt(&pairs);
        assert!((a - 2.0).abs() < 0.25 && (b + 1.0).abs() < 0.2, "{a} {b}");
        let cal: Vec<(f32, bool)> = pairs
            .iter()
            .map(|&(x, y)| (1.0 / (1.0 + (-(a * x + b)).exp()), y))
            .collect();
        assert!(reliability(&cal).1 < 0.03);
        assert_eq!(platt(&[(1.0, true)]), [1.0, 0.0]);
        // Scores bunched at a saturated end (raw probabilities of 1 - 1e-6 as logits) with
        // a spread below: a full Newton step from a = 1 overshoots; the fit must stay finite
        // and follow the outcomes.
        let mut pairs = Vec::new();
        for i in 0..1500 {
            pairs.push((13.8, i % 5 != 0));
        }
        for i in 0..600 {
            pairs.push((-2.0 + 4.0 * (i % 10) as f32 / 10.0, i % 10 < 4));
        }
        let [a, b] = platt(&pairs);
        assert!(a.is_finite() && a.abs() < 10.0, "{a} {b}");
        let c = |x: f32| 1.0 / (1.0 + (-(a * x + b)).exp());
        assert!((c(13.8) - 0.8).abs() < 0.03, "{a} {b}");
    }
}
