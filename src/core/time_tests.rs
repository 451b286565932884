//! Tests of `time.rs`: parsing, validation, bounds, formatting and the calendar algorithms.

use super::*;
use alloc::string::ToString;

#[test]
fn parses_utc_instants() {
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_rfc3339("2026-11-21T10:00:00Z"),
        Some(1_795_255_200_000)
    );
    assert_eq!(parse_rfc3339("2000-02-29t23:59:59z"), Some(951_868_799_000));
    assert_eq!(
        parse_rfc3339("2026-11-21 10:00:00Z"),
        parse_rfc3339("2026-11-21T10:00:00Z")
    );
}

#[test]
fn applies_offsets() {
    assert_eq!(
        parse_rfc3339("2026-11-21T11:30:00+01:30"),
        parse_rfc3339("2026-11-21T10:00:00Z")
    );
    assert_eq!(parse_rfc3339("1969-12-31T19:00:00-05:00"), Some(0));
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00-00:00"), Some(0));
}

#[test]
fn truncates_fractions_by_flooring() {
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00.5Z"), Some(500));
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00.12Z"), Some(120));
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00.123999999Z"), Some(123));
    // 0.9999 s before the epoch is -0.0001 s: floor is -1 ms.
    assert_eq!(parse_rfc3339("1969-12-31T23:59:59.9999Z"), Some(-1));
    assert_eq!(parse_rfc3339("1969-12-31T23:59:59.0001Z"), Some(-1_000));
}

#[test]
fn reads_a_leap_second_as_the_last_millisecond_of_the_minute() {
    assert_eq!(
        parse_rfc3339("2016-12-31T23:59:60Z"),
        parse_rfc3339("2016-12-31T23:59:59.999Z")
    );
    assert_eq!(
        parse_rfc3339("2016-12-31T23:59:60.5Z"),
        parse_rfc3339("2016-12-31T23:59:59.999Z")
    );
    assert_eq!(parse_rfc3339("2016-12-31T23:59:61Z"), None);
    // Only at the end of a month (RFC 3339 §5.7), in UTC.
    assert!(parse_rfc3339("2015-06-30T23:59:60Z").is_some());
    assert!(parse_rfc3339("2016-02-29T23:59:60Z").is_some());
    assert!(parse_rfc3339("1990-12-31T15:59:60-08:00").is_some());
    assert_eq!(parse_rfc3339("0000-05-01T23:59:60Z"), None);
    assert_eq!(
        parse_rfc3339("2015-02-28T23:59:60Z"),
        parse_rfc3339("2015-02-28T23:59:59.999Z")
    );
    assert_eq!(parse_rfc3339("2016-02-28T23:59:60Z"), None);
    assert_eq!(parse_rfc3339("2016-12-31T23:59:60+01:00"), None);
}

#[test]
fn validates_calendar_and_clock_ranges() {
    for bad in [
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+01:60",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad}");
    }
    assert!(parse_rfc3339("2000-02-29T00:00:00Z").is_some());
    assert!(parse_rfc3339("0000-02-29T00:00:00Z").is_some());
    assert!(parse_rfc3339("9999-12-31T23:59:59.999Z").is_some());
}

#[test]
fn rejects_incomplete_or_extra_text() {
    for bad in [
        "",
        "2026-11-21",
        "2026-11-21T10:00Z",
        "2026-11-21T10:00:00",
        "2026-11-21T10:00:00.Z",
        "2026-11-21T10:00:00Z ",
        " 2026-11-21T10:00:00Z",
        "2026-11-21  10:00:00Z",
        "2026-11-21T10:00:00+0100",
        "2026-11-21T10:00:00+01",
        "+2026-11-21T10:00:00Z",
        "26-11-21T10:00:00Z",
        "2026-1-21T10:00:00Z",
        "2026-11-21T1:00:00Z",
        "2026-11-21T10:00:00.1.2Z",
        "2026-11-21T10:00:00,5Z",
        "２026-11-21T10:00:00Z",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
    }
}

#[test]
fn refuses_long_inputs_up_front() {
    let long = alloc::format!("2026-11-21T10:00:00.{}Z", "1".repeat(44));
    assert_eq!(long.len(), 65);
    assert_eq!(parse_rfc3339(&long), None);
    assert_eq!(parse_rfc3339(&long[1..]), None); // still not an instant
    let ok = alloc::format!("2026-11-21T10:00:00.{}Z", "1".repeat(43));
    assert_eq!(parse_rfc3339(&ok), Some(1_795_255_200_111));
}

#[test]
fn parses_dates_and_either_form() {
    assert_eq!(parse_date("1970-01-02"), Some(MS_PER_DAY));
    assert_eq!(parse_date("1969-12-31"), Some(-MS_PER_DAY));
    assert_eq!(parse_date("2027-01-31T00:00:00Z"), None);
    assert_eq!(parse_date("2027-02-30"), None);
    assert_eq!(
        parse_date_or_instant("2027-01-31"),
        parse_rfc3339("2027-01-31T00:00:00Z")
    );
    assert_eq!(
        parse_date_or_instant("2027-01-31T12:00:00+02:00"),
        parse_rfc3339("2027-01-31T10:00:00Z")
    );
    assert_eq!(parse_date_or_instant("2027-01-31T"), None);
}

#[test]
fn formats_instants() {
    let fmt = |ms| Rfc3339(ms).to_string();
    assert_eq!(fmt(0), "1970-01-01T00:00:00Z");
    assert_eq!(fmt(1_795_255_200_000), "2026-11-21T10:00:00Z");
    assert_eq!(fmt(1_795_255_200_123), "2026-11-21T10:00:00.123Z");
    assert_eq!(fmt(-1), "1969-12-31T23:59:59.999Z");
    assert_eq!(fmt(MIN_FORMATTED), "0000-01-01T00:00:00Z");
    assert_eq!(fmt(MAX_FORMATTED), "9999-12-31T23:59:59.999Z");
    assert_eq!(fmt(MIN_FORMATTED - 1), "-62167219200001 ms since epoch");
    assert_eq!(fmt(MAX_FORMATTED + 1), "253402300800000 ms since epoch");
    assert_eq!(fmt(i64::MIN), "-9223372036854775808 ms since epoch");
}

#[test]
fn formatting_and_parsing_round_trip() {
    // Every day across several 400-year eras, at a time that exercises every field.
    let mut ms = MIN_FORMATTED + 45_296_007;
    while ms <= MAX_FORMATTED {
        let text = Rfc3339(ms).to_string();
        assert_eq!(parse_rfc3339(&text), Some(ms), "{text}");
        ms += MS_PER_DAY * 7 + 13;
    }
}

#[test]
fn calendar_algorithms_agree_with_known_dates() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(days_from_civil(0, 1, 1), MIN_FORMATTED / MS_PER_DAY);
    assert_eq!(civil_from_days(11_017), (2000, 3, 1));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    for days in -800_000..-700_000 {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
}
