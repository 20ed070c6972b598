//! PRIM, the patient rule induction method (Friedman and Fisher 1999), as scenario discovery
//! uses it (Bryant and Lempert 2010): find a box in the space of uncertain parameters where the
//! cases of interest are dense.
//!
//! This follows EMA Workbench's `prim.Prim` (binary mode, numeric dimensions, the default
//! "lenient1" objective) step for step, so its peeling trajectory can be checked against EMA's
//! on the same data: peeling removes the share α of the box's points from the low or high end
//! of one dimension, whichever raises the share of cases of interest most per point removed
//! (ties go to the candidate that leaves more dimensions unrestricted, then to the first
//! found); it stops when the box would fall below the minimum mass or nothing improves; pasting
//! then widens restricted limits again while that raises the box's density. Every box on the
//! way is kept: the coverage–density trajectory the analyst chooses from. Quasi-p-values are
//! Bryant and Lempert's one-sided binomial tests of each restricted limit; [`prune`] then
//! lifts the restrictions that are not significant, as Bryant and Lempert advise (and EMA's
//! `drop_restriction` lets the analyst do by hand), so that a box names only the parameters
//! that matter.

use crate::kernel::special::binomial_upper_tail;

/// PRIM's parameters (EMA Workbench's defaults in [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Share of a box's points one peel removes.
    pub peel_alpha: f64,
    /// Share of the points beside a limit one paste adds.
    pub paste_alpha: f64,
    /// Smallest share of all points a box may hold.
    pub mass_min: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// One box of the trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct Box_ {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Points in the box.
    pub n: usize,
    /// Cases of interest in the box.
    pub k: usize,
    /// Share of all cases of interest that are in the box.
    pub coverage: f64,
    /// Share of the box's points that are cases of interest.
    pub density: f64,
    /// Share of all points in the box.
    pub mass: f64,
    /// Dimensions whose limits differ from the initial box.
    pub res_dim: usize,
    /// How the box was made.
    pub phase: Phase,
}

/// How a box of the trajectory was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Init,
    Peel,
    Paste,
    /// Another box with its non-significant restrictions lifted.
    Prune,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Init => "init",
            Phase::Peel => "peel",
            Phase::Paste => "paste",
            Phase::Prune => "prune",
        }
    }
}

/// The boxes PRIM went through, the first being the initial box around all points.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub dims: usize,
    pub init_lower: Vec<f64>,
    pub init_upper: Vec<f64>,
    pub boxes: Vec<Box_>,
    /// Points and cases of interest in all.
    pub n: usize,
    pub k: usize,
}

/// The data: `n × dims` inputs (row-major) and a yes/no per row.
pub struct Data<'a> {
    pub x: &'a [f64],
    pub dims: usize,
    pub y: &'a [bool],
}

impl Data<'_> {
    fn n(&self) -> usize {
        self.y.len()
    }
    #[inline]
    fn at(&self, row: usize, d: usize) -> f64 {
        self.x[row * self.dims + d]
    }
    fn count(&self, rows: &[usize]) -> usize {
        rows.iter().filter(|&&r| self.y[r]).count()
    }
    /// Rows (ascending) inside `lower..=upper` on the dimensions `dims`.
    fn inside(&self, lower: &[f64], upper: &[f64], dims: &[usize]) -> Vec<usize> {
        (0..self.n())
            .filter(|&r| {
                dims.iter()
                    .all(|&d| lower[d] <= self.at(r, d) && self.at(r, d) <= upper[d])
            })
            .collect()
    }
}

/// EMA Workbench's `get_quantile` (after sdtoolkit): the midpoint between the order statistics
/// around the quantile, moved outward past ties.
pub fn ema_quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let len = values.len();
    let i = (len - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while values[lo] == values[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while values[lo] == values[hi] && hi < len - 1 {
            hi += 1;
        }
    }
    (values[lo] + values[hi]) / 2.0
}

/// The gain in the share of cases of interest per point removed or added (EMA's "lenient1").
fn lenient1(n_old: usize, k_old: usize, n_new: usize, k_new: usize) -> f64 {
    let mean_old = k_old as f64 / n_old as f64;
    let mean_new = if n_new > 0 {
        k_new as f64 / n_new as f64
    } else {
        0.0
    };
    if mean_old == mean_new || n_old == n_new {
        return 0.0;
    }
    (mean_new - mean_old) / n_old.abs_diff(n_new) as f64
}

impl Trajectory {
    fn restricted(&self, lower: &[f64], upper: &[f64]) -> Vec<usize> {
        (0..self.dims)
            .filter(|&d| lower[d] != self.init_lower[d] || upper[d] != self.init_upper[d])
            .collect()
    }

    fn make(&self, lower: Vec<f64>, upper: Vec<f64>, n: usize, k: usize, phase: Phase) -> Box_ {
        let res_dim = self.restricted(&lower, &upper).len();
        Box_ {
            lower,
            upper,
            n,
            k,
            coverage: k as f64 / self.k as f64,
            density: k as f64 / n as f64,
            mass: n as f64 / self.n as f64,
            res_dim,
            phase,
        }
    }

    /// The densest box whose coverage is at least `min_coverage` (the first of equals); the
    /// initial box if no other qualifies.
    pub fn choose(&self, min_coverage: f64) -> usize {
        let mut best = 0;
        for (i, b) in self.boxes.iter().enumerate() {
            if b.coverage >= min_coverage && b.density > self.boxes[best].density {
                best = i;
            }
        }
        best
    }
}

/// A candidate box: (objective, unrestricted dimensions, its points, lower, upper).
type Candidate = (f64, usize, Vec<usize>, Vec<f64>, Vec<f64>);

/// Runs PRIM's peeling and pasting once on all the data. `None` if there are no points.
pub fn prim(data: &Data, opts: Options) -> Option<Trajectory> {
    let (n, dims) = (data.n(), data.dims);
    if n == 0 {
        return None;
    }
    let mut init_lower = vec![f64::INFINITY; dims];
    let mut init_upper = vec![f64::NEG_INFINITY; dims];
    for r in 0..n {
        for d in 0..dims {
            init_lower[d] = init_lower[d].min(data.at(r, d));
            init_upper[d] = init_upper[d].max(data.at(r, d));
        }
    }
    let all: Vec<usize> = (0..n).collect();
    let k = data.count(&all);
    let mut t = Trajectory {
        dims,
        init_lower: init_lower.clone(),
        init_upper: init_upper.clone(),
        boxes: Vec::new(),
        n,
        k,
    };
    let first = t.make(init_lower, init_upper, n, k, Phase::Init);
    t.boxes.push(first);
    let mut members = all;
    let mut col = Vec::with_capacity(n);
    // Peeling.
    loop {
        let cur = t.boxes.last().expect("the initial box").clone();
        let mass_old = members.len() as f64 / n as f64;
        let mut best: Option<Candidate> = None;
        for d in 0..dims {
            // Sorted once per dimension: the quantile of either side is read from the same
            // order (sorting sorted values again is linear).
            col.clear();
            col.extend(members.iter().map(|&r| data.at(r, d)));
            col.sort_by(f64::total_cmp);
            for upper_side in [true, false] {
                let q = if upper_side {
                    1.0 - opts.peel_alpha
                } else {
                    opts.peel_alpha
                };
                let cut = ema_quantile(&mut col, q);
                let kept: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&r| {
                        let v = data.at(r, d);
                        if upper_side { v <= cut } else { v >= cut }
                    })
                    .collect();
                let (mut lower, mut upper) = (cur.lower.clone(), cur.upper.clone());
                if upper_side {
                    upper[d] = cut;
                } else {
                    lower[d] = cut;
                }
                let obj = lenient1(cur.n, cur.k, kept.len(), data.count(&kept));
                let free = dims - t.restricted(&lower, &upper).len();
                let better = match &best {
                    None => true,
                    Some((o, f, ..)) => obj > *o || (obj == *o && free > *f),
                };
                if better {
                    best = Some((obj, free, kept, lower, upper));
                }
            }
        }
        let Some((obj, _, kept, lower, upper)) = best else {
            break;
        };
        let mass_new = kept.len() as f64 / n as f64;
        if mass_new >= opts.mass_min && mass_new < mass_old && obj > 0.0 {
            let kk = data.count(&kept);
            let b = t.make(lower, upper, kept.len(), kk, Phase::Peel);
            t.boxes.push(b);
            members = kept;
        } else {
            break;
        }
    }
    // Pasting.
    loop {
        let cur = t.boxes.last().expect("the initial box").clone();
        let res = t.restricted(&cur.lower, &cur.upper);
        if res.is_empty() {
            break;
        }
        let mass_old = members.len() as f64 / n as f64;
        let mut best: Option<Candidate> = None;
        for &d in &res {
            for upper_side in [false, true] {
                let (mut pl, mut pu) = (cur.lower.clone(), cur.upper.clone());
                if upper_side {
                    pl[d] = cur.upper[d];
                    pu[d] = t.init_upper[d];
                } else {
                    pl[d] = t.init_lower[d];
                    pu[d] = cur.lower[d];
                }
                col.clear();
                col.extend(data.inside(&pl, &pu, &res).iter().map(|&r| data.at(r, d)));
                let (mut lower, mut upper) = (cur.lower.clone(), cur.upper.clone());
                if upper_side {
                    upper[d] = if col.is_empty() {
                        t.init_upper[d]
                    } else {
                        ema_quantile(&mut col, opts.paste_alpha)
                    };
                } else {
                    lower[d] = if col.is_empty() {
                        t.init_lower[d]
                    } else {
                        ema_quantile(&mut col, 1.0 - opts.paste_alpha)
                    };
                }
                let kept = data.inside(&lower, &upper, &res);
                let obj = lenient1(cur.n, cur.k, kept.len(), data.count(&kept));
                let free = dims - t.restricted(&lower, &upper).len();
                let better = match &best {
                    None => true,
                    Some((o, f, ..)) => obj > *o || (obj == *o && free > *f),
                };
                if better {
                    best = Some((obj, free, kept, lower, upper));
                }
            }
        }
        let Some((obj, _, kept, lower, upper)) = best else {
            break;
        };
        let mass_new = kept.len() as f64 / n as f64;
        let kk = data.count(&kept);
        let mean_old = cur.k as f64 / cur.n as f64;
        let mean_new = kk as f64 / kept.len().max(1) as f64;
        if mass_new >= opts.mass_min && mass_new > mass_old && obj > 0.0 && mean_new > mean_old {
            let b = t.make(lower, upper, kept.len(), kk, Phase::Paste);
            t.boxes.push(b);
            members = kept;
        } else {
            break;
        }
    }
    Some(t)
}

/// Quasi-p-values of box `i`'s restricted limits: for each restricted dimension, (lower, upper)
/// with `None` for a side left at the initial limit. Each is the chance of k or more cases of
/// interest among the box's n points if they were drawn at the density of the box with that
/// one limit removed (Bryant and Lempert 2010; EMA's `calculate_qp`).
pub fn quasi_p(data: &Data, t: &Trajectory, i: usize) -> Vec<(usize, Option<f64>, Option<f64>)> {
    let b = &t.boxes[i];
    let res = t.restricted(&b.lower, &b.upper);
    let test = |lower: &[f64], upper: &[f64]| {
        let rows = data.inside(lower, upper, &res);
        let p = data.count(&rows) as f64 / rows.len() as f64;
        binomial_upper_tail(b.k as u64, b.n as u64, p)
    };
    res.iter()
        .map(|&d| {
            let lo = (b.lower[d] != t.init_lower[d]).then(|| {
                let mut l = b.lower.clone();
                l[d] = t.init_lower[d];
                test(&l, &b.upper)
            });
            let hi = (b.upper[d] != t.init_upper[d]).then(|| {
                let mut u = b.upper.clone();
                u[d] = t.init_upper[d];
                test(&b.lower, &u)
            });
            (d, lo, hi)
        })
        .collect()
}

/// Lifts, one at a time, the restriction of box `i` whose limits are least significant (every
/// restricted limit's quasi-p-value above `max_qp`), recomputing the quasi-p-values after each,
/// until every restricted dimension has a significant limit. Appends the result to the
/// trajectory and returns its index; returns `i` if nothing was lifted.
pub fn prune(data: &Data, t: &mut Trajectory, i: usize, max_qp: f64) -> usize {
    let mut lower = t.boxes[i].lower.clone();
    let mut upper = t.boxes[i].upper.clone();
    let mut cur = t.boxes[i].clone();
    let mut changed = false;
    loop {
        // Quasi-p-values of the current box, computed as for a box on the trajectory.
        t.boxes.push(cur.clone());
        let last = t.boxes.len() - 1;
        let qp = quasi_p(data, t, last);
        t.boxes.pop();
        let worst = qp
            .iter()
            .filter_map(|&(d, lo, hi)| {
                let best = lo.unwrap_or(f64::INFINITY).min(hi.unwrap_or(f64::INFINITY));
                (best > max_qp).then_some((d, best))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((d, _)) = worst else { break };
        lower[d] = t.init_lower[d];
        upper[d] = t.init_upper[d];
        let res = t.restricted(&lower, &upper);
        let rows = data.inside(&lower, &upper, &res);
        let k = data.count(&rows);
        cur = t.make(lower.clone(), upper.clone(), rows.len(), k, Phase::Prune);
        changed = true;
    }
    if !changed {
        return i;
    }
    t.boxes.push(cur);
    t.boxes.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_quantile_moves_past_ties() {
        let mut v = vec![1.0, 2.0, 2.0, 2.0, 5.0];
        // (5 − 1) × 0.05 = 0.2 → indices 0 and 1: (1 + 2) / 2.
        assert_eq!(ema_quantile(&mut v, 0.05), 1.5);
        // 0.95 → 3.8 → indices 3 and 4: (2 + 5) / 2.
        assert_eq!(ema_quantile(&mut v, 0.95), 3.5);
        let mut w = vec![2.0, 2.0, 2.0, 7.0];
        // 0.15 → indices 0, 1 tie → move up to 3.
        assert_eq!(ema_quantile(&mut w, 0.05), 4.5);
    }

    #[test]
    fn prim_finds_a_planted_box() {
        // Cases of interest: x0 < 0.3 and x1 > 0.6, on a grid.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            for j in 0..40 {
                let (a, b) = (i as f64 / 39.0, j as f64 / 39.0);
                x.extend_from_slice(&[a, b, ((i * 7 + j * 13) % 40) as f64 / 39.0]);
                y.push(a < 0.3 && b > 0.6);
            }
        }
        let data = Data {
            x: &x,
            dims: 3,
            y: &y,
        };
        let t = prim(&data, Options::default()).unwrap();
        let last = t.boxes.last().unwrap();
        assert_eq!(last.density, 1.0);
        assert!(last.upper[0] < 0.31 && last.lower[1] > 0.59);
        assert_eq!((last.lower[2], last.upper[2]), (0.0, 1.0));
        let c = t.choose(0.5);
        assert!(t.boxes[c].coverage >= 0.5);
        let qp = quasi_p(&data, &t, t.boxes.len() - 1);
        assert_eq!(qp.len(), last.res_dim);
        assert!(qp.iter().all(|(_, lo, hi)| lo.or(*hi).unwrap() < 1e-6));
        // Nothing to prune in a box whose limits all matter.
        let mut t2 = t.clone();
        let n = t2.boxes.len();
        assert_eq!(prune(&data, &mut t2, n - 1, 0.05), n - 1);
    }

    #[test]
    fn pruning_lifts_limits_that_do_not_matter() {
        // Yes where x0 < 0.3; x1 is noise. Peeling to a small box restricts x1 too.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            for j in 0..60 {
                let (a, b) = (i as f64 / 59.0, ((j * 37) % 60) as f64 / 59.0);
                x.extend_from_slice(&[a, b]);
                y.push(a < 0.3 && (i + j) % 3 != 0);
            }
        }
        let data = Data {
            x: &x,
            dims: 2,
            y: &y,
        };
        let mut t = prim(&data, Options::default()).unwrap();
        let last = t.boxes.len() - 1;
        let p = prune(&data, &mut t, last, 0.05);
        let b = &t.boxes[p];
        assert!(b.upper[0] < 0.31, "{b:?}");
        assert_eq!((b.lower[1], b.upper[1]), (t.init_lower[1], t.init_upper[1]));
    }
}
