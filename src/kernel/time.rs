//! Clock and calendar: the one RFC 3339 clock of manifests and session logs, calendar months
//! of dated monthly scenarios, and the one generator of fresh seeds.
//!
//! Nothing a trial computes reads the clock: the clock only stamps records, and a fresh seed
//! is drawn (and printed and recorded) only when the user gives none.

/// Abbreviated month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The current UTC time as RFC 3339 (`2026-11-26T21:00:00Z`), for manifests and logs.
pub fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(d.as_secs() as i64)
}

/// Seconds since 1970-01-01T00:00:00Z as RFC 3339.
pub fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The civil date (year, month 1–12, day 1–31) of a day count since 1970-01-01
/// (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// The calendar month of `"YYYY-MM"` (anything after the month, such as a day, is ignored) as
/// a month index `year × 12 + month − 1`; `None` unless the month is 1–12.
pub fn month_index(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.trim().parse().ok()?;
    let m: i64 = it.next()?.trim().get(..2)?.parse().ok()?;
    (1..=12).contains(&m).then_some(y * 12 + m - 1)
}

/// The forms a calendar date may take, as messages and the docs state them.
pub const DATE_FORMS: &str = "a calendar date written `YYYY-MM` or `YYYY-MM-DD` (e.g. `2021-10` or `2022-02-24`), year 1000 to 9999";

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days of a month (1–12) of a year.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date written exactly `YYYY-MM` or `YYYY-MM-DD` (four-digit year 1000–9999, a
/// month 01–12, a day that the month has): (year, month, day if given). What is wrong, in
/// words, otherwise.
pub fn parse_date(s: &str) -> Result<(i64, i64, Option<i64>), String> {
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let shape_ok = match parts.as_slice() {
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    if !shape_ok {
        return Err("not a date of the form `YYYY-MM` or `YYYY-MM-DD`".into());
    }
    let num = |p: &str| p.parse::<i64>().unwrap_or(0);
    let (year, month) = (num(parts[0]), num(parts[1]));
    if year < 1000 {
        return Err(format!("year {year} is before 1000"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!(
            "month {month} does not exist (months are 01 to 12)"
        ));
    }
    let day = parts.get(2).map(|d| num(d));
    if let Some(d) = day {
        let last = days_in_month(year, month);
        if !(1..=last).contains(&d) {
            return Err(format!(
                "{year}-{month:02} has no day {d} (it has {last} days)"
            ));
        }
    }
    Ok((year, month, day))
}

/// Milliseconds since the Unix epoch now (the turn timer; never a random seed).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A month index as `"YYYY-MM"`.
pub fn month_text(index: i64) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// A month index as `"Nov 2021"`.
pub fn month_label(index: i64) -> String {
    format!(
        "{} {}",
        MONTHS[index.rem_euclid(12) as usize],
        index.div_euclid(12)
    )
}

/// A seed for a run or session that was given none: 48 bits of the clock and the process id,
/// hashed (small enough to read aloud and to survive any JSON reader as an exact integer).
pub fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(&t.as_nanos().to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    let b = h.finalize();
    u64::from_le_bytes(b.as_bytes()[..8].try_into().unwrap_or([0; 8])) & 0xFFFF_FFFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 12:34:56 UTC (a leap day of a century leap year).
        assert_eq!(rfc3339(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(now_rfc3339().len(), 20);
    }

    #[test]
    fn months_parse_and_print() {
        assert_eq!(month_index("2021-10"), Some(2021 * 12 + 9));
        assert_eq!(month_index("2022-06-30"), Some(2022 * 12 + 5));
        assert_eq!(month_index("2021-13"), None);
        assert_eq!(month_index("October 2021"), None);
        assert_eq!(month_text(2021 * 12 + 9 + 3), "2022-01");
        assert_eq!(month_label(2021 * 12 + 10), "Nov 2021");
        assert!(fresh_seed() < 1 << 48);
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(parse_date("2021-10"), Ok((2021, 10, None)));
        assert_eq!(parse_date("2022-02-24"), Ok((2022, 2, Some(24))));
        assert_eq!(parse_date("2024-02-29"), Ok((2024, 2, Some(29))));
        assert_eq!(parse_date("2000-02-29"), Ok((2000, 2, Some(29))));
        for bad in [
            "2021-13",
            "2021-00",
            "2022-06-31",
            "2023-02-29",
            "1900-02-29",
            "October 2021",
            "2021-1",
            "21-10",
            "2021-10-1",
            "2021/10",
            "",
            "2021-10-01-01",
            "0999-01",
            "２０２１-10",
            "2021-10 ",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_date("2022-06-31").unwrap_err().contains("30 days"));
    }
}
