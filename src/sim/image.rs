//! Images for logos: telling an uploaded file's type from its first bytes (what an upload is
//! accepted as), and small PNGs of one colour (the catalogue's logos, test and demo data).

/// The PNG file signature.
const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The content type of an image file, told from its first bytes; `None` for anything else.
// QUESTION: which formats a real server accepts as a logo ("Invalid image provided.") is not
// shown anywhere; the web formats a browser shows are assumed. Real clients send the part as
// `application/octet-stream` with any file name (OctopusClients `FileUpload`, SpaceCloner's
// `.tmp` file), so the server must look at the bytes, as this does.
pub(crate) fn content_type_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(PNG_SIGNATURE) {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 1024)];
    let svg = head.starts_with(b"<svg")
        || ((head.starts_with(b"<?xml") || head.starts_with(b"<!--")) && contains(head, b"<svg"));
    svg.then_some("image/svg+xml")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A valid 1×1 PNG of one colour (RGBA): small, and a different file for every colour.
pub fn solid_png(rgba: [u8; 4]) -> Vec<u8> {
    let mut png = PNG_SIGNATURE.to_vec();
    // Width 1, height 1, 8 bits per channel, truecolour with alpha, no interlace.
    chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    // One scanline: filter type 0, then the pixel; stored in one uncompressed deflate block.
    let raw = [0, rgba[0], rgba[1], rgba[2], rgba[3]];
    let len = raw.len() as u16;
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (IEEE 802.3), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Adler-32, as a zlib stream ends with it.
fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_png_has_the_header_checksum_a_real_encoder_writes() {
        let png = solid_png([0, 0, 0, 0]);
        // The IHDR chunk of any 1×1 RGBA PNG, checksum included (as libpng writes it).
        let ihdr: &[u8] = &[
            0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
            0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
        ];
        assert_eq!(&png[8..33], ihdr);
        assert!(png.ends_with(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]));
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_ne!(solid_png([1, 2, 3, 255]), solid_png([1, 2, 4, 255]));
    }

    #[test]
    fn an_image_is_told_by_its_bytes_and_anything_else_is_not_an_image() {
        assert_eq!(content_type_of(&solid_png([9, 9, 9, 255])), Some("image/png"));
        assert_eq!(content_type_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(content_type_of(b"GIF89a\x01\x00"), Some("image/gif"));
        assert_eq!(content_type_of(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            content_type_of(b"\n<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        for not_an_image in [
            &b"{\"Name\": \"x\"}"[..],
            b"<html><body>proxy</body></html>",
            b"",
            b"\x89PN",
        ] {
            assert_eq!(content_type_of(not_an_image), None, "{not_an_image:?}");
        }
    }
}
