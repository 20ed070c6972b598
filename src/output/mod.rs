//! Writers of a run's results: one small file per table, and the safe output directory.
//!
//! Every table is CSV with a header row and RFC 4180 quoting, in long ("tidy") layout so that
//! pandas and R read it directly. Floats are written in their shortest round-trip form;
//! whole numbers without a decimal point; a missing value as an empty cell (never "NaN").

pub mod atomic;
pub mod injects;
pub mod manifest;
pub mod policies;
pub mod tables;
pub mod trials;

pub use atomic::OutputDir;

/// Appends the shortest text that reads back as exactly `x` (empty for NaN).
pub fn push_f64(buf: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    debug_assert!(x.is_finite(), "infinite value reached an output");
    if x == x.trunc() && x.abs() < 1e15 {
        let mut b = itoa_buf(x as i64);
        buf.append(&mut b);
    } else {
        let mut r = ryu::Buffer::new();
        buf.extend_from_slice(r.format_finite(x).as_bytes());
    }
}

fn itoa_buf(i: i64) -> Vec<u8> {
    i.to_string().into_bytes()
}

/// The current UTC time as RFC 3339 (`2026-11-26T21:00:00Z`), for manifests and logs.
pub fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
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
