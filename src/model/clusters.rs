//! Opinion clusters: counting the groups a bounded-confidence run ends in.
//!
//! The published outcomes of these models are stated in clusters: consensus (one cluster),
//! polarisation (two), about ⌊1/(2ε)⌋ "major" clusters for Deffuant–Weisbuch, ignoring tiny
//! groups of outliers. A cluster is a maximal run of sorted opinions whose consecutive gaps are
//! at most `gap`. Everything works on a sorted copy in caller-provided scratch, so counting
//! allocates nothing once the scratch has capacity N. References: Deffuant, Neau, Amblard &
//! Weisbuch 2000, Adv. Complex Syst. 3; Hegselmann & Krause 2002, JASSS 5(3); Fortunato 2005.

/// The default share of agents a cluster must hold to be "major": 2 %, i.e. 20 of 1000 agents
/// (smaller groups are the outliers and stragglers that the literature leaves out).
pub const DEFAULT_MIN_SHARE: f64 = 0.02;

/// Copies `x` into `scratch` and sorts it (`total_cmp`; opinions should be finite).
fn sorted_copy<'a>(x: &[f64], scratch: &'a mut Vec<f64>) -> &'a [f64] {
    scratch.clear();
    scratch.extend_from_slice(x);
    scratch.sort_unstable_by(f64::total_cmp);
    scratch
}

/// Calls `f(size)` for each cluster of the sorted slice, in increasing order of opinion.
fn for_each_cluster(sorted: &[f64], gap: f64, mut f: impl FnMut(usize)) {
    let mut start = 0;
    for k in 1..sorted.len() {
        if sorted[k] - sorted[k - 1] > gap {
            f(k - start);
            start = k;
        }
    }
    if !sorted.is_empty() {
        f(sorted.len() - start);
    }
}

/// Whether a cluster of `size` agents out of `n` holds at least `min_share` of them.
#[inline]
fn is_major(size: usize, n: usize, min_share: f64) -> bool {
    size as f64 >= min_share * n as f64
}

/// The number of clusters: sorted opinions split wherever two consecutive ones differ by more
/// than `gap` (a difference of exactly `gap` stays in the cluster). Empty input: 0.
///
/// On a converged run any `gap` between the clusters' own spread and the confidence bound ε
/// gives the same count; `scratch` should have capacity `x.len()` to avoid allocating.
pub fn count_clusters(x: &[f64], gap: f64, scratch: &mut Vec<f64>) -> usize {
    let sorted = sorted_copy(x, scratch);
    let mut count = 0;
    for_each_cluster(sorted, gap, |_| count += 1);
    count
}

/// The number of major clusters: those holding at least `min_share` of the agents
/// (`size ≥ min_share · N`; see [`DEFAULT_MIN_SHARE`]). `min_share = 0` counts every cluster.
pub fn major_clusters(x: &[f64], gap: f64, min_share: f64, scratch: &mut Vec<f64>) -> usize {
    let n = x.len();
    let sorted = sorted_copy(x, scratch);
    let mut count = 0;
    for_each_cluster(sorted, gap, |size| {
        if is_major(size, n, min_share) {
            count += 1;
        }
    });
    count
}

/// Consensus: exactly one major cluster, and it holds all but at most `min_share` of the agents
/// (`size ≥ (1 − min_share) · N`). With `min_share = 0` this is complete consensus, every
/// agent in one cluster. Empty input is not a consensus.
pub fn is_consensus(x: &[f64], gap: f64, min_share: f64, scratch: &mut Vec<f64>) -> bool {
    let n = x.len();
    let sorted = sorted_copy(x, scratch);
    let (mut majors, mut largest) = (0usize, 0usize);
    for_each_cluster(sorted, gap, |size| {
        if is_major(size, n, min_share) {
            majors += 1;
        }
        largest = largest.max(size);
    });
    majors == 1 && largest as f64 >= (1.0 - min_share) * n as f64
}

/// Whether a Deffuant–Weisbuch state is frozen: link sorted opinions closer than `eps` (the
/// strict interaction rule), and require every linked group to span at most `tol`. Then every
/// pair that could still interact is within `tol` of each other, so no encounter can move an
/// opinion by more than `mu · tol`: the run has converged, whatever pairs a sweep happened to
/// draw. Empty input is frozen.
pub fn is_frozen(x: &[f64], eps: f64, tol: f64, scratch: &mut Vec<f64>) -> bool {
    let sorted = sorted_copy(x, scratch);
    let mut start = 0;
    for k in 1..sorted.len() {
        if sorted[k] - sorted[k - 1] >= eps {
            if sorted[k - 1] - sorted[start] > tol {
                return false;
            }
            start = k;
        }
    }
    match sorted.last() {
        Some(&last) => last - sorted[start] <= tol,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` copies of each (value, count).
    fn population(groups: &[(f64, usize)]) -> Vec<f64> {
        groups
            .iter()
            .flat_map(|&(v, n)| std::iter::repeat_n(v, n))
            .collect()
    }

    #[test]
    fn counts_runs_split_by_gaps_larger_than_gap() {
        let mut s = Vec::new();
        assert_eq!(count_clusters(&[], 0.1, &mut s), 0);
        assert_eq!(count_clusters(&[0.4], 0.1, &mut s), 1);
        let x = [1.0, 0.05, 0.55, 0.0, 0.1, 0.5];
        assert_eq!(count_clusters(&x, 0.1, &mut s), 3);
        assert_eq!(count_clusters(&x, 0.5, &mut s), 1);
        assert_eq!(count_clusters(&x, 0.0, &mut s), 6);
        // A difference of exactly `gap` does not split.
        assert_eq!(count_clusters(&[0.0, 0.5], 0.5, &mut s), 1);
        assert_eq!(count_clusters(&[0.0, 0.5, 0.5, 0.0], 0.25, &mut s), 2);
        // Chains link: consecutive gaps count, not the cluster's width.
        assert_eq!(count_clusters(&[0.0, 0.1, 0.2, 0.3, 0.4], 0.15, &mut s), 1);
    }

    #[test]
    fn major_clusters_ignore_small_groups() {
        let mut s = Vec::new();
        // 100 agents: 60 and 37 in two groups, 2 stragglers together, 1 alone.
        let x = population(&[(0.2, 60), (0.8, 37), (0.5, 2), (0.95, 1)]);
        assert_eq!(count_clusters(&x, 1e-6, &mut s), 4);
        assert_eq!(major_clusters(&x, 1e-6, 0.0, &mut s), 4);
        assert_eq!(major_clusters(&x, 1e-6, DEFAULT_MIN_SHARE, &mut s), 3); // 2 % is major
        assert_eq!(major_clusters(&x, 1e-6, 0.03, &mut s), 2);
        assert_eq!(major_clusters(&x, 1e-6, 0.7, &mut s), 0);
        assert_eq!(major_clusters(&[], 1e-6, 0.02, &mut s), 0);
    }

    #[test]
    fn consensus_is_one_major_cluster_holding_nearly_everyone() {
        let mut s = Vec::new();
        let all = population(&[(0.5, 100)]);
        assert!(is_consensus(&all, 1e-6, 0.0, &mut s));
        let one_outlier = population(&[(0.5, 99), (0.9, 1)]);
        assert!(!is_consensus(&one_outlier, 1e-6, 0.0, &mut s));
        assert!(is_consensus(&one_outlier, 1e-6, DEFAULT_MIN_SHARE, &mut s));
        // Two stragglers together reach 2 %: a second major cluster, so no consensus.
        let pair = population(&[(0.5, 98), (0.9, 2)]);
        assert!(!is_consensus(&pair, 1e-6, DEFAULT_MIN_SHARE, &mut s));
        // Scattered stragglers, each minor, but 3 % of agents outside: no consensus either.
        let scattered = population(&[(0.5, 97), (0.0, 1), (0.9, 1), (1.0, 1)]);
        assert_eq!(
            major_clusters(&scattered, 1e-6, DEFAULT_MIN_SHARE, &mut s),
            1
        );
        assert!(!is_consensus(&scattered, 1e-6, DEFAULT_MIN_SHARE, &mut s));
        let polarised = population(&[(0.1, 50), (0.9, 50)]);
        assert!(!is_consensus(&polarised, 1e-6, DEFAULT_MIN_SHARE, &mut s));
        assert!(!is_consensus(&[], 1e-6, 0.0, &mut s));
        assert!(is_consensus(&[0.3], 1e-6, 0.0, &mut s));
    }

    #[test]
    fn frozen_means_every_interacting_group_is_tight() {
        let mut s = Vec::new();
        assert!(is_frozen(&[], 0.2, 1e-9, &mut s));
        assert!(is_frozen(&[0.5, 0.0, 0.5, 0.0], 0.3, 1e-9, &mut s));
        assert!(!is_frozen(&[0.0, 0.1], 0.3, 1e-9, &mut s));
        // Exactly eps apart: Deffuant's strict bound means they never interact.
        assert!(is_frozen(&[0.0, 0.25], 0.25, 1e-9, &mut s));
        // Tight clusters, but a straggler within eps of one of them.
        assert!(!is_frozen(&[0.0, 0.0, 0.6, 0.6, 0.75], 0.2, 1e-9, &mut s));
        assert!(is_frozen(
            &[0.0, 1e-12, 0.6, 0.6 + 1e-10],
            0.2,
            1e-9,
            &mut s
        ));
    }

    #[test]
    fn counting_reuses_the_scratch_without_reallocating() {
        let x: Vec<f64> = (0..1000)
            .map(|k| ((k * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let mut s = Vec::with_capacity(x.len());
        let (ptr, cap) = (s.as_ptr(), s.capacity());
        assert_eq!(count_clusters(&x, 0.0015, &mut s), 1);
        assert_eq!(major_clusters(&x, 0.0005, 0.0, &mut s), 1000);
        assert!(!is_consensus(&x, 0.0005, DEFAULT_MIN_SHARE, &mut s));
        assert!(!is_frozen(&x, 0.1, 1e-9, &mut s));
        assert_eq!((s.as_ptr(), s.capacity()), (ptr, cap));
        // Input order is untouched.
        assert_eq!(x[1], 0.919);
    }
}
