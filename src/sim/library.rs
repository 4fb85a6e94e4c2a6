//! The community library's operations (reference §2.12): filling the catalogue (and each entry's
//! logo) as a library sync from library.octopus.com would, and installing an entry into a space or bringing an installed
//! one up to the library's version. Installation goes through the write pipeline, so the step
//! template it makes obeys the same rules as a POST (a name taken in the space is refused).

use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::kind::Kind;
use super::kinds::community_action_template::{self as community, CommunityLibrary};
use super::logos;
use super::pipeline;
use super::store::{str_of, Doc, Store};

/// Fills (or refreshes) the server's catalogue with an edition of the built-in one, as the
/// server's library sync does: an entry it already has (by name) is updated in place and keeps
/// its id; a new one is added; one the edition lacks stays (a sync never removes an entry).
pub(crate) fn sync_catalogue(store: &mut Store, edition: CommunityLibrary) -> ApiResult<()> {
    for body in community::catalogue(edition) {
        let name = body["Name"].as_str().unwrap_or("").to_string();
        let existing = store
            .list("", Kind::CommunityActionTemplate)
            .iter()
            .find(|d| str_of(d, "Name").eq_ignore_ascii_case(&name))
            .map(|d| str_of(d, "Id").to_string());
        let id = match existing {
            Some(id) => {
                if let (Some(doc), Value::Object(fields)) =
                    (store.get_mut("", Kind::CommunityActionTemplate, &id), body)
                {
                    doc.extend(fields);
                }
                id
            }
            None => {
                let created = pipeline::create_any(store, "", Kind::CommunityActionTemplate, body)?;
                str_of(&created, "Id").to_string()
            }
        };
        logos::set_catalogue_logo(store, &id, &name);
    }
    Ok(())
}

/// `POST /communityactiontemplates/{id}/installation/{spaceId}`: a step template in `space` made
/// from the entry, at the entry's version.
pub(crate) fn install(store: &mut Store, space: &str, entry_id: &str) -> ApiResult<Doc> {
    let entry = entry(store, entry_id)?;
    if community::installed_in(store.list(space, Kind::ActionTemplate), str_of(&entry, "Id")).is_some() {
        return Err(ApiError::invalid("Action Template already installed."));
    }
    let created = pipeline::create(store, space, Kind::ActionTemplate, community::installation_body(&entry))?;
    let id = str_of(&created, "Id").to_string();
    logos::install_from_library(store, space, &id, str_of(&entry, "Id"));
    stamp(store, space, &id, &entry)
}

/// `PUT /communityactiontemplates/{id}/installation/{spaceId}`: the installed step template
/// brought to the entry's content and version.
pub(crate) fn update(store: &mut Store, space: &str, entry_id: &str) -> ApiResult<Doc> {
    let entry = entry(store, entry_id)?;
    let id = community::installed_in(store.list(space, Kind::ActionTemplate), str_of(&entry, "Id"))
        .map(|t| str_of(t, "Id").to_string())
        .ok_or_else(|| ApiError::invalid("Action template not yet installed."))?;
    logos::install_from_library(store, space, &id, str_of(&entry, "Id"));
    stamp(store, space, &id, &entry)
}

/// The step template of `space` installed from `entry_id` (`GET …/actiontemplate/{spaceId}`).
pub(crate) fn installed(store: &Store, space: &str, entry_id: &str) -> ApiResult<Doc> {
    let entry = entry(store, entry_id)?;
    community::installed_in(store.list(space, Kind::ActionTemplate), str_of(&entry, "Id"))
        .cloned()
        .ok_or_else(ApiError::not_found)
}

fn entry(store: &Store, entry_id: &str) -> ApiResult<Doc> {
    store
        .get("", Kind::CommunityActionTemplate, entry_id)
        .cloned()
        .ok_or_else(ApiError::not_found)
}

fn stamp(store: &mut Store, space: &str, template_id: &str, entry: &Doc) -> ApiResult<Doc> {
    let user = store.user_name.clone();
    let doc = store
        .get_mut(space, Kind::ActionTemplate, template_id)
        .ok_or_else(ApiError::not_found)?;
    community::bring_to(doc, entry, &user);
    Ok(doc.clone())
}
