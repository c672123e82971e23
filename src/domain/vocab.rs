//! Controlled vocabularies and code checks shared by import and writes.

use std::sync::LazyLock;

use regex::Regex;

pub const GROUP_KINDS: &[&str] = &["collective", "cell", "crew", "banner", "faction", "other"];
pub const TARGET_KINDS: &[&str] = &[
    "company",
    "government",
    "religious_org",
    "website",
    "person",
    "ngo",
    "media",
    "other",
];
pub const TACTICS: &[&str] = &[
    "ddos",
    "doxing",
    "defacement",
    "protest",
    "data_leak",
    "raid",
    "black_fax",
    "prank_calls",
    "account_takeover",
    "website_takedown",
    "sql_injection",
    "financial_fraud",
    "intrusion",
    "phishing",
    "dns_hijack",
    "other",
];
pub const LEGAL_OUTCOME_KINDS: &[&str] = &[
    "arrest",
    "charge",
    "indictment",
    "plea",
    "conviction",
    "acquittal",
    "sentence",
    "fine",
    "restitution",
    "damages_claim",
    "other",
];
/// What a source is (set per source, not derived from its host).
pub const SOURCE_KINDS: &[&str] = &[
    "news",
    "court_record",
    "government",
    "press_release",
    "academic",
    "encyclopedia",
    "wiki",
    "blog",
    "forum",
    "report",
    "social",
    "group_statement",
    "seed",
    "reference",
    "other",
];
/// How a group took part in an operation, as the sources put it.
pub const GROUP_ROLES: &[&str] = &[
    "attributed",
    "claimed",
    "organizer",
    "participant",
    "supporter",
];
pub const AMOUNT_KINDS: &[&str] = &[
    "victim_reported_loss",
    "prosecution_alleged_loss",
    "restitution_ordered",
    "fine",
    "damages_claim",
];
pub const AMOUNT_SCOPES: &[&str] = &["per_person", "total"];
/// `primary` and `alias` are names sources use; `transliteration` renders
/// the sound of a name in another script and `translation` translates its
/// words, both ours where no source shows a name in that language.
pub const NAME_KINDS: &[&str] = &["primary", "alias", "transliteration", "translation"];
/// What is known of an operation's end (`domain::edtf::End::state`).
pub const END_STATES: &[&str] = &["known", "unknown", "open"];
/// How a dated filter's range meets a record's span (`date_match`).
pub const DATE_MATCHES: &[&str] = &["overlaps", "within"];

/// ISO 3166-1 alpha-2 country code, upper case.
pub fn is_country(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && rust_iso3166::from_alpha2(code).is_some()
}

/// ISO 3166-1 alpha-2 or ISO 3166-2 subdivision (`US-CA`).
pub fn is_jurisdiction(code: &str) -> bool {
    is_country(code)
        || (code.contains('-')
            && code == code.to_ascii_uppercase()
            && rust_iso3166::iso3166_2::from_code(code).is_some())
}

/// The currencies of the euro area before the euro, withdrawn from ISO 4217
/// (its list of historic codes) when each country joined. Fines and losses
/// from before the switch are reported in them (an Estonian fine of 2008 in
/// kroons), and converting them would put a rate no source gives in the
/// record. `iso_currency` knows only current codes.
pub const EURO_LEGACY_CURRENCIES: &[&str] = &[
    "ATS", "BEF", "CYP", "DEM", "EEK", "ESP", "FIM", "FRF", "GRD", "HRK", "IEP", "ITL", "LTL",
    "LUF", "LVL", "MTL", "NLG", "PTE", "SIT", "SKK",
];

/// An ISO 4217 alphabetic currency code: a current one, or a euro-area
/// currency the euro replaced.
pub fn is_currency(code: &str) -> bool {
    code.len() == 3
        && (iso_currency::Currency::from_code(code).is_some()
            || EURO_LEGACY_CURRENCIES.contains(&code))
}

/// Every code [`is_currency`] takes, sorted: the document's enum.
pub fn currencies() -> Vec<String> {
    use iso_currency::IntoEnumIterator;
    let mut all: Vec<String> = iso_currency::Currency::iter()
        .map(|c| c.code().to_owned())
        .chain(EURO_LEGACY_CURRENCIES.iter().map(|c| (*c).to_owned()))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Every ISO 3166-1 alpha-2 code [`is_country`] takes, sorted.
pub fn countries() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = rust_iso3166::ALL_ALPHA2
        .iter()
        .copied()
        .filter(|c| is_country(c))
        .collect();
    all.sort_unstable();
    all
}

/// Every code [`is_jurisdiction`] takes (countries, then their
/// subdivisions), sorted.
pub fn jurisdictions() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = countries()
        .into_iter()
        .chain(
            rust_iso3166::iso3166_2::SUBDIVISION_MAP
                .keys()
                .copied()
                .filter(|c| is_jurisdiction(c)),
        )
        .collect();
    all.sort_unstable();
    all
}

/// The language tags factline takes: a BCP 47 language, then optionally a
/// script and a region (`ar`, `pt-BR`, `zh-Hant-TW`); variants, extensions
/// and private use are not taken. A JSON Schema pattern (ECMA-262 and
/// Python `re` read it alike), stated in the OpenAPI document.
pub const LANGUAGE_TAG_PATTERN: &str =
    "^[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?$";

/// A language tag of that shape whose subtags the IANA registry holds: what
/// a record's `lang` or `language` must be.
pub fn is_language_tag(tag: &str) -> bool {
    is_language_tag_shape(tag)
        && language_tags::LanguageTag::parse(tag).is_ok_and(|t| t.validate().is_ok())
}

/// A language tag of that shape, registered or not: what a filter takes (a
/// tag no record has matches nothing).
pub fn is_language_tag_shape(tag: &str) -> bool {
    static SHAPE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(LANGUAGE_TAG_PATTERN).expect("a valid pattern"));
    SHAPE.is_match(tag)
}

/// Whether a slug could be stored at all: no stored slug is longer than the
/// bound or holds a NUL (which Postgres refuses even in a query), so a slug
/// that fails this names nothing and need not reach the database.
pub fn could_be_stored(slug: &str) -> bool {
    slug.len() <= super::bounds::SLUG && !slug.contains('\0')
}

/// A slug's shape, as the OpenAPI document states it: lower-case ASCII
/// letters and digits in runs joined by single hyphens.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(?:-[a-z0-9]+)*$";

/// Slugs: [`SLUG_PATTERN`], 1 to 200 long.
pub fn is_slug(s: &str) -> bool {
    static SHAPE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(SLUG_PATTERN).expect("a valid pattern"));
    s.len() <= super::bounds::SLUG && SHAPE.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What the documented patterns generate, the checks take; and a
        /// slug the check takes matches the pattern.
        #[test]
        fn the_documented_shapes_are_the_checked_ones(
            slug in proptest::string::string_regex("[a-z0-9]{1,8}(?:-[a-z0-9]{1,8}){0,3}").unwrap(),
            tag in proptest::string::string_regex(LANGUAGE_TAG_PATTERN.trim_matches(['^', '$'])).unwrap(),
            any in "[a-z0-9-]{0,12}",
        ) {
            prop_assert!(is_slug(&slug));
            prop_assert!(is_language_tag_shape(&tag));
            prop_assert!(language_tags::LanguageTag::parse(&tag).is_ok(), "{}", tag);
            let shape = Regex::new(SLUG_PATTERN).unwrap();
            prop_assert_eq!(is_slug(&any), shape.is_match(&any), "{}", any);
        }
    }

    #[test]
    fn listed_codes_are_the_checked_ones() {
        let countries = countries();
        assert!(countries.len() > 240 && countries.iter().all(|c| is_country(c)));
        let jurisdictions = jurisdictions();
        assert!(jurisdictions.len() > 4000 && jurisdictions.contains(&"US-CA"));
        assert!(jurisdictions.iter().all(|c| is_jurisdiction(c)));
        let currencies = currencies();
        assert!(currencies.iter().all(|c| is_currency(c)));
        assert!(currencies.contains(&"EUR".to_owned()) && currencies.contains(&"EEK".to_owned()));
        assert!(!is_currency("XYZ"));
        for tag in ["en", "ar", "pt-BR", "zh-Hant-TW", "es-419", "fil"] {
            assert!(is_language_tag(tag), "{tag}");
        }
        for tag in ["de-1996", "en-x-private", "e", "english"] {
            assert!(!is_language_tag_shape(tag), "{tag}");
        }
    }

    #[test]
    fn codes_are_checked_against_the_standards() {
        assert!(is_country("US") && is_country("FI") && !is_country("XX") && !is_country("us"));
        assert!(is_jurisdiction("US-CA") && is_jurisdiction("GB") && !is_jurisdiction("US-XX"));
        assert!(is_currency("USD") && is_currency("GBP") && !is_currency("ABC"));
        assert!(is_language_tag("ar") && is_language_tag("pt-BR") && !is_language_tag("not a tag"));
        assert!(is_slug("op-avenge-assange") && !is_slug("Op") && !is_slug("a--b") && !is_slug(""));
    }
}
