//! Reading a `multipart/form-data` body (RFC 7578): what a logo upload is. Only what an upload
//! needs: the parts, each with its name, file name, content type and bytes.

/// One part of a form.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// `name` of its `Content-Disposition`.
    pub name: Option<String>,
    /// `filename` of its `Content-Disposition`: set for a file.
    pub file_name: Option<String>,
    /// Its `Content-Type` header.
    pub content_type: Option<String>,
    /// Its bytes, exactly as sent.
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type, quoted or not; `None` for any other type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| unquote(v.trim()).to_string())
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// The parts of `body`, delimited by `boundary`.
pub(crate) fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    // The first delimiter opens the body or follows a preamble's line break.
    let mut at = match find(body, &delimiter, 0) {
        Some(0) => 0,
        Some(_) => {
            let mut inner = b"\r\n".to_vec();
            inner.extend_from_slice(&delimiter);
            find(body, &inner, 0).ok_or("no boundary opens the form")? + 2
        }
        None => return Err("no boundary opens the form".into()),
    };
    let mut closing = b"\r\n".to_vec();
    closing.extend_from_slice(&delimiter);
    let mut parts = Vec::new();
    loop {
        let mut i = at + delimiter.len();
        if body[i..].starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding may follow a delimiter before its line break.
        while matches!(body.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if !body[i..].starts_with(b"\r\n") {
            return Err("a boundary is not followed by a line break".into());
        }
        let head_start = i + 2;
        let (headers, data_start) = if body[head_start..].starts_with(b"\r\n") {
            ("", head_start + 2)
        } else {
            let end = find(body, b"\r\n\r\n", head_start).ok_or("a part's headers do not end")?;
            let text =
                std::str::from_utf8(&body[head_start..end]).map_err(|_| "a part's headers are not text".to_string())?;
            (text, end + 4)
        };
        let data_end = find(body, &closing, data_start).ok_or("the form ends before its closing boundary")?;
        parts.push(part(headers, &body[data_start..data_end]));
        at = data_end + 2;
    }
}

fn part<'a>(headers: &str, data: &'a [u8]) -> Part<'a> {
    let mut p = Part {
        name: None,
        file_name: None,
        content_type: None,
        data,
    };
    for line in headers.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if key.trim().eq_ignore_ascii_case("content-type") {
            p.content_type = Some(value.to_string());
        } else if key.trim().eq_ignore_ascii_case("content-disposition") {
            // `form-data; name="file"; filename="logo.png"`; .NET leaves simple values unquoted.
            for param in value.split(';').skip(1) {
                let Some((k, v)) = param.split_once('=') else { continue };
                let v = unquote(v.trim()).to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => p.name = Some(v),
                    "filename" => p.file_name = Some(v),
                    _ => {}
                }
            }
        }
    }
    p
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(v)
}

/// The first position at or after `from` where `needle` occurs.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_is_read_quoted_or_not_and_only_from_a_form() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a1-b2\"").as_deref(),
            Some("a1-b2")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;boundary=xyz; charset=utf-8").as_deref(),
            Some("xyz")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn a_dotnet_style_form_gives_its_file_byte_for_byte() {
        // As .NET's MultipartFormDataContent writes it: a preamble-free body, unquoted parameters,
        // and file bytes that themselves hold line breaks and dashes.
        let file: &[u8] = b"\x89PNG\r\n\x1a\n--not-the-boundary\r\n\r\nend";
        let mut body = b"--b7c2\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=file; filename=logo.png; filename*=utf-8''logo.png\r\n\r\n".to_vec();
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n--b7c2--\r\n");
        let parts = parts(&body, "b7c2").unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name.as_deref(), Some("file"));
        assert_eq!(parts[0].file_name.as_deref(), Some("logo.png"));
        assert_eq!(parts[0].content_type.as_deref(), Some("application/octet-stream"));
        assert_eq!(parts[0].data, file);
    }

    #[test]
    fn several_parts_after_a_preamble_are_read_in_order() {
        let body = b"ignored preamble\r\n--xx\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--xx  \r\nContent-Disposition: form-data; name=\"fileData\"; filename=\"TempImage.tmp\"\r\n\r\nGIF89a\r\n--xx--";
        let parts = parts(body, "xx").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_deref(), parts[0].data), (Some("note"), &b"hello"[..]));
        assert_eq!(parts[1].file_name.as_deref(), Some("TempImage.tmp"));
        assert_eq!(parts[1].data, b"GIF89a");
    }

    #[test]
    fn a_form_cut_short_or_without_its_boundary_is_refused() {
        assert!(parts(b"--xx\r\nContent-Disposition: form-data; name=f\r\n\r\nabc", "xx").is_err());
        assert!(parts(b"just bytes", "xx").is_err());
        assert!(parts(b"--xx\r\nno blank line", "xx").is_err());
    }
}
