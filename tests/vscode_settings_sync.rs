//! Keeps the VS Code extension's settings (`editors/vscode/package.json` →
//! `contributes.configuration.properties`) equal to the server's (`verbatim::config::settings_schema()`).
//!
//! Client-only keys (`verbatim.server.*`, `verbatim.trace.*`) are skipped. For every other key the two
//! sides must agree on the schema fields that change behaviour: `type`, `default`, `enum`, `items`,
//! `minimum` and `maximum`. Descriptions may differ (the extension can use `markdownDescription`).
//! On failure the message prints the properties the server expects, ready to paste into package.json.

use serde_json::{Map, Value};
use std::path::Path;

/// Schema fields compared between the server and the extension.
const COMPARED_FIELDS: &[&str] = &["type", "default", "enum", "items", "minimum", "maximum"];
const CLIENT_ONLY_PREFIXES: &[&str] = &["verbatim.server.", "verbatim.trace."];

fn package_json_properties() -> Map<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/package.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let manifest: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    manifest
        .pointer("/contributes/configuration/properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{} has no contributes.configuration.properties object",
                path.display()
            )
        })
}

fn server_properties() -> Map<String, Value> {
    match verbatim::config::settings_schema() {
        Value::Object(map) => map,
        other => panic!("settings_schema() must return a JSON object, got {other}"),
    }
}

/// Numbers compare by value (`4` equals `4.0`); everything else structurally.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn is_client_only(key: &str) -> bool {
    CLIENT_ONLY_PREFIXES
        .iter()
        .any(|prefix| key.starts_with(prefix))
}

#[test]
fn vscode_settings_match_server_settings() {
    let server = server_properties();
    let extension: Map<String, Value> = package_json_properties()
        .into_iter()
        .filter(|(key, _)| !is_client_only(key))
        .collect();

    let mut problems = Vec::new();
    for key in server.keys().filter(|key| !extension.contains_key(*key)) {
        problems.push(format!("{key}: the server has it, package.json does not"));
    }
    for key in extension.keys().filter(|key| !server.contains_key(*key)) {
        problems.push(format!("{key}: package.json has it, the server does not"));
    }
    for (key, server_schema) in &server {
        let Some(extension_schema) = extension.get(key) else {
            continue;
        };
        for field in COMPARED_FIELDS {
            let (ours, theirs) = (server_schema.get(*field), extension_schema.get(*field));
            let same = match (ours, theirs) {
                (Some(a), Some(b)) => same_json(a, b),
                (None, None) => true,
                _ => false,
            };
            if !same {
                let show =
                    |v: Option<&Value>| v.map_or_else(|| "(absent)".to_string(), Value::to_string);
                problems.push(format!(
                    "{key}.{field}: server {} ≠ package.json {}",
                    show(ours),
                    show(theirs)
                ));
            }
        }
    }

    if !problems.is_empty() {
        let expected: Map<String, Value> = server
            .iter()
            .map(|(key, schema)| {
                let mut schema = schema.clone();
                if let Some(object) = schema.as_object_mut() {
                    object.retain(|field, _| {
                        COMPARED_FIELDS.contains(&field.as_str()) || field == "description"
                    });
                }
                (key.clone(), schema)
            })
            .collect();
        panic!(
            "editors/vscode/package.json is out of step with verbatim::config::settings_schema():\n  {}\n\n\
             The server's settings, to paste into contributes.configuration.properties \
             (keep the verbatim.server.* and verbatim.trace.* entries):\n{}\n",
            problems.join("\n  "),
            serde_json::to_string_pretty(&Value::Object(expected)).unwrap_or_default()
        );
    }
}

#[test]
fn client_only_settings_are_present() {
    let extension = package_json_properties();
    for key in ["verbatim.server.path", "verbatim.trace.server"] {
        assert!(
            extension.contains_key(key),
            "package.json lacks the client setting {key}"
        );
    }
    assert!(
        !server_properties().keys().any(|key| is_client_only(key)),
        "the server's settings_schema() uses a client-only prefix (verbatim.server. / verbatim.trace.)"
    );
}
