//! Instants as integer milliseconds since the Unix epoch, RFC 3339 parsing and formatting.
//!
//! The core never reads a clock: hosts pass `now` in, snapshots carry RFC 3339 strings, and
//! everything in between is an `i64` of milliseconds (proleptic Gregorian calendar, UTC, no
//! leap seconds — the same scale as JavaScript's `Date.now()`).
//!
//! Leap seconds: RFC 3339 allows `:60` in the last minute of a month, in UTC (§5.7; leap
//! seconds are inserted at the end of a month). There is no such millisecond on this scale,
//! so `2016-12-31T23:59:60Z` (or the same instant at another offset) is accepted and read as
//! the last millisecond of that minute (`:59.999`, whatever fraction follows). Order is kept
//! (nothing in that minute is later) and a timestamp copied from a system that emits leap
//! seconds still loads. Whether that month really ended with a leap second is not checked;
//! `:60` in any other minute is refused.

use crate::text::{self, Msg};
use alloc::string::String;
use core::fmt;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_DAY: i64 = 86_400_000;
/// Longest input worth reading: `9999-12-31T23:59:59.` plus a long fraction and an offset.
/// Anything longer is refused before it is looked at, so work is bounded on any input.
const MAX_INPUT: usize = 64;
/// `0000-01-01T00:00:00Z`, the earliest instant [`Rfc3339`] formats as a date.
const MIN_FORMATTED: i64 = -62_167_219_200_000;
/// `9999-12-31T23:59:59.999Z`, the latest instant [`Rfc3339`] formats as a date.
const MAX_FORMATTED: i64 = 253_402_300_799_999;

/// Parses an RFC 3339 instant such as `2026-11-21T10:00:00Z` or
/// `2026-11-21 11:00:00.5+01:00` into milliseconds since the Unix epoch.
///
/// The separator may be `T`, `t` or one space; the fraction may have any number of digits
/// and is truncated to milliseconds (flooring the instant, also before 1970); the offset is
/// `Z`, `z` or `±HH:MM`. Years are `0000`–`9999`. A second of `60` (a leap second, only in
/// the last minute of a month, in UTC) reads as `:59.999` of that minute. Anything else — missing fields, extra characters, out-of-range
/// fields, inputs over 64 bytes — is `None`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    if s.len() > MAX_INPUT {
        return None;
    }
    let mut c = Cursor::new(s.as_bytes());
    let days = c.date()?;
    if !matches!(c.next(), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = c.number(2, 0, 23)?;
    c.literal(b':')?;
    let minute = c.number(2, 0, 59)?;
    c.literal(b':')?;
    let second = c.number(2, 0, 60)?;
    let millis = if c.peek() == Some(b'.') {
        c.next();
        c.fraction_millis()?
    } else {
        0
    };
    let offset_minutes = c.offset()?;
    if !c.at_end() {
        return None;
    }
    // Leap seconds are inserted at the end of a month, in UTC: `:60` is valid only at 23:59
    // UTC of a month's last day (23:59 local time at offset zero, 15:59 at -08:00, ...).
    if second == 60 {
        let utc_minutes = (days * 24 + hour) * 60 + minute - offset_minutes;
        let (year, month, day) = civil_from_days(utc_minutes.div_euclid(24 * 60));
        if utc_minutes.rem_euclid(24 * 60) != 24 * 60 - 1 || day != days_in_month(year, month) {
            return None;
        }
    }
    // Leap second: clamp to the last millisecond that exists in this minute.
    let (second, millis) = if second == 60 {
        (59, 999)
    } else {
        (second, millis)
    };
    let local_seconds = ((days * 24 + hour) * 60 + minute) * 60 + second;
    // All fields are bounded (years 0..=9999), so none of this can overflow an i64.
    Some(local_seconds * MS_PER_SECOND + millis - offset_minutes * 60 * MS_PER_SECOND)
}

/// Parses a calendar date `YYYY-MM-DD` into midnight UTC of that day, in milliseconds since
/// the Unix epoch. Nothing may precede or follow the date.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    if s.len() > MAX_INPUT {
        return None;
    }
    let mut c = Cursor::new(s.as_bytes());
    let days = c.date()?;
    if !c.at_end() {
        return None;
    }
    Some(days * MS_PER_DAY)
}

/// Parses either a calendar date (`2027-01-31`, read as midnight UTC) or a full RFC 3339
/// instant, as flag metadata `expiresAt` may be written either way.
pub fn parse_date_or_instant(s: &str) -> Option<i64> {
    parse_date(s).or_else(|| parse_rfc3339(s))
}

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC, e.g. `2026-11-21T10:00:00Z`,
/// with `.mmm` only when the milliseconds are not zero. Instants outside the years
/// 0000–9999 print as `<n> ms since epoch`.
pub struct Rfc3339(pub i64);

impl Rfc3339 {
    /// Appends the text to `out`: error messages are built without `core::fmt`, which would
    /// cost the wasm build several kilobytes (see `crate::text`).
    pub(crate) fn push_to(&self, out: &mut String) {
        let ms = self.0;
        if !(MIN_FORMATTED..=MAX_FORMATTED).contains(&ms) {
            text::push_decimal(out, ms);
            out.push_str(" ms since epoch");
            return;
        }
        // Euclidean division floors, so instants before 1970 land on the right day and time.
        let days = ms.div_euclid(MS_PER_DAY);
        let in_day = ms.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
        let (second, millis) = (in_day / 1_000 % 60, in_day % 1_000);
        // In range, every field is non-negative: the year is 0..=9999 and the rest are
        // remainders of Euclidean divisions.
        let field = |n: i64| n.unsigned_abs();
        text::push_padded(out, field(year), 4);
        out.push('-');
        text::push_padded(out, field(month), 2);
        out.push('-');
        text::push_padded(out, field(day), 2);
        out.push('T');
        text::push_padded(out, field(hour), 2);
        out.push(':');
        text::push_padded(out, field(minute), 2);
        out.push(':');
        text::push_padded(out, field(second), 2);
        if millis != 0 {
            out.push('.');
            text::push_padded(out, field(millis), 3);
        }
        out.push('Z');
    }
}

impl Msg {
    /// Appends an instant as RFC 3339 (what [`Rfc3339`] displays). Written here rather than
    /// in `text`, the layer below, which knows nothing of time.
    #[inline(never)]
    pub(crate) fn instant(&mut self, ms: i64) -> &mut Msg {
        Rfc3339(ms).push_to(self.buffer());
        self
    }

    /// Appends a duration in the largest unit that divides it exactly, as the command line
    /// takes durations (`30d`, `1h`, `90s`; anything else in `ms`).
    #[inline(never)]
    pub(crate) fn duration(&mut self, ms: u64) -> &mut Msg {
        const UNITS: [(u64, &str); 4] = [
            (86_400_000, "d"),
            (3_600_000, "h"),
            (60_000, "m"),
            (1_000, "s"),
        ];
        match UNITS.iter().find(|(unit, _)| ms > 0 && ms % unit == 0) {
            Some((unit, name)) => self.num(ms / unit).text(name),
            None => self.num(ms).text(" ms"),
        }
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.push_to(&mut text);
        f.write_str(&text)
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`). Callers keep `year` to 0..=9999, so the arithmetic cannot overflow.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
/// Callers keep `days` within the years 0..=9999, so the arithmetic cannot overflow.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A forward-only reader over ASCII bytes; every method returns `None` on anything unexpected.
struct Cursor<'a> {
    rest: core::slice::Iter<'a, u8>,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { rest: bytes.iter() }
    }

    fn next(&mut self) -> Option<u8> {
        self.rest.next().copied()
    }

    fn peek(&self) -> Option<u8> {
        self.rest.clone().next().copied()
    }

    fn at_end(&self) -> bool {
        self.rest.len() == 0
    }

    fn literal(&mut self, expected: u8) -> Option<()> {
        (self.next()? == expected).then_some(())
    }

    fn digit(&mut self) -> Option<i64> {
        let b = self.next()?;
        b.is_ascii_digit().then(|| i64::from(b - b'0'))
    }

    /// Exactly `width` digits, within `min..=max`.
    fn number(&mut self, width: usize, min: i64, max: i64) -> Option<i64> {
        let mut n = 0;
        for _ in 0..width {
            n = n * 10 + self.digit()?;
        }
        (min..=max).contains(&n).then_some(n)
    }

    /// `YYYY-MM-DD`, validated, as days since the epoch.
    fn date(&mut self) -> Option<i64> {
        let year = self.number(4, 0, 9999)?;
        self.literal(b'-')?;
        let month = self.number(2, 1, 12)?;
        self.literal(b'-')?;
        let day = self.number(2, 1, days_in_month(year, month))?;
        Some(days_from_civil(year, month, day))
    }

    /// One or more digits after the `.`; the first three give milliseconds, the rest are
    /// dropped (truncation adds a non-negative amount less, which floors the instant).
    fn fraction_millis(&mut self) -> Option<i64> {
        let mut millis = 0;
        let mut count = 0;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let d = self.digit()?;
            if count < 3 {
                millis = millis * 10 + d;
            }
            count += 1;
        }
        match count {
            0 => None,
            1 => Some(millis * 100),
            2 => Some(millis * 10),
            _ => Some(millis),
        }
    }

    /// `Z`, `z` or `±HH:MM`, as minutes east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.next()? {
            b'Z' | b'z' => return Some(0),
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours = self.number(2, 0, 23)?;
        self.literal(b':')?;
        let minutes = self.number(2, 0, 59)?;
        Some(sign * (hours * 60 + minutes))
    }
}

#[cfg(test)]
#[path = "time_tests.rs"]
mod tests;
