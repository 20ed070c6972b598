//! "Did you mean": the known word closest to a mistyped one, for error messages.
//!
//! Distance is the optimal string alignment distance (insertions, deletions, substitutions and
//! transpositions of neighbours, each 1; case and `_`/space ignored), so `stauts` finds
//! `status`. A word further than a third of its length (at least 1, at most 3) from every
//! candidate gets no suggestion: a far-fetched guess is worse than none.

/// Optimal string alignment distance between `a` and `b` (by characters).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

fn norm(s: &str) -> String {
    s.to_lowercase().replace('_', " ")
}

/// The candidate closest to `word`, if one is close enough (ties: the first listed).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let w = norm(word);
    let limit = (w.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cn = norm(c);
        if cn == w {
            continue;
        }
        let mut dist = distance(&w, &cn);
        // A clear abbreviation (`stat` for `status`) counts as one edit.
        if w.chars().count() >= 3 && cn.starts_with(&w) {
            dist = dist.min(1);
        }
        if dist <= limit && best.is_none_or(|(b, _)| dist < b) {
            best = Some((dist, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `" (did you mean `x`?)"`, or nothing when no candidate is close.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match closest(word, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_optimal_string_alignment() {
        // Reference values worked by hand from the definition.
        assert_eq!(distance("stauts", "status"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("ca", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn suggestions_are_close_or_absent() {
        let cmds = ["status", "levers", "policies", "forecast", "commit"];
        assert_eq!(closest("stauts", cmds), Some("status"));
        assert_eq!(closest("forcast", cmds), Some("forecast"));
        assert_eq!(closest("stat", cmds), Some("status"));
        assert_eq!(closest("xyzzy", cmds), None);
        assert_eq!(
            closest("Czech_Republik", ["Czech Republic", "Croatia"]),
            Some("Czech Republic")
        );
        assert_eq!(did_you_mean("levrs", cmds), " (did you mean `levers`?)");
        assert_eq!(did_you_mean("zzz", cmds), "");
    }
}
