//! The workspace root rule (`workspace::find_root`) on the cases every implementation shares:
//! `fixtures/roots/cases.txt`, also run by the Neovim plugin's and the Emacs package's tests.
use std::fs;
use std::path::{Path, PathBuf};

/// The tree a case file builds and the questions it asks: `(path, expected root)`, relative paths.
pub fn build_cases(base: &Path) -> Vec<(String, Option<String>)> {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/roots/cases.txt"))
            .unwrap();
    let mut asks = Vec::new();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["dir", path] => fs::create_dir_all(base.join(path)).unwrap(),
            ["file", path] => {
                let path = base.join(path);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, "").unwrap();
            }
            ["root", path, root] => {
                asks.push((path.to_string(), (*root != "-").then(|| root.to_string())))
            }
            _ => panic!("fixtures/roots/cases.txt: cannot read {line:?}"),
        }
    }
    asks
}

#[test]
fn find_root_follows_the_shared_cases() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let asks = build_cases(&base);
    assert!(asks.len() >= 10);
    for (path, expected) in asks {
        let found = verbatim::workspace::find_root(&base.join(&path));
        assert_eq!(
            found,
            expected.as_ref().map(|root| base.join(root)),
            "the root of {path}"
        );
        // Outside every workspace, a lone file's folder (or the folder itself) is the root.
        let fallback: PathBuf = verbatim::workspace::root_for(&base.join(&path));
        let folder = if base.join(&path).is_dir() {
            base.join(&path)
        } else {
            base.join(&path).parent().unwrap().to_path_buf()
        };
        assert_eq!(
            fallback,
            expected.map_or(folder, |root| base.join(root)),
            "the fallback root of {path}"
        );
    }
}
