//! Article fields, parsed at the edge: money and rates are exact decimals.

use rust_decimal::Decimal;

/// Largest price accepted (in currency units).
const MAX_PRICE: i64 = 1_000_000_000;

/// A price in hundredths of the currency unit, parsed from a decimal string.
pub fn parse_price(raw: &str) -> Result<i64, String> {
    plain_decimal(raw, "must be a decimal number like \"19.99\"")?;
    let value: Decimal = raw
        .trim()
        .parse()
        .map_err(|_| "must be a decimal number like \"19.99\"".to_string())?;
    if value.is_sign_negative() {
        return Err("must not be negative".into());
    }
    if value.normalize().scale() > 2 {
        return Err("must have at most two decimal places".into());
    }
    if value > Decimal::from(MAX_PRICE) {
        return Err(format!("must be at most {MAX_PRICE}"));
    }
    let minor = (value * Decimal::ONE_HUNDRED).trunc();
    i64::try_from(minor).map_err(|_| "is out of range".to_string())
}

/// Digits with at most one decimal point: no signs, exponents or spaces inside.
fn plain_decimal(raw: &str, message: &str) -> Result<(), String> {
    let text = raw.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let points = text.chars().filter(|c| *c == '.').count();
    if digits > 0 && points <= 1 && digits + points == text.len() && digits <= 15 {
        Ok(())
    } else {
        Err(message.to_owned())
    }
}

/// Formats hundredths as a decimal string with two places ("19.90").
pub fn format_minor(minor: i64) -> String {
    Decimal::new(minor, 2).to_string()
}

/// A VAT rate in hundredths of a percent (19 % = 1900), from "19" or "7.5".
pub fn parse_vat_rate(raw: &str) -> Result<i32, String> {
    plain_decimal(raw, "must be a percentage like \"19\" or \"7.5\"")?;
    let value: Decimal = raw
        .trim()
        .parse()
        .map_err(|_| "must be a percentage like \"19\" or \"7.5\"".to_string())?;
    if value.is_sign_negative() || value > Decimal::ONE_HUNDRED {
        return Err("must be between 0 and 100".into());
    }
    if value.normalize().scale() > 2 {
        return Err("must have at most two decimal places".into());
    }
    i32::try_from((value * Decimal::ONE_HUNDRED).trunc()).map_err(|_| "is out of range".to_string())
}

/// An ISO 4217 currency code: three upper-case letters.
pub fn parse_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be a three-letter ISO 4217 code like EUR".into())
    }
}

/// A stock-keeping unit: 1–64 visible characters without spaces.
pub fn parse_sku(raw: &str) -> Result<String, String> {
    let sku = raw.trim();
    if sku.is_empty() {
        return Err("must not be empty".into());
    }
    if sku.chars().count() > 64 {
        return Err("must be at most 64 characters".into());
    }
    if sku.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(sku.to_owned())
}

/// Allowed downloads per purchased unit: 1–10 000.
pub fn parse_download_limit(value: i32) -> Result<i32, String> {
    if (1..=10_000).contains(&value) {
        Ok(value)
    } else {
        Err("must be between 1 and 10000".into())
    }
}

/// Days the downloads stay available after payment: 1–36 500.
pub fn parse_validity_days(value: i32) -> Result<i32, String> {
    if (1..=36_500).contains(&value) {
        Ok(value)
    } else {
        Err("must be between 1 and 36500".into())
    }
}

/// A display file name: full UTF-8, 1–255 characters, no path separators or
/// control characters (it becomes the saved file's name).
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().count() > 255 {
        return Err("must be at most 255 characters".into());
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err("must not contain slashes or control characters".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_hundredths() {
        assert_eq!(parse_price("19.99"), Ok(1999));
        assert_eq!(parse_price("0.1"), Ok(10));
        assert_eq!(parse_price("5"), Ok(500));
        assert_eq!(parse_price("5.10"), Ok(510));
        assert!(parse_price("1.999").is_err());
        assert!(parse_price("-1").is_err());
        assert!(parse_price("1,5").is_err());
        assert!(parse_price("abc").is_err());
        assert!(parse_price("1e3").is_err());
        assert_eq!(format_minor(1999), "19.99");
        assert_eq!(format_minor(500), "5.00");
    }

    #[test]
    fn vat_rates_and_codes() {
        assert_eq!(parse_vat_rate("19"), Ok(1900));
        assert_eq!(parse_vat_rate("7.5"), Ok(750));
        assert!(parse_vat_rate("101").is_err());
        assert_eq!(parse_currency("eur"), Ok("EUR".into()));
        assert!(parse_currency("EURO").is_err());
        assert!(parse_sku("A 1").is_err());
        assert_eq!(
            parse_display_name(" Übung für Anfänger – Teil 1.pdf "),
            Ok("Übung für Anfänger – Teil 1.pdf".into())
        );
        assert!(parse_display_name("../x.pdf").is_err());
        assert_eq!(parse_display_name("🎧 音楽.mp3"), Ok("🎧 音楽.mp3".into()));
    }
}
