//! Experimental designs on the unit cube: Latin hypercube, Saltelli's Sobol' scheme, Morris
//! trajectories and the full factorial.
//!
//! A design is a table of points with one coordinate in [0, 1] per dimension and a role per
//! point (which Saltelli matrix, which Morris step). It knows nothing of parameters: the caller
//! maps each coordinate through a parameter's quantile function. Random choices (the Sobol'
//! shift, the hypercube's permutations and jitter, Morris's starting points, directions and
//! orders) come from the design stream of the seed, so a design is a function of (kind, size,
//! seed) alone. Points are stored whole: a design is small beside what its points produce.

use crate::kernel::rng::{Purpose, below, stream, unit};

use super::sobol::{MAX_DIMS, Sobol};

/// The kinds of design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Latin hypercube: `points` strata per dimension, each used once.
    Lhs,
    /// Saltelli's scheme on a Sobol' sequence, for Sobol' indices.
    Sobol,
    /// Morris's elementary-effects trajectories.
    Morris,
    /// Every combination of `levels` levels per dimension.
    Factorial,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Lhs => "lhs",
            Kind::Sobol => "sobol",
            Kind::Morris => "morris",
            Kind::Factorial => "factorial",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Lhs, Kind::Sobol, Kind::Morris, Kind::Factorial]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// What a point is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A point of a Latin hypercube or a factorial.
    Sample,
    /// Saltelli's matrix A (row `group`).
    A,
    /// Saltelli's matrix B.
    B,
    /// A with column `i` from B.
    AB(usize),
    /// B with column `i` from A (second-order indices only).
    BA(usize),
    /// The first point of a Morris trajectory.
    Start,
    /// A Morris step that moved dimension `i` by ±Δ from the point before.
    Step(usize),
}

impl Role {
    /// As written in `design.csv`, with dimension names.
    pub fn label(&self, names: &[String]) -> String {
        let n = |i: &usize| names.get(*i).cloned().unwrap_or_else(|| i.to_string());
        match self {
            Role::Sample => "sample".into(),
            Role::A => "A".into(),
            Role::B => "B".into(),
            Role::AB(i) => format!("AB:{}", n(i)),
            Role::BA(i) => format!("BA:{}", n(i)),
            Role::Start => "start".into(),
            Role::Step(i) => format!("step:{}", n(i)),
        }
    }
}

/// A design: `points × dims` coordinates in [0, 1], with the group (Saltelli base row, Morris
/// trajectory, or the point itself) and role of each point.
#[derive(Debug, Clone)]
pub struct Design {
    pub kind: Kind,
    pub dims: usize,
    pub u: Vec<f64>,
    pub group: Vec<u64>,
    pub role: Vec<Role>,
    /// Saltelli: base rows N; Morris: trajectories; others: points.
    pub base: usize,
    /// Morris and factorial: levels per dimension (0 otherwise).
    pub levels: usize,
    /// Saltelli with the BA matrices.
    pub second_order: bool,
}

impl Design {
    pub fn points(&self) -> usize {
        self.role.len()
    }

    pub fn point(&self, p: usize) -> &[f64] {
        &self.u[p * self.dims..(p + 1) * self.dims]
    }

    /// Points per Saltelli group (A, the AB matrices, the BA matrices, B).
    pub fn saltelli_width(dims: usize, second_order: bool) -> usize {
        if second_order { 2 * dims + 2 } else { dims + 2 }
    }

    /// Saltelli's scheme on `base` rows of a shifted Sobol' sequence in 2 × `dims` dimensions:
    /// per row j, the points A_j, AB_1j … AB_Dj, [BA_1j … BA_Dj,] B_j (the order SALib uses).
    pub fn saltelli(
        dims: usize,
        base: usize,
        second_order: bool,
        seed: u64,
    ) -> Result<Design, String> {
        if dims == 0 || 2 * dims > MAX_DIMS {
            return Err(format!(
                "a Sobol' design over {dims} parameters; allowed: 1 to {}",
                MAX_DIMS / 2
            ));
        }
        let sobol = Sobol::shifted(2 * dims, seed)?;
        let w = Design::saltelli_width(dims, second_order);
        let mut u = Vec::with_capacity(base * w * dims);
        let mut group = Vec::with_capacity(base * w);
        let mut role = Vec::with_capacity(base * w);
        let mut ab = vec![0.0; 2 * dims];
        for j in 0..base {
            sobol.unit(j as u64, &mut ab);
            let (a, b) = ab.split_at(dims);
            let mut push = |r: Role, x: &dyn Fn(usize) -> f64| {
                for i in 0..dims {
                    u.push(x(i));
                }
                group.push(j as u64);
                role.push(r);
            };
            push(Role::A, &|i| a[i]);
            for k in 0..dims {
                push(Role::AB(k), &|i| if i == k { b[i] } else { a[i] });
            }
            if second_order {
                for k in 0..dims {
                    push(Role::BA(k), &|i| if i == k { a[i] } else { b[i] });
                }
            }
            push(Role::B, &|i| b[i]);
        }
        Ok(Design {
            kind: Kind::Sobol,
            dims,
            u,
            group,
            role,
            base,
            levels: 0,
            second_order,
        })
    }

    /// A Latin hypercube of `n` points: in each dimension a random permutation of the n strata,
    /// a uniform position inside each.
    pub fn lhs(dims: usize, n: usize, seed: u64) -> Design {
        let mut rng = stream(seed, Purpose::Design, 0);
        let mut u = vec![0.0; n * dims];
        for d in 0..dims {
            let mut perm: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = below(&mut rng, i as u64 + 1) as usize;
                perm.swap(i, j);
            }
            for (p, &s) in perm.iter().enumerate() {
                u[p * dims + d] = (s as f64 + unit(&mut rng)) / n as f64;
            }
        }
        Design {
            kind: Kind::Lhs,
            dims,
            u,
            group: (0..n as u64).collect(),
            role: vec![Role::Sample; n],
            base: n,
            levels: 0,
            second_order: false,
        }
    }

    /// `r` Morris trajectories on a grid of `p` levels (p even), Δ = p / (2(p − 1)).
    /// Trajectory t (from its own design stream) starts at a random grid point, then moves each
    /// dimension once, in a random order, by +Δ or −Δ.
    pub fn morris(dims: usize, r: usize, p: usize, seed: u64) -> Design {
        let delta = morris_delta(p);
        let mut u = Vec::with_capacity(r * (dims + 1) * dims);
        let mut group = Vec::with_capacity(r * (dims + 1));
        let mut role = Vec::with_capacity(r * (dims + 1));
        for t in 0..r {
            let mut rng = stream(seed, Purpose::Design, 1 + t as u64);
            // Base levels that leave room for +Δ: 0, 1/(p−1), …, 1 − Δ.
            let mut x: Vec<f64> = (0..dims)
                .map(|_| below(&mut rng, (p / 2) as u64) as f64 / (p - 1) as f64)
                .collect();
            let up: Vec<bool> = (0..dims).map(|_| below(&mut rng, 2) == 1).collect();
            let mut order: Vec<usize> = (0..dims).collect();
            for i in (1..dims).rev() {
                let j = below(&mut rng, i as u64 + 1) as usize;
                order.swap(i, j);
            }
            // Start at the low end of a dimension that moves up, at the high end otherwise.
            for i in 0..dims {
                if !up[i] {
                    x[i] += delta;
                }
            }
            u.extend_from_slice(&x);
            group.push(t as u64);
            role.push(Role::Start);
            for &i in &order {
                x[i] += if up[i] { delta } else { -delta };
                u.extend_from_slice(&x);
                group.push(t as u64);
                role.push(Role::Step(i));
            }
        }
        Design {
            kind: Kind::Morris,
            dims,
            u: u.into_iter().map(|v: f64| v.clamp(0.0, 1.0)).collect(),
            group,
            role,
            base: r,
            levels: p,
            second_order: false,
        }
    }

    /// Every combination of `levels` levels per dimension (k / (levels − 1), k = 0…levels − 1;
    /// the middle, 0.5, for one level), the last dimension varying fastest.
    pub fn factorial(dims: usize, levels: usize) -> Design {
        let n = levels.pow(dims as u32);
        let at = |k: usize| {
            if levels == 1 {
                0.5
            } else {
                k as f64 / (levels - 1) as f64
            }
        };
        let mut u = Vec::with_capacity(n * dims);
        for p in 0..n {
            let mut rest = p;
            let mut row = vec![0.0; dims];
            for d in (0..dims).rev() {
                row[d] = at(rest % levels);
                rest /= levels;
            }
            u.extend_from_slice(&row);
        }
        Design {
            kind: Kind::Factorial,
            dims,
            u,
            group: (0..n as u64).collect(),
            role: vec![Role::Sample; n],
            base: n,
            levels,
            second_order: false,
        }
    }
}

/// Morris's step on a grid of `p` levels: p / (2(p − 1)).
pub fn morris_delta(p: usize) -> f64 {
    p as f64 / (2.0 * (p as f64 - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saltelli_rows_share_columns_as_the_scheme_says() {
        let d = Design::saltelli(3, 8, true, 1).unwrap();
        assert_eq!(d.points(), 8 * 8);
        for j in 0..8 {
            let row = |k: usize| d.point(j * 8 + k).to_vec();
            let (a, b) = (row(0), row(7));
            assert_eq!(d.role[j * 8], Role::A);
            assert_eq!(d.role[j * 8 + 7], Role::B);
            for k in 0..3 {
                let ab = row(1 + k);
                let ba = row(4 + k);
                for i in 0..3 {
                    assert_eq!(ab[i], if i == k { b[i] } else { a[i] });
                    assert_eq!(ba[i], if i == k { a[i] } else { b[i] });
                }
            }
        }
        assert!(Design::saltelli(51, 8, false, 1).is_err());
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let d = Design::lhs(4, 50, 9);
        for dim in 0..4 {
            let mut cells: Vec<usize> =
                (0..50).map(|p| (d.point(p)[dim] * 50.0) as usize).collect();
            cells.sort_unstable();
            assert_eq!(cells, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn morris_steps_move_one_dimension_by_delta_on_the_grid() {
        let (dims, p) = (5, 4);
        let d = Design::morris(dims, 20, p, 3);
        let delta = morris_delta(p);
        assert_eq!(delta, 2.0 / 3.0);
        for t in 0..20 {
            let base = t * (dims + 1);
            let mut moved = vec![false; dims];
            for s in 1..=dims {
                let (a, b) = (d.point(base + s - 1), d.point(base + s));
                let Role::Step(i) = d.role[base + s] else {
                    panic!("not a step")
                };
                for k in 0..dims {
                    if k == i {
                        assert!(((b[k] - a[k]).abs() - delta).abs() < 1e-12);
                    } else {
                        assert_eq!(a[k], b[k]);
                    }
                }
                assert!(!moved[i]);
                moved[i] = true;
            }
            // Every coordinate is a level k/(p−1).
            for q in base..base + dims + 1 {
                for &x in d.point(q) {
                    let k = x * (p - 1) as f64;
                    assert!((k - k.round()).abs() < 1e-9 && (0.0..=1.0).contains(&x));
                }
            }
        }
    }

    #[test]
    fn factorial_lists_every_combination() {
        let d = Design::factorial(3, 3);
        assert_eq!(d.points(), 27);
        assert_eq!(d.point(0), &[0.0, 0.0, 0.0]);
        assert_eq!(d.point(1), &[0.0, 0.0, 0.5]);
        assert_eq!(d.point(26), &[1.0, 1.0, 1.0]);
    }
}
