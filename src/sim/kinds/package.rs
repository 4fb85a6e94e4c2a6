//! Packages of the built-in feed (read-only in this simulator; seeded through `SimServer::insert`).

use serde_json::{json, Value};

use super::{Access, NameRule, Spec};
use crate::sim::schema::{field, Field, Ty};

/// The package kind.
pub(crate) struct Package;

impl Spec for Package {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("PackageId", Ty::Str, Value::Null),
            field("Version", Ty::Str, Value::Null),
            field("Title", Ty::Str, Value::Null),
            field("Description", Ty::Str, Value::Null),
            field("FeedId", Ty::Str, json!("feeds-builtin")),
        ]
    }

    fn query(&self) -> &'static str {
        "{?nuGetPackageId,filter,latest,skip,take,includeNotes}"
    }

    fn access(&self) -> Access {
        Access::ReadOnly
    }

    // SW21b has no `packages/all`.
    fn has_all(&self) -> bool {
        false
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }
}
