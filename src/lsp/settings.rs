//! Owns the layering of editor settings: defaults < `verbatim.toml` (read by [`Workspace`]) <
//! `initializationOptions` < `workspace/didChangeConfiguration` (pushed) < `workspace/configuration` (pulled
//! per workspace folder), and showing each distinct settings warning once.
//!
//! [`Workspace`]: crate::workspace::Workspace
use std::collections::HashSet;
use std::sync::Mutex;

use serde_json::Value;

use crate::config::RawSettings;

/// The editor's layers of settings (the file layer belongs to each workspace folder).
#[derive(Default)]
pub struct EditorSettings {
    initialization: Mutex<RawSettings>,
    pushed: Mutex<RawSettings>,
    shown_warnings: Mutex<HashSet<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl EditorSettings {
    /// Reads `initializationOptions`; returns the warnings about them.
    pub fn set_initialization(&self, options: Option<&Value>) -> Vec<String> {
        let Some(options) = options.filter(|v| !v.is_null()) else {
            return Vec::new();
        };
        let (raw, warnings) = RawSettings::from_json(options);
        *lock(&self.initialization) = raw;
        warnings
    }

    /// Reads the settings of a `workspace/didChangeConfiguration` notification (clients that push them).
    pub fn set_pushed(&self, settings: &Value) -> Vec<String> {
        let (raw, warnings) = RawSettings::from_json(settings);
        *lock(&self.pushed) = raw;
        warnings
    }

    /// The editor's settings for a folder whose pulled `workspace/configuration` section is `pulled`.
    pub fn overlay(&self, pulled: &RawSettings) -> RawSettings {
        let mut raw = lock(&self.initialization).clone();
        raw.overlay(&lock(&self.pushed));
        raw.overlay(pulled);
        raw
    }

    /// Keeps the warnings not shown before (and remembers them as shown).
    pub fn unseen_warnings(&self, warnings: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut shown = lock(&self.shown_warnings);
        warnings
            .into_iter()
            .filter(|w| shown.insert(w.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use serde_json::json;

    #[test]
    fn later_layers_win() {
        let settings = EditorSettings::default();
        settings.set_initialization(Some(
            &json!({ "min_words": 6, "severity": { "drift": "error" } }),
        ));
        settings.set_pushed(&json!({ "verbatim": { "min_words": 7 } }));
        let (pulled, _) = RawSettings::from_json(&json!({ "severity.verified": "off" }));
        let (config, warnings) = Config::from_raw(&settings.overlay(&pulled));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.engine.min_words, 7);
        assert_eq!(config.severity.drift, crate::config::Severity::Error);
        assert_eq!(config.severity.verified, crate::config::Severity::Off);
    }

    #[test]
    fn each_warning_is_shown_once() {
        let settings = EditorSettings::default();
        let first = settings.unseen_warnings(vec!["a".to_string(), "b".to_string()]);
        assert_eq!(first, vec!["a", "b"]);
        let second = settings.unseen_warnings(vec!["b".to_string(), "c".to_string()]);
        assert_eq!(second, vec!["c"]);
    }
}
