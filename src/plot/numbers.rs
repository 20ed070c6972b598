//! Numbers as charts and the report show them to a reader: tick labels, annotations, table
//! cells and signed differences, with a typeset minus sign (−), no "−0", and percentages
//! written ×100 with "%" or "pp".
//!
//! One place for every displayed number, so that a value reads the same on a chart and in the
//! report's tables. Numbers written to CSV files are `crate::kernel::fmt`'s (they must read
//! back exactly; these are rounded for people).

/// `v` with `d` decimals (`percent`: ×100 with "%"), minus typeset, a value that rounds to
/// zero written without its sign ("0.00", never "−0.00").
pub fn fixed(v: f64, d: usize, percent: bool) -> String {
    let x = if percent { v * 100.0 } else { v };
    let s = format!("{:.*}", d, x);
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        format!("{:.*}", d, 0.0)
    } else {
        s.replace('-', "−")
    };
    if percent { format!("{s}%") } else { s }
}

/// As [`fixed`], with "–" for a missing value.
pub fn fixed_or_dash(v: Option<f64>, d: usize, percent: bool) -> String {
    match v {
        Some(v) => fixed(v, d, percent),
        None => "–".into(),
    }
}

/// A tick label with as many decimals as the step needs (`percent`: ×100 with "%").
pub fn fmt_tick(v: f64, step: f64, percent: bool) -> String {
    let step = if percent { step * 100.0 } else { step };
    let mut d = 0usize;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    fixed(v, d, percent)
}

/// A value for an annotation or a table cell: three significant figures, trailing zeros
/// dropped (`percent`: as a percentage).
pub fn fmt_value(v: f64, percent: bool) -> String {
    let x = if percent { v * 100.0 } else { v };
    let s = if x == 0.0 {
        "0".to_string()
    } else {
        let mag = x.abs().log10().floor() as i32;
        let d = (2 - mag).clamp(0, 6) as usize;
        let s = fixed(x, d, false);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if percent { format!("{s}%") } else { s }
}

/// A number as text `s` for the difference `v`: "+" when it is positive and shown as more
/// than zero, " pp" (percentage points) when `pp`.
fn with_sign(s: String, v: f64, pp: bool) -> String {
    let shown_zero = s.chars().all(|c| c == '0' || c == '.');
    let s = if v > 0.0 && !shown_zero {
        format!("+{s}")
    } else {
        s
    };
    if pp { format!("{s} pp") } else { s }
}

/// A signed difference for an annotation, three significant figures ("+0.043", "−2.1 pp").
pub fn fmt_diff(v: f64, pp: bool) -> String {
    let x = if pp { v * 100.0 } else { v };
    with_sign(fmt_value(x, false), v, pp)
}

/// A signed difference for a table column, `d` decimals ("+0.0430", "−2.10 pp").
pub fn signed(v: f64, d: usize, pp: bool) -> String {
    let x = if pp { v * 100.0 } else { v };
    with_sign(fixed(x, d, false), v, pp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_the_decimals_of_their_step() {
        assert_eq!(fmt_tick(0.30000000000000004, 0.1, false), "0.3");
        assert_eq!(fmt_tick(0.25, 0.25, true), "25%");
        assert_eq!(fmt_tick(-0.05, 0.025, false), "−0.050");
        assert_eq!(fmt_tick(-0.0, 0.1, false), "0.0");
        assert_eq!(fmt_tick(40.0, 20.0, false), "40");
    }

    #[test]
    fn values_and_differences_read_well() {
        assert_eq!(fmt_value(0.123456, false), "0.123");
        assert_eq!(fmt_value(12.5, true), "1250%");
        assert_eq!(fmt_value(0.0875, true), "8.75%");
        assert_eq!(fmt_value(1234.6, false), "1235");
        assert_eq!(fmt_value(-0.5, false), "−0.5");
        assert_eq!(fmt_value(-1e-9, false), "0");
        assert_eq!(fmt_diff(0.0353, false), "+0.0353");
        assert_eq!(fmt_diff(-0.0775, true), "−7.75 pp");
        assert_eq!(fmt_diff(0.0, true), "0 pp");
        // Too small to show: no sign, whichever side of zero it lies.
        assert_eq!(fmt_diff(1e-9, false), "0");
        assert_eq!(fmt_diff(-1e-9, false), "0");
    }

    #[test]
    fn fixed_decimals_never_show_minus_zero() {
        assert_eq!(fixed(-0.0004, 2, false), "0.00");
        assert_eq!(fixed(-0.25, 1, true), "−25.0%");
        assert_eq!(fixed_or_dash(None, 2, true), "–");
        assert_eq!(signed(0.0431, 4, false), "+0.0431");
        assert_eq!(signed(-0.021, 2, true), "−2.10 pp");
        assert_eq!(signed(0.00001, 2, false), "0.00");
        assert_eq!(signed(0.0, 1, true), "0.0 pp");
    }
}
