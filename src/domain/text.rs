//! The one normalizer for search keys, used when names and texts are stored and
//! when a query is searched, so both sides fold the same way.
//!
//! Steps: Unicode NFKC; full case folding; decomposition and removal of every
//! combining mark (Latin diacritics and Arabic tashkeel alike, and the hamza and
//! madda that NFD splits off أ إ آ ؤ ئ); removal of tatweel; the Arabic letter
//! variants of DESIGN.md unified (ٱ → ا, ى → ي, ة → ه, plus Persian ی/ک); runs of
//! whitespace collapsed to one space.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const TATWEEL: char = '\u{0640}';

fn unify_letter(c: char) -> char {
    match c {
        // Hamza/madda forms decompose under NFD and lose their mark; these do not.
        'ٱ' | 'أ' | 'إ' | 'آ' => 'ا',
        'ى' | 'ی' | 'ئ' => 'ي',
        'ؤ' => 'و',
        'ة' => 'ه',
        'ک' => 'ك',
        _ => c,
    }
}

/// The search key of a text: what is stored beside names and compared to queries.
pub fn search_key(input: &str) -> String {
    let folded = caseless::default_case_fold_str(&input.nfkc().collect::<String>());
    let mut out = String::with_capacity(folded.len());
    let mut pending_space = false;
    for c in folded.nfd() {
        if is_combining_mark(c) || c == TATWEEL {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(unify_letter(c));
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn arabic_variants_and_diacritics_fold_to_one_key() {
        let key = search_key("الانونيموس");
        assert_eq!(search_key("الأنونيموس"), key);
        assert_eq!(search_key("الأَنونيموس"), key);
        assert_eq!(search_key("الأَنُونِيمُوس"), key);
        assert_eq!(search_key("الإنونيمـــوس"), key);
        assert_eq!(search_key("آ"), search_key("ا"));
        assert_eq!(search_key("مدرسة"), search_key("مدرسه"));
        assert_eq!(search_key("مستشفى"), search_key("مستشفي"));
        assert_eq!(search_key("مؤتمر"), search_key("موتمر"));
        assert_eq!(search_key("ٱلله"), search_key("الله"));
    }

    #[test]
    fn latin_text_folds_case_diacritics_and_spacing() {
        assert_eq!(search_key("  Opération   PAYBACK "), "operation payback");
        assert_eq!(search_key("Straße"), "strasse");
        assert_eq!(search_key("ＡＢＣ"), "abc");
        assert_ne!(search_key("paypal"), search_key("paypals"));
    }

    proptest! {
        #[test]
        fn search_key_is_idempotent(s in "\\PC{0,40}") {
            let once = search_key(&s);
            prop_assert_eq!(search_key(&once), once.clone());
        }

        #[test]
        fn arabic_text_with_random_tashkeel_keeps_its_key(
            word in "[\u{0627}-\u{063A}\u{0641}-\u{064A}]{1,12}",
            marks in proptest::collection::vec(0usize..8, 0..6),
        ) {
            let tashkeel = ['\u{064B}', '\u{064C}', '\u{064D}', '\u{064E}', '\u{064F}', '\u{0650}', '\u{0651}', '\u{0652}'];
            let mut marked = String::new();
            for (i, c) in word.chars().enumerate() {
                marked.push(c);
                if let Some(m) = marks.get(i) { marked.push(tashkeel[*m]); }
            }
            prop_assert_eq!(search_key(&marked), search_key(&word));
        }
    }
}
