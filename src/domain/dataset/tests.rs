//! Unit checks of single values: money, bidi overrides, invisible text.

use super::checker::*;

#[test]
fn amounts_are_exact_or_refused() {
    assert_eq!(
        parse_amount("5600.00").map(|d| d.to_string()),
        Some("5600.00".into())
    );
    assert!(parse_amount("0.0000000000000000000000000001").is_some());
    assert!(parse_amount("0.00000000000000000000000000001").is_none());
    assert!(parse_amount("00012.50").is_some());
    assert!(parse_amount("99999999999999999999999999999").is_none());
}

#[test]
fn bidi_overrides_and_invisible_values_are_told_apart_from_arabic() {
    assert!("\u{202E}gpj.exe".chars().any(is_bidi_override));
    assert!(!"الأنونيموس".chars().any(is_bidi_override));
    assert!("\u{200B}\u{200B}".chars().all(is_invisible));
    assert!(!"a\u{200C}b".chars().all(is_invisible));
}
