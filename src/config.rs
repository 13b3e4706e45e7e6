//! Settings in two layers: lenient raw settings (from `verbatim.toml`, LSP options) → a checked [`Config`].
//!
//! Every setting has one entry in [`SETTINGS`]; the raw layer keeps whatever JSON/TOML value was given, and
//! [`Config::from_raw`] checks each against its kind, warning once per bad value and falling back to the
//! default. `settings_schema()` publishes the same table as JSON schema for editor extensions.

use serde_json::{json, Map, Value};

use crate::engine::reuse::ReuseSettings;
use crate::engine::EngineSettings;
use crate::extract::Format;

/// How loudly a verdict is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
    /// Not shown at all.
    Off,
}

impl Severity {
    pub fn parse(name: &str) -> Option<Severity> {
        match name.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            "off" | "none" => Some(Severity::Off),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
            Severity::Off => "off",
        }
    }
}

/// Severity per verdict code.
#[derive(Clone, Debug, PartialEq)]
pub struct Severities {
    pub verified: Severity,
    pub drift: Severity,
    pub unsourced: Severity,
    pub misattributed: Severity,
    pub uncredited: Severity,
}

impl Severities {
    pub fn for_code(&self, code: &str) -> Severity {
        match code {
            "verified" => self.verified,
            "drift" => self.drift,
            "unsourced" => self.unsourced,
            "misattributed" => self.misattributed,
            "uncredited" => self.uncredited,
            _ => Severity::Information,
        }
    }
}

/// How an attribution is written into a Markdown draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributionStyle {
    /// The template's text as it is.
    Text,
    /// The title becomes a Markdown link to the source's url (or its relative path).
    Link,
    /// A footnote reference after the quote and the template's text as the footnote.
    Footnote,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    pub template: String,
    pub style: AttributionStyle,
}

/// The checked configuration every other module reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub engine: EngineSettings,
    /// Globs (relative to the workspace root) of source files.
    pub sources: Vec<String>,
    /// Globs of drafts checked by `verbatim check` when no path is given.
    pub drafts: Vec<String>,
    /// Globs never read, neither as source nor as draft.
    pub exclude: Vec<String>,
    pub severity: Severities,
    pub attribution: Attribution,
    pub code_lens: bool,
    /// Uncredited copying: stretches of prose outside quote marks repeating a source.
    pub reuse: ReuseSettings,
    /// Source formats turned off by `formats.<name> = false`: their files are not sources.
    pub disabled_formats: Vec<Format>,
    /// Inlay hints after each sourced quote (the source's short name and date); off by default.
    pub inlay_hints: bool,
    /// The shared archive's connection string (no password: those come from the environment, `.pgpass` or a
    /// service file); `None` when unset.
    pub archive_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_raw(&RawSettings::default()).0
    }
}

/// The kind of value a setting takes, with its bounds.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Globs,
    Integer { minimum: i64, maximum: i64 },
    Number { minimum: f64, maximum: f64 },
    Boolean,
    Text,
    Choice(&'static [&'static str]),
}

/// One setting: dotted key (as in `verbatim.toml`), kind, default and a sentence for editors' settings UIs.
struct Setting {
    key: &'static str,
    kind: Kind,
    default: fn() -> Value,
    description: &'static str,
}

const SEVERITIES: &[&str] = &["error", "warning", "information", "hint", "off"];

/// Every setting the server and `verbatim check` understand.
const SETTINGS: &[Setting] = &[
    Setting {
        key: "sources",
        kind: Kind::Globs,
        default: || {
            json!([
                "sources/**/*.md",
                "sources/**/*.markdown",
                "sources/**/*.txt",
                "sources/**/*.html",
                "sources/**/*.htm",
                "sources/**/*.pdf",
                "sources/**/*.srt",
                "sources/**/*.vtt",
                "sources/**/*.docx"
            ])
        },
        description: "Globs, relative to the workspace root, of the source articles quotes are checked against.",
    },
    Setting {
        key: "drafts",
        kind: Kind::Globs,
        default: || json!(["**/*.md", "**/*.markdown", "**/*.txt"]),
        description: "Globs of the drafts `verbatim check` reads when given no path (sources are never drafts).",
    },
    Setting {
        key: "exclude",
        kind: Kind::Globs,
        default: || {
            json!([
                "**/.git/**",
                "**/node_modules/**",
                "**/target/**",
                "**/README.md",
                "**/CHANGELOG.md",
                "**/LICENSE*"
            ])
        },
        description: "Globs never read, neither as sources nor as drafts.",
    },
    Setting {
        key: "min_words",
        kind: Kind::Integer { minimum: 1, maximum: 1000 },
        default: || json!(4),
        description: "Quotes with fewer words are ignored (scare quotes, titles).",
    },
    Setting {
        key: "skip_titles",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Quoted phrases of up to ten words in Title Case or ALL CAPS (titles, slogans, headlines) are \
                      names, not quotations: no source containing one is not reported as unsourced.",
    },
    Setting {
        key: "drift_threshold",
        kind: Kind::Number { minimum: 0.05, maximum: 1.0 },
        default: || json!(0.5),
        description: "Share of a quote's words that must align, in order, with a source passage for the quote to \
                      count as drift rather than unsourced.",
    },
    Setting {
        key: "drift_min_matched_words",
        kind: Kind::Integer { minimum: 1, maximum: 1000 },
        default: || json!(3),
        description: "Fewest words that must align with a source passage for a quote to count as drift.",
    },
    Setting {
        key: "bracket_max_words",
        kind: Kind::Integer { minimum: 0, maximum: 50 },
        default: || json!(6),
        description: "Most source words that one [bracketed] editorial insertion may stand for.",
    },
    Setting {
        key: "severity.verified",
        kind: Kind::Choice(SEVERITIES),
        default: || json!("hint"),
        description: "How verified quotes are shown.",
    },
    Setting {
        key: "severity.drift",
        kind: Kind::Choice(SEVERITIES),
        default: || json!("warning"),
        description: "How quotes that drift from their source are shown.",
    },
    Setting {
        key: "severity.unsourced",
        kind: Kind::Choice(SEVERITIES),
        default: || json!("information"),
        description: "How quotes that no source contains are shown.",
    },
    Setting {
        key: "severity.misattributed",
        kind: Kind::Choice(SEVERITIES),
        default: || json!("warning"),
        description: "How a speaker is shown when the source credits the quoted words to someone else.",
    },
    Setting {
        key: "severity.uncredited",
        kind: Kind::Choice(SEVERITIES),
        default: || json!("warning"),
        description: "How uncredited copying (prose repeating a source without quote marks or credit) is shown.",
    },
    Setting {
        key: "misattribution.enabled",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Compare who the draft credits each quote to with who its source credits the words to \
                      (misattributed findings, and the speakers in `--format json`).",
    },
    Setting {
        key: "attribution.template",
        kind: Kind::Text,
        default: || json!(" ({title}, {date})"),
        description: "Text the 'Insert attribution' action adds after a quote: {title}, {date}, {author}, {url}, \
                      {path}, and where the passage is: {page} (PDF), {time} (transcript cue), {speaker} (whom \
                      the source credits), {outlet} (web page's site).",
    },
    Setting {
        key: "attribution.style",
        kind: Kind::Choice(&["text", "link", "footnote"]),
        default: || json!("text"),
        description: "In Markdown drafts: plain text, the title as a link, or a footnote.",
    },
    Setting {
        key: "reuse.enabled",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Report uncredited copying: prose outside quote marks that repeats a source word for word \
                      or nearly, without a credit in the same sentence.",
    },
    Setting {
        key: "reuse.min_words",
        kind: Kind::Integer { minimum: 4, maximum: 1000 },
        default: || json!(8),
        description: "Fewest words in a stretch of copied prose for it to be reported.",
    },
    Setting {
        key: "reuse.min_chars",
        kind: Kind::Integer { minimum: 1, maximum: 10000 },
        default: || json!(40),
        description: "Fewest characters in a stretch of copied prose for it to be reported.",
    },
    Setting {
        key: "formats.html",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Read saved web pages (.html, .htm) as sources: the article's text only.",
    },
    Setting {
        key: "formats.pdf",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Read PDF files as sources: their text layer in reading order.",
    },
    Setting {
        key: "formats.srt",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Read SRT subtitle transcripts as sources: cues joined into continuous speech.",
    },
    Setting {
        key: "formats.vtt",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Read WebVTT transcripts as sources: cues joined into continuous speech.",
    },
    Setting {
        key: "formats.docx",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Read Word documents (.docx) as sources.",
    },
    Setting {
        key: "code_lens",
        kind: Kind::Boolean,
        default: || json!(true),
        description: "Show a summary of the draft's verdicts above its first line, and over each quoted paragraph \
                      of a source how often drafts quote it.",
    },
    Setting {
        key: "inlay_hints.enabled",
        kind: Kind::Boolean,
        default: || json!(false),
        description: "Show the source's short name and date after each sourced quote of a draft (inlay hints).",
    },
    Setting {
        key: "archive.url",
        kind: Kind::Text,
        default: || json!(""),
        description: "The shared PostgreSQL archive quotes are also checked against (postgresql://… or key=value; \
                      no password: use PGPASSWORD, ~/.pgpass or a service file). Empty: no archive.",
    },
];

/// Settings as given, not yet checked: dotted key → value. Unknown keys are kept to be warned about once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawSettings {
    values: Map<String, Value>,
}

impl RawSettings {
    /// Parses `verbatim.toml`. A syntax error yields empty settings and a warning naming the line and column.
    pub fn from_toml_str(text: &str) -> (RawSettings, Vec<String>) {
        match RawSettings::parse_toml(text) {
            Ok(parsed) => parsed,
            Err(error) => (
                RawSettings::default(),
                vec![format!("{error}; using the defaults")],
            ),
        }
    }

    /// Parses `verbatim.toml`: the settings and their warnings, or why the file is not valid TOML (naming the
    /// file, the line and the column: `verbatim.toml is not valid TOML (line 2, column 6): …`).
    pub fn parse_toml(text: &str) -> Result<(RawSettings, Vec<String>), String> {
        match toml::from_str::<toml::Table>(text) {
            Ok(table) => match serde_json::to_value(table) {
                Ok(value) => Ok(RawSettings::from_json(&value)),
                Err(error) => Err(format!("verbatim.toml cannot be read as settings: {error}")),
            },
            Err(error) => {
                let message = error.message().trim_end().to_string();
                let place = error
                    .span()
                    .map(|span| {
                        let mut start = span.start.min(text.len());
                        while !text.is_char_boundary(start) {
                            start -= 1;
                        }
                        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                        let line = text[..start].matches('\n').count() + 1;
                        let column = text[line_start..start].chars().count() + 1;
                        format!(" (line {line}, column {column})")
                    })
                    .unwrap_or_default();
                Err(format!("verbatim.toml is not valid TOML{place}: {message}"))
            }
        }
    }

    /// Reads settings from a JSON object (LSP `initializationOptions` or the `verbatim` configuration
    /// section). Nested tables and dotted keys are both accepted; a top-level `verbatim` key is unwrapped.
    pub fn from_json(value: &Value) -> (RawSettings, Vec<String>) {
        let mut raw = RawSettings::default();
        let mut warnings = Vec::new();
        let value = match value.get("verbatim") {
            Some(inner) if inner.is_object() => inner,
            _ => value,
        };
        match value {
            Value::Object(map) => flatten("", map, &mut raw.values),
            Value::Null => {}
            other => warnings.push(format!(
                "settings must be an object, not {}; using the defaults",
                kind_of(other)
            )),
        }
        (raw, warnings)
    }

    /// Lays `other` over `self`: its values win.
    pub fn overlay(&mut self, other: &RawSettings) {
        for (key, value) in &other.values {
            self.values.insert(key.clone(), value.clone());
        }
    }

    /// Sets one dotted key (used by tests and the command line).
    pub fn set(&mut self, key: &str, value: Value) {
        self.values.insert(key.to_string(), value);
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `key` (dotted) was given.
    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }
}

/// Flattens nested tables into dotted keys, except where a key is itself a setting whose value is a table.
fn flatten(prefix: &str, map: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (key, value) in map {
        let dotted = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) if !SETTINGS.iter().any(|s| s.key == dotted) => {
                flatten(&dotted, inner, out)
            }
            _ => {
                out.insert(dotted, value.clone());
            }
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

/// Checks one value against its setting's kind; `Err` says why it was refused.
fn check(setting: &Setting, value: &Value) -> Result<Value, String> {
    match setting.kind {
        Kind::Globs => {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::String(_) => vec![value],
                other => {
                    return Err(format!(
                        "expected a list of globs, found {}",
                        kind_of(other)
                    ))
                }
            };
            let mut globs = Vec::new();
            for item in items {
                let Some(text) = item.as_str() else {
                    return Err(format!("expected a glob string, found {}", kind_of(item)));
                };
                if let Err(error) = globset::Glob::new(text) {
                    return Err(format!("invalid glob {text:?}: {}", error.kind()));
                }
                globs.push(Value::String(text.to_string()));
            }
            Ok(Value::Array(globs))
        }
        Kind::Integer { minimum, maximum } => match value.as_i64() {
            Some(number) if (minimum..=maximum).contains(&number) => Ok(json!(number)),
            Some(number) => Err(format!("{number} is outside {minimum}..={maximum}")),
            None => Err(format!(
                "expected a whole number, found {}",
                describe(value)
            )),
        },
        Kind::Number { minimum, maximum } => match value.as_f64() {
            Some(number) if number.is_finite() && number >= minimum && number <= maximum => {
                Ok(json!(number))
            }
            Some(number) => Err(format!("{number} is outside {minimum}..={maximum}")),
            None => Err(format!("expected a number, found {}", describe(value))),
        },
        Kind::Boolean => match value {
            Value::Bool(flag) => Ok(json!(flag)),
            other => Err(format!("expected true or false, found {}", describe(other))),
        },
        Kind::Text => match value {
            Value::String(text) => Ok(json!(text)),
            other => Err(format!("expected a string, found {}", describe(other))),
        },
        Kind::Choice(choices) => match value.as_str().map(str::to_ascii_lowercase) {
            Some(text) if choices.contains(&text.as_str()) => Ok(json!(text)),
            Some(text)
                if (setting.key.starts_with("severity.") || setting.key.ends_with(".severity"))
                    && Severity::parse(&text).is_some() =>
            {
                Ok(json!(Severity::parse(&text).map(Severity::name)))
            }
            _ => Err(format!(
                "expected one of {}, found {}",
                choices.join(", "),
                describe(value)
            )),
        },
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => kind_of(other).to_string(),
    }
}

impl Config {
    /// Checks raw settings: each unknown key or bad value gives one warning and its default is used.
    pub fn from_raw(raw: &RawSettings) -> (Config, Vec<String>) {
        let mut warnings = Vec::new();
        for key in raw.values.keys() {
            if !SETTINGS.iter().any(|s| s.key == *key) {
                let hint = SETTINGS
                    .iter()
                    .find(|s| s.key.ends_with(key.rsplit('.').next().unwrap_or(key)))
                    .map(|s| format!(" (did you mean `{}`?)", s.key))
                    .unwrap_or_default();
                warnings.push(format!("unknown setting `{key}` ignored{hint}"));
            }
        }
        let value = |key: &str, warnings: &mut Vec<String>| -> Value {
            let setting = SETTINGS
                .iter()
                .find(|s| s.key == key)
                .expect("every key read below is in SETTINGS");
            match raw.values.get(key) {
                None => (setting.default)(),
                Some(given) => check(setting, given).unwrap_or_else(|why| {
                    let default = (setting.default)();
                    warnings.push(format!(
                        "setting `{key}`: {why}; using the default {default}"
                    ));
                    default
                }),
            }
        };
        let globs = |key: &str, warnings: &mut Vec<String>| -> Vec<String> {
            value(key, warnings)
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let integer = |key: &str, warnings: &mut Vec<String>| {
            value(key, warnings).as_i64().unwrap_or(0) as usize
        };
        let severity = |key: &str, warnings: &mut Vec<String>| {
            value(key, warnings)
                .as_str()
                .and_then(Severity::parse)
                .unwrap_or(Severity::Information)
        };
        let engine = EngineSettings {
            min_words: integer("min_words", &mut warnings),
            drift_threshold: value("drift_threshold", &mut warnings)
                .as_f64()
                .unwrap_or(0.5) as f32,
            drift_min_matched_words: integer("drift_min_matched_words", &mut warnings),
            bracket_max_words: integer("bracket_max_words", &mut warnings),
            attribution: value("misattribution.enabled", &mut warnings)
                .as_bool()
                .unwrap_or(true),
            skip_titles: value("skip_titles", &mut warnings)
                .as_bool()
                .unwrap_or(true),
            ..EngineSettings::default()
        };
        let style = match value("attribution.style", &mut warnings).as_str() {
            Some("link") => AttributionStyle::Link,
            Some("footnote") => AttributionStyle::Footnote,
            _ => AttributionStyle::Text,
        };
        let config = Config {
            engine,
            sources: globs("sources", &mut warnings),
            drafts: globs("drafts", &mut warnings),
            exclude: globs("exclude", &mut warnings),
            severity: Severities {
                verified: severity("severity.verified", &mut warnings),
                drift: severity("severity.drift", &mut warnings),
                unsourced: severity("severity.unsourced", &mut warnings),
                misattributed: severity("severity.misattributed", &mut warnings),
                uncredited: severity("severity.uncredited", &mut warnings),
            },
            attribution: Attribution {
                template: value("attribution.template", &mut warnings)
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                style,
            },
            code_lens: value("code_lens", &mut warnings).as_bool().unwrap_or(true),
            reuse: ReuseSettings {
                enabled: value("reuse.enabled", &mut warnings)
                    .as_bool()
                    .unwrap_or(true),
                min_words: integer("reuse.min_words", &mut warnings),
                min_chars: integer("reuse.min_chars", &mut warnings),
            },
            disabled_formats: [
                Format::Html,
                Format::Pdf,
                Format::Srt,
                Format::Vtt,
                Format::Docx,
            ]
            .into_iter()
            .filter(|format| {
                let key = format!("formats.{}", format.name());
                !value(&key, &mut warnings).as_bool().unwrap_or(true)
            })
            .collect(),
            inlay_hints: value("inlay_hints.enabled", &mut warnings)
                .as_bool()
                .unwrap_or(false),
            archive_url: value("archive.url", &mut warnings)
                .as_str()
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .map(str::to_string),
        };
        (config, warnings)
    }
}

/// The settings as JSON-schema properties keyed `verbatim.<dotted key>`, for editor extensions (the VS Code
/// extension's `contributes.configuration` is kept equal to this by a test).
pub fn settings_schema() -> Value {
    let mut properties = Map::new();
    for setting in SETTINGS {
        let mut schema = Map::new();
        match setting.kind {
            Kind::Globs => {
                schema.insert("type".into(), json!("array"));
                schema.insert("items".into(), json!({"type": "string"}));
            }
            Kind::Integer { minimum, maximum } => {
                schema.insert("type".into(), json!("integer"));
                schema.insert("minimum".into(), json!(minimum));
                schema.insert("maximum".into(), json!(maximum));
            }
            Kind::Number { minimum, maximum } => {
                schema.insert("type".into(), json!("number"));
                schema.insert("minimum".into(), json!(minimum));
                schema.insert("maximum".into(), json!(maximum));
            }
            Kind::Boolean => {
                schema.insert("type".into(), json!("boolean"));
            }
            Kind::Text => {
                schema.insert("type".into(), json!("string"));
            }
            Kind::Choice(choices) => {
                schema.insert("type".into(), json!("string"));
                schema.insert("enum".into(), json!(choices));
            }
        }
        schema.insert("default".into(), (setting.default)());
        schema.insert("description".into(), json!(setting.description));
        properties.insert(format!("verbatim.{}", setting.key), Value::Object(schema));
    }
    Value::Object(properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_no_warnings() {
        let (config, warnings) = Config::from_raw(&RawSettings::default());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.engine, EngineSettings::default());
        assert_eq!(config.severity.drift, Severity::Warning);
        assert_eq!(config.severity.verified, Severity::Hint);
        assert_eq!(config.attribution.template, " ({title}, {date})");
        assert_eq!(config.reuse, ReuseSettings::default());
        assert_eq!(config.severity.uncredited, Severity::Warning);
    }

    #[test]
    fn reuse_settings_layer_and_fall_back() {
        let (mut raw, _) = RawSettings::from_toml_str(
            "[reuse]\nmin_words = 12\n[severity]\nuncredited = \"info\"\n",
        );
        let (options, _) =
            RawSettings::from_json(&json!({"reuse": {"enabled": false, "min_chars": 2}}));
        raw.overlay(&options);
        let (config, warnings) = Config::from_raw(&raw);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            config.reuse,
            ReuseSettings {
                enabled: false,
                min_words: 12,
                min_chars: 2
            }
        );
        assert_eq!(config.severity.uncredited, Severity::Information);
        let (raw, _) = RawSettings::from_toml_str("[reuse]\nmin_words = 2\n");
        let (config, warnings) = Config::from_raw(&raw);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(config.reuse.min_words, 8);
    }

    #[test]
    fn bad_values_warn_once_and_fall_back() {
        let (raw, warnings) = RawSettings::from_toml_str(
            "min_words = -3\ndrift_threshold = \"high\"\nsources = [\"a/[\"]\ncolour = 1\n[severity]\ndrift = \"loud\"\n",
        );
        assert!(warnings.is_empty());
        let (config, warnings) = Config::from_raw(&raw);
        assert_eq!(warnings.len(), 5, "{warnings:?}");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let (raw, warnings) = RawSettings::from_toml_str("min_words = 3\nthis is not toml\n");
        assert!(raw.is_empty());
        assert!(warnings[0].contains("line 2, column 6"), "{warnings:?}");
        let error =
            RawSettings::parse_toml("min_words = 3\nsources = [\"a\" \"b\"]\n").unwrap_err();
        assert!(
            error.starts_with("verbatim.toml is not valid TOML (line 2, column 16): "),
            "{error}"
        );
    }

    #[test]
    fn json_layers_overlay_toml() {
        let (mut raw, _) =
            RawSettings::from_toml_str("min_words = 3\n[severity]\nverified = \"off\"\n");
        let (options, _) = RawSettings::from_json(
            &json!({"verbatim": {"min_words": 6, "severity.drift": "error"}}),
        );
        raw.overlay(&options);
        let (config, warnings) = Config::from_raw(&raw);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.engine.min_words, 6);
        assert_eq!(config.severity.verified, Severity::Off);
        assert_eq!(config.severity.drift, Severity::Error);
    }

    #[test]
    fn schema_lists_every_setting() {
        let schema = settings_schema();
        assert_eq!(schema.as_object().map(Map::len), Some(SETTINGS.len()));
        assert_eq!(
            schema["verbatim.severity.drift"]["default"],
            json!("warning")
        );
    }
}
