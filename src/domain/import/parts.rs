//! The pieces of an import every step uses: record ids, the report and
//! progress.

use uuid::Uuid;

use crate::domain::dataset::NameRecord;
use crate::domain::edtf::Edtf;

/// Namespace of the deterministic record ids (UUIDv5 of `kind/slug`), so the
/// same dataset gets the same ids on every machine.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_9d0b_4c1e_8a53_7e2f_0b9d_4a61);

pub fn record_id(kind: &str, slug: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("{kind}/{slug}").as_bytes())
}

/// Records of one kind built and written together (see `Writer::write`): a
/// step's rows with their names, texts and citations stay a few tens of MB.
pub(crate) const RECORDS_PER_STEP: usize = 5_000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportReport {
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged
    }
}

/// Reports progress as (records done, records in the file).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Dates were validated before writing starts.
pub(crate) fn parse_valid(s: &str) -> Edtf {
    Edtf::parse(s).unwrap_or_else(|e| unreachable!("validated before writing: {e}"))
}

/// The convenience `name`: the English primary name, else the first primary.
pub fn display_name(names: &[NameRecord]) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == "en")
        .or_else(|| names.iter().find(|n| n.kind == "primary"))
        .map(|n| n.text.clone())
        .unwrap_or_default()
}
