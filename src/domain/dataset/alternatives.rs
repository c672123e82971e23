//! What an alternative may be: which fields of a record can have other
//! reported values, and the shape each value must have (the shape of the
//! field itself, checked as the field is).

use serde_json::Value;

use super::checker::{Checker, money_faults};
use super::records::{AlternativeRecord, MoneyRecord};
use crate::domain::edtf::{Edtf, End};
use crate::domain::{bounds, vocab};

/// The fields of an operation that can have alternatives.
pub const OPERATION_FIELDS: &[&str] = &["start", "end"];

/// The fields of a legal outcome that can have alternatives.
pub const LEGAL_OUTCOME_FIELDS: &[&str] = &[
    "date",
    "money",
    "people_count",
    "court",
    "person",
    "kind",
    "jurisdiction",
];

/// An alternative's value as stored: compact JSON with sorted keys, so that
/// one value is always one string.
pub fn canonical(value: &Value) -> String {
    // serde_json's maps are ordered by key (no `preserve_order`).
    serde_json::to_string(value).expect("a JSON value serializes")
}

/// Why `value` cannot be a value of `field`, if it cannot.
fn value_fault(field: &str, value: &Value) -> Option<String> {
    let text = || value.as_str().ok_or_else(|| "must be a string".to_owned());
    let fault = match field {
        "start" | "date" => {
            text().and_then(|s| Edtf::parse(s).map(|_| ()).map_err(|e| e.to_string()))
        }
        "end" => text().and_then(|s| End::parse(Some(s)).map(|_| ()).map_err(|e| e.to_string())),
        "court" | "person" => text().and_then(|s| {
            let n = s.chars().count();
            if s.trim().is_empty() || n > bounds::LABEL {
                Err(format!("must be 1 to {} characters", bounds::LABEL))
            } else {
                Ok(())
            }
        }),
        "kind" => text().and_then(|s| {
            vocab::LEGAL_OUTCOME_KINDS
                .contains(&s)
                .then_some(())
                .ok_or_else(|| format!("{s:?} is not a legal outcome kind"))
        }),
        "jurisdiction" => text().and_then(|s| {
            vocab::is_jurisdiction(s)
                .then_some(())
                .ok_or_else(|| format!("{s:?} is not an ISO 3166-1 or 3166-2 code"))
        }),
        "people_count" => match value.as_i64() {
            Some(n) if (0..=i64::from(bounds::PEOPLE)).contains(&n) => Ok(()),
            _ => Err(format!("must be a count from 0 to {}", bounds::PEOPLE)),
        },
        "money" => serde_json::from_value::<MoneyRecord>(value.clone())
            .map_err(|e| format!("must be a money object: {e}"))
            .and_then(|m| match money_faults(&m).into_iter().next() {
                Some((part, message)) => Err(format!("{part}: {message}")),
                None => Ok(()),
            }),
        _ => Ok(()),
    };
    fault.err()
}

impl Checker<'_> {
    /// Each alternative: a field its record can dispute, a value of that
    /// field's shape, at least one citation, a note within bounds; and an
    /// alternative only on a record marked disputed.
    pub(crate) fn alternatives(
        &mut self,
        disputed: bool,
        alternatives: &[AlternativeRecord],
        fields: &[&str],
        sources: super::checker::Known<'_>,
    ) {
        self.at_most("alternatives", alternatives.len(), bounds::CITATIONS);
        if !alternatives.is_empty() && !disputed {
            self.fail(
                "alternatives",
                "a record with alternative values must be marked disputed",
            );
        }
        for (i, a) in alternatives.iter().enumerate() {
            let at = format!("alternatives[{i}]");
            if !fields.contains(&a.field.as_str()) {
                self.fail(
                    &format!("{at}.field"),
                    format!(
                        "unknown field {:?}; expected one of {}",
                        a.field,
                        fields.join(", ")
                    ),
                );
            } else if let Some(fault) = value_fault(&a.field, &a.value) {
                self.fail(&format!("{at}.value"), fault);
            }
            if let Some(n) = &a.note {
                self.text(&format!("{at}.note"), n, bounds::NOTE);
            }
            self.citations(&format!("{at}.citations"), &a.citations, sources);
        }
    }
}
