//! The vocabulary of field tables: each kind lists its known fields with their wire type, the
//! default the server fills in, the first version that has them and who may write them. Types come
//! from the server's swagger documents (`reference/openapi/`) and the real payloads.

use serde_json::Value;

/// The wire type of a field, as the server's model binder reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// Anything (free-form JSON the server keeps as it is).
    Any,
    /// A string or null.
    Str,
    /// true or false (a .NET `bool`: null is refused).
    Bool,
    /// A 32-bit integer (a .NET `int`: null is refused).
    Int,
    /// A .NET TimeSpan string such as `"01:00:00"`, or null.
    TimeSpan,
    /// A DateTimeOffset string, or null.
    Date,
    /// One of the named enum's values (case-insensitive on input); null is refused.
    Enum(&'static str, &'static [&'static str]),
    /// A SensitiveValue `{HasValue, NewValue, Hint}`, or null.
    Sensitive,
    /// A PropertyValue: a plain string or a SensitiveValue, or null.
    Property,
    /// An array of the item type (null is the .NET null-collection error).
    List(&'static Ty),
    /// A JSON object with free keys and values of one type (a .NET dictionary).
    Map(&'static Ty),
    /// An object with known members (others are ignored), or null.
    Obj(&'static str, &'static [Member]),
    /// The inner type, or null (a .NET `bool?`, `int?` or nullable enum).
    Opt(&'static Ty),
}

/// A member of a nested object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub name: &'static str,
    pub ty: Ty,
}

/// A member of a nested object type.
pub(crate) const fn m(name: &'static str, ty: Ty) -> Member {
    Member { name, ty }
}

/// An array of strings (ids, names, canonical tag names).
pub(crate) const STRS: Ty = Ty::List(&Ty::Str);
/// `bool?`
pub(crate) const OPT_BOOL: Ty = Ty::Opt(&Ty::Bool);
/// `Dictionary<string, string>`
pub(crate) const STR_MAP: Ty = Ty::Map(&Ty::Str);
/// `Dictionary<string, PropertyValue>`
pub(crate) const PROPERTIES: Ty = Ty::Map(&Ty::Property);

/// Who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writable {
    /// POST and PUT (`[Writeable]`).
    Always,
    /// POST only; a PUT keeps the stored value (`[WriteableOnCreate]`).
    OnCreate,
    /// Never: the server sets it; a write is ignored.
    Never,
}

/// A known top-level field of a kind.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: &'static str,
    pub ty: Ty,
    /// What the server fills in when the field is not sent (None: persisted only when sent).
    pub default: Option<Value>,
    /// The first server version (major, minor) that has the field.
    pub since: (u32, u32),
    pub writable: Writable,
}

/// A field the server always emits, with the default it fills in.
pub(crate) fn field(name: &'static str, ty: Ty, default: Value) -> Field {
    Field {
        name,
        ty,
        default: Some(default),
        since: (0, 0),
        writable: Writable::Always,
    }
}

/// A field the server keeps when sent and never invents.
pub(crate) fn optional(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        default: None,
        since: (0, 0),
        writable: Writable::Always,
    }
}

impl Field {
    /// First present in server version `major.minor`.
    pub fn since(mut self, major: u32, minor: u32) -> Field {
        self.since = (major, minor);
        self
    }

    /// Set by the server; a write is ignored.
    pub fn read_only(mut self) -> Field {
        self.writable = Writable::Never;
        self
    }

    /// Accepted on POST, kept from the stored document on PUT.
    pub fn on_create(mut self) -> Field {
        self.writable = Writable::OnCreate;
        self
    }

    /// A SensitiveValue field: stored, never returned.
    pub fn is_secret(&self) -> bool {
        matches!(self.ty, Ty::Sensitive)
    }

    /// A collection field: a null there fails like .NET LINQ does.
    pub fn is_collection(&self) -> bool {
        matches!(self.ty, Ty::List(_) | Ty::Map(_))
    }
}
