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

#[test]
fn every_module_starts_with_a_doc_line() {
    for (path, text) in source_files() {
        assert!(
            text.starts_with("//!"),
            "{path} must start with a `//!` line saying what it owns"
        );
    }
}

/// What a file's code (outside `#[cfg(test)]` items) uses: every path, from `use` trees (flattened, so
/// `use std::{fs}` is `std::fs`) and written in code (`std::fs::read(…)`), and every method it calls.
#[derive(Default)]
struct Uses {
    paths: Vec<Vec<String>>,
    methods: Vec<String>,
}

fn uses_of(text: &str) -> Uses {
    let syntax = syn::parse_file(text).expect("parses");
    let mut collector = Collector::default();
    collector.visit_file(&syntax);
    Uses {
        paths: collector.all_paths,
        methods: collector.methods,
    }
}

/// Methods of `std::path::Path` (and friends) that ask the filesystem.
const FS_METHODS: &[&str] = &[
    "canonicalize",
    "is_dir",
    "is_file",
    "is_symlink",
    "exists",
    "try_exists",
    "symlink_metadata",
    "read_dir",
    "read_link",
];

/// The rule broken by a path or method call in `uses`, if any: a path that starts with one of `paths`
/// (`["std", "fs"]`, `["tokio"]`), or a call of one of `methods`.
fn violations(uses: &Uses, paths: &[&[&str]], methods: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = uses
        .paths
        .iter()
        .filter(|path| {
            paths.iter().any(|forbidden| {
                path.len() >= forbidden.len()
                    && path.iter().zip(forbidden.iter()).all(|(a, b)| a == b)
            })
        })
        .map(|path| path.join("::"))
        .chain(
            uses.methods
                .iter()
                .filter(|m| methods.contains(&m.as_str()))
                .map(|m| format!(".{m}()")),
        )
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Asserts that no file selected by `scope` uses any of `paths` or calls any of `methods` outside its tests.
fn assert_none_use(scope: impl Fn(&str) -> bool, paths: &[&[&str]], methods: &[&str], rule: &str) {
    let mut broken = Vec::new();
    for (file, text) in source_files().into_iter().filter(|(p, _)| scope(p)) {
        for used in violations(&uses_of(&text), paths, methods) {
            broken.push(format!("{file} uses {used}"));
        }
    }
    assert!(broken.is_empty(), "{rule}:\n{}", broken.join("\n"));
}

const FS_PATHS: &[&[&str]] = &[
    &["std", "fs"],
    &["tokio", "fs"],
    &["walkdir"],
    &["ignore"],
    &["memmap2"],
    &["notify"],
];

#[test]
fn the_engine_is_pure() {
    let mut forbidden: Vec<&[&str]> = vec![
        &["tower_lsp_server"],
        &["tokio"],
        &["dashmap"],
        &["serde_json"],
        &["std", "net"],
        &["std", "process"],
        &["std", "env"],
    ];
    forbidden.extend_from_slice(FS_PATHS);
    assert_none_use(
        |p| p.starts_with("src/engine/"),
        &forbidden,
        FS_METHODS,
        "the engine must stay pure (no I/O, runtime or protocol)",
    );
    // Nor does it reach into the crate's outer layers.
    let all = modules();
    let by_path: BTreeMap<Vec<String>, &Module> = all.iter().map(|m| (m.path.clone(), m)).collect();
    for module in all
        .iter()
        .filter(|m| m.path.first().is_some_and(|p| p == "engine"))
    {
        for path in &module.paths {
            let target = resolve(&by_path, &module.path, path).unwrap_or_default();
            assert!(
                target.first().is_none_or(|first| !matches!(
                    first.as_str(),
                    "lsp" | "workspace" | "cli" | "archive"
                )),
                "{} uses {}: the engine must not depend on the outer layers",
                module.file,
                path.join("::")
            );
        }
    }
}

#[test]
fn protocol_types_live_in_lsp() {
    assert_none_use(
        |p| !p.starts_with("src/lsp/"),
        &[&["tower_lsp_server"], &["ls_types"], &["lsp_types"]],
        &[],
        "protocol types belong in src/lsp/",
    );
}

#[test]
fn only_the_workspace_reads_files() {
    assert_none_use(
        |p| !p.starts_with("src/workspace/"),
        FS_PATHS,
        FS_METHODS,
        "only src/workspace/ touches the filesystem",
    );
}

/// The checks read imports as the compiler does, not as substrings: a grouped or renamed import, a path
/// written in code and a method call are all seen, and a word in a comment or string is not.
#[test]
fn the_checks_read_code_not_text() {
    let uses = uses_of(
        "//! x\nuse std::{fs};\nuse std::fs::File as F;\nuse tokio::{self as t};\n\
         fn f(p: &std::path::Path) -> bool { let _ = std::process::id(); p.is_dir() }\n\
         // std::net in a comment\nconst S: &str = \"std::env\";\n\
         #[cfg(test)]\nmod tests { fn g(p: &std::path::Path) -> bool { p.exists() } }\n",
    );
    assert_eq!(
        violations(
            &uses,
            &[
                &["std", "fs"],
                &["tokio"],
                &["std", "process"],
                &["std", "net"],
                &["std", "env"]
            ],
            FS_METHODS
        ),
        [
            ".is_dir()",
            "std::fs",
            "std::fs::File",
            "std::process::id",
            "tokio"
        ]
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
    /// Every path, `use` or written in code, whatever it starts with (for the rules on other crates).
    all_paths: Vec<Vec<String>>,
    /// Names of the methods called.
    methods: Vec<String>,
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
        let mut flat = Vec::new();
        flatten_use(&item.tree, &mut Vec::new(), &mut flat);
        if self.depth > 0 {
            self.all_paths
                .extend(flat.into_iter().map(|(path, _)| path));
            return;
        }
        let public = !matches!(item.vis, syn::Visibility::Inherited);
        for (path, alias) in flat {
            if public && alias != "*" {
                self.reexports.insert(alias, path.clone());
            }
            self.all_paths.push(path.clone());
            self.paths.push(path);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.methods.push(call.method.to_string());
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.all_paths.push(segments.clone());
        }
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

/// Cycles known and not yet untangled: (parent module, child, child). None today; an entry here is a debt.
const KNOWN_CYCLES: &[(&str, &str, &str)] = &[];

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
            let (from, to) = (&module.path[common], &target[common]);
            if KNOWN_CYCLES.iter().any(|&(group, a, b)| {
                parent.join("::") == group && ((from == a && to == b) || (from == b && to == a))
            }) {
                continue;
            }
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

#[test]
fn the_cli_does_not_use_the_server() {
    let all = modules();
    let by_path: BTreeMap<Vec<String>, &Module> = all.iter().map(|m| (m.path.clone(), m)).collect();
    for module in all
        .iter()
        .filter(|m| m.path.first().is_some_and(|p| p == "cli"))
    {
        for path in &module.paths {
            let target = resolve(&by_path, &module.path, path).unwrap_or_default();
            assert!(
                target.first().is_none_or(|first| first != "lsp"),
                "{} uses {}: the CLI counts lines with crate::lineindex, not the server's modules",
                module.file,
                path.join("::")
            );
        }
    }
}

#[test]
fn only_the_archive_talks_to_a_database() {
    assert_none_use(
        |p| !p.starts_with("src/archive/"),
        &[
            &["tokio_postgres"],
            &["postgres_types"],
            &["tokio_postgres_rustls"],
        ],
        &[],
        "only src/archive/ talks to the database",
    );
}
