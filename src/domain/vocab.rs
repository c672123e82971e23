//! Controlled vocabularies and code checks shared by import and writes.

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

/// ISO 4217 alphabetic currency code.
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && iso_currency::Currency::from_code(code).is_some()
}

/// A well-formed BCP 47 language tag.
pub fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= super::bounds::LANGUAGE_TAG
        && language_tags::LanguageTag::parse(tag).is_ok_and(|t| t.validate().is_ok())
}

/// Whether a slug could be stored at all: no stored slug is longer than the
/// bound or holds a NUL (which Postgres refuses even in a query), so a slug
/// that fails this names nothing and need not reach the database.
pub fn could_be_stored(slug: &str) -> bool {
    slug.len() <= super::bounds::SLUG && !slug.contains('\0')
}

/// Slugs: lower-case ASCII letters, digits and single hyphens, 1 to 200 long,
/// starting with a letter or digit.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= super::bounds::SLUG
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_against_the_standards() {
        assert!(is_country("US") && is_country("FI") && !is_country("XX") && !is_country("us"));
        assert!(is_jurisdiction("US-CA") && is_jurisdiction("GB") && !is_jurisdiction("US-XX"));
        assert!(is_currency("USD") && is_currency("GBP") && !is_currency("ABC"));
        assert!(is_language_tag("ar") && is_language_tag("pt-BR") && !is_language_tag("not a tag"));
        assert!(is_slug("op-avenge-assange") && !is_slug("Op") && !is_slug("a--b") && !is_slug(""));
    }
}
