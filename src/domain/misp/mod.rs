//! MISP galaxy clusters in and out. Out: factline's groups as one cluster
//! (`cluster`), a `value` per group with its other names as synonyms and the
//! URLs of the sources its citations cite as refs.
//!
//! What does not cross: factline's groups have no country, so
//! `meta.country` is not written.

mod cluster;

pub use cluster::{CLUSTER_TYPE, Galaxy, cluster_uuid};
