//! The identity extraction of Markdown and plain text: decoding only (BOM, UTF-16, invalid UTF-8 replaced).

use super::{ExtractError, Extraction, Format};

/// Decodes a text file: UTF-8 (BOM dropped), UTF-16 with a BOM, invalid bytes replaced with U+FFFD (with a
/// warning). A NUL byte in the first 8 KiB of a file without a UTF-16 BOM means a binary file.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<String>), ExtractError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(decode_utf16(rest, u16::from_be_bytes));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(ExtractError::Binary);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(_) => Ok((
            String::from_utf8_lossy(bytes).into_owned(),
            Some("not valid UTF-8; undecodable bytes were replaced with U+FFFD".to_string()),
        )),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, Option<String>) {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut lossy = bytes.len() % 2 == 1;
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    let warning =
        lossy.then(|| "invalid UTF-16; undecodable units were replaced with U+FFFD".to_string());
    (text, warning)
}

/// Markdown or plain text: the decoded file is the text (the map is the identity on the decoded text).
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extraction, ExtractError> {
    let (text, warning) = decode(bytes)?;
    Ok(Extraction::identity(
        format,
        text,
        warning.into_iter().collect(),
    ))
}
