//! The STIX 2.1 encoder: groups become `intrusion-set`s, operations
//! `campaign`s, targets `identity`s (with a `location` per country), links
//! `relationship`s (`attributed-to`, `targets`, `located-at`, `related-to`),
//! legal outcomes `note`s on the campaign and intrusion set they concern, and
//! every citation an `external_reference` on the object it supports.
//!
//! Ids are UUIDv5 of the kind and slug, and `created`/`modified` are the
//! record's own time stamps, so two exports of the same data are identical.
//! What STIX has no property for (EDTF dates with their precision, tactics,
//! disputes, amounts) is kept in `x_factline_*` properties.

pub mod collection;
mod encoder;
mod parts;

pub use encoder::{Stix, preamble};
pub use parts::stix_id;
