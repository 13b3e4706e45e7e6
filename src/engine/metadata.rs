//! A source's metadata: title, date, author and url from its front matter, else the first non-empty line.

use super::TextFormat;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceMetadata {
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
}

/// Reads the metadata of a source text. YAML (`---`) and TOML (`+++`) front matter are read for top-level
/// `title`, `date`, `author` and `url` scalars; without a title, the first non-empty line (outside front
/// matter, Markdown heading marks removed) is the title.
pub fn parse_metadata(text: &str, format: TextFormat) -> SourceMetadata {
    let mut metadata = SourceMetadata::default();
    let (front_matter, body) = split_front_matter(text);
    let toml_fenced = text
        .strip_prefix('\u{FEFF}')
        .unwrap_or(text)
        .starts_with("+++");
    if toml_fenced {
        read_toml(front_matter, &mut metadata);
    }
    for line in front_matter.lines().filter(|_| !toml_fenced) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.starts_with([' ', '\t']) {
            continue;
        }
        set_field(&mut metadata, key, unquote(value.trim()));
    }
    if metadata.title.is_empty() {
        let line = body
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default();
        let line = if format == TextFormat::Markdown {
            line.trim_start_matches('#').trim()
        } else {
            line
        };
        metadata.title = line.chars().take(200).collect();
    }
    metadata
}

/// Sets the field a front matter key names (case-insensitive); empty values are skipped.
fn set_field(metadata: &mut SourceMetadata, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    match key.trim().to_ascii_lowercase().as_str() {
        "title" => metadata.title = value.to_string(),
        "date" | "published" => metadata.date = Some(value.to_string()),
        "author" | "byline" | "outlet" => metadata.author = Some(value.to_string()),
        "url" | "link" | "source_url" => metadata.url = Some(value.to_string()),
        _ => {}
    }
}

/// Reads TOML front matter (`+++`) with a TOML parser: strings, dates and numbers at the top level. Invalid
/// TOML gives no metadata (the first line is the title then).
fn read_toml(front_matter: &str, metadata: &mut SourceMetadata) {
    let Ok(table) = front_matter.parse::<toml::Table>() else {
        return;
    };
    for (key, value) in &table {
        let text = match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Datetime(date) => date.to_string(),
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(n) => n.to_string(),
            _ => continue,
        };
        set_field(metadata, key, text.trim());
    }
}

/// Splits off front matter: `(front matter without its fences, the rest)`.
pub fn split_front_matter(text: &str) -> (&str, &str) {
    let text_start = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for fence in ["---", "+++"] {
        let Some(rest) = text_start.strip_prefix(fence) else {
            continue;
        };
        let Some(rest) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        else {
            continue;
        };
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            if line.trim_end() == fence || (fence == "---" && line.trim_end() == "...") {
                return (&rest[..offset], &rest[offset + line.len()..]);
            }
            offset += line.len();
        }
    }
    ("", text)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_wins() {
        let text = "---\ntitle: \"China reveals position\"\ndate: 2022-02-04\nauthor: RT\n---\n\n# Heading\n";
        let metadata = parse_metadata(text, TextFormat::Markdown);
        assert_eq!(metadata.title, "China reveals position");
        assert_eq!(metadata.date.as_deref(), Some("2022-02-04"));
        assert_eq!(metadata.author.as_deref(), Some("RT"));
    }

    #[test]
    fn toml_front_matter_keeps_values_with_colons() {
        let text = "+++\ntitle = \"Vote: a count\"\nurl = \"https://example.com/a?b=c\"\ndate = 2024-11-05\n\
                    author = 'AP'\n[extra]\ntitle = \"not this\"\n+++\nBody\n";
        let metadata = parse_metadata(text, TextFormat::Markdown);
        assert_eq!(metadata.title, "Vote: a count");
        assert_eq!(metadata.url.as_deref(), Some("https://example.com/a?b=c"));
        assert_eq!(metadata.date.as_deref(), Some("2024-11-05"));
        assert_eq!(metadata.author.as_deref(), Some("AP"));
    }

    #[test]
    fn first_line_otherwise() {
        assert_eq!(
            parse_metadata("\n\n# China, like Russia\n\nBody", TextFormat::Markdown).title,
            "China, like Russia"
        );
        assert_eq!(
            parse_metadata(
                "+++\ndate = \"x\"\n+++\nFirst line\n",
                TextFormat::PlainText
            )
            .title,
            "First line"
        );
    }
}
