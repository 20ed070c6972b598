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
//!
//! **How it is computed.** Each dimension's points are sorted once ([`Order`], shared by every
//! question asked of the same points); a peel keeps, per dimension, the box's points in that
//! order (filtering a sorted list keeps it sorted), so the quantiles are read without sorting
//! and each candidate's points are counted, not collected. Pasting and the quasi-p-values count
//! how many restricted limits each point violates: the points a box changed on one dimension
//! holds are those that violate no other restricted limit. The boxes are the ones the plain
//! algorithm (sort, filter, scan every point per candidate) gives, bit for bit; a test checks
//! them against it.

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
    /// Points and cases of interest inside `lower..=upper` on the dimensions `dims`.
    fn count_inside(&self, lower: &[f64], upper: &[f64], dims: &[usize]) -> (usize, usize) {
        let (mut n, mut k) = (0, 0);
        for (r, &y) in self.y.iter().enumerate() {
            let x = &self.x[r * self.dims..(r + 1) * self.dims];
            if dims.iter().all(|&d| lower[d] <= x[d] && x[d] <= upper[d]) {
                n += 1;
                k += y as usize;
            }
        }
        (n, k)
    }
    /// For each point, how many of the limits `lower..=upper` on the dimensions `dims` it
    /// violates (into `out`).
    fn violations(&self, lower: &[f64], upper: &[f64], dims: &[usize], out: &mut Vec<u32>) {
        out.clear();
        out.resize(self.n(), 0);
        for &d in dims {
            let (lo, up) = (lower[d], upper[d]);
            for (o, x) in out.iter_mut().zip(self.x[d..].iter().step_by(self.dims)) {
                *o += !(lo <= *x && *x <= up) as u32;
            }
        }
    }
}

/// Each dimension's points in increasing order of value ([`f64::total_cmp`], ties in point
/// order): what sorting the values of any subset of the points gives, read by filtering.
/// The same for every question asked of the same points, so it can be made once for them.
pub struct Order {
    n: usize,
    /// Whether any value is NaN (then a peel's points are counted one by one).
    nan: bool,
    /// `[d * n + i]`: the point at place `i` of dimension `d`.
    rows: Vec<u32>,
}

impl Order {
    /// The order of the `n × dims` points `x` (row-major).
    pub fn new(x: &[f64], dims: usize) -> Order {
        let n = x.len().checked_div(dims).unwrap_or(0);
        assert!(n <= u32::MAX as usize, "too many points for PRIM");
        let mut keyed: Vec<(i64, u32)> = Vec::with_capacity(n);
        let mut rows = Vec::with_capacity(n * dims);
        for d in 0..dims {
            keyed.clear();
            keyed.extend((0..n).map(|r| (total_key(x[r * dims + d]), r as u32)));
            // Keys order as `total_cmp` does and the point breaks ties: an unstable sort
            // of distinct pairs is the stable sort by value.
            keyed.sort_unstable();
            rows.extend(keyed.iter().map(|&(_, r)| r));
        }
        Order {
            n,
            nan: x.iter().any(|v| v.is_nan()),
            rows,
        }
    }

    fn dim(&self, d: usize) -> &[u32] {
        &self.rows[d * self.n..(d + 1) * self.n]
    }
}

/// An integer that orders as [`f64::total_cmp`] orders the values.
fn total_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// EMA Workbench's `get_quantile` (after sdtoolkit): the midpoint between the order statistics
/// around the quantile, moved outward past ties.
pub fn ema_quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    sorted_quantile(values.len(), q, |i| values[i])
}

/// [`ema_quantile`] of `len` values already in order, the `i`-th being `at(i)`.
#[inline]
fn sorted_quantile(len: usize, q: f64, at: impl Fn(usize) -> f64) -> f64 {
    let i = (len - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while at(lo) == at(hi) && lo > 0 {
            lo -= 1;
        }
    } else {
        while at(lo) == at(hi) && hi < len - 1 {
            hi += 1;
        }
    }
    (at(lo) + at(hi)) / 2.0
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
            .filter(|&d| self.is_restricted(d, lower[d], upper[d]))
            .collect()
    }

    #[inline]
    fn is_restricted(&self, d: usize, lower: f64, upper: f64) -> bool {
        lower != self.init_lower[d] || upper != self.init_upper[d]
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

/// A point beside a box: its value on the dimension pasted, whether it is a case of interest.
#[derive(Clone, Copy)]
struct Pt {
    v: f64,
    yes: u32,
}

/// The best candidate box so far: one limit of the current box moved.
#[derive(Clone, Copy)]
struct Candidate {
    obj: f64,
    /// Unrestricted dimensions of the candidate.
    free: usize,
    d: usize,
    upper_side: bool,
    limit: f64,
    n: usize,
    k: usize,
}

impl Candidate {
    /// EMA's choice: the higher objective, then the more unrestricted dimensions, then the
    /// first found.
    fn offer(best: &mut Option<Candidate>, c: Candidate) {
        let better = match best {
            None => true,
            Some(b) => c.obj > b.obj || (c.obj == b.obj && c.free > b.free),
        };
        if better {
            *best = Some(c);
        }
    }

    /// The box's limits with this candidate's applied.
    fn limits(&self, cur: &Box_) -> (Vec<f64>, Vec<f64>) {
        let (mut lower, mut upper) = (cur.lower.clone(), cur.upper.clone());
        if self.upper_side {
            upper[self.d] = self.limit;
        } else {
            lower[self.d] = self.limit;
        }
        (lower, upper)
    }
}

/// Runs PRIM's peeling and pasting once on all the data. `None` if there are no points.
pub fn prim(data: &Data, opts: Options) -> Option<Trajectory> {
    let order = Order::new(&data.x[..data.n() * data.dims], data.dims);
    prim_ordered(data, &order, opts)
}

/// [`prim`] with the points' [`Order`] made beforehand (`Order::new(data.x, data.dims)`).
pub fn prim_ordered(data: &Data, order: &Order, opts: Options) -> Option<Trajectory> {
    let (n, dims) = (data.n(), data.dims);
    if n == 0 {
        return None;
    }
    assert_eq!(order.n * dims, order.rows.len());
    assert!(dims == 0 || order.n == n, "PRIM's order is of other points");
    let mut init_lower = vec![f64::INFINITY; dims];
    let mut init_upper = vec![f64::NEG_INFINITY; dims];
    for r in 0..n {
        for d in 0..dims {
            init_lower[d] = init_lower[d].min(data.at(r, d));
            init_upper[d] = init_upper[d].max(data.at(r, d));
        }
    }
    let k = data.y.iter().filter(|&&y| y).count();
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
    peel(data, order, opts, &mut t);
    paste(data, order, opts, &mut t);
    Some(t)
}

/// Peeling: each dimension's list holds the current box's points in that dimension's order.
fn peel(data: &Data, order: &Order, opts: Options, t: &mut Trajectory) {
    let (n, dims) = (data.n(), data.dims);
    // Column by column, and each dimension's list of the box's points (rows) in its order.
    let cols: Vec<Vec<f64>> = (0..dims)
        .map(|d| data.x[d..].iter().step_by(dims).take(n).copied().collect())
        .collect();
    let mut lists: Vec<Vec<u32>> = (0..dims).map(|d| order.dim(d).to_vec()).collect();
    let yes = |r: u32| data.y[r as usize] as usize;
    let mut keep = vec![true; n];
    let (q_up, q_lo) = (1.0 - opts.peel_alpha, opts.peel_alpha);
    loop {
        let cur = t.boxes.last().expect("the initial box");
        let res_now = cur.res_dim;
        let mass_old = cur.n as f64 / n as f64;
        let mut best: Option<Candidate> = None;
        for (d, (list, col)) in lists.iter().zip(&cols).enumerate() {
            let len = list.len();
            let v = |r: u32| col[r as usize];
            let cut_up = sorted_quantile(len, q_up, |i| v(list[i]));
            let cut_lo = sorted_quantile(len, q_lo, |i| v(list[i]));
            let ((n_up, k_up), (n_lo, k_lo)) = if order.nan {
                let (mut n_up, mut k_up, mut n_lo, mut k_lo) = (0, 0, 0, 0);
                for &r in list {
                    let (up, lo) = ((v(r) <= cut_up) as usize, (v(r) >= cut_lo) as usize);
                    n_up += up;
                    k_up += up & yes(r);
                    n_lo += lo;
                    k_lo += lo & yes(r);
                }
                ((n_up, k_up), (n_lo, k_lo))
            } else {
                // Without NaN, the points at or below a cut are a prefix of the order and
                // those at or above it a suffix: count the few that go.
                let tail = |rows: &mut dyn Iterator<Item = &u32>, kept: &dyn Fn(f64) -> bool| {
                    let (mut n, mut k) = (0, 0);
                    for &r in rows {
                        if kept(v(r)) {
                            break;
                        }
                        n += 1;
                        k += yes(r);
                    }
                    (n, k)
                };
                let gone_up = tail(&mut list.iter().rev(), &|x| x <= cut_up);
                let gone_lo = tail(&mut list.iter(), &|x| x >= cut_lo);
                (
                    (len - gone_up.0, cur.k - gone_up.1),
                    (len - gone_lo.0, cur.k - gone_lo.1),
                )
            };
            let was = t.is_restricted(d, cur.lower[d], cur.upper[d]) as usize;
            for (upper_side, cut, nk, kk) in
                [(true, cut_up, n_up, k_up), (false, cut_lo, n_lo, k_lo)]
            {
                let now = if upper_side {
                    t.is_restricted(d, cur.lower[d], cut)
                } else {
                    t.is_restricted(d, cut, cur.upper[d])
                };
                Candidate::offer(
                    &mut best,
                    Candidate {
                        obj: lenient1(cur.n, cur.k, nk, kk),
                        free: dims - (res_now - was + now as usize),
                        d,
                        upper_side,
                        limit: cut,
                        n: nk,
                        k: kk,
                    },
                );
            }
        }
        let Some(c) = best else {
            break;
        };
        let mass_new = c.n as f64 / n as f64;
        if !(mass_new >= opts.mass_min && mass_new < mass_old && c.obj > 0.0) {
            break;
        }
        let (lower, upper) = c.limits(cur);
        let b = t.make(lower, upper, c.n, c.k, Phase::Peel);
        t.boxes.push(b);
        let col = &cols[c.d];
        for &r in &lists[c.d] {
            let x = col[r as usize];
            keep[r as usize] = if c.upper_side {
                x <= c.limit
            } else {
                x >= c.limit
            };
        }
        for list in &mut lists {
            // Keep the points still in the box, in order.
            let mut w = 0;
            for i in 0..list.len() {
                let r = list[i];
                list[w] = r;
                w += keep[r as usize] as usize;
            }
            list.truncate(w);
        }
    }
}

/// Pasting: the points a box changed on dimension `d` holds are those that violate no
/// restricted limit but perhaps `d`'s, taken in `d`'s order.
fn paste(data: &Data, order: &Order, opts: Options, t: &mut Trajectory) {
    let n = data.n();
    let mut viol = Vec::with_capacity(n);
    let mut beside: Vec<Pt> = Vec::with_capacity(n);
    let mut col: Vec<f64> = Vec::with_capacity(n);
    loop {
        let cur = t.boxes.last().expect("the initial box");
        let res = t.restricted(&cur.lower, &cur.upper);
        if res.is_empty() {
            break;
        }
        let mass_old = cur.n as f64 / n as f64;
        data.violations(&cur.lower, &cur.upper, &res, &mut viol);
        let mut best: Option<Candidate> = None;
        for &d in &res {
            let (lo, up) = (cur.lower[d], cur.upper[d]);
            beside.clear();
            beside.extend(order.dim(d).iter().filter_map(|&r| {
                let v = data.at(r as usize, d);
                let out = !(lo <= v && v <= up);
                (viol[r as usize] == out as u32).then_some(Pt {
                    v,
                    yes: data.y[r as usize] as u32,
                })
            }));
            for upper_side in [false, true] {
                let (pl, pu) = if upper_side {
                    (up, t.init_upper[d])
                } else {
                    (t.init_lower[d], lo)
                };
                col.clear();
                col.extend(
                    beside
                        .iter()
                        .filter(|p| pl <= p.v && p.v <= pu)
                        .map(|p| p.v),
                );
                let limit = match (col.is_empty(), upper_side) {
                    (true, true) => t.init_upper[d],
                    (true, false) => t.init_lower[d],
                    (false, true) => sorted_quantile(col.len(), opts.paste_alpha, |i| col[i]),
                    (false, false) => {
                        sorted_quantile(col.len(), 1.0 - opts.paste_alpha, |i| col[i])
                    }
                };
                let (nl, nu) = if upper_side { (lo, limit) } else { (limit, up) };
                let (mut nk, mut kk) = (0, 0);
                for p in &beside {
                    let inside = (nl <= p.v && p.v <= nu) as usize;
                    nk += inside;
                    kk += inside & p.yes as usize;
                }
                let now = t.is_restricted(d, nl, nu) as usize;
                Candidate::offer(
                    &mut best,
                    Candidate {
                        obj: lenient1(cur.n, cur.k, nk, kk),
                        free: t.dims - (res.len() - 1 + now),
                        d,
                        upper_side,
                        limit,
                        n: nk,
                        k: kk,
                    },
                );
            }
        }
        let Some(c) = best else {
            break;
        };
        let mass_new = c.n as f64 / n as f64;
        let mean_old = cur.k as f64 / cur.n as f64;
        let mean_new = c.k as f64 / c.n.max(1) as f64;
        if !(mass_new >= opts.mass_min && mass_new > mass_old && c.obj > 0.0 && mean_new > mean_old)
        {
            break;
        }
        let (lower, upper) = c.limits(cur);
        let b = t.make(lower, upper, c.n, c.k, Phase::Paste);
        t.boxes.push(b);
    }
}

/// Quasi-p-values of box `i`'s restricted limits: for each restricted dimension, (lower, upper)
/// with `None` for a side left at the initial limit. Each is the chance of k or more cases of
/// interest among the box's n points if they were drawn at the density of the box with that
/// one limit removed (Bryant and Lempert 2010; EMA's `calculate_qp`).
pub fn quasi_p(data: &Data, t: &Trajectory, i: usize) -> Vec<(usize, Option<f64>, Option<f64>)> {
    let b = &t.boxes[i];
    let res = t.restricted(&b.lower, &b.upper);
    let mut viol = Vec::new();
    data.violations(&b.lower, &b.upper, &res, &mut viol);
    let test = |(n, k): (usize, usize)| {
        let p = k as f64 / n as f64;
        binomial_upper_tail(b.k as u64, b.n as u64, p)
    };
    res.iter()
        .map(|&d| {
            let (lo, up) = (b.lower[d], b.upper[d]);
            let (init_lo, init_up) = (t.init_lower[d], t.init_upper[d]);
            // Points inside with the lower limit lifted, and with the upper one lifted.
            let (mut free_lo, mut free_up) = ((0, 0), (0, 0));
            let col = data.x[d..].iter().step_by(data.dims);
            for ((&v, &y), &w) in col.zip(data.y).zip(&viol) {
                // No other restricted limit violated.
                let others = (w == !(lo <= v && v <= up) as u32) as usize;
                let a = others & (init_lo <= v && v <= up) as usize;
                let b = others & (lo <= v && v <= init_up) as usize;
                free_lo.0 += a;
                free_lo.1 += a & y as usize;
                free_up.0 += b;
                free_up.1 += b & y as usize;
            }
            let lo_p = (lo != init_lo).then(|| test(free_lo));
            let hi_p = (up != init_up).then(|| test(free_up));
            (d, lo_p, hi_p)
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
        let (rows, k) = data.count_inside(&lower, &upper, &res);
        cur = t.make(lower.clone(), upper.clone(), rows, k, Phase::Prune);
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
    use crate::kernel::rng::{Purpose, below, stream, unit};

    /// The plain algorithm, step for step as EMA Workbench writes it (the former code): every
    /// candidate sorts its values and collects its points. The fast one must give its boxes.
    mod reference {
        use super::super::*;

        fn inside(data: &Data, lower: &[f64], upper: &[f64], dims: &[usize]) -> Vec<usize> {
            (0..data.n())
                .filter(|&r| {
                    dims.iter()
                        .all(|&d| lower[d] <= data.at(r, d) && data.at(r, d) <= upper[d])
                })
                .collect()
        }

        fn count(data: &Data, rows: &[usize]) -> usize {
            rows.iter().filter(|&&r| data.y[r]).count()
        }

        type Candidate = (f64, usize, Vec<usize>, Vec<f64>, Vec<f64>);

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
            let k = count(data, &all);
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
            loop {
                let cur = t.boxes.last().unwrap().clone();
                let mass_old = members.len() as f64 / n as f64;
                let mut best: Option<Candidate> = None;
                for d in 0..dims {
                    for upper_side in [true, false] {
                        col.clear();
                        col.extend(members.iter().map(|&r| data.at(r, d)));
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
                        let obj = lenient1(cur.n, cur.k, kept.len(), count(data, &kept));
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
                    let kk = count(data, &kept);
                    let b = t.make(lower, upper, kept.len(), kk, Phase::Peel);
                    t.boxes.push(b);
                    members = kept;
                } else {
                    break;
                }
            }
            loop {
                let cur = t.boxes.last().unwrap().clone();
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
                        col.extend(inside(data, &pl, &pu, &res).iter().map(|&r| data.at(r, d)));
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
                        let kept = inside(data, &lower, &upper, &res);
                        let obj = lenient1(cur.n, cur.k, kept.len(), count(data, &kept));
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
                let kk = count(data, &kept);
                let mean_old = cur.k as f64 / cur.n as f64;
                let mean_new = kk as f64 / kept.len().max(1) as f64;
                if mass_new >= opts.mass_min
                    && mass_new > mass_old
                    && obj > 0.0
                    && mean_new > mean_old
                {
                    let b = t.make(lower, upper, kept.len(), kk, Phase::Paste);
                    t.boxes.push(b);
                    members = kept;
                } else {
                    break;
                }
            }
            Some(t)
        }

        pub fn quasi_p(
            data: &Data,
            t: &Trajectory,
            i: usize,
        ) -> Vec<(usize, Option<f64>, Option<f64>)> {
            let b = &t.boxes[i];
            let res = t.restricted(&b.lower, &b.upper);
            let test = |lower: &[f64], upper: &[f64]| {
                let rows = inside(data, lower, upper, &res);
                let p = count(data, &rows) as f64 / rows.len() as f64;
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

        pub fn prune(data: &Data, t: &mut Trajectory, i: usize, max_qp: f64) -> usize {
            let mut lower = t.boxes[i].lower.clone();
            let mut upper = t.boxes[i].upper.clone();
            let mut cur = t.boxes[i].clone();
            let mut changed = false;
            loop {
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
                let rows = inside(data, &lower, &upper, &res);
                let k = count(data, &rows);
                cur = t.make(lower.clone(), upper.clone(), rows.len(), k, Phase::Prune);
                changed = true;
            }
            if !changed {
                return i;
            }
            t.boxes.push(cur);
            t.boxes.len() - 1
        }
    }

    /// Random points on a coarse grid (many ties, some −0.0 beside 0.0) or spread, with cases
    /// of interest denser in a corner.
    fn random_data(case: u64, n: usize, dims: usize) -> (Vec<f64>, Vec<bool>) {
        let mut rng = stream(7, Purpose::Resample, case);
        let levels = 1 + below(&mut rng, 12);
        let mut x = Vec::with_capacity(n * dims);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let mut score = 0.0;
            for d in 0..dims {
                let v = if levels > 8 {
                    unit(&mut rng)
                } else {
                    let v = below(&mut rng, levels) as f64 - 2.0;
                    if v == 0.0 && below(&mut rng, 2) == 0 {
                        -0.0
                    } else {
                        v
                    }
                };
                if d < 2 {
                    score += v;
                }
                // Some cases have missing values (NaN of either sign): counted one by one.
                let v = match (case % 5 == 4, below(&mut rng, 40)) {
                    (true, 0) => f64::NAN,
                    (true, 1) => -f64::NAN,
                    _ => v,
                };
                x.push(v);
            }
            let p = if score > 1.0 { 0.7 } else { 0.15 };
            y.push(unit(&mut rng) < p);
        }
        (x, y)
    }

    #[test]
    fn the_fast_algorithm_gives_the_plain_ones_boxes() {
        let opts = [
            Options::default(),
            Options {
                peel_alpha: 0.1,
                paste_alpha: 0.2,
                mass_min: 0.02,
            },
            Options {
                peel_alpha: 0.3,
                paste_alpha: 0.05,
                mass_min: 0.1,
            },
        ];
        // How many pasted boxes and lifted restrictions the cases went through.
        let (mut pasted, mut lifted) = (0, 0);
        for case in 0..90u64 {
            let n = [1, 2, 5, 40, 300, 1200][case as usize % 6];
            let dims = 1 + (case as usize / 6) % 5;
            let (x, y) = random_data(case, n, dims);
            let data = Data { x: &x, dims, y: &y };
            let o = opts[case as usize % 3];
            let fast = prim(&data, o).unwrap();
            let slow = reference::prim(&data, o).unwrap();
            // Field for field, bit for bit (NaN coverage when no case is of interest).
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "case {case}");
            for i in 0..fast.boxes.len() {
                assert_eq!(
                    format!("{:?}", quasi_p(&data, &fast, i)),
                    format!("{:?}", reference::quasi_p(&data, &slow, i)),
                    "case {case} box {i}"
                );
            }
            for (min_coverage, max_qp) in [(0.3, 0.05), (0.1, 1e-4)] {
                let (mut f, mut s) = (fast.clone(), slow.clone());
                let chosen = f.choose(min_coverage);
                let pf = prune(&data, &mut f, chosen, max_qp);
                let ps = reference::prune(&data, &mut s, chosen, max_qp);
                assert_eq!(pf, ps, "case {case}");
                assert_eq!(format!("{f:?}"), format!("{s:?}"), "case {case}");
                lifted += (pf != chosen) as usize;
            }
            pasted += fast
                .boxes
                .iter()
                .filter(|b| b.phase == Phase::Paste)
                .count();
        }
        assert!(pasted > 5 && lifted > 5, "{pasted} pasted, {lifted} lifted");
    }

    #[test]
    fn the_points_order_is_the_stable_sort_by_value() {
        let x = [0.5, -0.0, f64::NAN, 0.0, -1.0, 0.5, f64::INFINITY, -0.0];
        let o = Order::new(&x, 1);
        let mut want: Vec<u32> = (0..x.len() as u32).collect();
        want.sort_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]));
        assert_eq!(o.dim(0), &want[..]);
        assert_eq!(want, [4, 1, 7, 3, 0, 5, 6, 2]);
    }

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
