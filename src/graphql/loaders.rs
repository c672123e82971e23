//! DataLoader keys over the domain's batch functions: every relation of a
//! page is loaded with one call per kind of relation, whatever the page size.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::Reader;
use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::db::entities::{
    group, legal_outcome, operation, operation_group, operation_target, source, target,
};
use crate::domain::model::{Alternative, Citation, Name, Subject, Text};
use crate::domain::page::Page;
use crate::domain::read;
use crate::domain::relations::{
    self, CitingLink, CitingRecord, LinkedOperation, OperationLink, SourceColumns, Window,
};
use crate::error::Error;

/// The one loader: it holds the request's connection and implements
/// `Loader` for each key.
pub struct DbLoader {
    pub db: Reader,
}

pub type LoadResult<K, V> = Result<HashMap<K, Shared<V>>, Arc<Error>>;

macro_rules! key {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub Uuid);
    };
}

key!(GroupId);
key!(TargetId);
key!(OperationId);
key!(LegalOutcomeId);
key!(SourceId);
key!(TacticsOf);
key!(GroupsOfOperation);
key!(OperationsOfGroup);
key!(TargetsOfOperation);
key!(OperationsOfTarget);
key!(LegalOutcomesOfOperation);
key!(LegalOutcomesOfGroup);
key!(ChildrenOfGroup);
key!(PartsOfOperation);
key!(CitedBy);

/// Names, texts or citations of one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NamesOf(pub Subject, pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextsOf(pub Subject, pub Uuid);
/// Citations of one subject, with the source columns the query selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CitationsOf(pub Subject, pub Uuid, pub SourceColumns);
/// Alternatives of one operation or legal outcome, with the source columns
/// their citations select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlternativesOf(pub Subject, pub Uuid, pub SourceColumns);

/// A page of the operations of one group (`Subject::Group`) or target
/// (`Subject::Target`). Keys of one batch with the same window are one
/// statement, whatever the page size and the number of owners.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OperationLinksPage {
    pub owner: Subject,
    pub id: Uuid,
    pub window: Window,
}
/// A page of the legal outcomes of one group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegalOutcomesPage {
    pub id: Uuid,
    pub window: Window,
}
/// A page of the records citing one source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CitingPage {
    pub id: Uuid,
    pub window: Window,
}

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(|k| id(*k)).collect()
}

/// Re-keys a map from ids to the loader's key type, sharing each value.
fn rekey<K: Eq + std::hash::Hash, V>(
    map: HashMap<Uuid, V>,
    key: impl Fn(Uuid) -> K,
) -> HashMap<K, Shared<V>> {
    map.into_iter()
        .map(|(id, v)| (key(id), Shared(Arc::new(v))))
        .collect()
}

/// A loaded value as the DataLoader hands it out. `DataLoader` clones the
/// value of a key for every caller that asked for it; a plain `Vec` of rows
/// was deep-cloned (each citation's strings, each linked record's) on every
/// page. Shared, the clone is a reference count, and [`Shared::into_inner`]
/// takes the rows back without copying once the loader has let go of them,
/// which it has by the time a resolver runs (the loader caches nothing).
#[derive(Debug)]
pub struct Shared<T>(Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T: Clone> Shared<T> {
    /// The value, cloned only when another caller still holds it (two
    /// parents asking for the same key in one batch).
    pub fn into_inner(self) -> T {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

/// The request's loader, answering with values rather than [`Shared`] ones.
#[derive(Clone, Copy)]
pub struct Loads<'a>(pub &'a DataLoader<DbLoader>);

impl Loads<'_> {
    pub async fn load_one<K, T>(&self, key: K) -> Result<Option<T>, Arc<Error>>
    where
        DbLoader: Loader<K, Value = Shared<T>, Error = Arc<Error>>,
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        T: Clone + Send + Sync + 'static,
    {
        Ok(self.0.load_one(key).await?.map(Shared::into_inner))
    }
}

macro_rules! by_id_loader {
    ($key:ident, $model:ty, $f:path) => {
        impl Loader<$key> for DbLoader {
            type Value = Shared<$model>;
            type Error = Arc<Error>;
            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                Ok(rekey($f(&self.db, &ids(keys, |k| k.0)).await?, $key))
            }
        }
    };
}

by_id_loader!(GroupId, group::Model, read::groups_by_ids);
by_id_loader!(TargetId, target::Model, read::targets_by_ids);
by_id_loader!(OperationId, operation::Model, read::operations_by_ids);
by_id_loader!(
    LegalOutcomeId,
    legal_outcome::Model,
    read::legal_outcomes_by_ids
);
by_id_loader!(SourceId, source::Model, read::sources_by_ids);
by_id_loader!(TacticsOf, Vec<String>, relations::tactics_of);
by_id_loader!(
    GroupsOfOperation,
    Vec<(operation_group::Model, group::Model)>,
    relations::groups_of_operations
);
by_id_loader!(
    TargetsOfOperation,
    Vec<(operation_target::Model, target::Model)>,
    relations::targets_of_operations
);
by_id_loader!(
    LegalOutcomesOfOperation,
    Vec<legal_outcome::Model>,
    relations::legal_outcomes_of_operations
);
by_id_loader!(
    LegalOutcomesOfGroup,
    Vec<legal_outcome::Model>,
    relations::legal_outcomes_of_groups
);
by_id_loader!(
    ChildrenOfGroup,
    Vec<group::Model>,
    relations::children_of_groups
);
by_id_loader!(
    PartsOfOperation,
    Vec<operation::Model>,
    relations::parts_of_operations
);
by_id_loader!(CitedBy, Vec<CitingRecord>, relations::cited_by);

/// The operations of groups or targets: the one relation function both doors
/// read them with, the operations themselves then by [`OperationId`].
macro_rules! linked_operations_loader {
    ($key:ident, $owner:expr) => {
        impl Loader<$key> for DbLoader {
            type Value = Shared<Vec<LinkedOperation>>;
            type Error = Arc<Error>;
            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<LinkedOperation>> {
                let ids = ids(keys, |k| k.0);
                let linked = relations::linked_operations(&self.db, $owner, &ids).await?;
                Ok(rekey(linked, $key))
            }
        }
    };
}

linked_operations_loader!(OperationsOfGroup, Subject::Group);
linked_operations_loader!(OperationsOfTarget, Subject::Target);

/// Splits subject-tagged keys by subject (and what else the batch call
/// takes, such as a page's window), one batch call per subject kind.
fn by_subject<K, S: Eq + std::hash::Hash>(
    keys: &[K],
    parts: impl Fn(&K) -> (S, Uuid),
) -> HashMap<S, Vec<Uuid>> {
    let mut m: HashMap<S, Vec<Uuid>> = HashMap::new();
    for k in keys {
        let (s, id) = parts(k);
        m.entry(s).or_default().push(id);
    }
    m
}

impl Loader<NamesOf> for DbLoader {
    type Value = Shared<Vec<Name>>;
    type Error = Arc<Error>;
    async fn load(&self, keys: &[NamesOf]) -> LoadResult<NamesOf, Vec<Name>> {
        let mut out = HashMap::new();
        for (subject, ids) in by_subject(keys, |k| (k.0, k.1)) {
            out.extend(rekey(
                relations::names_of(&self.db, subject, &ids).await?,
                |id| NamesOf(subject, id),
            ));
        }
        Ok(out)
    }
}

impl Loader<TextsOf> for DbLoader {
    type Value = Shared<Vec<Text>>;
    type Error = Arc<Error>;
    async fn load(&self, keys: &[TextsOf]) -> LoadResult<TextsOf, Vec<Text>> {
        let mut out = HashMap::new();
        for (subject, ids) in by_subject(keys, |k| (k.0, k.1)) {
            out.extend(rekey(
                relations::texts_of(&self.db, subject, &ids).await?,
                |id| TextsOf(subject, id),
            ));
        }
        Ok(out)
    }
}

impl Loader<CitationsOf> for DbLoader {
    type Value = Shared<Vec<Citation>>;
    type Error = Arc<Error>;
    async fn load(&self, keys: &[CitationsOf]) -> LoadResult<CitationsOf, Vec<Citation>> {
        let mut out = HashMap::new();
        for ((subject, columns), ids) in by_subject(keys, |k| ((k.0, k.2), k.1)) {
            out.extend(rekey(
                relations::citations_of(&self.db, subject, &ids, columns).await?,
                |id| CitationsOf(subject, id, columns),
            ));
        }
        Ok(out)
    }
}

impl Loader<AlternativesOf> for DbLoader {
    type Value = Shared<Vec<Alternative>>;
    type Error = Arc<Error>;
    async fn load(&self, keys: &[AlternativesOf]) -> LoadResult<AlternativesOf, Vec<Alternative>> {
        let mut out = HashMap::new();
        for ((subject, columns), ids) in by_subject(keys, |k| ((k.0, k.2), k.1)) {
            out.extend(rekey(
                relations::alternatives_of(&self.db, subject, &ids, columns).await?,
                |id| AlternativesOf(subject, id, columns),
            ));
        }
        Ok(out)
    }
}

impl Loader<OperationLinksPage> for DbLoader {
    type Value = Shared<Page<OperationLink>>;
    type Error = Arc<Error>;
    async fn load(
        &self,
        keys: &[OperationLinksPage],
    ) -> LoadResult<OperationLinksPage, Page<OperationLink>> {
        let mut out = HashMap::new();
        for ((owner, window), ids) in by_subject(keys, |k| ((k.owner, k.window.clone()), k.id)) {
            let pages = relations::linked_operations_page(&self.db, owner, &ids, &window).await?;
            out.extend(rekey(pages, |id| OperationLinksPage {
                owner,
                id,
                window: window.clone(),
            }));
        }
        Ok(out)
    }
}

impl Loader<LegalOutcomesPage> for DbLoader {
    type Value = Shared<Page<legal_outcome::Model>>;
    type Error = Arc<Error>;
    async fn load(
        &self,
        keys: &[LegalOutcomesPage],
    ) -> LoadResult<LegalOutcomesPage, Page<legal_outcome::Model>> {
        let mut out = HashMap::new();
        for (window, ids) in by_subject(keys, |k| (k.window.clone(), k.id)) {
            let pages = relations::legal_outcomes_of_groups_page(&self.db, &ids, &window).await?;
            out.extend(rekey(pages, |id| LegalOutcomesPage {
                id,
                window: window.clone(),
            }));
        }
        Ok(out)
    }
}

impl Loader<CitingPage> for DbLoader {
    type Value = Shared<Page<CitingLink>>;
    type Error = Arc<Error>;
    async fn load(&self, keys: &[CitingPage]) -> LoadResult<CitingPage, Page<CitingLink>> {
        let mut out = HashMap::new();
        for (window, ids) in by_subject(keys, |k| (k.window.clone(), k.id)) {
            let pages = relations::citing_records_page(&self.db, &ids, &window).await?;
            out.extend(rekey(pages, |id| CitingPage {
                id,
                window: window.clone(),
            }));
        }
        Ok(out)
    }
}
