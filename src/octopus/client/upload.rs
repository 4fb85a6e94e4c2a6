//! Files over the API: the bodies a request can carry (JSON, or a file in a `multipart/form-data`
//! form, as logos are uploaded) and a downloaded file with its content type.

use serde_json::Value;

/// The body of a request.
#[derive(Clone, Copy)]
pub(super) enum Payload<'a> {
    Json(&'a Value),
    Form(&'a Form),
}

/// A `multipart/form-data` body holding one file, built once and sent as is on every attempt.
pub(super) struct Form {
    /// `multipart/form-data; boundary=…`.
    pub(super) content_type: String,
    pub(super) body: Vec<u8>,
}

impl Form {
    /// One file part, as the Octopus clients send a logo: the part named `field`, the file's name,
    /// and `application/octet-stream` (OctopusClients' `FileUpload`; the server reads the image
    /// type from the bytes).
    pub(super) fn file(field: &str, file_name: &str, bytes: &[u8]) -> Form {
        // A boundary must not occur in the file; a fresh random one practically never does.
        let boundary = loop {
            let b = format!("octosync-{}", uuid::Uuid::new_v4().simple());
            if !bytes.windows(b.len()).any(|w| w == b.as_bytes()) {
                break b;
            }
        };
        let mut body = Vec::with_capacity(bytes.len() + 256);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                quoted(field),
                quoted(file_name)
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Form {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            body,
        }
    }
}

/// A header parameter value without the characters that would end it.
fn quoted(v: &str) -> String {
    v.chars().filter(|c| !matches!(c, '"' | '\r' | '\n' | '\\')).collect()
}

/// A file read from the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The answer's `Content-Type` (empty when it sent none).
    pub content_type: String,
    /// The file, byte for byte.
    pub bytes: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_form_holds_the_file_byte_for_byte_between_its_boundaries() {
        let file = b"\x89PNG\r\n\x1a\n\r\n--octosync-fake\r\n\0\xff";
        let form = Form::file("file", "logo.png", file);
        let boundary = form
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&form.body);
        assert!(text.starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: application/octet-stream\r\n\r\n")), "{text}");
        let start = form.body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let end = form.body.len() - format!("\r\n--{boundary}--\r\n").len();
        assert_eq!(&form.body[start..end], file);
        assert_ne!(Form::file("file", "logo.png", file).content_type, form.content_type);
    }
}
