//! Numbers as every output writes them: the shortest text that reads back as the same `f64`,
//! whole numbers without a decimal point, a missing value (NaN) as nothing at all.

/// Appends the shortest text that reads back as exactly `x` (empty for NaN).
pub fn push_f64(buf: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    debug_assert!(x.is_finite(), "infinite value reached an output");
    if x == x.trunc() && x.abs() < 1e15 {
        let mut i = itoa::Buffer::new();
        buf.extend_from_slice(i.format(x as i64).as_bytes());
    } else {
        let mut r = ryu::Buffer::new();
        buf.extend_from_slice(r.format_finite(x).as_bytes());
    }
}

/// [`push_f64`] as a `String`.
pub fn fmt_f64(x: f64) -> String {
    let mut b = Vec::new();
    push_f64(&mut b, x);
    String::from_utf8(b).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_and_integers_are_plain() {
        for x in [
            0.1,
            1.0 / 3.0,
            1e-300,
            123456.789,
            -2.5e17,
            0.30000000000000004,
        ] {
            assert_eq!(fmt_f64(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(fmt_f64(3.0), "3");
        assert_eq!(fmt_f64(-0.0), "0");
        assert_eq!(fmt_f64(f64::NAN), "");
    }
}
