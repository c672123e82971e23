//! MISP galaxy clusters in and out. Out: factline's groups as one cluster
//! (`cluster`), a `value` per group with its other names as synonyms and the
//! URLs of the sources its citations cite as refs. In: chosen values of a
//! cluster file become a dataset of groups and their ref sources (`import`),
//! built onto the groups and sources already stored (`stored`), which the
//! ordinary import writes.
//!
//! What does not cross: MISP's `description`s and other free text are its
//! own sentences and are never read in; factline's groups have no country,
//! so `meta.country` is neither written nor read.

mod cluster;
mod import;
mod stored;

pub use cluster::{CLUSTER_TYPE, Galaxy, cluster_uuid};
pub use import::{GROUP_KIND, dataset_of, group_slug, source_slug};
pub use stored::onto_stored;
