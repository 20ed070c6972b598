//! Rank statistics for comparing a model with a record: Spearman's rank correlation with
//! average ranks for ties, and the root-mean-square error.
//!
//! Used where a hindcast is held against what happened (the validation page) and where a
//! calibration summarises its fit; both need the same definition, so it is written once.

/// Ranks 1..=n of `x`, tied values sharing the mean of the ranks they span.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mean;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation of two equally long samples; `None` if either has no variance or
/// fewer than two values.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len();
    if n < 2 || b.len() != n {
        return None;
    }
    let (ma, mb) = (
        a.iter().sum::<f64>() / n as f64,
        b.iter().sum::<f64>() / n as f64,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// Spearman's rank correlation (Pearson's on average ranks, so ties are handled exactly).
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&ranks(a), &ranks(b))
}

/// Root-mean-square difference of two equally long samples (`None` if empty).
pub fn rmse(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let s: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    Some((s / a.len() as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[1.0, 2.0, 2.0, 5.0]), vec![1.0, 2.5, 2.5, 4.0]);
    }

    #[test]
    fn spearman_matches_the_closed_form_without_ties() {
        // Without ties ρ = 1 − 6 Σ d² / (n (n² − 1)).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0];
        let d2: f64 = ranks(&a)
            .iter()
            .zip(ranks(&b))
            .map(|(x, y)| (x - y) * (x - y))
            .sum();
        let n = 6.0;
        let closed = 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
        assert!((spearman(&a, &b).unwrap() - closed).abs() < 1e-12);
        assert_eq!(spearman(&a, &a), Some(1.0));
        assert!((spearman(&a, &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&a, &[1.0; 6]), None);
    }

    #[test]
    fn spearman_of_a_three_class_ordering_against_the_record() {
        // The exposure baseline of the validation page: classes 3 > 2 > 1 against values;
        // checked against a hand computation with average ranks.
        let class = [3.0, 3.0, 2.0, 1.0, 1.0];
        let rec = [1.6, 1.0, 0.8, 0.9, -0.2];
        // ranks(class) = [4.5, 4.5, 3, 1.5, 1.5]; ranks(rec) = [5, 4, 2, 3, 1].
        let rc = [4.5, 4.5, 3.0, 1.5, 1.5];
        let rr = [5.0, 4.0, 2.0, 3.0, 1.0];
        assert_eq!(ranks(&class), rc);
        assert_eq!(ranks(&rec), rr);
        let want = pearson(&rc, &rr).unwrap();
        assert!((spearman(&class, &rec).unwrap() - want).abs() < 1e-15);
        assert!((want - 0.7905694150420948).abs() < 1e-12);
    }

    #[test]
    fn rmse_is_the_root_mean_square() {
        assert_eq!(rmse(&[1.0, 2.0], &[1.0, 4.0]), Some(2f64.sqrt()));
        assert_eq!(rmse(&[], &[]), None);
    }
}
