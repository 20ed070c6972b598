//! How many columns and rows of panels a chart gets: the grid of a chart with one panel per
//! outcome (boxes, differences) and of one with one panel per option over time (fan, timing).
//!
//! Shared by several kinds of chart, so it lives below them rather than in one of them.

/// Columns and rows of a grid of `k` panels in `area`: the usual grid (2 × 2 for four,
/// 3 × 2 for six) unless a panel's plot would be narrower than `min_w` or shorter than `min_h`
/// (large type), in which case the grid that keeps plots largest relative to those minima.
/// `overhead_h` is the height a panel needs beside its plot (title, axis labels).
pub fn panel_grid(
    k: usize,
    area: (i32, i32),
    gaps: (i32, i32),
    overhead_h: i32,
    min: (i32, i32),
) -> (usize, usize) {
    let usual: usize = match k {
        0 | 1 => 1,
        2..=4 => 2,
        _ => 3,
    };
    let score = |cols: usize| {
        let rows = k.div_ceil(cols) as i32;
        let pw = (area.0 - gaps.0 * (cols as i32 - 1)) / cols as i32;
        let ph = (area.1 - gaps.1 * (rows - 1)) / rows - overhead_h;
        (pw as f64 / min.0.max(1) as f64).min(ph as f64 / min.1.max(1) as f64)
    };
    let mut best = (usual, score(usual));
    if best.1 < 1.0 {
        for cols in 1..=k.clamp(1, 4) {
            let s = score(cols);
            if s > best.1 + 1e-9 {
                best = (cols, s);
            }
        }
    }
    (best.0, k.div_ceil(best.0))
}

/// Columns and rows of a grid of `k` time panels.
pub fn time_grid(k: usize) -> (usize, usize) {
    let cols = match k {
        0..=3 => k.max(1),
        4 => 2,
        5..=8 => k.div_ceil(2),
        _ => k.div_ceil(3),
    };
    (cols, k.div_ceil(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_take_the_usual_grid_unless_type_is_large() {
        let area = (1500, 700);
        assert_eq!(panel_grid(4, area, (40, 40), 100, (300, 150)), (2, 2));
        assert_eq!(panel_grid(6, area, (40, 40), 100, (300, 150)), (3, 2));
        assert_eq!(panel_grid(1, area, (40, 40), 100, (300, 150)), (1, 1));
        // Plots would be too short in two rows: one row of four.
        assert_eq!(panel_grid(4, area, (40, 40), 250, (200, 250)), (4, 1));
    }

    #[test]
    fn time_panels_fill_rows_evenly() {
        assert_eq!(time_grid(1), (1, 1));
        assert_eq!(time_grid(3), (3, 1));
        assert_eq!(time_grid(4), (2, 2));
        assert_eq!(time_grid(6), (3, 2));
        assert_eq!(time_grid(9), (3, 3));
    }
}
