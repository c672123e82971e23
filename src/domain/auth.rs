//! API keys and roles. Readers need no key; writes need a key whose role
//! allows them. A key is shown once when created and stored only as its
//! SHA-256 hash, so a database leak does not leak usable keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Conn;
use crate::db::entities::api_key;
use crate::db::rows;
use crate::error::{Error, Result};

/// What a key may do: readers only read (and exist to test refusals),
/// editors write records, admins also import whole files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Reader,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reader" => Some(Role::Reader),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who is writing: the key's id goes into every revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub key_id: Uuid,
    pub role: Role,
    pub name: String,
}

impl Actor {
    /// Refuses with 403 unless the key's role is at least `role`.
    pub fn require(&self, role: Role, action: &'static str) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Error::Forbidden(action))
        }
    }
}

const KEY_PREFIX: &str = "flk_";

fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a key; returns its row and the key itself, which is not stored.
pub async fn create_key<C: Conn>(
    db: &C,
    role: Role,
    name: &str,
) -> Result<(api_key::Model, String)> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid("name", "between 1 and 200 characters"));
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let key = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let row = api_key::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.trim().to_owned()),
        role: Set(role.as_str().to_owned()),
        prefix: Set(key.chars().take(12).collect()),
        key_hash: Set(hash(&key)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((row, key))
}

pub async fn list_keys<C: Conn>(db: &C) -> Result<Vec<api_key::Model>> {
    let q = api_key::Entity::find().order_by_asc(api_key::Column::CreatedAt);
    Ok(rows::all(db, q).await?)
}

/// Revokes a key by id or by its printed prefix; it fails at once afterwards.
pub async fn revoke_key<C: Conn>(db: &C, id_or_prefix: &str) -> Result<api_key::Model> {
    let q = api_key::Entity::find();
    let q = match Uuid::parse_str(id_or_prefix) {
        Ok(id) => q.filter(api_key::Column::Id.eq(id)),
        Err(_) => q.filter(api_key::Column::Prefix.eq(id_or_prefix)),
    };
    let mut found = rows::all(db, q).await?;
    if found.len() > 1 {
        return Err(Error::Conflict(format!(
            "{id_or_prefix:?} names more than one key; use its id"
        )));
    }
    let key = found
        .pop()
        .ok_or_else(|| Error::not_found("api key", id_or_prefix))?;
    let mut am: api_key::ActiveModel = key.into();
    am.revoked_at = Set(Some(Utc::now()));
    Ok(am.update(db).await?)
}

/// The actor behind an `Authorization: Bearer <key>` header; 401 when the
/// header is missing or the key unknown or revoked.
pub async fn authenticate<C: Conn>(db: &C, authorization: Option<&str>) -> Result<Actor> {
    let key = authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| k.starts_with(KEY_PREFIX) && k.len() < 100)
        .ok_or(Error::Unauthenticated)?;
    let q = api_key::Entity::find().filter(api_key::Column::KeyHash.eq(hash(key)));
    let row = rows::one(db, q)
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or(Error::Unauthenticated)?;
    let role = Role::parse(&row.role).ok_or(Error::Unauthenticated)?;
    let actor = Actor {
        key_id: row.id,
        role,
        name: row.name.clone(),
    };
    let mut am: api_key::ActiveModel = row.into();
    am.last_used_at = Set(Some(Utc::now()));
    am.update(db).await?;
    Ok(actor)
}
