//! The query root: the same questions as the REST API, over the same domain
//! functions, with filters that mirror the REST parameters one to one.

mod answers;
mod root;

pub use answers::{
    ByDate, Conn, ConnectionFields, KeyCount, MonthCount, Revision, SearchHit, Stats,
    TimelineEntry, YearCount,
};
pub use root::Query;
