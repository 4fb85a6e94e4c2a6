//! `…/{id}/logo` of spaces, projects, tenants, step templates and community library entries
//! (SW21b: GET, and POST or PUT of a `multipart/form-data` file), and a step type's logo
//! (`/actiontemplates/{typeOrId}/logo`, as the root's `ActionTemplateLogo` link names it).

use super::{Call, Content, Reply};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::logos;
use crate::sim::multipart;
use crate::sim::pipeline;

/// `GET/POST/PUT …/{kind}/{id}/logo` of a document the caller found.
pub(super) fn logo(call: &mut Call, kind: Kind, id: &str) -> ApiResult<Reply> {
    match call.method {
        "GET" => Ok(image(logos::get(call.store, &call.space, kind, id))),
        // The library is read-only: its logos come from library.octopus.com.
        "POST" | "PUT" if kind != Kind::CommunityActionTemplate => {
            upload(call, kind, id)?;
            // QUESTION: the body of a real upload's answer is not shown anywhere (SW21b: "200 OK",
            // no schema; OctopusClients does not read it); an empty one is sent.
            Ok(Reply::empty(200))
        }
        m => Err(ApiError::method_not_allowed(m)),
    }
}

/// `/actiontemplates/{typeOrId}/logo`: a step template's logo, or a step type's (`Octopus.Script`),
/// which is what a template shows until a logo is uploaded for it.
pub(super) fn action_template(call: &mut Call, type_or_id: &str) -> ApiResult<Reply> {
    let is_id = type_or_id
        .to_ascii_lowercase()
        .starts_with(&format!("{}-", Kind::ActionTemplate.id_prefix().to_ascii_lowercase()));
    if is_id {
        let id = crate::sim::store::str_of(
            pipeline::visible(call.store, &call.space, Kind::ActionTemplate, type_or_id)?,
            "Id",
        )
        .to_string();
        return logo(call, Kind::ActionTemplate, &id);
    }
    // QUESTION: what a real server answers for a step type it does not know is not shown anywhere;
    // every type shows the default image here.
    call.only("GET")?;
    Ok(image(logos::default_logo()))
}

fn image(logo: logos::Logo) -> Reply {
    Reply {
        status: 200,
        body: Content::Image(logo.content_type, logo.bytes),
    }
}

/// Keeps the form's file as the document's logo. Real clients differ in the part's name (`file`
/// in OctopusClients, `fileData` in SpaceCloner), its file name and its content type, so the first
/// file part is taken whatever it is called, and its type is told from its bytes.
// QUESTION: the status and message of a body that is not a form are not shown anywhere; 400 is sent.
fn upload(call: &mut Call, kind: Kind, id: &str) -> ApiResult<()> {
    let boundary = call
        .content_type
        .and_then(multipart::boundary)
        .ok_or_else(|| ApiError::invalid("The logo must be uploaded as a file in a multipart/form-data request."))?;
    let parts = multipart::parts(call.raw, &boundary)
        .map_err(|e| ApiError::invalid(format!("The uploaded form could not be read: {e}.")))?;
    let file = parts
        .iter()
        .find(|p| p.file_name.is_some())
        .ok_or_else(|| ApiError::invalid("No file was uploaded."))?;
    logos::set(call.store, &call.space, kind, id, file.data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::super::{handle, Request};
    use crate::sim::image::solid_png;
    use crate::sim::kinds::community_action_template::CommunityLibrary;
    use crate::sim::logos::DEFAULT_PNG;
    use crate::sim::seed;
    use crate::sim::store::{str_of, Store};
    use crate::sim::Seed;
    use crate::sim::{kind::Kind, library, pipeline};
    use serde_json::json;

    const KEY: &str = "API-LOGOTEST0000000000000000000001";

    fn store() -> Store {
        let mut store = Store::new("2024.3.10989", 30);
        seed::build(&mut store, "Default", Seed::Empty, CommunityLibrary::Current).unwrap();
        store
    }

    fn template(store: &mut Store, name: &str) -> String {
        let doc = pipeline::create(
            store,
            "Spaces-1",
            Kind::ActionTemplate,
            json!({"Name": name, "ActionType": "Octopus.Script", "Properties": {}}),
        )
        .unwrap();
        str_of(&doc, "Id").to_string()
    }

    struct Answer {
        status: u16,
        content_type: Option<&'static str>,
        bytes: Vec<u8>,
    }

    fn send(store: &mut Store, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Answer {
        let req = Request {
            method,
            path,
            query: None,
            api_key: Some(KEY),
            content_type,
            body,
        };
        let reply = handle(store, KEY, &req);
        match reply.body {
            super::Content::Image(t, bytes) => Answer {
                status: reply.status,
                content_type: Some(t),
                bytes,
            },
            super::Content::Json(v) => Answer {
                status: reply.status,
                content_type: None,
                bytes: v.to_string().into_bytes(),
            },
            _ => Answer {
                status: reply.status,
                content_type: None,
                bytes: vec![],
            },
        }
    }

    /// A form as OctopusClients sends it: one part named `file`, `application/octet-stream`.
    fn form(file: &[u8]) -> (String, Vec<u8>) {
        let mut body = b"--Xb1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=file; filename=logo.png\r\n\r\n".to_vec();
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n--Xb1--\r\n");
        ("multipart/form-data; boundary=\"Xb1\"".to_string(), body)
    }

    fn get(store: &mut Store, path: &str) -> Answer {
        send(store, "GET", path, None, b"")
    }

    #[test]
    fn a_template_shows_the_default_logo_until_one_is_uploaded_and_then_that_one_byte_for_byte() {
        let mut store = store();
        let id = template(&mut store, "Notify");
        let path = format!("/api/Spaces-1/actiontemplates/{id}/logo");
        let before = get(&mut store, &path);
        assert_eq!((before.status, before.content_type), (200, Some("image/png")));
        assert_eq!(before.bytes, DEFAULT_PNG);

        let png = solid_png([200, 30, 30, 255]);
        let (ct, body) = form(&png);
        assert_eq!(send(&mut store, "POST", &path, Some(&ct), &body).status, 200);
        let after = get(&mut store, &path);
        assert_eq!(after.bytes, png);
        assert_eq!(after.content_type, Some("image/png"));
        // The legacy route without a space reaches the same template.
        assert_eq!(get(&mut store, &format!("/api/actiontemplates/{id}/logo")).bytes, png);

        // The same bytes again (a retried upload) leave the same logo; PUT replaces like POST.
        assert_eq!(send(&mut store, "POST", &path, Some(&ct), &body).status, 200);
        assert_eq!(get(&mut store, &path).bytes, png);
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let (ct, body) = form(&gif);
        assert_eq!(send(&mut store, "PUT", &path, Some(&ct), &body).status, 200);
        let replaced = get(&mut store, &path);
        assert_eq!((replaced.content_type, replaced.bytes), (Some("image/gif"), gif));

        // Another template keeps the default.
        let other = template(&mut store, "Other");
        assert_eq!(
            get(&mut store, &format!("/api/Spaces-1/actiontemplates/{other}/logo")).bytes,
            DEFAULT_PNG
        );
    }

    #[test]
    fn a_step_types_logo_is_the_default_a_template_shows_and_an_unknown_template_is_not_found() {
        let mut store = store();
        let by_type = get(&mut store, "/api/Spaces-1/actiontemplates/Octopus.Script/logo");
        assert_eq!((by_type.status, by_type.bytes), (200, DEFAULT_PNG.to_vec()));
        assert_eq!(
            get(&mut store, "/api/Spaces-1/actiontemplates/ActionTemplates-999/logo").status,
            404
        );
        let (ct, body) = form(&solid_png([1, 1, 1, 255]));
        assert_eq!(
            send(
                &mut store,
                "POST",
                "/api/Spaces-1/actiontemplates/Octopus.Script/logo",
                Some(&ct),
                &body
            )
            .status,
            405,
            "a step type's logo is the server's own"
        );
    }

    #[test]
    fn an_upload_that_is_not_an_image_in_a_form_is_refused_and_changes_nothing() {
        let mut store = store();
        let id = template(&mut store, "Notify");
        let path = format!("/api/Spaces-1/actiontemplates/{id}/logo");
        let (ct, body) = form(b"<html>not an image</html>");
        let refused = send(&mut store, "POST", &path, Some(&ct), &body);
        assert_eq!(refused.status, 400);
        assert!(String::from_utf8_lossy(&refused.bytes).contains("Invalid image provided."));
        let png = solid_png([5, 5, 5, 255]);
        let json = send(&mut store, "POST", &path, Some("application/json"), b"{}");
        assert_eq!(json.status, 400);
        let (_, body) = form(&png);
        let cut = send(
            &mut store,
            "POST",
            &path,
            Some("multipart/form-data; boundary=Xb1"),
            &body[..body.len() - 12],
        );
        assert_eq!(cut.status, 400);
        assert_eq!(get(&mut store, &path).bytes, DEFAULT_PNG);
    }

    #[test]
    fn the_library_serves_each_entrys_own_logo_and_an_installed_template_shows_it() {
        let mut store = store();
        let entries: Vec<(String, String)> = store
            .list("", Kind::CommunityActionTemplate)
            .iter()
            .map(|e| (str_of(e, "Id").to_string(), str_of(e, "Name").to_string()))
            .collect();
        assert!(entries.len() >= 2);
        let logos: Vec<Vec<u8>> = entries
            .iter()
            .map(|(id, _)| get(&mut store, &format!("/api/communityactiontemplates/{id}/logo")).bytes)
            .collect();
        assert!(logos.iter().all(|l| l.as_slice() != DEFAULT_PNG));
        assert_ne!(logos[0], logos[1], "each entry has its own logo");

        let (entry, _) = &entries[0];
        let installed = library::install(&mut store, "Spaces-1", entry).unwrap();
        let path = format!("/api/Spaces-1/actiontemplates/{}/logo", str_of(&installed, "Id"));
        assert_eq!(get(&mut store, &path).bytes, logos[0]);
        let (ct, body) = form(&solid_png([1, 2, 3, 255]));
        assert_eq!(
            send(
                &mut store,
                "POST",
                &format!("/api/communityactiontemplates/{entry}/logo"),
                Some(&ct),
                &body
            )
            .status,
            405,
            "the library is read-only"
        );
    }

    #[test]
    fn tenant_project_and_space_logos_keep_working() {
        let mut store = store();
        let tenant = pipeline::create(&mut store, "Spaces-1", Kind::Tenant, json!({"Name": "Acme"})).unwrap();
        let path = format!("/api/Spaces-1/tenants/{}/logo", str_of(&tenant, "Id"));
        assert_eq!(get(&mut store, &path).bytes, DEFAULT_PNG);
        let png = solid_png([0, 90, 0, 255]);
        let (ct, body) = form(&png);
        assert_eq!(send(&mut store, "PUT", &path, Some(&ct), &body).status, 200);
        assert_eq!(get(&mut store, &path).bytes, png);
        let space = get(&mut store, "/api/spaces/Spaces-1/logo");
        assert_eq!((space.status, space.bytes), (200, DEFAULT_PNG.to_vec()));
        assert_eq!(get(&mut store, "/api/Spaces-1/tenants/Tenants-999/logo").status, 404);
    }
}
