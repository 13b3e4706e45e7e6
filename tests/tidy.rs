//! Checks the architecture's invariants on the source tree: every module says what it owns, the engine is
//! pure, protocol types stay in `src/lsp/`, only `src/workspace/` touches the filesystem, and no modules
//! import each other in a cycle. Sources are parsed (`syn`), so imports are read as the compiler reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)
        .expect("src/ is readable")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn source_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"))
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("source files are UTF-8");
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, text)
        })
        .collect()
}

/// The code of a file without its `#[cfg(test)]` module (tests may use anything).
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn every_module_starts_with_a_doc_line() {
    for (path, text) in source_files() {
        assert!(
            text.starts_with("//!"),
            "{path} must start with a `//!` line saying what it owns"
        );
    }
}

/// Asserts that no file selected by `scope` uses any of `forbidden` outside its tests.
fn assert_none_use(scope: impl Fn(&str) -> bool, forbidden: &[&str], rule: &str) {
    for (path, text) in source_files().into_iter().filter(|(p, _)| scope(p)) {
        let code = non_test_code(&text);
        for word in forbidden {
            assert!(!code.contains(word), "{path} uses {word}: {rule}");
        }
    }
}

#[test]
fn the_engine_is_pure() {
    assert_none_use(
        |p| p.starts_with("src/engine/"),
        &[
            "tower_lsp",
            "tokio",
            "dashmap",
            "serde_json",
            "std::fs",
            "std::net",
            "std::process",
            "File::",
        ],
        "the engine must stay pure",
    );
}

#[test]
fn protocol_types_live_in_lsp() {
    assert_none_use(
        |p| !p.starts_with("src/lsp/"),
        &["tower_lsp_server", "ls_types"],
        "protocol types belong in src/lsp/",
    );
}

#[test]
fn only_the_workspace_reads_files() {
    assert_none_use(
        |p| !p.starts_with("src/workspace/"),
        &["std::fs", "fs::read", "File::open", "read_dir", "walkdir"],
        "only src/workspace/ touches the filesystem",
    );
}

/// A module of the crate: its path (`["engine", "check"]`), the file it is in, and what it refers to.
struct Module {
    path: Vec<String>,
    file: String,
    /// Every `use` path (flattened: `use a::{b, c}` gives `a::b` and `a::c`) and every path written in code
    /// that starts with `crate`, `super` or `self`, outside `#[cfg(test)]` items.
    paths: Vec<Vec<String>>,
    /// `pub use` re-exports: name → the path it stands for.
    reexports: BTreeMap<String, Vec<String>>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// Flattens a use tree into paths (a glob keeps its prefix; a rename keeps the original name).
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let name = name.ident.to_string();
            let mut path = prefix.clone();
            if name != "self" {
                path.push(name.clone());
            }
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name
            };
            out.push((path, alias));
        }
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            if rename.ident != "self" {
                path.push(rename.ident.to_string());
            }
            out.push((path, rename.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), "*".into())),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

/// Collects a file's imports and module-relative paths, skipping `#[cfg(test)]` items.
#[derive(Default)]
struct Collector {
    paths: Vec<Vec<String>>,
    reexports: BTreeMap<String, Vec<String>>,
    /// Inline modules (`mod name { … }`) are not followed: their paths would be relative to them.
    depth: usize,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Trait(t) => &t.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_test_only(attrs) {
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.depth += 1;
            syn::visit::visit_item_mod(self, item);
            self.depth -= 1;
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if self.depth > 0 {
            return;
        }
        let mut flat = Vec::new();
        flatten_use(&item.tree, &mut Vec::new(), &mut flat);
        let public = !matches!(item.vis, syn::Visibility::Inherited);
        for (path, alias) in flat {
            if public && alias != "*" {
                self.reexports.insert(alias, path.clone());
            }
            self.paths.push(path);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if self.depth == 0
            && segments.len() > 1
            && matches!(segments[0].as_str(), "crate" | "super" | "self")
        {
            self.paths.push(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// Every module of the library (not the binary's `main.rs`), parsed.
fn modules() -> Vec<Module> {
    source_files()
        .into_iter()
        .filter(|(path, _)| path != "src/main.rs")
        .map(|(file, text)| {
            let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            let mut collector = Collector::default();
            collector.visit_file(&syntax);
            let mut path: Vec<String> = file
                .trim_start_matches("src/")
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if matches!(path.last().map(String::as_str), Some("mod" | "lib")) {
                path.pop();
            }
            Module {
                path,
                file,
                paths: collector.paths,
                reexports: collector.reexports,
            }
        })
        .collect()
}

/// The module a path written in `from` refers to (following `pub use` re-exports), or `None` for a path
/// outside the crate.
fn resolve(
    modules: &BTreeMap<Vec<String>, &Module>,
    from: &[String],
    path: &[String],
) -> Option<Vec<String>> {
    resolve_within(modules, from, path, 8)
}

fn resolve_within(
    modules: &BTreeMap<Vec<String>, &Module>,
    from: &[String],
    path: &[String],
    hops: usize,
) -> Option<Vec<String>> {
    let mut module: Vec<String> = from.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            module.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                module.pop();
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = from.to_vec();
            child.push(first.to_string());
            let reexported = modules
                .get(from)
                .is_some_and(|m| m.reexports.contains_key(first));
            if !modules.contains_key(&child) && !reexported {
                return None; // another crate (std, serde, …)
            }
        }
        None => return None,
    }
    // The longest prefix that is a module, then maybe a name re-exported by it.
    while let Some(name) = rest.first() {
        let mut deeper = module.clone();
        deeper.push(name.clone());
        if !modules.contains_key(&deeper) {
            break;
        }
        module = deeper;
        rest = &rest[1..];
    }
    let reexport = rest
        .first()
        .and_then(|name| modules.get(&module)?.reexports.get(name));
    match reexport {
        Some(target) if hops > 0 => {
            let mut target = target.clone();
            target.extend(rest[1..].iter().cloned());
            Some(resolve_within(modules, &module, &target, hops - 1).unwrap_or(module))
        }
        _ => Some(module),
    }
}

/// Which child module uses which sibling, each with why (the file and path).
type Edges = BTreeMap<String, BTreeSet<(String, String)>>;

#[test]
fn no_import_cycles() {
    let all = modules();
    let by_path: BTreeMap<Vec<String>, &Module> = all.iter().map(|m| (m.path.clone(), m)).collect();
    // Siblings' dependencies: for each module with children, which child subtree uses which (a module using
    // its own ancestor or descendant is a parent's facade or shared vocabulary, not a cycle).
    let mut groups: BTreeMap<Vec<String>, Edges> = BTreeMap::new();
    for module in &all {
        for path in &module.paths {
            let Some(target) = resolve(&by_path, &module.path, path) else {
                continue;
            };
            let common = module
                .path
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == module.path.len() || common == target.len() {
                continue;
            }
            let parent = module.path[..common].to_vec();
            groups
                .entry(parent)
                .or_default()
                .entry(module.path[common].clone())
                .or_default()
                .insert((
                    target[common].clone(),
                    format!("{} uses {}", module.file, path.join("::")),
                ));
        }
    }
    let mut cycles = Vec::new();
    for edges in groups.values() {
        // Depth-first search for a back edge.
        fn visit(
            node: &str,
            edges: &Edges,
            stack: &mut Vec<(String, String)>,
            done: &mut BTreeSet<String>,
            cycles: &mut Vec<String>,
        ) {
            if done.contains(node) {
                return;
            }
            for (next, why) in edges.get(node).into_iter().flatten() {
                if let Some(at) = stack.iter().position(|(n, _)| n == next) {
                    let mut cycle: Vec<String> =
                        stack[at + 1..].iter().map(|(_, w)| w.clone()).collect();
                    cycle.push(why.clone());
                    cycles.push(cycle.join("; "));
                    continue;
                }
                stack.push((next.clone(), why.clone()));
                visit(next, edges, stack, done, cycles);
                stack.pop();
            }
            done.insert(node.to_string());
        }
        let mut done = BTreeSet::new();
        for node in edges.keys() {
            let mut stack = vec![(node.clone(), String::new())];
            visit(node, edges, &mut stack, &mut done, &mut cycles);
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between modules:\n{}",
        cycles.join("\n")
    );
}
